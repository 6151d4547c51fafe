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


pytestmark = pytest.mark.usefixtures("fresh_graph")


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


# -- the GEMM paths: every window geometry against a direct loop over the formula ------------


def direct_conv(x: np.ndarray, f: np.ndarray, s: int, d: int, pads: tuple[int, ...]) -> np.ndarray:
    """y[n, i, j, o] = sum_{a, b, c} pad(x)[n, s*i + d*a, s*j + d*b, c] f[a, b, c, o]"""
    t, b, left, r = pads
    xp = np.pad(x, [(0, 0), (t, b), (left, r), (0, 0)])
    kh, kw = f.shape[:2]
    oh = (xp.shape[1] - (kh - 1) * d - 1) // s + 1
    ow = (xp.shape[2] - (kw - 1) * d - 1) // s + 1
    y = np.zeros((x.shape[0], oh, ow, f.shape[3]))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for bb in range(kw):
                    y[:, i, j] += xp[:, s * i + d * a, s * j + d * bb] @ f[a, bb]
    return y


GEOMETRIES = [
    # (image, filter, stride, dilation, explicit pads top/bottom/left/right)
    ((1, 6, 5, 1), (3, 3, 1, 8), 1, 1, (1, 1, 1, 1)),  # 8 outputs from 1 channel: col2im
    ((1, 7, 6, 2), (3, 2, 2, 3), 2, 1, (1, 2, 0, 1)),  # the transposed convolution
    ((1, 9, 8, 1), (2, 3, 1, 9), 3, 1, (0, 0, 2, 0)),  # strides past the filter
    ((1, 6, 7, 3), (5, 4, 3, 2), 1, 1, (2, 2, 1, 2)),  # odd padding at the end
    ((1, 8, 8, 2), (1, 1, 2, 16), 2, 1, (0, 0, 0, 0)),  # 1x1, strided
    ((1, 5, 5, 4), (1, 1, 4, 2), 1, 1, (0, 0, 0, 0)),  # 1x1: the input is its patch matrix
]


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=lambda g: "x".join(map(str, g[1])))
def test_conv_and_both_gradients_equal_the_formula(geometry: tuple[Any, ...]) -> None:
    """Forward against a loop over the formula; both gradients (the filter's through the
    patch matrix, the input's through col2im or the transposed convolution) against finite
    differences."""
    xs, fs, s, _, pads = geometry
    x0, f0 = RNG.normal(size=xs), RNG.normal(size=fs)
    padding = [[0, 0], list(pads[:2]), list(pads[2:]), [0, 0]]
    y = tf.nn.conv2d(tf.constant(x0), tf.constant(f0), s, padding)
    np.testing.assert_allclose(tf.Session().run(y), direct_conv(x0, f0, s, 1, pads), atol=1e-10)
    check_gradient(lambda x: tf.nn.conv2d(x, tf.constant(f0), s, padding), x0)
    check_gradient(lambda f: tf.nn.conv2d(tf.constant(x0), f, s, padding), f0)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("channels", [(1, 6), (3, 2)])
def test_same_and_valid_gradients_on_odd_sizes(padding: str, channels: tuple[int, int]) -> None:
    c, o = channels
    x0, f0 = RNG.normal(size=(2, 5, 7, c)), RNG.normal(size=(3, 2, c, o))
    check_gradient(lambda x: tf.nn.conv2d(x, tf.constant(f0), [1, 2, 3, 1], padding), x0)
    check_gradient(lambda f: tf.nn.conv2d(tf.constant(x0), f, [1, 2, 3, 1], padding), f0)


@pytest.mark.parametrize("rate", [2, 3])
def test_dilated_conv_equals_the_formula(rate: int) -> None:
    x0, f0 = RNG.normal(size=(1, 9, 8, 2)), RNG.normal(size=(3, 2, 2, 3))
    y = tf.nn.conv2d(tf.constant(x0), tf.constant(f0), 1, "VALID", dilations=rate)
    want = direct_conv(x0, f0, 1, rate, (0, 0, 0, 0))
    np.testing.assert_allclose(tf.Session().run(y), want, atol=1e-10)


def test_a_patch_matrix_too_large_for_memory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The patch matrix is KH*KW times the input: refused before it is allocated."""
    from teachflow.ops import registry

    x = tf.zeros([1, 64, 64, 8])
    y = tf.nn.conv2d(x, tf.zeros([5, 5, 8, 8]), 1, "SAME")
    monkeypatch.setattr(registry, "MAX_TENSOR_BYTES", 64 * 64 * 8 * 4 * 10)  # 10 inputs' worth
    with pytest.raises(tf.errors.ResourceExhaustedError):
        tf.Session().run(y)


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie() -> None:
    """As TensorFlow's CPU kernel: a window's gradient goes to its first maximum (row-major)."""
    x = tf.constant([[[[1.0], [3.0]], [[3.0], [3.0]]]])
    (dx,) = tf.gradients(tf.nn.max_pool(x, 2, 2, "VALID"), [x])
    assert tf.Session().run(dx)[0, :, :, 0].tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_an_infinite_max_pool_gradient_stays_at_the_maximum() -> None:
    """inf reaches the window's maximum only (routing must not make inf * 0 = nan elsewhere)."""
    x = tf.constant(np.array([1.0, 5.0, 2.0, 0.0, 4.0, 1.0, 2.0, 3.0]).reshape(1, 2, 4, 1))
    y = tf.nn.max_pool(x, 2, 2, "VALID")
    w = tf.constant(np.array([np.inf, 2.0]).reshape(1, 1, 2, 1))
    (dx,) = tf.gradients(tf.reduce_sum(y * w), [x])
    got = tf.Session().run(dx)[0, :, :, 0]
    assert got.tolist() == [[0.0, np.inf, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]]


def test_one_image_per_chunk_gives_the_same_convolution_and_gradients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Patch matrices are made a chunk of images at a time: any chunking, the same sums."""
    from teachflow.ops import conv_ops

    x0, f0 = RNG.normal(size=(3, 6, 5, 2)), RNG.normal(size=(3, 3, 2, 4))

    def run() -> list[np.ndarray]:
        with tf.Graph().as_default():
            x, f = tf.constant(x0), tf.constant(f0)
            y = tf.nn.conv2d(x, f, [1, 2, 1, 1], "SAME")
            grads = tf.gradients(tf.reduce_sum(y * y), [x, f])
            return tf.Session().run([y, *grads])

    whole = run()
    monkeypatch.setattr(conv_ops, "CHUNK_BYTES", 1)
    for a, b in zip(run(), whole):
        np.testing.assert_allclose(a, b, rtol=1e-12)
