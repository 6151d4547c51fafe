"""tf.nn.embedding_lookup against TensorFlow: values, names, shapes, its sparse gradient, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare

TABLE = np.arange(15, dtype=np.float32).reshape(5, 3)


def test_lookup_values_names_and_shapes(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        emb = tf.Variable(TABLE, name="emb")
        ids = tf.constant([[0, 4], [2, 2]])
        return [
            tf.nn.embedding_lookup(emb, ids),
            tf.nn.embedding_lookup([tf.constant(TABLE)], [3, 1], name="lookup"),
            tf.nn.embedding_lookup(emb, 2),
        ]

    compare(tf1, build)


def test_gradient_is_sparse_and_training_matches(tf1: Any) -> None:
    curves = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            emb = lib.Variable(TABLE / 10.0, name="emb")
            ids = lib.placeholder(lib.int32, [None])
            loss = lib.reduce_sum(lib.square(lib.nn.embedding_lookup(emb, ids) - 1.0))
            grad = lib.gradients(loss, emb)[0]
            assert type(grad).__name__ == "IndexedSlices"
            step = lib.train.GradientDescentOptimizer(0.1).minimize(loss)
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                losses = [float(sess.run([loss, step], {ids: [1, 3, 1]})[0]) for _ in range(5)]
                curves.append((losses, sess.run(emb).tolist()))
    np.testing.assert_allclose(curves[1][0], curves[0][0], rtol=1e-5)
    np.testing.assert_allclose(curves[1][1], curves[0][1], rtol=1e-5)


def test_float_ids_are_refused(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        with lib.Graph().as_default(), pytest.raises(TypeError, match="not in list of allowed"):
            lib.nn.embedding_lookup(lib.constant(TABLE), lib.constant([0.5]))
