"""Picking by condition: where (coordinates of true elements, or x-or-y), where_v2 (x-or-y
with broadcasting: SelectV2, which TensorFlow's Maximum/Minimum gradients use), select (0.x)
and boolean_mask.

>>> import teachflow as tf
>>> c = tf.constant([True, False, True])
>>> tf.Session().run(tf.boolean_mask([1, 2, 3], c)).tolist()
[1, 3]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import expand_dims, reshape, shape, size, squeeze
from teachflow.ops.concat_ops import concat
from teachflow.ops.constant_op import convert_inputs, convert_to_tensor
from teachflow.ops.fill_ops import zeros_like
from teachflow.ops.gather_ops import gather
from teachflow.ops.op_args import (
    graph_of,
    int_arg,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    merge_shapes,
)
from teachflow.ops.slicing_ops import slice_helper
from teachflow.tensor_shape import TensorShape, bracket

# -- where, select, boolean_mask -------------------------------------------------------------


@registry.define(
    "Where",
    infer=lambda op: [(dtypes.int64, TensorShape([None, op.inputs[0].shape.ndims]))],
    grad=not_differentiable,
)
def _where_kernel(cond: np.ndarray) -> np.ndarray:
    """f(c) = the coordinates of the true (non-zero) elements of c, one row each"""
    cond = np.asarray(cond)
    if cond.ndim == 0:
        raise invalid_argument(
            "WhereOp : Unhandled input dimensions: 0",
            "tf.where(c) needs c of rank 1 or more; for a scalar use tf.cond or tf.where(c, x, y).",
        )
    return np.argwhere(cond).astype(np.int64)


_SELECT_HINT = "x and y need one shape; condition has that shape, or is a vector over its rows."


def _select_infer(op: Operation) -> Outs:
    c, t, e = op.inputs
    if not c.dtype.base_dtype.is_bool:
        raise TypeError(
            f"Input 'condition' of 'Select' Op has type {c.dtype.base_dtype.name} that does not "
            "match expected type of bool.\n  Hint: build the condition with a comparison, "
            "e.g. x > 0."
        )
    # the order of TensorFlow's checks, so its error texts name the shapes the same way
    data = merge_shapes(op, t.shape, e.shape, _SELECT_HINT)
    cs = c.shape
    if cs.ndims is None or data.ndims is None or cs.ndims == 0:
        return [(t.dtype.base_dtype, data)]
    if cs.ndims != 1 or data.ndims == 0:
        return [(t.dtype.base_dtype, merge_shapes(op, data, cs, _SELECT_HINT))]
    first = merge_shapes(op, cs, data[:1], _SELECT_HINT)
    return [(t.dtype.base_dtype, TensorShape(first.as_list() + data.as_list()[1:]))]


def _select_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    c, x = op.inputs[0], op.inputs[1]
    zeros = zeros_like(x)
    return [None, where(c, grad, zeros), where(c, zeros, grad)]


@registry.define("Select", infer=_select_infer, grad=_select_grad)
def _select_kernel(c: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """f(c, x, y) = x where c else y (a vector c picks whole rows)"""
    c, t, e = np.asarray(c), np.asarray(t), np.asarray(e)
    shapes = [bracket(TensorShape(a.shape)) for a in (c, t, e)]
    if c.ndim == 0 or (c.ndim == 1 and t.ndim != 1):
        if t.shape != e.shape:
            raise invalid_argument(
                f"'then' and 'else' must have the same size.  but received: {shapes[1]} vs. "
                f"{shapes[2]}",
                _SELECT_HINT,
            )
        if c.ndim == 1:
            if t.ndim == 0 or c.shape[0] != t.shape[0]:
                raise invalid_argument(
                    f"Number of batches of 'then' must match size of 'cond', but saw: "
                    f"{t.shape[0] if t.ndim else 0} vs. {c.shape[0]}",
                    _SELECT_HINT,
                )
            c = c.reshape((-1,) + (1,) * (t.ndim - 1))
        return np.where(c, t, e)
    for i, a in ((1, t), (2, e)):
        if a.shape != c.shape:
            raise invalid_argument(
                "Inputs to operation Select of type Select must have the same size and shape.  "
                f"Input 0: {shapes[0]} != input {i}: {shapes[i]}",
                _SELECT_HINT,
            )
    return np.where(c, t, e)


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """``where(c)``: int64 coordinates of the true elements; ``where(c, x, y)``: x if c else y.

    >>> import teachflow as tf
    >>> c = tf.constant([True, False, True])
    >>> sess = tf.Session()
    >>> sess.run(tf.where(c)).tolist(), sess.run(tf.where(c, [1, 2, 3], [7, 8, 9])).tolist()
    ([[0], [2]], [1, 8, 3])
    """
    if x is None and y is None:
        g = graph_of(condition)
        with g.as_default(), g.name_scope(name or "Where") as scope:
            c = convert_to_tensor(condition, preferred_dtype=dtypes.bool_, name="condition")
            return registry.make1("Where", [c], {"T": c.dtype.base_dtype}, scope)
    if x is None or y is None:
        raise ValueError(
            "x and y must both be non-None or both be None.\n  Hint: tf.where(c) gives indices; "
            "tf.where(c, x, y) picks between x and y."
        )
    g = graph_of(condition, x, y)
    with g.as_default(), g.name_scope(name or "Select") as scope:
        c = convert_to_tensor(condition, name="condition")
        t, e = convert_inputs("Select", [("t", x), ("e", y)])
        return registry.make1("Select", [c, t, e], {"T": t.dtype.base_dtype}, scope)


def _select_v2_infer(op: Operation) -> Outs:
    c, t, e = op.inputs
    if not c.dtype.base_dtype.is_bool:
        raise TypeError(
            f"Input 'condition' of 'SelectV2' Op has type {c.dtype.base_dtype.name} that does "
            "not match expected type of bool.\n  Hint: build the condition with a comparison, "
            "e.g. x > 0."
        )
    data = registry.broadcast_shape(op, t.shape, e.shape)
    return [(t.dtype.base_dtype, registry.broadcast_shape(op, c.shape, data))]


def _reduce_to(x: Tensor, z: Tensor, gx: Tensor) -> Tensor:
    """``gx`` (shaped like the output ``z``) summed over the axes broadcasting added to ``x``."""
    from teachflow.ops.math_rules import broadcast_axes
    from teachflow.ops.reduction_ops import reduce_sum

    if x.shape.is_fully_defined() and z.shape.is_fully_defined():
        if x.shape == z.shape:
            return gx
        rx, _ = broadcast_axes(x.shape.as_list(), z.shape.as_list())  # type: ignore[arg-type]
        return reshape(reduce_sum(gx, rx), x.shape.as_list())
    sx = shape(x)
    rx_t, _ = registry.make(
        "BroadcastGradientArgs", [sx, shape(z)], {"T": dtypes.int32}, "BroadcastGradientArgs"
    ).outputs
    return reshape(reduce_sum(gx, rx_t), sx)


def _select_v2_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    """dz goes to x where c, to y elsewhere, each summed back to its own shape."""
    from teachflow.ops.fill_ops import zeros

    c, x, y = op.inputs
    z = op.outputs[0]
    zero = zeros([], dtype=grad.dtype.base_dtype)
    gx = where_v2(c, grad, zero)
    gy = where_v2(c, zero, grad)
    return [None, _reduce_to(x, z, gx), _reduce_to(y, z, gy)]


@registry.define("SelectV2", infer=_select_v2_infer, grad=_select_v2_grad)
def _select_v2_kernel(c: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """f(c, x, y) = x where c else y (c, x and y broadcast together)"""
    c, t, e = np.asarray(c), np.asarray(t), np.asarray(e)
    try:
        np.broadcast_shapes(c.shape, t.shape, e.shape)
    except ValueError:
        shapes = [bracket(TensorShape(a.shape)) for a in (c, t, e)]
        raise invalid_argument(
            f"condition {shapes[0]}, then {shapes[1]}, and else {shapes[2]} must be broadcastable",
            "condition, x and y broadcast like numpy: aligned from the right, each size equal "
            "or 1.",
        ) from None
    return np.where(c, t, e)


def where_v2(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """``where_v2(c)``: coordinates of the true elements; ``where_v2(c, x, y)``: f = x if c
    else y, with c, x and y broadcast together (TensorFlow 2's ``tf.where``).

    >>> import teachflow as tf
    >>> c = tf.constant([True, False])
    >>> tf.Session().run(tf.where_v2(c, 1.0, [[5.0, 6.0], [7.0, 8.0]])).tolist()
    [[1.0, 6.0], [1.0, 8.0]]
    """
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError(
            "x and y must both be non-None or both be None.\n  Hint: tf.where_v2(c) gives "
            "indices; tf.where_v2(c, x, y) picks between x and y."
        )
    g = graph_of(condition, x, y)
    with g.as_default(), g.name_scope(name or "SelectV2") as scope:
        c = convert_to_tensor(
            condition, dtype=dtypes.bool_, name="condition", _arg="condition", _op="SelectV2"
        )
        t, e = convert_inputs("SelectV2", [("t", x), ("e", y)])
        return registry.make1("SelectV2", [c, t, e], {"T": t.dtype.base_dtype}, scope)


def select(condition: Any, t: Any, e: Any, name: str | None = None) -> Tensor:
    """0.x name of ``tf.where(condition, t, e)`` (removed in TensorFlow 1.0).

    >>> import teachflow as tf
    >>> tf.select(tf.constant([True]), [1], [2]).op.type
    'Select'
    """
    return where(condition, t, e, name)


def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask", axis: Any = None) -> Tensor:
    """The elements of ``tensor`` where ``mask`` is true, flattened over the mask's dimensions.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.boolean_mask([[1, 2], [3, 4], [5, 6]], [True, False, True])).tolist()
    [[1, 2], [5, 6]]
    """
    g = graph_of(tensor, mask)
    with g.as_default(), g.name_scope(name):
        t = convert_to_tensor(tensor, name="tensor")
        m = convert_to_tensor(mask, name="mask")
        mshape, tshape = m.shape, t.shape
        nm = mshape.ndims
        if nm == 0:
            raise ValueError("mask cannot be scalar.")
        if nm is None:
            raise ValueError(
                "Number of mask dimensions must be specified, even if some dimensions are None. "
                " E.g. shape=[None] is ok, but shape=None is not."
            )
        a = 0 if axis is None else int_arg(axis, "axis")
        part = tshape[a : a + nm]
        if not part.is_compatible_with(mshape):
            raise ValueError(
                f"Shapes {part} and {mshape} are incompatible\n  Hint: the mask's shape must "
                f"match the tensor's dimensions from axis {a} on."
            )
        # the mask's dimensions become one: as many elements as the mask (NOTE: TensorFlow
        # takes their product with Prod; the mask's size is the same number)
        dims = shape(t)
        pieces = [
            slice_helper(dims, (slice(None, a),)),
            expand_dims(size(m), 0),
            slice_helper(dims, (slice(a + nm, None),)),
        ]
        flat = reshape(t, concat(pieces, 0))
        if tshape.ndims is not None:
            known = tshape.as_list()
            n = part.merge_with(mshape).num_elements()
            flat.set_shape(known[:a] + [n] + known[a + nm :])
        picks = squeeze(where(reshape(m, [-1])), axis=[1])
        return gather(flat, picks, axis=a)
