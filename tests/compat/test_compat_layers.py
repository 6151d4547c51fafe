"""tf.layers against TensorFlow 1.x's own layers (``tf.compat.v1.layers``, kept in ``tf_keras``).

The graphs must agree op for op where TensorFlow's 1.x layers build plain ops (dense, conv2d,
pooling, flatten, non-fused batch norm): op names and types, variable names, collections; values
agree when both libraries start from the same initial values.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RNG = np.random.default_rng(7)
X2 = RNG.normal(size=(5, 4)).astype(np.float32)
X4 = RNG.normal(size=(2, 6, 6, 3)).astype(np.float32)


@pytest.fixture(scope="module")
def tf_layers(tf1: Any) -> Any:
    pytest.importorskip("tf_keras")
    from tf_keras.src.legacy_tf_layers import convolutional, core, normalization, pooling

    return types.SimpleNamespace(
        dense=core.dense,
        Dense=core.Dense,
        dropout=core.dropout,
        flatten=core.flatten,
        conv2d=convolutional.conv2d,
        max_pooling2d=pooling.max_pooling2d,
        average_pooling2d=pooling.average_pooling2d,
        batch_normalization=normalization.batch_normalization,
    )


@pytest.fixture
def L(tf_layers: Any) -> Any:  # noqa: N802 - reads like tf.layers
    """``L(lib)``: the layers namespace of either library."""
    return lambda lib: teachflow.layers if lib is teachflow else tf_layers


def ops_of(lib: Any, build: Any) -> dict[str, Any]:
    with lib.Graph().as_default() as g:
        out = build(lib)
        return {
            "ops": [(op.name, op.type) for op in g.get_operations()],
            "globals": [v.name for v in lib.global_variables()],
            "trainable": [v.name for v in lib.trainable_variables()],
            "reg": [t.name for t in lib.get_collection(lib.GraphKeys.REGULARIZATION_LOSSES)],
            "updates": [op.name for op in lib.get_collection(lib.GraphKeys.UPDATE_OPS)],
            "out": [(t.name, str(t.shape)) for t in (out if isinstance(out, list) else [out])],
        }


def same_graph(tf1: Any, build: Any, ordered: bool = True) -> dict[str, Any]:
    want, got = ops_of(tf1, build), ops_of(teachflow, build)
    if not ordered:  # inside a tf.cond TensorFlow adds a branch's Switch after its consumer
        want["ops"], got["ops"] = sorted(want["ops"]), sorted(got["ops"])
    for key in want:
        assert got[key] == want[key], key
    return got


def test_dense_graph_is_tensorflows(tf1: Any, L: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None, 4])
        h = L(tf).dense(x, 3, activation=tf.nn.relu, kernel_regularizer=tf.nn.l2_loss)
        seq = tf.placeholder(tf.float32, [None, 5, 6])
        return [h, L(tf).dense(h, 2), L(tf).dense(h, 2, use_bias=False, name="logits"),
                L(tf).dense(seq, 3, activation=tf.nn.tanh)]  # fmt: skip

    got = same_graph(tf1, build)
    assert got["globals"] == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                              "dense_1/bias:0", "logits/kernel:0", "dense_2/kernel:0",
                              "dense_2/bias:0"]  # fmt: skip


def test_cnn_graph_is_tensorflows(tf1: Any, L: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None, 28, 28, 1])
        h = L(tf).conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
        h = L(tf).max_pooling2d(h, 2, 2)
        h = L(tf).conv2d(h, 8, [5, 5], strides=2, name="c2")
        h = L(tf).average_pooling2d(h, [2, 2], 1, padding="SAME")
        flat = L(tf).flatten(h)
        loose = L(tf).flatten(tf.placeholder(tf.float32, [None, None, 3]))
        return [h, flat, loose, L(tf).dropout(flat, 0.5, training=False)]

    same_graph(tf1, build)


def test_reuse_rules(tf1: Any, L: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None, 4])
        layer = L(tf).Dense(3, name="fc")
        outs = [layer(x), layer(x)]
        with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
            outs += [L(tf).dense(x, 3, name="q"), L(tf).dense(x, 3, name="q")]
        outs.append(L(tf).dense(x, 3, name="fc", reuse=True))
        with tf.variable_scope("model"):
            outs.append(L(tf).dense(x, 2))
        with tf.variable_scope("model", reuse=True):
            outs.append(L(tf).dense(x, 2, name="dense"))
        with tf.variable_scope("model", reuse=True):
            outs.append(L(tf).dense(x, 2))  # default names restart in a re-entered scope
        with tf.name_scope("tower"):
            outs.append(L(tf).dense(x, 2, name="t"))  # name scopes do not name variables
        return outs

    got = same_graph(tf1, build)
    assert got["globals"] == ["fc/kernel:0", "fc/bias:0", "s/q/kernel:0", "s/q/bias:0",
                              "model/dense/kernel:0", "model/dense/bias:0", "t/kernel:0",
                              "t/bias:0"]  # fmt: skip


def test_reusing_a_missing_layer_is_tensorflows_error(tf1: Any, L: Any) -> None:
    tf_err, tt_err = construction_error(
        tf1, lambda tf: L(tf).dense(tf.placeholder(tf.float32, [None, 4]), 3, name="x", reuse=True)
    )
    assert str(tt_err).splitlines()[0] == str(tf_err).splitlines()[0]
    tf_err, tt_err = construction_error(
        tf1, lambda tf: L(tf).dense(tf.placeholder(tf.float32, [None, None]), 3)
    )
    assert "last dimension of the inputs to `Dense` should be defined" in str(tt_err)


def test_dense_and_conv_values(tf1: Any, L: Any) -> None:
    k = RNG.normal(size=(3, 3, 3, 4)).astype(np.float32)
    w = RNG.normal(size=(3 * 3 * 4, 5)).astype(np.float32)

    def build(tf: Any) -> Any:
        x = tf.constant(X4)
        h = L(tf).conv2d(
            x, 4, 3, activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(k),
            bias_initializer=tf.constant_initializer(0.1),
        )  # fmt: skip
        p = L(tf).max_pooling2d(h, 2, 1)
        a = L(tf).average_pooling2d(h, 2, 1)
        y = L(tf).dense(L(tf).flatten(p), 5, kernel_initializer=tf.constant_initializer(w))
        z = L(tf).dense(tf.constant(X4), 2, kernel_initializer=tf.ones_initializer())
        seq = tf.placeholder_with_default(X4[0], [None, 6, 3])
        z3 = L(tf).dense(seq, 2, kernel_initializer=tf.constant_initializer(w[:3, :2]))
        return [h, p, a, y, z, z3, tf.gradients(tf.reduce_sum(y * y), x)[0],
                tf.gradients(tf.reduce_sum(z3 * z3), seq)[0]]  # fmt: skip

    compare(tf1, build, rtol=1e-4, atol=1e-5)


def test_default_initializers_are_glorot_uniform_and_zeros(tf1: Any, L: Any) -> None:
    with teachflow.Graph().as_default():
        L(teachflow).dense(teachflow.zeros([1, 30]), 20)
        with teachflow.Session() as sess:
            sess.run(teachflow.global_variables_initializer())
            kernel, bias = sess.run(teachflow.trainable_variables())
    limit = np.sqrt(6 / (30 + 20))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit
    assert kernel.std() == pytest.approx(limit / np.sqrt(3), rel=0.2)
    assert not bias.any()


@pytest.mark.parametrize("shape", [(6, 4), (2, 6, 6, 3)])
def test_batch_normalization_training(tf1: Any, L: Any, shape: tuple[int, ...]) -> None:
    x_val = RNG.normal(loc=2.0, scale=3.0, size=shape).astype(np.float32)
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            x = lib.placeholder(lib.float32, [None, *shape[1:]])
            y = L(lib).batch_normalization(x, training=True, momentum=0.9)
            update = lib.get_collection(lib.GraphKeys.UPDATE_OPS)
            loss = lib.reduce_sum(y * lib.constant(np.arange(shape[-1], dtype=np.float32)) ** 2)
            with lib.control_dependencies(update):
                train = lib.train.GradientDescentOptimizer(0.1).minimize(loss)
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                first = sess.run(y, {x: x_val})
                for _ in range(3):
                    sess.run(train, {x: x_val})
                results.append([first, *sess.run(lib.global_variables())])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


def test_batch_normalization_graph_and_inference(tf1: Any, L: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None, 4])
        is_training = tf.placeholder(tf.bool)
        return [
            L(tf).batch_normalization(x, training=True),
            L(tf).batch_normalization(x, training=is_training, name="bn"),
            L(tf).batch_normalization(x, center=False, scale=False),
        ]

    same_graph(tf1, build, ordered=False)

    def run(tf: Any) -> Any:
        x = tf.constant(X2)
        flag = tf.placeholder_with_default(False, [])
        return [L(tf).batch_normalization(x, training=flag, momentum=0.5, epsilon=0.01),
                L(tf).batch_normalization(x, training=False)]  # fmt: skip

    compare(tf1, run, rtol=1e-4, atol=1e-5)


def test_dropout_training_switch(tf1: Any, L: Any) -> None:
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            x = lib.ones([200, 50])
            on = L(lib).dropout(x, rate=0.25, training=True)
            flag = lib.placeholder(lib.bool, [])
            switched = L(lib).dropout(x, rate=0.25, training=flag)
            with lib.Session() as sess:
                kept = sess.run(on)
                assert set(np.unique(kept).tolist()) == {0.0, np.float32(1 / 0.75)}
                assert abs((kept == 0).mean() - 0.25) < 0.03
                np.testing.assert_array_equal(sess.run(switched, {flag: False}), np.ones([200, 50]))
                assert (sess.run(switched, {flag: True}) == 0).any()


def test_training_curve_with_tensorflows_initial_values(tf1: Any, L: Any) -> None:
    """A small CNN + MLP from TensorFlow's own (random) initial values: same loss curve."""
    rng = np.random.default_rng(3)
    images = rng.random((16, 8, 8, 1), dtype=np.float32)
    labels = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]

    def model(tf: Any, init: dict[str, np.ndarray] | None) -> Any:
        def k(name: str) -> Any:
            return None if init is None else tf.constant_initializer(init[name])

        x = tf.placeholder(tf.float32, [None, 8, 8, 1])
        y = tf.placeholder(tf.float32, [None, 3])
        h = L(tf).conv2d(x, 4, 3, padding="same", activation=tf.nn.relu,
                         kernel_initializer=k("conv2d/kernel:0"))  # fmt: skip
        h = L(tf).max_pooling2d(h, 2, 2)
        h = L(tf).dense(L(tf).flatten(h), 16, activation=tf.nn.relu,
                        kernel_initializer=k("dense/kernel:0"))  # fmt: skip
        logits = L(tf).dense(h, 3, kernel_initializer=k("dense_1/kernel:0"))
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        return x, y, loss, train

    with tf1.Graph().as_default():
        model(tf1, None)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            init = {v.name: sess.run(v) for v in tf1.trainable_variables() if "kernel" in v.name}
    curves = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            x, y, loss, train = model(lib, init)
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                curves.append(
                    [sess.run([loss, train], {x: images, y: labels})[0] for _ in range(30)]
                )
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-4)
    assert curves[1][-1] < curves[1][0] * 0.8


def test_batch_normalization_4d_is_the_fused_graph(tf1: Any, L: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None, 5, 5, 3])
        flag = tf.placeholder(tf.bool)
        return [
            L(tf).batch_normalization(x, training=True),
            L(tf).batch_normalization(x, training=False),
            L(tf).batch_normalization(x, training=flag, name="switched"),
        ]

    same_graph(tf1, build, ordered=False)

    def run(tf: Any) -> Any:
        x = tf.constant(X4)
        flag = tf.placeholder_with_default(True, [])
        y = L(tf).batch_normalization(x, training=flag, momentum=0.5)
        z = L(tf).batch_normalization(x, training=True, name="bn", center=False)
        w = L(tf).batch_normalization(x, axis=1, training=True, name="first")
        loss = tf.reduce_sum(y * y * [1.0, 2.0, 3.0]) + tf.reduce_sum(z * x) + tf.reduce_sum(w * x)
        return [y, z, w, *tf.gradients(loss, [x, *tf.trainable_variables()])]

    compare(tf1, run, rtol=1e-4, atol=1e-4)


def test_nn_batch_normalization_and_fused(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        x = tf.constant(X4)
        mean, var = tf.nn.moments(x, [0, 1, 2])
        plain = tf.nn.batch_normalization(x, mean, var, offset=[0.1, 0.2, 0.3], scale=None,
                                          variance_epsilon=1e-3)  # fmt: skip
        fused, m, v = tf.nn.fused_batch_norm(x, [1.0, 2.0, 0.5], [0.0, 0.1, 0.2], epsilon=1e-3)
        frozen, _, _ = tf.nn.fused_batch_norm(
            x, [1.0, 2.0, 0.5], [0.0, 0.1, 0.2], mean=m, variance=v, is_training=False
        )
        return [plain, fused, m, v, frozen, tf.gradients(tf.reduce_sum(fused * x), x)[0]]

    compare(tf1, build, rtol=1e-4, atol=1e-5)
