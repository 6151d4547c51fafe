"""``tf.layers.dense``, ``dropout`` and ``flatten`` and their classes, as TensorFlow 1.x has them.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None, 784])
>>> h = tf.layers.dense(x, 128, activation=tf.nn.relu)
>>> logits = tf.layers.dense(h, 10)
>>> print(h.name, logits.name)
dense/Relu:0 dense_1/BiasAdd:0
>>> [v.name for v in tf.trainable_variables()]
['dense/kernel:0', 'dense/bias:0', 'dense_1/kernel:0', 'dense_1/bias:0']
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from teachflow.graph import Tensor
from teachflow.init_ops import zeros_initializer
from teachflow.layers.base import Layer, activation_fn, initializer_arg
from teachflow.tensor_shape import TensorShape


class Dense(Layer):
    """``outputs = activation(inputs @ kernel + bias)``; kernel Glorot-uniform, bias zeros."""

    def __init__(
        self,
        units: int,
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
        if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer, got {units}."
            )
        self.units: Any = int(units)
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
        last = input_shape.as_list()[-1] if input_shape.ndims else None
        if last is None:
            raise ValueError(
                "The last dimension of the inputs to `Dense` should be defined. Found `None`."
            )
        self.kernel = self.add_weight(
            "kernel",
            [last, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                [self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs: Tensor) -> Tensor:  # type: ignore[override]
        from teachflow.ops.matmul_ops import matmul
        from teachflow.ops.nn_ops import bias_add

        inputs = self._cast_inputs(inputs)
        rank = inputs.shape.ndims
        if rank == 2 or rank is None:
            outputs = matmul(inputs, self.kernel)
        else:
            outputs = _tensordot_last(inputs, self.kernel)
            outputs.set_shape(inputs.shape.as_list()[:-1] + [self.units])
        if self.use_bias:
            outputs = bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs


def _tensordot_last(x: Tensor, kernel: Any) -> Tensor:
    """``tensordot(x, kernel, [[rank - 1], [0]])`` as TensorFlow builds it for a batch dimension
    known only at run time: gather the free and contracted sizes, transpose, reshape, MatMul,
    reshape back (the ``Tensordot`` scope)."""
    from teachflow.graph import get_default_graph
    from teachflow.ops import array_ops, concat_ops, gather_ops, reduction_ops, transpose_ops
    from teachflow.ops.constant_op import convert_to_tensor
    from teachflow.ops.matmul_ops import matmul
    from teachflow.ops.stack_ops import stack

    rank = x.shape.ndims or 0
    with get_default_graph().name_scope("Tensordot") as scope:
        axes = convert_to_tensor(np.array([rank - 1], np.int32), name="axes")
        free = convert_to_tensor(np.arange(rank - 1, dtype=np.int32), name="free")
        shape = array_ops.shape(x)
        free_dims = gather_ops.gather(shape, free)
        axes_dims = gather_ops.gather(shape, axes)
        prod_free = reduction_ops.reduce_prod(free_dims)
        prod_axes = reduction_ops.reduce_prod(axes_dims)
        perm = concat_ops.concat([free, axes], 0)
        new_shape = stack([prod_free, prod_axes])
        flat = array_ops.reshape(transpose_ops.transpose(x, perm), new_shape)
        product = matmul(flat, kernel)
        units = convert_to_tensor(np.array(kernel.shape.as_list()[1:], np.int32))
        return array_ops.reshape(product, concat_ops.concat([free_dims, units], 0), name=scope)


def dense(
    inputs: Any,
    units: int,
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
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
      inputs: a tensor whose last dimension is known.
      units: the number of outputs.
      activation: e.g. ``tf.nn.relu``; None for a linear layer.
      kernel_initializer: default Glorot uniform; the bias starts at zeros.
      kernel_regularizer: ``f(kernel)`` added to ``GraphKeys.REGULARIZATION_LOSSES``.
      name: the variable scope (default ``dense``, ``dense_1``...).
      reuse: True to share the variables of an earlier layer of the same ``name``.

    >>> import teachflow as tf
    >>> y = tf.layers.dense(tf.ones([2, 3]), 4, name="out")
    >>> y.shape.as_list(), [v.name for v in tf.global_variables()]
    ([2, 4], ['out/kernel:0', 'out/bias:0'])
    """
    layer = Dense(
        units,
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


class Dropout(Layer):
    """Drops a fraction ``rate`` of the inputs while ``training``; the rest scale by 1/(1-rate)."""

    def __init__(
        self,
        rate: float = 0.5,
        noise_shape: Any = None,
        seed: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.rate: Any = rate
        self.noise_shape: Any = noise_shape
        self.seed: Any = seed

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:  # type: ignore[override]
        from teachflow.ops.array_ops import identity
        from teachflow.ops.nn_composites import dropout as nn_dropout

        return smart_cond(  # type: ignore[no-any-return]
            training,
            lambda: nn_dropout(
                inputs, noise_shape=self.noise_shape, seed=self.seed, rate=self.rate
            ),
            lambda: identity(inputs),
        )


def dropout(
    inputs: Any,
    rate: float = 0.5,
    noise_shape: Any = None,
    seed: int | None = None,
    training: Any = False,
    name: str | None = None,
) -> Tensor:
    """Dropout that is on only while ``training`` (a Python bool or a boolean tensor).

    Note ``rate`` is the fraction DROPPED (``tf.nn.dropout``'s 1.x argument is ``keep_prob``).

    >>> import teachflow as tf
    >>> x = tf.ones([2, 3])
    >>> print(tf.layers.dropout(x, rate=0.5, training=False).name)
    dropout/Identity:0
    """
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(  # type: ignore[no-any-return]
        inputs, training=training
    )


class Flatten(Layer):
    """Reshapes ``(batch, d1, d2, ...)`` to ``(batch, d1*d2*...)``."""

    def __init__(self, data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.data_format: Any = data_format or "channels_last"

    def call(self, inputs: Tensor) -> Tensor:  # type: ignore[override]
        from teachflow.ops import array_ops, transpose_ops
        from teachflow.ops.constant_op import constant

        shape = inputs.shape
        if shape.ndims is None:
            raise ValueError("The rank of the inputs to `Flatten` must be known.")
        if shape.ndims == 0:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                "min_ndim=1, found ndim=0. Full shape received: ()"
            )
        if self.data_format == "channels_first" and shape.ndims > 2:
            perm = [0, *range(2, shape.ndims), 1]
            inputs = transpose_ops.transpose(inputs, perm)
            shape = inputs.shape
        if shape.ndims == 1:
            return array_ops.expand_dims(inputs, 1)
        batch, *rest = shape.as_list()
        if all(d is not None for d in rest):
            size = int(np.prod([int(d or 0) for d in rest]))
            return array_ops.reshape(inputs, constant([-1, size]))
        if batch is not None:
            return array_ops.reshape(inputs, constant([int(batch), -1]))
        return array_ops.reshape(inputs, [array_ops.shape(inputs)[0], -1])


def flatten(inputs: Any, name: str | None = None, data_format: str = "channels_last") -> Tensor:
    """Flattens all but the first (batch) dimension.

    >>> import teachflow as tf
    >>> tf.layers.flatten(tf.zeros([5, 4, 4, 2])).shape.as_list()
    [5, 32]
    """
    return Flatten(data_format=data_format, name=name)(inputs)  # type: ignore[no-any-return]


def smart_cond(pred: Any, true_fn: Any, false_fn: Any) -> Any:
    """``true_fn()`` or ``false_fn()`` for a Python bool; ``tf.cond`` for a boolean tensor."""
    from teachflow.ops.control_flow_ops import cond
    from teachflow.ops.registry import constant_value

    if isinstance(pred, Tensor):
        known = constant_value(pred)
        if known is None:
            return cond(pred, true_fn, false_fn)
        pred = bool(known)
    if pred not in (True, False, 0, 1):
        raise TypeError(f"`pred` must be a Tensor, or a Python bool, or 1 or 0. Found: {pred!r}")
    return true_fn() if pred else false_fn()
