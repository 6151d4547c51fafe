"""Audit of tf.nn, losses, random ops, initializers, variables and training against TensorFlow.

Each test pins a behaviour that differed from ``tf.compat.v1`` before the audit: values,
dtypes, static shapes and names are compared by ``compare``; errors by class.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error, run_program

LOGITS = [[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]]
LABELS = [[1.0, 0.0, 0.0], [0.0, 0.3, 0.7]]
X = [[-2.0, -0.5, 0.0, 0.5, 3.0, 7.0]]


# -- softmax family and cross-entropies ----------------------------------------------------


@pytest.mark.parametrize("row", [[np.inf, 0.0], [-np.inf, 0.0], [-np.inf, -np.inf]])
def test_softmax_family_with_infinite_logits(tf1: Any, row: list[float]) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant([row], tf.float32)
        return [
            tf.nn.softmax(x),
            tf.nn.log_softmax(x),
            tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.5, 0.5]], logits=x),
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=x),
        ]

    compare(tf1, build)


@pytest.mark.parametrize(
    "fn", ["softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2"]
)
@pytest.mark.parametrize(
    "labels_shape, logits_shape",
    [(None, [None, 3]), (None, None), ([None, 3], None), ([None, None], [None, None])],
)
def test_softmax_xent_with_unknown_shapes(
    tf1: Any, fn: str, labels_shape: Any, logits_shape: Any
) -> None:
    """Tutorials write y_ = tf.placeholder(tf.float32) with no shape."""

    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.float32, labels_shape)
        x = tf.placeholder(tf.float32, logits_shape)
        loss = getattr(tf.nn, fn)(labels=y, logits=x)
        return [loss, tf.reduce_mean(loss)], {y: LABELS, x: LOGITS}

    compare(tf1, build)


@pytest.mark.parametrize(
    "labels_shape, logits_shape", [(None, None), ([None], None), (None, [None, 3])]
)
def test_sparse_xent_with_unknown_shapes(tf1: Any, labels_shape: Any, logits_shape: Any) -> None:
    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.int32, labels_shape)
        x = tf.placeholder(tf.float32, logits_shape)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
        return loss, {y: [0, 2], x: LOGITS}

    compare(tf1, build)


def test_losses_softmax_cross_entropy_with_unshaped_labels(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.float32)
        x = tf.placeholder(tf.float32, [None, 3])
        return tf.losses.softmax_cross_entropy(y, x), {y: LABELS, x: LOGITS}

    compare(tf1, build)


def test_weighted_cross_entropy(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        logits = tf.constant(LOGITS)
        z = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]]
        a = tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=logits, pos_weight=2.0)
        b = tf.nn.weighted_cross_entropy_with_logits(
            labels=z, logits=logits, pos_weight=0.5, name="w"
        )
        return [a, b, tf.gradients(tf.reduce_sum(a), logits)[0]]

    compare(tf1, build)


# -- activations, top k --------------------------------------------------------------------


@pytest.mark.parametrize("fn", ["selu", "softsign", "crelu", "swish"])
def test_more_activations_and_their_gradients(tf1: Any, fn: str) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant(X)
        y = getattr(tf.nn, fn)(x)
        return [y, tf.gradients(tf.reduce_sum(y * y), x)[0]]

    # swish's gradient is a custom-gradient function in TensorFlow: compare its value only
    compare(tf1, build, names=fn != "swish")


@pytest.mark.parametrize("fn", ["selu", "crelu"])
def test_activation_names(tf1: Any, fn: str) -> None:
    compare(tf1, lambda tf: getattr(tf.nn, fn)(tf.constant(X, tf.float64), name="act"))


def test_in_top_k(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        p = tf.placeholder(tf.float32, [None, 4])
        hits = [
            tf.nn.in_top_k(p, [1, 2, 3], 1),
            tf.nn.in_top_k(p, tf.constant([1, 0, 5], tf.int64), 2, name="top2"),
        ]
        acc = tf.reduce_mean(tf.cast(hits[0], tf.float32))
        feed = [[1.0, 3.0, 3.0, 2.0], [1.0, np.nan, 3.0, 2.0], [0.0, 1.0, 2.0, 4.0]]
        return [*hits, acc], {p: feed}

    compare(tf1, build)


def test_top_k(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant([[1.0, 3.0, 3.0, 2.0], [4.0, -1.0, 0.0, 4.5]])
        values, indices = tf.nn.top_k(x, 2)
        ints = tf.nn.top_k([3, 1, 2], k=2, name="ints")
        grad = tf.gradients(tf.reduce_sum(values * [[1.0, 2.0]]), x)[0]
        return [values, indices, ints.values, ints.indices, grad]

    compare(tf1, build, names=False)
    tf_err, _ = construction_error(tf1, lambda tf: tf.nn.top_k([1, 2], 3))
    assert "last dimension >= k = 3" in str(tf_err)


def test_top_k_fetches_a_namedtuple(tf1: Any) -> None:
    _, tf_res = run_program(tf1, lambda tf: tf.nn.top_k([[1.0, 3.0, 2.0]], 2))
    _, tt_res = run_program(teachflow, lambda tf: tf.nn.top_k([[1.0, 3.0, 2.0]], 2))
    assert type(tt_res).__name__ == type(tf_res).__name__ == "TopKV2"
    np.testing.assert_array_equal(tt_res.indices, tf_res.indices)


# -- learning-rate schedules ----------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 7, 15, 25])
def test_learning_rate_schedules(tf1: Any, step: int) -> None:
    def build(tf: Any) -> Any:
        gs = tf.train.get_or_create_global_step()
        return [
            tf.train.exponential_decay(0.1, gs + step, 10, 0.5),
            tf.train.exponential_decay(0.1, step, 10, 0.5, staircase=True, name="lr"),
            tf.train.inverse_time_decay(0.1, step, 10, 0.3, staircase=True),
            tf.train.natural_exp_decay(0.1, step, 10, 0.3),
            tf.train.polynomial_decay(0.1, step, 20, 0.01, power=0.5),
            tf.train.polynomial_decay(0.1, step, 10, 0.01, cycle=True, name="cyc"),
            tf.train.cosine_decay(0.1, step, 20, alpha=0.1),
            tf.train.piecewise_constant(tf.constant(step), [5, 15, 20], [1.0, 0.5, 0.1, 0.01]),
        ]

    compare(tf1, build)


def test_exponential_decay_of_float64_rate(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        gs = tf.train.get_or_create_global_step()
        return tf.train.exponential_decay(tf.constant(0.1, tf.float64), gs, 100, 0.96)

    compare(tf1, build)


def test_training_with_a_decaying_rate(tf1: Any) -> None:
    def steps(tf: Any) -> list[Any]:
        with tf.Graph().as_default():
            gs = tf.train.get_or_create_global_step()
            lr = tf.train.exponential_decay(0.5, gs, 2, 0.5, staircase=True)
            w = tf.Variable(3.0)
            train = tf.train.GradientDescentOptimizer(lr).minimize(tf.square(w), global_step=gs)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return [sess.run([lr, train, w]) for _ in range(5)]

    for a, b in zip(steps(tf1), steps(teachflow), strict=True):
        np.testing.assert_allclose(b[0], a[0], rtol=1e-6)
        np.testing.assert_allclose(b[2], a[2], rtol=1e-6)


def test_schedule_errors(tf1: Any) -> None:
    construction_error(tf1, lambda tf: tf.train.exponential_decay(0.1, None, 10, 0.5))
    construction_error(
        tf1, lambda tf: tf.train.piecewise_constant(tf.constant(1), [5, 15], [1.0, 0.5])
    )


# -- variables -------------------------------------------------------------------------------


def test_variable_shape_arguments(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        a = tf.Variable(lambda: [1.0, 2.0], name="from_fn")
        b = tf.Variable([1.0, 2.0], validate_shape=False, name="unvalidated")
        assert str(b.shape) == "<unknown>"
        assert a.initial_value.op.name == "from_fn/Initializer/initial_value"
        return [a, b]

    compare(tf1, build)
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            # (TensorFlow cannot run the initializer of a partially known shape)
            assert str(lib.Variable([1.0, 2.0], shape=[None]).shape) == "(?,)"
    construction_error(tf1, lambda tf: tf.Variable([1.0, 2.0], shape=[3]))


def test_variable_constraint(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        def clip(t: Any) -> Any:
            return tf.clip_by_value(t, 0.0, 1.0)

        v = tf.Variable([2.0], constraint=clip)
        assert v.constraint is clip and tf.Variable(1.0).constraint is None
        return v

    compare(tf1, build)


def test_initialized_value_is_named_like_the_cond(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0], name="v")
        w = tf.Variable(v.initialized_value() * 2.0, name="w")
        return [v.initialized_value(), w]

    compare(tf1, build)


def test_count_up_to(tf1: Any) -> None:
    def counts(tf: Any) -> list[Any]:
        with tf.Graph().as_default():
            v = tf.Variable(0, name="n")
            nxt = v.count_up_to(2)
            alias = tf.count_up_to(v, 3, name="cu")
            assert (nxt.name, alias.name, str(nxt.shape)) == ("CountUpTo:0", "cu:0", "()")
            with tf.Session() as sess:
                sess.run(v.initializer)
                out: list[Any] = [sess.run(nxt), sess.run(nxt)]
                with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
                    sess.run(nxt)
                return [*out, sess.run(v), sess.run(alias), sess.run(v)]

    assert [np.asarray(x).tolist() for x in counts(teachflow)] == [
        np.asarray(x).tolist() for x in counts(tf1)
    ]


@pytest.mark.parametrize(
    "fn, args",
    [
        ("scatter_update", ([0, 2], [5.0, 6.0])),
        ("scatter_add", ([1, 1], [10.0, 1.0])),
        ("scatter_sub", ([[0]], [[1.0]])),
        ("scatter_mul", ([0], [2.0])),
        ("scatter_div", ([2], [4.0])),
        ("scatter_max", ([0, 1], [0.0, 9.0])),
        ("scatter_min", ([0, 1], [0.0, 9.0])),
    ],
)
def test_scatter_updates(tf1: Any, fn: str, args: Any) -> None:
    compare(tf1, lambda tf: getattr(tf, fn)(tf.Variable([1.0, 2.0, 3.0]), *args))


def test_scatter_rows_and_errors(tf1: Any) -> None:
    compare(tf1, lambda tf: tf.scatter_update(tf.Variable([[1, 2], [3, 4]]), [1], [[7, 8]]))
    compare(tf1, lambda tf: tf.scatter_update(tf.Variable([1.0, 2.0]), [5], [1.0]))
    construction_error(tf1, lambda tf: tf.scatter_update(tf.Variable([1.0, 2.0]), [0], [1.0, 2.0]))


def test_report_and_assert_initialized(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        tf.Variable(1.0, name="a")
        return [
            tf.report_uninitialized_variables(),
            tf.report_uninitialized_variables([], name="none"),
            tf.assert_variables_initialized(),
        ]

    compare(tf1, build)

    def uninitialized(tf: Any) -> Any:
        v = tf.Variable(1.0, name="a")
        check = tf.assert_variables_initialized([v])
        return tf.identity(check)

    for lib in (tf1, teachflow):
        with lib.Graph().as_default(), lib.Session() as sess:
            with pytest.raises(lib.errors.FailedPreconditionError):
                sess.run(uninitialized(lib))


# -- random ops, initializers, gradients -------------------------------------------------


def test_multinomial_and_categorical(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        logits = tf.log([[0.0, 1.0], [1.0, 0.0]])
        a = tf.multinomial(logits, 5)
        b = tf.random.categorical(logits, 3, dtype=tf.int32, name="cat")
        c = tf.multinomial([[1.0, 1.0, 1.0]], 4, seed=3)
        return [a, b, tf.shape(c), tf.reduce_max(c) < 3]

    compare(tf1, build)


def test_get_seed(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            assert lib.get_seed(None) == (None, None)
            assert lib.get_seed(3) == (87654321, 3)


@pytest.mark.parametrize(
    "make",
    [
        lambda tf: tf.initializers.zeros(),
        lambda tf: tf.initializers.constant(2.0),
        lambda tf: tf.initializers.identity(gain=2.0),
        lambda tf: tf.initializers.glorot_uniform(),
        lambda tf: tf.initializers.he_normal(),
        lambda tf: tf.initializers.lecun_uniform(),
        lambda tf: tf.uniform_unit_scaling_initializer(factor=1.5),
    ],
)
def test_initializers_namespace(tf1: Any, make: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.get_variable("v", [3, 4], initializer=make(tf))
        return [tf.shape(v), tf.reduce_max(tf.abs(v)) < 10.0]

    compare(tf1, build)


def test_uniform_unit_scaling_limit(tf1: Any) -> None:
    # limit = factor * sqrt(3 / 400)
    compare(
        tf1,
        lambda tf: tf.reduce_all(
            tf.abs(tf.uniform_unit_scaling_initializer(factor=2.0, seed=1)([400, 3])) <= 0.1733
        ),
    )


def test_unconnected_gradients_enum(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        x, y = tf.constant(3.0), tf.constant([2.0, 1.0])
        zero = tf.UnconnectedGradients.ZERO
        assert zero.value == "zero" and tf.UnconnectedGradients.NONE.value == "none"
        return tf.gradients(x * 2.0, [x, y], unconnected_gradients=zero)

    compare(tf1, build)


# -- losses --------------------------------------------------------------------------------


def test_more_losses(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        p = tf.constant(LOGITS)
        huber = tf.losses.huber_loss(LABELS, p, delta=0.5, weights=[[1.0], [2.0]])
        return [
            tf.losses.huber_loss(LABELS, p),
            huber,
            tf.gradients(huber, p)[0],
            tf.losses.hinge_loss([[1.0], [0.0]], [[0.8], [-0.3]]),
            tf.losses.hinge_loss([[1.0], [0.0]], [[0.8], [-0.3]], reduction="none", scope="h"),
            tf.losses.cosine_distance([[1.0, 0.0]], [[0.6, 0.8]], axis=1),
            tf.losses.cosine_distance([[1.0, 0.0]], [[0.6, 0.8]], dim=0, reduction="none"),
            tf.add_n(tf.losses.get_losses()[:3]),
        ]

    compare(tf1, build)
    construction_error(tf1, lambda tf: tf.losses.cosine_distance([[1.0]], [[1.0]]))
