"""Array ops against real TensorFlow: values, dtypes, static shapes, op names, gradients, errors,
and the cases a differential audit found teachflow got wrong.

Each test runs one small program on both libraries (``compare`` / ``construction_error``);
error texts are compared on the part both share (TensorFlow 2 appends its node definition
where teachflow keeps TensorFlow 1.x's ``(op: 'X')`` form).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

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


def head(e: BaseException) -> str:
    """The first line of an error up to where the op is named."""
    return str(e).splitlines()[0].split(" for '")[0]


def op_message(e: BaseException) -> str:
    """The kernel's own text of a run-time error (TF 2 puts it after a ``Node:`` line)."""
    lines = [line for line in getattr(e, "message", str(e)).splitlines() if line.strip()]
    nodes = [i for i, line in enumerate(lines) if line.startswith("Node: ")]
    return lines[nodes[-1] + 1] if nodes else lines[0]


def same_error_text(tf1: Any, build: Callable[[Any], Any]) -> None:
    tf_err, tt_err = construction_error(tf1, build)
    assert head(tt_err) == head(tf_err), (tt_err, tf_err)


def same_runtime_text(tf1: Any, build: Callable[[Any], Any]) -> None:
    tf_err, tt_err = compare(tf1, build)
    assert isinstance(tf_err, Exception), "TensorFlow ran the program"
    assert op_message(tt_err).startswith(op_message(tf_err).split("\t")[0].rstrip()), (
        tt_err,
        tf_err,
    )


def same_op(tf1: Any, build: Callable[[Any], Any]) -> None:
    """The result is made by an op of the same type and name in both libraries."""
    found = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            t = build(lib)
            found.append((t.op.type, t.name, str(t.shape), t.dtype.name))
    assert found[1] == found[0]


# -- constant and convert_to_tensor ------------------------------------------------------------

CONSTANTS: dict[str, Callable[[Any], Any]] = {
    "numpy_strings_become_bytes": lambda tf: tf.constant(np.array(["a", "bc"])),
    "numpy_strings_with_dtype": lambda tf: tf.constant(np.array(["a"]), dtype=tf.string),
    "bool_for_float": lambda tf: tf.constant(True, dtype=tf.float32),
    "bool_in_int_list": lambda tf: tf.constant([True, 2]),
    "bool_for_int": lambda tf: tf.constant(True, dtype=tf.int32),
    "uint8_wraps": lambda tf: tf.constant(-1, dtype=tf.uint8),
    "int8_wraps": lambda tf: tf.constant(300, dtype=tf.int8),
    "int32_wraps": lambda tf: tf.constant(2**31, dtype=tf.int32),
    "numpy_int8_wraps": lambda tf: tf.constant(np.array([300]), dtype=tf.int8),
    "empty_list_padded_with_zeros": lambda tf: tf.constant([], shape=[2]),
    "empty_int_list_padded": lambda tf: tf.constant([], dtype=tf.int32, shape=[2, 2]),
    "empty_list_to_scalar": lambda tf: tf.constant([], shape=[]),
    "zero_size_shape_is_float32": lambda tf: tf.constant(1, shape=[0]),
    "zero_size_shape_ignores_values": lambda tf: tf.constant([1, 2], shape=[0, 3]),
    "zero_size_shape_with_dtype": lambda tf: tf.constant(1, dtype=tf.int64, shape=[2, 0]),
    "list_of_scalar_arrays": lambda tf: tf.constant([np.array(1), np.array(2)]),
    "verify_shape_ok": lambda tf: tf.constant([1, 2], shape=[2], verify_shape=True),
    "int_tensor_plus_big_int_wraps": lambda tf: tf.constant(1) + 2**32,
    "preferred_dtype_keeps_big_ints": lambda tf: tf.fill([2], tf.constant(1.0)),
}


@pytest.mark.parametrize("name", sorted(CONSTANTS))
def test_constant_matches_tensorflow(tf1, name):
    compare(tf1, CONSTANTS[name])


BAD_CONSTANTS: dict[str, Callable[[Any], Any]] = {
    "string_then_number": lambda tf: tf.constant(["a", 1]),
    "number_then_string": lambda tf: tf.constant([1, "a"]),
    "list_of_arrays": lambda tf: tf.constant([np.array([1, 2]), np.array([3, 4])]),
    "numpy_float_in_int_list": lambda tf: tf.constant([np.float64(1.5)], dtype=tf.int32),
    "list_of_arrays_to_tensor": lambda tf: tf.convert_to_tensor([np.ones(2), np.ones(2)]),
}


@pytest.mark.parametrize("name", sorted(BAD_CONSTANTS))
def test_bad_constant_is_refused_like_tensorflow(tf1, name):
    construction_error(tf1, BAD_CONSTANTS[name])


def test_stack_of_numpy_arrays_packs_them(tf1):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    compare(tf1, lambda tf: tf.stack([x, x]))
    same_op(tf1, lambda tf: tf.stack([x, x]))


# -- zeros, ones, fill, zeros_like -----------------------------------------------------------


def test_zeros_of_an_int_shape_is_a_fill(tf1):
    compare(tf1, lambda tf: [tf.zeros(3), tf.ones(2, dtype=tf.int32)])
    same_op(tf1, lambda tf: tf.zeros(3))


def test_zeros_of_float_dims(tf1):
    compare(tf1, lambda tf: [tf.zeros([2.0, 3]), tf.ones((1.0,))])


def test_zeros_of_a_partial_shape_is_a_type_error(tf1):
    construction_error(tf1, lambda tf: tf.zeros([None, 2]))


def test_fill_dims_must_be_a_vector(tf1):
    same_error_text(tf1, lambda tf: tf.fill([[2]], 3))


def test_zeros_like_with_another_dtype_is_a_fill(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32, [None])
        return tf.zeros_like(p, dtype=tf.int32), {p: [1.0, 2.0]}

    compare(tf1, build)
    same_op(tf1, lambda tf: tf.zeros_like(tf.placeholder(tf.float32, [None]), dtype=tf.int32))


# -- placeholders, reshape, expand_dims, shape_n -----------------------------------------------


def test_unfed_scalar_placeholder_message_has_no_shape(tf1):
    same_runtime_text(tf1, lambda tf: tf.placeholder(tf.int64, []) + 1)


def test_unfed_placeholder_message_names_its_shape(tf1):
    same_runtime_text(tf1, lambda tf: tf.placeholder(tf.float32, [None, 3]) * 2)


def test_placeholder_with_default_shape_mismatch_text(tf1):
    same_error_text(tf1, lambda tf: tf.placeholder_with_default([1, 2], shape=[3]))


def test_reshape_float_shape_names_the_parameter(tf1):
    tf_err, tt_err = construction_error(tf1, lambda tf: tf.reshape([1.0, 2.0], [2.0]))
    assert head(tt_err) == head(tf_err)


def test_reshape_invalid_size_text(tf1):
    tf_err, tt_err = construction_error(tf1, lambda tf: tf.reshape(tf.zeros([2, 12]), [-2, 12]))
    assert head(tt_err) == head(tf_err)


def test_reshape_empty_tensor_with_minus_one(tf1):
    compare(tf1, lambda tf: tf.reshape(tf.zeros([0, 3]), [-1, 0]))


def test_expand_dims_takes_one_axis(tf1):
    same_error_text(tf1, lambda tf: tf.expand_dims(tf.zeros([2, 3]), [0, 1]))


def test_expand_dims_at_a_run_time_axis_has_unknown_shape(tf1):
    def build(tf):
        d = tf.placeholder(tf.int32, [])
        return tf.expand_dims(tf.zeros([2, 3]), d), {d: 1}

    compare(tf1, build)


def test_expand_dims_both_axis_and_dim(tf1):
    tf_err, tt_err = construction_error(
        tf1, lambda tf: tf.expand_dims(tf.zeros([2]), axis=0, dim=0)
    )
    assert str(tf_err).startswith(head(tt_err))


def test_shape_n(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32, [None])
        return tf.shape_n([tf.zeros([2, 3]), p]), {p: [1.0, 2.0]}

    compare(tf1, build)
    compare(tf1, lambda tf: tf.shape_n([[1, 2], [3, 4]], out_type=tf.int64, name="sn"))


# -- stack, concat, tile -----------------------------------------------------------------------


def test_stack_of_nothing_and_of_a_tensor(tf1):
    compare(tf1, lambda tf: [tf.stack([]), tf.stack(tf.constant([1, 2]))])


def test_unstack_run_time_text(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32, [None, 2])
        return tf.unstack(p, num=3), {p: np.ones((4, 2))}

    same_runtime_text(tf1, build)


def test_concat_negative_axis_out_of_range_text(tf1):
    same_error_text(tf1, lambda tf: tf.concat([tf.zeros([2, 2]), tf.zeros([2, 2])], -3))


def test_tile_negative_multiple_fails_at_run_time(tf1):
    same_runtime_text(tf1, lambda tf: tf.tile([[1, 2]], [-1, 1]))


# -- slice, strided slice, pad ------------------------------------------------------------------


def test_slice_size_below_minus_one_text(tf1):
    same_error_text(tf1, lambda tf: tf.slice(tf.zeros([2, 3]), [0, 0], [-2, 1]))


def test_negative_index_out_of_bounds_text(tf1):
    same_error_text(tf1, lambda tf: tf.constant(np.arange(6))[-7])


def test_indexing_a_scalar_text(tf1):
    same_error_text(tf1, lambda tf: tf.constant(3)[0])


def test_strided_slice_lengths_must_agree(tf1):
    same_error_text(tf1, lambda tf: tf.strided_slice(tf.zeros([6]), [1, 2], [5]))


def test_pad_negative_paddings_at_build_time(tf1):
    same_error_text(tf1, lambda tf: tf.pad([1, 2, 3], [[-1, 1]]))


def test_pad_strings_with_empty_strings(tf1):
    compare(tf1, lambda tf: tf.pad(tf.constant(["a"]), [[1, 2]]))


MIRROR: dict[str, Callable[[Any], Any]] = {
    "reflect": lambda tf: tf.pad([[1, 2, 3], [4, 5, 6]], [[1, 1], [2, 2]], "REFLECT"),
    "symmetric": lambda tf: tf.pad([[1, 2, 3], [4, 5, 6]], [[1, 1], [2, 2]], "SYMMETRIC"),
    "lower_case_mode": lambda tf: tf.pad([1, 2, 3], [[1, 1]], mode="reflect"),
    "named": lambda tf: tf.pad([1.0, 2.0], [[0, 1]], "SYMMETRIC", name="p"),
    "ignores_constant_values": lambda tf: tf.pad([1, 2, 3], [[2, 0]], "REFLECT", constant_values=9),
    "fed": lambda tf: (
        lambda p: (tf.pad(p, [[1, 1], [2, 2]], "REFLECT"), {p: np.arange(6.0).reshape(2, 3)})
    )(tf.placeholder(tf.float32, [None, 3])),
}


@pytest.mark.parametrize("name", sorted(MIRROR))
def test_mirror_pad(tf1, name):
    compare(tf1, MIRROR[name])


@pytest.mark.parametrize(
    "paddings, mode", [([[3, 1]], "REFLECT"), ([[4, 1]], "SYMMETRIC"), ([[0, 3]], "REFLECT")]
)
def test_mirror_pad_too_wide_fails_at_run_time(tf1, paddings, mode):
    same_runtime_text(tf1, lambda tf: tf.pad([1, 2, 3], paddings, mode))


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_gradient(tf1, mode):
    def build(tf):
        x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
        y = tf.pad(x, [[1, 2], [2, 1]], mode)
        w = tf.reshape(tf.range(36.0), [6, 6])
        return tf.gradients(tf.reduce_sum(y * w), x)

    compare(tf1, build, names=False)


def test_mirror_pad_second_gradient(tf1):
    def build(tf):
        x = tf.constant([1.0, 2.0, 3.0])
        gy = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0])
        gx = tf.gradients(tf.pad(x, [[1, 1]], "REFLECT"), x, grad_ys=gy)[0]
        return tf.gradients(tf.reduce_sum(gx * tf.constant([1.0, 2.0, 3.0])), gy)

    compare(tf1, build, names=False)


# -- transpose, reverse ----------------------------------------------------------------------


def test_transpose_with_negative_perm(tf1):
    compare(tf1, lambda tf: tf.transpose(tf.reshape(tf.range(24), [2, 3, 4]), [-1, 0, 1]))


def test_reverse_axis_must_be_a_vector(tf1):
    same_error_text(tf1, lambda tf: tf.reverse(tf.zeros([2, 3]), 1))


# -- where, one_hot, sequence_mask ------------------------------------------------------------


def test_where_of_a_scalar_fails_at_run_time(tf1):
    same_runtime_text(tf1, lambda tf: tf.where(True))


SELECT_ERRORS: dict[str, Callable[[Any], Any]] = {
    "condition_broadcast": lambda tf: tf.where([[True, False]], [[1, 2], [3, 4]], [[5, 6], [7, 8]]),
    "scalar_branches": lambda tf: tf.where([True, False], 1, 0),
    "vector_condition_too_long": lambda tf: tf.where([True, False, True], [1, 2], [3, 4]),
    "branches_differ": lambda tf: tf.where([True, False], [1, 2], [1, 2, 3]),
}


@pytest.mark.parametrize("name", sorted(SELECT_ERRORS))
def test_where_shape_errors_name_shapes_as_tensorflow(tf1, name):
    same_error_text(tf1, SELECT_ERRORS[name])


@pytest.mark.parametrize(
    "cond, x, y",
    [
        ([True, False, True], [1.0, 2.0], [3.0, 4.0]),
        ([True, False], [1.0, 2.0], [3.0, 4.0, 5.0]),
        (True, [1.0, 2.0], [3.0]),
        ([True, False], [[1.0], [2.0]], [[3.0], [4.0], [5.0]]),
    ],
)
def test_where_run_time_errors(tf1, cond, x, y):
    def build(tf):
        c, a, b = (tf.placeholder(d) for d in (tf.bool, tf.float32, tf.float32))
        return tf.where(c, a, b), {c: cond, a: x, b: y}

    same_runtime_text(tf1, build)


def test_one_hot_takes_int8_indices(tf1):
    compare(tf1, lambda tf: tf.one_hot(tf.constant([1, 0], tf.int8), 3))


SEQUENCE_MASKS: dict[str, Callable[[Any], Any]] = {
    "maxlen": lambda tf: tf.sequence_mask([1, 3, 2], 5),
    "no_maxlen": lambda tf: tf.sequence_mask([1, 3, 2]),
    "float_mask_of_a_matrix": lambda tf: tf.sequence_mask([[1], [3]], 4, dtype=tf.float32),
    "int_mask": lambda tf: tf.sequence_mask([1, 2], 3, dtype=tf.int32),
    "int64_lengths": lambda tf: tf.sequence_mask(tf.constant([1, 2], tf.int64), 3),
    "int64_maxlen": lambda tf: tf.sequence_mask([1, 2], tf.constant(3, tf.int64)),
    "scalar_length": lambda tf: tf.sequence_mask(2, 3),
    "named": lambda tf: tf.sequence_mask([1, 2], 3, name="mask"),
    "fed": lambda tf: (lambda p: (tf.sequence_mask(p, 4), {p: [1, 3]}))(
        tf.placeholder(tf.int32, [None])
    ),
    "fed_no_maxlen": lambda tf: (lambda p: (tf.sequence_mask(p), {p: [1, 3]}))(
        tf.placeholder(tf.int32, [None])
    ),
}


@pytest.mark.parametrize("name", sorted(SEQUENCE_MASKS))
def test_sequence_mask(tf1, name):
    compare(tf1, SEQUENCE_MASKS[name])


def test_sequence_mask_maxlen_must_be_a_scalar(tf1):
    construction_error(tf1, lambda tf: tf.sequence_mask([1, 2], [3]))


# -- where_v2 (SelectV2) and the gradients that use it --------------------------------------------


def test_where_v2_broadcasts(tf1):
    def build(tf):
        c = tf.constant([True, False])
        m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        out = [tf.where_v2(c, 1.0, m), tf.where_v2([True, False], [1, 2], [3, 4], name="ww")]
        out += [tf.where_v2(tf.constant([[True], [False]]), m, -m), tf.where_v2(m > 2.0)]
        return out

    compare(tf1, build)


def test_where_v2_gradient(tf1):
    def build(tf):
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.constant([[0.5, -1.0]])
        c = tf.placeholder(tf.bool, [2])
        z = tf.where_v2(c, x, y) * tf.constant([[1.0, 2.0], [3.0, 4.0]])
        grads = tf.gradients(tf.reduce_sum(z * z), [x, y])
        return grads, {x: [[1.0, 2.0], [3.0, 4.0]], c: [True, False]}

    compare(tf1, build, names=False)


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_and_minimum_gradients_select_with_select_v2(tf1, op):
    def build(tf):
        x = tf.constant([[1.0, 5.0, 3.0], [2.0, 0.0, 7.0]])
        y = tf.constant([2.0, 2.0, 3.0])
        dx, dy = tf.gradients(tf.reduce_sum(getattr(tf, op)(x, y) * x), [x, y])
        types = sorted({o.type for o in tf.get_default_graph().get_operations()})
        assert "SelectV2" in types and "Select" not in types
        return [dx, dy]

    compare(tf1, build)


@pytest.mark.parametrize(
    "build",
    [
        lambda tf: tf.where_v2([True, False], [1, 2, 3], [1, 2, 3]),
        lambda tf: tf.where_v2([True], [1], [1.0]),
        lambda tf: tf.where_v2([1, 0], [1.0], [2.0]),
        lambda tf: tf.where_v2(tf.constant([True]), [1.0], None),
    ],
)
def test_where_v2_errors_while_building(tf1, build):
    construction_error(tf1, build)


def test_where_v2_error_at_run_time(tf1):
    def build(tf):
        c = tf.placeholder(tf.bool)
        return tf.where_v2(c, [1.0, 2.0], [3.0, 4.0]), {c: [True, False, True]}

    compare(tf1, build)
