"""Training against real TensorFlow: tf.gradients, optimizers, global step, scopes, Saver.

The optimizers must take the same first steps as TensorFlow's (to 1e-5) and build the same
graph around the gradients (slot variables, update ops, their names and inputs). Gradient ops
themselves are named by each op's gradient function (tested with those ops); here only the
names tf.gradients itself gives (scopes, AddN, grad_ys, gating) are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]], np.float32)
Y = np.array([[1.0], [0.0], [2.0]], np.float32)

OPTIMIZERS: dict[str, Callable[[Any], Any]] = {
    "gradient_descent": lambda tf: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda tf: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda tf: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adagrad": lambda tf: tf.train.AdagradOptimizer(0.3, initial_accumulator_value=0.2),
    "rmsprop": lambda tf: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5),
    "rmsprop_centered": lambda tf: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
    "adam": lambda tf: tf.train.AdamOptimizer(0.1),
}


def regression(tf: Any) -> tuple[Any, Any, Any]:
    w = tf.Variable([[0.5], [-0.3]], name="W")
    b = tf.Variable([0.1], name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(X, w) + b - Y))
    return w, b, loss


def five_steps(tf: Any, make: Callable[[Any], Any]) -> dict[str, Any]:
    with tf.Graph().as_default() as g:
        _, _, loss = regression(tf)
        step = tf.train.get_or_create_global_step()
        train = make(tf).minimize(loss, global_step=step)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            values = []
            for _ in range(5):
                sess.run(train)
                values.append(sess.run(variables))
        return {
            "train": (train.name, train.type),
            "values": values,
            "trainable": sorted(v.op.name for v in tf.trainable_variables()),
        }


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_first_five_steps_match_tensorflow(tf1: Any, name: str) -> None:
    want = five_steps(tf1, OPTIMIZERS[name])
    got = five_steps(teachflow, OPTIMIZERS[name])
    assert got["train"] == want["train"]
    assert got["trainable"] == want["trainable"] == ["W", "b"]
    for i, (a, b) in enumerate(zip(want["values"], got["values"])):
        assert sorted(a) == sorted(b), "variables (and slots) differ"
        for var in a:
            np.testing.assert_allclose(
                b[var], a[var], rtol=1e-5, atol=1e-5, err_msg=f"{name}: {var} after step {i + 1}"
            )
            assert np.asarray(b[var]).dtype == np.asarray(a[var]).dtype


def _masked(name: str) -> str:
    # gradient tensors are named by each op's gradient function; mask them
    return "<gradient>" if name.startswith("gradients/") else name


def optimizer_graph(tf: Any, make: Callable[[Any], Any], **minimize: Any) -> list[Any]:
    """(name, type, inputs) of every op minimize adds outside the gradients scope."""
    with tf.Graph().as_default() as g:
        _, _, loss = regression(tf)
        if minimize.pop("with_step", False):
            minimize["global_step"] = tf.train.get_or_create_global_step()
        before = len(g.get_operations())
        make(tf).minimize(loss, **minimize)
        return [
            (op.name, op.type, [_masked(t.name) for t in op.inputs])
            for op in g.get_operations()[before:]
            if not op.name.startswith("gradients")
        ]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_graph_matches_tensorflow(tf1: Any, name: str) -> None:
    assert optimizer_graph(teachflow, OPTIMIZERS[name]) == optimizer_graph(tf1, OPTIMIZERS[name])


def test_minimize_with_global_step_and_name_matches_tensorflow(tf1: Any) -> None:
    make = OPTIMIZERS["adam"]
    want = optimizer_graph(tf1, make, with_step=True, name="train")
    assert optimizer_graph(teachflow, make, with_step=True, name="train") == want


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_float64_variables_match_tensorflow(tf1: Any, name: str) -> None:
    """float32 hyperparameters are cast to the variable's dtype (ops update_W/Cast...)."""

    def run(tf: Any) -> tuple[list[Any], list[Any]]:
        with tf.Graph().as_default() as g:
            w = tf.Variable(np.array([1.0, -2.0]), name="W")
            before = len(g.get_operations())
            train = OPTIMIZERS[name](tf).minimize(tf.reduce_sum(w * w * w))
            ops = [(op.name, op.type) for op in g.get_operations()[before:]]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                values = []
                for _ in range(3):
                    sess.run(train)
                    values.append(sess.run(w))
            return [op for op in ops if not op[0].startswith("gradients")], values

    (want_ops, want), (got_ops, got) = run(tf1), run(teachflow)
    assert got_ops == want_ops
    for a, b in zip(want, got):
        assert b.dtype == a.dtype == np.float64
        np.testing.assert_allclose(b, a, rtol=1e-6)


def test_get_started_regression_matches_tensorflow(tf1: Any) -> None:
    x_data = np.random.default_rng(3).random(100).astype(np.float32)
    y_data = x_data * 0.1 + 0.3

    def fit(tf: Any) -> list[Any]:
        with tf.Graph().as_default():
            W = tf.Variable([0.7], name="W")
            b = tf.Variable(tf.zeros([1]))
            loss = tf.reduce_mean(tf.square(W * x_data + b - y_data))
            train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(200):
                    sess.run(train)
                return sess.run([W, b])

    want, got = fit(tf1), fit(teachflow)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, [[0.1], [0.3]], atol=1e-4)


def test_no_gradients_error_matches_tensorflow(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        w = tf.Variable(1.0, name="w")
        return tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(2.0), var_list=[w])

    tf_err, tt_err = construction_error(tf1, build)
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]


def test_global_step_matches_tensorflow(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        step = tf.train.get_or_create_global_step()
        assert tf.train.get_or_create_global_step() is step
        return [step, tf.get_default_graph().get_tensor_by_name("global_step/read:0")]

    compare(tf1, build)


# -- tf.gradients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda tf, x: x * x * x,
        lambda tf, x: tf.reduce_sum(tf.square(tf.matmul(x, tf.transpose(x)))),
        lambda tf, x: tf.nn.softmax(x) * tf.sigmoid(x) + tf.exp(-x),
        lambda tf, x: tf.reduce_mean(x, axis=0) * tf.reduce_sum(x),
        lambda tf, x: tf.maximum(x, 0.5) / (1.0 + tf.abs(x)),
    ],
    ids=["cube", "matmul", "activations", "reductions", "maximum_div"],
)
def test_gradient_values_match_tensorflow(tf1: Any, build: Callable[..., Any]) -> None:
    def program(tf: Any) -> Any:
        x = tf.constant(X)
        y = build(tf, x)
        (dx,) = tf.gradients(y, x)
        (d2x,) = tf.gradients(tf.reduce_sum(dx * dx), x)  # gradients of gradients
        return [dx, d2x]

    compare(tf1, program, names=False)


def test_gradient_names_given_by_tf_gradients_match_tensorflow(tf1: Any) -> None:
    def program(tf: Any) -> Any:
        x = tf.constant(3.0, name="x")
        z = tf.constant([1.0, 2.0], name="z")
        a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
        (sum_of_two,) = tf.gradients(x * x, x)
        (given,) = tf.gradients(x, x, grad_ys=5.0)
        (zeros,) = tf.gradients(x * 2.0, z, unconnected_gradients="zero")
        da, db = tf.gradients(tf.multiply(a, b, name="m"), [a, b], gate_gradients=True)
        (second,) = tf.gradients(x * 2.0, x, name="mine")
        return [sum_of_two, given, zeros, da, db, second]

    compare(tf1, program)


def test_unconnected_integer_and_stopped_gradients_match_tensorflow(tf1: Any) -> None:
    def program(tf: Any) -> dict[str, Any]:
        n = tf.constant(3)
        x = tf.constant(2.0)
        a = tf.constant(1.0)
        b = 2.0 * a
        out = {
            "int_and_float": tf.gradients(tf.cast(n, tf.float32) * x, [n, x]),
            "stop_op": tf.gradients(tf.stop_gradient(x * x) + x, [x]),
            "stopped_tensors": tf.gradients(a + b, [a, b], stop_gradients=[a, b]),
            "unconnected": tf.gradients(x * 2.0, [a]),
        }
        return {k: [g if g is not None else tf.constant("none") for g in v] for k, v in out.items()}

    compare(tf1, program, names=False)


# -- variable scopes ------------------------------------------------------------------------------


def test_variable_scope_names_match_tensorflow(tf1: Any) -> None:
    def program(tf: Any) -> list[Any]:
        out = []
        with tf.variable_scope("foo") as foo:
            out.append(tf.get_variable("v", [2], initializer=tf.zeros_initializer()))
            out.append(tf.constant(1.0))
            with tf.variable_scope("bar"):
                out.append(tf.get_variable("w", [], dtype=tf.int32))
        with tf.variable_scope("foo", reuse=True):
            out.append(tf.get_variable("v"))
            out.append(tf.constant(2.0))
        with tf.variable_scope(foo):
            out.append(tf.constant(3.0))
        for _ in range(2):
            with tf.variable_scope(None, default_name="layer"):
                out.append(tf.get_variable("k", [1], initializer=tf.ones_initializer()))
        with tf.name_scope("ns"), tf.variable_scope("vs"):
            out.append(tf.get_variable("q", initializer=tf.constant([1.0, 2.0])))
            out.append(tf.constant(4))
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            out.append(tf.get_variable("a", [1], initializer=tf.ones_initializer()))
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            out.append(tf.get_variable("a", [1]))
        return out

    compare(tf1, program)


@pytest.mark.parametrize(
    "build",
    [
        lambda tf: [tf.get_variable("v", [1]), tf.get_variable("v", [1])],
        lambda tf: tf.get_variable("v"),
        lambda tf: tf.get_variable("v", [1], initializer=tf.constant([1.0])),
    ],
    ids=["exists", "no_shape", "constant_and_shape"],
)
def test_get_variable_errors_match_tensorflow(tf1: Any, build: Callable[[Any], Any]) -> None:
    tf_err, tt_err = construction_error(tf1, build)
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]


# -- Saver ---------------------------------------------------------------------------------------


def saver_graph(tf: Any) -> list[Any]:
    with tf.Graph().as_default() as g:
        tf.Variable([1.0, 2.0], name="v")
        tf.Variable(3, name="c")
        tf.train.Saver()
        s2 = tf.train.Saver(max_to_keep=2)
        ops = [
            (op.name, op.type, [t.name for t in op.inputs])
            for op in g.get_operations()
            if op.name.startswith("save")
        ]
        return ops + [str(s2.saver_def)]


def test_saver_graph_matches_tensorflow(tf1: Any) -> None:
    assert saver_graph(teachflow) == saver_graph(tf1)


def _save_errors(tf: Any, folder: Path) -> list[tuple[str, str]]:
    """(class, first line) of each failing save/restore, and the state file text."""
    out = []

    def attempt(fn: Callable[[], Any]) -> None:
        try:
            fn()
            out.append(("ok", ""))
        except Exception as e:  # noqa: BLE001 - compared with TensorFlow's
            out.append((type(e).__name__, str(e).splitlines()[0]))

    with tf.Graph().as_default():
        attempt(lambda: tf.train.Saver())
        tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            attempt(lambda: saver.save(sess, "nonexistdir/sub/model"))
            attempt(lambda: saver.save(sess, str(folder / "model"), global_step=3))
            attempt(lambda: saver.restore(sess, str(folder / "nonexist")))
    for graph in (
        lambda: [tf.Variable([1.0, 2.0], name="v"), tf.Variable(1.0, name="extra")],
        lambda: tf.Variable(1.0, name="v"),
        lambda: tf.Variable([1, 2], name="v"),
    ):
        with tf.Graph().as_default():
            graph()
            with tf.Session() as sess:
                attempt(lambda: tf.train.Saver().restore(sess, str(folder / "model-3")))
    out.append(("state", (folder / "checkpoint").read_text()))
    return out


def test_saver_errors_and_state_file_match_tensorflow(
    tf1: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tf").mkdir()
    (tmp_path / "tt").mkdir()
    want = _save_errors(tf1, Path("tf"))
    got = _save_errors(teachflow, Path("tt"))
    assert [c for c, _ in got] == [c for c, _ in want]
    for (_, a), (_, b) in zip(got, want):
        assert a == b.replace("tf/", "tt/")
