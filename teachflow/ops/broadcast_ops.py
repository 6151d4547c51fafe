"""Broadcasting as ops: the shape two shapes broadcast to, and a tensor broadcast to a shape.

>>> import teachflow as tf
>>> from teachflow.ops import broadcast_ops
>>> s = broadcast_ops.broadcast_dynamic_shape(tf.constant([2, 1]), tf.constant([3]))
>>> tf.Session().run(broadcast_ops.broadcast_to(tf.constant([1.0, 2.0, 3.0]), s)).tolist()
[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.tensor_shape import TensorShape


def _broadcast(a: np.ndarray | None, b: np.ndarray | None) -> tuple[int, ...] | None:
    if a is None or b is None:
        return None
    try:
        return np.broadcast_shapes(tuple(int(d) for d in a), tuple(int(d) for d in b))
    except ValueError:
        return None  # the kernel says why, at run time


def _known(t: Tensor) -> np.ndarray | None:
    """``t``'s value when known while building, through BroadcastArgs of known shapes."""
    if t.op.type == "BroadcastArgs":
        out = _broadcast(*(_known(x) for x in t.op.inputs))
        return None if out is None else np.array(out, dtype=t.dtype.np)
    return registry.constant_value(t)


def _broadcast_args_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    out = _broadcast(*(_known(t) for t in op.inputs))
    return [(op.attrs["T"], TensorShape([None if out is None else len(out)]))]


@registry.define("BroadcastArgs", infer=_broadcast_args_infer, grad=not_differentiable)
def _broadcast_args_kernel(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """f(s0, s1) = the shape both shapes broadcast to"""
    try:
        out = np.broadcast_shapes(tuple(int(d) for d in s0), tuple(int(d) for d in s1))
    except ValueError:
        raise ValueError(
            f"Incompatible shapes: [{','.join(map(str, s0))}] vs. [{','.join(map(str, s1))}]"
        ) from None
    return np.array(out, dtype=s0.dtype)


def _broadcast_to_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    known = _known(op.inputs[1])
    if known is not None:
        return [(op.inputs[0].dtype.base_dtype, TensorShape([int(d) for d in known]))]
    n = op.inputs[1].shape[0].value if op.inputs[1].shape.ndims == 1 else None
    return [(op.inputs[0].dtype.base_dtype, TensorShape(None if n is None else [None] * n))]


@registry.define("BroadcastTo", infer=_broadcast_to_infer, grad=not_differentiable)
def _broadcast_to_kernel(x: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """f(x, shape) = x repeated along the dimensions it broadcasts over"""
    target = tuple(int(d) for d in shape)
    try:
        return np.array(np.broadcast_to(x, target))
    except ValueError:
        raise ValueError(
            f"Unable to broadcast tensor of shape {list(np.shape(x))} to tensor of shape "
            f"{list(target)}"
        ) from None


def broadcast_dynamic_shape(shape_x: Any, shape_y: Any) -> Tensor:
    """The shape two shapes (1-D int tensors) broadcast to (op ``BroadcastArgs``)."""
    x, y = convert_to_tensor(shape_x), convert_to_tensor(shape_y)
    return registry.make1("BroadcastArgs", [x, y], {"T": x.dtype.base_dtype}, "BroadcastArgs")


def broadcast_to(x: Tensor, shape: Tensor) -> Tensor:
    """``x`` broadcast to ``shape`` (op ``BroadcastTo``)."""
    attrs = {"T": x.dtype.base_dtype, "Tidx": shape.dtype.base_dtype}
    return registry.make1("BroadcastTo", [x, shape], attrs, "BroadcastTo")
