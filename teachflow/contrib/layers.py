"""``tf.contrib.layers``: the initializers, layers and regularizers of TensorFlow 1.x tutorials.

Variables are named as contrib named them: ``fully_connected/weights``, ``fully_connected/biases``,
``Conv/weights``...; they are also in ``GraphKeys.MODEL_VARIABLES``.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None, 4])
>>> W = tf.get_variable("W", [4, 3], initializer=tf.contrib.layers.xavier_initializer())
>>> h = tf.contrib.layers.fully_connected(x, 8)
>>> print(h.name, [v.name for v in tf.model_variables()])
fully_connected/Relu:0 ['fully_connected/weights:0', 'fully_connected/biases:0']
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from teachflow import dtypes
from teachflow.graph import GraphKeys, Tensor, get_default_graph
from teachflow.init_ops import Initializer, zeros_initializer
from teachflow.unsupported import UnsupportedFeatureError

# -- initializers -----------------------------------------------------------------------------


class _VarianceScaling(Initializer):
    """contrib's variance scaling: stddev sqrt(factor / n), n = fan_in, fan_out or their mean."""

    def __init__(self, factor: float, mode: str, uniform: bool, seed: Any, dtype: Any) -> None:
        self.factor = float(factor)
        self.mode = mode
        self.uniform = uniform
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype).base_dtype

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        from teachflow.ops import random_ops

        dt = dtypes.as_dtype(dtype if dtype is not None else self.dtype).base_dtype
        if not dt.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        dims = [int(d) for d in shape]
        if dims:
            fan_in = float(dims[-2]) if len(dims) > 1 else float(dims[-1])
            fan_out = float(dims[-1])
        else:
            fan_in = fan_out = 1.0
        for d in dims[:-2]:
            fan_in *= d
            fan_out *= d
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out}.get(self.mode, (fan_in + fan_out) / 2.0)
        if self.uniform:
            limit = math.sqrt(3.0 * self.factor / n)  # a uniform's stddev is limit / sqrt(3)
            return random_ops.random_uniform(dims, -limit, limit, dt, seed=self.seed)
        stddev = math.sqrt(1.3 * self.factor / n)  # truncation at 2 stddev shrinks it by ~1/1.3
        return random_ops.truncated_normal(dims, 0.0, stddev, dt, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "mode": self.mode,
            "uniform": self.uniform,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


def variance_scaling_initializer(
    factor: float = 2.0,
    mode: str = "FAN_IN",
    uniform: bool = False,
    seed: int | None = None,
    dtype: Any = dtypes.float32,
) -> Initializer:
    """Weights with variance ``factor / n`` (He et al. with the defaults: n = fan_in, factor 2).

    >>> import teachflow as tf
    >>> init = tf.contrib.layers.variance_scaling_initializer()
    >>> w = tf.Session().run(init([400, 300]))
    >>> round(float(w.std()) * 20) / 20   # sqrt(2 / 400) = 0.0707
    0.05
    """
    if not dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")
    return _VarianceScaling(factor, mode, uniform, seed, dtype)


def xavier_initializer(
    uniform: bool = True, seed: int | None = None, dtype: Any = dtypes.float32
) -> Initializer:
    """Glorot & Bengio's initializer: uniform on +-sqrt(6 / (fan_in + fan_out)) by default.

    >>> import teachflow as tf
    >>> w = tf.Session().run(tf.contrib.layers.xavier_initializer()([30, 20]))
    >>> bool(abs(w).max() <= (6 / 50) ** 0.5)
    True
    """
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed, dtype)


xavier_initializer_conv2d = xavier_initializer

# -- regularizers -----------------------------------------------------------------------------


def _scale_check(scale: Any, what: str) -> bool:
    """False for a zero scale (no regularization), as contrib's regularizers."""
    if isinstance(scale, numbers.Integral) and not isinstance(scale, bool):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        if scale == 0.0:
            return False
    return True


def l2_regularizer(scale: float, scope: str | None = None) -> Any:
    """``f(w) = scale * sum(w ** 2) / 2`` (``scale * tf.nn.l2_loss(w)``); None for scale 0.

    >>> import teachflow as tf
    >>> reg = tf.contrib.layers.l2_regularizer(0.1)
    >>> float(tf.Session().run(reg(tf.constant([1.0, 2.0]))))
    0.25
    """
    if not _scale_check(scale, "l2"):
        return lambda _: None

    def l2(weights: Any) -> Tensor:
        from teachflow.ops import nn_ops
        from teachflow.ops.constant_op import convert_to_tensor
        from teachflow.ops.math_ops import multiply

        with get_default_graph().name_scope(scope or "l2_regularizer") as name:
            s = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return multiply(s, nn_ops.l2_loss(weights), name=name)  # type: ignore[no-any-return]

    return l2


def l1_regularizer(scale: float, scope: str | None = None) -> Any:
    """``f(w) = scale * sum(|w|)``; None for scale 0."""
    if not _scale_check(scale, "l1"):
        return lambda _: None

    def l1(weights: Any) -> Tensor:
        from teachflow.ops.constant_op import convert_to_tensor
        from teachflow.ops.math_ops import abs as abs_
        from teachflow.ops.math_ops import multiply
        from teachflow.ops.reduction_ops import reduce_sum

        with get_default_graph().name_scope(scope or "l1_regularizer") as name:
            s = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return multiply(s, reduce_sum(abs_(weights)), name=name)  # type: ignore[no-any-return]

    return l1


def apply_regularization(regularizer: Any, weights_list: Any = None) -> Tensor:
    """The sum of ``regularizer(w)`` over ``weights_list`` (default: the WEIGHTS collection),
    also added to ``GraphKeys.REGULARIZATION_LOSSES``."""
    from teachflow.ops.matmul_ops import add_n

    g = get_default_graph()
    weights = list(g.get_collection(GraphKeys.WEIGHTS) if weights_list is None else weights_list)
    if not weights:
        raise ValueError("No weights to regularize.")
    with g.name_scope("get_regularization_penalty"):
        penalties = [p for p in (regularizer(w) for w in weights) if p is not None]
        if not penalties:
            from teachflow.ops.constant_op import constant

            return constant(0.0)  # type: ignore[no-any-return]
        total = add_n(penalties)
    g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, total)
    return total  # type: ignore[no-any-return]


# -- layers -----------------------------------------------------------------------------------


def _collect(collections: Any, name: str, value: Any) -> None:
    if collections is None:
        return
    keys = collections.get(name, []) if isinstance(collections, dict) else collections
    get_default_graph().add_to_collections(list(keys), value)


def _model_variable(
    name: str,
    shape: Any,
    dtype: Any,
    initializer: Any,
    regularizer: Any,
    trainable: bool,
    collections: Any,
) -> Any:
    from teachflow.variable_scope import get_variable

    extra = collections.get(name, []) if isinstance(collections, dict) else collections or []
    keys = [GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES, *extra]
    if name == "weights":
        keys.append(GraphKeys.WEIGHTS)
    elif name == "biases":
        keys.append(GraphKeys.BIASES)
    return get_variable(
        name,
        shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=list(dict.fromkeys(keys)),
    )


def _default_relu() -> Any:
    from teachflow.ops.activation_ops import relu

    return relu


_RELU: Any = object()  # stands for tf.nn.relu, contrib's default activation


def fully_connected(
    inputs: Any,
    num_outputs: int,
    activation_fn: Any = _RELU,
    normalizer_fn: Any = None,
    normalizer_params: Any = None,
    weights_initializer: Any = None,
    weights_regularizer: Any = None,
    biases_initializer: Any = _RELU,
    biases_regularizer: Any = None,
    reuse: Any = None,
    variables_collections: Any = None,
    outputs_collections: Any = None,
    trainable: bool = True,
    scope: Any = None,
) -> Tensor:
    """``activation_fn(inputs @ weights + biases)``; ReLU and Xavier weights by default.

    Args:
      num_outputs: the number of units.
      activation_fn: default ``tf.nn.relu``; None for a linear layer.
      weights_initializer: default ``xavier_initializer()``; biases start at zeros.
      scope: the variable scope (default ``fully_connected``, ``fully_connected_1``...).

    >>> import teachflow as tf
    >>> y = tf.contrib.layers.fully_connected(tf.ones([2, 3]), 4, activation_fn=None)
    >>> print(y.name, y.shape)
    fully_connected/BiasAdd:0 (2, 4)
    """
    from teachflow.layers.core import _tensordot_last
    from teachflow.ops.constant_op import convert_to_tensor
    from teachflow.ops.matmul_ops import matmul
    from teachflow.ops.nn_ops import bias_add
    from teachflow.variable_scope import variable_scope

    if not isinstance(num_outputs, numbers.Integral) or isinstance(num_outputs, bool):
        raise ValueError(
            f"num_outputs type should be one of [<class 'int'>], got {type(num_outputs)}."
        )
    activation_fn = _default_relu() if activation_fn is _RELU else activation_fn
    biases_initializer = zeros_initializer() if biases_initializer is _RELU else biases_initializer
    weights_initializer = weights_initializer or xavier_initializer()
    with variable_scope(scope, default_name="fully_connected", values=[inputs], reuse=reuse) as sc:
        x = convert_to_tensor(inputs)
        last = x.shape.as_list()[-1] if x.shape.ndims else None
        if last is None:
            raise ValueError(
                "The last dimension of the inputs to `Dense` should be defined. Found `None`."
            )
        dt = x.dtype.base_dtype
        w = _model_variable(
            "weights",
            [last, num_outputs],
            dt,
            weights_initializer,
            weights_regularizer,
            trainable,
            variables_collections,
        )
        out = matmul(x, w) if x.shape.ndims == 2 else _tensordot_last(x, w)
        if normalizer_fn is not None:
            out = normalizer_fn(out, **(normalizer_params or {}))
        elif biases_initializer is not None:
            b = _model_variable(
                "biases",
                [num_outputs],
                dt,
                biases_initializer,
                biases_regularizer,
                trainable,
                variables_collections,
            )
            out = bias_add(out, b)
        if activation_fn is not None:
            out = activation_fn(out)
        _collect(outputs_collections, sc.name, out)
        return out  # type: ignore[no-any-return]


def conv2d(
    inputs: Any,
    num_outputs: int,
    kernel_size: Any,
    stride: Any = 1,
    padding: str = "SAME",
    data_format: Any = None,
    rate: Any = 1,
    activation_fn: Any = _RELU,
    normalizer_fn: Any = None,
    normalizer_params: Any = None,
    weights_initializer: Any = None,
    weights_regularizer: Any = None,
    biases_initializer: Any = _RELU,
    biases_regularizer: Any = None,
    reuse: Any = None,
    variables_collections: Any = None,
    outputs_collections: Any = None,
    trainable: bool = True,
    scope: Any = None,
) -> Tensor:
    """A convolution layer (``Conv/weights``, ``Conv/biases``): SAME padding and ReLU by default.

    >>> import teachflow as tf
    >>> y = tf.contrib.layers.conv2d(tf.zeros([1, 8, 8, 3]), 4, [3, 3])
    >>> print(y.name, y.shape)
    Conv/Relu:0 (1, 8, 8, 4)
    """
    from teachflow.layers.convolutional import _pair
    from teachflow.ops.conv_ops import conv2d as nn_conv2d
    from teachflow.ops.nn_ops import bias_add
    from teachflow.variable_scope import variable_scope

    fmt = data_format or "NHWC"
    if fmt not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    activation_fn = _default_relu() if activation_fn is _RELU else activation_fn
    biases_initializer = zeros_initializer() if biases_initializer is _RELU else biases_initializer
    weights_initializer = weights_initializer or xavier_initializer()
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(stride, "strides")
    rh, rw = _pair(rate, "dilation_rate")
    with variable_scope(scope, default_name="Conv", values=[inputs], reuse=reuse) as sc:
        from teachflow.ops.constant_op import convert_to_tensor

        x = convert_to_tensor(inputs)
        if x.shape.ndims != 4:
            raise ValueError(f"Convolution expects input with rank 4, got {x.shape.ndims}")
        channels = x.shape.as_list()[1 if fmt == "NCHW" else 3]
        dt = x.dtype.base_dtype
        w = _model_variable(
            "weights",
            [kh, kw, channels, num_outputs],
            dt,
            weights_initializer,
            weights_regularizer,
            trainable,
            variables_collections,
        )
        out = nn_conv2d(
            x,
            w,
            strides=[sh, sw],
            padding=str(padding).upper(),
            data_format=fmt,
            dilations=[rh, rw],
            name="Conv2D",
        )
        if normalizer_fn is not None:
            out = normalizer_fn(out, **(normalizer_params or {}))
        elif biases_initializer is not None:
            b = _model_variable(
                "biases",
                [num_outputs],
                dt,
                biases_initializer,
                biases_regularizer,
                trainable,
                variables_collections,
            )
            out = bias_add(out, b, data_format=fmt)
        if activation_fn is not None:
            out = activation_fn(out)
        _collect(outputs_collections, sc.name, out)
        return out  # type: ignore[no-any-return]


convolution2d = conv2d


def _pool2d(
    op: str,
    scope_name: str,
    inputs: Any,
    kernel_size: Any,
    stride: Any,
    padding: str,
    data_format: str,
    scope: Any,
) -> Tensor:
    from teachflow.layers.convolutional import _pair
    from teachflow.ops import pool_ops

    kh, kw = _pair(kernel_size, "pool_size")
    sh, sw = _pair(stride, "strides")
    fmt = data_format or "NHWC"
    ksize = [1, 1, kh, kw] if fmt == "NCHW" else [1, kh, kw, 1]
    strides = [1, 1, sh, sw] if fmt == "NCHW" else [1, sh, sw, 1]
    pool = pool_ops.max_pool if op == "MaxPool" else pool_ops.avg_pool
    with get_default_graph().name_scope(scope or scope_name):
        return pool(inputs, ksize, strides, str(padding).upper(), data_format=fmt)  # type: ignore[no-any-return]


def max_pool2d(
    inputs: Any,
    kernel_size: Any,
    stride: Any = 2,
    padding: str = "VALID",
    data_format: str = "NHWC",
    outputs_collections: Any = None,
    scope: Any = None,
) -> Tensor:
    """Max pooling (scope ``MaxPool2D``); stride 2 and VALID padding by default.

    >>> import teachflow as tf
    >>> tf.contrib.layers.max_pool2d(tf.zeros([1, 4, 4, 1]), [2, 2]).shape.as_list()
    [1, 2, 2, 1]
    """
    return _pool2d("MaxPool", "MaxPool2D", inputs, kernel_size, stride, padding, data_format, scope)


def avg_pool2d(
    inputs: Any,
    kernel_size: Any,
    stride: Any = 2,
    padding: str = "VALID",
    data_format: str = "NHWC",
    outputs_collections: Any = None,
    scope: Any = None,
) -> Tensor:
    """Average pooling (scope ``AvgPool2D``); stride 2 and VALID padding by default."""
    return _pool2d("AvgPool", "AvgPool2D", inputs, kernel_size, stride, padding, data_format, scope)


def flatten(inputs: Any, outputs_collections: Any = None, scope: Any = None) -> Tensor:
    """Flattens all but the batch dimension (scope ``Flatten``).

    >>> import teachflow as tf
    >>> tf.contrib.layers.flatten(tf.zeros([2, 3, 4])).shape.as_list()
    [2, 12]
    """
    from teachflow.layers.core import flatten as layers_flatten

    with get_default_graph().name_scope(scope or "Flatten"):
        return layers_flatten(inputs)


def dropout(
    inputs: Any,
    keep_prob: float = 0.5,
    noise_shape: Any = None,
    is_training: Any = True,
    outputs_collections: Any = None,
    scope: Any = None,
    seed: Any = None,
) -> Tensor:
    """Dropout keeping ``keep_prob`` of the inputs while ``is_training`` (scope ``Dropout``)."""
    from teachflow.layers.core import dropout as layers_dropout

    with get_default_graph().name_scope(scope or "Dropout"):
        return layers_dropout(
            inputs, rate=1 - keep_prob, noise_shape=noise_shape, seed=seed, training=is_training
        )


_NOT_IMPLEMENTED = frozenset(
    """batch_norm layer_norm embed_sequence optimize_loss summarize_activations
    conv2d_transpose separable_conv2d one_hot_encoding repeat stack unit_norm
    sparse_column_with_hash_bucket real_valued_column embedding_column""".split()
)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise UnsupportedFeatureError(
        f"teachflow does not implement tf.contrib.layers.{name} (TensorFlow 1.x had it). Hint: "
        + (
            "use tf.layers.batch_normalization."
            if name == "batch_norm"
            else "see tf.layers, or use TensorFlow 1.x itself."
        )
    )
