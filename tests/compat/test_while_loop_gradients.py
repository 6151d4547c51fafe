"""Gradients through tf.while_loop (and map_fn, scan, TensorArrays) against TensorFlow 1.x.

TensorFlow 1.x builds a backward loop (frame ``gradients/while/while_context``) that pops the
forward values each iteration pushed on stacks (StackV2/StackPushV2/StackPopV2); teachflow
builds the same kinds of ops and must give the same values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow


@pytest.fixture(scope="module")
def tf1v1(tf1: Any) -> Any:
    """TensorFlow with its 1.x control flow (what tf.while_loop built in TensorFlow 1.x)."""
    tf1.disable_control_flow_v2()
    return tf1


def both(tf1v1: Any, build: Callable[[Any], Any], feed: Any) -> list[dict[str, Any]]:
    out = []
    for lib in (tf1v1, teachflow):
        with lib.Graph().as_default() as g:
            fetches, placeholders = build(lib)
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                fd = dict(zip(placeholders, feed))
                values = [sess.run(fetches, fd) for _ in range(2)]  # the 2nd: a replan
            out.append(
                {
                    "values": values,
                    "types": {op.type for op in g.get_operations()},
                    "frames": {_frame(op) for op in g.get_operations() if op.type == "Enter"},
                }
            )
    return out


def _frame(op: Any) -> str:
    f = op.get_attr("frame_name") if hasattr(op, "get_attr") else op.attrs["frame_name"]
    return f.decode() if isinstance(f, bytes) else f


def assert_same(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
        return
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6)


def test_power_computed_by_a_loop(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [], name="x")
        _, y = tf.while_loop(lambda i, p: i < 4, lambda i, p: (i + 1, p * x), [0, 1.0])
        return [y, tf.gradients(y, x)[0]], [x]

    theirs, ours = both(tf1v1, build, [1.5])
    assert_same(ours["values"], theirs["values"])
    np.testing.assert_allclose(ours["values"][0][1], 4 * 1.5**3)
    stack_ops = {"StackV2", "StackPushV2", "StackPopV2", "LoopCond", "Exit"}
    assert stack_ops <= theirs["types"] and stack_ops <= ours["types"]
    assert (
        ours["frames"]
        == theirs["frames"]
        == {"while/while_context", "gradients/while/while_context"}
    )


def test_gradient_of_loop_variables_and_captured_values(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        a = tf.placeholder(tf.float32, [3], name="a")
        w = tf.placeholder(tf.float32, [3], name="w")

        def body(i: Any, v: Any) -> Any:
            return i + 1, tf.tanh(v * w) + tf.reduce_sum(v) * 0.1

        _, v = tf.while_loop(lambda i, v: i < 3, body, [tf.constant(0), a])
        loss = tf.reduce_sum(v * v)
        return [loss, tf.gradients(loss, [a, w])], [a, w]

    theirs, ours = both(tf1v1, build, [[0.5, -1.0, 2.0], [1.0, 0.3, -0.7]])
    assert_same(ours["values"], theirs["values"])


def test_a_variable_as_loop_variable_and_captured_value(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.Variable(2.0, name="x")
        y = tf.while_loop(lambda v: v < 10.0, lambda v: v * x, [x])
        return [y, tf.gradients(y, x)[0]], []

    theirs, ours = both(tf1v1, build, [])
    assert_same(ours["values"], theirs["values"])


def test_a_cond_inside_the_loop_and_foldl(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [], name="x")

        def body(i: Any, p: Any) -> Any:
            return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: p * x, lambda: p + x * x)

        _, y = tf.while_loop(lambda i, p: i < 5, body, [0, 1.0])
        e = tf.foldl(lambda a, v: a * v + x, tf.constant([1.0, 2.0, 3.0]), initializer=x)
        return [y, tf.gradients(y, x)[0], e, tf.gradients(e, x)[0]], [x]

    theirs, ours = both(tf1v1, build, [1.5])
    assert_same(ours["values"], theirs["values"])


def test_maximum_iterations_and_a_loop_that_never_runs(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [], name="x")
        y = tf.while_loop(lambda v: v < 100.0, lambda v: v * x, [x], maximum_iterations=3)
        z = tf.while_loop(lambda v: v > 100.0, lambda v: v * x, [x * 2.0])
        return [y, z, tf.gradients(y, x)[0], tf.gradients(z, x)[0]], [x]

    theirs, ours = both(tf1v1, build, [1.5])
    assert_same(ours["values"], theirs["values"])


def test_scan_cumulative_sum_and_product(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [5], name="x")
        total = tf.scan(lambda acc, v: acc + v, x)
        prod = tf.scan(lambda acc, v: acc * v, x, initializer=tf.constant(1.0))
        weights = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0])
        return [
            total,
            prod,
            tf.gradients(tf.reduce_sum(total * weights), x)[0],
            tf.gradients(tf.reduce_sum(prod), x)[0],
        ], [x]

    theirs, ours = both(tf1v1, build, [[1.0, 2.0, 0.5, -1.0, 3.0]])
    assert_same(ours["values"], theirs["values"])
    assert {"TensorArrayGradV3", "StackPopV2"} <= ours["types"] & theirs["types"]


def test_map_fn_gradient_with_a_captured_variable(tf1v1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [4, 3], name="x")
        w = tf.Variable([[0.5], [-1.0], [2.0]], name="w")
        rows = tf.map_fn(lambda r: tf.sigmoid(tf.matmul(tf.expand_dims(r, 0), w))[0], x)
        loss = tf.reduce_mean(tf.square(rows - 0.5))
        return [rows, loss, tf.gradients(loss, [x, w])], [x]

    feed = [np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5]
    theirs, ours = both(tf1v1, build, feed)
    assert_same(ours["values"], theirs["values"])


def test_gradient_descent_trains_through_a_loop(tf1v1: Any) -> None:
    """A recurrence h = tanh(h * a + x_t * b) over a sequence, trained in both."""
    xs = np.array([0.5, -0.3, 0.8, 0.1], dtype=np.float32)
    curves = [_train_through_loop(lib, xs) for lib in (tf1v1, teachflow)]
    assert_same(curves[1], curves[0])
    assert curves[1][0][-1] < curves[1][0][0]


def _train_through_loop(lib: Any, xs: Any) -> Any:
    with lib.Graph().as_default():
        seq = lib.constant(xs)
        a = lib.Variable(0.4, name="a")
        b = lib.Variable(-0.2, name="b")

        def body(t: Any, h: Any) -> Any:
            return t + 1, lib.tanh(h * a + seq[t] * b)

        _, h = lib.while_loop(lambda t, h: t < 4, body, [lib.constant(0), lib.constant(0.0)])
        loss = lib.square(h - 0.7)
        train = lib.train.GradientDescentOptimizer(0.5).minimize(loss)
        with lib.Session() as sess:
            sess.run(lib.global_variables_initializer())
            curve = []
            for _ in range(5):
                _, value = sess.run([train, loss])
                curve.append(value)
            return curve, sess.run([a, b])


def test_each_run_pushes_and_pops_afresh() -> None:
    """Feeding another x gives that x's gradient (the stacks are made in each run)."""
    with teachflow.Graph().as_default():
        x = teachflow.placeholder(teachflow.float32, [])
        _, y = teachflow.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x), [0, 1.0])
        (gx,) = teachflow.gradients(y, x)
        with teachflow.Session() as sess:
            assert [float(sess.run(gx, {x: v})) for v in (1.0, 2.0, 3.0)] == [3.0, 12.0, 27.0]


def test_nested_loops(tf1v1: Any) -> None:
    """The inner loop's iterations of every outer iteration go on one stack; the backward
    loops pop them in reverse (the inner loop runs i + 1 times at outer iteration i)."""

    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [], name="x")

        def outer(i: Any, p: Any) -> Any:
            inner = tf.while_loop(lambda j, q: j < i + 1, lambda j, q: (j + 1, q * x + 1.0), [0, p])
            return i + 1, inner[1]

        _, y = tf.while_loop(lambda i, p: i < 3, outer, [0, 1.0])
        m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        rows = tf.map_fn(lambda r: tf.map_fn(lambda v: v * x * x, r), m)
        return [y, tf.gradients(y, x)[0], rows, tf.gradients(rows, x)[0]], [x]

    theirs, ours = both(tf1v1, build, [1.5])
    assert_same(ours["values"], theirs["values"])
    assert "gradients/while/while/while_context" in ours["frames"] & theirs["frames"]


def test_exported_gradient_loops_run_the_same_in_tensorflow(tf1v1: Any) -> None:
    tf = teachflow
    feed = np.arange(1, 6, dtype=np.float32)
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [5], name="x")
        _, y = tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x), [0, tf.ones([5])])
        (gx,) = tf.gradients(y, x)
        (gc,) = tf.gradients(tf.scan(lambda a, v: a * v, x), x)
        with tf.Session() as sess:
            ours = sess.run([gx, gc], {x: feed})
        graph_def = g.as_graph_def()
    with tf1v1.Graph().as_default():
        tf1v1.import_graph_def(tf1v1.GraphDef.FromString(graph_def.SerializeToString()), name="")
        with tf1v1.Session() as sess:
            theirs = sess.run([gx.name, gc.name], {"x:0": feed})
    assert_same(ours, theirs)
    np.testing.assert_allclose(ours[0], 3 * feed**2)


def test_a_loop_inside_a_cond_branch_gives_a_clear_error() -> None:
    from teachflow.unsupported import UnsupportedFeatureError

    tf = teachflow
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        k = tf.placeholder(tf.bool, [])

        def loop() -> Any:
            return tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x), [0, 1.0])[1]

        y = tf.cond(k, loop, lambda: x * 2.0)
        with pytest.raises(UnsupportedFeatureError, match="inside a tf.cond branch"):
            tf.gradients(y, x)
