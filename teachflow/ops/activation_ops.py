"""Activations: relu, relu6, elu, selu, leaky_relu, softplus, softsign, swish, crelu, softmax.

Each op is defined once here with its gradient op (ReluGrad...), so gradients of gradients
work. Softmax subtracts the row maximum before exponentiating, as TensorFlow does.

>>> import teachflow as tf
>>> y = tf.nn.softmax(tf.constant([[1.0, 2.0, 3.0]]))
>>> print(y)
Tensor("Softmax:0", shape=(1, 3), dtype=float32)
>>> print(tf.Session().run(y).round(3))
[[0.09  0.245 0.665]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import cast_ops, fill_ops, math_ops, reduction_ops, registry
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.nn_ops import (
    OutSpec,
    at_least_rank,
    check_dtype,
    classes_last,
    make_op,
    resolve_axis,
    shifted_classes_first,
    swap_last,
)
from teachflow.ops.op_args import float_arg


def _elementwise(param: str, kind: str, n_inputs: int = 1) -> registry.Infer:
    """Rule for elementwise ops: checked dtype; the shape of input 0 (merged with the others)."""

    def infer(op: Operation) -> OutSpec:
        dt = check_dtype(op, 0, param, kind)
        shape = op.inputs[0].shape
        for t in op.inputs[1:n_inputs]:
            if not shape.is_compatible_with(t.shape):
                raise registry.shape_error(op, "Incompatible shapes")
            shape = shape.merge_with(t.shape)
        return [(dt, shape)]

    return infer


def _unary_api(type: str, features: Any, name: str | None, **attrs: Any) -> Tensor:
    """``type(features)`` under scope ``name``: a Python input becomes ``<name>/features``."""
    g = registry.graph_for([features])
    with g.as_default(), g.name_scope(name or type) as scope:
        x = convert_to_tensor(features, name="features")
        return make_op(type, [x], scope, **attrs)


# -- relu, relu6, elu, leaky_relu, softplus, softsign ----------------------------------------


def _relu_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [make_op("ReluGrad", [grad, op.outputs[0]], "ReluGrad")]


@registry.define("Relu", infer=_elementwise("features", "real"), grad=_relu_grad)
def _relu_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = max(x, 0)"""
    return np.maximum(x, np.zeros((), x.dtype))


def _relu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x = op.inputs[1]
    return [make_op("ReluGrad", [grad, x], "ReluGrad"), fill_ops.zeros_like(x)]


@registry.define("ReluGrad", infer=_elementwise("gradients", "real", 2), grad=_relu_grad_grad)
def _relu_grad_kernel(gy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(gy, x) = gy * (x > 0)"""
    # a multiply, as TensorFlow's kernel: branch-free, several times faster than np.where
    return np.multiply(gy, x > 0, dtype=gy.dtype)


def relu(features: Any, name: str | None = None) -> Tensor:
    """Rectified linear unit: f(x) = max(x, 0).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.relu([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return _unary_api("Relu", features, name)


def _relu6_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [make_op("Relu6Grad", [grad, op.inputs[0]], "Relu6Grad")]


@registry.define("Relu6", infer=_elementwise("features", "real"), grad=_relu6_grad)
def _relu6_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = min(max(x, 0), 6)"""
    return np.minimum(np.maximum(x, np.zeros((), x.dtype)), np.full((), 6, x.dtype))


def _relu6_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x = op.inputs[1]
    return [make_op("Relu6Grad", [grad, x], "Relu6Grad"), fill_ops.zeros_like(x)]


@registry.define("Relu6Grad", infer=_elementwise("gradients", "real", 2), grad=_relu6_grad_grad)
def _relu6_grad_kernel(gy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(gy, x) = gy * (0 < x < 6)"""
    return np.where((x > 0) & (x < 6), gy, np.zeros((), gy.dtype))


def relu6(features: Any, name: str | None = None) -> Tensor:
    """Rectified linear unit capped at 6: f(x) = min(max(x, 0), 6).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.relu6([-1.0, 3.0, 8.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return _unary_api("Relu6", features, name)


def _elu_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [make_op("EluGrad", [grad, op.outputs[0]], "EluGrad")]


@registry.define("Elu", infer=_elementwise("features", "float"), grad=_elu_grad)
def _elu_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = x if x > 0 else e^x - 1"""
    return np.where(x < 0, np.expm1(np.minimum(x, 0)), x).astype(x.dtype, copy=False)


def _elu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    gy, y = op.inputs
    # d/dy [gy * (y + 1)] = gy where y < 0, else 0
    negative = cast_ops.cast(math_ops.less(y, constant(0, dtype=y.dtype.base_dtype)), y.dtype)
    return [make_op("EluGrad", [grad, y], "EluGrad"), grad * gy * negative]


@registry.define("EluGrad", infer=_elementwise("gradients", "float", 2), grad=_elu_grad_grad)
def _elu_grad_kernel(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(gy, y) = gy * (y + 1) if y < 0 else gy, where y = elu(x)"""
    return np.where(y < 0, gy * (y + 1), gy).astype(gy.dtype, copy=False)


def elu(features: Any, name: str | None = None) -> Tensor:
    """Exponential linear unit: f(x) = x if x > 0 else e^x - 1.

    >>> import teachflow as tf
    >>> print(tf.Session().run(tf.nn.elu([-1.0, 2.0])).round(4))
    [-0.6321  2.    ]
    """
    return _unary_api("Elu", features, name)


def _leaky_relu_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    x = op.inputs[0]
    return [make_op("LeakyReluGrad", [grad, x], "LeakyReluGrad", alpha=op.attrs["alpha"])]


@registry.define(
    "LeakyRelu", infer=_elementwise("features", "float"), grad=_leaky_relu_grad, ctx=True
)
def _leaky_relu_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """f(x) = x if x > 0 else alpha * x"""
    return np.where(x > 0, x, x * ctx.attrs["alpha"]).astype(x.dtype, copy=False)


def _leaky_relu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x = op.inputs[1]
    alpha = op.attrs["alpha"]
    return [
        make_op("LeakyReluGrad", [grad, x], "LeakyReluGrad", alpha=alpha),
        fill_ops.zeros_like(x),
    ]


@registry.define(
    "LeakyReluGrad",
    infer=_elementwise("gradients", "float", 2),
    grad=_leaky_relu_grad_grad,
    ctx=True,
)
def _leaky_relu_grad_kernel(
    ctx: registry.KernelContext, gy: np.ndarray, x: np.ndarray
) -> np.ndarray:
    """f(gy, x) = gy if x > 0 else alpha * gy"""
    return np.where(x > 0, gy, gy * ctx.attrs["alpha"]).astype(gy.dtype, copy=False)


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """Leaky ReLU: f(x) = x if x > 0 else alpha * x (integer inputs become float32).

    >>> import teachflow as tf
    >>> print(tf.Session().run(tf.nn.leaky_relu([-1.0, 2.0], alpha=0.1)))
    [-0.1  2. ]
    """
    g = registry.graph_for([features])
    with g.as_default(), g.name_scope(name or "LeakyRelu") as scope:
        x = convert_to_tensor(features, name="features")
        if x.dtype.base_dtype.is_integer:
            x = cast_ops.cast(x, dtypes.float32)
        a = 0.2 if alpha is None else float_arg(alpha, "alpha")  # None: TensorFlow's default
        return make_op("LeakyRelu", [x], scope, alpha=a)


def _softplus_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [grad * math_ops.sigmoid(op.inputs[0])]


@registry.define("Softplus", infer=_elementwise("features", "float"), grad=_softplus_grad)
def _softplus_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|)"""
    return (np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)


def softplus(features: Any, name: str | None = None) -> Tensor:
    """f(x) = ln(1 + e^x), a smooth ReLU.

    >>> import teachflow as tf
    >>> print(tf.Session().run(tf.nn.softplus(0.0)).round(4))
    0.6931
    """
    return _unary_api("Softplus", features, name)


def _softsign_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [make_op("SoftsignGrad", [grad, op.inputs[0]], "SoftsignGrad")]


def _softsign_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    gy, x = op.inputs
    one = constant(1, dtype=x.dtype.base_dtype)
    denom = one + math_ops.abs(x)
    # d/dx [gy / (1 + |x|)^2] = -2 gy sign(x) / (1 + |x|)^3
    dx = grad * gy * constant(-2, dtype=x.dtype.base_dtype) * math_ops.sign(x)
    return [grad / math_ops.square(denom), dx / (denom * math_ops.square(denom))]


@registry.define(
    "SoftsignGrad", infer=_elementwise("gradients", "float", 2), grad=_softsign_grad_grad
)
def _softsign_grad_kernel(gy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(gy, x) = gy / (1 + |x|)^2"""
    return (gy / np.square(1 + np.abs(x))).astype(gy.dtype, copy=False)


@registry.define("Softsign", infer=_elementwise("features", "float"), grad=_softsign_grad)
def _softsign_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = x / (1 + |x|)"""
    return (x / (1 + np.abs(x))).astype(x.dtype, copy=False)


def softsign(features: Any, name: str | None = None) -> Tensor:
    """f(x) = x / (1 + |x|).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.softsign([-1.0, 3.0])).tolist()
    [-0.5, 0.75]
    """
    return _unary_api("Softsign", features, name)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [make_op("SeluGrad", [grad, op.outputs[0]], "SeluGrad")]


@registry.define("Selu", infer=_elementwise("features", "float"), grad=_selu_grad)
def _selu_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = scale * x if x > 0 else scale * alpha * (e^x - 1)"""
    neg = _SELU_SCALE * _SELU_ALPHA * np.expm1(np.minimum(x, 0))
    return np.where(x > 0, _SELU_SCALE * x, neg).astype(x.dtype, copy=False)


def _selu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    gy, y = op.inputs
    dt = y.dtype.base_dtype
    # SeluGrad(gy, y) = gy * (y + scale * alpha) where y < 0: its derivative in y is gy there
    negative = cast_ops.cast(math_ops.less(y, constant(0, dtype=dt)), dt)
    return [make_op("SeluGrad", [grad, y], "SeluGrad"), grad * gy * negative]


@registry.define("SeluGrad", infer=_elementwise("gradients", "float", 2), grad=_selu_grad_grad)
def _selu_grad_kernel(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(gy, y) = gy * (y + scale * alpha) if y < 0 else gy * scale, where y = selu(x)"""
    out = np.where(y < 0, gy * (y + _SELU_SCALE * _SELU_ALPHA), gy * _SELU_SCALE)
    return out.astype(gy.dtype, copy=False)


def selu(features: Any, name: str | None = None) -> Tensor:
    """Scaled ELU: f(x) = scale * x if x > 0 else scale * alpha * (e^x - 1).

    >>> import teachflow as tf
    >>> print(tf.Session().run(tf.nn.selu([-1.0, 1.0])).round(4))
    [-1.1113  1.0507]
    """
    return _unary_api("Selu", features, name)


def swish(features: Any, beta: Any = 1.0) -> Tensor:
    """f(x) = x * sigmoid(beta * x).

    >>> import teachflow as tf
    >>> print(tf.Session().run(tf.nn.swish([0.0, 2.0])).round(4))
    [0.     1.7616]
    """
    g = registry.graph_for([features])
    with g.as_default():
        x = convert_to_tensor(features, name="features")
        b = convert_to_tensor(beta, dtype=x.dtype.base_dtype, name="beta")
        y = x * math_ops.sigmoid(b * x)
        # TensorFlow's swish is a custom-gradient function: its result is named IdentityN
        return make_op("Identity", [y], "IdentityN")


def crelu(features: Any, name: str | None = None, axis: int = -1) -> Tensor:
    """Concatenated ReLU: f(x) = concat([relu(x), relu(-x)], axis) (twice as many features).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.crelu([[1.0, -2.0]])).tolist()
    [[1.0, 0.0, 0.0, 2.0]]
    """
    from teachflow.ops import concat_ops

    g = registry.graph_for([features])
    with g.as_default(), g.name_scope(name or "CRelu") as scope:
        x = convert_to_tensor(features, name="features")
        c = concat_ops.concat([x, math_ops.negative(x)], axis, name=scope)
        return relu(c)


# -- softmax, log_softmax --------------------------------------------------------------------


def _softmax_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "logits", "float")
    return [(dt, at_least_rank(op, 0, 1))]


def _softmax_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    y = op.outputs[0]
    dot = reduction_ops.reduce_sum(grad * y, -1, keepdims=True)
    return [(grad - dot) * y]


@registry.define("Softmax", infer=_softmax_infer, grad=_softmax_grad)
def _softmax_kernel(x: np.ndarray) -> np.ndarray:
    """f(x)_i = e^(x_i - max x) / sum_j e^(x_j - max x) along the last axis"""
    e = np.exp(shifted_classes_first(x))
    e /= np.add.reduce(e, axis=0)
    return classes_last(e, x.dtype)


def _log_softmax_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    y = op.outputs[0]
    return [grad - reduction_ops.reduce_sum(grad, -1, keepdims=True) * math_ops.exp(y)]


@registry.define("LogSoftmax", infer=_softmax_infer, grad=_log_softmax_grad)
def _log_softmax_kernel(x: np.ndarray) -> np.ndarray:
    """f(x)_i = (x_i - max x) - ln sum_j e^(x_j - max x) along the last axis"""
    s = shifted_classes_first(x)
    s -= np.log(np.add.reduce(np.exp(s), axis=0))
    return classes_last(s, x.dtype)


def _softmax_api(type: str, logits: Any, axis: Any, name: str | None, dim: Any) -> Tensor:
    g = registry.graph_for([logits])
    with g.as_default():
        x = convert_to_tensor(logits)
        ax = resolve_axis(axis, dim)
        rank = x.shape.ndims
        if rank is None or ax == -1 or ax == rank - 1:
            return make_op(type, [x], name or type)
        if not -rank <= ax < rank:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the number of "
                f"dimensions in the input. Received: dim={ax}",
            )
        ax %= rank
        out = make_op(type, [swap_last(x, ax)], name or type)
        return swap_last(out, ax)


def softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Tensor:
    """f(x)_i = e^x_i / sum_j e^x_j along ``axis`` (default: the last; ``dim`` is the 0.x name).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.softmax([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    return _softmax_api("Softmax", logits, axis, name, dim)


def log_softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Tensor:
    """f(x)_i = x_i - ln sum_j e^x_j along ``axis`` (default: the last).

    >>> import teachflow as tf
    >>> print(tf.Session().run(tf.nn.log_softmax([[0.0, 0.0]])).round(4))
    [[-0.6931 -0.6931]]
    """
    return _softmax_api("LogSoftmax", logits, axis, name, dim)
