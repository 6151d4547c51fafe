"""Convolution and pooling gradients against central finite differences (float64)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow as tf

RNG = np.random.default_rng(11)
FILTER = RNG.normal(size=(3, 2, 2, 3))
WEIGHTS = RNG.normal(size=(256,))
IMAGE = RNG.normal(size=(1, 5, 4, 2))


@pytest.fixture(autouse=True)
def fresh_graph() -> Any:
    with tf.Graph().as_default() as g:
        yield g


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def check_gradient(build: Callable[[Any], Any], x0: np.ndarray) -> None:
    """d loss / dx from tf.gradients against finite differences; loss weights every output
    differently so that a gradient routed to the wrong place shows."""
    x = tf.placeholder(tf.float64, x0.shape)
    y = build(x)
    n = int(np.prod(y.shape.as_list()))
    loss = tf.reduce_sum(tf.reshape(y, [-1]) * tf.constant(WEIGHTS[:n]))
    (dx,) = tf.gradients(loss, x)
    with tf.Session() as sess:
        got = sess.run(dx, {x: x0})
        want = numeric_grad(lambda v: float(sess.run(loss, {x: v})), x0)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


CASES = {
    "conv same stride 2": lambda x: tf.nn.conv2d(x, FILTER, [1, 2, 2, 1], "SAME"),
    "conv valid": lambda x: tf.nn.conv2d(x, FILTER, [1, 1, 2, 1], "VALID"),
    "conv explicit": lambda x: tf.nn.conv2d(x, FILTER, 1, [[0, 0], [2, 0], [1, 1], [0, 0]]),
    "conv filter": lambda x: tf.nn.conv2d(tf.constant(IMAGE), x, 2, "SAME"),
    "max pool same": lambda x: tf.nn.max_pool(x, 2, 2, "SAME"),
    "max pool overlapping": lambda x: tf.nn.max_pool(x, 3, 1, "VALID"),
    "avg pool same": lambda x: tf.nn.avg_pool(x, [3, 2], 2, "SAME"),
    "avg pool valid": lambda x: tf.nn.avg_pool(x, 2, 1, "VALID"),
    "transpose": lambda x: tf.nn.conv2d_transpose(x, FILTER, [1, 5, 4, 2], [1, 2, 2, 1], "SAME"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_matches_finite_differences(name: str) -> None:
    if name == "conv filter":
        x0 = RNG.normal(size=(2, 2, 2, 3))
    elif name == "transpose":
        x0 = RNG.normal(size=(1, 3, 2, 3))
    else:
        # distinct values: max pooling's gradient is only defined without ties
        x0 = RNG.permutation(40).reshape(1, 5, 4, 2) / 10.0 + RNG.uniform(0, 0.01, (1, 5, 4, 2))
    check_gradient(CASES[name], x0)


def test_second_order_max_pool_gradient_matches_finite_differences() -> None:
    def build(x: Any) -> Any:
        y = tf.nn.max_pool(x * x, 2, 2, "SAME")
        (g,) = tf.gradients(tf.reduce_sum(y * y), [x])
        return g

    x0 = RNG.permutation(18).reshape(1, 3, 3, 2) / 6.0 + 0.5
    check_gradient(build, x0)
