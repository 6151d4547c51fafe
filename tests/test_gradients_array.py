"""Gradients of the array ops checked against central finite differences (float64).

For each op f and an uneven upstream gradient w, ``tf.gradients(f(x), x, grad_ys=w)`` must equal
the numerical derivative of sum(f(x) * w). The gradient is itself linear in w, so checking it
against finite differences in w tests the gradients of the gradient ops too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow as tf

EPS = 1e-6


def _uneven(shape: tuple[int, ...]) -> np.ndarray:
    return np.cos(np.arange(int(np.prod(shape)), dtype=np.float64) * 1.3 + 0.2).reshape(shape)


def _numeric_and_symbolic(
    fn: Callable[[Any], Any], x0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(finite-difference gradient, tf.gradients) of sum(fn(x) * w) at x0."""
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float64, x0.shape, name="x")
        y = fn(x)
        y0 = sess.run(y, {x: x0})
        w = _uneven(np.shape(y0))
        (dx,) = tf.gradients(y, [x], grad_ys=tf.constant(w))
        assert dx is not None, "no gradient reached x"
        # tf.gather's gradient is an IndexedSlices: densified to compare
        symbolic = sess.run(tf.convert_to_tensor(dx), {x: x0})
        numeric = np.zeros_like(x0)
        for i in np.ndindex(*x0.shape):
            step = np.zeros_like(x0)
            step[i] = EPS
            up = np.sum(sess.run(y, {x: x0 + step}) * w)
            down = np.sum(sess.run(y, {x: x0 - step}) * w)
            numeric[i] = (up - down) / (2 * EPS)
    return numeric, np.asarray(symbolic)


def assert_gradient(fn: Callable[[Any], Any], x0: np.ndarray) -> None:
    numeric, symbolic = _numeric_and_symbolic(fn, x0)
    assert symbolic.shape == x0.shape
    np.testing.assert_allclose(
        symbolic,
        numeric,
        rtol=1e-5,
        atol=1e-6,
        err_msg=f"\nsymbolic:\n{symbolic}\nnumeric:\n{numeric}",
    )


X0 = np.sin(np.arange(24, dtype=np.float64) + 0.5).reshape(2, 3, 4)  # no element at a kink

# name -> f(x) for x of shape (2, 3, 4)
CASES: dict[str, Callable[[Any], Any]] = {
    "identity": lambda x: tf.identity(x),
    "placeholder_with_default": lambda x: tf.placeholder_with_default(x, [2, 3, 4]),
    "reshape": lambda x: tf.reshape(x, [6, -1]),
    "transpose": lambda x: tf.transpose(x),
    "transpose_perm": lambda x: tf.transpose(x, [1, 2, 0]),
    "expand_dims": lambda x: tf.expand_dims(x, 2),
    "squeeze": lambda x: tf.squeeze(x[:, :1], [1]),
    "stack": lambda x: tf.stack([x, x[::-1]], axis=-1),
    "unstack": lambda x: tf.unstack(x, axis=2)[1],
    "unstack_all": lambda x: tf.stack(tf.unstack(x)[::-1]),
    "concat": lambda x: tf.concat([x, x[:, 1:]], 1),
    "concat_negative_axis": lambda x: tf.concat([x[..., :1], x], -1),
    "split": lambda x: tf.split(x, 2, axis=2)[1],
    "split_sizes": lambda x: tf.split(x, [2, -1], axis=1)[0],
    "tile": lambda x: tf.tile(x, [1, 2, 2]),
    "slice": lambda x: tf.slice(x, [1, 0, 1], [1, -1, 2]),
    "pad": lambda x: tf.pad(x, [[0, 1], [2, 0], [1, 1]]),
    "pad_value": lambda x: tf.pad(x, [[1, 1], [0, 0], [0, 1]], constant_values=3.0),
    "pad_reflect": lambda x: tf.pad(x, [[1, 1], [2, 0], [0, 3]], "REFLECT"),
    "pad_symmetric": lambda x: tf.pad(x, [[2, 1], [0, 3], [4, 1]], "SYMMETRIC"),
    # TensorFlow's own gradient refuses a negative perm (InvertPermutation); teachflow's works
    "transpose_negative_perm": lambda x: tf.transpose(x, [-1, 0, 1]),
    "reverse": lambda x: tf.reverse(x, [1, 2]),
    "strided_slice_int": lambda x: x[1],
    "strided_slice_steps": lambda x: x[:, ::2, 3:0:-2],
    "strided_slice_ellipsis_newaxis": lambda x: x[..., None, -1],
    "strided_slice_reverse": lambda x: x[::-1, ::-1],
    "strided_slice_function": lambda x: tf.strided_slice(x, [0, 2], [2, 0], [1, -1]),
    "gather": lambda x: tf.gather(x, [1, 0, 1]),
    "gather_axis1": lambda x: tf.gather(x, [2, 2, 0], axis=1),
    "gather_axis2_matrix_indices": lambda x: tf.gather(x, [[3, 0], [3, 3]], axis=2),
    "gather_negative_axis": lambda x: tf.gather(x, [1], axis=-1),
    "gather_nd": lambda x: tf.gather_nd(x, [[0, 1], [1, 2], [0, 1]]),
    "scatter_nd": lambda x: tf.scatter_nd([[1], [0], [1]], tf.reshape(x, [3, 8]), [4, 8]),
    "select": lambda x: tf.where(x > 0.0, x, x * x),
    "select_rows": lambda x: tf.where([False, True], x, tf.reverse(x, [0])),
    "fill": lambda x: tf.fill([2, 2], x[1, 2, 3]),
    "boolean_mask": lambda x: tf.boolean_mask(x, [[True, False, True], [False, True, True]]),
    "getitem_mask": lambda x: x[x > 0.1],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name):
    assert_gradient(CASES[name], X0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_of_gradient_matches_finite_differences(name):
    """The gradient ops (StridedSliceGrad, ScatterNd, Pad...) are differentiable too."""
    fn = CASES[name]
    with tf.Graph().as_default(), tf.Session() as sess:
        y_shape = sess.run(fn(tf.constant(X0))).shape

    def dx_of_w(w: Any) -> Any:
        x = tf.constant(X0)
        return tf.convert_to_tensor(tf.gradients(fn(x), [x], grad_ys=w)[0])

    assert_gradient(dx_of_w, _uneven(y_shape))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: tf.cast(tf.shape(x), tf.float64),
        lambda x: tf.cast(tf.size(x), tf.float64) + tf.cast(tf.rank(x), tf.float64),
        lambda x: tf.zeros_like(x),
        lambda x: tf.ones_like(tf.placeholder_with_default(x, [None, 3, 4])),
        lambda x: tf.one_hot(tf.cast(x[0, 0], tf.int32), 3),
        lambda x: tf.cast(tf.where(x > 0.0), tf.float64),
    ],
)
def test_non_differentiable_ops_give_no_gradient(fn):
    x = tf.constant(X0)
    assert tf.gradients(fn(x), [x]) == [None]


def test_variable_read_through_identity_gets_its_gradient():
    v = tf.Variable(np.ones((2, 2)), name="v")
    y = tf.transpose(v)[0] * tf.constant([2.0, 3.0], tf.float64)
    (dv,) = tf.gradients(y, [v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(dv), [[2.0, 0.0], [3.0, 0.0]])


def test_unused_split_outputs_get_zero_gradients():
    x = tf.constant(X0)
    a, _, c = tf.split(x, 3, axis=1)
    (dx,) = tf.gradients(a - c, [x])
    expected = np.zeros_like(X0)
    expected[:, 0], expected[:, 2] = 1.0, -1.0
    np.testing.assert_array_equal(tf.Session().run(dx), expected)


def test_gather_with_repeated_indices_adds_up():
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    (dx,) = tf.gradients(tf.gather(x, [2, 0, 2, 2]), [x])
    assert isinstance(dx, tf.IndexedSlices)  # the gathered rows, as in TensorFlow
    np.testing.assert_array_equal(tf.Session().run(tf.convert_to_tensor(dx)), [1.0, 0.0, 3.0])
