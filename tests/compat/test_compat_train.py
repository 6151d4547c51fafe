"""Training against real TensorFlow: tf.gradients, optimizers, global step, scopes, Saver; and
tf.nn, losses, random ops, initializers and variables as an audit against ``tf.compat.v1``
pinned them (values, dtypes, static shapes and names by ``compare``; errors by class).

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

from .conftest import compare, construction_error, run_program

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
        except Exception as e:  # compared with TensorFlow's
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


LOGITS = [[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]
LABELS = [[1.0, 0.0, 0.0], [0.0, 0.3, 0.7]]
ACTIVATIONS_X = [[-2.0, -0.5, 0.0, 0.5, 3.0, 7.0]]


# -- softmax family and cross-entropies ----------------------------------------------------


@pytest.mark.parametrize("row", [[np.inf, 0.0], [-np.inf, 0.0], [-np.inf, -np.inf]])
def test_softmax_family_with_infinite_logits(tf1: Any, row: list[float]) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant([row], tf.float32)
        return [
            tf.nn.softmax(x),
            tf.nn.log_softmax(x),
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.5, 0.5]], logits=x),
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=x),
        ]

    compare(tf1, build)


@pytest.mark.parametrize(
    "fn", ["softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2"]
)
@pytest.mark.parametrize(
    "labels_shape, logits_shape",
    [(None, [None, 3]), (None, None), ([None, 3], None), ([None, None], [None, None])],
)
def test_softmax_xent_with_unknown_shapes(
    tf1: Any, fn: str, labels_shape: Any, logits_shape: Any
) -> None:
    """Tutorials write y_ = tf.placeholder(tf.float32) with no shape."""

    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.float32, labels_shape)
        x = tf.placeholder(tf.float32, logits_shape)
        loss = getattr(tf.nn, fn)(labels=y, logits=x)
        return [loss, tf.reduce_mean(loss)], {y: LABELS, x: LOGITS}

    compare(tf1, build)


@pytest.mark.parametrize(
    "labels_shape, logits_shape", [(None, None), ([None], None), (None, [None, 3])]
)
def test_sparse_xent_with_unknown_shapes(tf1: Any, labels_shape: Any, logits_shape: Any) -> None:
    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.int32, labels_shape)
        x = tf.placeholder(tf.float32, logits_shape)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
        return loss, {y: [0, 2], x: LOGITS}

    compare(tf1, build)


def test_losses_softmax_cross_entropy_with_unshaped_labels(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.float32)
        x = tf.placeholder(tf.float32, [None, 3])
        return tf.losses.softmax_cross_entropy(y, x), {y: LABELS, x: LOGITS}

    compare(tf1, build)


def test_weighted_cross_entropy(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        logits = tf.constant(LOGITS)
        z = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]]
        a = tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=logits, pos_weight=2.0)
        b = tf.nn.weighted_cross_entropy_with_logits(
            labels=z, logits=logits, pos_weight=0.5, name="w"
        )
        return [a, b, tf.gradients(tf.reduce_sum(a), logits)[0]]

    compare(tf1, build)


# -- activations, top k --------------------------------------------------------------------


@pytest.mark.parametrize("fn", ["selu", "softsign", "crelu", "swish"])
def test_more_activations_and_their_gradients(tf1: Any, fn: str) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant(ACTIVATIONS_X)
        y = getattr(tf.nn, fn)(x)
        return [y, tf.gradients(tf.reduce_sum(y * y), x)[0]]

    # swish's gradient is a custom-gradient function in TensorFlow: compare its value only
    compare(tf1, build, names=fn != "swish")


@pytest.mark.parametrize("fn", ["selu", "crelu"])
def test_activation_names(tf1: Any, fn: str) -> None:
    compare(tf1, lambda tf: getattr(tf.nn, fn)(tf.constant(ACTIVATIONS_X, tf.float64), name="act"))


def test_in_top_k(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        p = tf.placeholder(tf.float32, [None, 4])
        hits = [
            tf.nn.in_top_k(p, [1, 2, 3], 1),
            tf.nn.in_top_k(p, tf.constant([1, 0, 5], tf.int64), 2, name="top2"),
        ]
        acc = tf.reduce_mean(tf.cast(hits[0], tf.float32))
        feed = [[1.0, 3.0, 3.0, 2.0], [1.0, np.nan, 3.0, 2.0], [0.0, 1.0, 2.0, 4.0]]
        return [*hits, acc], {p: feed}

    compare(tf1, build)


def test_top_k(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant([[1.0, 3.0, 3.0, 2.0], [4.0, -1.0, 0.0, 4.5]])
        values, indices = tf.nn.top_k(x, 2)
        ints = tf.nn.top_k([3, 1, 2], k=2, name="ints")
        grad = tf.gradients(tf.reduce_sum(values * [[1.0, 2.0]]), x)[0]
        return [values, indices, ints.values, ints.indices, grad]

    compare(tf1, build, names=False)
    tf_err, _ = construction_error(tf1, lambda tf: tf.nn.top_k([1, 2], 3))
    assert "last dimension >= k = 3" in str(tf_err)


def test_top_k_fetches_a_namedtuple(tf1: Any) -> None:
    _, tf_res = run_program(tf1, lambda tf: tf.nn.top_k([[1.0, 3.0, 2.0]], 2))
    _, tt_res = run_program(teachflow, lambda tf: tf.nn.top_k([[1.0, 3.0, 2.0]], 2))
    assert type(tt_res).__name__ == type(tf_res).__name__ == "TopKV2"
    np.testing.assert_array_equal(tt_res.indices, tf_res.indices)


# -- learning-rate schedules ----------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 7, 15, 25])
def test_learning_rate_schedules(tf1: Any, step: int) -> None:
    def build(tf: Any) -> Any:
        gs = tf.train.get_or_create_global_step()
        return [
            tf.train.exponential_decay(0.1, gs + step, 10, 0.5),
            tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True, name="lr"),
            tf.train.inverse_time_decay(0.1, step, 10, 0.3, staircase=True),
            tf.train.natural_exp_decay(0.1, step, 10, 0.3),
            tf.train.polynomial_decay(0.1, step, 20, 0.01, power=0.5),
            tf.train.polynomial_decay(0.1, step, 10, 0.01, cycle=True, name="cyc"),
            tf.train.cosine_decay(0.1, step, 20, alpha=0.1),
            tf.train.piecewise_constant(tf.constant(step), [5, 15, 20], [1.0, 0.5, 0.1, 0.01]),
        ]

    compare(tf1, build)


def test_exponential_decay_of_float64_rate(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        gs = tf.train.get_or_create_global_step()
        return tf.train.exponential_decay(tf.constant(0.1, tf.float64), gs, 100, 0.96)

    compare(tf1, build)


def test_training_with_a_decaying_rate(tf1: Any) -> None:
    def steps(tf: Any) -> list[Any]:
        with tf.Graph().as_default():
            gs = tf.train.get_or_create_global_step()
            lr = tf.train.exponential_decay(0.5, gs, 2, 0.5, staircase=True)
            w = tf.Variable(3.0)
            train = tf.train.GradientDescentOptimizer(lr).minimize(tf.square(w), global_step=gs)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return [sess.run([lr, train, w]) for _ in range(5)]

    for a, b in zip(steps(tf1), steps(teachflow), strict=True):
        np.testing.assert_allclose(b[0], a[0], rtol=1e-6)
        np.testing.assert_allclose(b[2], a[2], rtol=1e-6)


def test_schedule_errors(tf1: Any) -> None:
    construction_error(tf1, lambda tf: tf.train.exponential_decay(0.1, None, 10, 0.5))
    construction_error(
        tf1, lambda tf: tf.train.piecewise_constant(tf.constant(1), [5, 15], [1.0, 0.5])
    )


# -- variables -------------------------------------------------------------------------------


def test_variable_shape_arguments(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        a = tf.Variable(lambda: [1.0, 2.0], name="from_fn")
        b = tf.Variable([1.0, 2.0], validate_shape=False, name="unvalidated")
        assert str(b.shape) == "<unknown>"
        assert a.initial_value.op.name == "from_fn/Initializer/initial_value"
        return [a, b]

    compare(tf1, build)
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            # (TensorFlow cannot run the initializer of a partially known shape)
            assert str(lib.Variable([1.0, 2.0], shape=[None]).shape) == "(?,)"
    construction_error(tf1, lambda tf: tf.Variable([1.0, 2.0], shape=[3]))


def test_variable_constraint(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        def clip(t: Any) -> Any:
            return tf.clip_by_value(t, 0.0, 1.0)

        v = tf.Variable([2.0], constraint=clip)
        assert v.constraint is clip and tf.Variable(1.0).constraint is None
        return v

    compare(tf1, build)


def test_initialized_value_is_named_like_the_cond(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0], name="v")
        w = tf.Variable(v.initialized_value() * 2.0, name="w")
        return [v.initialized_value(), w]

    compare(tf1, build)


def test_count_up_to(tf1: Any) -> None:
    def counts(tf: Any) -> list[Any]:
        with tf.Graph().as_default():
            v = tf.Variable(0, name="n")
            nxt = v.count_up_to(2)
            alias = tf.count_up_to(v, 3, name="cu")
            assert (nxt.name, alias.name, str(nxt.shape)) == ("CountUpTo:0", "cu:0", "()")
            with tf.Session() as sess:
                sess.run(v.initializer)
                out: list[Any] = [sess.run(nxt), sess.run(nxt)]
                with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
                    sess.run(nxt)
                return [*out, sess.run(v), sess.run(alias), sess.run(v)]

    assert [np.asarray(x).tolist() for x in counts(teachflow)] == [
        np.asarray(x).tolist() for x in counts(tf1)
    ]


@pytest.mark.parametrize(
    "fn, args",
    [
        ("scatter_update", ([0, 2], [5.0, 6.0])),
        ("scatter_add", ([1, 1], [10.0, 1.0])),
        ("scatter_sub", ([[0]], [[1.0]])),
        ("scatter_mul", ([0], [2.0])),
        ("scatter_div", ([2], [4.0])),
        ("scatter_max", ([0, 1], [0.0, 9.0])),
        ("scatter_min", ([0, 1], [0.0, 9.0])),
    ],
)
def test_scatter_updates(tf1: Any, fn: str, args: Any) -> None:
    compare(tf1, lambda tf: getattr(tf, fn)(tf.Variable([1.0, 2.0, 3.0]), *args))


def test_scatter_rows_and_errors(tf1: Any) -> None:
    compare(tf1, lambda tf: tf.scatter_update(tf.Variable([[1, 2], [3, 4]]), [1], [[7, 8]]))
    compare(tf1, lambda tf: tf.scatter_update(tf.Variable([1.0, 2.0]), [5], [1.0]))
    construction_error(tf1, lambda tf: tf.scatter_update(tf.Variable([1.0, 2.0]), [0], [1.0, 2.0]))


def test_report_and_assert_initialized(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        tf.Variable(1.0, name="a")
        return [
            tf.report_uninitialized_variables(),
            tf.report_uninitialized_variables([], name="none"),
            tf.assert_variables_initialized(),
        ]

    compare(tf1, build)

    def uninitialized(tf: Any) -> Any:
        v = tf.Variable(1.0, name="a")
        check = tf.assert_variables_initialized([v])
        return tf.identity(check)

    for lib in (tf1, teachflow):
        with lib.Graph().as_default(), lib.Session() as sess:
            with pytest.raises(lib.errors.FailedPreconditionError):
                sess.run(uninitialized(lib))


# -- random ops, initializers, gradients -------------------------------------------------


def test_multinomial_and_categorical(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        logits = tf.log([[0.0, 1.0], [1.0, 0.0]])
        a = tf.multinomial(logits, 5)
        b = tf.random.categorical(logits, 3, dtype=tf.int32, name="cat")
        c = tf.multinomial([[1.0, 1.0, 1.0]], 4, seed=3)
        return [a, b, tf.shape(c), tf.reduce_max(c) < 3]

    compare(tf1, build)


def test_get_seed(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            assert lib.get_seed(None) == (None, None)
            assert lib.get_seed(3) == (87654321, 3)


@pytest.mark.parametrize(
    "make",
    [
        lambda tf: tf.initializers.zeros(),
        lambda tf: tf.initializers.constant(2.0),
        lambda tf: tf.initializers.identity(gain=2.0),
        lambda tf: tf.initializers.glorot_uniform(),
        lambda tf: tf.initializers.he_normal(),
        lambda tf: tf.initializers.lecun_uniform(),
        lambda tf: tf.uniform_unit_scaling_initializer(factor=1.5),
    ],
)
def test_initializers_namespace(tf1: Any, make: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.get_variable("v", [3, 4], initializer=make(tf))
        return [tf.shape(v), tf.reduce_max(tf.abs(v)) < 10.0]

    compare(tf1, build)


def test_uniform_unit_scaling_limit(tf1: Any) -> None:
    # limit = factor * sqrt(3 / 400)
    compare(
        tf1,
        lambda tf: tf.reduce_all(
            tf.abs(tf.uniform_unit_scaling_initializer(factor=2.0, seed=1)([400, 3])) <= 0.1733
        ),
    )


def test_unconnected_gradients_enum(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        x, y = tf.constant(3.0), tf.constant([2.0, 1.0])
        zero = tf.UnconnectedGradients.ZERO
        assert zero.value == "zero" and tf.UnconnectedGradients.NONE.value == "none"
        return tf.gradients(x * 2.0, [x, y], unconnected_gradients=zero)

    compare(tf1, build)


# -- losses --------------------------------------------------------------------------------


def test_more_losses(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        p = tf.constant(LOGITS)
        huber = tf.losses.huber_loss(LABELS, p, delta=0.5, weights=[[1.0], [2.0]])
        return [
            tf.losses.huber_loss(LABELS, p),
            huber,
            tf.gradients(huber, p)[0],
            tf.losses.hinge_loss([[1.0], [0.0]], [[0.8], [-0.3]]),
            tf.losses.hinge_loss([[1.0], [0.0]], [[0.8], [-0.3]], reduction="none", scope="h"),
            tf.losses.cosine_distance([[1.0, 0.0]], [[0.6, 0.8]], axis=1),
            tf.losses.cosine_distance([[1.0, 0.0]], [[0.6, 0.8]], dim=0, reduction="none"),
            tf.add_n(tf.losses.get_losses()[:3]),
        ]

    compare(tf1, build)
    construction_error(tf1, lambda tf: tf.losses.cosine_distance([[1.0]], [[1.0]]))


# -- tf.hessians --------------------------------------------------------------------------------


def test_hessians(tf1):
    def build(tf):
        x = tf.constant([1.0, 2.0, 3.0])
        m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        h = tf.hessians(tf.reduce_sum(x * x * x) + tf.reduce_prod(x), x)
        h += tf.hessians(tf.reduce_sum(tf.matmul(m, m)) + tf.reduce_sum(x * x * m[0, 0]), [m, x])
        h += tf.hessians(tf.reduce_sum(tf.sin(m) * m), m, name="hh")
        return h

    compare(tf1, build)


def test_hessians_of_a_variable_through_gather(tf1):
    def build(tf):
        p = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
        return tf.hessians(tf.reduce_sum(tf.gather(p, [1, 1]) ** 3), p)

    compare(tf1, build, names=False)


def test_hessians_need_a_second_derivative(tf1):
    def linear(tf):
        x = tf.constant([1.0, 2.0])
        return tf.hessians(tf.reduce_sum(x * 2.0), x)

    tf_err, tt_err = construction_error(tf1, linear)
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]


# -- Adadelta, ProximalGradientDescent, Ftrl -------------------------------------------------------


MORE_OPTIMIZERS = {
    "adadelta": lambda tf: tf.train.AdadeltaOptimizer(1.0),
    "adadelta-args": lambda tf: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=1e-6),
    "proximal": lambda tf: tf.train.ProximalGradientDescentOptimizer(0.05),
    "proximal-l1-l2": lambda tf: tf.train.ProximalGradientDescentOptimizer(
        0.05, l1_regularization_strength=0.05, l2_regularization_strength=0.2
    ),
    "ftrl": lambda tf: tf.train.FtrlOptimizer(0.1),
    "ftrl-power-l1-l2": lambda tf: tf.train.FtrlOptimizer(
        0.1,
        learning_rate_power=-0.7,
        l1_regularization_strength=0.01,
        l2_regularization_strength=0.1,
    ),
    "ftrl-shrinkage": lambda tf: tf.train.FtrlOptimizer(
        0.2, l2_shrinkage_regularization_strength=0.1, l1_regularization_strength=0.001
    ),
    "ftrl-beta-names": lambda tf: tf.train.FtrlOptimizer(
        0.2, beta=0.5, l2_regularization_strength=0.1, accum_name="acc", linear_name="lin"
    ),
}


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("name", sorted(MORE_OPTIMIZERS))
def test_more_optimizers_first_five_steps(tf1, name, sparse):
    batches = [[0, 2, 2], [1], [3, 0], [2, 2, 2], [0]]
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            p = lib.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 4 - 1.0, name="emb")
            w = lib.Variable(np.array([1.5, -0.5, 0.25], np.float32), name="w")
            idx = lib.placeholder(lib.int32, [None])
            if sparse:
                rows = lib.gather(p, idx)
            else:
                rows = p * lib.reduce_sum(lib.one_hot(idx, 4), 0)[:, None]
            loss = lib.reduce_sum(lib.square(rows * w - 1.0))
            opt = MORE_OPTIMIZERS[name](lib)
            step = opt.minimize(loss)
            names = sorted(v.op.name for v in lib.global_variables())
            slots = opt.get_slot_names(), [opt.get_slot(p, s).op.name for s in opt.get_slot_names()]
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                trace = []
                for ids in batches:
                    sess.run(step, {idx: ids})
                    trace.append(sess.run([p, w]))
            results.append((names, slots, step.name, trace))
    (tf_names, tf_slots, tf_step, tf_trace), (tt_names, tt_slots, tt_step, tt_trace) = results
    assert (tt_names, tt_slots, tt_step) == (tf_names, tf_slots, tf_step)
    for a, b in zip(tf_trace, tt_trace):
        for x, y in zip(a, b):
            np.testing.assert_allclose(y, x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"learning_rate_power": 0.5},
        {"initial_accumulator_value": -0.1},
        {"l1_regularization_strength": -1.0},
        {"l2_regularization_strength": -1.0},
        {"l2_shrinkage_regularization_strength": -1.0},
    ],
)
def test_ftrl_argument_errors(tf1, kwargs):
    tf_err, tt_err = construction_error(tf1, lambda tf: tf.train.FtrlOptimizer(0.1, **kwargs))
    assert str(tt_err) == str(tf_err)
