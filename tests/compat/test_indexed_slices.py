"""IndexedSlices against real TensorFlow: the gradient of ``tf.gather`` (a sparse gradient),
summed and densified as TensorFlow does, run, and applied by optimizers to the gathered rows only;
``unsorted_segment_sum`` and ``unique``.
"""

from __future__ import annotations

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

pytestmark = pytest.mark.compat


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
