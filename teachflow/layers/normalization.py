"""``tf.layers.batch_normalization``: normalise by the batch's moments while training, by the
moving averages otherwise; the moving-average updates go to ``GraphKeys.UPDATE_OPS``.

    y = gamma * (x - mean) / sqrt(variance + epsilon) + beta
    moving_mean -= (moving_mean - batch_mean) * (1 - momentum)      (the same for the variance)

As in TensorFlow 1.x the updates do not run by themselves: make the train op depend on them.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None, 3])
>>> y = tf.layers.batch_normalization(x, training=True)
>>> [op.name for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)]
['batch_normalization/AssignMovingAvg', 'batch_normalization/AssignMovingAvg_1']
>>> [v.name for v in tf.global_variables()][2:]
['batch_normalization/moving_mean:0', 'batch_normalization/moving_variance:0']
"""

from __future__ import annotations

from typing import Any

from teachflow.graph import GraphKeys, Tensor, get_default_graph
from teachflow.init_ops import ones_initializer, zeros_initializer
from teachflow.layers.base import Layer, initializer_arg
from teachflow.layers.core import smart_cond
from teachflow.tensor_shape import TensorShape
from teachflow.unsupported import UnsupportedFeatureError


class BatchNormalization(Layer):
    """Batch normalisation over all axes but ``axis`` (the channels, last by default).

    For 4-D inputs (channels last or first) it is TensorFlow's fused kernel ``FusedBatchNormV3``,
    whose moving variance is updated with the unbiased batch variance (n / (n - 1) times the
    biased one); ``fused=False`` builds the plain graph (moments and the ``batchnorm`` scope).
    """

    def __init__(
        self,
        axis: Any = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = None,
        gamma_initializer: Any = None,
        moving_mean_initializer: Any = None,
        moving_variance_initializer: Any = None,
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_momentum: float = 0.99,
        fused: Any = None,
        trainable: bool = True,
        virtual_batch_size: Any = None,
        adjustment: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise UnsupportedFeatureError(
                "teachflow's batch_normalization does not implement renorm, virtual_batch_size "
                "or adjustment (TensorFlow 1.x has them)."
            )
        self.axis: Any = axis
        self.momentum: Any = momentum
        self.epsilon: Any = epsilon
        self.center: Any = center
        self.scale: Any = scale
        self.beta_initializer: Any = initializer_arg(beta_initializer) or zeros_initializer()
        self.gamma_initializer: Any = initializer_arg(gamma_initializer) or ones_initializer()
        self.moving_mean_initializer: Any = (
            initializer_arg(moving_mean_initializer) or zeros_initializer()
        )
        self.moving_variance_initializer: Any = (
            initializer_arg(moving_variance_initializer) or ones_initializer()
        )
        self.beta_regularizer: Any = beta_regularizer
        self.gamma_regularizer: Any = gamma_regularizer
        self.fused: Any = fused
        self.gamma: Any = None
        self.beta: Any = None
        self.moving_mean: Any = None
        self.moving_variance: Any = None
        self._axes: list[int] = []

    def build(self, input_shape: TensorShape) -> None:
        input_shape = TensorShape(input_shape)
        ndims = input_shape.ndims
        if ndims is None:
            raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}.")
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        for a in axes:
            if not -ndims <= a < ndims:
                raise ValueError(
                    f"Invalid axis. Expected 0 <= axis < inputs.rank (with inputs.rank={ndims}). "
                    f"Received: layer.axis={self.axis}"
                )
        self._axes = sorted(a % ndims for a in axes)
        param_shape = []
        for a in self._axes:
            d = input_shape.as_list()[a]
            if d is None:
                raise ValueError(
                    f"Input has undefined `axis` dimension. Received input with shape "
                    f"{tuple(input_shape.as_list())} and axis={self.axis}"
                )
            param_shape.append(d)
        if self.scale:
            self.gamma = self.add_weight(
                "gamma", param_shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
            )  # fmt: skip
        if self.center:
            self.beta = self.add_weight(
                "beta", param_shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
            )  # fmt: skip
        self.moving_mean = self.add_weight(
            "moving_mean", param_shape, initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            "moving_variance",
            param_shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )

    def _assign_moving_average(self, variable: Any, value: Tensor) -> Tensor:
        from teachflow.ops.constant_op import convert_to_tensor
        from teachflow.ops.state_ops import assign_sub

        g = get_default_graph()
        with g.name_scope("AssignMovingAvg") as scope:
            decay = convert_to_tensor(1.0 - self.momentum, name="decay")
            delta = (variable - value) * decay
            return assign_sub(variable, delta, name=scope)  # type: ignore[no-any-return]

    def call(self, inputs: Tensor, training: Any = False) -> Tensor:  # type: ignore[override]
        from teachflow.ops.array_ops import reshape
        from teachflow.ops.nn_composites import moments

        inputs = self._cast_inputs(inputs)
        ndims = inputs.shape.ndims or 0
        known = training
        if isinstance(training, Tensor):
            from teachflow.ops.registry import constant_value

            value = constant_value(training)
            known = None if value is None else bool(value)
        if self.fused is not False and ndims == 4 and self._axes in ([1], [3]):
            return self._fused_call(inputs, training, known)
        reduction = [i for i in range(ndims) if i not in self._axes]
        broadcast = self._axes != [ndims - 1]
        dims = inputs.shape.as_list() if ndims else []
        shape = [dims[a] if a in self._axes else 1 for a in range(ndims)]

        def bcast(t: Any) -> Any:
            return reshape(t, shape) if broadcast and t is not None else t

        if known is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_var = moments(inputs, reduction)
            mean = smart_cond(training, lambda: batch_mean, lambda: self.moving_mean.value())
            variance = smart_cond(training, lambda: batch_var, lambda: self.moving_variance.value())
            mean_update = smart_cond(
                training,
                lambda: self._assign_moving_average(self.moving_mean, mean),
                lambda: self.moving_mean,
            )
            var_update = smart_cond(
                training,
                lambda: self._assign_moving_average(self.moving_variance, variance),
                lambda: self.moving_variance,
            )
            self._collect_updates(mean_update, var_update)
        return _batch_normalization(
            inputs, bcast(mean), bcast(variance), bcast(self.beta), bcast(self.gamma), self.epsilon
        )

    def _collect_updates(self, *updates: Any) -> None:
        for u in updates:
            op = u.op if isinstance(u, Tensor) or hasattr(u, "op") else u
            self.add_update(op)
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, op)

    def _fused_call(self, inputs: Tensor, training: Any, known: Any) -> Tensor:
        """TensorFlow's fused graph: one FusedBatchNormV3 (two inside a cond for a tensor
        ``training``); the moving averages take the unbiased batch variance it returns."""
        from teachflow.ops.batch_norm_ops import fused_batch_norm
        from teachflow.ops.constant_op import constant, convert_to_tensor
        from teachflow.ops.state_ops import assign_sub

        fmt = "NCHW" if self._axes == [1] else "NHWC"
        channels = self.moving_mean.shape.as_list()
        gamma = self.gamma if self.scale else constant(1.0, shape=channels)
        beta = self.beta if self.center else constant(0.0, shape=channels)

        def run(is_training: bool) -> tuple[Tensor, Tensor, Tensor]:
            return fused_batch_norm(
                inputs, gamma, beta, self.moving_mean, self.moving_variance, self.epsilon,
                data_format=fmt, is_training=is_training,
            )  # fmt: skip

        if known is False:
            return run(False)[0]
        if known is True:
            output, mean, variance = run(True)
            momentum = convert_to_tensor(self.momentum)
        else:
            output, mean, variance = smart_cond(training, lambda: run(True), lambda: run(False))
            momentum = smart_cond(training, lambda: constant(self.momentum), lambda: constant(1.0))
        g = get_default_graph()
        updates = []
        for var, value in ((self.moving_mean, mean), (self.moving_variance, variance)):
            with g.name_scope("AssignMovingAvg") as scope:
                decay = 1.0 - momentum
                updates.append(assign_sub(var, (var - value) * decay, name=scope))
        self._collect_updates(*updates)
        return output  # type: ignore[no-any-return]


def _batch_normalization(
    x: Tensor, mean: Any, variance: Any, offset: Any, scale: Any, epsilon: float
) -> Tensor:
    from teachflow.ops.batch_norm_ops import batch_normalization as nn_batch_normalization

    return nn_batch_normalization(x, mean, variance, offset, scale, epsilon)


def batch_normalization(
    inputs: Any,
    axis: Any = -1,
    momentum: float = 0.99,
    epsilon: float = 1e-3,
    center: bool = True,
    scale: bool = True,
    beta_initializer: Any = None,
    gamma_initializer: Any = None,
    moving_mean_initializer: Any = None,
    moving_variance_initializer: Any = None,
    beta_regularizer: Any = None,
    gamma_regularizer: Any = None,
    beta_constraint: Any = None,
    gamma_constraint: Any = None,
    training: Any = False,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
    renorm: bool = False,
    renorm_clipping: Any = None,
    renorm_momentum: float = 0.99,
    fused: Any = None,
    virtual_batch_size: Any = None,
    adjustment: Any = None,
) -> Tensor:
    """Batch normalisation; ``training`` (bool or boolean tensor) picks batch or moving moments.

    The moving averages are updated by ops in ``tf.GraphKeys.UPDATE_OPS``: run them with the
    train step, e.g.

    >>> import teachflow as tf
    >>> x = tf.placeholder(tf.float32, [None, 2])
    >>> y = tf.layers.batch_normalization(x, training=True)
    >>> loss = tf.reduce_mean(tf.square(y))
    >>> with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    ...     train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    """
    layer = BatchNormalization(
        axis=axis,
        momentum=momentum,
        epsilon=epsilon,
        center=center,
        scale=scale,
        beta_initializer=beta_initializer,
        gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer,
        gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint,
        gamma_constraint=gamma_constraint,
        renorm=renorm,
        renorm_clipping=renorm_clipping,
        renorm_momentum=renorm_momentum,
        fused=fused,
        trainable=trainable,
        virtual_batch_size=virtual_batch_size,
        adjustment=adjustment,
        name=name,
        _reuse=reuse,
        _scope=name,
    )
    return layer(inputs, training=training)  # type: ignore[no-any-return]
