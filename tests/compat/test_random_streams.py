"""Same seed, same numbers: teachflow's random ops draw TensorFlow's own streams.

Every program here runs on TensorFlow and on teachflow; the values must agree (uniform and
integer draws to rtol 1e-6 / exactly, normal-based ones to rtol 1e-5) for each way of seeding
(graph seed only, op seed only, both), over two runs of one session (the stream goes on) and
in a second session (it starts over).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import assert_same_value

GRAPH_SEED = 777
OP_SEED = 42
SEEDINGS = {"graph seed": (GRAPH_SEED, None), "op seed": (None, OP_SEED), "both": (GRAPH_SEED, 5)}


def draws(
    lib: Any, build: Callable[[Any, int | None], Any], graph_seed: int | None, op_seed: int | None
) -> list[list[Any]]:
    """[session][run] results of ``build(lib, op_seed)`` built under ``graph_seed``."""
    g = lib.Graph()
    with g.as_default():
        if graph_seed is not None:
            lib.set_random_seed(graph_seed)
        fetches = build(lib, op_seed)
        init = lib.global_variables_initializer()
    out = []
    for _ in range(2):
        with lib.Session(graph=g) as sess:
            runs = []
            for _ in range(2):
                sess.run(init)
                runs.append(sess.run(fetches))
            out.append(runs)
    return out


def assert_same_draws(tf1: Any, build: Any, rtol: float, seeding: str) -> list[list[Any]]:
    graph_seed, op_seed = SEEDINGS[seeding]
    want = draws(tf1, build, graph_seed, op_seed)
    got = draws(teachflow, build, graph_seed, op_seed)
    for s in range(2):
        for r in range(2):
            for i, (a, b) in enumerate(zip(want[s][r], got[s][r], strict=True)):
                assert_same_value(a, b, rtol=rtol, atol=0, what=f"session {s} run {r} fetch {i}")
    # the stream goes on within a session and starts over in the next one
    assert not all(np.array_equal(a, b) for a, b in zip(got[0][0], got[0][1]) if np.size(a) > 2)
    for a, b in zip(got[0][0], got[1][0]):
        np.testing.assert_array_equal(a, b)
    return got


# -- random ops ----------------------------------------------------------------------------------

UNIFORM = {
    "float32": lambda tf, s: [
        tf.random_uniform([3, 5], seed=s),
        tf.random_uniform([7], -2, 3, seed=s),
    ],
    "float64": lambda tf, s: [tf.random_uniform([9], 1.0, 2.0, dtype=tf.float64, seed=s)],
    "float16": lambda tf, s: [tf.random_uniform([6], dtype=tf.float16, seed=s)],
    "int32": lambda tf, s: [tf.random_uniform([2, 9], -5, 17, dtype=tf.int32, seed=s)],
    "int64": lambda tf, s: [tf.random_uniform([11], 0, 2**40, dtype=tf.int64, seed=s)],
    "shuffle": lambda tf, s: [
        tf.random_shuffle(np.arange(10), seed=s),
        tf.random_shuffle(np.arange(12.0).reshape(6, 2), seed=s),
    ],
    "multinomial": lambda tf, s: [
        tf.multinomial(tf.log([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]), 9, seed=s),
        tf.random.categorical([[1.0, 2.0, -np.inf, 0.5]], 5, seed=s, dtype=tf.int32),
    ],
}

NORMAL = {
    "normal": lambda tf, s: [
        tf.random_normal([2, 7], seed=s),
        tf.random.normal([5], 3.0, 0.5, seed=s),
    ],
    "normal float64": lambda tf, s: [tf.random_normal([7], dtype=tf.float64, seed=s)],
    "normal float16": lambda tf, s: [tf.random_normal([6], dtype=tf.float16, seed=s)],
    "truncated": lambda tf, s: [
        tf.truncated_normal([33], seed=s),
        tf.truncated_normal([3, 4], 1.0, 0.1, seed=s),
    ],
    "truncated float64": lambda tf, s: [tf.truncated_normal([9], dtype=tf.float64, seed=s)],
    "truncated float16": lambda tf, s: [tf.truncated_normal([10], dtype=tf.float16, seed=s)],
    "gamma": lambda tf, s: [
        tf.random_gamma([6], [[0.3], [1.0], [4.5]], beta=[1.0, 2.0], seed=s),
        tf.random.gamma([3, 2], 0.05, dtype=tf.float64, seed=s),
    ],
}


@pytest.mark.parametrize("seeding", list(SEEDINGS))
@pytest.mark.parametrize("op", list(UNIFORM))
def test_uniform_and_discrete_ops(tf1: Any, op: str, seeding: str) -> None:
    assert_same_draws(tf1, UNIFORM[op], 1e-6, seeding)


@pytest.mark.parametrize("seeding", list(SEEDINGS))
@pytest.mark.parametrize("op", list(NORMAL))
def test_normal_based_ops(tf1: Any, op: str, seeding: str) -> None:
    assert_same_draws(tf1, NORMAL[op], 1e-5, seeding)


def test_large_draws(tf1: Any) -> None:
    """Tensors past the exact-libm limit, and truncated normal's rejections at scale."""

    def build(tf: Any, s: int | None) -> list[Any]:
        return [
            tf.random_normal([300_000], seed=s),
            tf.truncated_normal([5000], seed=s),
            tf.random_shuffle(np.arange(1000), seed=s),
        ]

    assert_same_draws(tf1, build, 1e-5, "both")


# -- initializers --------------------------------------------------------------------------------

INITIALIZERS = {
    "random_normal": lambda tf, s: tf.random_normal_initializer(1.0, 0.5, seed=s),
    "truncated_normal": lambda tf, s: tf.truncated_normal_initializer(stddev=0.1, seed=s),
    "random_uniform": lambda tf, s: tf.random_uniform_initializer(-0.5, 0.5, seed=s),
    "glorot_uniform": lambda tf, s: tf.glorot_uniform_initializer(seed=s),
    "glorot_normal": lambda tf, s: tf.glorot_normal_initializer(seed=s),
    "variance_scaling": lambda tf, s: tf.variance_scaling_initializer(2.0, seed=s),
    "variance_scaling fan_avg uniform": lambda tf, s: tf.variance_scaling_initializer(
        1.0, "fan_avg", "uniform", seed=s
    ),
    "variance_scaling untruncated": lambda tf, s: tf.variance_scaling_initializer(
        distribution="untruncated_normal", seed=s
    ),
    "he_normal": lambda tf, s: tf.initializers.he_normal(seed=s),
    "lecun_uniform": lambda tf, s: tf.initializers.lecun_uniform(seed=s),
    "uniform_unit_scaling": lambda tf, s: tf.uniform_unit_scaling_initializer(seed=s),
}


@pytest.mark.parametrize("seeding", list(SEEDINGS))
@pytest.mark.parametrize("init", list(INITIALIZERS))
def test_initializers(tf1: Any, init: str, seeding: str) -> None:
    def build(tf: Any, s: int | None) -> list[Any]:
        made = INITIALIZERS[init](tf, s)
        v = tf.get_variable("w", [5, 4], initializer=made)
        return [v, made([3, 2, 2])]

    rtol = 1e-6 if "uniform" in init else 1e-5
    assert_same_draws(tf1, build, rtol, seeding)


def test_orthogonal_initializer(tf1: Any) -> None:
    """TensorFlow's graph (random normal, Qr, DiagPart, Sign...) and its numbers, to the
    rounding of two float32 QR decompositions (LAPACK's here, Eigen's in TensorFlow)."""

    def build(lib: Any) -> list[Any]:
        lib.set_random_seed(3)
        init = lib.orthogonal_initializer(gain=2.0)
        v = lib.get_variable("w", [6, 4], initializer=init)
        return [v, init([3, 5]), lib.orthogonal_initializer(seed=1)([2, 2, 3])]

    got = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default() as g:
            fetches = build(lib)
            types = [op.type for op in g.get_operations()]
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                got.append((types, [t.name for t in fetches], sess.run(fetches)))
    (tf_types, tf_names, want), (tt_types, tt_names, have) = got
    assert (tt_types, tt_names) == (tf_types, tf_names)
    for a, b in zip(want, have):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    w = have[0] / 2.0
    np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-5)


def test_variables_from_random_ops_and_default_initializer(tf1: Any) -> None:
    """The classic programs: weights from tf.random_normal, tf.get_variable's glorot default."""

    def build(tf: Any, s: int | None) -> list[Any]:
        w = tf.Variable(tf.random_normal([2, 3]), name="weight")
        b = tf.Variable(tf.random_normal([3]), name="bias")
        v = tf.get_variable("v", [4, 3])
        with tf.variable_scope("layer"):
            u = tf.get_variable("u", [3, 3], initializer=tf.truncated_normal_initializer())
        return [w, b, v, u]

    assert_same_draws(tf1, build, 1e-5, "graph seed")


def test_graph_seed_counts_the_ops_that_take_one(tf1: Any) -> None:
    """With a graph seed only, each op's seed2 counts the seeded ops made before it: the ops
    in between (constants, dropout with keep_prob 1) must not shift the numbers."""

    def build(tf: Any, s: int | None) -> list[Any]:
        x = tf.ones([4, 5]) * 3.0
        kept = tf.nn.dropout(x, keep_prob=1.0)
        a = tf.random_uniform([4])
        c = tf.constant([1.0, 2.0]) + 1.0
        b = tf.random_normal([4])
        return [kept, a, c, b, tf.truncated_normal([3])]

    assert_same_draws(tf1, build, 1e-5, "graph seed")
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            lib.set_random_seed(1)
            build(lib, None)
            seeds = [
                (op.get_attr("seed"), op.get_attr("seed2"))
                for op in lib.get_default_graph().get_operations()
                if op.type in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal")
            ]
        assert seeds == [(1, 1), (1, 2), (1, 3)], lib


# -- dropout -------------------------------------------------------------------------------------

DROPOUTS = {
    "keep_prob 0.5": lambda tf, s: tf.nn.dropout(tf.ones([6, 8]) * 3.0, keep_prob=0.5, seed=s),
    "rate 0.2": lambda tf, s: tf.nn.dropout(tf.ones([6, 8]), rate=0.2, seed=s),
    "keep_prob 0.9 float64": lambda tf, s: tf.nn.dropout(
        tf.ones([50], tf.float64), keep_prob=0.9, seed=s
    ),
    "noise_shape": lambda tf, s: tf.nn.dropout(
        tf.ones([16, 4]), keep_prob=0.5, noise_shape=[16, 1], seed=s
    ),
}


@pytest.mark.parametrize("seeding", list(SEEDINGS))
@pytest.mark.parametrize("case", list(DROPOUTS))
def test_dropout_masks(tf1: Any, case: str, seeding: str) -> None:
    got = assert_same_draws(tf1, lambda tf, s: [DROPOUTS[case](tf, s)], 1e-6, seeding)
    mask = got[0][0][0] != 0
    assert mask.any() and not mask.all()


def test_dropout_with_a_fed_keep_prob(tf1: Any) -> None:
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            lib.set_random_seed(3)
            keep = lib.placeholder(lib.float32, [])
            y = lib.nn.dropout(lib.ones([40]), keep_prob=keep)
            with lib.Session() as sess:
                results.append([sess.run(y, {keep: k}) for k in (0.5, 0.8, 0.5)])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a != 0, b != 0)
        np.testing.assert_allclose(b, a, rtol=1e-6)


# -- a seeded training run -----------------------------------------------------------------------

_DATA = np.random.default_rng(0)
X = _DATA.normal(size=(32, 4)).astype(np.float32)
Y = np.eye(3, dtype=np.float32)[_DATA.integers(0, 3, 32)]


def _mlp_costs(lib: Any, dropout: bool) -> list[float]:
    with lib.Graph().as_default():
        lib.set_random_seed(777)  # for reproducibility
        x, y = lib.constant(X), lib.constant(Y)
        w1 = lib.Variable(lib.random_normal([4, 16]), name="weight1")
        b1 = lib.Variable(lib.random_normal([16]), name="bias1")
        h = lib.sigmoid(lib.matmul(x, w1) + b1)
        if dropout:
            h = lib.nn.dropout(h, keep_prob=0.7)
        w2 = lib.Variable(lib.random_normal([16, 3]), name="weight2")
        b2 = lib.Variable(lib.random_normal([3]), name="bias2")
        logits = lib.matmul(h, w2) + b2
        cost = lib.reduce_mean(lib.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = lib.train.GradientDescentOptimizer(0.5).minimize(cost)
        with lib.Session() as sess:
            sess.run(lib.global_variables_initializer())
            return [float(sess.run([cost, train])[0]) for _ in range(100)]


@pytest.mark.parametrize("dropout", [False, True], ids=["plain", "with dropout"])
def test_seeded_mlp_trains_as_in_tensorflow(tf1: Any, dropout: bool) -> None:
    want, got = _mlp_costs(tf1, dropout), _mlp_costs(teachflow, dropout)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    assert got[-1] < got[0]


# -- unseeded ------------------------------------------------------------------------------------


def test_unseeded_programs_differ_between_sessions() -> None:
    with teachflow.Graph().as_default():
        ops = [teachflow.random_uniform([8]), teachflow.random_normal([8])]
        ops.append(teachflow.truncated_normal([8]))
        with teachflow.Session() as s1:
            first = s1.run(ops)
        with teachflow.Session() as s2:
            second = s2.run(ops)
    for a, b in zip(first, second):
        assert not np.array_equal(a, b)
