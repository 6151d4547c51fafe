"""tf.cond against real TensorFlow: values, names, gradients, side effects and errors."""

from __future__ import annotations

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error


@pytest.mark.parametrize("xv", [2.0, -2.0])
def test_cond_values_names_and_gradients(tf1, xv):
    def build(tf):
        x = tf.placeholder(tf.float32, [], name="x")
        y = tf.constant(3.0, name="y")
        r = tf.cond(x > 0, lambda: x * 2.0, lambda: y + x * x)
        return [r, *tf.gradients(r, [x, y])], {x: xv}

    compare(tf1, build, names=False)


def test_cond_builds_tensorflows_ops(tf1):
    def ops(lib):
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [], name="x")
            lib.cond(x > 0, lambda: x * 2.0, lambda: x + 1.0)
        return sorted((op.name, op.type) for op in g.get_operations())

    assert ops(teachflow) == ops(tf1)


def test_cond_with_tuples_and_nested_conds(tf1):
    def build(tf):
        x = tf.placeholder(tf.float32, [2], name="x")
        p = tf.placeholder(tf.bool, [], name="p")
        q = tf.reduce_sum(x) > 0

        def inner():
            return tf.cond(q, lambda: x * 10.0, lambda: -x)

        a, b = tf.cond(p, lambda: (inner(), x + 1.0), lambda: (x, tf.zeros([2])))
        return [a, b], {x: np.array([1.0, -3.0], np.float32), p: True}

    compare(tf1, build, names=False)


@pytest.mark.parametrize("flag", [True, False])
def test_only_the_taken_branch_updates_a_variable(tf1, flag):
    def build(tf):
        v = tf.Variable(0, name="v")
        p = tf.placeholder(tf.bool, [], name="p")
        step = tf.cond(p, lambda: tf.assign_add(v, 1), lambda: tf.assign_sub(v, 10))
        return [step, v], {p: flag}

    compare(tf1, build)


def test_training_through_a_cond(tf1):
    def build(tf):
        x = tf.constant(np.linspace(-1, 1, 8, dtype=np.float32).reshape(8, 1), name="x")
        w = tf.Variable([[0.5]], name="w")
        training = tf.placeholder_with_default(True, [], name="training")
        h = tf.matmul(x, w)
        out = tf.cond(training, lambda: tf.nn.relu(h) * 2.0, lambda: h)
        loss = tf.reduce_mean(tf.square(out - 1.0))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        return [train, loss, w]

    compare(tf1, build)


def test_cond_errors(tf1):
    def mixed(tf):
        x = tf.placeholder(tf.float32, [])
        return tf.cond(x > 0, lambda: x, lambda: tf.constant(1))

    tf_err, tt_err = construction_error(tf1, mixed)
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]

    def float_pred(tf):
        x = tf.placeholder(tf.float32, [])
        return tf.cond(x, lambda: x, lambda: x)

    tf_err, tt_err = construction_error(tf1, float_pred)
    assert type(tt_err).__name__ == type(tf_err).__name__
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]


@pytest.mark.parametrize("xv", [[1.0, 2.0], [-1.0, 0.5], [-3.0, -1.0]])
def test_gradients_through_nested_conds(tf1, xv):
    def build(tf):
        x = tf.placeholder(tf.float32, [2], name="x")
        w = tf.Variable([0.5, -1.5], name="w")

        def inner():
            return tf.cond(x[1] > 0, lambda: tf.reduce_sum(x * w), lambda: tf.reduce_sum(w * w))

        loss = tf.cond(x[0] > 0, inner, lambda: tf.reduce_sum(tf.exp(x)))
        return [loss, *tf.gradients(loss, [x, w])], {x: np.array(xv, np.float32)}

    compare(tf1, build, names=False)


@pytest.mark.parametrize("flag", [True, False])
def test_a_branch_returning_a_constant_under_outer_control_dependencies(tf1, flag):
    def build(tf):
        p = tf.placeholder(tf.bool, [], name="p")
        first = tf.constant(0.0, name="first")
        with tf.control_dependencies([first]):
            r = tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
        return r, {p: flag}

    compare(tf1, build)
