"""``tf.TensorArray``: a list of tensors written and read one index at a time, inside loops.

As in TensorFlow, a TensorArray is a handle (the list, made afresh in each run) and a *flow*: a
scalar that each write returns and each later read takes, so that the reads come after the
writes. ``tf.map_fn`` and ``tf.scan`` (in :mod:`teachflow.ops.functional_ops`) are built on it.

>>> import teachflow as tf
>>> ta = tf.TensorArray(tf.float32, size=3)
>>> ta = ta.write(0, 1.0).write(1, 2.0).write(2, 4.0)
>>> tf.Session().run(ta.stack())
array([1., 2., 4.], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.graph import Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.handles import resource
from teachflow.tensor_shape import TensorShape

Outs = list[tuple[dtypes.DType, TensorShape]]


class TensorArrayValue:
    """The list behind a TensorArray in one run."""

    __slots__ = (
        "name",
        "items",
        "dynamic",
        "dtype",
        "clear_after_read",
        "cleared",
        "shapes",
        "grads",
        "forward",
    )

    def __init__(self, name: str, size: int, dynamic: bool, dtype: Any, clear: bool) -> None:
        self.name = name
        self.items: list[np.ndarray | None] = [None] * size
        self.dynamic = dynamic
        self.dtype = dtype
        self.clear_after_read = clear
        self.cleared: set[int] = set()
        self.shapes: dict[int, tuple[int, ...]] = {}  # of each element written
        self.grads: dict[str, TensorArrayValue] = {}  # gradient arrays, by source
        # a gradient array: the forward array (writes add up, unwritten elements read as 0)
        self.forward: TensorArrayValue | None = None

    def put(self, index: int, value: Any) -> None:
        self.check(index, "write to")
        v = np.array(value, copy=True)
        self.shapes[index] = v.shape
        old = self.items[index]
        if old is not None and self.forward is not None:
            v = old + v
        elif old is not None:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"TensorArray {self.name}: Could not write to TensorArray index {index} because "
                "it has already been written to.",
                "write each index once (or make a new TensorArray).",
            )
        self.items[index] = v

    def __repr__(self) -> str:
        written = sum(v is not None for v in self.items)
        return f"<TensorArray {self.name}: {written} of {len(self.items)} written>"

    def check(self, index: int, op: str) -> None:
        if index < 0 or (index >= len(self.items) and not self.dynamic):
            raise errors.InvalidArgumentError(
                None,
                None,
                f"TensorArray {self.name}: Tried to {op} index {index} but array is not "
                f"resizeable and size is: {len(self.items)}",
                "make the TensorArray large enough (size=...) or pass dynamic_size=True.",
            )
        if index >= len(self.items):
            self.items.extend([None] * (index + 1 - len(self.items)))

    def read(self, index: int) -> np.ndarray:
        self.check(index, "read from")
        if index in self.cleared:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"TensorArray {self.name}: Could not read index {index} twice because it was "
                "cleared after a previous read (perhaps try setting clear_after_read = false?).",
                "read each index once, or make the TensorArray with clear_after_read=False.",
            )
        v = self.items[index]
        if v is None and self.forward is not None and index in self.forward.shapes:
            return np.zeros(self.forward.shapes[index], dtype=self.dtype.np)
        if v is None:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"TensorArray {self.name}: Could not read from TensorArray index {index}.  "
                "Furthermore, the element shape is not fully defined: <unknown>.  It is possible "
                "you are working with a resizeable TensorArray and stop_gradients is not allowing "
                "the gradients to be written.  If you set the full element_shape property on the "
                "forward TensorArray, the proper all-zeros tensor will be returned instead of "
                "incurring this error.",
                "write an index before reading it.",
            )
        if self.clear_after_read:
            self.items[index] = None
            self.cleared.add(index)
        return v


def _handle_infer(op: Operation) -> Outs:
    return [(resource, TensorShape([2])), (dtypes.float32, TensorShape([]))]  # as TensorFlow


@registry.define("TensorArrayV3", infer=_handle_infer, ctx=True, stateful=True)
def _tensor_array_kernel(ctx: registry.KernelContext, size: Any) -> tuple[Any, Any]:
    """f(size) = (a new, empty array of size elements, its flow)"""
    n = int(np.asarray(size))
    if n < 0:
        raise ValueError(f"Size should be >= 0, got {n}")
    value = TensorArrayValue(
        ctx.op.name,
        n,
        bool(ctx.attrs["dynamic_size"]),
        ctx.attrs["dtype"],
        bool(ctx.attrs["clear_after_read"]),
    )
    return value, np.float32(0.0)


def _flow_out(op: Operation) -> Outs:
    return [(dtypes.float32, TensorShape([]))]


def _value(ta: Any, op: str) -> TensorArrayValue:
    if not isinstance(ta, TensorArrayValue):
        raise ValueError(f"'{op}' needs a TensorArray handle, got a plain value.")
    return ta


@registry.define(
    "TensorArrayWriteV3",
    infer=_flow_out,
    ctx=True,
    stateful=True,
    grad=lambda op, g: _write_grad(op, g),
)
def _write_kernel(ctx: registry.KernelContext, ta: Any, index: Any, value: Any, flow: Any) -> Any:
    """ta[index] <- value"""
    _value(ta, "TensorArrayWriteV3").put(int(np.asarray(index)), value)
    return np.float32(0.0)


@registry.define(
    "TensorArrayScatterV3",
    infer=_flow_out,
    ctx=True,
    stateful=True,
    grad=lambda op, g: _scatter_grad(op, g),
)
def _scatter_kernel(
    ctx: registry.KernelContext, ta: Any, indices: Any, value: Any, flow: Any
) -> Any:
    """ta[indices[k]] <- value[k]"""
    arr = _value(ta, "TensorArrayScatterV3")
    value = np.asarray(value)
    for k, i in enumerate(np.asarray(indices).reshape(-1)):
        arr.put(int(i), value[k])
    return np.float32(0.0)


def _read_infer(op: Operation) -> Outs:
    shape = op.attrs.get("_element_shape")  # TensorFlow's ReadV3 has no such attr: ours only
    return [(op.attrs["dtype"], TensorShape(shape))]


@registry.define(
    "TensorArrayReadV3",
    infer=_read_infer,
    ctx=True,
    stateful=True,
    grad=lambda op, g: _read_grad(op, g),
)
def _read_kernel(ctx: registry.KernelContext, ta: Any, index: Any, flow: Any) -> np.ndarray:
    """f(ta, index) = ta[index]"""
    return _value(ta, "TensorArrayReadV3").read(int(np.asarray(index)))


def _gather_infer(op: Operation) -> Outs:
    shape = TensorShape(op.attrs.get("element_shape"))
    n = op.inputs[1].shape[0].value if op.inputs[1].shape.ndims == 1 else None
    return [(op.attrs["dtype"], TensorShape([n]).concatenate(shape))]


@registry.define(
    "TensorArrayGatherV3",
    infer=_gather_infer,
    ctx=True,
    stateful=True,
    grad=lambda op, g: _gather_grad(op, g),
)
def _gather_kernel(ctx: registry.KernelContext, ta: Any, indices: Any, flow: Any) -> np.ndarray:
    """f(ta, indices) = stack(ta[i] for i in indices)"""
    arr = _value(ta, "TensorArrayGatherV3")
    idx = [int(i) for i in np.asarray(indices).reshape(-1)]
    dt = ctx.attrs["dtype"].np
    if not idx:
        shape = TensorShape(ctx.attrs.get("element_shape"))
        dims = [0] + ([d or 0 for d in shape.as_list()] if shape.ndims is not None else [])
        return np.zeros(dims, dtype=dt)
    values = [arr.read(i) for i in idx]
    first = values[0].shape
    for k, v in zip(idx, values):
        if v.shape != first:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"TensorArray has inconsistent shapes.  Index 0 has shape: {list(first)} but "
                f"index {k} has shape: {list(v.shape)}",
                "write values of one shape to a TensorArray you stack.",
            )
    return np.stack(values).astype(dt, copy=False)


@registry.define(
    "TensorArraySizeV3", infer=registry.fixed(dtypes.int32, []), ctx=True, stateful=True
)
def _size_kernel(ctx: registry.KernelContext, ta: Any, flow: Any) -> np.ndarray:
    """f(ta) = its number of elements"""
    return np.int32(len(_value(ta, "TensorArraySizeV3").items))


def _grad_infer(op: Operation) -> Outs:
    return [(resource, TensorShape([2])), (dtypes.float32, TensorShape([]))]


@registry.define("TensorArrayGradV3", infer=_grad_infer, ctx=True, stateful=True)
def _grad_array_kernel(ctx: registry.KernelContext, ta: Any, flow: Any) -> tuple[Any, Any]:
    """f(ta) = the gradient array of ta for this source (one per run: made at the first call)"""
    arr = _value(ta, "TensorArrayGradV3")
    source = ctx.attrs["source"]
    if source not in arr.grads:
        made = TensorArrayValue(f"{arr.name}@{source}", len(arr.items), True, arr.dtype, False)
        made.forward = arr
        arr.grads[source] = made
    return arr.grads[source], np.float32(0.0)


def _grad_array(op: Operation, flow: Tensor) -> tuple[Tensor, Tensor]:
    """The gradient TensorArray of ``op``'s array (``TensorArrayGradV3``, source "gradients")."""
    made = registry.make(
        "TensorArrayGradV3",
        [op.inputs[0], flow],
        {"source": "gradients"},
        "TensorArrayGrad/TensorArrayGradV3",
    )
    return made.outputs[0], made.outputs[1]


def _read_grad(op: Operation, grad: Any) -> list[Any]:
    """d ta[i]: the gradient written at i of the gradient array"""
    handle, flow = _grad_array(op, op.inputs[2])
    grad = convert_to_tensor(grad)
    dt = op.attrs["dtype"]
    w = registry.make1(
        "TensorArrayWriteV3", [handle, op.inputs[1], grad, flow], {"T": dt}, "TensorArrayWriteV3"
    )
    return [None, None, w]


def _write_grad(op: Operation, grad: Any) -> list[Any]:
    """d value = the gradient array's element at index"""
    flow = convert_to_tensor(grad)
    handle, gflow = _grad_array(op, flow)
    v = op.inputs[2]
    attrs = {
        "dtype": op.attrs["T"],
        "_element_shape": v.shape.as_list() if v.shape.ndims is not None else None,
    }
    value = registry.make1(
        "TensorArrayReadV3", [handle, op.inputs[1], gflow], attrs, "TensorArrayReadV3"
    )
    return [None, None, value, flow]


def _scatter_grad(op: Operation, grad: Any) -> list[Any]:
    """d value = the gradient array's elements at indices, stacked"""
    flow = convert_to_tensor(grad)
    handle, gflow = _grad_array(op, flow)
    v = op.inputs[2]
    attrs = {
        "dtype": op.attrs["T"],
        "element_shape": v.shape[1:].as_list() if v.shape.ndims else None,
    }
    value = registry.make1(
        "TensorArrayGatherV3", [handle, op.inputs[1], gflow], attrs, "TensorArrayGatherV3"
    )
    value.set_shape(v.shape)
    return [None, None, value, flow]


def _gather_grad(op: Operation, grad: Any) -> list[Any]:
    """d ta[indices]: the gradient's rows written at indices of the gradient array"""
    handle, flow = _grad_array(op, op.inputs[2])
    grad = convert_to_tensor(grad)
    dt = op.attrs["dtype"]
    w = registry.make1(
        "TensorArrayScatterV3",
        [handle, op.inputs[1], grad, flow],
        {"T": dt},
        "TensorArrayScatterV3",
    )
    return [None, None, w]


class TensorArray:
    """A list of tensors of one dtype for loops (``tf.TensorArray``): ``write(i, v)`` returns
    a new TensorArray to use from then on; ``read(i)``, ``stack()``, ``gather``, ``unstack``,
    ``scatter``, ``size()``."""

    def __init__(
        self,
        dtype: Any,
        size: Any = None,
        dynamic_size: Any = None,
        clear_after_read: Any = None,
        tensor_array_name: Any = None,
        handle: Any = None,
        flow: Any = None,
        infer_shape: bool = True,
        element_shape: Any = None,
        colocate_with_first_write_call: bool = True,
        name: str | None = None,
    ) -> None:
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        # the element shape learnt from writes, shared by every TensorArray of this handle
        self._shape_cell = [TensorShape(element_shape)]
        self._infer_shape = infer_shape
        if handle is not None:
            if flow is None:
                raise ValueError("flow must not be None if handle is not None.")
            self._handle, self._flow = handle, flow
            return
        if size is None:
            raise ValueError("Size must be provided if handle is not provided")
        g = get_default_graph()
        with g.as_default(), g.name_scope(name or "TensorArray") as scope:
            n = convert_to_tensor(size, dtype=dtypes.int32, name="size")
            op = registry.make(
                "TensorArrayV3",
                [n],
                {
                    "dtype": self._dtype,
                    "element_shape": None
                    if self.element_shape.ndims is None
                    else self.element_shape.as_list(),
                    "dynamic_size": bool(dynamic_size),
                    "clear_after_read": True if clear_after_read is None else clear_after_read,
                    "identical_element_shapes": bool(infer_shape),
                    "tensor_array_name": tensor_array_name or "",
                },
                scope,
            )
        self._handle, self._flow = op.outputs[0], op.outputs[1]

    # -- what it is -----------------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def handle(self) -> Tensor:
        return self._handle

    @property
    def flow(self) -> Tensor:
        return self._flow

    @property
    def element_shape(self) -> TensorShape:
        return self._shape_cell[0]

    def _with_flow(self, flow: Tensor, shape: TensorShape | None = None) -> TensorArray:
        ta = TensorArray(self._dtype, handle=self._handle, flow=flow, infer_shape=self._infer_shape)
        ta._shape_cell = self._shape_cell
        return ta

    def _merge_shape(self, shape: TensorShape) -> TensorShape:
        known = self._shape_cell[0]
        if not self._infer_shape:
            return known
        if not known.is_compatible_with(shape):
            raise ValueError(
                f"Inconsistent shapes: saw {shape} but expected {known} (and infer_shape=True)"
            )
        self._shape_cell[0] = known.merge_with(shape)
        return self._shape_cell[0]

    def _attrs(self) -> dict[str, Any]:
        s = self.element_shape
        return {"dtype": self._dtype, "element_shape": None if s.ndims is None else s.as_list()}

    # -- ops ------------------------------------------------------------------------------------
    def write(self, index: Any, value: Any, name: str | None = None) -> TensorArray:
        """The array with ``value`` at ``index`` (use the returned TensorArray afterwards)."""
        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayWrite"):
            i = convert_to_tensor(index, dtype=dtypes.int32, name="index")
            v = convert_to_tensor(value, dtype=self._dtype, name="value")
            shape = self._merge_shape(v.shape)
            flow = registry.make1(
                "TensorArrayWriteV3",
                [self._handle, i, v, self._flow],
                {"T": self._dtype},
                "TensorArrayWriteV3",
            )
        return self._with_flow(flow, shape)

    def read(self, index: Any, name: str | None = None) -> Tensor:
        """The element at ``index``."""
        g = self._handle.graph
        with g.as_default():
            i = convert_to_tensor(index, dtype=dtypes.int32)
            attrs = self._attrs()
            attrs["_element_shape"] = attrs.pop("element_shape")
            return registry.make1(
                "TensorArrayReadV3", [self._handle, i, self._flow], attrs,
                name or "TensorArrayReadV3",
            )  # fmt: skip

    def unstack(self, value: Any, name: str | None = None) -> TensorArray:
        """The rows of ``value`` written at 0, 1, 2..."""
        from teachflow.ops import array_ops, sequence_ops

        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayUnstack"):
            v = convert_to_tensor(value, dtype=self._dtype, name="value")
            n = array_ops.shape(v)[0]
            idx = sequence_ops.range_(0, n)
            shape = self._merge_shape(v.shape[1:]) if v.shape.ndims else self.element_shape
            flow = registry.make1(
                "TensorArrayScatterV3",
                [self._handle, idx, v, self._flow],
                {"T": self._dtype},
                "TensorArrayScatter/TensorArrayScatterV3",
            )
        return self._with_flow(flow, shape)

    def scatter(self, indices: Any, value: Any, name: str | None = None) -> TensorArray:
        """``value[k]`` written at ``indices[k]``."""
        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayScatter"):
            i = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            v = convert_to_tensor(value, dtype=self._dtype, name="value")
            shape = self._merge_shape(v.shape[1:]) if v.shape.ndims else self.element_shape
            flow = registry.make1(
                "TensorArrayScatterV3",
                [self._handle, i, v, self._flow],
                {"T": self._dtype},
                "TensorArrayScatterV3",
            )
        return self._with_flow(flow, shape)

    def gather(self, indices: Any, name: str | None = None) -> Tensor:
        """The elements at ``indices``, stacked."""
        g = self._handle.graph
        with g.as_default():
            i = convert_to_tensor(indices, dtype=dtypes.int32)
            return registry.make1(
                "TensorArrayGatherV3", [self._handle, i, self._flow], self._attrs(),
                name or "TensorArrayGatherV3",
            )  # fmt: skip

    def stack(self, name: str | None = None) -> Tensor:
        """All elements, stacked along a new first axis."""
        from teachflow.ops import sequence_ops

        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayStack"):
            n = self.size()
            idx = sequence_ops.range_(0, n)
            out = self.gather(idx, name="TensorArrayGatherV3")
        # a fixed size known while building is the stack's first dimension
        made = self._handle.op
        if made.type == "TensorArrayV3" and not made.attrs["dynamic_size"]:
            known = registry.constant_value(made.inputs[0])
            if known is not None and out.shape.ndims is not None:
                out.set_shape(TensorShape([int(known)]).concatenate(out.shape[1:]))
        return out

    def size(self, name: str | None = None) -> Tensor:
        g = self._handle.graph
        with g.as_default():
            return registry.make1(
                "TensorArraySizeV3", [self._handle, self._flow], {}, name or "TensorArraySizeV3"
            )

    def identity(self) -> TensorArray:
        from teachflow.ops import array_ops

        return self._with_flow(array_ops.identity(self._flow))

    def close(self, name: str | None = None) -> Operation:
        from teachflow.ops.control_ops import no_op

        return no_op(name=name or "TensorArrayCloseV3")
