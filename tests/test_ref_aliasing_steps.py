"""Stepping through in-place variable updates: each record keeps what its op saw then."""

from __future__ import annotations

import numpy as np
import pytest

import teachflow as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def _counter() -> tuple[tf.Variable, tf.Tensor, tf.Tensor]:
    v = tf.Variable([0.0, 0.0], name="v")
    up = tf.assign_add(v, [1.0, 2.0], name="up")
    with tf.control_dependencies([up]):
        after = tf.identity(v, name="after")
    return v, up, after


def test_records_hold_the_value_at_their_step() -> None:
    v, up, after = _counter()
    with tf.Session() as sess:
        sess.run(v.initializer)
        ex = sess.stepper(after)
        recs = {}
        while not ex.done:
            rec = ex.step()
            recs[rec.op.name] = rec
        # v/read ran before the update: its record shows the buffer as it was then
        assert recs["v/read"].outputs[0].tolist() == [0.0, 0.0]
        assert recs["v"].outputs[0].tolist() == [0.0, 0.0]
        assert recs["up"].inputs[0].tolist() == [0.0, 0.0]
        assert recs["up"].outputs[0].tolist() == [1.0, 2.0]
        # ...and its consumer, which ran after the update, saw the updated buffer
        assert recs["after"].inputs[0].tolist() == [1.0, 2.0]
        assert ex.results.tolist() == [1.0, 2.0]


def test_stepping_then_running_agree_with_run() -> None:
    v, up, after = _counter()
    with tf.Session() as sess:
        sess.run(v.initializer)
        stepped = sess.stepper(after).run_to_end()
        ran = [sess.run(after) for _ in range(3)]  # the second run is compiled
        assert stepped.tolist() == [1.0, 2.0]
        assert [r.tolist() for r in ran] == [[2.0, 4.0], [3.0, 6.0], [4.0, 8.0]]
        # results are copies: later updates leave them alone
        assert stepped.tolist() == [1.0, 2.0]


def test_results_of_a_stepped_run_are_copies() -> None:
    v, up, after = _counter()
    with tf.Session() as sess:
        sess.run(v.initializer)
        ex = sess.stepper([v, v.value(), after])
        ex.run_to_end()
        got = ex.results
        sess.run(up)
        assert [x.tolist() for x in got] == [[1.0, 2.0]] * 3


def test_session_version_counts_in_place_writes() -> None:
    v = tf.Variable([1.0, 2.0, 3.0])
    ups = [
        tf.assign_add(v, [1.0, 1.0, 1.0]),
        tf.assign_sub(v, [1.0, 1.0, 1.0]),
        tf.assign(v, [0.0, 0.0, 0.0]),
        tf.scatter_add(v, [1], [2.0]),
        tf.scatter_update(v, [0], [5.0]),
    ]
    with tf.Session() as sess:
        sess.run(v.initializer)
        for up in ups:
            before = sess.state.version
            sess.run(up)
            assert sess.state.version > before, up.op.type
        assert sess.run(v).tolist() == [5.0, 2.0, 0.0]


def test_records_of_an_optimizer_step_keep_the_old_weights() -> None:
    w = tf.Variable(np.array([1.0, -2.0], np.float32), name="w")
    loss = tf.reduce_sum(tf.square(w))
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(w.initializer)
        ex = sess.stepper(train)
        recs = []
        while not ex.done:
            recs.append(ex.step())
        read = next(r for r in recs if r.op.name == "w/read")
        assert read.outputs[0].tolist() == [1.0, -2.0]
        assert sess.run(w).tolist() == [0.5, -1.0]
