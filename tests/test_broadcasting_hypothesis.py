"""Broadcasting, property-based: random compatible shapes and dtypes agree with numpy;
incompatible shapes fail while the graph is built. ``TEACHFLOW_FUZZ=long`` runs many more
examples (see tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import teachflow as tf

from .strategies import (
    BINARY,
    REDUCTIONS,
    arrays,
    broadcastable_shapes,
    incompatible_shapes,
    shapes,
)

pytestmark = pytest.mark.fuzz


def _run(fetches: Any, feed_dict: Any = None) -> Any:
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


@st.composite
def binary_examples(draw: Any) -> tuple[Any, str, np.ndarray, np.ndarray]:
    case = draw(st.sampled_from(BINARY))
    dtype = draw(st.sampled_from(case.dtypes))
    sx, sy = draw(broadcastable_shapes())
    (xlo, xhi), (ylo, yhi) = case.x_range, case.y_range
    x = draw(arrays(dtype, sx, xlo, xhi))
    y = draw(arrays(dtype, sy, ylo, yhi, nonzero=case.y_nonzero))
    return case, dtype, x, y


@given(binary_examples())
def test_binary_ops_broadcast_like_numpy(example):
    case, dtype, x, y = example
    with tf.Graph().as_default():
        z = getattr(tf, case.name)(tf.constant(x), tf.constant(y))
        with np.errstate(all="ignore"):
            want = np.asarray(case.ref(x, y))
        assert z.shape.as_list() == list(want.shape)  # static shape inference
        assert z.dtype == tf.as_dtype(case.out or dtype)
        got = np.asarray(_run(z))
    assert got.shape == want.shape
    if got.dtype.kind == "f":
        tol = 2e-3 if dtype == "float16" else 1e-6
        np.testing.assert_allclose(got, want.astype(got.dtype), rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


@given(st.sampled_from(BINARY), incompatible_shapes())
def test_incompatible_shapes_fail_while_building(case, pair):
    dtype = case.dtypes[0]
    with tf.Graph().as_default():
        x, y = tf.zeros(pair[0], dtype), tf.zeros(pair[1], dtype)
        with pytest.raises(ValueError, match="Dimensions must be equal, but are"):
            getattr(tf, case.name)(x, y)


@given(broadcastable_shapes(), st.data())
def test_unknown_dims_infer_a_shape_the_result_fits(pair, data):
    # hide some dims (None) in the placeholders: the static shape must stay compatible
    hidden = [[d if data.draw(st.booleans()) else None for d in s] for s in pair]
    with tf.Graph().as_default():
        px, py = (tf.placeholder(tf.float32, h) for h in hidden)
        z = px * py
        got = _run(z, {px: np.ones(pair[0]), py: np.ones(pair[1])})
        assert z.shape.is_compatible_with(np.shape(got))
        assert np.shape(got) == np.broadcast_shapes(*pair)


@given(broadcastable_shapes())
def test_gradients_of_broadcasting_sum_back_to_each_input(pair):
    x, y = np.ones(pair[0]), np.full(pair[1], 2.0)
    with tf.Graph().as_default():
        tx, ty = tf.constant(x), tf.constant(y)
        gx, gy = tf.gradients(tx * ty, [tx, ty])
        got_x, got_y = _run([gx, gy])
    n = int(np.prod(np.broadcast_shapes(*pair)))
    # d sum(x*y)/dx_i = sum of the y's that x_i met; each x_i met n / x.size of them
    np.testing.assert_allclose(got_x, np.full(pair[0], 2.0 * n / x.size))
    np.testing.assert_allclose(got_y, np.full(pair[1], 1.0 * n / y.size))


@given(st.sampled_from(REDUCTIONS), st.data())
def test_reductions_like_numpy(case, data):
    dtype = data.draw(st.sampled_from(case.dtypes))
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(dtype, shape))
    rank = len(shape)
    axes = data.draw(st.lists(st.integers(-rank, rank - 1), max_size=rank, unique=True))
    axes = [a for i, a in enumerate(axes) if a % rank not in {b % rank for b in axes[:i]}]
    keep = data.draw(st.booleans())
    with tf.Graph().as_default():
        y = getattr(tf, case.name)(tf.constant(x), axes, keepdims=keep)
        got = np.asarray(_run(y))
    want = np.asarray(case.ref(x, tuple(axes), keep))
    assert y.shape.as_list() == list(want.shape) and got.shape == want.shape
    if got.dtype.kind == "f":
        tol = 5e-2 if dtype == "float16" else 1e-5
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)
