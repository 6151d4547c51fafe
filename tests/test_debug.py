"""tf.debug: the first op making NaN or Inf, its hint and reach; the gradient recorder."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import teachflow as tf
from teachflow.python import debug as tf_debug


@pytest.fixture(autouse=True)
def _leave_a_fresh_graph() -> Iterator[None]:
    """These tests build in the default graph: the tests after them start from an empty one."""
    yield
    tf.reset_default_graph()


def broken_softmax_regression() -> tuple[dict[str, object], dict[object, object]]:
    """The classic hand-written cross-entropy: a zero probability meets tf.log."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y_ = tf.placeholder(tf.float32, [None, 2], name="y_")
    w = tf.Variable([[30.0, -30.0], [0.0, 0.0]], name="w")
    b = tf.Variable([0.0, 0.0], name="b")
    y = tf.nn.softmax(tf.matmul(x, w) + b)
    cross_entropy = -tf.reduce_sum(y_ * tf.log(y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(cross_entropy)
    feed = {x: [[100.0, 0.0]], y_: [[0.0, 1.0]]}
    return {"w": w, "b": b, "loss": cross_entropy, "train": train}, feed


def test_find_non_finite_names_the_log_of_zero() -> None:
    net, feed = broken_softmax_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    report = tf.debug.find_non_finite(sess, net["loss"], feed)
    assert report is not None
    assert report.op.type == "Log" and report.kind == "Inf"
    ((t, value),) = report.inputs
    assert t.op.type == "Softmax" and value.min() == 0.0
    assert "softmax_cross_entropy_with_logits" in report.hint and "clip_by_value" in report.hint
    assert (
        report.place is not None and "test_debug.py" in report.place and "tf.log(y)" in report.place
    )
    assert net["loss"].op.name in report.downstream
    assert "Softmax" not in report.downstream  # upstream of the origin, not reached
    text = str(report)
    assert "Tensor had Inf values" in text and "Hint:" in text


def test_a_watched_training_step_stops_before_writing_nan() -> None:
    net, feed = broken_softmax_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    before = sess.run(net["w"])
    with tf.debug.watch_non_finite(sess) as watch:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Tensor had Inf values") as info:
            sess.run(net["train"], feed)
    assert isinstance(info.value, tf.debug.NonFiniteError)
    assert info.value.op.type == "Log" and watch.report is info.value.report
    assert "softmax_cross_entropy_with_logits" in str(info.value)
    # the update after the origin did not run: the weights are unchanged and finite
    np.testing.assert_array_equal(sess.run(net["w"]), before)
    # the session stays usable, and outside the block runs are not watched
    assert np.isfinite(sess.run(net["w"])).all()
    loss = sess.run(net["loss"], feed)
    assert np.isnan(loss) or np.isinf(loss)


def test_stepping_stops_at_the_origin() -> None:
    net, feed = broken_softmax_regression()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    ex = sess.stepper(net["loss"], feed)
    with tf.debug.watch_non_finite(ex):
        with pytest.raises(tf.debug.NonFiniteError) as info:
            while not ex.done:
                ex.step()
    origin = info.value.report
    assert ex.records[-1].op is origin.op and ex.position == origin.index + 1
    assert not ex.done
    ex.run_to_end()  # unwatched again: the NaN flows on, as in TensorFlow
    assert not np.isfinite(ex.results)


@pytest.mark.parametrize(
    ("build", "feed", "op_type", "words"),
    [
        (lambda x: tf.div(1.0, x), 0.0, "RealDiv", "division by zero"),
        (lambda x: tf.sqrt(x), -4.0, "Sqrt", "negative"),
        (lambda x: tf.exp(x), 100.0, "Exp", "learning rate"),
        (
            lambda x: tf.matmul(tf.reshape(x, [1, 1]), tf.reshape(x, [1, 1])),
            1e30,
            "MatMul",
            "learning rate",
        ),
    ],
)
def test_hints_follow_the_op(build: object, feed: float, op_type: str, words: str) -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, name="x")
    y = build(x) * 1.0  # type: ignore[operator]
    report = tf.debug.find_non_finite(tf.Session(), y, {x: feed})
    assert report is not None and report.op.type == op_type
    assert words in report.hint
    assert report.downstream == [y.op.name]


def test_finite_runs_report_nothing() -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32)
    assert tf.debug.find_non_finite(tf.Session(), tf.log(x), {x: 2.0}) is None


def test_a_fed_nan_is_blamed_on_the_input() -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, name="x")
    report = tf.debug.find_non_finite(tf.Session(), tf.abs(x), {x: [np.nan]})
    assert report is not None and report.op.type == "Abs"
    assert "already held NaN" in report.hint


def test_has_inf_or_nan_is_tfdbg_filter() -> None:
    assert tf_debug.has_inf_or_nan(None, np.array([1.0, np.inf]))
    assert not tf_debug.has_inf_or_nan(None, np.array([1.0, 2.0]))
    assert not tf_debug.has_inf_or_nan(None, None)
    assert not tf_debug.has_inf_or_nan(None, np.array([b"x"], dtype=object))


def deep_net(activation: object, init: object, depth: int = 10) -> tuple[object, object, dict]:
    tf.reset_default_graph()
    tf.set_random_seed(0)
    rng = np.random.RandomState(0)
    xs = rng.randn(64, 20).astype(np.float32)
    ys = (xs.sum(axis=1, keepdims=True) > 0).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 20])
    y_ = tf.placeholder(tf.float32, [None, 1])
    h = x
    for i in range(depth):
        h = tf.layers.dense(
            h, 20, activation=activation, kernel_initializer=init, name=f"layer{i + 1:02d}"
        )
    logits = tf.layers.dense(h, 1, name="out")
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y_, logits=logits))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    return loss, train, {x: xs, y_: ys}


def test_gradients_vanish_through_ten_sigmoid_layers() -> None:
    loss, train, feed = deep_net(tf.nn.sigmoid, None)  # Glorot, the layers' default
    rec = tf.debug.GradientRecorder(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        rec.run(sess, train, feed)
    assert list(rec.layers)[:2] == ["layer01", "layer02"] and "out" in rec.layers
    assert rec.layers["layer01"] == ["layer01/kernel:0", "layer01/bias:0"]
    norms = rec.layer_grad_norm()
    assert len(norms["layer01"]) == 3
    first, last = norms["layer01"][-1], norms["layer10"][-1]
    assert first < last / 100, (first, last)
    ratio = rec.update_ratio["layer01/kernel:0"][-1]
    assert 0 < ratio < rec.update_ratio["out/kernel:0"][-1]


def test_relu_with_he_initialisation_keeps_the_gradients() -> None:
    loss, train, feed = deep_net(tf.nn.relu, tf.variance_scaling_initializer(scale=2.0))
    rec = tf.debug.GradientRecorder(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    rec.run(sess, train, feed)
    norms = rec.layer_grad_norm()
    assert norms["layer01"][0] > norms["layer10"][0] / 100


def test_check_numerics_gradient_passes_through_checked() -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, name="x")
    k = tf.placeholder(tf.float32, name="k")
    y = tf.check_numerics(x, "x") * k
    (g,) = tf.gradients(y, x)
    assert g.op.type == "CheckNumerics"
    sess = tf.Session()
    np.testing.assert_array_equal(sess.run(g, {x: [1.0, 5.0], k: 2.0}), [2.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(g, {x: [1.0], k: np.inf})
    assert info.value.message.splitlines()[0] == (
        "Not a number (NaN) or infinity (Inf) values detected in gradient. "
        "x : Tensor had Inf values"
    )


def test_add_check_numerics_ops_refuses_control_flow() -> None:
    tf.reset_default_graph()
    p = tf.placeholder(tf.bool)
    tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
        tf.add_check_numerics_ops()


def test_recorder_listeners_hear_each_step() -> None:
    loss, train, feed = deep_net(tf.nn.relu, None, depth=2)
    rec = tf.debug.GradientRecorder(loss)
    heard: list[int] = []
    rec.listeners.append(lambda r: heard.append(len(r.steps)))
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    rec.run(sess, train, feed)
    rec.run(sess, train, feed, step=10)
    assert heard == [1, 2] and rec.steps == [0, 10]
    assert set(rec.layers) == {"layer01", "layer02", "out"}


def test_tfdbg_wrapper_reports_the_first_tensor_passing_a_filter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    net, feed = broken_softmax_regression()
    sess = tf_debug.LocalCLIDebugWrapperSession(tf.Session())
    sess.run(tf.global_variables_initializer())  # no filter yet: an ordinary run
    sess.add_tensor_filter("has_inf_or_nan", tf_debug.has_inf_or_nan)
    loss = sess.run(net["loss"], feed)
    assert not np.isfinite(loss)  # the run finishes, as tfdbg's `run` after the stop
    out = capsys.readouterr().out
    assert out.startswith("tfdbg: Log:0 is the first tensor to pass filter has_inf_or_nan")
    assert sess.last_hit is not None and sess.last_hit.op.type == "Log"
    assert "softmax_cross_entropy_with_logits" in out
    sess.add_tensor_filter("big", lambda datum, t: datum.node_name == "w" and t.max() > 10)
    sess.run(net["w"])
    assert sess.last_datum.tensor_name == "w:0" and sess.last_hit is None  # type: ignore[union-attr]
    assert sess.graph is tf.get_default_graph()  # the rest is the wrapped session's
    with pytest.raises(TypeError, match="must be callable"):
        sess.add_tensor_filter("bad", 3)
