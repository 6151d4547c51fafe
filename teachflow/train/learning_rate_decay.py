"""Learning-rate schedules: the rate as a graph of the global step (``tf.train.*_decay``).

Each returns a scalar tensor; run it (or hand it to an optimizer) and it is worked out from
the step's current value, so the rate falls as ``minimize(..., global_step=step)`` counts.
The ops and names follow ``tf.compat.v1`` (``ExponentialDecay/...``).

>>> import teachflow as tf
>>> step = tf.train.get_or_create_global_step()
>>> lr = tf.train.exponential_decay(0.1, step, decay_steps=10, decay_rate=0.5)
>>> with tf.Session() as sess:
...     sess.run(tf.global_variables_initializer())
...     _ = sess.run(tf.assign(step, 20))
...     print(round(float(sess.run(lr)), 6))
0.025
"""

from __future__ import annotations

import math
from typing import Any

from teachflow.graph import Tensor
from teachflow.ops import array_ops, cast_ops, fill_ops, math_ops, registry, where_ops
from teachflow.ops.constant_op import constant, convert_to_tensor


def _required(global_step: Any, fn: str) -> None:
    if global_step is None:
        raise ValueError(
            f"global_step is required for {fn}.\n  Hint: pass the step variable, e.g. "
            "tf.train.get_or_create_global_step()."
        )


def _start(learning_rate: Any) -> Tensor:
    return convert_to_tensor(learning_rate, name="initial_learning_rate")


def _decay_terms(
    learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any, staircase: bool
) -> tuple[Tensor, Tensor, Tensor]:
    """(lr, rate, p) in lr's dtype, p = step / decay_steps (floored when ``staircase``), made in
    TensorFlow's order so that the ops get its names."""
    lr = _start(learning_rate)
    dt = lr.dtype.base_dtype
    steps = cast_ops.cast(decay_steps, dt)
    rate = cast_ops.cast(decay_rate, dt)
    p = math_ops.truediv(cast_ops.cast(global_step, dt), steps)
    return lr, rate, math_ops.floor(p) if staircase else p


def exponential_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = None,
) -> Tensor:
    """lr * decay_rate ^ (step / decay_steps) (the exponent floored when ``staircase``).

    >>> import teachflow as tf
    >>> lr = tf.train.exponential_decay(0.1, 20, 10, 0.5, staircase=True)
    >>> round(float(tf.Session().run(lr)), 6)
    0.025
    """
    _required(global_step, "exponential_decay")
    g = registry.graph_for([learning_rate, global_step])
    with g.as_default(), g.name_scope(name or "ExponentialDecay") as scope:
        lr, rate, p = _decay_terms(learning_rate, global_step, decay_steps, decay_rate, staircase)
        return math_ops.multiply(lr, math_ops.pow(rate, p), name=scope)


def natural_exp_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = None,
) -> Tensor:
    """lr * e^(-decay_rate * step / decay_steps) (the step ratio floored when ``staircase``).

    >>> import teachflow as tf
    >>> lr = tf.train.natural_exp_decay(1.0, 10, 10, 1.0)
    >>> round(float(tf.Session().run(lr)), 4)
    0.3679
    """
    _required(global_step, "natural_exp_decay")
    rate = math_ops.exp(math_ops.negative(decay_rate))
    return exponential_decay(learning_rate, global_step, decay_steps, rate, staircase, name)


def inverse_time_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    decay_rate: Any,
    staircase: bool = False,
    name: str | None = None,
) -> Tensor:
    """lr / (1 + decay_rate * step / decay_steps) (the step ratio floored when ``staircase``).

    >>> import teachflow as tf
    >>> lr = tf.train.inverse_time_decay(0.1, 10, 5, 0.5)
    >>> round(float(tf.Session().run(lr)), 6)
    0.05
    """
    _required(global_step, "inverse_time_decay")
    g = registry.graph_for([learning_rate, global_step])
    with g.as_default(), g.name_scope(name or "InverseTimeDecay") as scope:
        lr, rate, p = _decay_terms(learning_rate, global_step, decay_steps, decay_rate, staircase)
        one = cast_ops.cast(constant(1), lr.dtype.base_dtype)
        denom = math_ops.add(one, math_ops.multiply(rate, p))
        return math_ops.truediv(lr, denom, name=scope)


def polynomial_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    end_learning_rate: Any = 0.0001,
    power: Any = 1.0,
    cycle: bool = False,
    name: str | None = None,
) -> Tensor:
    """(lr - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end.

    With ``cycle`` the decay restarts: decay_steps grows to the next multiple that covers step.

    >>> import teachflow as tf
    >>> lr = tf.train.polynomial_decay(0.1, 50, 100, end_learning_rate=0.0)
    >>> round(float(tf.Session().run(lr)), 6)
    0.05
    """
    _required(global_step, "polynomial_decay")
    g = registry.graph_for([learning_rate, global_step])
    with g.as_default(), g.name_scope(name or "PolynomialDecay") as scope:
        lr = _start(learning_rate)
        dt = lr.dtype.base_dtype
        end = cast_ops.cast(end_learning_rate, dt)
        pw = cast_ops.cast(power, dt)
        step = cast_ops.cast(global_step, dt)
        steps = cast_ops.cast(decay_steps, dt)
        if cycle:
            # ceil(step / decay_steps) cycles, but one (not zero) at step 0
            first = math_ops.equal(step, 0)
            cycles = math_ops.ceil(math_ops.truediv(step, decay_steps))
            steps = math_ops.multiply(
                steps, where_ops.where(first, fill_ops.ones_like(cycles), cycles)
            )
        else:
            step = math_ops.minimum(step, steps)
        p = math_ops.truediv(step, steps)
        decayed = math_ops.multiply(lr - end, math_ops.pow(1 - p, pw))
        return math_ops.add(decayed, end, name=scope)


def cosine_decay(
    learning_rate: Any,
    global_step: Any,
    decay_steps: Any,
    alpha: float = 0.0,
    name: str | None = None,
) -> Tensor:
    """lr * ((1 - alpha) * (1 + cos(pi * min(step, decay_steps) / decay_steps)) / 2 + alpha).

    >>> import teachflow as tf
    >>> lr = tf.train.cosine_decay(0.1, 50, 100)
    >>> round(float(tf.Session().run(lr)), 6)
    0.05
    """
    _required(global_step, "cosine_decay")
    g = registry.graph_for([learning_rate, global_step])
    with g.as_default(), g.name_scope(name or "CosineDecay"):
        lr = _start(learning_rate)
        dt = lr.dtype.base_dtype
        steps = cast_ops.cast(decay_steps, dt)
        step = math_ops.minimum(cast_ops.cast(global_step, dt), steps)
        done = math_ops.truediv(step, steps)
        cosine = 0.5 * (1.0 + math_ops.cos(constant(math.pi, dtype=dt) * done))
        decayed = (1 - alpha) * cosine + alpha
        return math_ops.multiply(lr, decayed)


def piecewise_constant(x: Any, boundaries: Any, values: Any, name: str | None = None) -> Tensor:
    """values[0] while x <= boundaries[0], values[i] while x <= boundaries[i], else values[-1].

    >>> import teachflow as tf
    >>> lr = tf.train.piecewise_constant(15, [10, 20], [1.0, 0.5, 0.1])
    >>> float(tf.Session().run(lr))
    0.5
    """
    if len(boundaries) != len(values) - 1:
        raise ValueError(
            "The length of boundaries should be 1 less than the length of values\n  Hint: "
            f"{len(boundaries)} boundaries split the steps into {len(boundaries) + 1} pieces, "
            f"one value each; got {len(values)} values."
        )
    g = registry.graph_for([x])
    with g.as_default():
        x = convert_to_tensor(x)
        bounds = [convert_to_tensor(b) for b in boundaries]
        vals = [convert_to_tensor(v) for v in values]
        if len({v.dtype.base_dtype for v in vals}) != 1:
            raise ValueError(
                "Values must have elements all with the same dtype "
                f"({', '.join(v.dtype.base_dtype.name for v in vals)})."
            )
        bounds = [cast_ops.cast(b, x.dtype.base_dtype) for b in bounds]
        with g.name_scope(name or "PiecewiseConstant"):
            preds = [math_ops.less_equal(x, bounds[0]), math_ops.greater(x, bounds[-1])]
            for low, high in zip(bounds[:-1], bounds[1:], strict=True):
                preds.append(
                    math_ops.logical_and(math_ops.greater(x, low), math_ops.less_equal(x, high))
                )
            out = vals[-1]
            for pred, v in zip(preds[2:], vals[1:-1], strict=True):
                out = where_ops.where(pred, v, out)
            out = where_ops.where(preds[0], vals[0], out)
            # TensorFlow picks the piece with tf.case; its result is named case/cond/Merge
            return array_ops.identity(out, name="case/cond/Merge")
