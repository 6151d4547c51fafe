"""Ops that only the math ops' gradients build.

``unbroadcast`` sums each input's gradient of a broadcasting binary op back to the input's
shape, with a BroadcastGradientArgs node when the shapes are known only at run time. The
fused ops f(y, dy) (TanhGrad, SigmoidGrad...) are TensorFlow's one-node gradients of Tanh,
Sigmoid...; their own gradients make second derivatives work.

>>> import teachflow as tf
>>> x, b = tf.placeholder(tf.float32, [None, 3]), tf.zeros([3])
>>> gx, gb = tf.gradients(x + b, [x, b])
>>> gb.shape.as_list(), [op.type for op in gb.graph.get_operations() if "Broadcast" in op.type]
([3], ['BroadcastGradientArgs'])
>>> tf.gradients(tf.tanh(x), x)[0].op.type
'TanhGrad'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, registry
from teachflow.ops.constant_op import constant
from teachflow.ops.math_rules import (
    COMPLEX,
    FLOAT,
    Grad,
    binary_kernel,
    broadcast_axes,
    check_dtype,
    real_only,
)
from teachflow.tensor_shape import TensorShape

# -- summing a broadcast input's gradient back to its shape ----------------------------------


@registry.define(
    "BroadcastGradientArgs",
    infer=lambda op: [(dtypes.int32, TensorShape([None]))] * 2,
    grad=not_differentiable,
)
def _broadcast_gradient_args_kernel(sx: np.ndarray, sy: np.ndarray) -> tuple[Any, Any]:
    """f(sx, sy) = the axes along which broadcasting stretched x, and those for y"""
    rx, ry = broadcast_axes(np.asarray(sx).tolist(), np.asarray(sy).tolist())
    return np.array(rx, dtype=np.int32), np.array(ry, dtype=np.int32)


def unbroadcast(op: Operation, gx: Tensor | None, gy: Tensor | None) -> list[Tensor | None]:
    """Sums each input's gradient over the axes broadcasting stretched, back to its shape."""
    from teachflow.ops.reduction_ops import reduce_sum

    x, y = op.inputs
    out = op.outputs[0].shape
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        if x.shape == out and y.shape == out:
            return [gx, gy]
        rx, ry = broadcast_axes(x.shape.as_list(), y.shape.as_list())  # type: ignore[arg-type]
        sx = constant(x.shape.as_list(), dtypes.int32, name="Shape")
        sy = constant(y.shape.as_list(), dtypes.int32, name="Shape")
        return [_sum_to(gx, rx, sx, x.shape == out), _sum_to(gy, ry, sy, y.shape == out)]
    # shapes known only at run time: the axes are computed by a BroadcastGradientArgs node
    sx, sy = array_ops.shape(x), array_ops.shape(y)
    rx_t, ry_t = registry.make(
        "BroadcastGradientArgs", [sx, sy], {"T": dtypes.int32}, "BroadcastGradientArgs"
    ).outputs
    return [
        None if gx is None else array_ops.reshape(reduce_sum(gx, rx_t), sx),
        None if gy is None else array_ops.reshape(reduce_sum(gy, ry_t), sy),
    ]


def _sum_to(g: Tensor | None, axes: list[int], shape: Tensor, same: bool) -> Any:
    from teachflow.ops.reduction_ops import reduce_sum

    if g is None or same:
        return g
    return array_ops.reshape(reduce_sum(g, axes), shape)


# -- fused gradient ops f(y, dy) ---------------------------------------------------------------


def _grad_op(type: str, y: Tensor, dy: Tensor) -> Tensor:
    return registry.make1(type, [y, dy], {"T": y.dtype.base_dtype}, type)


def fused_grad(type: str, op: Operation, dy: Tensor) -> Tensor:
    """The gradient of op (Tanh, Sigmoid...) as TensorFlow's one-node form, e.g. TanhGrad."""
    return _grad_op(type, op.outputs[0], dy)


def _a(op: Operation) -> Tensor:
    return op.inputs[0]  # of a fused gradient op f(a, b): a = y, b = dy


def _b(op: Operation) -> Tensor:
    return op.inputs[1]


def _y(op: Operation) -> Tensor:
    return op.outputs[0]


def _square(t: Tensor) -> Tensor:
    from teachflow.ops.math_ops import square

    return square(t)


# the table is laid out by hand, one op per row
# fmt: off
# (TF type, kernel, formula, gradient (op, g) -> [da, db] for inputs a = y, b = dy)
GRAD_OPS: list[tuple[str, Callable[..., Any], str, Grad]] = [
    ("TanhGrad", lambda y, dy: dy * (1 - y * y), "f(y, dy) = dy * (1 - y^2)",
     lambda op, g: [g * -2.0 * _b(op) * _a(op), _grad_op("TanhGrad", _a(op), g)]),
    ("SigmoidGrad", lambda y, dy: dy * y * (1 - y), "f(y, dy) = dy * y * (1 - y)",
     lambda op, g: [g * _b(op) - 2.0 * (g * _b(op)) * _a(op),
                    _grad_op("SigmoidGrad", _a(op), g)]),
    ("SqrtGrad", lambda y, dy: dy * 0.5 / y, "f(y, dy) = dy / (2y)",
     lambda op, g: [-(g / _a(op)) * _y(op), 0.5 * (g / _a(op))]),
    ("RsqrtGrad", lambda y, dy: dy * -0.5 * y * y * y, "f(y, dy) = -dy * y^3 / 2",
     lambda op, g: [-1.5 * g * _b(op) * _square(_a(op)), _grad_op("RsqrtGrad", _a(op), g)]),
    ("ReciprocalGrad", lambda y, dy: -dy * y * y, "f(y, dy) = -dy * y^2",
     lambda op, g: [g * -2.0 * _b(op) * _a(op), _grad_op("ReciprocalGrad", _a(op), g)]),
]
# fmt: on

_ALLOWED = dict.fromkeys([t for t, *_ in GRAD_OPS], FLOAT | COMPLEX)


def _grad_op_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    check_dtype(op, _ALLOWED)
    return registry.broadcast_binary()(op)


for _type, _kernel, _formula, _grad in GRAD_OPS:
    _k = binary_kernel(_kernel)
    _k.__doc__ = _formula
    registry.define(_type, infer=_grad_op_infer, grad=real_only(_grad))(_k)
