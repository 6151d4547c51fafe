"""Array ops against real TensorFlow: the cases a differential audit found teachflow got wrong.

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

from .conftest import compare, construction_error


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
