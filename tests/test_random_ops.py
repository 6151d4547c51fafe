"""Random ops: graph structure, seed rules, per-session sequences, statistics, the streams."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops import philox, registry
from tests.conftest import run

N = 200_000  # large samples: statistics within a few standard errors


pytestmark = pytest.mark.usefixtures("fresh_graph")


def seeds(t: tf.Tensor) -> tuple[int, int]:
    """(seed, seed2) of the random op behind ``t``."""
    op = t.op
    while "seed" not in op.attrs:
        op = op.inputs[0].op
    return op.get_attr("seed"), op.get_attr("seed2")


# -- graph structure -----------------------------------------------------------------------------


def test_random_normal_builds_tensorflows_graph():
    r = tf.random_normal([2, 3], mean=1.0, stddev=2.0)
    assert str(r) == 'Tensor("random_normal:0", shape=(2, 3), dtype=float32)'
    ops = [(op.name, op.type) for op in tf.get_default_graph().get_operations()]
    assert ops == [
        ("random_normal/shape", "Const"),
        ("random_normal/mean", "Const"),
        ("random_normal/stddev", "Const"),
        ("random_normal/RandomStandardNormal", "RandomStandardNormal"),
        ("random_normal/mul", "Mul"),
        ("random_normal", "AddV2"),
    ]


def test_names_shapes_and_dtypes():
    cases = [
        (tf.truncated_normal([4], dtype=tf.float64), "truncated_normal:0", [4], tf.float64),
        (tf.random_uniform([2, 2]), "random_uniform/RandomUniform:0", [2, 2], tf.float32),
        (tf.random_uniform([3], -1.0, 1.0), "random_uniform_1:0", [3], tf.float32),
        (tf.random_uniform([3], maxval=5.0), "random_uniform_2/Mul:0", [3], tf.float32),
        (tf.random_uniform([3], 0, 9, dtype=tf.int64), "random_uniform_3:0", [3], tf.int64),
        (tf.random_shuffle([1, 2, 3]), "RandomShuffle:0", [3], tf.int32),
        (tf.random.normal([5], name="noise"), "noise:0", [5], tf.float32),
    ]
    values = run([c[0] for c in cases])
    for (t, name, shape, dtype), v in zip(cases, values):
        assert (t.name, t.shape.as_list(), t.dtype) == (name, shape, dtype)
        assert v.shape == tuple(shape) and v.dtype == dtype.as_numpy_dtype


def test_int_uniform_is_one_op():
    r = tf.random_uniform([3], 0, 10, dtype=tf.int32)
    assert r.op.type == "RandomUniformInt"
    assert [t.op.name for t in r.op.inputs] == [
        "random_uniform/shape",
        "random_uniform/min",
        "random_uniform/max",
    ]


def test_shape_known_only_at_run_time():
    n = tf.placeholder(tf.int32, [2])
    r = tf.random_normal(n)
    assert r.shape.as_list() == [None, None]
    assert run(r, {n: [3, 4]}).shape == (3, 4)


def test_random_ops_are_stateful_without_gradients():
    for type in ("RandomStandardNormal", "TruncatedNormal", "RandomUniform", "RandomUniformInt"):
        assert registry.get(type).stateful
    mean = tf.constant(2.0)
    r = tf.random_normal([3], mean=mean)
    (g,) = tf.gradients(r, [mean])
    assert run(g) == 3.0


# -- errors ------------------------------------------------------------------------------------


def test_construction_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Argument `dtype` got invalid value"):
        tf.random_uniform([2], dtype=tf.bool)
    with pytest.raises(TypeError, match="parameter 'shape' has DataType float32"):
        tf.random_normal([2.0])
    with pytest.raises(TypeError, match="parameter 'dtype' has DataType int32"):
        tf.random_normal([2], mean=0, stddev=1, dtype=tf.int32)
    with pytest.raises(ValueError, match="minval must be a scalar"):
        tf.random_uniform([2], tf.constant([0, 1]), 5, dtype=tf.int32)


def test_run_time_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval, got 5 >= 5"):
        run(tf.random_uniform([2], 5, 5, dtype=tf.int32))
    bad = tf.placeholder(tf.int32, [2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Dimension -1 must be >= 0"):
        run(tf.random_normal(bad), {bad: [-1, 2]})


# -- seed rules (TensorFlow's get_seed) --------------------------------------------------------


def test_seed_attributes_follow_tensorflow():
    assert seeds(tf.random_normal([1])) == (0, 0)
    assert seeds(tf.random_normal([1], seed=5)) == (87654321, 5)
    tf.set_random_seed(3)
    assert seeds(tf.random_normal([1])) == (3, 0)
    assert seeds(tf.random_uniform([1])) == (3, 1)
    assert seeds(tf.random_normal([1], seed=9)) == (3, 9)
    assert seeds(tf.truncated_normal([1])) == (3, 2)
    tf.random.set_random_seed(0)
    assert seeds(tf.random_normal([1], seed=0)) == (0, 2**31 - 1)


def test_get_seed():
    assert tf.random.get_seed(None) == (None, None)
    assert tf.random.get_seed(4) == (87654321, 4)
    tf.set_random_seed(11)
    assert tf.random.get_seed(None) == (11, 0)
    assert tf.random.get_seed(None) == (11, 1)


def test_a_seeded_op_gives_a_sequence_that_each_session_restarts():
    r = tf.random_normal([4], seed=1)
    with tf.Session() as s1:
        a1, b1 = s1.run(r), s1.run(r)
    with tf.Session() as s2:
        a2, b2 = s2.run(r), s2.run(r)
    assert not np.array_equal(a1, b1)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)


def test_graph_seed_makes_every_op_repeatable_across_graphs():
    def build() -> list[Any]:
        tf.set_random_seed(42)
        return [tf.random_normal([3]), tf.random_uniform([3]), tf.truncated_normal([3])]

    with tf.Graph().as_default():
        first = run(build())
    with tf.Graph().as_default():
        second = run(build())
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # different ops in one graph draw different numbers
    assert not np.array_equal(first[0], first[2])


def test_op_seed_alone_repeats_and_equal_seeds_give_equal_streams():
    a = tf.random_normal([3], seed=8)
    b = tf.random_normal([3], seed=8)
    c = tf.random_normal([3], seed=9)
    va, vb, vc = run([a, b, c])
    np.testing.assert_array_equal(va, vb)
    assert not np.array_equal(va, vc)


def test_graph_seed_changes_what_an_op_seed_draws():
    def draw(graph_seed: int | None) -> Any:
        with tf.Graph().as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            return run(tf.random_uniform([3], seed=1))

    np.testing.assert_array_equal(draw(5), draw(5))
    assert not np.array_equal(draw(5), draw(6))
    assert not np.array_equal(draw(None), draw(5))


def test_no_seed_differs_between_sessions_and_runs():
    r = tf.random_uniform([8])
    with tf.Session() as s1:
        a, b = s1.run(r), s1.run(r)
    c = run(r)
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_one_fetch_of_a_random_tensor_is_one_draw():
    r = tf.random_normal([3], seed=2)
    twice = r + r
    with tf.Session() as sess:
        v, doubled = sess.run([r, twice])
    np.testing.assert_allclose(doubled, 2 * v)


# -- statistics ----------------------------------------------------------------------------------


def test_normal_statistics():
    x = run(tf.random_normal([N], mean=3.0, stddev=2.0, seed=1))
    assert abs(x.mean() - 3.0) < 0.02
    assert abs(x.std() - 2.0) < 0.02
    x64 = run(tf.random_normal([N], dtype=tf.float64, seed=2))
    assert x64.dtype == np.float64 and abs(x64.std() - 1.0) < 0.01


def test_truncated_normal_statistics():
    x = run(tf.truncated_normal([N], mean=-1.0, stddev=0.5, seed=3))
    assert x.min() >= -2.0 and x.max() <= 0.0
    assert abs(x.mean() + 1.0) < 0.01
    # the standard normal truncated to [-2, 2] has stddev 0.8796...
    assert abs(x.std() - 0.5 * 0.87962566) < 0.005


def test_uniform_statistics():
    x = run(tf.random_uniform([N], -2.0, 4.0, seed=4))
    assert x.min() >= -2.0 and x.max() < 4.0
    assert abs(x.mean() - 1.0) < 0.03
    assert abs(x.std() - 6 / np.sqrt(12)) < 0.02
    h = run(tf.random_uniform([N], dtype=tf.float16, seed=5))
    assert h.dtype == np.float16 and h.min() >= 0 and h.max() < 1


def test_int_uniform_statistics():
    x = run(tf.random_uniform([N], -3, 7, dtype=tf.int32, seed=6))
    assert x.dtype == np.int32
    counts = np.bincount(x + 3, minlength=10)
    assert counts.size == 10
    assert (abs(counts / N - 0.1) < 0.005).all()


def test_random_shuffle_permutes_the_first_dimension():
    rows = np.arange(12).reshape(6, 2)
    r = tf.random_shuffle(rows, seed=1)
    with tf.Session() as sess:
        draws = [sess.run(r) for _ in range(5)]
    for d in draws:
        assert sorted(map(tuple, d.tolist())) == sorted(map(tuple, rows.tolist()))
    assert any(not np.array_equal(d, rows) for d in draws)
    assert run(tf.random_shuffle(5)) == 5


# -- TensorFlow's streams (teachflow.ops.philox) -------------------------------------------------


def _philox_scalar(key: tuple[int, int], counter: int) -> list[int]:
    """Philox4x32-10 for one counter, in plain Python ints: the reference for the vectorised
    generator."""
    m = 0xFFFFFFFF
    c = [(counter >> (32 * i)) & m for i in range(4)]
    k0, k1 = key
    for _ in range(10):
        p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k0, p1 & m, (p0 >> 32) ^ c[3] ^ k1, p0 & m]
        k0, k1 = (k0 + 0x9E3779B9) & m, (k1 + 0xBB67AE85) & m
    return c


def test_philox_known_answers():
    # Random123's test vectors for Philox4x32-10 (counter words low first, key)
    def at(key: tuple[int, int], words: tuple[int, ...]) -> list[str]:
        counter = sum(w << (32 * i) for i, w in enumerate(words))
        return [hex(w) for w in philox.bits(key, counter, np.zeros(1, np.uint64))[0]]

    assert at((0, 0), (0, 0, 0, 0)) == ["0x6627e8d5", "0xe169c58d", "0xbc57ac4c", "0x9b00dbd8"]
    assert at((0xFFFFFFFF,) * 2, (0xFFFFFFFF,) * 4) == [
        "0x408f276d",
        "0x41c83b0e",
        "0xa20bc7c6",
        "0x6d5451fd",
    ]
    pi_counter = (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344)
    assert at((0xA4093822, 0x299F31D0), pi_counter) == [
        "0xd16cfe09",
        "0x94fdcceb",
        "0x5001e420",
        "0x24126ea1",
    ]


def test_philox_counters_carry_across_words():
    key = (123, 456)
    for base in (0, 2**32 - 3, 2**64 - 2, 2**128 - 2, (5 << 64) + 2**64 - 1):
        got = philox.bits(key, base, np.arange(5, dtype=np.uint64))
        want = [_philox_scalar(key, (base + i) % 2**128) for i in range(5)]
        assert got.tolist() == want


def test_streams_reserve_256_calls_per_output_and_continue():
    s = philox.Stream(7, 9)
    assert s.key == (7, 0) and s.counter == 9 << 64
    first = philox.uniform(s, 10, np.float32)
    assert s.counter == (9 << 64) + 2560
    again = philox.Stream(7, 9)
    np.testing.assert_array_equal(philox.uniform(again, 10, np.float32), first)
    # the second run starts 2560 calls on
    want = philox.to_float32(np.array(_philox_scalar((7, 0), (9 << 64) + 2560), np.uint32))
    np.testing.assert_array_equal(philox.uniform(s, 4, np.float32), want)


def test_truncated_normal_groups_skip_the_rejected_values():
    """Each group of 4 reads its own stretch (256 calls apart), skipping values beyond 2."""
    s = philox.Stream(3, 4)
    got = philox.truncated_normal(s, 4000, np.float32).reshape(-1, 4)
    base = 4 << 64
    redrawn = 0
    for g in range(0, 1000, 37):
        kept: list[float] = []
        call = 0
        while len(kept) < 4:
            w = np.array(_philox_scalar((3, 0), base + 256 * g + call), np.uint32)
            f0, f1 = philox.box_muller32(w[0::2], w[1::2])
            kept += [float(v) for pair in zip(f0, f1) for v in pair if abs(v) < 2]
            call += 1
        redrawn += call > 1
        assert got[g].tolist() == kept[:4]
    assert redrawn  # some group needed a second call
    assert (np.abs(got) < 2).all()


def test_fast_box_muller_is_within_float32_rounding():
    w = philox.bits((1, 2), 0, np.arange(5000, dtype=np.uint64))
    exact = philox.box_muller32(w[:, 0], w[:, 1])
    fast = philox.box_muller32(w[:, 0], w[:, 1], exact=False)
    for a, b in zip(exact, fast):
        np.testing.assert_allclose(b, a, rtol=4e-7, atol=1e-8)


def test_known_values_as_tensorflow_prints_them():
    # TensorFlow 1.x prints these for the same programs
    with tf.Session() as sess:
        got = sess.run(tf.random_uniform([4], seed=1))
    assert str(got) == "[0.2390374  0.92039955 0.05051243 0.49574447]"
    tf.set_random_seed(1)
    r = tf.random_uniform([3])
    with tf.Session() as sess:
        assert str(sess.run(r)) == "[0.81269646 0.07857466 0.8916855 ]"
        assert str(sess.run(r)) == "[0.8928561  0.02359712 0.48994434]"


def test_unseeded_streams_start_anywhere():
    assert philox.Stream(0, 0).counter != philox.Stream(0, 0).counter


def test_random_gamma_graph_shapes_and_statistics():
    g = tf.random_gamma([N // 10], [0.5, 3.0], beta=[1.0, 2.0], seed=8)
    assert str(g) == 'Tensor("random_gamma/Maximum:0", shape=(20000, 2), dtype=float32)'
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert types[-6:] == [
        "BroadcastArgs",
        "BroadcastTo",
        "RandomGamma",
        "RealDiv",
        "Const",
        "Maximum",
    ]
    assert seeds(g.op.inputs[1]) == (87654321, 8)
    x = run(g)
    assert x.min() > 0
    # Gamma(alpha, rate beta): mean alpha / beta, variance alpha / beta^2
    np.testing.assert_allclose(x.mean(axis=0), [0.5, 1.5], rtol=0.03)
    np.testing.assert_allclose(x.var(axis=0), [0.5, 0.75], rtol=0.06)
    e = run(tf.random.gamma([N // 10], 1.0, dtype=tf.float64, seed=9))
    assert e.dtype == np.float64 and abs(e.mean() - 1.0) < 0.03


def test_random_gamma_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="alpha should have non-zero"):
        run(tf.random_gamma([2], np.zeros([0], np.float32)))
    assert run(tf.random_gamma([0], np.zeros([0], np.float32))).shape == (0, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Incompatible shapes"):
        run(tf.random_gamma([2], tf.placeholder_with_default([1.0, 2.0], [None]), beta=[1.0] * 3))


def test_random_gamma_of_bad_alphas_is_nan_as_in_tensorflow():
    x = run(tf.random_gamma([4], [-1.0, np.nan, 0.0, np.inf], seed=1))
    assert np.isnan(x[:, :2]).all()
    assert (x[:, 2] == np.finfo(np.float32).tiny).all() and np.isinf(x[:, 3]).all()
