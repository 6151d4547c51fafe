"""Neural-network ops: activations, softmax, cross-entropies, bias_add, l2_loss, dropout.

Each op is defined once here: numpy kernel, static shape/dtype rule, gradient (written with
teachflow ops) and its TensorFlow type name. Kernels are numerically stable the way
TensorFlow's are: softmax and its cross-entropies subtract the row maximum before
exponentiating, and the logistic loss never exponentiates a positive number.

>>> import teachflow as tf
>>> y = tf.nn.softmax(tf.constant([[1.0, 2.0, 3.0]]))
>>> print(y)
Tensor("Softmax:0", shape=(1, 3), dtype=float32)
>>> print(tf.Session().run(y).round(3))
[[0.09  0.245 0.665]]
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, math_ops, registry
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.tensor_shape import TensorShape

OutSpec = list[tuple[dtypes.DType, TensorShape]]

_FLOATS = "float16, bfloat16, float32, float64"
_REALS = (
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64, qint8"
)
_INDEX = "int32, int64"


def _is_float(dt: dtypes.DType) -> bool:
    return dt.is_floating


def _is_real(dt: dtypes.DType) -> bool:
    return dt.is_floating or dt.is_integer


def _is_index(dt: dtypes.DType) -> bool:
    return dt in (dtypes.int32, dtypes.int64)


_ALLOWED: dict[str, tuple[Callable[[dtypes.DType], bool], str]] = {
    "float": (_is_float, _FLOATS),
    "real": (_is_real, _REALS),
    "index": (_is_index, _INDEX),
}


def _check(op: Operation, i: int, param: str, kind: str) -> dtypes.DType:
    """TensorFlow's construction-time TypeError for an input dtype the op does not accept."""
    ok, allowed = _ALLOWED[kind]
    dt = op.inputs[i].dtype.base_dtype
    if not ok(dt):
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            f"values: {allowed}\n  Hint: tf.cast the input first, e.g. tf.cast(x, tf.float32)."
        )
    return dt


def _elementwise(param: str, kind: str, n_inputs: int = 1) -> registry.Infer:
    """Rule for elementwise ops: checked dtype; the shape of input 0 (merged with the others)."""

    def infer(op: Operation) -> OutSpec:
        dt = _check(op, 0, param, kind)
        shape = op.inputs[0].shape
        for t in op.inputs[1:n_inputs]:
            if not shape.is_compatible_with(t.shape):
                raise registry.shape_error(op, "Incompatible shapes")
            shape = shape.merge_with(t.shape)
        return [(dt, shape)]

    return infer


def _at_least_rank(op: Operation, i: int, rank: int) -> TensorShape:
    shape = op.inputs[i].shape
    if shape.ndims is not None and shape.ndims < rank:
        raise registry.shape_error(
            op, f"Shape must be at least rank {rank} but is rank {shape.ndims}"
        )
    return shape


def _rank_is(op: Operation, i: int, rank: int) -> TensorShape:
    shape = op.inputs[i].shape
    if shape.ndims is not None and shape.ndims != rank:
        raise registry.shape_error(op, f"Shape must be rank {rank} but is rank {shape.ndims}")
    return shape if shape.ndims is not None else TensorShape([None] * rank)


def _make(type: str, inputs: list[Tensor], name: str, **attrs: Any) -> Tensor:
    return registry.make1(type, inputs, {"T": inputs[0].dtype.base_dtype, **attrs}, name)


def _unary_api(type: str, features: Any, name: str | None, **attrs: Any) -> Tensor:
    """``type(features)`` under scope ``name``: a Python input becomes ``<name>/features``."""
    g = registry.graph_for([features])
    with g.as_default(), g.name_scope(name or type) as scope:
        x = convert_to_tensor(features, name="features")
        return _make(type, [x], scope, **attrs)


def _zeros_like(t: Tensor) -> Tensor:
    return array_ops.zeros_like(t)


# -- relu, relu6, elu, leaky_relu, softplus, softsign ----------------------------------------


def _relu_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [_make("ReluGrad", [grad, op.outputs[0]], "ReluGrad")]


@registry.define("Relu", infer=_elementwise("features", "real"), grad=_relu_grad)
def _relu_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = max(x, 0)"""
    return np.maximum(x, np.zeros((), x.dtype))


def _relu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x = op.inputs[1]
    return [_make("ReluGrad", [grad, x], "ReluGrad"), _zeros_like(x)]


@registry.define("ReluGrad", infer=_elementwise("gradients", "real", 2), grad=_relu_grad_grad)
def _relu_grad_kernel(gy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(gy, x) = gy * (x > 0)"""
    return np.where(x > 0, gy, np.zeros((), gy.dtype))


def relu(features: Any, name: str | None = None) -> Tensor:
    """Rectified linear unit: f(x) = max(x, 0).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.relu([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return _unary_api("Relu", features, name)


def _relu6_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [_make("Relu6Grad", [grad, op.inputs[0]], "Relu6Grad")]


@registry.define("Relu6", infer=_elementwise("features", "real"), grad=_relu6_grad)
def _relu6_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = min(max(x, 0), 6)"""
    return np.minimum(np.maximum(x, np.zeros((), x.dtype)), np.full((), 6, x.dtype))


def _relu6_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x = op.inputs[1]
    return [_make("Relu6Grad", [grad, x], "Relu6Grad"), _zeros_like(x)]


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
    return [_make("EluGrad", [grad, op.outputs[0]], "EluGrad")]


@registry.define("Elu", infer=_elementwise("features", "float"), grad=_elu_grad)
def _elu_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = x if x > 0 else e^x - 1"""
    return np.where(x < 0, np.expm1(np.minimum(x, 0)), x).astype(x.dtype, copy=False)


def _elu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    gy, y = op.inputs
    # d/dy [gy * (y + 1)] = gy where y < 0, else 0
    negative = math_ops.cast(math_ops.less(y, constant(0, dtype=y.dtype.base_dtype)), y.dtype)
    return [_make("EluGrad", [grad, y], "EluGrad"), grad * gy * negative]


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
    return [_make("LeakyReluGrad", [grad, x], "LeakyReluGrad", alpha=op.attrs["alpha"])]


@registry.define(
    "LeakyRelu", infer=_elementwise("features", "float"), grad=_leaky_relu_grad, ctx=True
)
def _leaky_relu_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """f(x) = x if x > 0 else alpha * x"""
    return np.where(x > 0, x, x * ctx.attrs["alpha"]).astype(x.dtype, copy=False)


def _leaky_relu_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x = op.inputs[1]
    alpha = op.attrs["alpha"]
    return [_make("LeakyReluGrad", [grad, x], "LeakyReluGrad", alpha=alpha), _zeros_like(x)]


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
            x = math_ops.cast(x, dtypes.float32)
        return _make("LeakyRelu", [x], scope, alpha=float(alpha))


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
    x = op.inputs[0]
    one = constant(1, dtype=x.dtype.base_dtype)
    return [grad / math_ops.square(one + math_ops.abs(x))]


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


# -- softmax, log_softmax --------------------------------------------------------------------


def _softmax_infer(op: Operation) -> OutSpec:
    dt = _check(op, 0, "logits", "float")
    return [(dt, _at_least_rank(op, 0, 1))]


def _stable_shift(x: np.ndarray) -> np.ndarray:
    """x - max(x) along the last axis (rows of -inf stay -inf rather than becoming NaN)."""
    m = np.max(x, axis=-1, keepdims=True)
    return x - np.where(np.isfinite(m), m, 0)  # type: ignore[no-any-return]


def _work_dtype(x: np.ndarray) -> np.ndarray:
    # float16 is too coarse for the sums; TensorFlow also accumulates it in float32
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _softmax_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    y = op.outputs[0]
    dot = math_ops.reduce_sum(grad * y, -1, keepdims=True)
    return [(grad - dot) * y]


@registry.define("Softmax", infer=_softmax_infer, grad=_softmax_grad)
def _softmax_kernel(x: np.ndarray) -> np.ndarray:
    """f(x)_i = e^(x_i - max x) / sum_j e^(x_j - max x) along the last axis"""
    with np.errstate(all="ignore"):
        e = np.exp(_stable_shift(_work_dtype(x)))
        return (e / np.sum(e, axis=-1, keepdims=True)).astype(x.dtype, copy=False)


def _log_softmax_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    y = op.outputs[0]
    return [grad - math_ops.reduce_sum(grad, -1, keepdims=True) * math_ops.exp(y)]


@registry.define("LogSoftmax", infer=_softmax_infer, grad=_log_softmax_grad)
def _log_softmax_kernel(x: np.ndarray) -> np.ndarray:
    """f(x)_i = (x_i - max x) - ln sum_j e^(x_j - max x) along the last axis"""
    with np.errstate(all="ignore"):
        s = _stable_shift(_work_dtype(x))
        lse = np.log(np.sum(np.exp(s), axis=-1, keepdims=True))
        return (s - lse).astype(x.dtype, copy=False)


def _resolve_axis(axis: Any, dim: Any, default: int = -1) -> int:
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'. Hint: 'dim' is the 0.x name.")
    value = axis if axis is not None else dim if dim is not None else default
    if isinstance(value, Tensor):
        known = registry.constant_value(value)
        if known is None:
            raise NotImplementedError("teachflow needs a constant `axis` for softmax ops.")
        value = int(known)
    return int(value)


def _swap_last(x: Tensor, axis: int) -> Tensor:
    """``x`` with dimensions ``axis`` and -1 swapped (its own inverse)."""
    rank = x.shape.ndims
    if rank is None:
        raise NotImplementedError(
            "softmax along an axis other than the last needs a tensor of known rank in teachflow."
        )
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return array_ops.transpose(x, perm)


def _softmax_api(type: str, logits: Any, axis: Any, name: str | None, dim: Any) -> Tensor:
    g = registry.graph_for([logits])
    with g.as_default():
        x = convert_to_tensor(logits)
        ax = _resolve_axis(axis, dim)
        rank = x.shape.ndims
        if rank is None or ax == -1 or ax == rank - 1:
            return _make(type, [x], name or type)
        if not -rank <= ax < rank:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the number of "
                f"dimensions in the input. Received: dim={ax}",
            )
        ax %= rank
        out = _make(type, [_swap_last(x, ax)], name or type)
        return _swap_last(out, ax)


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


# -- softmax cross-entropy ---------------------------------------------------------------------


def _xent_infer(op: Operation) -> OutSpec:
    dt = _check(op, 0, "features", "float")
    if op.inputs[1].dtype.base_dtype != dt:
        raise TypeError(
            f"Input 'labels' of '{op.type}' Op has type {op.inputs[1].dtype.base_dtype.name} "
            f"that does not match type {dt.name} of argument 'features'."
        )
    logits, labels = _rank_is(op, 0, 2), _rank_is(op, 1, 2)
    if not logits.is_compatible_with(labels):
        a, b = logits.as_list(), labels.as_list()
        k = 0 if a[0] is not None and b[0] is not None and a[0] != b[0] else 1
        raise registry.shape_error(op, f"Dimensions must be equal, but are {a[k]} and {b[k]}")
    shape = logits.merge_with(labels)
    return [(dt, TensorShape([shape[0].value])), (dt, shape)]


def _broadcast_mul(vec: Tensor, mat: Tensor) -> Tensor:
    """vec[:, None] * mat for a batch vector and a [batch, classes] matrix."""
    return array_ops.reshape(vec, [-1, 1]) * mat


def _is_zeros(t: Tensor | None) -> bool:
    """Whether an output gradient is known to be zero (the output was not used)."""
    if t is None or t.op.type == "ZerosLike":
        return True
    value = registry.constant_value(t)
    return value is not None and not np.any(value)


def _xent_grad(op: Operation, grad_loss: Tensor, grad_backprop: Tensor | None) -> list[Tensor]:
    logits = op.inputs[0]
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    if not _is_zeros(grad_backprop):
        assert grad_backprop is not None
        # backprop = softmax(logits) - labels, so it has a gradient of its own
        sm = _make("Softmax", [logits], "Softmax")
        dot = math_ops.reduce_sum(grad_backprop * sm, -1, keepdims=True)
        grad = grad + (grad_backprop - dot) * sm
    log_sm = _make("LogSoftmax", [logits], "LogSoftmax")
    return [grad, _broadcast_mul(grad_loss, math_ops.negative(log_sm))]


@registry.define("SoftmaxCrossEntropyWithLogits", infer=_xent_infer, grad=_xent_grad)
def _xent_kernel(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """loss = -sum_j labels_j * log_softmax(logits)_j; backprop = softmax(logits) - labels"""
    if logits.shape != labels.shape:
        try:
            labels = np.broadcast_to(labels, logits.shape)
        except ValueError:
            raise ValueError(
                "logits and labels must be broadcastable: "
                f"logits_size={_dims(logits.shape)} labels_size={_dims(labels.shape)}"
            ) from None
    x, z = _work_dtype(logits), _work_dtype(labels)
    with np.errstate(all="ignore"):
        s = _stable_shift(x)
        lse = np.log(np.sum(np.exp(s), axis=-1, keepdims=True))
        loss = np.sum(z * (lse - s), axis=-1)
        backprop = np.exp(s - lse) - z
    return loss.astype(logits.dtype), backprop.astype(logits.dtype)


def _dims(shape: tuple[int, ...]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _sparse_xent_infer(op: Operation) -> OutSpec:
    dt = _check(op, 0, "features", "float")
    _check(op, 1, "labels", "index")
    logits, labels = _rank_is(op, 0, 2), _rank_is(op, 1, 1)
    if not logits[:1].is_compatible_with(labels):
        raise registry.shape_error(
            op, f"Dimensions must be equal, but are {logits[0]} and {labels[0]}"
        )
    batch = logits[0].merge_with(labels[0]).value
    return [(dt, TensorShape([batch])), (dt, TensorShape([batch, logits[1].value]))]


def _sparse_xent_grad(
    op: Operation, grad_loss: Tensor, grad_backprop: Tensor | None
) -> list[Tensor | None]:
    if not _is_zeros(grad_backprop):
        raise LookupError(
            "Gradient explicitly disabled. Reason: Currently there is no way to take the second "
            "derivative of sparse_softmax_cross_entropy_with_logits due to the fused "
            "implementation's interaction with tf.gradients()"
        )
    return [_broadcast_mul(grad_loss, op.outputs[1]), None]


@registry.define(
    "SparseSoftmaxCrossEntropyWithLogits", infer=_sparse_xent_infer, grad=_sparse_xent_grad
)
def _sparse_xent_kernel(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """loss = -log_softmax(logits)[label]; backprop = softmax(logits) - onehot(label)"""
    n, c = logits.shape
    if labels.shape != (n,):
        raise ValueError(
            "logits and labels must have the same first dimension, got logits shape "
            f"{_dims(logits.shape)} and labels shape {_dims(labels.shape)}"
        )
    bad = (labels < 0) | (labels >= c)
    if np.any(bad):
        first = labels[np.argmax(bad)]
        raise ValueError(
            f"Received a label value of {first} which is outside the valid range of [0, {c}).  "
            f"Label values: {' '.join(str(v) for v in labels.tolist())}"
        )
    x = _work_dtype(logits)
    with np.errstate(all="ignore"):
        s = _stable_shift(x)
        lse = np.log(np.sum(np.exp(s), axis=-1, keepdims=True))
        rows = np.arange(n)
        loss = lse[:, 0] - s[rows, labels]
        backprop = np.exp(s - lse)
        backprop[rows, labels] -= 1
    return loss.astype(logits.dtype), backprop.astype(logits.dtype)


def _named_only(fn: str, sentinel: Any, labels: Any, logits: Any) -> None:
    """TensorFlow 1.x refuses positional arguments here: 0.x took (logits, labels)."""
    if sentinel is not None:
        raise ValueError(
            f"Only call `{fn}` with named arguments (labels=..., logits=..., ...)\n  Hint: the 0.x "
            f"signature was {fn}(logits, labels); write {fn}(labels=y_, logits=y)."
        )
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _flat_outer(x: Tensor, what: str) -> Tensor:
    """x reshaped to [-1, classes] (the op works on matrices)."""
    rank = x.shape.ndims
    classes = None if rank is None or rank == 0 else x.shape[-1].value
    if classes is not None:
        return array_ops.reshape(x, [-1, classes])
    if rank == 2:
        return array_ops.reshape(x, array_ops.shape(x))
    raise NotImplementedError(
        f"teachflow's cross-entropy needs {what} of known rank with a known last dimension "
        f"(got shape {x.shape})."
    )


def _outer_shape(x: Tensor) -> np.ndarray:
    """x.shape[:-1] as a reshape target (one unknown dimension may become -1)."""
    dims = x.shape.as_list()[:-1]
    if sum(d is None for d in dims) > 1:
        raise NotImplementedError(
            "teachflow's cross-entropy supports at most one unknown outer dimension "
            f"(got {x.shape})."
        )
    # int32 even when empty (a scalar loss): [] alone would convert to float32
    return np.array([-1 if d is None else d for d in dims], dtype=np.int32)


def softmax_cross_entropy_with_logits_v2(
    labels: Any, logits: Any, axis: Any = None, name: str | None = None, dim: Any = None
) -> Tensor:
    """Per-example -sum_j labels_j * log softmax(logits)_j; gradients flow into labels too.

    >>> import teachflow as tf
    >>> loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    >>> print(tf.Session().run(loss).round(4))
    [0.6931]
    """
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits") as scope:
        x = convert_to_tensor(logits, name="logits")
        z = convert_to_tensor(labels, name="labels")
        half = x.dtype.base_dtype == dtypes.float16
        if half:
            x = math_ops.cast(x, dtypes.float32)
        if z.dtype.base_dtype != x.dtype.base_dtype:
            z = math_ops.cast(z, x.dtype.base_dtype)
        if x.shape.ndims == 0:
            raise ValueError("logits must have at least one dimension (the classes).")
        ax = _resolve_axis(axis, dim)
        rank = x.shape.ndims
        if rank is not None and ax not in (-1, rank - 1):
            x, z = _swap_last(x, ax), _swap_last(z, ax)
        if x.shape.ndims is not None and z.shape.ndims is not None:
            if not x.shape.is_compatible_with(z.shape):
                raise ValueError(
                    f"logits and labels must have the same shape ({x.shape} vs {z.shape})"
                )
        op = registry.make(
            "SoftmaxCrossEntropyWithLogits",
            [_flat_outer(x, "logits"), _flat_outer(z, "labels")],
            {"T": x.dtype.base_dtype},
            scope,
        )
        target = np.array([-1], np.int32) if x.shape.ndims == 2 else _outer_shape(x)
        # TensorFlow's graph has the same three reshapes: Reshape, Reshape_1 and this Reshape_2
        loss = array_ops.reshape(op.outputs[0], target)
        return math_ops.cast(loss, dtypes.float16) if half else loss


def softmax_cross_entropy_with_logits(
    _sentinel: Any = None,
    labels: Any = None,
    logits: Any = None,
    dim: int = -1,
    name: str | None = None,
    axis: Any = None,
) -> Tensor:
    """1.x softmax cross-entropy: like the v2 op, but no gradient flows into ``labels``.

    Call it with named arguments (the 0.x order was ``(logits, labels)``).

    >>> import teachflow as tf
    >>> loss = tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    >>> loss.op.name
    'softmax_cross_entropy_with_logits_sg/Reshape_2'
    """
    _named_only("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits_sg") as scope:
        from teachflow.gradients import stop_gradient

        labels = stop_gradient(labels, name="labels_stop_gradient")
    ax = axis if axis is not None else dim
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=ax, name=scope)


def sparse_softmax_cross_entropy_with_logits(
    _sentinel: Any = None, labels: Any = None, logits: Any = None, name: str | None = None
) -> Tensor:
    """Per-example -log softmax(logits)[label] for integer class ``labels``.

    >>> import teachflow as tf
    >>> loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[0.0, 0.0]])
    >>> print(tf.Session().run(loss).round(4))
    [0.6931]
    """
    _named_only("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "SparseSoftmaxCrossEntropyWithLogits"):
        z = convert_to_tensor(labels)
        x = convert_to_tensor(logits)
        half = x.dtype.base_dtype == dtypes.float16
        if half:
            x = math_ops.cast(x, dtypes.float32)
        ls, xs = z.shape, x.shape
        if ls.ndims is not None and xs.ndims is not None:
            if ls.ndims != xs.ndims - 1:
                raise ValueError(
                    f"Rank mismatch: Rank of labels (received {ls.ndims}) should equal rank of "
                    f"logits minus 1 (received {xs.ndims})."
                )
            if not xs[:-1].is_compatible_with(ls):
                raise ValueError(
                    f"Shape mismatch: The shape of labels (received {ls}) should equal the "
                    f"shape of logits except for the last dimension (received {xs})."
                )
        flat = xs.ndims != 2
        op = registry.make(
            "SparseSoftmaxCrossEntropyWithLogits",
            [_flat_outer(x, "logits"), array_ops.reshape(z, [-1])] if flat else [x, z],
            {"T": x.dtype.base_dtype, "Tlabels": z.dtype.base_dtype},
            name or "SparseSoftmaxCrossEntropyWithLogits",
        )
        out = array_ops.reshape(op.outputs[0], _outer_shape(x)) if flat else op.outputs[0]
        return math_ops.cast(out, dtypes.float16) if half else out


def sigmoid_cross_entropy_with_logits(
    _sentinel: Any = None, labels: Any = None, logits: Any = None, name: str | None = None
) -> Tensor:
    """Elementwise logistic loss: f(x, z) = max(x, 0) - x * z + ln(1 + e^-|x|).

    >>> import teachflow as tf
    >>> loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[0.0])
    >>> print(tf.Session().run(loss).round(4))
    [0.6931]
    """
    _named_only("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "logistic_loss") as scope:
        x = convert_to_tensor(logits, name="logits")
        z = convert_to_tensor(labels, name="labels")
        if not x.shape.is_compatible_with(z.shape):
            raise ValueError(f"logits and labels must have the same shape ({x.shape} vs {z.shape})")
        zeros = array_ops.zeros_like(x, dtype=x.dtype)
        cond = x >= zeros
        relu_logits = array_ops.where(cond, x, zeros)
        neg_abs_logits = array_ops.where(cond, -x, x)
        return math_ops.add(
            relu_logits - x * z, math_ops.log1p(math_ops.exp(neg_abs_logits)), name=scope
        )


# -- l2_loss, bias_add ---------------------------------------------------------------------------


def _l2_loss_infer(op: Operation) -> OutSpec:
    return [(_check(op, 0, "t", "float"), TensorShape([]))]


def _l2_loss_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [op.inputs[0] * grad]


@registry.define("L2Loss", infer=_l2_loss_infer, grad=_l2_loss_grad)
def _l2_loss_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = sum(x^2) / 2"""
    return np.asarray(np.sum(np.square(_work_dtype(x))) / 2, dtype=x.dtype)


def l2_loss(t: Any, name: str | None = None) -> Tensor:
    """Half the squared L2 norm: f(t) = sum(t^2) / 2.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.nn.l2_loss([1.0, 2.0])))
    2.5
    """
    g = registry.graph_for([t])
    with g.as_default(), g.name_scope(name or "L2Loss") as scope:
        x = convert_to_tensor(t, name="t")
        return _make("L2Loss", [x], scope)


def _channel_axis(data_format: str, rank: int) -> int:
    return 1 if data_format.startswith("NC") and rank > 2 else rank - 1


def _bias_add_infer(op: Operation) -> OutSpec:
    dt = _check(op, 0, "value", "real")
    value = _at_least_rank(op, 0, 2)
    bias = _rank_is(op, 1, 1)
    if op.inputs[1].dtype.base_dtype != dt:
        raise TypeError(
            f"Input 'bias' of 'BiasAdd' Op has type {op.inputs[1].dtype.base_dtype.name} that "
            f"does not match type {dt.name} of argument 'value'."
        )
    if value.ndims is None:
        return [(dt, value)]
    dims = value.as_list()
    ax = _channel_axis(op.attrs["data_format"], len(dims))
    b = bias[0].value
    if dims[ax] is not None and b is not None and dims[ax] != b:
        raise registry.shape_error(op, f"Dimensions must be equal, but are {dims[ax]} and {b}")
    if dims[ax] is None:
        dims[ax] = b
    return [(dt, TensorShape(dims))]


def _bias_add_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    fmt = op.attrs["data_format"]
    return [grad, _make("BiasAddGrad", [grad], "BiasAddGrad", data_format=fmt)]


@registry.define("BiasAdd", infer=_bias_add_infer, grad=_bias_add_grad, ctx=True)
def _bias_add_kernel(
    ctx: registry.KernelContext, value: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """f(v, b) = v + b, b added along the channel (last, or NCHW's second) dimension"""
    ax = _channel_axis(ctx.attrs["data_format"], value.ndim)
    if value.shape[ax] != bias.shape[0]:
        raise ValueError(
            "Must provide as many biases as the last dimension of the input tensor: "
            f"[{bias.shape[0]}] vs. [{','.join(str(d) for d in value.shape)}]"
        )
    shape = [1] * value.ndim
    shape[ax] = bias.shape[0]
    return value + bias.reshape(shape)  # type: ignore[no-any-return]


def _bias_add_grad_infer(op: Operation) -> OutSpec:
    dt = _check(op, 0, "out_backprop", "real")
    shape = _at_least_rank(op, 0, 2)
    if shape.ndims is None:
        return [(dt, TensorShape([None]))]
    ax = _channel_axis(op.attrs["data_format"], shape.ndims)
    return [(dt, TensorShape([shape[ax].value]))]


def _bias_add_grad_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    x = op.inputs[0]
    rank = x.shape.ndims
    if rank is not None and _channel_axis(op.attrs["data_format"], rank) != rank - 1:
        grad = array_ops.reshape(grad, [-1] + [1] * (rank - 2))
    return [grad * array_ops.ones_like(x)]


@registry.define("BiasAddGrad", infer=_bias_add_grad_infer, grad=_bias_add_grad_grad, ctx=True)
def _bias_add_grad_kernel(ctx: registry.KernelContext, gy: np.ndarray) -> np.ndarray:
    """f(gy) = gy summed over every dimension but the channel one"""
    ax = _channel_axis(ctx.attrs["data_format"], gy.ndim)
    others = tuple(i for i in range(gy.ndim) if i != ax)
    return np.sum(gy, axis=others).astype(gy.dtype, copy=False)  # type: ignore[no-any-return]


def bias_add(
    value: Any, bias: Any, data_format: str | None = None, name: str | None = None
) -> Tensor:
    """Adds the 1-D ``bias`` along the last dimension of ``value`` (NCHW: the second).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.bias_add([[1.0, 2.0]], [10.0, 20.0])).tolist()
    [[11.0, 22.0]]
    """
    fmt = data_format or "NHWC"
    if fmt not in ("NHWC", "NCHW", "N..C", "NC.."):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}.")
    fmt = "NHWC" if fmt == "N..C" else "NCHW" if fmt == "NC.." else fmt
    g = registry.graph_for([value, bias])
    with g.as_default(), g.name_scope(name or "BiasAdd") as scope:
        v = convert_to_tensor(value, name="input")
        b = convert_to_tensor(bias, dtype=v.dtype.base_dtype, name="bias")
        return _make("BiasAdd", [v, b], scope, data_format=fmt)


def xw_plus_b(x: Any, weights: Any, biases: Any, name: str | None = None) -> Tensor:
    """f(x, W, b) = x @ W + b, as ``bias_add(matmul(x, W), b)`` named ``xw_plus_b``.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.xw_plus_b([[1.0, 2.0]], [[1.0], [1.0]], [0.5])).tolist()
    [[3.5]]
    """
    g = registry.graph_for([x, weights, biases])
    with g.as_default(), g.name_scope(name or "xw_plus_b") as scope:
        xt = convert_to_tensor(x, name="x")
        w = convert_to_tensor(weights, name="weights")
        b = convert_to_tensor(biases, name="biases")
        return bias_add(math_ops.matmul(xt, w), b, name=scope)


# -- dropout -----------------------------------------------------------------------------------


def dropout(
    x: Any,
    keep_prob: Any = None,
    noise_shape: Any = None,
    seed: int | None = None,
    name: str | None = None,
    rate: Any = None,
) -> Tensor:
    """Keeps each element with probability ``keep_prob`` (= 1 - ``rate``), scaled by 1/keep_prob.

    The expected value of every element is unchanged. The graph is TensorFlow 1.x's:
    ``floor(keep_prob + uniform[0, 1))`` is 1 with probability keep_prob, and
    ``x / keep_prob * that`` is the result. ``seed`` follows ``tf.set_random_seed``'s rules.

    >>> import teachflow as tf
    >>> y = tf.nn.dropout(tf.ones([1000]), keep_prob=0.5, seed=1)
    >>> print(y)
    Tensor("dropout/mul:0", shape=(1000,), dtype=float32)
    >>> sorted(set(tf.Session().run(y).tolist()))
    [0.0, 2.0]
    """
    from teachflow.ops import random_ops

    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'.")
    if keep_prob is None and rate is None:
        raise ValueError("dropout needs `keep_prob` (1.x) or `rate` (the fraction to drop).")
    if isinstance(keep_prob, numbers.Real) and not 0 < float(keep_prob) <= 1:
        raise ValueError(
            f"keep_prob must be a scalar tensor or a float in the range (0, 1], got {keep_prob}"
        )
    if isinstance(rate, numbers.Real) and not 0 <= float(rate) < 1:
        raise ValueError(
            f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: "
            f"rate={float(rate)}"
        )
    g = registry.graph_for([x, keep_prob, rate])
    with g.as_default(), g.name_scope(name or "dropout"):
        xt = convert_to_tensor(x, name="x")
        dt = xt.dtype.base_dtype
        if not dt.is_floating:
            raise ValueError(
                f"x has to be a floating point tensor since it's going to be scaled. Got a "
                f"{dt.name} tensor instead."
            )
        if keep_prob is None:
            keep_prob = (
                1 - rate
                if isinstance(rate, numbers.Real)
                else math_ops.subtract(
                    constant(1, dtype=dt), convert_to_tensor(rate, dtype=dt, name="rate")
                )
            )
        keep = convert_to_tensor(keep_prob, dtype=dt, name="keep_prob")
        if keep.shape.ndims not in (None, 0):
            raise ValueError(f"keep_prob must be a scalar, got shape {keep.shape}.")
        known = registry.constant_value(keep)
        if known is not None and float(known) == 1:
            return xt
        shape = array_ops.shape(xt) if noise_shape is None else _noise_shape(xt, noise_shape)
        # floor(keep + u) is 1 exactly when u >= 1 - keep: that is, with probability keep
        random_tensor = keep + random_ops.random_uniform(shape, seed=seed, dtype=dt)
        binary = math_ops.floor(random_tensor)
        out = math_ops.div(xt, keep) * binary
        out.set_shape(xt.shape)
        return out


def _noise_shape(x: Tensor, noise_shape: Any) -> Any:
    """``noise_shape`` with None entries taken from ``x``'s static shape."""
    if isinstance(noise_shape, Tensor):
        return noise_shape
    dims = list(TensorShape(noise_shape).as_list())
    xs = x.shape.as_list() if x.shape.ndims == len(dims) else [None] * len(dims)
    for i, d in enumerate(dims):
        if d is None:
            if xs[i] is None:
                raise NotImplementedError(
                    "dropout's noise_shape may only leave dimensions that x knows statically "
                    "as None in teachflow."
                )
            dims[i] = xs[i]
    return dims


# -- moments, zero_fraction, l2_normalize -----------------------------------------------------


def moments(
    x: Any,
    axes: Any,
    shift: Any = None,
    name: str | None = None,
    keep_dims: bool | None = None,
    keepdims: bool | None = None,
) -> tuple[Tensor, Tensor]:
    """Mean and variance of ``x`` over ``axes`` (variance = mean((x - mean)^2)).

    >>> import teachflow as tf
    >>> mean, var = tf.nn.moments(tf.constant([1.0, 2.0, 3.0, 4.0]), axes=[0])
    >>> [float(v) for v in tf.Session().run([mean, var])]
    [2.5, 1.25]
    """
    keep = bool(keepdims if keepdims is not None else keep_dims)
    from teachflow.gradients import stop_gradient

    g = registry.graph_for([x])
    with g.as_default(), g.name_scope(name or "moments"):
        xt = convert_to_tensor(x, name="x")
        y = math_ops.cast(xt, dtypes.float32) if xt.dtype == dtypes.float16 else xt
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(
            math_ops.squared_difference(y, stop_gradient(mean)),
            axes,
            keepdims=True,
            name="variance",
        )
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if xt.dtype == dtypes.float16:
            return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
        return mean, variance


def zero_fraction(value: Any, name: str | None = None) -> Tensor:
    """The fraction of zeros in ``value``, as float32 (used for sparsity summaries).

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.nn.zero_fraction([0.0, 1.0, 0.0, 3.0])))
    0.5
    """
    g = registry.graph_for([value])
    with g.as_default(), g.name_scope(name or "zero_fraction"):
        v = convert_to_tensor(value, name="value")
        size = array_ops.size(v, out_type=dtypes.int64)
        with g.name_scope("count_nonzero"):
            nonzero = math_ops.not_equal(v, constant(0, dtype=v.dtype.base_dtype, name="zeros"))
            count = math_ops.reduce_sum(math_ops.cast(nonzero, dtypes.int64), name="nonzero_count")
        with g.name_scope("counts_to_fraction"):
            zeros = math_ops.subtract(size, count, name="sub")
            fraction = math_ops.truediv(
                math_ops.cast(zeros, dtypes.float32), math_ops.cast(size, dtypes.float32)
            )
        return array_ops.identity(fraction, name="fraction")


def l2_normalize(
    x: Any,
    axis: Any = None,
    epsilon: float = 1e-12,
    name: str | None = None,
    dim: Any = None,
) -> Tensor:
    """f(x) = x / sqrt(max(sum(x^2, axis), epsilon)).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.l2_normalize([3.0, 4.0], axis=0)).tolist()
    [0.6000000238418579, 0.800000011920929]
    """
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    ax = axis if axis is not None else dim
    g = registry.graph_for([x])
    with g.as_default(), g.name_scope(name or "l2_normalize") as scope:
        xt = convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(xt), ax, keepdims=True)
        inv = math_ops.rsqrt(math_ops.maximum(square_sum, constant(epsilon, dtype=xt.dtype)))
        return math_ops.multiply(xt, inv, name=scope)
