"""tf.nn, tf.losses, random ops and initializers against real TensorFlow.

Values, gradients (tf.gradients), names, static shapes and dtypes must agree. For random ops
this file compares the graph (names, op types, shapes, dtypes and the (seed, seed2) attrs);
tests/compat/test_random_streams.py compares the numbers they draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

RNG = np.random.default_rng(1)
X = RNG.normal(scale=3, size=(3, 4)).astype(np.float32)
LABELS = np.eye(4, dtype=np.float32)[[1, 3, 0]]
SOFT = (np.exp(X) / np.exp(X).sum(1, keepdims=True)).astype(np.float32)


def graph_facts(lib: Any, build: Callable[[Any], Any]) -> dict[str, Any]:
    """What building shows without running: fetch names/types/shapes/dtypes, random seeds."""
    with lib.Graph().as_default() as g:
        out = build(lib)
        fetches = out if isinstance(out, (list, tuple)) else [out]
        return {
            "fetches": [(t.name, t.op.type, str(t.shape), t.dtype.name) for t in fetches],
            "seeds": sorted(
                (op.name, op.get_attr("seed"), op.get_attr("seed2"))
                for op in g.get_operations()
                if op.type.startswith(("Random", "Truncated"))
            ),
        }


def same_graph_facts(tf1: Any, build: Callable[[Any], Any]) -> None:
    expected = graph_facts(tf1, build)
    got = graph_facts(teachflow, build)
    assert got == expected


def same_op_types(tf1: Any, build: Callable[[Any], Any]) -> None:
    expected = graph_facts(tf1, build)["fetches"]
    got = graph_facts(teachflow, build)["fetches"]
    assert [f[1] for f in got] == [f[1] for f in expected]


# -- nn ops: values, names and types -------------------------------------------------------------


def _activations(tf: Any) -> list[Any]:
    x = tf.constant(X)
    return [
        tf.nn.relu(x),
        tf.nn.relu6(x),
        tf.nn.elu(x),
        tf.nn.leaky_relu(x),
        tf.nn.leaky_relu(x, alpha=0.1),
        tf.nn.softplus(x),
        tf.nn.softsign(x),
        tf.nn.sigmoid(x),
        tf.nn.tanh(x),
        tf.nn.relu([1, -2, 8]),
        tf.nn.relu6([1, -2, 8]),
    ]


def test_activations(tf1):
    compare(tf1, _activations)
    same_op_types(tf1, _activations)


def _softmaxes(tf: Any) -> list[Any]:
    x = tf.constant(X)
    return [
        tf.nn.softmax(x),
        tf.nn.log_softmax(x),
        tf.nn.softmax(x, axis=0),
        tf.nn.log_softmax(x, dim=0),
        tf.nn.softmax([[1000.0, -1000.0, 0.0]]),
        tf.nn.log_softmax([[1000.0, -1000.0, 0.0]]),
        tf.nn.softmax([1.0, 2.0]),
    ]


def test_softmax(tf1):
    compare(tf1, _softmaxes)


def _cross_entropies(tf: Any) -> list[Any]:
    x = tf.constant(X)
    return [
        tf.nn.softmax_cross_entropy_with_logits(labels=SOFT, logits=x),
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=LABELS, logits=x),
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=LABELS[0], logits=X[0]),
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0]], logits=[[1e3, -1e3]]),
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 3, 0], logits=x),
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[1, 0]], logits=X[None, :2]),
        tf.nn.sigmoid_cross_entropy_with_logits(labels=SOFT, logits=x),
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0], logits=[1e3, -1e3]),
    ]


def test_cross_entropies(tf1):
    compare(tf1, _cross_entropies, rtol=1e-5, atol=1e-5)
    same_op_types(tf1, _cross_entropies)


def _misc(tf: Any) -> list[Any]:
    x = tf.constant(X)
    mean, var = tf.nn.moments(x, axes=[0])
    return [
        tf.nn.l2_loss(x),
        tf.nn.bias_add(x, [1.0, 2.0, 3.0, 4.0]),
        tf.nn.bias_add(np.ones((2, 3, 2), np.float32), [1.0, 2.0, 3.0], data_format="NCHW"),
        tf.nn.xw_plus_b(x, np.ones((4, 2), np.float32), [0.5, -0.5]),
        tf.nn.zero_fraction(tf.nn.relu(x)),
        tf.nn.zero_fraction([0, 1, 2]),
        mean,
        var,
        tf.nn.l2_normalize(x, axis=1),
    ]


def test_l2_loss_bias_add_moments_zero_fraction(tf1):
    compare(tf1, _misc, atol=1e-5)
    facts_tf = graph_facts(tf1, _misc)["fetches"]
    facts_tt = graph_facts(teachflow, _misc)["fetches"]
    assert [f[1] for f in facts_tt[:2]] == [f[1] for f in facts_tf[:2]] == ["L2Loss", "BiasAdd"]


def test_construction_errors(tf1):
    cases = [
        lambda tf: tf.nn.softmax([1, 2]),
        lambda tf: tf.nn.softmax(1.0),
        lambda tf: tf.nn.bias_add([[1.0, 2.0, 3.0]], [1.0, 2.0]),
        lambda tf: tf.nn.bias_add([1.0, 2.0], [1.0, 2.0]),
        lambda tf: tf.nn.l2_loss([1, 2]),
        lambda tf: tf.nn.elu([1, 2]),
        lambda tf: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0]], logits=[[1.0]]),
        lambda tf: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0], logits=[[1.0]]),
        lambda tf: tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[1.0, 2.0]),
        lambda tf: tf.nn.dropout([1.0, 2.0], rate=1.0),
        lambda tf: tf.nn.dropout([1, 2], rate=0.5),
        lambda tf: tf.nn.dropout([1.0], keep_prob=0.5, rate=0.5),
        lambda tf: tf.random_uniform([2], dtype=tf.int32),
        lambda tf: tf.random_normal([2.0]),
        lambda tf: tf.variance_scaling_initializer(scale=-1.0),
    ]
    for build in cases:
        construction_error(tf1, build)


def test_run_time_errors(tf1):
    def bad_label(tf):
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 5], logits=np.ones((2, 2)))

    def bad_bias(tf):
        x = tf.placeholder_with_default([[1.0, 2.0]], [None, None])
        return tf.nn.bias_add(x, [1.0, 2.0, 3.0])

    def bad_range(tf):
        return tf.random_uniform([2], 5, 5, dtype=tf.int32)

    for build in (bad_label, bad_bias, bad_range):
        tf_err, tt_err = compare(tf1, build)
        assert isinstance(tt_err, teachflow.errors.InvalidArgumentError)
        last_tf_line = [ln for ln in tf_err.message.splitlines() if ln.strip()][-2]
        assert last_tf_line.strip() in tt_err.message


# -- gradients ---------------------------------------------------------------------------------


def _grads_of(fn: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    def build(tf: Any) -> list[Any]:
        x = tf.constant(X.astype(np.float64))
        y = fn(tf, x)
        shape = y.shape.as_list()
        w = tf.constant(np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape))
        return [y, tf.gradients(y, [x], grad_ys=w)[0]]

    return build


GRADIENT_CASES: dict[str, Callable[[Any, Any], Any]] = {
    "relu": lambda tf, x: tf.nn.relu(x),
    "relu6": lambda tf, x: tf.nn.relu6(x),
    "elu": lambda tf, x: tf.nn.elu(x),
    "leaky_relu": lambda tf, x: tf.nn.leaky_relu(x, alpha=0.3),
    "softplus": lambda tf, x: tf.nn.softplus(x),
    "softsign": lambda tf, x: tf.nn.softsign(x),
    "softmax": lambda tf, x: tf.nn.softmax(x),
    "softmax_axis0": lambda tf, x: tf.nn.softmax(x, axis=0),
    "log_softmax": lambda tf, x: tf.nn.log_softmax(x),
    "xent_v1": lambda tf, x: tf.nn.softmax_cross_entropy_with_logits(labels=SOFT, logits=x),
    "xent_v2_labels": lambda tf, x: tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=x, logits=X.astype(np.float64)
    ),
    "sparse_xent": lambda tf, x: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=[1, 3, 0], logits=x
    ),
    "sigmoid_xent": lambda tf, x: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=SOFT.astype(np.float64), logits=x
    ),
    "l2_loss": lambda tf, x: tf.nn.l2_loss(x),
    "bias_add_value": lambda tf, x: tf.nn.bias_add(x, np.arange(4.0)),
    "bias_add_bias": lambda tf, x: tf.nn.bias_add(np.ones((2, 3, 4)), x[0]),
    "moments_var": lambda tf, x: tf.nn.moments(x, axes=[1])[1],
    "l2_normalize": lambda tf, x: tf.nn.l2_normalize(x, axis=0),
}


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_gradients(tf1, case):
    compare(tf1, _grads_of(GRADIENT_CASES[case]), rtol=1e-6, atol=1e-9, names=False)


def test_gradient_op_names(tf1):
    def build(tf):
        x = tf.constant(X)
        ys = [tf.nn.relu(x), tf.nn.elu(x), tf.nn.l2_loss(x), tf.nn.bias_add(x, X[0])]
        return [tf.gradients(y, [x])[0] for y in ys[:3]] + [
            tf.gradients(ys[3], [ys[3].op.inputs[1]])[0]
        ]

    compare(tf1, build)


def test_second_derivative_of_softmax_cross_entropy(tf1):
    def build(tf):
        x = tf.constant(X.astype(np.float64))
        loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=SOFT.astype(np.float64), logits=x)
        (g,) = tf.gradients(loss, [x])
        return tf.gradients(g, [x], grad_ys=tf.constant(np.linspace(-1, 1, 12).reshape(3, 4)))

    compare(tf1, build, names=False)


# -- dropout -----------------------------------------------------------------------------------


def test_dropout(tf1):
    def build(tf):
        x = tf.ones([40, 50])
        return [
            tf.nn.dropout(x, keep_prob=0.5),
            tf.nn.dropout(x, rate=0.2, seed=3),
            tf.nn.dropout(x, keep_prob=1.0),
        ]

    tf_facts, tt_facts = graph_facts(tf1, build), graph_facts(teachflow, build)
    assert tt_facts["seeds"] == tf_facts["seeds"]
    assert [f[2:] for f in tt_facts["fetches"]] == [f[2:] for f in tf_facts["fetches"]]
    # TensorFlow 1.x's graph, x / keep_prob * floor(keep_prob + u); TensorFlow 2 selects instead
    assert [f[0] for f in tt_facts["fetches"]] == ["dropout/mul:0", "dropout_1/mul:0", "ones:0"]
    for lib in (tf1, teachflow):
        with lib.Graph().as_default(), lib.Session() as sess:
            half, fifth, same = sess.run(build(lib))
        assert set(np.unique(half).tolist()) == {0.0, 2.0}
        assert set(np.unique(fifth).tolist()) == {0.0, 1.25}
        assert abs((fifth == 0).mean() - 0.2) < 0.06
        assert (same == 1).all()


# -- losses --------------------------------------------------------------------------------------


def _losses(tf: Any) -> list[Any]:
    x = tf.constant(X)
    p = tf.sigmoid(x)
    w_rows = np.array([[1.0], [0.0], [2.0]], np.float32)
    losses = [
        tf.losses.mean_squared_error(SOFT, p),
        tf.losses.mean_squared_error(SOFT, p, weights=w_rows),
        tf.losses.mean_squared_error(SOFT, p, weights=0.0),
        tf.losses.absolute_difference(SOFT, p, weights=2.0),
        tf.losses.log_loss(LABELS, p),
        tf.losses.sigmoid_cross_entropy(LABELS, x, label_smoothing=0.1),
        tf.losses.softmax_cross_entropy(LABELS, x, weights=[1.0, 0.0, 3.0]),
        tf.losses.softmax_cross_entropy(LABELS, x, label_smoothing=0.2),
        tf.losses.sparse_softmax_cross_entropy([1, 3, 0], x),
        tf.losses.sparse_softmax_cross_entropy(
            [[1], [3], [0]], tf.cast(x, tf.float64), loss_collection=None
        ),
        tf.losses.mean_squared_error(
            SOFT, p, loss_collection=None, reduction=tf.losses.Reduction.NONE
        ),
        tf.losses.mean_squared_error(SOFT, p, reduction=tf.losses.Reduction.SUM),
        tf.losses.mean_squared_error(SOFT, p, w_rows, reduction=tf.losses.Reduction.MEAN),
        tf.losses.absolute_difference(SOFT, p, reduction=tf.losses.Reduction.SUM_OVER_BATCH_SIZE),
        tf.losses.compute_weighted_loss([1.0, 2.0, 3.0], weights=[1.0, 0.0, 1.0]),
    ]
    return losses + [tf.losses.get_total_loss()] + tf.losses.get_losses()


def test_losses(tf1):
    compare(tf1, _losses)


def test_loss_errors(tf1):
    construction_error(
        tf1,
        lambda tf: tf.losses.mean_squared_error(np.zeros((2, 2)), np.zeros((2, 2)), [1.0] * 3),
    )
    construction_error(
        tf1, lambda tf: tf.losses.absolute_difference(np.zeros((2, 3)), np.zeros((2, 2)))
    )
    construction_error(tf1, lambda tf: tf.losses.compute_weighted_loss([1.0], reduction="x"))


LOSS_GRADIENTS: dict[str, Callable[[Any, Any], Any]] = {
    "mean_squared_error": lambda tf, x: tf.losses.mean_squared_error(
        SOFT, x, weights=np.array([[1.0], [0.0], [2.0]])
    ),
    "absolute_difference": lambda tf, x: tf.losses.absolute_difference(SOFT, x),
    "log_loss": lambda tf, x: tf.losses.log_loss(LABELS, tf.sigmoid(x)),
    "sigmoid_cross_entropy": lambda tf, x: tf.losses.sigmoid_cross_entropy(LABELS, x),
    "softmax_cross_entropy": lambda tf, x: tf.losses.softmax_cross_entropy(
        LABELS, x, label_smoothing=0.1
    ),
    "sparse_softmax_cross_entropy": lambda tf, x: tf.losses.sparse_softmax_cross_entropy(
        [1, 3, 0], x, weights=[2.0, 1.0, 0.5]
    ),
}


@pytest.mark.parametrize("case", sorted(LOSS_GRADIENTS))
def test_loss_gradients(tf1, case):
    def build(tf):
        x = tf.constant(X)
        loss = LOSS_GRADIENTS[case](tf, x)
        return [loss, tf.gradients(loss, [x])[0]]

    compare(tf1, build, rtol=1e-5, atol=1e-6, names=False)


# -- random ops and initializers: the graph, not the numbers -----------------------------------


def test_random_ops_graph(tf1):
    def build(tf):
        return [
            tf.random_normal([2, 3]),
            tf.random_normal([2], mean=1.0, stddev=2.0, seed=5, dtype=tf.float64),
            tf.truncated_normal([4, 1], seed=1),
            tf.random_uniform([3]),
            tf.random_uniform([3], maxval=4.0),
            tf.random_uniform([3], -1.0, 1.0),
            tf.random_uniform([2, 2], 0, 10, dtype=tf.int32),
            tf.random_uniform([2], 1, 5, dtype=tf.int64, seed=2),
            tf.random_shuffle([1, 2, 3]),
            tf.random.normal([1], name="noise"),
            tf.random_normal(tf.constant([2, 3])),
            tf.random_normal(tf.placeholder(tf.int32, [2])),
        ]

    same_graph_facts(tf1, build)


def test_graph_seed_rules(tf1):
    def build(tf):
        tf.set_random_seed(3)
        out = [tf.random_normal([2]), tf.random_uniform([2]), tf.random_normal([2], seed=7)]
        tf.random.set_random_seed(0)
        return out + [tf.truncated_normal([1], seed=0), tf.random_shuffle([1, 2])]

    same_graph_facts(tf1, build)


def test_random_values_shapes_and_dtypes(tf1):
    def build(tf):
        return [tf.random_normal([2, 3], seed=1), tf.random_uniform([4], 0, 3, dtype=tf.int32)]

    tf_facts = graph_facts(tf1, build)["fetches"]
    tt_facts = graph_facts(teachflow, build)["fetches"]
    assert tt_facts == tf_facts
    with teachflow.Graph().as_default(), teachflow.Session() as sess:
        a, b = sess.run(build(teachflow))
    assert (a.shape, a.dtype, b.shape, b.dtype) == ((2, 3), np.float32, (4,), np.int32)


def test_initializers(tf1):
    def build(tf):
        return [
            tf.zeros_initializer()([2, 3]),
            tf.zeros_initializer()([2], dtype=tf.int32),
            tf.ones_initializer()([3]),
            tf.constant_initializer(3)([2, 2]),
            tf.constant_initializer([1, 2, 3, 4, 5, 6])([2, 3]),
            tf.constant_initializer([1, 2])([2, 3]),
        ]

    compare(tf1, build)

    def random_build(tf):
        return [
            tf.random_normal_initializer(seed=1)([2, 3]),
            tf.truncated_normal_initializer(stddev=0.1)([3]),
            tf.random_uniform_initializer()([2]),
            tf.random_uniform_initializer(0, 10, dtype=tf.int32)([2]),
            tf.glorot_uniform_initializer()([3, 4]),
            tf.glorot_normal_initializer(seed=2)([3, 4]),
            tf.variance_scaling_initializer(distribution="uniform")([5]),
            tf.variance_scaling_initializer(distribution="untruncated_normal")([2, 2]),
            tf.variance_scaling_initializer(mode="fan_avg", distribution="normal")([2, 2, 3]),
        ]

    same_graph_facts(tf1, random_build)


def test_initializer_configs(tf1):
    for name, kwargs in [
        ("zeros_initializer", {}),
        ("constant_initializer", {"value": 2}),
        ("random_normal_initializer", {"stddev": 0.5, "seed": 1}),
        ("random_uniform_initializer", {"minval": -1.0}),
        ("truncated_normal_initializer", {}),
        ("variance_scaling_initializer", {"scale": 2.0, "mode": "fan_out"}),
        ("glorot_uniform_initializer", {"seed": 3}),
        ("glorot_normal_initializer", {}),
    ]:
        expected = getattr(tf1, name)(**kwargs).get_config()
        got = getattr(teachflow, name)(**kwargs).get_config()
        assert got == expected, name
