"""tf.train optimizers: update rules (against numpy), slots, op names, global step, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops import training_ops

W0 = np.array([1.0, -2.0, 0.5], np.float32)
TARGET = np.array([0.5, 0.5, 0.5], np.float32)


pytestmark = pytest.mark.usefixtures("fresh_graph")


def quadratic() -> tuple[tf.Variable, Any]:
    """loss = sum((w - target)^2); dloss/dw = 2 (w - target)."""
    w = tf.Variable(W0, name="w")
    return w, tf.reduce_sum(tf.square(w - TARGET))


def steps(opt: tf.train.Optimizer, n: int) -> list[np.ndarray]:
    w, loss = quadratic()
    train = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = []
        for _ in range(n):
            sess.run(train)
            out.append(sess.run(w))
    return out


def numpy_reference(rule: Callable[[np.ndarray, np.ndarray, dict[str, Any]], np.ndarray], n: int):
    w = W0.astype(np.float64)
    state: dict[str, Any] = {"t": 0}
    out = []
    for _ in range(n):
        state["t"] += 1
        w = rule(w, 2 * (w - TARGET), state)
        out.append(w.copy())
    return out


def momentum_rule(lr: float, mu: float, nesterov: bool = False) -> Callable[..., np.ndarray]:
    def rule(w: np.ndarray, g: np.ndarray, s: dict[str, Any]) -> np.ndarray:
        s["a"] = mu * s.get("a", 0.0) + g
        return w - lr * (g + mu * s["a"]) if nesterov else w - lr * s["a"]

    return rule


def adagrad_rule(lr: float, init: float) -> Callable[..., np.ndarray]:
    def rule(w: np.ndarray, g: np.ndarray, s: dict[str, Any]) -> np.ndarray:
        s["acc"] = s.get("acc", init) + g * g
        return w - lr * g / np.sqrt(s["acc"])

    return rule


def rmsprop_rule(lr: float, decay: float, mu: float, eps: float, centered: bool):
    def rule(w: np.ndarray, g: np.ndarray, s: dict[str, Any]) -> np.ndarray:
        s["ms"] = decay * s.get("ms", 1.0) + (1 - decay) * g * g
        denom = s["ms"] + eps
        if centered:
            s["mg"] = decay * s.get("mg", 0.0) + (1 - decay) * g
            denom = denom - s["mg"] ** 2
        s["mom"] = mu * s.get("mom", 0.0) + lr * g / np.sqrt(denom)
        return w - s["mom"]

    return rule


def adam_rule(lr: float, b1: float, b2: float, eps: float) -> Callable[..., np.ndarray]:
    def rule(w: np.ndarray, g: np.ndarray, s: dict[str, Any]) -> np.ndarray:
        t = s["t"]
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        return w - lr_t * s["m"] / (np.sqrt(s["v"]) + eps)

    return rule


CASES = {
    "gd": (
        lambda: tf.train.GradientDescentOptimizer(0.1),
        lambda w, g, s: w - 0.1 * g,
    ),
    "momentum": (lambda: tf.train.MomentumOptimizer(0.1, 0.9), momentum_rule(0.1, 0.9)),
    "nesterov": (
        lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
        momentum_rule(0.1, 0.9, nesterov=True),
    ),
    "adagrad": (lambda: tf.train.AdagradOptimizer(0.3), adagrad_rule(0.3, 0.1)),
    "rmsprop": (
        lambda: tf.train.RMSPropOptimizer(0.05, decay=0.8, momentum=0.5),
        rmsprop_rule(0.05, 0.8, 0.5, 1e-10, centered=False),
    ),
    "rmsprop_centered": (
        lambda: tf.train.RMSPropOptimizer(0.05, decay=0.8, momentum=0.5, centered=True),
        rmsprop_rule(0.05, 0.8, 0.5, 1e-10, centered=True),
    ),
    "adam": (lambda: tf.train.AdamOptimizer(0.1), adam_rule(0.1, 0.9, 0.999, 1e-8)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_steps_follow_the_update_rule(case: str) -> None:
    make, rule = CASES[case]
    got = steps(make(), 6)
    want = numpy_reference(rule, 6)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"{case}, step {i + 1}")


@pytest.mark.parametrize("case", list(CASES))
def test_every_optimizer_reduces_a_quadratic(case: str) -> None:
    make, _ = CASES[case]
    w = steps(make(), 200)[-1]
    start = float(np.sum((W0 - TARGET) ** 2))
    assert float(np.sum((w - TARGET) ** 2)) < 0.05 * start


# -- slots ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "slots"),
    [
        (lambda: tf.train.GradientDescentOptimizer(0.1), {}),
        (lambda: tf.train.MomentumOptimizer(0.1, 0.9), {"momentum": "w/Momentum"}),
        (lambda: tf.train.AdagradOptimizer(0.1), {"accumulator": "w/Adagrad"}),
        (lambda: tf.train.RMSPropOptimizer(0.1), {"rms": "w/RMSProp", "momentum": "w/RMSProp_1"}),
        (lambda: tf.train.AdamOptimizer(0.1), {"m": "w/Adam", "v": "w/Adam_1"}),
    ],
)
def test_slots_are_named_as_tensorflow_names_them(make: Any, slots: dict[str, str]) -> None:
    w, loss = quadratic()
    opt = make()
    opt.minimize(loss)
    assert opt.get_slot_names() == sorted(slots)
    for slot, name in slots.items():
        var = opt.get_slot(w, slot)
        assert var.op.name == name
        assert var.shape == w.shape and var.dtype == w.dtype
        assert var in tf.global_variables() and var not in tf.trainable_variables()
    assert opt.get_slot(w, "nonexistent") is None
    assert tf.trainable_variables() == [w]


def test_slot_initial_values() -> None:
    w, loss = quadratic()
    adagrad = tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.25)
    rms = tf.train.RMSPropOptimizer(0.1)
    adam = tf.train.AdamOptimizer(0.1, beta1=0.8, beta2=0.7)
    for opt in (adagrad, rms, adam):
        opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(adagrad.get_slot(w, "accumulator")), [0.25] * 3)
        np.testing.assert_allclose(sess.run(rms.get_slot(w, "rms")), [1.0] * 3)
        np.testing.assert_allclose(sess.run(rms.get_slot(w, "momentum")), [0.0] * 3)
        np.testing.assert_allclose(sess.run(adam.get_slot(w, "m")), [0.0] * 3)
        b1, b2 = (v for v in adam.variables() if "power" in v.name)
        assert (b1.op.name, b2.op.name) == ("beta1_power", "beta2_power")
        assert sess.run([b1, b2]) == pytest.approx([0.8, 0.7])


def test_adam_beta_powers_advance_once_per_step() -> None:
    w, loss = quadratic()
    opt = tf.train.AdamOptimizer(0.1, beta1=0.5, beta2=0.25)
    train = opt.minimize(loss)
    b1 = tf.get_default_graph().get_tensor_by_name("beta1_power:0")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        assert sess.run(b1) == pytest.approx(0.5**4)


def test_two_optimizers_on_one_variable_get_separate_slots() -> None:
    w, loss = quadratic()
    a, b = tf.train.MomentumOptimizer(0.1, 0.9), tf.train.MomentumOptimizer(0.1, 0.5)
    a.minimize(loss)
    b.minimize(loss)
    slot_a, slot_b = a.get_slot(w, "momentum"), b.get_slot(w, "momentum")
    assert slot_a is not None and slot_b is not None
    assert (slot_a.op.name, slot_b.op.name) == ("w/Momentum", "w/Momentum_1")


# -- the graph ---------------------------------------------------------------------------------


def test_update_ops_are_named_per_variable() -> None:
    w, loss = quadratic()
    with tf.variable_scope("layer"):
        b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss + b)
    assert train.name == "GradientDescent" and train.type == "NoOp"
    updates = sorted(c.name for c in train.control_inputs)
    assert updates == [
        "GradientDescent/update_layer/b/ApplyGradientDescent",
        "GradientDescent/update_w/ApplyGradientDescent",
    ]
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]


def test_minimize_with_global_step_increments_it_after_the_updates() -> None:
    w, loss = quadratic()
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=step, name="train")
    assert train.type == "AssignAdd" and train.name == "train"
    # as in TensorFlow, the increment's constant carries the dependency on the updates (the
    # AssignAdd itself is dominated by that input)
    assert train.control_inputs == []
    value = train.inputs[1].op
    assert value.name == "train/value" and [c.name for c in value.control_inputs] == [
        "train/update"
    ]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        assert sess.run(step) == 3
        assert tf.train.global_step(sess, step) == 3


def test_learning_rate_may_be_a_tensor() -> None:
    w, loss = quadratic()
    lr = tf.placeholder(tf.float32, [])
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {lr: 0.0})
        np.testing.assert_array_equal(sess.run(w), W0)
        sess.run(train, {lr: 0.25})
        np.testing.assert_allclose(sess.run(w), W0 - 0.25 * 2 * (W0 - TARGET), rtol=1e-6)


def test_var_list_limits_what_is_updated() -> None:
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(a * b, var_list=[b])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run([a, b]) == pytest.approx([1.0, 0.5])


def test_compute_then_apply_gradients_with_processing() -> None:
    w, loss = quadratic()
    opt = tf.train.GradientDescentOptimizer(0.1)
    grads_and_vars = opt.compute_gradients(loss)
    assert [v for _, v in grads_and_vars] == [w]
    clipped = [(tf.clip_by_value(g, -0.1, 0.1), v) for g, v in grads_and_vars]
    train = opt.apply_gradients(clipped)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), W0 - 0.1 * np.clip(2 * (W0 - TARGET), -0.1, 0.1))


def test_float64_variables_get_a_cast_learning_rate() -> None:
    w = tf.Variable(np.array([2.0]), name="w")
    train = tf.train.MomentumOptimizer(0.5, 0.5).minimize(tf.reduce_sum(w * w))
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"Momentum/update_w/Cast", "Momentum/update_w/Cast_1"} <= names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        out = sess.run(w)
    assert out.dtype == np.float64 and out.tolist() == [0.0]


IN_PLACE = {
    "sgd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5),
    "centered rmsprop": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    "adam": lambda: tf.train.AdamOptimizer(0.1),
}


@pytest.mark.parametrize("name", IN_PLACE)
def test_updates_write_into_the_variables_own_buffers(name: str) -> None:
    """As TensorFlow's ref variables: the variable and its slots keep their buffers (a later
    read in the run sees the update), while a value fetched earlier never changes."""
    w, loss = quadratic()
    train = IN_PLACE[name]().minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        buffers = dict(sess.state.variables)
        fetched = sess.run(w)
        version = sess.state.version
        sess.run(train)
        for key, buf in buffers.items():
            assert sess.state.variables[key] is buf, f"{key} got a new buffer"
        assert sess.state.version > version  # views (the widgets) learn that w changed
        np.testing.assert_array_equal(fetched, W0)
        assert not np.array_equal(sess.run(w), W0)


@pytest.mark.parametrize("name", IN_PLACE)
def test_block_by_block_updates_equal_whole_array_updates(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large variables are updated a cache-sized block at a time: the same arithmetic."""
    whole = steps(IN_PLACE[name](), 3)
    monkeypatch.setattr(training_ops, "BLOCK", 2)  # W0's 3 elements: a block of 2, then 1
    with tf.Graph().as_default():
        blocked = steps(IN_PLACE[name](), 3)
    np.testing.assert_array_equal(blocked, whole)


def adam_nesterov_reference(n: int, lr: float = 0.1, b1: float = 0.9, b2: float = 0.999):
    w, m, v = W0.astype(np.float64), 0.0, 0.0
    out = []
    for t in range(1, n + 1):
        g = 2 * (w - TARGET)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - alpha * ((1 - b1) * g + b1 * m) / (np.sqrt(v) + 1e-8)
        out.append(w.copy())
    return out


def test_adam_nesterov_kernel_in_place_equals_the_formula() -> None:
    w, loss = quadratic()
    m = tf.Variable(np.zeros(3, np.float32), name="m")
    v = tf.Variable(np.zeros(3, np.float32), name="v")
    t = tf.placeholder(tf.float32, [])
    (g,) = tf.gradients(loss, [w])
    step = training_ops.apply_adam(
        w, m, v, 0.9**t, 0.999**t, 0.1, 0.9, 0.999, 1e-8, g, use_nesterov=True
    )
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        buf = sess.state.variables["w"]
        got = [sess.run(step, {t: float(k)}).copy() for k in range(1, 6)]
        assert sess.state.variables["w"] is buf
    np.testing.assert_allclose(got, adam_nesterov_reference(5), rtol=1e-5)


def test_update_of_a_read_only_buffer_takes_a_writeable_copy() -> None:
    w, loss = quadratic()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        frozen = W0.copy()
        frozen.flags.writeable = False
        sess.state.variables["w"] = frozen  # as a value restored from a read-only file could be
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), W0 - 0.5 * 2 * (W0 - TARGET))
        assert frozen.tolist() == W0.tolist()


# -- errors -------------------------------------------------------------------------------------


def test_no_gradients_error_names_the_variables_and_the_loss() -> None:
    w = tf.Variable(1.0, name="w")
    loss = tf.constant(3.0, name="loss")
    with pytest.raises(ValueError) as e:
        tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[w])
    assert str(e.value).startswith(
        "No gradients provided for any variable, check your graph for ops that do not support "
        "gradients, between variables [\"<tf.Variable 'w:0' shape=() dtype=float32_ref>\"] and "
        'loss Tensor("loss:0", shape=(), dtype=float32).'
    )


def test_apply_gradients_with_only_none_gradients() -> None:
    w = tf.Variable(1.0, name="w")
    with pytest.raises(ValueError, match=r"No gradients provided for any variable: \["):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([(None, w)])
    with pytest.raises(ValueError, match="No variables provided"):
        tf.train.GradientDescentOptimizer(0.1).apply_gradients([])


def test_no_trainable_variables() -> None:
    with pytest.raises(ValueError, match="No variables to optimize"):
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0))


def test_integer_loss_or_variable_is_rejected() -> None:
    n = tf.Variable(1, name="n")
    with pytest.raises(ValueError, match=r"Invalid type tf.int32 for"):
        tf.train.GradientDescentOptimizer(0.1).minimize(n * 2, var_list=[n])


def test_adagrad_needs_a_positive_accumulator() -> None:
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive: 0.0"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


def test_apply_op_checks_shapes_and_dtypes_while_building() -> None:
    w = tf.Variable([1.0, 2.0], name="w")
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal"):
        training_ops.apply_gradient_descent(w, 0.1, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        training_ops.apply_gradient_descent(w, [0.1, 0.2], [1.0, 2.0])
    with pytest.raises(TypeError, match="Input 'alpha' of 'ApplyGradientDescent' Op has type"):
        training_ops.apply_gradient_descent(w, tf.constant(0.1, tf.float64), [1.0, 2.0])
    with pytest.raises(TypeError, match="requires l-value input"):
        training_ops.apply_gradient_descent(w.value(), 0.1, [1.0, 2.0])


def test_update_of_an_uninitialized_slot_fails_like_tensorflow() -> None:
    w, loss = quadratic()
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    with tf.Session() as sess:
        sess.run(w.initializer)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value w/"):
            sess.run(train)


# -- global step ----------------------------------------------------------------------------------


def test_global_step_helpers() -> None:
    assert tf.train.get_global_step() is None
    step = tf.train.get_or_create_global_step()
    assert step.op.name == "global_step" and step.dtype == tf.int64._as_ref
    assert not step.trainable and step in tf.get_collection(tf.GraphKeys.GLOBAL_STEP)
    assert tf.train.get_or_create_global_step() is step
    with pytest.raises(ValueError, match='"global_step" already exists.'):
        tf.train.create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(step) == 0


def test_a_plain_variable_named_global_step_is_found_by_name() -> None:
    step = tf.Variable(0, name="global_step", trainable=False)
    found = tf.train.get_global_step()
    assert found is step._ref()


def test_global_step_must_be_an_integer_scalar() -> None:
    tf.Variable(0.5, name="global_step")
    with pytest.raises(TypeError, match='Existing "global_step" does not have integer type'):
        tf.train.get_global_step()
