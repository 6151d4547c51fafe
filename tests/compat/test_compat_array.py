"""Array ops against real TensorFlow: values, dtypes, static shapes, op names, gradients, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from .conftest import compare, construction_error, run_program

X234 = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def _x(tf: Any) -> Any:
    return tf.constant(X234)


def _ph(tf: Any, shape: Any = (None, 3), dtype: Any = None) -> Any:
    return tf.placeholder(dtype or tf.float32, shape, name="x")


FEED = np.arange(6, dtype=np.float32).reshape(2, 3)


def compare_ok(tf1: Any, build: Callable[[Any], Any], **kwargs: Any) -> None:
    """``compare`` for programs that must run: agreeing on an exception is not enough."""
    tf_res, _ = compare(tf1, build, **kwargs)
    assert not isinstance(tf_res, Exception), tf_res


def _partial_shape_tensors(tf: Any, x: Any) -> Any:
    rows = tf.shape(x)[0]
    fetches = [tf.zeros([rows, 2]), tf.reshape(x, [rows, -1, 1]), tf.fill(tf.shape(x), 1.0)]
    return fetches, {"x:0": FEED}


# name -> build(tf) returning fetches (or (fetches, feed_dict)); compare() runs both libraries
PROGRAMS: dict[str, Callable[[Any], Any]] = {
    "range_limit": lambda tf: tf.range(5),
    "range_start_limit_delta": lambda tf: [tf.range(1, 10, 3), tf.range(10, 1, -4)],
    "range_float": lambda tf: [
        tf.range(1.0, 5),
        tf.range(0, 1, 0.25),
        tf.range(3, dtype=tf.float64),
    ],
    "range_int64": lambda tf: tf.range(tf.constant(4, tf.int64)),
    "range_empty": lambda tf: tf.range(3, 3),
    "range_tensor_limit": lambda tf: (
        tf.range(tf.placeholder(tf.int32, [], name="n")),
        {"n:0": 4},
    ),
    "transpose_default": lambda tf: [tf.transpose(_x(tf)), tf.transpose([[1, 2, 3]])],
    "transpose_perm": lambda tf: tf.transpose(_x(tf), [1, 0, 2]),
    "transpose_partial": lambda tf: (tf.transpose(_ph(tf)), {"x:0": FEED}),
    "transpose_unknown_rank": lambda tf: (tf.transpose(_ph(tf, None)), {"x:0": FEED}),
    "expand_dims": lambda tf: [
        tf.expand_dims(_x(tf), 0),
        tf.expand_dims(_x(tf), -1),
        tf.expand_dims([1, 2], 1),
    ],
    "expand_dims_partial": lambda tf: (tf.expand_dims(_ph(tf), 1), {"x:0": FEED}),
    "squeeze": lambda tf: [
        tf.squeeze(tf.zeros([1, 2, 1])),
        tf.squeeze(tf.zeros([1, 2, 1]), axis=[2]),
        tf.squeeze(tf.zeros([1, 2, 1]), [-3]),
    ],
    "squeeze_partial": lambda tf: (
        [tf.squeeze(_ph(tf, [None, 1])), tf.squeeze(_ph(tf, [None, 1]), [1])],
        {"x:0": np.ones((3, 1), np.float32), "x_1:0": np.ones((3, 1), np.float32)},
    ),
    "concat": lambda tf: [
        tf.concat([_x(tf), _x(tf)], 0),
        tf.concat([_x(tf), _x(tf) * 2], -1),
        tf.concat([[1, 2], [3]], 0),
    ],
    "concat_single": lambda tf: tf.concat([_x(tf)], 1),
    "list_inputs_take_the_tensor_dtype": lambda tf: [
        tf.concat([[1.0], tf.constant([2.0], tf.float64)], 0),
        tf.stack([[1.0], tf.constant([2.0], tf.float64)], axis=1),
        tf.stack([1, tf.constant(2, tf.int64)]),
    ],
    "concat_partial": lambda tf: (
        tf.concat([_ph(tf), tf.ones([1, 3])], 0),
        {"x:0": FEED},
    ),
    "concat_partial_axis1": lambda tf: (
        tf.concat([_ph(tf, [None, 3]), _ph(tf, [2, None])], 1),
        {"x:0": FEED, "x_1:0": FEED},
    ),
    "stack_unstack": lambda tf: [
        tf.stack([1, 2]),
        tf.stack([tf.constant(1), 2]),
        tf.stack([_x(tf), _x(tf)], axis=2),
        *tf.unstack(_x(tf)),
        *tf.unstack(_x(tf), axis=-1),
    ],
    "unstack_num": lambda tf: (
        tf.unstack(_ph(tf, [None, 2]), num=2, axis=1),
        {"x:0": FEED.reshape(3, 2)},
    ),
    "split_even": lambda tf: tf.split(_x(tf), 2, axis=2),
    "split_sizes": lambda tf: [*tf.split(_x(tf), [1, -1], 1), *tf.split(tf.range(5), [2, 3])],
    "split_partial": lambda tf: (tf.split(_ph(tf), 3, axis=1), {"x:0": FEED}),
    "tile": lambda tf: [tf.tile(_x(tf), [1, 2, 1]), tf.tile([[1, 2]], [2, 3])],
    "tile_partial": lambda tf: (tf.tile(_ph(tf), [2, 2]), {"x:0": FEED}),
    "slice": lambda tf: [
        tf.slice(_x(tf), [0, 1, 1], [-1, 1, 2]),
        tf.slice([1, 2, 3, 4], [1], [2]),
    ],
    "slice_partial": lambda tf: (tf.slice(_ph(tf), [1, 0], [-1, 2]), {"x:0": FEED}),
    "pad": lambda tf: [
        tf.pad(_x(tf), [[0, 0], [1, 0], [0, 2]]),
        tf.pad([[1, 2]], [[1, 1], [0, 0]], constant_values=7),
    ],
    "reverse": lambda tf: [tf.reverse(_x(tf), [1]), tf.reverse(_x(tf), [0, -1])],
    "gather": lambda tf: [
        tf.gather(_x(tf), [1, 0]),
        tf.gather(_x(tf), [[0, 2], [1, 1]], axis=1),
        tf.gather(_x(tf), 3, axis=-1),
        tf.gather([5, 6, 7], tf.constant([2, 0], tf.int64)),
    ],
    "gather_partial": lambda tf: (tf.gather(_ph(tf), [0, 2], axis=1), {"x:0": FEED}),
    "gather_nd_scatter_nd": lambda tf: [
        tf.gather_nd(_x(tf), [[0, 1], [1, 2]]),
        tf.scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [5]),
    ],
    "where_indices": lambda tf: [
        tf.where(_x(tf) > 10.0),
        tf.where([True, False, True]),
    ],
    "where_select": lambda tf: [
        tf.where([True, False], [1, 2], [3, 4]),
        tf.where(tf.constant([True, False]), _x(tf)[:, 0], -_x(tf)[:, 0]),
    ],
    "one_hot": lambda tf: [
        tf.one_hot([0, 2, 5], 3),
        tf.one_hot([[0, 2]], 3, on_value=5, off_value=-1, axis=0),
        tf.one_hot([1], 2, dtype=tf.float64),
    ],
    "boolean_mask": lambda tf: [
        tf.boolean_mask(_x(tf), [True, False]),
        tf.boolean_mask(_x(tf), [[True, False, True], [False, False, True]]),
        tf.boolean_mask(_x(tf), [False, True, True], axis=1),
    ],
    "zeros_ones_like": lambda tf: [
        tf.zeros_like(_x(tf)),
        tf.ones_like(_x(tf)),
        tf.ones_like([[1, 2]], dtype=tf.float32),
        tf.zeros_like(_x(tf), dtype=tf.int32),
    ],
    "zeros_ones_like_partial": lambda tf: (
        [tf.zeros_like(_ph(tf)), tf.ones_like(_ph(tf, [2, None]))],
        {"x:0": FEED, "x_1:0": FEED},
    ),
    "fill_zeros_ones": lambda tf: [
        tf.fill([2, 3], 9),
        tf.zeros([2, 2]),
        tf.ones([3], tf.int32),
        tf.zeros(tf.shape(_x(tf))),
    ],
    "reshape": lambda tf: [
        tf.reshape(_x(tf), [-1]),
        tf.reshape(_x(tf), [4, -1]),
        tf.reshape(_x(tf), [6, 2, 2]),
    ],
    "reshape_partial": lambda tf: (
        [tf.reshape(_ph(tf), [-1]), tf.reshape(_ph(tf), [-1, 1, 3])],
        {"x:0": FEED, "x_1:0": FEED},
    ),
    "partial_shape_tensors": lambda tf: _partial_shape_tensors(tf, _ph(tf)),
    "identity_shape_size_rank": lambda tf: [
        tf.identity(_x(tf)),
        tf.shape(_x(tf)),
        tf.size(_x(tf)),
        tf.rank(_x(tf)),
        tf.placeholder_with_default(_x(tf), [2, None, 4]),
    ],
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_op_matches_tensorflow(tf1, name):
    compare_ok(tf1, PROGRAMS[name])


def test_linspace_values(tf1):
    # TensorFlow 1.x makes one LinSpace op; TF 2's compat.v1 builds a composite under
    # "linspace/", so only values, dtypes and shapes are compared here.
    compare_ok(tf1, lambda tf: [tf.linspace(-1.0, 1.0, 5), tf.linspace(2.0, 3.0, 1)], names=False)


SLICES: dict[str, Callable[[Any], Any]] = {
    "int": lambda t: t[1],
    "negative_int": lambda t: t[-1],
    "slice": lambda t: t[1:],
    "step": lambda t: t[:, ::2],
    "negative_step": lambda t: t[::-1, 2:0:-1],
    "negative_bounds": lambda t: t[:, -2:, -3:-1],
    "clamped": lambda t: t[:, 1:100, -100:2],
    "empty": lambda t: t[:, 3:1],
    "ellipsis": lambda t: t[..., 1],
    "ellipsis_middle": lambda t: t[1, ..., 2],
    "newaxis": lambda t: t[:, None, 1:3],
    "newaxis_after_ellipsis": lambda t: t[..., None, 0],
    "empty_tuple": lambda t: t[()],
    "list_is_tuple": lambda t: t[[0, 1]],
    "all_shrink": lambda t: t[1, 2, 3],
    "full_reverse": lambda t: t[::-1, ::-1, ::-1],
    "step_3": lambda t: t[:, :, 3:0:-3],
}


def test_newaxis(tf1):
    import teachflow

    assert teachflow.newaxis is tf1.newaxis is None


@pytest.mark.parametrize("name", sorted(SLICES))
def test_strided_slice_matches_tensorflow(tf1, name):
    compare_ok(tf1, lambda tf: SLICES[name](_x(tf)))


@pytest.mark.parametrize("name", sorted(SLICES))
def test_strided_slice_partial_shape_matches_tensorflow(tf1, name):
    feed = X234
    compare_ok(
        tf1,
        lambda tf: (
            SLICES[name](tf.placeholder(tf.float32, [None, 3, None], name="x")),
            {"x:0": feed},
        ),
    )


def test_strided_slice_with_tensor_index(tf1):
    def build(tf):
        x = _x(tf)
        i = tf.placeholder(tf.int32, [], name="i")
        return [x[i], x[:, i], x[1:, i, ::-1], x[i : i + 1]], {"i:0": 1}

    compare_ok(tf1, build)


def test_strided_slice_of_unknown_rank(tf1):
    compare_ok(tf1, lambda tf: (_ph(tf, None)[0, 1:], {"x:0": FEED}))


def test_strided_slice_function(tf1):
    compare_ok(
        tf1,
        lambda tf: [
            tf.strided_slice([1, 2, 3, 4], [3], [0], [-1]),
            tf.strided_slice(_x(tf), [0, 1], [1, 3], [1, 1], shrink_axis_mask=1),
        ],
    )


def test_slicing_a_variable(tf1):
    def build(tf):
        v = tf.Variable(X234, name="v")
        return [v[0], v[:, 1:]]

    compare_ok(tf1, build)


# -- gradients -----------------------------------------------------------------------------

X64 = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7.0 - 1.0

GRADIENTS: dict[str, Callable[[Any, Any], Any]] = {
    "identity": lambda tf, x: tf.identity(x),
    "reshape": lambda tf, x: tf.reshape(x, [4, 6]),
    "transpose": lambda tf, x: tf.transpose(x, [2, 0, 1]),
    "expand_dims": lambda tf, x: tf.expand_dims(x, 1),
    "squeeze": lambda tf, x: tf.squeeze(tf.expand_dims(x, 0)),
    "stack": lambda tf, x: tf.stack([x, x[::-1]], axis=1),
    "unstack": lambda tf, x: tf.unstack(x, axis=1)[2],
    "concat": lambda tf, x: tf.concat([x, x[:, :1]], 1),
    "split": lambda tf, x: tf.split(x, 2, axis=2)[1],
    "split_sizes": lambda tf, x: tf.split(x, [1, 2], axis=1)[1],
    "tile": lambda tf, x: tf.tile(x, [2, 1, 3]),
    "slice": lambda tf, x: tf.slice(x, [0, 1, 1], [-1, 2, 2]),
    "pad": lambda tf, x: tf.pad(x, [[1, 0], [0, 2], [1, 1]]),
    "reverse": lambda tf, x: tf.reverse(x, [0, 2]),
    "strided_slice": lambda tf, x: x[::-1, 1:, None, ::2],
    "strided_slice_shrink": lambda tf, x: x[1, ..., -1],
    "gather": lambda tf, x: tf.gather(x, [1, 1, 0]),
    "gather_axis": lambda tf, x: tf.gather(x, [[3, 0], [3, 3]], axis=2),
    "gather_nd": lambda tf, x: tf.gather_nd(x, [[0, 1], [0, 1], [1, 2]]),
    "where": lambda tf, x: tf.where(x > 0.0, x, x * -2.0),
    "fill": lambda tf, x: tf.fill([2, 3], x[1, 2, 3]),
    "boolean_mask": lambda tf, x: tf.boolean_mask(x, [[True, False, True], [False, True, True]]),
    "placeholder_with_default": lambda tf, x: tf.placeholder_with_default(x, [2, 3, 4]),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradient_matches_tensorflow(tf1, name):
    def build(tf):
        x = tf.constant(X64, name="x")
        y = GRADIENTS[name](tf, x)
        # an uneven upstream gradient, so that every element of dy/dx is checked
        w = tf.reshape(tf.cos(tf.cast(tf.range(tf.size(y)), tf.float64)), tf.shape(y))
        (dx,) = tf.gradients(y, [x], grad_ys=w)
        return tf.convert_to_tensor(dx)

    # TensorFlow's gather gradient is an IndexedSlices (densified under other names)
    compare_ok(tf1, build, names=not name.startswith("gather"))


def test_gradients_of_integer_and_index_inputs_are_none(tf1):
    for lib in (tf1, __import__("teachflow")):
        with lib.Graph().as_default():
            x = lib.constant([1.0, 2.0])
            idx = lib.constant([1, 0])
            n = lib.constant(2)
            grads = lib.gradients(
                lib.gather(x, idx) * 2.0 + lib.cast(lib.range(n), lib.float32), [idx, n]
            )
            assert grads == [None, None], lib


# -- errors ----------------------------------------------------------------------------------

CONSTRUCTION_ERRORS: dict[str, Callable[[Any], Any]] = {
    "reshape": lambda tf: tf.reshape(tf.zeros([3]), [2, 2]),
    "reshape_minus_one": lambda tf: tf.reshape(tf.zeros([3]), [2, -1]),
    "transpose_perm_length": lambda tf: tf.transpose(tf.zeros([1, 2, 3]), [1, 0]),
    "transpose_perm_range": lambda tf: tf.transpose(tf.zeros([1, 2]), [0, 2]),
    "expand_dims_range": lambda tf: tf.expand_dims(tf.zeros([2]), 3),
    "squeeze_not_one": lambda tf: tf.squeeze(tf.zeros([2, 1]), [0]),
    "squeeze_range": lambda tf: tf.squeeze(tf.zeros([2, 1]), [2]),
    "concat_rank": lambda tf: tf.concat([tf.zeros([2]), tf.zeros([2, 2])], 0),
    "concat_dims": lambda tf: tf.concat([tf.zeros([2, 2]), tf.zeros([3, 3])], 0),
    "concat_axis": lambda tf: tf.concat([tf.zeros([2, 2]), tf.zeros([3, 2])], 2),
    "concat_dtypes": lambda tf: tf.concat([tf.zeros([2]), tf.constant([1, 2])], 0),
    "concat_scalars": lambda tf: tf.concat([tf.constant(1), tf.constant(2)], 0),
    "stack_shapes": lambda tf: tf.stack([tf.zeros([2]), tf.zeros([3])]),
    "stack_ranks": lambda tf: tf.stack([tf.zeros([2]), tf.zeros([3, 1])]),
    "unstack_unknown": lambda tf: tf.unstack(tf.placeholder(tf.float32, [None, 2])),
    "unstack_axis": lambda tf: tf.unstack(tf.zeros([2, 2]), axis=2),
    "unstack_num": lambda tf: tf.unstack(tf.zeros([2, 2]), num=3),
    "split_uneven": lambda tf: tf.split(tf.zeros([5]), 2),
    "split_sizes": lambda tf: tf.split(tf.zeros([5]), [1, 2]),
    "split_axis": lambda tf: tf.split(tf.zeros([4]), 2, axis=1),
    "tile_length": lambda tf: tf.tile(tf.zeros([2, 2]), [2]),
    "slice_length": lambda tf: tf.slice(tf.zeros([3, 3]), [1], [1]),
    "index_out_of_bounds": lambda tf: tf.zeros([3])[5],
    "too_many_indices": lambda tf: tf.zeros([3])[1, 2],
    "float_index": lambda tf: tf.zeros([3])[1.5],
    "two_ellipses": lambda tf: tf.zeros([3])[..., ...],
    "zero_step": lambda tf: tf.zeros([3])[::0],
    "gather_axis": lambda tf: tf.gather(tf.zeros([3]), [0], axis=1),
    "gather_float_indices": lambda tf: tf.gather(tf.zeros([3]), [0.5]),
    "where_shapes": lambda tf: tf.where(tf.constant([True, False]), tf.zeros([3]), tf.zeros([3])),
    "where_x_only": lambda tf: tf.where(tf.constant([True]), tf.zeros([1])),
    "where_dtypes": lambda tf: tf.where([True], [1.0], tf.constant([2.0], tf.float64)),
    "one_hot_dtypes": lambda tf: tf.one_hot([0], 3, on_value=1.0, off_value=0),
    "one_hot_bool_default_on": lambda tf: tf.one_hot([1, 0], 2, off_value=False),
    "reverse_axis": lambda tf: tf.reverse(tf.zeros([2]), [1]),
    "reverse_repeated": lambda tf: tf.reverse(tf.zeros([2, 2]), [0, 0]),
    "range_zero_delta": lambda tf: tf.range(0, 5, 0),
    "range_wrong_direction": lambda tf: tf.range(5, 0),
    "fill_value_rank": lambda tf: tf.fill([2], [1, 2]),
    "boolean_mask_shape": lambda tf: tf.boolean_mask(tf.zeros([3]), tf.constant([True, False])),
    "pad_rank": lambda tf: tf.pad(tf.zeros([2, 2]), [[1, 1]]),
}


# where TensorFlow 2 reworded a message, teachflow keeps the 1.x text learners meet
TF1_TEXT = {
    "where_dtypes": "Tensor conversion requested dtype float32 for Tensor with dtype float64: "
    "'Tensor(\"Const:0\", shape=(1,), dtype=float64)'",
    "unstack_axis": "axis = 2 not in [-2, 2)",
    "unstack_unknown": "Cannot infer num from shape (?, 2)",
    "one_hot_bool_default_on": "Expected bool, got 1 of type 'int' instead.",
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTION_ERRORS))
def test_construction_error_matches_tensorflow(tf1, name):
    tf_err, tt_err = construction_error(tf1, CONSTRUCTION_ERRORS[name])
    tt_first = str(tt_err).splitlines()[0]
    if name in TF1_TEXT:
        assert tt_first == TF1_TEXT[name]
        return
    # TF 2 writes "for '{{node x}} = ...'" where 1.x wrote "for 'x' (op: 'X')"
    tf_text = str(tf_err).split(" for '{{node")[0].splitlines()[0]
    assert tt_first.split(" for '")[0] == tf_text.split(" for '")[0], (tt_first, tf_text)
    assert "Hint:" in str(tt_err) or name in ("float_index",), str(tt_err)


RUNTIME_ERRORS: dict[str, Callable[[Any], Any]] = {
    "reshape": lambda tf: (
        tf.reshape(_ph(tf, None), [5]),
        {"x:0": FEED},
    ),
    "gather_index": lambda tf: (
        tf.gather(_ph(tf), tf.placeholder(tf.int32, [None], name="i")),
        {"x:0": FEED, "i:0": [0, 7]},
    ),
    "strided_slice_index": lambda tf: (_ph(tf, [None])[3], {"x:0": [1.0, 2.0]}),
    "concat_dims": lambda tf: (tf.concat([_ph(tf, None), tf.zeros([1, 2])], 0), {"x:0": FEED}),
    "split_uneven": lambda tf: (tf.split(_ph(tf, [None]), 2), {"x:0": [1.0, 2.0, 3.0]}),
    "slice_size": lambda tf: (tf.slice(_ph(tf, [None]), [1], [5]), {"x:0": [1.0, 2.0]}),
    "transpose_perm": lambda tf: (
        tf.transpose(_ph(tf), tf.placeholder(tf.int32, [2], name="p")),
        {"x:0": FEED, "p:0": [0, 0]},
    ),
    "range_delta": lambda tf: (
        tf.range(0, 3, tf.placeholder(tf.int32, [], name="d")),
        {"d:0": 0},
    ),
    "squeeze_not_one": lambda tf: (tf.squeeze(_ph(tf, None), [0]), {"x:0": FEED}),
}


@pytest.mark.parametrize("name", sorted(RUNTIME_ERRORS))
def test_runtime_error_matches_tensorflow(tf1, name):
    tf_err, tt_err = compare(tf1, RUNTIME_ERRORS[name])
    assert isinstance(tt_err, Exception)
    # TF 2 prefixes "Graph execution error:" and a traceback; the 1.x first line is inside
    tt_first = str(tt_err.message).splitlines()[0]
    assert tt_first in str(tf_err.message), (tt_first, tf_err.message)


def test_reshape_runtime_text(tf1):
    _, tt_res = run_program(
        __import__("teachflow"), lambda tf: (tf.reshape(_ph(tf, None), [5]), {"x:0": FEED})
    )
    assert "Input to reshape is a tensor with 6 values, but the requested shape has 5" in str(
        tt_res
    )
