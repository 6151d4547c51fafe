"""Gaps left by the first audit against real TensorFlow, compared again after the fixes:
``& | ^ ~`` on integers (bitwise ops) and ``tf.bitwise``; IndexedSlices from the gradient of
``tf.gather``; ``tf.where_v2``; ``tf.hessians``; more optimizers.
"""

from __future__ import annotations

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

pytestmark = pytest.mark.compat

A = np.array([5, 3, -2, 0, 127], np.int32)
B = np.array([3, 6, 7, -1, 1], np.int32)


# -- & | ^ ~ on integers, tf.bitwise ------------------------------------------------------------


def test_operators_on_integers_are_bitwise(tf1):
    def build(tf):
        a, b = tf.constant(A), tf.constant(B)
        return [a & b, a | b, a ^ b, ~a, 3 & a, a | 3, 12 ^ a, a & b]

    compare(tf1, build)


def test_operators_on_booleans_stay_logical(tf1):
    def build(tf):
        p, q = tf.constant([True, False, True]), tf.constant([True, True, False])
        return [p & q, p | q, p ^ q, ~p, p & True, False | q]

    compare(tf1, build)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "uint16"])
def test_bitwise_namespace(tf1, dtype):
    x = np.array([1, 2, 100, 7], dtype)
    y = np.array([3, 1, 2, 5], dtype)

    def build(tf):
        a, b = tf.constant(x), tf.constant(y)
        bw = tf.bitwise
        out = [bw.bitwise_and(a, b), bw.bitwise_or(a, b), bw.bitwise_xor(a, b), bw.invert(a)]
        out += [bw.left_shift(a, b), bw.right_shift(a, b), bw.invert(a, name="inv")]
        return out + [bw.bitwise_and(a, 6, name="masked"), ~a, a ^ b]

    compare(tf1, build)


def test_shift_counts_are_clamped(tf1):
    def build(tf):
        a = tf.constant([5, 3, -2, -8, 8, -1])
        s = tf.constant([33, -1, 40, 1, 70, -3])
        u = tf.constant([200, 3], tf.uint8)
        us = tf.constant([1, 9], tf.uint8)
        return [
            tf.bitwise.left_shift(a, s),
            tf.bitwise.right_shift(a, s),
            tf.bitwise.left_shift(u, us),
            tf.bitwise.right_shift(u, us),
        ]

    compare(tf1, build)


@pytest.mark.parametrize(
    "build",
    [
        lambda tf: tf.constant([1.0]) & tf.constant([2.0]),
        lambda tf: tf.bitwise.bitwise_or(1.0, 2.0),
        lambda tf: ~tf.constant(1.5),
        lambda tf: tf.bitwise.invert(True),
        lambda tf: tf.constant([1]) & tf.constant([True]),
        lambda tf: tf.constant([True]) | tf.constant([1]),
        lambda tf: tf.constant(1) ^ tf.constant(2.0),
        lambda tf: tf.constant(1) & 2.5,
        lambda tf: tf.bitwise.left_shift(tf.constant(1), tf.constant(1, tf.int64)),
    ],
)
def test_bitwise_errors_while_building(tf1, build):
    construction_error(tf1, build)


def test_bitwise_ops_have_no_gradient(tf1):
    def build(tf):
        a = tf.constant(A)
        return [str(g) for g in tf.gradients(tf.bitwise.left_shift(a, 1) & a, a)]

    tf_res, tt_res = [], []
    for lib, out in ((tf1, tf_res), (teachflow, tt_res)):
        with lib.Graph().as_default():
            out.extend(build(lib))
    assert tt_res == tf_res == ["None"]


# -- IndexedSlices: the gradient of tf.gather -------------------------------------------------

P = np.arange(12, dtype=np.float32).reshape(4, 3) / 4


def _gather_grad(tf, loss_fn):
    p = tf.Variable(P, name="p")
    (g,) = tf.gradients(loss_fn(tf, p), [p])
    return p, g


def test_gather_gradient_is_indexed_slices(tf1):
    def build(tf):
        _, g = _gather_grad(tf, lambda tf, p: tf.reduce_sum(tf.square(tf.gather(p, [2, 0, 2]))))
        assert type(g).__name__ == "IndexedSlices"
        assert str(g.shape) == "(4, 3)" and g.dtype == tf.float32 and g.name == g.values.name
        return [g.values, g.indices, g.dense_shape]

    compare(tf1, build)


def test_gather_gradient_with_2d_indices_and_through_identity(tf1):
    def build(tf):
        _, g = _gather_grad(
            tf, lambda tf, p: tf.reduce_sum(tf.gather(tf.identity(p), [[1, 3], [3, 3]]) * 2.0)
        )
        assert type(g).__name__ == "IndexedSlices"
        return [g.values, g.indices, g.dense_shape, tf.convert_to_tensor(g)]

    compare(tf1, build)


def test_gradients_of_two_gathers_are_concatenated(tf1):
    def build(tf):
        _, g = _gather_grad(
            tf,
            lambda tf, p: tf.reduce_sum(tf.gather(p, [0])) + tf.reduce_sum(tf.gather(p, [1, 1])),
        )
        assert type(g).__name__ == "IndexedSlices"
        return [g.values, g.indices, g.dense_shape, tf.convert_to_tensor(g)]

    compare(tf1, build)


def test_sparse_and_dense_gradients_are_summed_by_addn(tf1):
    def build(tf):
        p, g = _gather_grad(
            tf,
            lambda tf, p: tf.reduce_sum(tf.gather(p, [3, 1]) ** 2) + tf.reduce_sum(p * p),
        )
        assert type(g).__name__ != "IndexedSlices"
        return [g, *g.op.inputs]

    compare(tf1, build)


def test_densifying_indexed_slices(tf1):
    def build(tf):
        s = tf.IndexedSlices(
            tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            tf.constant([2, 0, 2]),
            tf.constant([4, 2]),
        )
        assert str(s.shape) == "(4, 2)"
        neg = -s
        return [tf.convert_to_tensor(s), tf.convert_to_tensor(s, name="dense"), neg.values]

    compare(tf1, build, names=False)


def test_indexed_slices_without_dense_shape_cannot_be_densified(tf1):
    construction_error(
        tf1,
        lambda tf: tf.convert_to_tensor(
            tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]))
        ),
    )


def test_running_indexed_slices_gives_a_value(tf1):
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            _, g = _gather_grad(lib, lambda tf, p: tf.reduce_sum(tf.gather(p, [1, 1, 0])))
            plain = lib.IndexedSlices(lib.constant([[1.0]]), lib.constant([0]))
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                results.append(sess.run({"g": g, "plain": [plain]}))
    tf_res, tt_res = results
    for a, b in ((tf_res["g"], tt_res["g"]), (tf_res["plain"][0], tt_res["plain"][0])):
        assert type(b).__name__ == type(a).__name__ == "IndexedSlicesValue"
        assert b._fields == a._fields
        for x, y in zip(a, b):
            if x is None:
                assert y is None
            else:
                np.testing.assert_array_equal(y, x)
                assert y.dtype == x.dtype


def test_unsorted_segment_sum_and_unique(tf1):
    def build(tf):
        d = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        s = tf.unsorted_segment_sum(d, [1, -1, 1], 3)
        u = tf.unique([4, 1, 4, 2, 1])
        u64 = tf.unique(tf.constant([3.0, 3.0, 1.0]), out_idx=tf.int64)
        return [s, u.y, u.idx, u64.y, u64.idx, tf.gradients(tf.reduce_sum(s * s), d)[0]]

    compare(tf1, build, names=False)


def test_unsorted_segment_sum_errors(tf1):
    def out_of_range(tf):
        return tf.unsorted_segment_sum(tf.constant([1.0, 2.0]), [0, 5], 3)

    tf_err, tt_err = compare(tf1, out_of_range)
    assert str(tt_err).splitlines()[0].startswith("segment_ids[1] = 5 is out of range [0, 3)")
    construction_error(tf1, lambda tf: tf.unsorted_segment_sum(tf.ones([3, 2]), [0, 1], 3))
    construction_error(tf1, lambda tf: tf.unsorted_segment_sum(tf.ones([3]), [0.0, 1.0, 1.0], 3))
    construction_error(tf1, lambda tf: tf.unique([[1, 2]]))


def test_scatter_sub_of_indexed_slices(tf1):
    def build(tf):
        v = tf.Variable([1.0, 2.0, 3.0, 4.0])
        up = v.scatter_sub(tf.IndexedSlices(tf.constant([0.5, 1.0, 1.0]), tf.constant([3, 0, 3])))
        return up

    compare(tf1, build)


@pytest.mark.parametrize(
    "make",
    [
        lambda tf: tf.train.GradientDescentOptimizer(0.1),
        lambda tf: tf.train.MomentumOptimizer(0.1, 0.9),
        lambda tf: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
        lambda tf: tf.train.AdagradOptimizer(0.1),
        lambda tf: tf.train.RMSPropOptimizer(0.1),
        lambda tf: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
        lambda tf: tf.train.AdamOptimizer(0.1),
    ],
    ids=["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "rmsprop-centered", "adam"],
)
def test_optimizers_update_only_the_gathered_rows(tf1, make):
    """Five steps on an embedding-like table: rows never gathered keep their values (and, for
    Momentum and RMSProp, their slots do not decay), as in TensorFlow."""
    batches = [[0, 2, 2], [1], [3, 0], [2, 2, 2], [0]]
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            p = lib.Variable(P, name="emb")
            w = lib.Variable(np.array([1.5, -0.5, 0.25], np.float32), name="w")
            idx = lib.placeholder(lib.int32, [None])
            loss = lib.reduce_sum(lib.square(lib.gather(p, idx) * w - 1.0))
            opt = make(lib)
            step = opt.minimize(loss)
            names = sorted(v.op.name for v in lib.global_variables())
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                trace = []
                for ids in batches:
                    sess.run(step, {idx: ids})
                    trace.append(sess.run([p, w]))
            results.append((names, trace))
    (tf_names, tf_trace), (tt_names, tt_trace) = results
    assert tt_names == tf_names
    for a, b in zip(tf_trace, tt_trace):
        for x, y in zip(a, b):
            np.testing.assert_allclose(y, x, rtol=1e-5, atol=1e-5)


# -- where_v2 (SelectV2) and the gradients that use it --------------------------------------------


def test_where_v2_broadcasts(tf1):
    def build(tf):
        c = tf.constant([True, False])
        m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        out = [tf.where_v2(c, 1.0, m), tf.where_v2([True, False], [1, 2], [3, 4], name="ww")]
        out += [tf.where_v2(tf.constant([[True], [False]]), m, -m), tf.where_v2(m > 2.0)]
        return out

    compare(tf1, build)


def test_where_v2_gradient(tf1):
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.constant([[0.5, -1.0]])
        c = tf.placeholder(tf.bool, [2])
        z = tf.where_v2(c, x, y) * tf.constant([[1.0, 2.0], [3.0, 4.0]])
        grads = tf.gradients(tf.reduce_sum(z * z), [x, y])
        return grads, {x: [[1.0, 2.0], [3.0, 4.0]], c: [True, False]}

    compare(tf1, build, names=False)


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_and_minimum_gradients_select_with_select_v2(tf1, op):
    def build(tf):
        x = tf.constant([[1.0, 5.0, 3.0], [2.0, 0.0, 7.0]])
        y = tf.constant([2.0, 2.0, 3.0])
        dx, dy = tf.gradients(tf.reduce_sum(getattr(tf, op)(x, y) * x), [x, y])
        types = sorted({o.type for o in tf.get_default_graph().get_operations()})
        assert "SelectV2" in types and "Select" not in types
        return [dx, dy]

    compare(tf1, build)


@pytest.mark.parametrize(
    "build",
    [
        lambda tf: tf.where_v2([True, False], [1, 2, 3], [1, 2, 3]),
        lambda tf: tf.where_v2([True], [1], [1.0]),
        lambda tf: tf.where_v2([1, 0], [1.0], [2.0]),
        lambda tf: tf.where_v2(tf.constant([True]), [1.0], None),
    ],
)
def test_where_v2_errors_while_building(tf1, build):
    construction_error(tf1, build)


def test_where_v2_error_at_run_time(tf1):
    def build(tf):
        c = tf.placeholder(tf.bool)
        return tf.where_v2(c, [1.0, 2.0], [3.0, 4.0]), {c: [True, False, True]}

    compare(tf1, build)


# -- tf.hessians --------------------------------------------------------------------------------


def test_hessians(tf1):
    def build(tf):
        x = tf.constant([1.0, 2.0, 3.0])
        m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        h = tf.hessians(tf.reduce_sum(x * x * x) + tf.reduce_prod(x), x)
        h += tf.hessians(tf.reduce_sum(tf.matmul(m, m)) + tf.reduce_sum(x * x * m[0, 0]), [m, x])
        h += tf.hessians(tf.reduce_sum(tf.sin(m) * m), m, name="hh")
        return h

    compare(tf1, build)


def test_hessians_of_a_variable_through_gather(tf1):
    def build(tf):
        p = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
        return tf.hessians(tf.reduce_sum(tf.gather(p, [1, 1]) ** 3), p)

    compare(tf1, build, names=False)


def test_hessians_need_a_second_derivative(tf1):
    def linear(tf):
        x = tf.constant([1.0, 2.0])
        return tf.hessians(tf.reduce_sum(x * 2.0), x)

    tf_err, tt_err = construction_error(tf1, linear)
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]


# -- Adadelta, ProximalGradientDescent, Ftrl -------------------------------------------------------

MORE_OPTIMIZERS = {
    "adadelta": lambda tf: tf.train.AdadeltaOptimizer(1.0),
    "adadelta-args": lambda tf: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=1e-6),
    "proximal": lambda tf: tf.train.ProximalGradientDescentOptimizer(0.05),
    "proximal-l1-l2": lambda tf: tf.train.ProximalGradientDescentOptimizer(
        0.05, l1_regularization_strength=0.05, l2_regularization_strength=0.2
    ),
    "ftrl": lambda tf: tf.train.FtrlOptimizer(0.1),
    "ftrl-power-l1-l2": lambda tf: tf.train.FtrlOptimizer(
        0.1,
        learning_rate_power=-0.7,
        l1_regularization_strength=0.01,
        l2_regularization_strength=0.1,
    ),
    "ftrl-shrinkage": lambda tf: tf.train.FtrlOptimizer(
        0.2, l2_shrinkage_regularization_strength=0.1, l1_regularization_strength=0.001
    ),
    "ftrl-beta-names": lambda tf: tf.train.FtrlOptimizer(
        0.2, beta=0.5, l2_regularization_strength=0.1, accum_name="acc", linear_name="lin"
    ),
}


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("name", sorted(MORE_OPTIMIZERS))
def test_more_optimizers_first_five_steps(tf1, name, sparse):
    batches = [[0, 2, 2], [1], [3, 0], [2, 2, 2], [0]]
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            p = lib.Variable(P - 1.0, name="emb")
            w = lib.Variable(np.array([1.5, -0.5, 0.25], np.float32), name="w")
            idx = lib.placeholder(lib.int32, [None])
            if sparse:
                rows = lib.gather(p, idx)
            else:
                rows = p * lib.reduce_sum(lib.one_hot(idx, 4), 0)[:, None]
            loss = lib.reduce_sum(lib.square(rows * w - 1.0))
            opt = MORE_OPTIMIZERS[name](lib)
            step = opt.minimize(loss)
            names = sorted(v.op.name for v in lib.global_variables())
            slots = opt.get_slot_names(), [opt.get_slot(p, s).op.name for s in opt.get_slot_names()]
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                trace = []
                for ids in batches:
                    sess.run(step, {idx: ids})
                    trace.append(sess.run([p, w]))
            results.append((names, slots, step.name, trace))
    (tf_names, tf_slots, tf_step, tf_trace), (tt_names, tt_slots, tt_step, tt_trace) = results
    assert (tt_names, tt_slots, tt_step) == (tf_names, tf_slots, tf_step)
    for a, b in zip(tf_trace, tt_trace):
        for x, y in zip(a, b):
            np.testing.assert_allclose(y, x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"learning_rate_power": 0.5},
        {"initial_accumulator_value": -0.1},
        {"l1_regularization_strength": -1.0},
        {"l2_regularization_strength": -1.0},
        {"l2_shrinkage_regularization_strength": -1.0},
    ],
)
def test_ftrl_argument_errors(tf1, kwargs):
    tf_err, tt_err = construction_error(tf1, lambda tf: tf.train.FtrlOptimizer(0.1, **kwargs))
    assert str(tt_err) == str(tf_err)
