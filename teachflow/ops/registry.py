"""The one table of op definitions: kernel, shape/dtype rule, gradient, TF type name.

Adding an op is one call to :func:`define` in the module of its family (see CONTRIBUTING.md);
the table is then what the session, ``tf.gradients``, the export and the widgets read:

>>> import numpy as np
>>> import teachflow as tf
>>> from teachflow.ops import registry
>>> square = registry.get("Square")
>>> square.type, square.kernel(np.float32(3.0)), square.grad is not None
('Square', np.float32(9.0), True)
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Graph, Operation, Tensor, get_default_graph
from teachflow.tensor_shape import TensorShape, bracket

Infer = Callable[[Operation], list[tuple[dtypes.DType, TensorShape]]]
Grad = Callable[..., Any]
Peak = Callable[[Operation], "int | None"]


class OpDef:
    """How one op type computes (``kernel``), what it makes (``infer``) and its gradient.

    ``kernel(*input_values)`` returns one array (or a tuple for several outputs, None for
    none). With ``ctx=True`` it is called as ``kernel(ctx, *input_values)`` where ``ctx`` is a
    :class:`KernelContext` (attrs, op, session state). ``view=True`` marks kernels whose output
    may share memory with an input or with state, so fetched results get copied.
    ``peak(op)`` estimates the bytes the kernel holds at once (outputs plus temporaries) from
    the op's static shapes, or None when they are unknown; without it the peak is the outputs'
    size (see :func:`static_peak`).
    """

    __slots__ = (
        "type",
        "kernel",
        "infer",
        "grad",
        "ctx",
        "stateful",
        "view",
        "ref_inputs",
        "peak",
    )

    def __init__(
        self,
        type: str,
        kernel: Callable[..., Any],
        infer: Infer,
        grad: Grad | None = None,
        ctx: bool = False,
        stateful: bool = False,
        view: bool = False,
        ref_inputs: tuple[int, ...] = (),
        peak: Peak | None = None,
    ) -> None:
        self.type = type
        self.kernel = kernel
        self.infer = infer
        self.grad = grad
        self.ctx = ctx
        self.stateful = stateful
        self.view = view
        self.ref_inputs = ref_inputs
        self.peak = peak

    def __repr__(self) -> str:
        return f"<OpDef {self.type}>"


REGISTRY: dict[str, OpDef] = {}


class _Dead:
    """The value of a tensor on the branch a ``tf.cond`` did not take (TensorFlow's dead
    tensor): ops that get one do not run, and pass it on; Merge picks the live input."""

    def __repr__(self) -> str:
        return "<not computed: untaken branch of a cond>"


DEAD = _Dead()
ALL_INPUTS = (-1,)  # ``ref_inputs`` value: every input is taken as a ref, never read


def define(
    type: str,
    *,
    infer: Infer,
    grad: Grad | None = None,
    ctx: bool = False,
    stateful: bool = False,
    view: bool = False,
    ref_inputs: tuple[int, ...] = (),
    peak: Peak | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering ``kernel`` as the implementation of op ``type``."""

    def register(kernel: Callable[..., Any]) -> Callable[..., Any]:
        if type in REGISTRY:
            raise ValueError(f"Op type {type!r} is defined twice")
        REGISTRY[type] = OpDef(type, kernel, infer, grad, ctx, stateful, view, ref_inputs, peak)
        return kernel

    return register


def get(type: str) -> OpDef:
    try:
        return REGISTRY[type]
    except KeyError:
        raise NotImplementedError(
            f"teachflow has no op of type {type!r} yet (TensorFlow has it)."
        ) from None


def gradient(type: str) -> Callable[[Grad], Grad]:
    """Decorator setting the gradient of an op defined elsewhere (``tf.RegisterGradient``)."""

    def register(fn: Grad) -> Grad:
        get(type).grad = fn
        return fn

    return register


class KernelContext:
    """What a ``ctx=True`` kernel sees besides its inputs."""

    __slots__ = ("op", "attrs", "state")

    def __init__(self, op: Operation, state: Any) -> None:
        self.op = op
        self.attrs = op.attrs
        self.state = state


def bind(op: Operation, state: Any) -> Callable[..., Any]:
    """The callable the session runs for ``op`` (attrs and state bound once, at plan time).

    Stateful kernels (variables, assignments, random generators) run under the session's
    lock, so threads sharing one session never lose an update (TensorFlow's ``use_locking``).
    """
    d = op.opdef
    fn = functools.partial(d.kernel, KernelContext(op, state)) if d.ctx else d.kernel
    lock = getattr(state, "lock", None)
    if not d.stateful or lock is None:
        return fn

    def locked(*args: Any) -> Any:
        with lock:
            return fn(*args)

    return locked


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 16 * 2**30


# A tensor larger than half the machine's memory is refused before numpy tries to allocate it.
MAX_TENSOR_BYTES = _physical_memory() // 2


def nbytes_text(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} PiB"  # pragma: no cover


def oom_error(shape: Sequence[Any], dtype: dtypes.DType) -> Exception:
    """TensorFlow's ResourceExhaustedError for a tensor too large to allocate."""
    from teachflow import errors

    n = 1
    for d in shape:
        n *= int(d)
    dims = ",".join(str(int(d)) for d in shape)
    return errors.ResourceExhaustedError(
        None,
        None,
        f"OOM when allocating tensor with shape[{dims}] and type {dtypes.numpy_name(dtype)} on "
        "/job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu",
        f"that is {nbytes_text(n * max(dtype.size, 1))}, more than the "
        f"{nbytes_text(MAX_TENSOR_BYTES)} teachflow allows one tensor (half of this machine's "
        "memory); check the sizes you passed (an extra zero? 10**12?).",
    )


def oom_error_from(e: MemoryError, op: Operation) -> Any:
    """A numpy MemoryError inside ``op``'s kernel, as TensorFlow's ResourceExhaustedError."""
    m = re.search(r"shape \(([\d, ]*)\) and data type (\w+)", str(e))
    if m:
        shape = [int(d) for d in m.group(1).replace(" ", "").split(",") if d]
        try:
            dt = dtypes.as_dtype(m.group(2))
        except TypeError:
            dt = op.outputs[0].dtype if op.outputs else dtypes.float32
        return oom_error(shape, dt.base_dtype)
    out = op.outputs[0] if op.outputs else None
    if out is not None and out.shape.is_fully_defined():
        return oom_error(out.shape.as_list(), out.dtype.base_dtype)
    from teachflow import errors

    return errors.ResourceExhaustedError(
        None, None, f"OOM in '{op.name}': {e}", "check the sizes of the tensors this op makes."
    )


def check_alloc(shape: Sequence[Any] | int, dtype: Any, temporaries: int = 0) -> None:
    """For kernels whose output size comes from run-time values (Fill, Range, Tile...): raises
    ResourceExhaustedError before allocating an array larger than :data:`MAX_TENSOR_BYTES`.

    ``temporaries`` adds the bytes of the kernel's scratch arrays to the output's. Called as
    ``check_alloc(nbytes, what)`` (an int and a text) it is :func:`check_peak`.
    """
    if isinstance(shape, (int, np.integer)):
        check_peak(int(shape), str(dtype))
        return
    dt = dtypes.as_dtype(dtype).base_dtype
    n = 1
    for d in shape:
        n *= int(d)
    out = n * max(dt.size, 1)
    if out > MAX_TENSOR_BYTES:
        raise oom_error(shape, dt)
    if out + temporaries > MAX_TENSOR_BYTES:
        dims = ",".join(str(int(d)) for d in shape)
        check_peak(out + temporaries, f"tensor with shape[{dims}] and type {dtypes.numpy_name(dt)}")


def check_peak(nbytes: int, what: str = "tensor") -> None:
    """Raises ResourceExhaustedError when a kernel would hold ``nbytes`` at once (its output
    plus temporaries, e.g. conv2d's patch matrix) over :data:`MAX_TENSOR_BYTES`; call it before
    allocating. ``what`` names the allocation in TensorFlow's words:

    >>> from teachflow.ops import registry
    >>> registry.check_peak(1024, "tensor with shape[256] and type float")  # fits: no error
    """
    if nbytes <= MAX_TENSOR_BYTES:
        return
    from teachflow import errors

    raise errors.ResourceExhaustedError(
        None,
        None,
        f"OOM when allocating {what} on /job:localhost/replica:0/task:0/device:CPU:0 by "
        "allocator cpu",
        f"this kernel needs {nbytes_text(nbytes)} at once (its output plus temporaries), more "
        f"than the {nbytes_text(MAX_TENSOR_BYTES)} teachflow allows (half of this machine's "
        "memory); check the sizes you passed, or split the work into smaller batches.",
    )


def scratch_copies(k: float) -> Peak:
    """A ``peak`` estimate for :func:`define`: the outputs plus ``k`` scratch arrays the size of
    the largest input (softmax cross entropy keeps 2: the shifted logits and their exp).
    None while a size is unknown; then the plan does not check it."""

    def peak(op: Operation) -> int | None:
        outs = _outputs_bytes(op)
        sizes = [t.shape.num_elements() for t in op.inputs]
        if outs is None or any(n is None for n in sizes):
            return None
        biggest = max(
            (n * max(t.dtype.size, 1) for n, t in zip(sizes, op.inputs) if n is not None),
            default=0,
        )
        return outs + int(k * biggest)

    return peak


def _outputs_bytes(op: Operation) -> int | None:
    total = 0
    for t in op._outputs:
        n = t.shape.num_elements()
        if n is None:
            return None
        total += n * max(t.dtype.size, 1)
    return total


def static_peak(op: Operation) -> int | None:
    """The bytes ``op``'s kernel holds at once, known from static shapes (None if unknown):
    its definition's ``peak`` estimate, else the size of its outputs."""
    est = op.opdef.peak
    return est(op) if est is not None else _outputs_bytes(op)


def graph_for(inputs: Sequence[Any]) -> Graph:
    """The graph the inputs live in (the default graph when none is a tensor)."""
    for t in inputs:
        g = getattr(t, "graph", None)
        if isinstance(g, Graph):
            return g
    return get_default_graph()


def make(
    type: str,
    inputs: Sequence[Tensor],
    attrs: dict[str, Any] | None = None,
    name: str | None = None,
    graph: Graph | None = None,
) -> Operation:
    """Creates an op of ``type`` on already-converted input tensors."""
    g = graph if graph is not None else graph_for(inputs)
    return g._create_op(get(type), list(inputs), attrs or {}, name or type)


def make1(
    type: str,
    inputs: Sequence[Tensor],
    attrs: dict[str, Any] | None = None,
    name: str | None = None,
    graph: Graph | None = None,
) -> Tensor:
    """Like :func:`make` for single-output ops: returns the output tensor."""
    return make(type, inputs, attrs, name, graph)._outputs[0]


# -- shape rules ---------------------------------------------------------------------------


def shape_error(op: Operation, message: str, hint: str | None = None) -> ValueError:
    """TensorFlow's construction-time shape error text for ``op``, and an optional hint."""
    shapes = ", ".join(bracket(t.shape) for t in op.inputs)
    text = f"{message} for '{op.name}' (op: '{op.type}') with input shapes: {shapes}."
    return ValueError(f"{text}\n  Hint: {hint}" if hint else text)


def same_as_input(i: int = 0) -> Infer:
    def infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
        t = op.inputs[i]
        return [(t.dtype.base_dtype, t.shape)]

    return infer


def broadcast_shape(op: Operation, a: TensorShape, b: TensorShape) -> TensorShape:
    """Static numpy broadcasting; unknown dims stay unknown unless the other side decides."""
    da, db = a.as_tuple(), b.as_tuple()
    if da is None or db is None:
        return TensorShape(None)
    n = max(len(da), len(db))
    pa = (1,) * (n - len(da)) + da
    pb = (1,) * (n - len(db)) + db
    out: list[int | None] = []
    for x, y in zip(pa, pb):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise shape_error(
                op,
                f"Dimensions must be equal, but are {x} and {y}",
                "elementwise ops broadcast like numpy: aligned from the right, each pair of sizes "
                "must be equal or one of them 1.",
            )
    return TensorShape(out)


def broadcast_binary(out_dtype: dtypes.DType | None = None) -> Infer:
    """Rule for elementwise binary ops: broadcast shapes; dtype of ``x`` or ``out_dtype``."""

    def infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
        x, y = op.inputs
        shape = broadcast_shape(op, x.shape, y.shape)
        return [(out_dtype or x.dtype.base_dtype, shape)]

    return infer


def fixed(dtype: dtypes.DType, shape: Any) -> Infer:
    def infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
        return [(dtype, TensorShape(shape))]

    return infer


def no_outputs(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return []


def constant_value(t: Tensor) -> np.ndarray | None:
    """The value of ``t`` when it is known while building (a Const, or a shape of a known shape)."""
    op = t.op
    if op.type == "Const":
        return op.attrs["value"]  # type: ignore[no-any-return]
    if op.type == "Shape" and op.inputs[0].shape.is_fully_defined():
        return np.array(op.inputs[0].shape.as_list(), dtype=t.dtype.np)
    if op.type in ("Identity", "StopGradient"):
        return constant_value(op.inputs[0])
    if op.type == "Pack":
        parts = [constant_value(x) for x in op.inputs]
        if all(p is not None for p in parts):
            return np.stack(parts, axis=op.attrs.get("axis", 0))  # type: ignore[arg-type]
    return None
