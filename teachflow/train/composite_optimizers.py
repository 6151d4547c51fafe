"""Optimizers of ``tf.train`` composed of ordinary ops: Adadelta, ProximalGradientDescent, Ftrl.

| optimizer | slots of ``W`` |
|---|---|
| ``AdadeltaOptimizer(lr, rho, eps)`` | ``W/Adadelta`` (accum), ``W/Adadelta_1`` (accum_update) |
| ``ProximalGradientDescentOptimizer(lr, l1, l2)`` | - |
| ``FtrlOptimizer(lr, ...)`` | ``W/Ftrl`` (accum), ``W/Ftrl_1`` (linear) |

NOTE: TensorFlow runs each update as one fused kernel (ApplyAdadelta, ApplyFtrl...); here each
is built from ordinary ops (reads, arithmetic, Assign / ScatterUpdate), so the graph shows the
formula. The values are the same. With an IndexedSlices gradient (``tf.gather``) only the
gathered rows of the variable and of its slots change, as in TensorFlow's sparse kernels.

>>> import teachflow as tf
>>> tf.reset_default_graph()
>>> w = tf.Variable([1.0, -2.0], name="w")
>>> opt = tf.train.FtrlOptimizer(0.1)
>>> step = opt.minimize(tf.reduce_sum(w * w))
>>> opt.get_slot_names(), opt.get_slot(w, "linear").name
(['accum', 'linear'], 'w/Ftrl_1:0')
"""

from __future__ import annotations

from typing import Any

from teachflow.graph import Operation, Tensor
from teachflow.indexed_slices import IndexedSlices
from teachflow.ops import state_ops
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.control_ops import group
from teachflow.ops.gather_ops import gather
from teachflow.ops.math_ops import abs, maximum, pow, sign, sqrt
from teachflow.ops.op_args import float_arg
from teachflow.ops.where_ops import where
from teachflow.train.optimizer import Optimizer
from teachflow.variables import Variable


def _write(var: Variable, grad: Any, rule: Any, slots: list[Variable], locking: bool) -> Operation:
    """Applies ``rule(g, w, *slots) -> (new w, *new slots)`` to the whole variable, or, for an
    IndexedSlices gradient, to the gathered rows only (every read happens before any write)."""
    targets = [var, *slots]
    if isinstance(grad, IndexedSlices):
        i = grad.indices
        new = rule(grad.values, *[gather(t, i) for t in targets])
        writes = [
            state_ops.scatter_update(t, i, n, use_locking=locking) for t, n in zip(targets, new)
        ]
    else:
        new = rule(grad, *[t.value() for t in targets])
        writes = [state_ops.assign(t, n, use_locking=locking) for t, n in zip(targets, new)]
    return group(*writes)


class AdadeltaOptimizer(Optimizer):
    """accum <- rho accum + (1 - rho) g^2; u = sqrt(accum_update + eps) / sqrt(accum + eps) g;
    accum_update <- rho accum_update + (1 - rho) u^2; W <- W - lr u.

    >>> import teachflow as tf
    >>> tf.train.AdadeltaOptimizer().get_name()
    'Adadelta'
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: Any = 0.95,
        epsilon: Any = 1e-8,
        use_locking: bool = False,
        name: str = "Adadelta",
    ) -> None:
        super().__init__(use_locking, name)
        self._lr, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list: list[Variable]) -> None:
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _prepare(self) -> None:
        c = self._call_if_callable
        self._lr_t = convert_to_tensor(c(self._lr), name="lr")
        self._rho_t = convert_to_tensor(c(self._rho), name="rho")
        self._epsilon_t = convert_to_tensor(c(self._epsilon), name="epsilon")

    def _update(self, grad: Any, var: Variable) -> Operation:
        lr, rho = self._cast(self._lr_t, var), self._cast(self._rho_t, var)
        eps = self._cast(self._epsilon_t, var)

        def rule(g: Tensor, w: Tensor, accum: Tensor, accum_update: Tensor) -> list[Tensor]:
            new_accum = accum * rho + g * g * (1 - rho)
            u = sqrt(accum_update + eps) / sqrt(new_accum + eps) * g
            return [w - u * lr, new_accum, accum_update * rho + u * u * (1 - rho)]

        slots = [self.get_slot(var, "accum"), self.get_slot(var, "accum_update")]
        return _write(var, grad, rule, slots, self._use_locking)  # type: ignore[arg-type]

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return self._update(grad, var)

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return self._update(grad, var)


def _proximal(w: Tensor, lr: Tensor, l1: Tensor | None, l2: Tensor) -> Tensor:
    """argmin_x |x - w|^2 / (2 lr) + l1 |x| + l2 x^2 / 2: shrink toward 0 by lr l1, scale."""
    if l1 is None:
        return w / (1 + lr * l2)
    return sign(w) * maximum(abs(w) - lr * l1, 0) / (1 + lr * l2)


class ProximalGradientDescentOptimizer(Optimizer):
    """W <- prox(W - lr g): with l1 > 0, sign(v) max(|v| - lr l1, 0) / (1 + lr l2), else
    v / (1 + lr l2), for v = W - lr g.

    >>> import teachflow as tf
    >>> tf.train.ProximalGradientDescentOptimizer(0.1).get_name()
    'ProximalGradientDescent'
    """

    def __init__(
        self,
        learning_rate: Any,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        use_locking: bool = False,
        name: str = "ProximalGradientDescent",
    ) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength

    def _prepare(self) -> None:
        c = self._call_if_callable
        self._lr_t = convert_to_tensor(c(self._learning_rate), name="learning_rate")
        self._l1_t = convert_to_tensor(c(self._l1), name="l1_regularization_strength")
        self._l2_t = convert_to_tensor(c(self._l2), name="l2_regularization_strength")

    def _update(self, grad: Any, var: Variable) -> Operation:
        lr, l2 = self._cast(self._lr_t, var), self._cast(self._l2_t, var)
        # NOTE: TensorFlow's kernel tests l1 > 0 on the value; a tensor l1 always shrinks
        l1 = None if _is_zero(self._l1) else self._cast(self._l1_t, var)

        def rule(g: Tensor, w: Tensor) -> list[Tensor]:
            return [_proximal(w - g * lr, lr, l1, l2)]

        return _write(var, grad, rule, [], self._use_locking)

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return self._update(grad, var)

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return self._update(grad, var)


def _is_zero(x: Any) -> bool:
    return isinstance(x, (int, float)) and x == 0


class FtrlOptimizer(Optimizer):
    """Follow the regularized leader (McMahan et al.), per element with n = accum:
    n' = n + g^2; z += g - (n'^-p - n^-p) / lr W; W = (l1 sign(z) - z) / (n'^-p / lr + 2 l2)
    where |z| > l1, else 0 (p = learning_rate_power, -0.5 by default).

    >>> import teachflow as tf
    >>> tf.train.FtrlOptimizer(0.1, learning_rate_power=0.5)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate_power 0.500000 needs to be negative or zero
    """

    def __init__(
        self,
        learning_rate: Any,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        use_locking: bool = False,
        name: str = "Ftrl",
        accum_name: str | None = None,
        linear_name: str | None = None,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float | None = None,
    ) -> None:
        super().__init__(use_locking, name)
        checks = [
            (initial_accumulator_value, "initial_accumulator_value", "positive or zero", 1),
            (learning_rate_power, "learning_rate_power", "negative or zero", -1),
            (l1_regularization_strength, "l1_regularization_strength", "positive or zero", 1),
            (l2_regularization_strength, "l2_regularization_strength", "positive or zero", 1),
            (
                l2_shrinkage_regularization_strength,
                "l2_shrinkage_regularization_strength",
                "positive or zero",
                1,
            ),
        ]
        for value, what, want, sgn in checks:
            if float_arg(value, what) * sgn < 0:
                raise ValueError(f"{what} {float(value):f} needs to be {want}")
        self._learning_rate = learning_rate
        self._lr_power = learning_rate_power
        self._initial_accumulator_value = initial_accumulator_value
        self._l1 = l1_regularization_strength
        self._l2 = l2_regularization_strength
        self._l2_shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list: list[Variable]) -> None:
        from teachflow.init_ops import constant_initializer

        for v in var_list:
            dtype = v.dtype.base_dtype
            init = constant_initializer(self._initial_accumulator_value, dtype=dtype)
            self._get_or_make_slot_with_initializer(
                v, init, v.get_shape(), dtype, "accum", self._accum_name or self._name
            )
            self._zeros_slot(v, "linear", self._linear_name or self._name)

    def _prepare(self) -> None:
        c = self._call_if_callable
        self._lr_t = convert_to_tensor(c(self._learning_rate), name="learning_rate")
        self._l1_t = convert_to_tensor(c(self._l1), name="l1_regularization_strength")
        # beta enters as an extra l2 strength, as in TensorFlow
        self._l2_t = convert_to_tensor(
            c(self._l2) + self._beta / (2.0 * c(self._learning_rate)),
            name="adjusted_l2_regularization_strength",
        )
        self._l2_shrinkage_t = convert_to_tensor(
            c(self._l2_shrinkage), name="l2_shrinkage_regularization_strength"
        )
        self._lr_power_t = convert_to_tensor(c(self._lr_power), name="learning_rate_power")

    def _update(self, grad: Any, var: Variable) -> Operation:
        lr, l1 = self._cast(self._lr_t, var), self._cast(self._l1_t, var)
        l2 = self._cast(self._l2_t, var)
        shrink = None if _is_zero(self._l2_shrinkage) else self._cast(self._l2_shrinkage_t, var)
        neg_power = -self._cast(self._lr_power_t, var)
        square_root = self._lr_power == -0.5

        def n_pow(n: Tensor) -> Tensor:
            return sqrt(n) if square_root else pow(n, neg_power)

        def rule(g: Tensor, w: Tensor, accum: Tensor, linear: Tensor) -> list[Tensor]:
            new_accum = accum + g * g
            g_shrunk = g if shrink is None else g + 2 * shrink * w
            new_linear = linear + g_shrunk - (n_pow(new_accum) - n_pow(accum)) / lr * w
            quadratic = n_pow(new_accum) / lr + 2 * l2
            new_w = (l1 * sign(new_linear) - new_linear) / quadratic
            return [where(abs(new_linear) > l1, new_w, w * 0), new_accum, new_linear]

        slots = [self.get_slot(var, "accum"), self.get_slot(var, "linear")]
        return _write(var, grad, rule, slots, self._use_locking)  # type: ignore[arg-type]

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        return self._update(grad, var)

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        return self._update(grad, var)
