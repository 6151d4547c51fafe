"""Array ops against numpy: values, dtypes, static shapes, names, errors and slicing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import teachflow as tf
from teachflow.ops import registry
from tests.conftest import run

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


pytestmark = pytest.mark.usefixtures("fresh_graph")


# name -> (build() -> tensor, expected numpy value); the static shape must be the value's
CATALOGUE: dict[str, tuple[Callable[[], Any], Any]] = {
    "range": (lambda: tf.range(5), np.arange(5, dtype=np.int32)),
    "range_start_delta": (lambda: tf.range(10, 1, -4), np.array([10, 6, 2], np.int32)),
    "range_float": (lambda: tf.range(0, 1, 0.25), np.arange(0, 1, 0.25, dtype=np.float32)),
    "range_mixed": (lambda: tf.range(1.0, 5), np.arange(1, 5, dtype=np.float32)),
    "range_dtype": (lambda: tf.range(3, dtype=tf.float64), np.arange(3, dtype=np.float64)),
    "range_int64": (lambda: tf.range(tf.constant(3, tf.int64)), np.arange(3, dtype=np.int64)),
    "range_empty": (lambda: tf.range(2, 2), np.zeros(0, np.int32)),
    "linspace": (lambda: tf.linspace(0.0, 1.0, 5), np.linspace(0, 1, 5, dtype=np.float32)),
    "linspace_one": (lambda: tf.linspace(2.0, 3.0, 1), np.array([2.0], np.float32)),
    "transpose": (lambda: tf.transpose(X), X.T),
    "transpose_perm": (lambda: tf.transpose(X, [1, 0, 2]), X.transpose(1, 0, 2)),
    "expand_dims": (lambda: tf.expand_dims(X, 1), X[:, None]),
    "expand_dims_neg": (lambda: tf.expand_dims(X, -1), X[..., None]),
    "squeeze": (lambda: tf.squeeze(X[None, :, :1]), X[:, :1].squeeze()),
    "squeeze_axis": (lambda: tf.squeeze(np.ones((1, 2, 1)), [0]), np.ones((2, 1))),
    "concat": (lambda: tf.concat([X, X * 2], 1), np.concatenate([X, X * 2], 1)),
    "concat_neg_axis": (lambda: tf.concat([X, X], -1), np.concatenate([X, X], -1)),
    "concat_python": (lambda: tf.concat([[1, 2], [3]], 0), np.array([1, 2, 3], np.int32)),
    "stack": (lambda: tf.stack([X, X + 1], axis=3), np.stack([X, X + 1], 3)),
    "stack_python": (lambda: tf.stack([1, 2]), np.array([1, 2], np.int32)),
    "stack_mixed": (lambda: tf.stack([tf.constant(1.5), 2.0]), np.array([1.5, 2], np.float32)),
    "unstack": (lambda: tf.unstack(X, axis=1)[2], X[:, 2]),
    "split": (lambda: tf.split(X, 2, axis=2)[1], X[:, :, 2:]),
    "split_sizes": (lambda: tf.split(X, [1, -1], 1)[1], X[:, 1:]),
    "tile": (lambda: tf.tile(X, [2, 1, 3]), np.tile(X, (2, 1, 3))),
    "slice": (lambda: tf.slice(X, [1, 0, 2], [-1, 2, 2]), X[1:, 0:2, 2:4]),
    "pad": (lambda: tf.pad(X, [[0, 1], [2, 0], [1, 1]]), np.pad(X, [(0, 1), (2, 0), (1, 1)])),
    "pad_value": (
        lambda: tf.pad([[1, 2]], [[1, 0], [0, 0]], constant_values=9),
        np.array([[9, 9], [1, 2]], np.int32),
    ),
    "reverse": (lambda: tf.reverse(X, [0, 2]), X[::-1, :, ::-1]),
    "gather": (lambda: tf.gather(X, [1, 0, 1]), X[[1, 0, 1]]),
    "gather_axis": (lambda: tf.gather(X, [[3, 0]], axis=2), np.take(X, [[3, 0]], axis=2)),
    "gather_scalar": (lambda: tf.gather(X, 2, axis=1), X[:, 2]),
    "gather_nd": (lambda: tf.gather_nd(X, [[1, 2], [0, 0]]), X[[1, 0], [2, 0]]),
    "scatter_nd": (
        lambda: tf.scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [5]),
        np.array([0, 4, 0, 2, 0], np.float32),
    ),
    "where_indices": (lambda: tf.where(X > 20), np.argwhere(X > 20)),
    "where_select": (lambda: tf.where(X > 5, X, -X), np.where(X > 5, X, -X)),
    "where_rows": (
        lambda: tf.where([True, False], X[:, 0], X[:, 1]),
        np.stack([X[0, 0], X[1, 1]]),
    ),
    "one_hot": (
        lambda: tf.one_hot([0, 2, 3], 3),
        (np.array([[0], [2], [3]]) == np.arange(3)).astype(np.float32),
    ),
    "one_hot_axis": (
        lambda: tf.one_hot([1, 0], 2, on_value=5, off_value=-1, axis=0),
        np.array([[-1, 5], [5, -1]], np.int32),
    ),
    "boolean_mask": (lambda: tf.boolean_mask(X, X[:, :, 0] > 10), X[X[:, :, 0] > 10]),
    "boolean_mask_axis": (
        lambda: tf.boolean_mask(X, [True, False, True], axis=1),
        X[:, [True, False, True]],
    ),
    "getitem_bool": (lambda: tf.constant(X)[tf.constant(X) > 20], X[X > 20]),
    "zeros_like": (lambda: tf.zeros_like(X), np.zeros_like(X)),
    "zeros_like_dtype": (lambda: tf.zeros_like(X, tf.int32), np.zeros(X.shape, np.int32)),
    "ones_like": (lambda: tf.ones_like(X), np.ones_like(X)),
    "ones_like_dtype": (lambda: tf.ones_like(X, dtype=tf.bool), np.ones(X.shape, bool)),
    "fill": (lambda: tf.fill([2, 3], 7), np.full((2, 3), 7, np.int32)),
    "zeros_dynamic": (lambda: tf.zeros(tf.shape(X)), np.zeros_like(X)),
    "ones_big": (lambda: tf.ones([40, 40], tf.int32), np.ones((40, 40), np.int32)),
    "reshape": (lambda: tf.reshape(X, [4, -1]), X.reshape(4, -1)),
    "invert_permutation": (
        lambda: tf.invert_permutation([2, 0, 3, 1]),
        np.argsort([2, 0, 3, 1]).astype(np.int32),
    ),
    "strided_slice": (lambda: tf.strided_slice(X, [1, 2], [0, 0], [-1, -1]), X[1:0:-1, 2:0:-1]),
    "identity": (lambda: tf.identity(X), X),
    "placeholder_with_default": (lambda: tf.placeholder_with_default(X, [2, None, 4]), X),
    "getitem_dimension_and_numpy_int": (
        lambda: tf.constant(X)[tf.TensorShape([1])[0], np.int64(2)],
        X[1, 2],
    ),
    "shape": (lambda: tf.shape(X), np.array([2, 3, 4], np.int32)),
    "size": (lambda: tf.size(X, out_type=tf.int64), np.int64(24)),
    "rank": (lambda: tf.rank(X), np.int32(3)),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_value_dtype_and_static_shape_match_numpy(name):
    build, expected = CATALOGUE[name]
    t = build()
    got = run(t)
    expected = np.asarray(expected)
    assert np.asarray(got).dtype == expected.dtype, (got, expected)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6)
    assert t.shape.is_compatible_with(np.shape(got)), (t.shape, np.shape(got))
    assert t.dtype.name == str(expected.dtype), t.dtype


# lengths that depend on the data, or a shape the user left partly unknown
NOT_STATIC = {
    "where_indices",
    "boolean_mask",
    "boolean_mask_axis",
    "getitem_bool",
    "placeholder_with_default",
}


@pytest.mark.parametrize("name", sorted(set(CATALOGUE) - NOT_STATIC))
def test_static_shape_is_fully_known_from_constants(name):
    build, expected = CATALOGUE[name]
    assert build().shape.as_list() == list(np.shape(expected))


# -- names -----------------------------------------------------------------------------------

NAMES: dict[str, tuple[Callable[[], Any], str, str]] = {
    "range": (lambda: tf.range(3), "range", "Range"),
    "linspace": (lambda: tf.linspace(0.0, 1.0, 3), "LinSpace", "LinSpace"),
    "transpose": (lambda: tf.transpose(X), "transpose", "Transpose"),
    "expand_dims": (lambda: tf.expand_dims(X, 0), "ExpandDims", "ExpandDims"),
    "squeeze": (lambda: tf.squeeze(X), "Squeeze", "Squeeze"),
    "concat": (lambda: tf.concat([X, X], 0), "concat", "ConcatV2"),
    "concat_one": (lambda: tf.concat([X], 0), "concat/concat", "Identity"),
    "stack": (lambda: tf.stack([tf.constant(X), X]), "stack", "Pack"),
    # TensorFlow refuses a list of numpy arrays as one constant, so it packs them (the failed
    # constant used up the name "stack")
    "stack_constants": (lambda: tf.stack([X, X]), "stack_1", "Pack"),
    "pack": (lambda: tf.pack([X, tf.constant(X)]), "pack", "Pack"),
    "unstack": (lambda: tf.unstack(X)[0], "unstack", "Unpack"),
    "unpack": (lambda: tf.unpack(X)[0], "unpack", "Unpack"),
    "split": (lambda: tf.split(X, 2)[0], "split", "Split"),
    "split_v": (lambda: tf.split(X, [1, 1])[0], "split", "SplitV"),
    "tile": (lambda: tf.tile(X, [1, 1, 1]), "Tile", "Tile"),
    "slice": (lambda: tf.slice(X, [0, 0, 0], [1, 1, 1]), "Slice", "Slice"),
    "pad": (lambda: tf.pad(X, [[0, 0]] * 3), "Pad", "Pad"),
    "pad_v2": (lambda: tf.pad(X, [[0, 0]] * 3, constant_values=1.0), "PadV2", "PadV2"),
    "getitem": (lambda: tf.constant(X)[0], "strided_slice", "StridedSlice"),
    "strided_slice": (lambda: tf.strided_slice(X, [0], [1]), "StridedSlice", "StridedSlice"),
    "gather": (lambda: tf.gather(X, [0]), "GatherV2", "GatherV2"),
    "where": (lambda: tf.where(X > 1), "Where", "Where"),
    "select": (lambda: tf.where(X > 1, X, X), "Select", "Select"),
    "one_hot": (lambda: tf.one_hot([0], 2), "one_hot", "OneHot"),
    "boolean_mask": (
        lambda: tf.boolean_mask(X, [True, False]),
        "boolean_mask/GatherV2",
        "GatherV2",
    ),
    "reverse": (lambda: tf.reverse(X, [0]), "ReverseV2", "ReverseV2"),
    "zeros_like": (lambda: tf.zeros_like(X), "zeros_like", "Const"),
    "zeros_like_partial": (
        lambda: tf.zeros_like(tf.placeholder(tf.float32, [None])),
        "zeros_like",
        "ZerosLike",
    ),
    "ones_like": (lambda: tf.ones_like(X), "ones_like", "Fill"),
    "fill": (lambda: tf.fill([2], 1.0), "Fill", "Fill"),
}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_default_names_and_types(name):
    build, op_name, op_type = NAMES[name]
    t = build()
    assert (t.op.name, t.op.type) == (op_name, op_type)


def test_helper_constants_are_named_like_tensorflow(fresh_graph):
    tf.range(4)
    tf.expand_dims(X, 0)
    tf.split(X, 2, axis=2)
    tf.one_hot([0], 2)
    tf.constant(X)[1:]
    names = {op.name for op in fresh_graph.get_operations()}
    assert {"range/start", "range/limit", "range/delta", "ExpandDims/dim"} <= names
    assert {"split/split_dim", "one_hot/on_value", "one_hot/off_value", "one_hot/depth"} <= names
    assert {"strided_slice/stack", "strided_slice/stack_1", "strided_slice/stack_2"} <= names


def test_range_casts_mixed_arguments_like_tensorflow(fresh_graph):
    r = tf.range(1.0, 5)
    assert [t.op.name for t in r.op.inputs] == ["range/start", "range/Cast", "range/Cast_1"]


# -- partial and unknown shapes -----------------------------------------------------------------

PARTIAL: dict[str, tuple[Callable[[Any], Any], str]] = {
    "transpose": (lambda x: tf.transpose(x), "(4, ?)"),
    "expand_dims": (lambda x: tf.expand_dims(x, 1), "(?, 1, 4)"),
    "squeeze_unknown": (lambda x: tf.squeeze(x), "<unknown>"),
    "concat_axis0": (lambda x: tf.concat([x, tf.zeros([3, 4])], 0), "(?, 4)"),
    "concat_axis1": (lambda x: tf.concat([x, x], 1), "(?, 8)"),
    "stack": (lambda x: tf.stack([x, x], 1), "(?, 2, 4)"),
    "unstack": (lambda x: tf.unstack(x, axis=1)[0], "(?,)"),
    "split": (lambda x: tf.split(x, 2, axis=1)[0], "(?, 2)"),
    "split_sizes": (lambda x: tf.split(x, [1, -1], axis=1)[1], "(?, 3)"),
    "tile": (lambda x: tf.tile(x, [2, 2]), "(?, 8)"),
    "slice": (lambda x: tf.slice(x, [0, 1], [-1, 2]), "(?, 2)"),
    "pad": (lambda x: tf.pad(x, [[1, 1], [0, 2]]), "(?, 6)"),
    "gather_axis1": (lambda x: tf.gather(x, [0, 0, 1], axis=1), "(?, 3)"),
    "gather_axis0": (lambda x: tf.gather(x, [0, 0, 1]), "(3, 4)"),
    "where": (lambda x: tf.where(x > 0), "(?, 2)"),
    "select": (lambda x: tf.where(x > 0, x, -x), "(?, 4)"),
    "one_hot": (lambda x: tf.one_hot(tf.cast(x, tf.int32), 5), "(?, 4, 5)"),
    "boolean_mask": (lambda x: tf.boolean_mask(x, x[:, 0] > 0), "(?, 4)"),
    "reverse": (lambda x: tf.reverse(x, [0]), "(?, 4)"),
    "zeros_like": (lambda x: tf.zeros_like(x), "(?, 4)"),
    "ones_like": (lambda x: tf.ones_like(x), "(?, 4)"),
    "reshape": (lambda x: tf.reshape(x, [-1, 2]), "(?, 2)"),
    "reshape_known": (lambda x: tf.reshape(x, [2, -1, 2]), "(2, ?, 2)"),
    "getitem": (lambda x: x[1:, ::-2], "(?, 2)"),
    "getitem_shrink": (lambda x: x[0], "(4,)"),
    "range_tensor": (lambda x: tf.range(tf.shape(x)[0]), "(?,)"),
}


@pytest.mark.parametrize("name", sorted(PARTIAL))
def test_partial_shapes(name):
    build, expected = PARTIAL[name]
    x = tf.placeholder(tf.float32, [None, 4])
    t = build(x)
    assert str(t.shape) == expected
    value = run(t, {x: np.arange(12, dtype=np.float32).reshape(3, 4) - 5})
    assert t.shape.is_compatible_with(np.shape(value))


UNKNOWN_RANK = [
    lambda x: tf.transpose(x),
    lambda x: tf.expand_dims(x, 0),
    lambda x: tf.concat([x, x], 0),
    lambda x: tf.reverse(x, [0]),
    lambda x: tf.gather(x, [1]),
    lambda x: x[0],
    lambda x: tf.tile(x, [1, 2]),
]


@pytest.mark.parametrize("i", range(len(UNKNOWN_RANK)))
def test_unknown_rank_inputs_build_and_run(i):
    x = tf.placeholder(tf.float32)
    t = UNKNOWN_RANK[i](x)
    value = run(t, {x: np.arange(6, dtype=np.float32).reshape(2, 3)})
    assert t.shape.is_compatible_with(np.shape(value))


def test_unknown_rank_shapes():
    x = tf.placeholder(tf.float32)
    assert tf.transpose(x, [1, 0]).shape.as_list() == [None, None]
    assert tf.tile(x, [1, 2]).shape.as_list() == [None, None]
    assert str(tf.where(x > 0).shape) == "(?, ?)"
    assert str(tf.transpose(x).shape) == "<unknown>"


# -- errors --------------------------------------------------------------------------------------


def test_reshape_construction_error_text():
    with pytest.raises(ValueError) as e:
        tf.reshape(tf.zeros([3]), [2, 2])
    first = str(e.value).splitlines()[0]
    assert first == (
        "Cannot reshape a tensor with 3 elements to shape [2,2] (4 elements) for 'Reshape' "
        "(op: 'Reshape') with input shapes: [3], [2]."
    )
    assert "Hint:" in str(e.value)


def test_reshape_run_time_error():
    x = tf.placeholder(tf.float32)
    r = tf.reshape(x, [5])
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        run(r, {x: np.ones((2, 3))})
    assert str(e.value.message).startswith(
        "Input to reshape is a tensor with 6 values, but the requested shape has 5"
    )
    assert e.value.op is r.op


def test_reshape_two_unknown_dimensions_fail_at_run_time():
    r = tf.reshape(tf.zeros([4]), [-1, -1])
    assert r.shape.as_list() == [None, None]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Only one input size may be -1"):
        run(r)


CONSTRUCTION_ERRORS: dict[str, tuple[Callable[[], Any], type, str]] = {
    "transpose": (
        lambda: tf.transpose(tf.zeros([1, 2, 3]), [1, 0]),
        ValueError,
        "Dimension must be 3 but is 2 for 'transpose' (op: 'Transpose') with input shapes: "
        "[1,2,3], [2].",
    ),
    "expand_dims": (
        lambda: tf.expand_dims(tf.zeros([2]), 3),
        ValueError,
        "dim 3 not in the interval [-2, 1]. for 'ExpandDims'",
    ),
    "squeeze": (
        lambda: tf.squeeze(tf.zeros([2, 1]), [0]),
        ValueError,
        "Can not squeeze dim[0], expected a dimension of 1, got 2 for 'Squeeze'",
    ),
    "concat": (
        lambda: tf.concat([tf.zeros([2, 2]), tf.zeros([3, 3])], 0),
        ValueError,
        "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]. for "
        "'concat' (op: 'ConcatV2') with input shapes: [2,2], [3,3], [].",
    ),
    "concat_dtype": (
        lambda: tf.concat([tf.zeros([2]), tf.constant([1, 2])], 0),
        TypeError,
        "Tensors in list passed to 'values' of 'ConcatV2' Op have types [float32, int32] that "
        "don't all match.",
    ),
    "stack": (
        lambda: tf.stack([tf.zeros([2]), tf.zeros([3])]),
        ValueError,
        "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3].",
    ),
    "unstack": (
        lambda: tf.unstack(tf.placeholder(tf.float32, [None, 2])),
        ValueError,
        "Cannot infer num from shape (?, 2)",
    ),
    "split": (
        lambda: tf.split(tf.zeros([5]), 2),
        ValueError,
        "Dimension size must be evenly divisible by 2 but is 5",
    ),
    "split_sizes": (
        lambda: tf.split(tf.zeros([5]), [1, 2]),
        ValueError,
        "can't split axis of size 5 into pieces of size [1,2] for 'split' (op: 'SplitV')",
    ),
    "tile": (
        lambda: tf.tile(tf.zeros([2, 2]), [2]),
        ValueError,
        "Shape must be rank 2 but is rank 1 for 'Tile' (op: 'Tile')",
    ),
    "getitem_bounds": (
        lambda: tf.zeros([3])[5],
        ValueError,
        "slice index 5 of dimension 0 out of bounds. for 'strided_slice' (op: 'StridedSlice')",
    ),
    "getitem_too_many": (
        lambda: tf.zeros([3])[1, 2],
        ValueError,
        "Index out of range using input dim 1; input has only 1 dims",
    ),
    "getitem_type": (
        lambda: tf.zeros([3])[1.5],
        TypeError,
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
        "tf.int32/tf.int64 tensors are valid indices, got 1.5",
    ),
    "getitem_ellipses": (
        lambda: tf.zeros([3])[..., ...],
        ValueError,
        "Multiple ellipses in slice spec not allowed",
    ),
    "getitem_step": (lambda: tf.zeros([3])[::0], ValueError, "strides[0] must be non-zero"),
    "gather": (
        lambda: tf.gather(tf.zeros([3]), [0.5]),
        TypeError,
        "Value passed to parameter 'indices' has DataType float32 not in list of allowed values: "
        "int16, int32, int64",
    ),
    "where": (
        lambda: tf.where(tf.constant([True]), tf.zeros([1])),
        ValueError,
        "x and y must both be non-None or both be None.",
    ),
    "one_hot": (
        lambda: tf.one_hot([0], 3, on_value=1.0, off_value=0),
        TypeError,
        "dtype <dtype: 'float32'> of on_value does not match dtype <dtype: 'int32'> of off_value",
    ),
    "reverse": (
        lambda: tf.reverse(tf.zeros([2, 2]), [0, 0]),
        ValueError,
        "axis 0 specified more than once.",
    ),
    "range": (lambda: tf.range(5, 0), ValueError, "Requires start <= limit when delta > 0: 5/0"),
    "range_delta": (lambda: tf.range(0, 5, 0), ValueError, "Requires delta != 0"),
    "linspace": (
        lambda: tf.linspace(0, 1, 3),
        TypeError,
        "Value passed to parameter 'start' has DataType int32",
    ),
    "boolean_mask": (
        lambda: tf.boolean_mask(tf.zeros([3]), [True, False]),
        ValueError,
        "Shapes (3,) and (2,) are incompatible",
    ),
    "fill": (lambda: tf.fill([2], [1, 2]), ValueError, "Shape must be rank 0 but is rank 1"),
    "expand_dims_no_axis": (
        lambda: tf.expand_dims(tf.zeros([2])),
        ValueError,
        "Must specify an axis argument to tf.expand_dims()",
    ),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTION_ERRORS))
def test_construction_errors(name):
    build, cls, text = CONSTRUCTION_ERRORS[name]
    with pytest.raises(cls) as e:
        build()
    assert str(e.value).startswith(text), str(e.value)


RUNTIME_ERRORS: dict[str, tuple[Callable[[Any], Any], Any, str]] = {
    "gather": (
        lambda x: tf.gather(x, tf.constant([0, 7])),
        np.ones(3),
        "indices[1] = 7 is not in [0, 3)",
    ),
    "gather_nd": (
        lambda x: tf.gather_nd(x, [[5]]),
        np.ones(3),
        "indices[0] = [5] does not index into param shape [3]",
    ),
    "getitem": (lambda x: x[4], np.ones(3), "slice index 4 of dimension 0 out of bounds."),
    "slice": (lambda x: tf.slice(x, [1], [5]), np.ones(3), "Expected size[0] in [0, 2], but got 5"),
    "split": (
        lambda x: tf.split(x, 2),
        np.ones(3),
        "Number of ways to split should evenly divide the split dimension",
    ),
    "squeeze": (
        lambda x: tf.squeeze(x, [0]),
        np.ones(3),
        "Can not squeeze dim[0], expected a dimension of 1, got 3",
    ),
    "concat": (
        lambda x: tf.concat([x, tf.zeros([1, 2], tf.float64)], 0),
        np.ones((1, 3)),
        "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [1,3] vs. "
        "shape[1] = [1,2]",
    ),
    "unstack": (
        lambda x: tf.unstack(x, num=2),
        np.ones(3),
        "Input shape axis 0 must equal 2, got shape [3]",
    ),
    "transpose": (lambda x: tf.transpose(x, [0, 0]), np.ones((1, 1)), "1 is missing from {0,0}."),
    "tile": (lambda x: tf.tile(x, [-1]), np.ones(3), "Expected multiples[0] >= 0, but got -1"),
    "scatter_nd": (
        lambda x: tf.scatter_nd([[3]], tf.ones([1], tf.float64), tf.shape(x)),
        np.ones(3),
        "indices[0] = [3] does not index into shape [3]",
    ),
    "select": (
        lambda x: tf.where(x > 0, x, tf.zeros([2], tf.float64)),
        np.ones(3),
        "Inputs to operation Select of type Select must have the same size and shape.  "
        "Input 0: [3] != input 2: [2]",
    ),
}


@pytest.mark.parametrize("name", sorted(RUNTIME_ERRORS))
def test_run_time_errors_are_invalid_argument(name):
    build, value, text = RUNTIME_ERRORS[name]
    x = tf.placeholder(tf.float64)
    t = build(x)
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        run(t, {x: value})
    assert str(e.value.message).startswith(text), e.value.message
    assert "Hint:" in str(e.value)


# -- slicing ---------------------------------------------------------------------------------

SLICES: list[Any] = [
    0,
    -1,
    (1, 2),
    (slice(None), 1),
    (slice(1, None), slice(None, None, -1)),
    (slice(None, None, -2), Ellipsis, 0),
    (Ellipsis, None),
    (None, 1, Ellipsis, None, slice(1, 3)),
    (slice(-100, 100), slice(5, 1)),
    (slice(2, 0, -1), slice(-1, None, -3)),
    (),
    (Ellipsis,),
    (1, Ellipsis, -1),
    (slice(None), None, slice(None), None),
    [0, 1],  # TensorFlow 1.x reads a list index as a tuple
]


def _np_index(spec: Any) -> Any:
    return tuple(spec) if isinstance(spec, list) else spec


@pytest.mark.parametrize("i", range(len(SLICES)))
def test_getitem_matches_numpy(i):
    spec = SLICES[i]
    t = tf.constant(X)[spec]
    expected = X[_np_index(spec)]
    assert t.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(t), expected)


@pytest.mark.parametrize("i", range(len(SLICES)))
def test_getitem_with_partial_shape(i):
    spec = SLICES[i]
    x = tf.placeholder(tf.float32, [None, 3, None])
    t = x[spec]
    value = run(t, {x: X})
    np.testing.assert_array_equal(value, X[_np_index(spec)])
    assert t.shape.is_compatible_with(value.shape)


def test_getitem_with_tensor_indices():
    x = tf.constant(X)
    i = tf.placeholder(tf.int32, [])
    j = tf.constant(2, tf.int64)
    outs = [x[i], x[:, i], x[i : i + 1, 2], x[..., j], x[1:, j]]
    assert [str(o.shape) for o in outs] == ["(3, 4)", "(2, 4)", "(?, 4)", "(2, 3)", "(1, 4)"]
    assert outs[4].op.inputs[1].dtype == tf.int64  # the Python 1 follows the int64 index
    values = run(outs, {i: 1})
    for got, want in zip(values, [X[1], X[:, 1], X[1:2, 2], X[..., 2], X[1:, 2]]):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match=r"have types \[int32, int64\] that don't all match"):
        x[i, j]


def test_getitem_of_variable_and_newaxis_constant():
    v = tf.Variable(X)
    t = v[:, tf.newaxis, 0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(t), X[:, None, 0])


@st.composite
def index_specs(draw: Any) -> tuple[tuple[int, ...], tuple[Any, ...]]:
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    items: list[Any] = []
    dim = 0
    used_ellipsis = False
    for _ in range(draw(st.integers(0, len(shape) + 2))):
        kind = draw(st.sampled_from(["int", "slice", "new", "ellipsis"]))
        if kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            items.append(Ellipsis)
            dim = len(shape)
        elif kind == "new":
            items.append(None)
        elif dim < len(shape) and not used_ellipsis:
            n = shape[dim]
            if kind == "int" and n > 0:
                items.append(draw(st.integers(-n, n - 1)))
            else:
                bound = st.one_of(st.none(), st.integers(-6, 6))
                step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(bool)))
                items.append(slice(draw(bound), draw(bound), step))
            dim += 1
    return shape, tuple(items)


@given(index_specs())
def test_getitem_matches_numpy_for_random_indices(case):
    shape, spec = case
    data = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    with tf.Graph().as_default():
        t = tf.constant(data)[spec]
        assert t.shape.as_list() == list(data[spec].shape), (shape, spec)
        np.testing.assert_array_equal(run(t), data[spec])


# -- 0.x names and argument orders -----------------------------------------------------------


def test_old_names_and_argument_orders():
    a, b = tf.constant([[1, 2]]), tf.constant([[3, 4]])
    outs = [
        tf.concat(0, [a, b]),
        tf.concat(1, [a, b]),
        tf.split(1, 2, tf.concat([a, b], 0))[1],
        tf.pack([a, b]),
        tf.unpack(tf.concat([a, b], 0))[1],
        tf.select(tf.constant([True, False]), [1, 2], [3, 4]),
        tf.reverse([[1, 2], [3, 4]], [False, True]),
    ]
    with pytest.warns(DeprecationWarning):
        outs.append(tf.expand_dims([1, 2], dim=0))
    with pytest.warns(DeprecationWarning):
        outs.append(tf.squeeze([[1], [2]], squeeze_dims=[1]))
    got = run(outs)
    want = [
        [[1, 2], [3, 4]],
        [[1, 2, 3, 4]],
        [[2], [4]],
        [[[1, 2]], [[3, 4]]],
        [3, 4],
        [1, 4],
        [[2, 1], [4, 3]],
        [[1, 2]],
        [1, 2],
    ]
    assert [g.tolist() for g in got] == want


# -- kernels: no mutation, views are copied on fetch -----------------------------------------

VIEW_OPS = {"Identity", "Reshape", "Transpose", "ExpandDims", "Squeeze", "StridedSlice", "Slice"}


def test_view_kernels_are_marked():
    for op_type in VIEW_OPS | {"Unpack", "Split", "SplitV", "ReverseV2", "PlaceholderWithDefault"}:
        assert registry.get(op_type).view, op_type


def test_fetched_views_do_not_alias_constants_or_variables():
    c = tf.constant(X)
    v = tf.Variable(X)
    fetches = [tf.transpose(c), c[0], tf.reshape(v, [-1]), tf.squeeze(c[None]), v[1:]]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(fetches)
        for f in first:
            f[...] = -1
        again = sess.run(fetches)
    np.testing.assert_array_equal(again[0], X.T)
    np.testing.assert_array_equal(again[2], X.reshape(-1))
    np.testing.assert_array_equal(again[4], X[1:])


@pytest.mark.parametrize(
    "op_type, inputs",
    [
        ("ConcatV2", [X, X, np.int32(0)]),
        ("Tile", [X, np.array([1, 2, 1])]),
        ("ReverseV2", [X, np.array([1])]),
        ("GatherV2", [X, np.array([1, 0]), np.int32(1)]),
        ("Pad", [X, np.ones((3, 2), np.int32)]),
        ("ScatterNd", [np.array([[0], [0]]), X[:2], np.array([3, 3, 4])]),
        ("Select", [X > 3, X, -X]),
    ],
)
def test_kernels_do_not_mutate_their_inputs(op_type, inputs):
    frozen = [np.array(a) for a in inputs]
    for a in frozen:
        a.flags.writeable = False  # a mutation would raise
    registry.get(op_type).kernel(*frozen)
    for a, b in zip(frozen, inputs):
        np.testing.assert_array_equal(a, b)
