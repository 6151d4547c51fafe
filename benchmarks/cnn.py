"""The "Deep MNIST for experts" CNN, built the same way on teachflow and on TensorFlow.

2 x (conv 5x5 SAME + relu + max pool 2x2), dense 1024 + relu, dense 10, softmax cross-entropy,
Adam; batch 50 of 28x28x1 images (random data: only the time is measured).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

BATCH = 50


def _weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)

    def w(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    return {
        "w1": w(5, 5, 1, 32),
        "b1": np.full(32, 0.1, np.float32),
        "w2": w(5, 5, 32, 64),
        "b2": np.full(64, 0.1, np.float32),
        "w3": w(7 * 7 * 64, 1024),
        "b3": np.full(1024, 0.1, np.float32),
        "w4": w(1024, 10),
        "b4": np.full(10, 0.1, np.float32),
    }


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    xs = rng.random((BATCH, 28, 28, 1), dtype=np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)]
    return xs, ys


def _build(lib: Any) -> tuple[Any, Any, Any, Any, Any]:
    """(session, x, y_, logits, train step) in a new graph of ``lib``."""
    p = _weights()
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [None, 28, 28, 1])
        y_ = lib.placeholder(lib.float32, [None, 10])
        v = {k: lib.Variable(a, name=k) for k, a in p.items()}

        def conv_pool(h: Any, w: Any, b: Any) -> Any:
            h = lib.nn.relu(lib.nn.conv2d(h, w, strides=[1, 1, 1, 1], padding="SAME") + b)
            return lib.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

        h = conv_pool(x, v["w1"], v["b1"])
        h = conv_pool(h, v["w2"], v["b2"])
        h = lib.reshape(h, [-1, 7 * 7 * 64])
        h = lib.nn.relu(lib.matmul(h, v["w3"]) + v["b3"])
        logits = lib.matmul(h, v["w4"]) + v["b4"]
        loss = lib.reduce_mean(
            lib.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits)
        )
        train = lib.train.AdamOptimizer(1e-4).minimize(loss)
        sess = lib.Session(graph=g)
        sess.run(lib.global_variables_initializer())
    return sess, x, y_, logits, train


def train_step(lib: Any) -> Callable[[], Any]:
    sess, x, y_, _, train = _build(lib)
    xs, ys = _data()
    feed = {x: xs, y_: ys}
    return lambda: sess.run(train, feed)


def forward(lib: Any) -> Callable[[], Any]:
    sess, x, _, logits, _ = _build(lib)
    xs, _ = _data()
    feed = {x: xs}
    return lambda: sess.run(logits, feed)
