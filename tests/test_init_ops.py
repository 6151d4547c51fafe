"""Initializers: values, dtypes, names, statistics, seeds, configs and errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import teachflow as tf
from tests.conftest import run

pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_zeros_ones_constant():
    z = tf.zeros_initializer()([2, 3])
    o = tf.ones_initializer(dtype=tf.int64)([2])
    c = tf.constant_initializer(3)([2, 2])
    assert (z.name, o.name, c.name) == ("zeros:0", "ones:0", "Const:0")
    assert (z.dtype, o.dtype, c.dtype) == (tf.float32, tf.int64, tf.float32)
    vz, vo, vc = run([z, o, c])
    assert vz.tolist() == [[0.0] * 3] * 2
    assert vo.tolist() == [1, 1]
    assert vc.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_call_time_dtype_overrides_the_default():
    z = tf.zeros_initializer()([2], dtype=tf.int32)
    assert z.dtype == tf.int32 and run(z).tolist() == [0, 0]
    r = tf.random_normal_initializer()([2], dtype=tf.float64)
    assert r.dtype == tf.float64


def test_constant_initializer_reshapes_and_pads():
    full = tf.constant_initializer([1, 2, 3, 4, 5, 6])([2, 3])
    padded = tf.constant_initializer([1, 2])([2, 3])
    assert run(full).tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert run(padded).tolist() == [[1.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    with pytest.raises(TypeError):
        tf.constant_initializer([1, 2], verify_shape=True)([2, 3])
    with pytest.raises(TypeError, match="Invalid type for initial value"):
        tf.constant_initializer(tf.constant(1.0))


def test_initializers_build_variables():
    w = tf.Variable(tf.truncated_normal_initializer(stddev=0.1, seed=1)([3, 2]), name="w")
    b = tf.Variable(tf.zeros_initializer()([2]), name="b")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        vw, vb = sess.run([w, b])
    assert vw.shape == (3, 2) and np.abs(vw).max() <= 0.2
    assert vb.tolist() == [0.0, 0.0]


def test_random_initializers_graph_names():
    assert tf.random_normal_initializer()([2]).name == "random_normal:0"
    assert tf.truncated_normal_initializer()([2]).name == "truncated_normal:0"
    assert tf.random_uniform_initializer()([2]).name == "random_uniform:0"
    assert tf.glorot_uniform_initializer()([2, 2]).name == "random_uniform_1:0"
    assert tf.glorot_normal_initializer()([2, 2]).name == "truncated_normal_1:0"
    assert tf.variance_scaling_initializer()([2, 2]).name == "truncated_normal_2:0"


def test_random_initializer_statistics():
    n = 100_000
    normal = run(tf.random_normal_initializer(mean=1.0, stddev=0.5, seed=1)([n]))
    trunc = run(tf.truncated_normal_initializer(stddev=0.5, seed=2)([n]))
    unif = run(tf.random_uniform_initializer(-3.0, 1.0, seed=3)([n]))
    default_unif = run(tf.random_uniform_initializer(seed=4)([n]))
    assert abs(normal.mean() - 1.0) < 0.01 and abs(normal.std() - 0.5) < 0.01
    assert np.abs(trunc).max() <= 1.0 and abs(trunc.std() - 0.5 * 0.8796) < 0.01
    assert unif.min() >= -3.0 and unif.max() < 1.0 and abs(unif.mean() + 1.0) < 0.02
    assert default_unif.min() >= 0.0 and default_unif.max() < 1.0


def test_integer_uniform_initializer():
    x = run(tf.random_uniform_initializer(0, 10, dtype=tf.int32, seed=1)([1000]))
    assert x.dtype == np.int32 and x.min() >= 0 and x.max() <= 9


@pytest.mark.parametrize("mode,fan", [("fan_in", 400), ("fan_out", 300), ("fan_avg", 350)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_stddev(mode, fan, distribution):
    init = tf.variance_scaling_initializer(scale=2.0, mode=mode, distribution=distribution, seed=1)
    w = run(init([400, 300]))
    expected = math.sqrt(2.0 / fan)
    assert abs(w.std() - expected) < 0.02 * expected
    assert abs(w.mean()) < 0.02 * expected
    if distribution == "truncated_normal":
        # truncated at 2 stddev of the underlying normal, which is wider than `expected`
        assert np.abs(w).max() <= 2 * expected / 0.87962566 * 1.0001
    if distribution == "uniform":
        assert np.abs(w).max() <= math.sqrt(3) * expected


def test_conv_shapes_use_the_receptive_field():
    # fan_in = 3*3*16 = 144 for a [3, 3, 16, 32] kernel
    w = run(tf.variance_scaling_initializer(distribution="uniform", seed=2)([3, 3, 16, 32]))
    assert abs(w.std() - math.sqrt(1 / 144)) < 0.02 * math.sqrt(1 / 144)


def test_glorot_initializers():
    u = run(tf.glorot_uniform_initializer(seed=1)([200, 100]))
    n = run(tf.glorot_normal_initializer(seed=2)([200, 100]))
    limit = math.sqrt(6 / 300)
    assert np.abs(u).max() <= limit and np.abs(u).max() > 0.99 * limit
    assert abs(n.std() - math.sqrt(2 / 300)) < 0.02 * math.sqrt(2 / 300)


def test_partition_info_full_shape_sets_the_fans():
    class Partition:
        full_shape = [10000, 10]

    w = run(tf.variance_scaling_initializer(seed=3)([100, 10], partition_info=Partition()))
    assert w.shape == (100, 10)
    assert w.std() < 0.05  # stddev 1/sqrt(10000) = 0.01 rather than 1/sqrt(100) = 0.1


def test_seeded_initializers_repeat_across_graphs():
    def draw() -> Any:
        with tf.Graph().as_default():
            return run(tf.glorot_uniform_initializer(seed=7)([3, 3]))

    np.testing.assert_array_equal(draw(), draw())


def test_configs_round_trip():
    inits = [
        tf.zeros_initializer(),
        tf.ones_initializer(dtype=tf.int32),
        tf.constant_initializer([1, 2]),
        tf.random_normal_initializer(0.5, 2.0, seed=3),
        tf.truncated_normal_initializer(stddev=0.1),
        tf.random_uniform_initializer(-1.0, 1.0, seed=1),
        tf.variance_scaling_initializer(2.0, "fan_out", "uniform", seed=4),
        tf.glorot_uniform_initializer(seed=5),
        tf.glorot_normal_initializer(),
    ]
    for init in inits:
        copy = type(init).from_config(init.get_config())
        assert type(copy) is type(init)
        assert copy.get_config() == init.get_config()
    assert tf.variance_scaling_initializer().get_config() == {
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
        "seed": None,
        "dtype": "float32",
    }


def test_initializer_errors():
    with pytest.raises(ValueError, match="`scale` must be a positive float"):
        tf.variance_scaling_initializer(scale=-1.0)
    with pytest.raises(ValueError, match="`mode` should be one of"):
        tf.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError, match="`distribution` should be one of"):
        tf.variance_scaling_initializer(distribution="cauchy")
    with pytest.raises(ValueError, match="Expected floating point type"):
        tf.random_normal_initializer(dtype=tf.int32)
    with pytest.raises(ValueError, match="Expected floating point type"):
        tf.glorot_uniform_initializer()([2, 2], dtype=tf.int32)
    with pytest.raises(ValueError, match="fully defined shape"):
        tf.zeros_initializer()([None, 2])


def test_seeded_weights_print_tensorflows_numbers():
    """The classic tutorial start: with the same seed, the learner sees the numbers that
    TensorFlow prints for the same program (TensorFlow's own random streams)."""
    tf.set_random_seed(777)  # for reproducibility
    w = tf.Variable(tf.random_normal([1]), name="weight")
    b = tf.Variable(tf.random_normal([1]), name="bias")
    w2 = tf.get_variable("W2", shape=[2, 3])  # glorot_uniform by default
    t = tf.get_variable("T", shape=[2, 2], initializer=tf.truncated_normal_initializer(stddev=0.1))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = [repr(v) for v in sess.run([w, b, w2, t])]
    assert got == [
        "array([0.58597755], dtype=float32)",
        "array([-1.1319157], dtype=float32)",
        "array([[-0.14878953,  0.2038877 , -0.46203905],\n"
        "       [-0.9751853 , -0.9309144 ,  0.2659918 ]], dtype=float32)",
        "array([[-0.07322505,  0.03353315],\n       [ 0.04429887,  0.0910112 ]], dtype=float32)",
    ]
