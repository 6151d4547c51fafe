"""Core engine behaviour against real TensorFlow."""

from __future__ import annotations

import numpy as np

from .conftest import compare, construction_error


def test_seed_matmul(tf1):
    compare(tf1, lambda tf: tf.matmul(tf.constant([[3.0, 3.0]]), tf.constant([[2.0], [2.0]])))


def test_counter(tf1):
    def build(tf):
        state = tf.Variable(0, name="counter")
        return tf.assign(state, tf.add(state, tf.constant(1)))

    compare(tf1, build)


def test_dtype_mixing_is_a_type_error(tf1):
    tf_err, tt_err = construction_error(tf1, lambda tf: tf.add(tf.Variable(0.0), tf.constant(1)))
    assert isinstance(tt_err, ValueError)


def test_operator_names(tf1):
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = x * 2.0 + 1.0 - x / 4.0
        return [y, -x, tf.abs(x)], {x: np.ones((2, 3), np.float32)}

    compare(tf1, build)
