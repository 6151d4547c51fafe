"""nn functions built from other ops (no op type of their own): dropout, moments,
zero_fraction, l2_normalize.

>>> import teachflow as tf
>>> mean, var = tf.nn.moments(tf.constant([[1.0, 3.0], [5.0, 7.0]]), axes=[0])
>>> tf.Session().run([mean, var])[1].tolist()
[4.0, 4.0]
"""

from __future__ import annotations

import numbers
from typing import Any

from teachflow import dtypes
from teachflow.graph import Tensor
from teachflow.ops import array_ops, cast_ops, math_ops, reduction_ops, registry
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.tensor_shape import TensorShape

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
            # TensorFlow still takes a seed here, so later ops draw the same streams
            random_ops.get_seed(seed)
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
        y = cast_ops.cast(xt, dtypes.float32) if xt.dtype == dtypes.float16 else xt
        mean = reduction_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = reduction_ops.reduce_mean(
            math_ops.squared_difference(y, stop_gradient(mean)),
            axes,
            keepdims=True,
            name="variance",
        )
        if not keep:
            mean = array_ops.squeeze(mean, axes)
            variance = array_ops.squeeze(variance, axes)
        if xt.dtype == dtypes.float16:
            return cast_ops.cast(mean, dtypes.float16), cast_ops.cast(variance, dtypes.float16)
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
            count = reduction_ops.reduce_sum(
                cast_ops.cast(nonzero, dtypes.int64), name="nonzero_count"
            )
        with g.name_scope("counts_to_fraction"):
            zeros = math_ops.subtract(size, count, name="sub")
            fraction = math_ops.truediv(
                cast_ops.cast(zeros, dtypes.float32), cast_ops.cast(size, dtypes.float32)
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
        square_sum = reduction_ops.reduce_sum(math_ops.square(xt), ax, keepdims=True)
        inv = math_ops.rsqrt(math_ops.maximum(square_sum, constant(epsilon, dtype=xt.dtype)))
        return math_ops.multiply(xt, inv, name=scope)
