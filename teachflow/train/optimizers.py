"""The optimizers of ``tf.train``: each one update rule (the kernels live in ``training_ops``).

| optimizer | slots of ``W`` | update op |
|---|---|---|
| ``GradientDescentOptimizer(lr)`` | - | ``ApplyGradientDescent``: W -= lr * g |
| ``MomentumOptimizer(lr, momentum)`` | ``W/Momentum`` | ``ApplyMomentum`` |
| ``AdagradOptimizer(lr)`` | ``W/Adagrad`` | ``ApplyAdagrad`` |
| ``RMSPropOptimizer(lr)`` | ``W/RMSProp``, ``W/RMSProp_1`` | ``ApplyRMSProp`` |
| ``AdamOptimizer(lr)`` | ``W/Adam``, ``W/Adam_1``; ``beta1_power``, ``beta2_power`` | ApplyAdam |

>>> import teachflow as tf
>>> tf.reset_default_graph()
>>> x = tf.Variable(3.0)
>>> step = tf.train.MomentumOptimizer(0.1, momentum=0.9).minimize(tf.square(x))
>>> [v.op.name for v in tf.global_variables()]
['Variable', 'Variable/Momentum']
"""

from __future__ import annotations

from typing import Any

from teachflow.graph import Operation, Tensor
from teachflow.indexed_slices import IndexedSlices
from teachflow.ops import state_ops, training_ops
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.control_ops import group
from teachflow.ops.gather_ops import gather
from teachflow.ops.math_ops import sqrt
from teachflow.ops.op_args import float_arg
from teachflow.train.optimizer import Optimizer
from teachflow.variables import Variable


class GradientDescentOptimizer(Optimizer):
    """W <- W - learning_rate * dloss/dW.

    >>> import teachflow as tf
    >>> w = tf.Variable([1.0, 2.0])
    >>> step = tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(w * w))
    >>> sess = tf.Session(); sess.run(tf.global_variables_initializer()); sess.run(step)
    >>> sess.run(w)
    array([0., 0.], dtype=float32)
    """

    def __init__(
        self, learning_rate: Any, use_locking: bool = False, name: str = "GradientDescent"
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._learning_rate_tensor: Tensor | None = None

    def _prepare(self) -> None:
        lr = self._call_if_callable(self._learning_rate)
        self._learning_rate_tensor = convert_to_tensor(lr, name="learning_rate")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        assert self._learning_rate_tensor is not None
        return training_ops.apply_gradient_descent(
            var, self._cast(self._learning_rate_tensor, var), grad, use_locking=self._use_locking
        ).op

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Variable) -> Operation:
        # repeated rows need no summing first: ScatterSub adds them up
        assert self._learning_rate_tensor is not None
        lr = self._cast(self._learning_rate_tensor, var)
        delta = IndexedSlices(grad.values * lr, grad.indices, grad.dense_shape)
        return var.scatter_sub(delta, use_locking=self._use_locking).op  # type: ignore[no-any-return]


class MomentumOptimizer(Optimizer):
    """accum <- momentum * accum + g; W <- W - lr * accum.

    With ``use_nesterov=True``: W <- W - lr * (g + momentum * accum).

    >>> import teachflow as tf
    >>> opt = tf.train.MomentumOptimizer(0.01, momentum=0.9, use_nesterov=True)
    >>> opt.get_name()
    'Momentum'
    """

    def __init__(
        self,
        learning_rate: Any,
        momentum: Any,
        use_locking: bool = False,
        name: str = "Momentum",
        use_nesterov: bool = False,
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list: list[Variable]) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        lr = self._call_if_callable(self._learning_rate)
        self._learning_rate_tensor = convert_to_tensor(lr, name="learning_rate")
        momentum = self._call_if_callable(self._momentum)
        self._momentum_tensor = convert_to_tensor(momentum, name="momentum")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        mom = self.get_slot(var, "momentum")
        return training_ops.apply_momentum(
            var,
            mom,
            self._cast(self._learning_rate_tensor, var),
            grad,
            self._cast(self._momentum_tensor, var),
            use_locking=self._use_locking,
            use_nesterov=self._use_nesterov,
        ).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        """Rows i of grad only: accum[i] <- momentum * accum[i] + g; W[i] -= lr * accum[i]."""
        accum = self.get_slot(var, "momentum")
        lr = self._cast(self._learning_rate_tensor, var)
        m = self._cast(self._momentum_tensor, var)
        g, i = grad.values, grad.indices
        new_accum = gather(accum, i) * m + g
        step = lr * g + lr * m * new_accum if self._use_nesterov else lr * new_accum
        return _row_updates(var, i, step, [(accum, new_accum)], self._use_locking)


class AdagradOptimizer(Optimizer):
    """accum <- accum + g^2; W <- W - lr * g / sqrt(accum) (accum starts at 0.1).

    >>> import teachflow as tf
    >>> tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    Traceback (most recent call last):
    ...
    ValueError: initial_accumulator_value must be positive: 0.0
    """

    def __init__(
        self,
        learning_rate: Any,
        initial_accumulator_value: float = 0.1,
        use_locking: bool = False,
        name: str = "Adagrad",
    ) -> None:
        if float_arg(initial_accumulator_value, "initial_accumulator_value") <= 0.0:
            raise ValueError(
                f"initial_accumulator_value must be positive: {initial_accumulator_value}"
            )
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list: list[Variable]) -> None:
        from teachflow.init_ops import constant_initializer

        for v in var_list:
            dtype = v.dtype.base_dtype
            init = constant_initializer(self._initial_accumulator_value, dtype=dtype)
            self._get_or_make_slot_with_initializer(
                v, init, v.get_shape(), dtype, "accumulator", self._name
            )

    def _prepare(self) -> None:
        lr = self._call_if_callable(self._learning_rate)
        self._learning_rate_tensor = convert_to_tensor(lr, name="learning_rate")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(
            var,
            acc,
            self._cast(self._learning_rate_tensor, var),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        """The rows ``i`` of grad only: acc[i] += g^2; W[i] -= lr * g / sqrt(acc[i])."""
        acc = self.get_slot(var, "accumulator")
        lr = self._cast(self._learning_rate_tensor, var)
        g, i = grad.values, grad.indices
        new_acc = gather(acc, i) + g * g
        return _row_updates(var, i, lr * g / sqrt(new_acc), [(acc, new_acc)], self._use_locking)


class RMSPropOptimizer(Optimizer):
    """ms <- decay * ms + (1 - decay) * g^2; mom <- momentum * mom + lr * g / sqrt(ms + eps);
    W <- W - mom. ``centered=True`` divides by an estimate of the variance instead.

    >>> import teachflow as tf
    >>> tf.train.RMSPropOptimizer(0.01, decay=0.9).get_name()
    'RMSProp'
    """

    def __init__(
        self,
        learning_rate: Any,
        decay: Any = 0.9,
        momentum: Any = 0.0,
        epsilon: Any = 1e-10,
        use_locking: bool = False,
        centered: bool = False,
        name: str = "RMSProp",
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._decay = decay
        self._momentum = momentum
        self._epsilon = epsilon
        self._centered = centered

    def _create_slots(self, var_list: list[Variable]) -> None:
        from teachflow.init_ops import ones_initializer

        for v in var_list:
            dtype = v.dtype.base_dtype
            init_rms = ones_initializer(dtype=dtype)
            self._get_or_make_slot_with_initializer(
                v, init_rms, v.get_shape(), dtype, "rms", self._name
            )
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = convert_to_tensor(
            self._call_if_callable(self._learning_rate), name="learning_rate"
        )
        self._decay_tensor = convert_to_tensor(self._call_if_callable(self._decay), name="decay")
        self._momentum_tensor = convert_to_tensor(
            self._call_if_callable(self._momentum), name="momentum"
        )
        self._epsilon_tensor = convert_to_tensor(
            self._call_if_callable(self._epsilon), name="epsilon"
        )

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        lr = self._cast(self._learning_rate_tensor, var)
        decay = self._cast(self._decay_tensor, var)
        momentum = self._cast(self._momentum_tensor, var)
        epsilon = self._cast(self._epsilon_tensor, var)
        if self._centered:
            mg = self.get_slot(var, "mg")
            return training_ops.apply_centered_rms_prop(
                var, mg, rms, mom, lr, decay, momentum, epsilon, grad, self._use_locking
            ).op
        return training_ops.apply_rms_prop(
            var, rms, mom, lr, decay, momentum, epsilon, grad, self._use_locking
        ).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        """The rows ``i`` of grad only (the slots of other rows do not decay), as TensorFlow's
        SparseApplyRMSProp."""
        rms = self.get_slot(var, "rms")
        mom = self.get_slot(var, "momentum")
        lr = self._cast(self._learning_rate_tensor, var)
        one_minus_decay = 1.0 - self._cast(self._decay_tensor, var)
        momentum = self._cast(self._momentum_tensor, var)
        epsilon = self._cast(self._epsilon_tensor, var)
        g, i = grad.values, grad.indices
        new_rms = gather(rms, i)
        new_rms = new_rms + (g * g - new_rms) * one_minus_decay
        slots = [(rms, new_rms)]
        denom = new_rms + epsilon
        if self._centered:
            mg = self.get_slot(var, "mg")
            new_mg = gather(mg, i)
            new_mg = new_mg + (g - new_mg) * one_minus_decay
            slots.append((mg, new_mg))
            denom = denom - new_mg * new_mg
        new_mom = gather(mom, i) * momentum + lr * g / sqrt(denom)
        slots.append((mom, new_mom))
        return _row_updates(var, i, new_mom, slots, self._use_locking)


class AdamOptimizer(Optimizer):
    """Adam: m, v are moving averages of g and g^2 (slots ``W/Adam``, ``W/Adam_1``);
    W <- W - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon).

    ``beta1_power`` and ``beta2_power`` (beta^t) are variables shared by all the updates.

    >>> import teachflow as tf
    >>> tf.reset_default_graph()
    >>> w = tf.Variable([1.0], name="w")
    >>> opt = tf.train.AdamOptimizer(0.1)
    >>> step = opt.minimize(tf.reduce_sum(w * w))
    >>> opt.get_slot_names(), opt.get_slot(w, "m").name
    (['m', 'v'], 'w/Adam:0')
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta1: Any = 0.9,
        beta2: Any = 0.999,
        epsilon: Any = 1e-8,
        use_locking: bool = False,
        name: str = "Adam",
    ) -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._beta1 = beta1
        self._beta2 = beta2
        self._epsilon = epsilon

    def _get_beta_accumulators(self) -> tuple[Variable, Variable]:
        b1 = self._get_non_slot_variable("beta1_power")
        b2 = self._get_non_slot_variable("beta2_power")
        assert b1 is not None and b2 is not None
        return b1, b2

    def _create_slots(self, var_list: list[Variable]) -> None:
        first = min(var_list, key=lambda x: x.name)
        self._create_non_slot_variable(self._beta1, "beta1_power", first)
        self._create_non_slot_variable(self._beta2, "beta2_power", first)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _prepare(self) -> None:
        self._lr_t = convert_to_tensor(self._call_if_callable(self._lr), name="learning_rate")
        self._beta1_t = convert_to_tensor(self._call_if_callable(self._beta1), name="beta1")
        self._beta2_t = convert_to_tensor(self._call_if_callable(self._beta2), name="beta2")
        self._epsilon_t = convert_to_tensor(self._call_if_callable(self._epsilon), name="epsilon")

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        b1, b2 = self._get_beta_accumulators()
        return training_ops.apply_adam(
            var,
            m,
            v,
            self._cast(b1, var),
            self._cast(b2, var),
            self._cast(self._lr_t, var),
            self._cast(self._beta1_t, var),
            self._cast(self._beta2_t, var),
            self._cast(self._epsilon_t, var),
            grad,
            use_locking=self._use_locking,
        ).op

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        """m and v decay everywhere, the rows ``i`` of grad are added in (as TensorFlow)."""
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        assert m is not None and v is not None
        b1, b2 = self._get_beta_accumulators()
        beta1, beta2 = self._cast(self._beta1_t, var), self._cast(self._beta2_t, var)
        eps = self._cast(self._epsilon_t, var)
        lr = self._cast(self._lr_t, var) * sqrt(1 - self._cast(b2, var))
        lr = lr / (1 - self._cast(b1, var))
        g, i = grad.values, grad.indices
        g_ = var.graph
        m_t = state_ops.assign(m, m * beta1, use_locking=self._use_locking)
        with g_.control_dependencies([m_t]):
            m_t = state_ops.scatter_add(m, i, g * (1 - beta1), use_locking=self._use_locking)
        v_t = state_ops.assign(v, v * beta2, use_locking=self._use_locking)
        with g_.control_dependencies([v_t]):
            v_t = state_ops.scatter_add(v, i, (g * g) * (1 - beta2), use_locking=self._use_locking)
        var_update = state_ops.assign_sub(
            var, lr * m_t / (sqrt(v_t) + eps), use_locking=self._use_locking
        )
        return group(var_update, m_t, v_t)

    def _finish(self, update_ops: list[Operation], name_scope: str) -> Operation:
        b1, b2 = self._get_beta_accumulators()
        with b1.graph.control_dependencies(update_ops):
            update_b1 = b1.assign(b1 * self._beta1_t, use_locking=self._use_locking)
            update_b2 = b2.assign(b2 * self._beta2_t, use_locking=self._use_locking)
        return group(*update_ops, update_b1, update_b2, name=name_scope)


def _row_updates(
    var: Variable, indices: Tensor, step: Tensor, slots: list[tuple[Any, Tensor]], locking: bool
) -> Operation:
    """Writes the new rows of each slot and subtracts ``step`` from the rows of ``var``.

    The new rows were computed from the slots' old values: every read happens before the
    writes that depend on it, so one run updates each row once.
    """
    writes = [state_ops.scatter_update(s, indices, rows, use_locking=locking) for s, rows in slots]
    return group(state_ops.scatter_sub(var, indices, step, use_locking=locking), *writes)
