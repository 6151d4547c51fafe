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


def _control_inputs(lib):
    g = lib.Graph()
    with g.as_default():
        a = lib.constant(1.0, name="a")
        v = lib.Variable(0, name="gs")
        with lib.control_dependencies([a]):
            b = lib.constant(2.0, name="b")
            _ = b + 1.0
            lib.assign_add(v, 1, name="train")
    return {op.name: sorted(c.name for c in op.control_inputs) for op in g.get_operations()}


def test_control_dependencies_skip_dominated_ops(tf1):
    import teachflow

    assert _control_inputs(teachflow) == _control_inputs(tf1)


def test_shape_size_rank_of_known_shapes_are_constants(tf1):
    def build(tf):
        t = tf.Variable([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]])
        x = tf.placeholder(tf.float32, [None, 3])
        return [tf.shape(t), tf.size(t), tf.rank(t), tf.shape(x), tf.rank(x)], {x: np.ones((2, 3))}

    compare(tf1, build)

    def types(lib):
        g = lib.Graph()
        with g.as_default():
            t = lib.zeros([2, 3])
            x = lib.placeholder(lib.float32, [None, 3])
            return [o.op.type for o in (lib.shape(t), lib.size(t), lib.rank(t), lib.shape(x))]

    import teachflow

    assert types(teachflow) == types(tf1)


def test_a_fed_output_of_a_running_op_keeps_its_fed_value(tf1):
    def build(tf):
        a, b = tf.split(tf.constant([1.0, 2.0, 3.0, 4.0]), 2)
        return [a, b, a * 10.0], {a: np.array([7.0, 8.0], np.float32)}

    compare(tf1, build)
