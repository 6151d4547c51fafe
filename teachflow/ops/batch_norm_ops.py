"""Batch normalization: ``tf.nn.batch_normalization`` (plain ops) and the fused kernel
``FusedBatchNormV3`` that ``tf.layers.batch_normalization`` uses on 4-D inputs.

    y = scale * (x - mean) / sqrt(variance + epsilon) + offset

While training the fused op takes the batch's moments over N, H and W and also returns the
unbiased batch variance (n / (n - 1) times the biased one), which the moving average is fed.

>>> import teachflow as tf
>>> x = tf.constant([[1.0, 2.0], [3.0, 6.0]])
>>> mean, var = tf.nn.moments(x, [0])
>>> y = tf.nn.batch_normalization(x, mean, var, offset=None, scale=None, variance_epsilon=0.0)
>>> tf.Session().run(y).tolist()
[[-1.0, -1.0], [1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.nn_ops import OutSpec, check_dtype, rank_is
from teachflow.tensor_shape import TensorShape


def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    offset: Any,
    scale: Any,
    variance_epsilon: float,
    name: str | None = None,
) -> Tensor:
    """``scale * (x - mean) / sqrt(variance + variance_epsilon) + offset`` (TensorFlow's graph:
    ``inv = rsqrt(variance + eps) * scale; x * inv + (offset - mean * inv)``)."""
    from teachflow.ops.math_ops import rsqrt

    g = registry.graph_for([x, mean, variance, offset, scale])
    with g.as_default(), g.name_scope(name or "batchnorm"):
        x = convert_to_tensor(x, name="x")
        inv = rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        shift = offset - mean * inv if offset is not None else -mean * inv
        return x * inv + shift  # type: ignore[no-any-return]


# -- the fused kernel -------------------------------------------------------------------------


def _channels(op: Operation) -> int | None:
    x = rank_is(op, 0, 4)
    return x.as_list()[1 if op.attrs["data_format"] == "NCHW" else 3]


def _fused_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "x", "float")
    u = op.inputs[1].dtype.base_dtype
    c = _channels(op)
    for i in range(1, 5):
        shape = op.inputs[i].shape
        if shape.ndims is not None and shape.ndims != 1:
            raise registry.shape_error(op, f"Shape must be rank 1 but is rank {shape.ndims}")
        if op.attrs["is_training"] and i >= 3:
            continue  # mean and variance may be empty while training
        d = shape.as_list()[0] if shape.ndims else None
        if c is not None and d is not None and c != d:
            raise registry.shape_error(op, f"Dimensions must be equal, but are {c} and {d}")
    vec = TensorShape([c])
    return [
        (dt, op.inputs[0].shape),
        (u, vec),
        (u, vec),
        (u, vec),
        (u, vec),
        (u, TensorShape(None)),
    ]


def _nhwc(x: np.ndarray, fmt: str) -> np.ndarray:
    return np.moveaxis(x, 1, -1) if fmt == "NCHW" else x


def _back(y: np.ndarray, fmt: str) -> np.ndarray:
    return np.moveaxis(y, -1, 1) if fmt == "NCHW" else y


def _fused_grad(op: Operation, dy: Tensor, *unused: Any) -> list[Tensor | None]:
    attrs = {k: op.attrs[k] for k in ("T", "U", "epsilon", "data_format", "is_training")}
    # while training the kernel saved the batch's moments; in inference mode the moments are
    # the mean and variance it was given (TensorFlow's kernel leaves its reserve spaces unset)
    saved = (op.outputs[3], op.outputs[4]) if op.attrs["is_training"] else op.inputs[3:5]
    inputs = [dy, op.inputs[0], op.inputs[1], *saved, op.outputs[5]]
    grad = registry.make("FusedBatchNormGradV3", inputs, attrs, "FusedBatchNormGradV3")
    return [grad.outputs[0], grad.outputs[1], grad.outputs[2], None, None]


@registry.define("FusedBatchNormV3", infer=_fused_infer, grad=_fused_grad, ctx=True)
def _fused_kernel(
    ctx: registry.KernelContext, x: Any, scale: Any, offset: Any, mean: Any, variance: Any
) -> tuple[np.ndarray, ...]:
    """y = scale * (x - mean) / sqrt(variance + epsilon) + offset, per channel"""
    a = ctx.attrs
    fmt, eps = a["data_format"], float(a["epsilon"])
    u = np.dtype(a["U"].as_numpy_dtype)
    xs = _nhwc(x, fmt).astype(u)
    if xs.shape[-1] != scale.shape[0]:
        raise ValueError(
            f"scale must have the same number of elements as the channels of x, got "
            f"{scale.shape[0]} and {xs.shape[-1]}"
        )
    if a["is_training"]:
        axes = (0, 1, 2)
        m, v = xs.mean(axis=axes), xs.var(axis=axes)
        n = xs.size // max(xs.shape[-1], 1)
        unbiased = v * (n / max(n - 1, 1))
        f = float(a["exponential_avg_factor"])
        batch_mean = m if f == 1.0 else (1 - f) * mean + f * m
        batch_var = unbiased if f == 1.0 else (1 - f) * variance + f * unbiased
    else:
        m, v = mean.astype(u), variance.astype(u)
        batch_mean, batch_var = m, v
    y = (xs - m) / np.sqrt(v + eps) * scale + offset
    empty = np.zeros((0,), u)
    return (
        _back(y, fmt).astype(x.dtype, copy=False),
        np.asarray(batch_mean, u),
        np.asarray(batch_var, u),
        np.asarray(m, u),
        np.asarray(v, u),
        empty,
    )


def _fused_grad_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "y_backprop", "float")
    u = op.inputs[2].dtype.base_dtype
    c = TensorShape([_channels(op)])
    return [(dt, op.inputs[1].shape), (u, c), (u, c), (u, TensorShape([0])), (u, TensorShape([0]))]


def _no_second_derivative(op: Operation, *grads: Any) -> list[None]:
    raise LookupError(
        "teachflow does not take the second derivative of FusedBatchNormV3 (TensorFlow "
        "builds it from FusedBatchNormGradV3's own gradient)."
    )


@registry.define(
    "FusedBatchNormGradV3", infer=_fused_grad_infer, grad=_no_second_derivative, ctx=True
)
def _fused_grad_kernel(
    ctx: registry.KernelContext, dy: Any, x: Any, scale: Any, r1: Any, r2: Any, r3: Any
) -> tuple[np.ndarray, ...]:
    """dx = scale / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat)) while training"""
    a = ctx.attrs
    fmt, eps = a["data_format"], float(a["epsilon"])
    u = np.dtype(a["U"].as_numpy_dtype)
    g, xs = _nhwc(dy, fmt).astype(u), _nhwc(x, fmt).astype(u)
    inv = 1.0 / np.sqrt(r2.astype(u) + eps)
    xhat = (xs - r1) * inv
    axes = (0, 1, 2)
    d_offset = g.sum(axis=axes)
    d_scale = (g * xhat).sum(axis=axes)
    if a["is_training"]:
        n = xs.size // max(xs.shape[-1], 1)
        dx = scale * inv * (g - d_offset / n - xhat * d_scale / n)
    else:
        dx = g * scale * inv
    empty = np.zeros((0,), u)
    return _back(dx, fmt).astype(dy.dtype, copy=False), d_scale, d_offset, empty, empty


def fused_batch_norm(
    x: Any,
    scale: Any,
    offset: Any,
    mean: Any = None,
    variance: Any = None,
    epsilon: float = 0.001,
    data_format: str = "NHWC",
    is_training: bool = True,
    name: str | None = None,
    exponential_avg_factor: float = 1.0,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(y, batch_mean, batch_variance)`` of the fused kernel on a 4-D ``x``; while training,
    ``batch_variance`` is the unbiased variance.

    >>> import teachflow as tf
    >>> x = tf.constant([1.0, 3.0], shape=[2, 1, 1, 1])
    >>> y, m, v = tf.nn.fused_batch_norm(x, [1.0], [0.0])
    >>> [a.ravel().tolist() for a in tf.Session().run([y, m, v])]
    [[-0.9995..., 0.9995...], [2.0], [2.0]]
    """
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")
    g = registry.graph_for([x, scale, offset, mean, variance])
    with g.as_default(), g.name_scope(name or "FusedBatchNormV3") as scope:
        xt = convert_to_tensor(x, name="x")
        s = convert_to_tensor(scale, name="scale")
        o = convert_to_tensor(offset, name="offset")
        u = s.dtype.base_dtype
        if mean is None or variance is None:
            if not is_training:
                raise ValueError("mean and variance are required when is_training=False.")
            from teachflow.ops.constant_op import constant

            mean, variance = constant([], dtype=u), constant([], dtype=u)
        m = convert_to_tensor(mean, dtype=u, name="mean")
        v = convert_to_tensor(variance, dtype=u, name="variance")
        attrs = {
            "T": xt.dtype.base_dtype,
            "U": u,
            "epsilon": max(float(epsilon), 1.001e-5),
            "exponential_avg_factor": float(exponential_avg_factor),
            "data_format": data_format,
            "is_training": bool(is_training),
        }
        op = registry.make("FusedBatchNormV3", [xt, s, o, m, v], attrs, scope)
        return op.outputs[0], op.outputs[1], op.outputs[2]
