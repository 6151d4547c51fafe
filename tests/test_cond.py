"""tf.cond stepped: the untaken branch is skipped, visibly, and nothing else changes."""

from __future__ import annotations

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops.registry import DEAD


def _graph() -> tuple[tf.Tensor, tf.Tensor, tf.Variable]:
    x = tf.placeholder(tf.float32, [], name="x")
    v = tf.Variable(0, name="v")
    with tf.control_dependencies([tf.cond(x > 0, lambda: tf.assign_add(v, 1), lambda: v)]):
        y = tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0, name="pick")
    return x, y, v


def test_stepping_skips_the_untaken_branch() -> None:
    x, y, v = _graph()
    sess = tf.Session()
    sess.run(v.initializer)
    ex = sess.stepper(y, {x: -3.0})
    records = []
    while not ex.done:
        records.append(ex.step())
    by_op = {r.op: r for r in records}
    false_value, true_value = y.op.inputs  # a Merge's inputs: the false branch's, the true's
    assert by_op[true_value.op].outputs == [DEAD]  # skipped
    assert by_op[false_value.op].outputs[0] == -4.0
    assert ex.results == -4.0
    with pytest.raises(LookupError, match="branch of a tf.cond that was not taken"):
        ex.value(true_value)
    assert sess.run(v) == 0  # the assign_add was on the untaken branch


def test_runs_agree_with_stepping_and_update_only_when_taken() -> None:
    x, y, v = _graph()
    sess = tf.Session()
    sess.run(v.initializer)
    values = [float(sess.run(y, {x: xv})) for xv in (2.0, -2.0, 5.0, 5.0, -1.0)]
    assert values == [4.0, -3.0, 10.0, 10.0, -2.0]
    assert sess.run(v) == 3


def test_fetching_a_value_of_the_untaken_branch_is_an_error() -> None:
    x, y, v = _graph()
    sess = tf.Session()
    sess.run(v.initializer)
    inside = y.op.inputs[1]  # the Merge's true-branch input: x * 2.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="Retval\\[0\\] does not have value"):
        sess.run(inside, {x: -1.0})
    assert sess.run(inside, {x: 1.0}) == 2.0  # the session goes on


def test_stepper_widget_shows_a_cond() -> None:
    from teachflow.widgets import Stepper

    x, y, v = _graph()
    sess = tf.Session()
    sess.run(v.initializer)
    w = Stepper(sess, y, {x: -3.0})
    w.run_to_end()
    assert np.isclose(w.execution.results, -4.0)
