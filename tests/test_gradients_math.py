"""Gradients of the math ops: ``tf.gradients`` against central finite differences in float64.

``gradient_check`` builds the op on float64 placeholders, takes ``tf.gradients`` of a weighted
sum of its output, and compares with (f(x + eps) - f(x - eps)) / 2 eps element by element; on
a mismatch it prints both. It runs on every differentiable op of the catalogue, with
broadcasting, with shapes known only at run time, and on gradients of gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import teachflow as tf

from .strategies import (
    DIFFERENTIABLE_BINARY,
    DIFFERENTIABLE_REDUCTIONS,
    DIFFERENTIABLE_UNARY,
    sample,
)

RNG = np.random.default_rng(0)


def gradient_check(
    build: Callable[..., Any],
    *x0s: np.ndarray,
    static_shapes: Sequence[Any] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> list[np.ndarray]:
    """Asserts d/dx sum(w * build(*xs)) from tf.gradients equals central differences.

    Each x is a float64 placeholder with the shape of its value, or with ``static_shapes[i]``
    (None dims: known only at run time). Returns the analytic gradients.
    """
    x0s = tuple(np.asarray(x, dtype=np.float64) for x in x0s)
    shapes = static_shapes or [x.shape for x in x0s]
    with tf.Graph().as_default(), tf.Session() as sess:
        xs = [tf.placeholder(tf.float64, shape=s) for s in shapes]
        y = build(*xs)
        feed = dict(zip(xs, x0s))
        w = tf.constant(RNG.uniform(0.5, 1.5, size=np.shape(sess.run(y, feed))))
        loss = tf.reduce_sum(y * w)
        grads = tf.gradients(loss, xs)
        assert all(g is not None for g in grads), f"no gradient: {grads}"
        analytic = sess.run(grads, feed)
        for i, (x0, got) in enumerate(zip(x0s, analytic)):
            numeric = np.zeros_like(x0)
            for idx in np.ndindex(*x0.shape):
                lo, hi = x0.copy(), x0.copy()
                lo[idx] -= eps
                hi[idx] += eps
                f_hi = sess.run(loss, {**feed, xs[i]: hi})
                f_lo = sess.run(loss, {**feed, xs[i]: lo})
                numeric[idx] = (f_hi - f_lo) / (2 * eps)
            assert np.shape(got) == x0.shape, f"input {i}: gradient shape {np.shape(got)}"
            assert np.allclose(got, numeric, rtol=rtol, atol=atol), (
                f"gradient of input {i} does not match finite differences\n"
                f" tf.gradients: {np.asarray(got).tolist()}\n numeric:      {numeric.tolist()}"
            )
        return analytic


# -- every differentiable op of the catalogue ---------------------------------------------------


@pytest.mark.parametrize("case", DIFFERENTIABLE_UNARY, ids=lambda u: u.name)
def test_unary(case):
    x = sample(RNG, "float64", (2, 3), case.low, case.high, case.away_from_zero)
    gradient_check(getattr(tf, case.name), x)


BROADCAST = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((3,), (2, 1))]


@pytest.mark.parametrize("shapes", BROADCAST, ids=str)
@pytest.mark.parametrize("case", DIFFERENTIABLE_BINARY, ids=lambda b: b.name)
def test_binary_with_broadcasting(case, shapes):
    x = sample(RNG, "float64", shapes[0], *case.x_range)
    y = sample(RNG, "float64", shapes[1], *case.y_range, away_from_zero=case.y_nonzero)
    gradient_check(getattr(tf, case.name), x, y)


@pytest.mark.parametrize("case", DIFFERENTIABLE_BINARY, ids=lambda b: b.name)
def test_binary_with_shapes_known_at_run_time(case):
    x = sample(RNG, "float64", (2, 3), *case.x_range)
    y = sample(RNG, "float64", (3,), *case.y_range, away_from_zero=case.y_nonzero)
    gradient_check(getattr(tf, case.name), x, y, static_shapes=[[None, 3], None])


def test_shapes_known_at_run_time_use_broadcast_gradient_args():
    with tf.Graph().as_default() as g:
        p = tf.placeholder(tf.float32, [None, 3])
        q = tf.placeholder(tf.float32, [3])
        tf.gradients(p * q, [p, q])
        types = {op.type for op in g.get_operations() if op.name.startswith("gradients/")}
        assert "BroadcastGradientArgs" in types


AXES = [None, 0, -1, [0, 2], [1, 2], []]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("case", DIFFERENTIABLE_REDUCTIONS, ids=lambda r: r.name)
def test_reductions(case, axis, keepdims):
    x = RNG.permutation(24).reshape(2, 3, 4) / 4.0 - 2.5  # distinct values: max/min are smooth
    gradient_check(lambda t: getattr(tf, case.name)(t, axis, keepdims=keepdims), x)


def test_reduce_prod_with_zeros_is_exact():
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.5, -2.0, 0.5]])
    (dx,) = gradient_check(lambda t: tf.reduce_prod(t, 1), x)
    # with one zero only that element gets a gradient; with two zeros nothing does
    assert dx[0, 1] == 0.0 and dx[0, 2] == 0.0 and (dx[1] == 0.0).all()
    gradient_check(tf.reduce_prod, x[:, ::2])


def test_max_and_min_share_the_gradient_between_ties():
    with tf.Graph().as_default():
        x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], tf.float64)
        gmax = tf.gradients(tf.reduce_max(x, 1), x)[0]
        gmin = tf.gradients(tf.reduce_min(x, 1), x)[0]
        got_max, got_min = tf.Session().run([gmax, gmin])
    assert got_max.tolist() == [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]
    assert got_min.tolist() == [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]


@pytest.mark.parametrize(
    "build",
    [
        tf.reduce_mean,
        lambda t: tf.reduce_sum(t, 1),
        lambda t: tf.reduce_max(t, 0, keepdims=True),
        lambda t: tf.reduce_min(t, -1),
        lambda t: tf.reduce_mean(t, [0, 1], keepdims=True),
    ],
)
@pytest.mark.parametrize("static", [[None, None], None], ids=["unknown dims", "unknown rank"])
def test_reductions_with_shapes_known_at_run_time(build, static):
    x = RNG.permutation(12).reshape(3, 4) / 3.0
    gradient_check(build, x, static_shapes=[static])


def test_reduce_prod_gradient_needs_known_axes():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32)
        with pytest.raises(NotImplementedError, match="reduce_prod"):
            tf.gradients(tf.reduce_prod(p, 1), p)


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
def test_matmul(transpose_a, transpose_b):
    a = RNG.normal(size=(3, 2) if transpose_a else (2, 3))
    b = RNG.normal(size=(4, 3) if transpose_b else (3, 4))
    gradient_check(
        lambda x, y: tf.matmul(x, y, transpose_a=transpose_a, transpose_b=transpose_b), a, b
    )


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_cumprod(name, exclusive, reverse):
    x = RNG.uniform(0.5, 2.0, size=(3, 4))
    for axis in (0, -1):
        gradient_check(
            lambda t, a=axis: getattr(tf, name)(t, a, exclusive=exclusive, reverse=reverse), x
        )


def test_clip_by_value_passes_the_gradient_inside_the_bounds_only():
    x = np.array([[-2.0, -0.3, 0.2], [0.7, 1.4, 3.0]])
    (dx,) = gradient_check(lambda t: tf.clip_by_value(t, -0.5, 1.0), x)
    assert (dx[0, :1] == 0).all() and (dx[1, 1:] == 0).all()
    lo = np.array([0.0, -1.0, 0.5])
    gradient_check(lambda t, lo: tf.clip_by_value(t, lo, 1.0), x, lo)


def test_add_n_and_squared_difference_and_cast():
    x, y = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    gradient_check(lambda a, b: tf.add_n([a, b, a * b]), x, y)
    with tf.Graph().as_default():
        t = tf.constant(x)
        through_f32 = tf.cast(tf.cast(t, tf.float32), tf.float64)
        g = tf.gradients(tf.reduce_sum(through_f32 * 3.0), t)[0]
        assert g.dtype == tf.float64 and g.op.type == "Cast"
        assert tf.Session().run(g).tolist() == np.full((2, 3), 3.0).tolist()


# -- gradients of gradients -----------------------------------------------------------------------


def _grad_of(f: Callable[..., Any], i: int = 0) -> Callable[..., Any]:
    """x, ... -> d sum(f(x, ...)) / dx_i: a gradient built in the graph, to differentiate again."""

    def first(*xs: Any) -> Any:
        return tf.gradients(tf.reduce_sum(f(*xs)), xs[i])[0]

    return first


@pytest.mark.parametrize(
    "f",
    [
        tf.tanh,
        tf.sigmoid,
        tf.sin,
        tf.exp,
        lambda x: tf.log(x * x + 1.0),
        lambda x: tf.sqrt(x * x + 1.0),
        lambda x: tf.rsqrt(x * x + 1.0),
        lambda x: tf.reciprocal(x * x + 1.0),
        lambda x: tf.pow(x * x + 1.0, 1.5),
        lambda x: tf.reduce_mean(tf.square(x), 0),
        lambda x: tf.reduce_prod(x, 1),
        lambda x: tf.reduce_max(x * x, 1),
        lambda x: tf.matmul(x, x, transpose_b=True),
        lambda x: tf.cumprod(x, 1, exclusive=True),
        lambda x: x / (x * x + 2.0),
    ],
)
def test_second_order(f):
    x = RNG.permutation(6).reshape(2, 3) / 4.0 + 0.3
    gradient_check(_grad_of(f), x, rtol=1e-4, atol=1e-6)


def test_second_order_with_broadcasting():
    x, y = RNG.uniform(0.5, 1.5, size=(2, 3)), RNG.uniform(0.5, 1.5, size=(3,))
    gradient_check(_grad_of(lambda a, b: a * a * b - b / a), x, y, rtol=1e-4, atol=1e-6)
    gradient_check(_grad_of(lambda a, b: a * b * b + tf.maximum(a, b), 1), x, y, rtol=1e-4)


# -- where there is no gradient, and how it is named ----------------------------------------------


def test_ops_without_a_gradient_give_none():
    with tf.Graph().as_default():
        x = tf.constant([[1.5, -2.5]])
        y = tf.constant([[2.0, 2.0]])
        for out in [tf.floor(x), tf.ceil(x), tf.round(x), x // y, tf.cast(x, tf.int32) + 1]:
            assert tf.gradients(out, [x]) == [None], out
        assert tf.gradients(tf.floordiv(x, y), [x, y]) == [None, None]
        i = tf.constant([1, 2])
        assert tf.gradients(i * i, i) == [None]  # integers have no gradient
        z = tf.reduce_sum(tf.cast(tf.argmax(x, 1), tf.float32) + tf.cast(x > 0, tf.float32))
        assert tf.gradients(z, x) == [None]
        (g,) = tf.gradients(tf.sign(x), x)
        assert tf.Session().run(g).tolist() == [[0.0, 0.0]]  # sign: a zero gradient
        with pytest.raises(LookupError, match="IsNan"):
            tf.gradients(tf.is_nan(x), x)


def test_complex_gradients_are_not_implemented():
    with tf.Graph().as_default():
        z = tf.constant([1 + 2j], tf.complex64)
        with pytest.raises(NotImplementedError, match="complex"):
            tf.gradients(z * z, z, grad_ys=tf.constant([1 + 0j], tf.complex64))


def test_gradient_ops_are_named_after_the_op():
    with tf.Graph().as_default() as g:
        x = tf.constant([[1.0, 2.0, 3.0]])
        y = tf.constant([2.0, 1.0, 0.5])
        loss = tf.reduce_sum(x * y)
        before = set(g.get_operations())
        dx, dy = tf.gradients(loss, [x, y])
        new = [op.name for op in g.get_operations() if op not in before]
        assert all(n.startswith("gradients/") for n in new)
        assert dx.op.name.startswith("gradients/mul_grad/")
        assert dy.op.name.startswith("gradients/mul_grad/") and dy.op.type == "Reshape"
        assert any(n.startswith("gradients/Sum_grad/") for n in new)
        assert tf.Session().run(dy).tolist() == [1.0, 2.0, 3.0]
