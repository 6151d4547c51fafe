"""Math ops against numpy: values, dtypes and shapes for every op of the catalogue, then the
rules learners trip over (integer division, floor semantics, dtype mixing) and error texts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import teachflow as tf
from tests.conftest import run

from .strategies import BINARY, REDUCTIONS, UNARY, sample

RNG = np.random.default_rng(0)


pytestmark = pytest.mark.usefixtures("fresh_graph")


def assert_matches(got: Any, want: Any, dtype: str) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == np.dtype(dtype), f"dtype {got.dtype}, expected {dtype}"
    assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
    if got.dtype.kind == "f":
        tol = 1e-3 if got.dtype == np.float16 else 1e-6
        np.testing.assert_allclose(got, want.astype(got.dtype), rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


# -- the catalogue ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case,dtype", [(u, d) for u in UNARY for d in u.dtypes], ids=lambda v: getattr(v, "name", v)
)
def test_unary_values(case, dtype):
    x = sample(RNG, dtype, (2, 3), case.low, case.high, case.away_from_zero)
    y = getattr(tf, case.name)(tf.constant(x))
    out = case.out or dtype
    assert y.dtype == tf.as_dtype(out) and y.shape.as_list() == [2, 3]
    with np.errstate(all="ignore"):
        assert_matches(run(y), case.ref(x), out)


@pytest.mark.parametrize(
    "case,dtype", [(b, d) for b in BINARY for d in b.dtypes], ids=lambda v: getattr(v, "name", v)
)
def test_binary_values_with_broadcasting(case, dtype):
    x = sample(RNG, dtype, (4, 1, 3), *case.x_range)
    y = sample(RNG, dtype, (2, 3), *case.y_range, away_from_zero=case.y_nonzero)
    z = getattr(tf, case.name)(tf.constant(x), tf.constant(y))
    out = case.out or dtype
    assert z.dtype == tf.as_dtype(out) and z.shape.as_list() == [4, 2, 3]
    with np.errstate(all="ignore"):
        assert_matches(run(z), case.ref(x, y), out)


AXES = [None, 0, -1, [0, 2], [], (1, -1)]


@pytest.mark.parametrize(
    "case,dtype",
    [(r, d) for r in REDUCTIONS for d in r.dtypes],
    ids=lambda v: getattr(v, "name", v),
)
def test_reduction_values_and_static_shapes(case, dtype):
    x = sample(RNG, dtype, (2, 3, 4), -4, 4)
    t = tf.constant(x)
    fn = getattr(tf, case.name)
    for keep in (False, True):
        ys = [fn(t, axis=a, keepdims=keep) for a in AXES]
        for a, y, got in zip(AXES, ys, run(ys)):
            want = case.ref(x, None if a is None else tuple(np.atleast_1d(a)), keep)
            assert y.shape.as_list() == list(np.shape(want)), (a, keep)
            assert_matches(got, want, dtype)


def test_reduction_names_and_old_arguments():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    m = tf.reduce_mean(x)
    # the all-axes constant comes before the op's scope, as in TensorFlow
    assert m.op.name == "Mean" and m.op.inputs[1].op.name == "Const_1"
    s = tf.reduce_sum(x, reduction_indices=[1], keep_dims=True)
    assert s.op.type == "Sum" and s.op.inputs[1].op.name == "Sum/reduction_indices"
    assert s.shape.as_list() == [2, 1] and s.op.get_attr("keep_dims") is True
    assert run(s).tolist() == [[3.0], [7.0]]
    assert run(tf.reduce_max(x, 0, name="top")).tolist() == [3.0, 4.0]
    assert tf.get_default_graph().get_operation_by_name("top").type == "Max"


def test_integer_mean_truncates_toward_zero():
    x = tf.constant([[-7, 2], [7, 0], [-1, 0], [100, 100]], tf.int8)
    assert run(tf.reduce_mean(x, 1)).tolist() == [-2, 3, 0, 100]  # int8 sums do not overflow
    assert run(tf.reduce_mean(tf.zeros([0], tf.int32))) == 0


def test_reductions_of_empty_tensors_give_the_identity():
    f = tf.zeros([0, 2])
    got = run([tf.reduce_sum(f, 0), tf.reduce_prod(f, 0), tf.reduce_max(f, 0), tf.reduce_min(f)])
    assert [v.tolist() for v in got] == [[0, 0], [1, 1], [-np.inf, -np.inf], np.inf]
    assert run(tf.reduce_max(tf.zeros([0], tf.uint8))) == 0
    assert run(tf.reduce_min(tf.zeros([0], tf.int16))) == np.iinfo(np.int16).max
    assert np.isnan(run(tf.reduce_mean(f)))


def test_reduction_of_unknown_rank():
    p = tf.placeholder(tf.float32)
    m = tf.reduce_mean(p)
    assert m.shape.as_list() == []  # a full reduction is a scalar, whatever the rank
    assert run(m, {p: [[1.0, 2.0], [3.0, 6.0]]}) == 3.0
    assert run(m, {p: 5.0}) == 5.0
    k = tf.reduce_sum(p, 1, keepdims=True)
    assert k.shape.ndims is None
    assert run(k, {p: np.ones((2, 3))}).tolist() == [[3.0], [3.0]]


def test_reduction_axes_known_only_at_run_time():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    a = tf.placeholder(tf.int32)
    s = tf.reduce_sum(x, a, keepdims=True)
    assert s.shape.as_list() == [None, None]
    assert run(s, {a: -1}).tolist() == [[3.0], [12.0]]
    assert run(tf.reduce_sum(x, a), {a: [0, 1]}) == 15.0


@pytest.mark.parametrize("fn,ref", [(tf.argmax, np.argmax), (tf.argmin, np.argmin)])
def test_argmax_argmin(fn, ref):
    x = RNG.integers(0, 4, size=(3, 4, 5)).astype(np.float32)  # with ties: the first wins
    for axis in (0, 1, -1):
        y = fn(tf.constant(x), axis)
        assert y.dtype == tf.int64 and y.op.inputs[1].op.name.endswith("/dimension")
        assert y.shape.as_list() == list(ref(x, axis).shape)
        assert_matches(run(y), ref(x, axis), "int64")
    assert run(fn(tf.constant(x))).tolist() == ref(x, 0).tolist()  # axis defaults to 0
    assert run(fn(x, dimension=2, output_type=tf.int32)).dtype == np.int32
    assert run(fn(x.tolist(), 1)).tolist() == ref(x, 1).tolist()
    with pytest.raises(TypeError, match="output_type"):
        fn(x, 1, output_type=tf.float32)


def np_scan(fn: Any, x: np.ndarray, axis: int, exclusive: bool, reverse: bool) -> np.ndarray:
    """Reference cumsum/cumprod with TensorFlow's exclusive and reverse."""
    if reverse:
        x = np.flip(x, axis)
    out = fn(x, axis=axis)
    if exclusive:
        ident = np.ones_like if fn is np.cumprod else np.zeros_like
        first = ident(np.take(out, [0], axis=axis))
        out = np.concatenate([first, np.delete(out, -1, axis=axis)], axis=axis)
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("name,fn", [("cumsum", np.cumsum), ("cumprod", np.cumprod)])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_cumsum_cumprod(name, fn, dtype):
    x = sample(RNG, dtype, (3, 4), 1, 3)
    for axis in (0, 1, -1):
        for exclusive in (False, True):
            for reverse in (False, True):
                y = getattr(tf, name)(x, axis, exclusive=exclusive, reverse=reverse)
                assert y.op.type == name.capitalize() and y.shape.as_list() == [3, 4]
                want = np_scan(fn, x, axis, exclusive, reverse)
                assert_matches(run(y), want, dtype)


def test_clip_by_value():
    x = tf.constant([[-2.0, 0.5, 3.0]])
    c = tf.clip_by_value(x, 0.0, 1.0)
    assert c.op.name == "clip_by_value" and c.op.type == "Maximum"
    assert c.op.inputs[0].op.name == "clip_by_value/Minimum"
    assert run(c).tolist() == [[0.0, 0.5, 1.0]]
    lo = tf.constant([-3.0, 1.0, 0.0])
    assert run(tf.clip_by_value(x, lo, 2.0)).tolist() == [[-2.0, 1.0, 2.0]]
    assert run(tf.clip_by_value([1, 5, 9], 2, 6)).tolist() == [2, 5, 6]
    with pytest.raises(ValueError):
        tf.clip_by_value(tf.zeros([3]), tf.zeros([2, 3]), 1.0)  # would broadcast t


def test_count_nonzero():
    x = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]], np.float32)
    n = tf.count_nonzero(x)
    assert n.dtype == tf.int64 and n.op.name == "count_nonzero/Sum"
    assert run(n) == 3
    k = tf.count_nonzero(x, 1, keepdims=True, dtype=tf.int32)
    assert k.dtype == tf.int32 and run(k).tolist() == [[2], [1]]
    assert run(tf.count_nonzero(tf.constant([True, False, True]))) == 2
    assert run(tf.count_nonzero(tf.constant(["", "a", "b"]))) == 2
    assert run(tf.count_nonzero(input=[0, 7], keep_dims=True)).tolist() == [1]


def test_scalar_mul_and_add_n_and_matmul():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    m = tf.scalar_mul(3, x)
    assert m.op.type == "Mul" and run(m).tolist() == [[3.0, 6.0], [9.0, 12.0]]
    with pytest.raises(ValueError, match="Only scalar multiply works"):
        tf.scalar_mul(tf.constant([1.0, 2.0]), x)
    assert run(tf.add_n([x, x, x])).tolist() == [[3.0, 6.0], [9.0, 12.0]]
    a = RNG.normal(size=(2, 3)).astype(np.float32)
    for ta in (False, True):
        for tb in (False, True):
            lhs, rhs = (a.T if ta else a), (a if tb else a.T)
            y = tf.matmul(lhs, rhs, transpose_a=ta, transpose_b=tb)
            want = (lhs.T if ta else lhs) @ (rhs.T if tb else rhs)
            assert y.shape.as_list() == list(want.shape)
            np.testing.assert_allclose(run(y), want, rtol=1e-5)
    batch = RNG.normal(size=(4, 2, 3)).astype(np.float32)
    y = tf.matmul(batch, a.T)  # a batch of matrices times one matrix: BatchMatMulV2
    assert y.op.type == "BatchMatMulV2" and y.shape.as_list() == [4, 2, 2]
    np.testing.assert_allclose(run(y), batch @ a.T, rtol=1e-5)


def test_round_and_sign_and_abs_of_integers():
    i = tf.constant([-3, 0, 4])
    assert tf.round(i) is i  # integers are already round: no new op, as TensorFlow
    assert run(tf.round([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]
    assert run([tf.sign(i), tf.abs(i)])[0].tolist() == [-1, 0, 1]
    assert run(tf.abs(i)).tolist() == [3, 0, 4]


def test_cast():
    f = tf.constant([1.7, -1.7, 0.0])
    assert run(tf.cast(f, tf.int32)).tolist() == [1, -1, 0]  # truncates toward zero
    assert run(tf.cast(f, tf.bool)).tolist() == [True, True, False]
    assert tf.cast(f, tf.float32) is f
    assert tf.to_double(f).dtype == tf.float64 and tf.to_int64(f).dtype == tf.int64


# -- division and its dtypes -------------------------------------------------------------------


def test_int_truediv_is_float64_as_in_tensorflow():
    q = tf.constant([1, -3]) / tf.constant([2, 2])
    assert q.dtype == tf.float64 and q.op.type == "RealDiv" and q.op.name == "truediv"
    assert [i.op.name for i in q.op.inputs] == ["truediv/Cast", "truediv/Cast_1"]
    assert run(q).tolist() == [0.5, -1.5]
    assert tf.divide(tf.constant(1, tf.int16), tf.constant(2, tf.int16)).dtype == tf.float32
    assert tf.truediv(tf.constant(1, tf.uint8), tf.constant(2, tf.uint8)).dtype == tf.float32
    assert tf.truediv(tf.constant(1, tf.int64), tf.constant(2, tf.int64)).dtype == tf.float64
    with pytest.raises(TypeError, match="Invalid dtype tf.bool in __truediv__"):
        tf.constant(True) / tf.constant(False)


def test_floor_division_and_modulo_on_negatives_follow_python():
    a = [-7, 7, -7, 7, 5, -5]
    b = [2, -2, -2, 2, 3, 3]
    want_div = [x // y for x, y in zip(a, b)]
    want_mod = [x % y for x, y in zip(a, b)]
    ta, tb = tf.constant(a), tf.constant(b)
    assert run(ta // tb).tolist() == want_div
    assert run(ta % tb).tolist() == want_mod
    assert run(tf.div(ta, tb)).tolist() == want_div  # tf.div floors integers
    fa, fb = tf.constant([-7.5, 7.5]), tf.constant([2.0, -2.0])
    assert run(fa // fb).tolist() == [-4.0, -4.0]
    assert run(tf.floormod(fa, fb)).tolist() == [0.5, -0.5]
    assert run(tf.div(fa, fb)).tolist() == [-3.75, -3.75]  # and divides floats truly
    with tf.Graph().as_default():
        i = tf.constant(1)
        assert (i // 2).op.name == "floordiv" and (i % 2).op.name == "mod"
        assert tf.mod(i, 2).op.name == "FloorMod" and tf.floordiv(i, 2).op.name == "floordiv_1"


@pytest.mark.parametrize(
    "build",
    [
        lambda: tf.constant([4, 5]) // tf.constant([2, 0]),
        lambda: tf.constant(5) % tf.constant(0),
        lambda: tf.floor_div(tf.constant(5, tf.int64), tf.constant(0, tf.int64)),
    ],
)
def test_integer_division_by_zero_is_an_invalid_argument(build):
    y = build()
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero") as e:
        run(y)
    assert e.value.op is y.op


def test_negative_integer_powers_are_an_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        run(tf.pow(tf.constant(2), tf.constant(-1)))
    assert run(tf.constant(2.0) ** -1.0) == 0.5


def test_integer_realdiv_and_reciprocal_are_rejected_while_building():
    # NOTE: TensorFlow builds these and fails when they run (no integer kernel)
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.realdiv(tf.constant(1), tf.constant(2))
    with pytest.raises(TypeError, match="Hint"):
        tf.reciprocal(tf.constant(2))


# -- names of the generated ops ----------------------------------------------------------------


def test_operator_and_function_names():
    x = tf.constant([1.0, 2.0])
    names = [
        (x + 1.0).op.name,
        (1.0 + x).op.name,
        tf.add(x, 1.0).op.name,
        (x * x).op.name,
        tf.multiply(x, x).op.name,
        tf.mul(x, x).op.name,
        (x**2).op.name,
        tf.pow(x, 2.0).op.name,
        tf.maximum(x, 0.0).op.name,
        tf.squared_difference(x, x).op.name,
    ]
    # unique names are case-insensitive since TensorFlow 1.9: "add" then tf.add gives "Add_2"
    assert names == ["add", "add_1", "Add_2", "mul", "Mul_1", "Mul_2", "pow", "Pow_1"] + [
        "Maximum",
        "SquaredDifference",
    ]
    assert tf.add(x, 1.0).op.type == "AddV2"
    assert tf.add(tf.constant("a"), "b").op.type == "Add"  # strings join with Add


def test_logical_xor_names():
    b, c = tf.constant([True, False]), tf.constant([True, True])
    x = tf.logical_xor(b, c)
    assert x.op.name == "LogicalXor" and x.op.type == "LogicalAnd"
    assert [i.op.name for i in x.op.inputs] == ["LogicalOr", "LogicalNot"]
    y = b ^ c
    assert y.op.name == "xor" and y.op.inputs[0].op.name == "xor/LogicalOr"
    assert run([x, y])[0].tolist() == [False, True]


# -- dtype mixing and shape errors -------------------------------------------------------------


def test_mixing_tensor_dtypes_is_both_a_value_and_a_type_error():
    a, b = tf.constant(0.0), tf.constant(1)
    with pytest.raises(ValueError, match="requested dtype float32 for Tensor with dtype int32"):
        tf.add(a, b)
    with pytest.raises(TypeError, match="Hint: "):
        a * b


def test_a_python_value_takes_the_first_inputs_dtype():
    f = tf.constant([1.0, 2.0])
    assert tf.add(f, 1).dtype == tf.float32  # 1 becomes 1.0
    assert (1 + f).dtype == tf.float32  # operators: the tensor decides
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead"):
        tf.constant(1) + 1.5
    with pytest.raises(TypeError):
        tf.add(1, f)  # as TensorFlow: the Python 1 made the op int32 first


def test_elementwise_shape_error_text():
    with pytest.raises(ValueError) as e:
        tf.add(tf.constant([1, 2]), tf.constant([1, 2, 3]))
    assert str(e.value).startswith(
        "Dimensions must be equal, but are 2 and 3 for 'Add' (op: 'AddV2') with input shapes: "
        "[2], [3]."
    )


def test_matmul_shape_error_texts():
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 2 and 1 for 'MatMul'"):
        tf.matmul(tf.zeros([1, 2]), tf.zeros([1, 2]))
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1 for 'MatMul_1'"):
        tf.matmul(tf.zeros([2]), tf.zeros([1, 2]))
    p = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"In\[0\]: \[2,3\], In\[1\]: \[2,3\]"):
        run(tf.matmul(p, tf.zeros([2, 3])), {p: np.zeros((2, 3))})


def test_reduction_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError) as e:
        tf.reduce_sum(x, 2)
    first, hint = str(e.value).splitlines()
    assert first == (
        "Invalid reduction dimension 2 for input with 2 dimensions. for 'Sum' (op: 'Sum') with "
        "input shapes: [2,3], [] and with computed input tensors: input[1] = <2>."
    )
    assert hint.startswith("  Hint: axes count from 0")
    p = tf.placeholder(tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid reduction dim") as e:
        run(tf.reduce_sum(p, 2), {p: np.zeros((2, 3))})
    assert "Hint: axes count from 0" in str(e.value)
    with pytest.raises(ValueError, match="Cannot specify both 'reduction_indices' and 'axis'"):
        tf.reduce_mean(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Cannot specify both 'keep_dims' and 'keepdims'"):
        tf.reduce_mean(x, keepdims=True, keep_dims=True)
    with pytest.raises(TypeError, match="parameter 'input' has DataType bool not in list"):
        tf.reduce_sum(tf.constant([True]))
    with pytest.raises(TypeError, match="'reduction_indices' has DataType float32"):
        tf.reduce_sum(x, 1.0)
    with pytest.raises(TypeError, match="Input 'input' of 'Any' Op has type float32"):
        tf.reduce_any(x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="duplicate dimension: 1"):
        run(tf.reduce_sum(x, [1, -1]))


def test_argmax_and_cumsum_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match=r"Dimension \(2\) must be in the range \[-2, 2\)"):
        tf.argmax(x, 2)
    with pytest.raises(ValueError, match="Cannot specify both 'dimension' and 'axis'"):
        tf.argmin(x, axis=0, dimension=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"axis 0 is empty in shape \[0\]"):
        run(tf.argmax(tf.zeros([0])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="scan axis in the range"):
        run(tf.cumsum(x, 2))


def test_dtype_errors_name_the_allowed_dtypes_and_hint():
    with pytest.raises(TypeError) as e:
        tf.sqrt(tf.constant(4))
    first, hint = str(e.value).splitlines()
    assert first == (
        "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
        "float16, float32, float64, complex64, complex128"
    )
    assert "tf.cast" in hint
    with pytest.raises(TypeError, match="DataType bool"):
        tf.negative(tf.constant(True))
    with pytest.raises(TypeError, match="DataType string"):
        tf.constant("a") - tf.constant("b")


def test_run_time_broadcasting_error():
    p = tf.placeholder(tf.float32)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2,3\] vs\. \[2\]"
    ):
        run(p - np.zeros(2, np.float32), {p: np.zeros((2, 3))})


def test_batch_matmul_is_the_0x_name_of_matmul():
    xv = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    x = tf.constant(xv)
    with pytest.warns(DeprecationWarning, match=r"tf.batch_matmul .* tf.matmul"):
        y = tf.batch_matmul(x, x, adj_y=True)
    assert y.op.type == "BatchMatMulV2"
    np.testing.assert_allclose(tf.Session().run(y), xv @ xv.transpose(0, 2, 1))
