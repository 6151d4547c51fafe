"""``tf.layers.conv2d``, ``max_pooling2d`` and ``average_pooling2d`` (and their classes).

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None, 28, 28, 1])
>>> h = tf.layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)
>>> p = tf.layers.max_pooling2d(h, 2, 2)
>>> print(h.name, p.name, p.shape)
conv2d/Relu:0 max_pooling2d/MaxPool:0 (?, 14, 14, 32)
>>> tf.trainable_variables()[0]
<tf.Variable 'conv2d/kernel:0' shape=(5, 5, 1, 32) dtype=float32_ref>
"""

from __future__ import annotations

import numbers
from typing import Any

from teachflow.graph import Tensor
from teachflow.init_ops import zeros_initializer
from teachflow.layers.base import Layer, activation_fn, initializer_arg
from teachflow.tensor_shape import TensorShape


def _pair(value: Any, what: str) -> tuple[int, int]:
    """An int or a pair of ints, as Keras' ``normalize_tuple``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value), int(value))
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError(
            f"The `{what}` argument must be a tuple of 2 integers. Received: {value}"
        ) from None
    if len(items) != 2 or not all(
        isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in items
    ):
        raise ValueError(f"The `{what}` argument must be a tuple of 2 integers. Received: {value}")
    return (int(items[0]), int(items[1]))


def _padding(padding: Any) -> str:
    p = str(padding).upper()
    if p not in ("VALID", "SAME"):
        raise ValueError(
            'The `padding` argument must be a list/tuple or one of "valid", "same" (or '
            f'"causal", only for `Conv1D). Received: {padding}'
        )
    return p


def _data_format(data_format: Any) -> str:
    fmt = (data_format or "channels_last").lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". '
            f"Received: {data_format}"
        )
    return fmt


class Conv2D(Layer):
    """2-D convolution: kernel ``(kh, kw, in_channels, filters)`` (Glorot uniform), bias zeros."""

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate: Any = (1, 1),
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = None,
        bias_initializer: Any = None,
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        if not isinstance(filters, numbers.Integral) or filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters: Any = int(filters)
        self.kernel_size: Any = _pair(kernel_size, "kernel_size")
        self.strides: Any = _pair(strides, "strides")
        self.padding: Any = _padding(padding)
        self.data_format: Any = _data_format(data_format)
        self.dilation_rate: Any = _pair(dilation_rate, "dilation_rate")
        self.activation: Any = activation_fn(activation)
        self.use_bias: Any = use_bias
        self.kernel_initializer: Any = initializer_arg(kernel_initializer)
        self.bias_initializer: Any = initializer_arg(bias_initializer) or zeros_initializer()
        self.kernel_regularizer: Any = kernel_regularizer
        self.bias_regularizer: Any = bias_regularizer
        self.kernel_constraint: Any = kernel_constraint
        self.bias_constraint: Any = bias_constraint
        self.kernel: Any = None
        self.bias: Any = None

    def build(self, input_shape: TensorShape) -> None:
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is not None and input_shape.ndims != 4:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"min_ndim=4, found ndim={input_shape.ndims}. Full shape received: "
                f"{tuple(input_shape.as_list())}"
            )
        axis = 1 if self.data_format == "channels_first" else -1
        channels = input_shape.as_list()[axis] if input_shape.ndims else None
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape received "
                f"is {input_shape}, where axis {axis} (0-based) is the channel dimension, which "
                "found to be `None`."
            )
        self.kernel = self.add_weight(
            "kernel",
            [*self.kernel_size, channels, self.filters],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                [self.filters],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs: Tensor) -> Tensor:  # type: ignore[override]
        from teachflow.ops.conv_ops import conv2d as nn_conv2d
        from teachflow.ops.nn_ops import bias_add

        fmt = "NCHW" if self.data_format == "channels_first" else "NHWC"
        inputs = self._cast_inputs(inputs)
        outputs = nn_conv2d(
            inputs,
            self.kernel,
            strides=list(self.strides),
            padding=self.padding,
            data_format=fmt,
            dilations=list(self.dilation_rate),
            name="Conv2D",
        )
        if self.use_bias:
            outputs = bias_add(outputs, self.bias, data_format=fmt)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs


def conv2d(
    inputs: Any,
    filters: int,
    kernel_size: Any,
    strides: Any = (1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: Any = (1, 1),
    activation: Any = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = None,
    kernel_regularizer: Any = None,
    bias_regularizer: Any = None,
    activity_regularizer: Any = None,
    kernel_constraint: Any = None,
    bias_constraint: Any = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> Tensor:
    """A 2-D convolution layer: ``activation(conv2d(inputs, kernel) + bias)``.

    Args:
      filters: the number of output channels.
      kernel_size: an int or ``(height, width)``.
      strides: an int or ``(sh, sw)``.
      padding: ``"valid"`` (default) or ``"same"`` (case-insensitive).
      name, reuse: as for :func:`dense`.

    >>> import teachflow as tf
    >>> tf.layers.conv2d(tf.zeros([1, 8, 8, 3]), 4, [3, 3]).shape.as_list()
    [1, 6, 6, 4]
    """
    layer = Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _reuse=reuse,
        _scope=name,
    )
    return layer(inputs)  # type: ignore[no-any-return]


class _Pooling2D(Layer):
    _op = ""

    def __init__(
        self,
        pool_size: Any,
        strides: Any,
        padding: str = "valid",
        data_format: str = "channels_last",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.pool_size: Any = _pair(pool_size, "pool_size")
        self.strides: Any = _pair(strides, "strides")
        self.padding: Any = _padding(padding)
        self.data_format: Any = _data_format(data_format)

    def call(self, inputs: Tensor) -> Tensor:  # type: ignore[override]
        from teachflow.ops import pool_ops

        if self.data_format == "channels_first":
            ksize, strides, fmt = [1, 1, *self.pool_size], [1, 1, *self.strides], "NCHW"
        else:
            ksize, strides, fmt = [1, *self.pool_size, 1], [1, *self.strides, 1], "NHWC"
        pool = pool_ops.max_pool if self._op == "MaxPool" else pool_ops.avg_pool
        return pool(inputs, ksize=ksize, strides=strides, padding=self.padding, data_format=fmt)


class MaxPooling2D(_Pooling2D):
    """The maximum over each ``pool_size`` window."""

    _op = "MaxPool"


class AveragePooling2D(_Pooling2D):
    """The mean over each ``pool_size`` window."""

    _op = "AvgPool"


def max_pooling2d(
    inputs: Any,
    pool_size: Any,
    strides: Any,
    padding: str = "valid",
    data_format: str = "channels_last",
    name: str | None = None,
) -> Tensor:
    """Max pooling over ``pool_size`` windows moved by ``strides``.

    >>> import teachflow as tf
    >>> tf.layers.max_pooling2d(tf.zeros([1, 4, 4, 1]), 2, 2).shape.as_list()
    [1, 2, 2, 1]
    """
    return MaxPooling2D(pool_size, strides, padding, data_format, name=name)(inputs)  # type: ignore[no-any-return]


def average_pooling2d(
    inputs: Any,
    pool_size: Any,
    strides: Any,
    padding: str = "valid",
    data_format: str = "channels_last",
    name: str | None = None,
) -> Tensor:
    """Average pooling over ``pool_size`` windows moved by ``strides``.

    >>> import teachflow as tf
    >>> tf.layers.average_pooling2d(tf.zeros([1, 4, 4, 1]), 2, 2).shape.as_list()
    [1, 2, 2, 1]
    """
    layer = AveragePooling2D(pool_size, strides, padding, data_format, name=name)
    return layer(inputs)  # type: ignore[no-any-return]
