"""Stacking tensors into one of rank R+1 (stack, 0.x pack) and its inverse (unstack, unpack).

A list holding tensors, given where a tensor is expected, is stacked the same way.

>>> import teachflow as tf
>>> s = tf.stack([tf.zeros([3]), tf.ones([3])])
>>> print(s.shape, [str(t.shape) for t in tf.unstack(s, axis=1)])
(2, 3) ['(2,)', '(2,)', '(2,)']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_inputs, convert_to_tensor, is_tensor
from teachflow.ops.op_args import (
    check_same_dtypes,
    count_attr,
    graph_of,
    has_tensor,
    int_arg,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    merge_shapes,
    shape_error,
)
from teachflow.tensor_shape import TensorShape, bracket

# -- stack (pack) and unstack (unpack) ---------------------------------------------------------


def _pack_infer(op: Operation) -> Outs:
    cur = op.inputs[-1].shape
    hint = "tf.stack needs tensors of one shape; check each input's shape."
    for i in range(len(op.inputs) - 2, -1, -1):
        cur = merge_shapes(
            op, op.inputs[i].shape, cur, hint, f"\n\tFrom merging shape {i} with other shapes."
        )
    dt = op.inputs[0].dtype.base_dtype
    if cur.ndims is None:
        return [(dt, TensorShape(None))]
    dims = cur.as_list()
    axis = _norm_axis(op.attrs["axis"], len(dims) + 1)
    dims.insert(axis, len(op.inputs))
    return [(dt, TensorShape(dims))]


def _norm_axis(axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ValueError(
            f"axis = {axis} not in [{-rank}, {rank})\n  Hint: axis counts the dimensions; "
            "negative values count from the end."
        )
    return axis + rank if axis < 0 else axis


def _pack_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return unstack(grad, num=len(op.inputs), axis=op.attrs["axis"])


@registry.define("Pack", infer=_pack_infer, ctx=True, grad=_pack_grad)
def _pack_kernel(ctx: registry.KernelContext, *xs: np.ndarray) -> np.ndarray:
    """f(x1..xn) = [x1, ..., xn] stacked along axis"""
    first = np.shape(xs[0])
    for i, x in enumerate(xs[1:], 1):
        if np.shape(x) != first:
            raise invalid_argument(
                f"Shapes of all inputs must match: values[0].shape = {list(first)} != "
                f"values[{i}].shape = {list(np.shape(x))}",
                "tf.stack needs tensors of one shape.",
            )
    return np.stack(xs, axis=ctx.attrs["axis"])


def _pack(values: list[Tensor], axis: int, scope: str) -> Tensor:
    check_same_dtypes("Pack", values)
    return registry.make1(
        "Pack",
        values,
        {"N": len(values), "T": values[0].dtype.base_dtype, "axis": int(axis)},
        scope,
    )


def _nested_dtype(values: Any) -> dtypes.DType | None:
    if isinstance(values, (list, tuple)):
        for v in values:
            dt = _nested_dtype(v)
            if dt is not None:
                return dt
        return None
    return convert_to_tensor(values).dtype.base_dtype if is_tensor(values) else None


def _flat_tensors(values: Any) -> list[Any]:
    if isinstance(values, (list, tuple)):
        return [t for v in values for t in _flat_tensors(v)]
    return [values] if is_tensor(values) else []


def _autopack(values: Sequence[Any], dtype: dtypes.DType | None, name: str) -> Any:
    """A (nested) list holding tensors as one tensor, as TensorFlow packs it (names ``0``...)."""
    g = graph_of(*values)
    with g.as_default(), g.name_scope(name) as scope:
        elems: list[Any] = []
        must_pack = False
        for i, v in enumerate(values):
            if is_tensor(v):
                elems.append(convert_to_tensor(v, dtype=dtype))
                must_pack = True
            elif isinstance(v, (list, tuple)):
                sub = _autopack(v, dtype, str(i))
                must_pack = must_pack or isinstance(sub, Tensor)
                elems.append(sub)
            else:
                elems.append(v)
        if not must_pack:
            return elems
        ts = [
            e if isinstance(e, Tensor) else constant(e, dtype=dtype, name=str(i))
            for i, e in enumerate(elems)
        ]
        return _pack(ts, 0, scope)


def stack(values: Any, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks rank-R tensors into one rank-(R+1) tensor: f(x1..xn) = [x1, ..., xn].

    >>> import teachflow as tf
    >>> tf.Session().run(tf.stack([tf.constant([1, 2]), tf.constant([3, 4])], axis=1)).tolist()
    [[1, 3], [2, 4]]
    """
    axis = int_arg(axis, "axis")
    if axis == 0 and (is_tensor(values) or isinstance(values, (list, tuple)) and not values):
        # as in TensorFlow, what converts to one tensor as it is needs no Pack
        return convert_to_tensor(values, name=name)
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(
            f"tf.stack needs a non-empty list of tensors, got {values!r}.\n"
            "  Hint: pass a Python list, e.g. tf.stack([a, b])."
        )
    g = graph_of(*values)
    with g.as_default():
        if axis == 0:
            if not has_tensor(values):
                try:
                    return constant(values, name=name)
                except (TypeError, ValueError):
                    pass  # ragged: the Pack below gives TensorFlow's shape error
            else:
                check_same_dtypes("Pack", _flat_tensors(values))
                return _autopack(values, _nested_dtype(values), name)  # type: ignore[no-any-return]
        first = convert_to_tensor(values[0], name=name)
        if first.shape.ndims is not None:
            _norm_axis(axis, first.shape.ndims + 1)
        with g.name_scope(name) as scope:
            ts = convert_inputs(
                "Pack", [(f"values_{i}", v) for i, v in enumerate(values)], any_tensor_decides=True
            )
            return _pack(ts, axis, scope)


def pack(values: Any, axis: int = 0, name: str = "pack") -> Tensor:
    """0.x name of :func:`stack` (renamed in TensorFlow 1.0).

    >>> import teachflow as tf
    >>> print(tf.pack([1, 2]).shape)
    (2,)
    """
    return stack(values, axis, name)


def _unpack_infer(op: Operation) -> Outs:
    x = op.inputs[0]
    num, axis = op.attrs["num"], op.attrs["axis"]
    dt = x.dtype.base_dtype
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))] * num
    dims = x.shape.as_list()
    a = _norm_axis(axis, len(dims))
    if dims[a] is not None and dims[a] != num:
        raise shape_error(
            op,
            f"Dimension must be {num} but is {dims[a]}",
            "num must equal the size of the unstacked axis (or leave num out).",
        )
    return [(dt, TensorShape(dims[:a] + dims[a + 1 :]))] * num


def _unpack_grad(op: Operation, *grads: Tensor) -> list[Tensor]:
    return [stack(list(grads), axis=op.attrs["axis"])]


@registry.define("Unpack", infer=_unpack_infer, ctx=True, view=True, grad=_unpack_grad)
def _unpack_kernel(ctx: registry.KernelContext, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """f(x) = x[0], ..., x[n-1] along axis"""
    num, axis = ctx.attrs["num"], ctx.attrs["axis"]
    x = np.asarray(x)
    axis = axis + x.ndim if axis < 0 else axis
    if x.shape[axis] != num:
        raise invalid_argument(
            f"Input shape axis {axis} must equal {num}, got shape {bracket(TensorShape(x.shape))}",
            "num must equal the size of the unstacked axis.",
        )
    head = (slice(None),) * axis
    return tuple(x[head + (i, Ellipsis)] for i in range(num))


def unstack(
    value: Any, num: int | None = None, axis: int = 0, name: str = "unstack"
) -> list[Tensor]:
    """Splits a rank-R tensor into a list of rank-(R-1) tensors along ``axis``.

    >>> import teachflow as tf
    >>> [t.shape.as_list() for t in tf.unstack(tf.zeros([2, 3]))]
    [[3], [3]]
    """
    axis = int_arg(axis, "axis")
    g = graph_of(value)
    with g.as_default():
        if num is None:
            value = convert_to_tensor(value)
            vshape = value.shape
            if vshape.ndims is not None:
                a = _norm_axis(axis, vshape.ndims)
                num = vshape.as_list()[a]
            if num is None:
                raise ValueError(
                    f"Cannot infer num from shape {vshape}\n  Hint: pass num=..., the size of "
                    "the axis being unstacked."
                )
        with g.name_scope(name) as scope:
            t = convert_to_tensor(value, name="value")
            op = registry.make(
                "Unpack",
                [t],
                {
                    "num": count_attr(num, "num", "Unpack", 0),
                    "axis": axis,
                    "T": t.dtype.base_dtype,
                },
                scope,
            )
            return op.outputs


def unpack(value: Any, num: int | None = None, axis: int = 0, name: str = "unpack") -> list[Tensor]:
    """0.x name of :func:`unstack` (renamed in TensorFlow 1.0).

    >>> import teachflow as tf
    >>> len(tf.unpack(tf.zeros([4, 2])))
    4
    """
    return unstack(value, num, axis, name)
