"""Math ops found to differ from real TensorFlow in an audit, compared again after the fixes:
the trigonometric and special functions, atan2/truncatediv/div_no_nan, argmax over NaN,
reduce_logsumexp, the clip_by_* family, batched matmul, tensordot, saturate_cast, casts of
strings, and a few errors raised while building or running.
"""

from __future__ import annotations

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

pytestmark = pytest.mark.compat

X = np.array([[0.5, -0.25, 0.0], [0.75, 0.9, -0.6]], np.float32)
POS = np.array([[1.5, 2.5, 0.5], [3.0, 1.25, 4.0]], np.float32)


@pytest.mark.parametrize(
    "op,x",
    [
        ("expm1", X),
        ("asin", X),
        ("acos", X),
        ("atan", X * 4),
        ("sinh", X),
        ("cosh", X),
        ("asinh", X * 4),
        ("acosh", POS),
        ("atanh", X),
        ("erf", X * 3),
        ("erfc", X * 3),
        ("lgamma", POS),
        ("digamma", np.concatenate([POS, -X - 0.5])),
        ("rint", X * 5),
    ],
)
def test_more_unary_ops_and_their_gradients(tf1, op, x):
    def build(tf):
        t = tf.constant(x)
        y = getattr(tf, op)(t)
        return [y, getattr(tf, op)(t, name="named")]

    compare(tf1, build, rtol=1e-5, atol=1e-5)
    if op not in ("digamma", "rint"):

        def gradient(tf):
            t = tf.constant(x)
            return tf.gradients(getattr(tf, op)(t), t)

        compare(tf1, gradient, names=False, rtol=1e-4, atol=1e-5)


def test_rint_has_no_gradient(tf1):
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            t = lib.constant(X)
            assert lib.gradients(lib.rint(t), t) == [None]


@pytest.mark.parametrize("op", ["atan2", "truncatediv", "truncatemod", "div_no_nan"])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_more_binary_ops(tf1, op, dtype):
    if op in ("atan2",) and dtype == "int32":
        construction_error(tf1, lambda tf: tf.atan2(tf.constant([1, 2]), tf.constant([3, 4])))
        return
    x = np.array([[7, -7, 0], [3, -3, 5]]).astype(dtype)
    y = np.array([2, -2, 3] if op != "div_no_nan" else [2, 0, 3]).astype(dtype)
    compare(
        tf1,
        lambda tf: [
            getattr(tf, op)(tf.constant(x), tf.constant(y)),
            getattr(tf, op)(tf.constant(y), tf.constant(x[1]), name="nm"),
        ],
    )


def test_atan2_and_div_no_nan_gradients(tf1):
    def build(tf):
        y, x = tf.constant(X), tf.constant([1.0, -2.0, 0.5])
        d = tf.constant([2.0, 0.0, 4.0])
        return tf.gradients(tf.atan2(y, x), [y, x]) + tf.gradients(tf.div_no_nan(y, d), [y, d])

    compare(tf1, build, names=False)


@pytest.mark.parametrize("values", [[1.0, np.nan, 3.0], [np.nan, 1.0, 3.0], [np.nan, np.nan]])
def test_argmax_and_argmin_pass_over_nan(tf1, values):
    compare(tf1, lambda tf: [tf.argmax(values), tf.argmin(values), tf.arg_max(values, 0)])


def test_argmin_with_an_axis_list_is_a_shape_error_argmax_a_type_error(tf1):
    _, tt = construction_error(tf1, lambda tf: tf.argmin(tf.constant(X), axis=[1]))
    assert "Shape must be rank 0 but is rank 1" in str(tt)
    _, tt = construction_error(tf1, lambda tf: tf.argmax(tf.constant(X), axis=[1]))
    assert isinstance(tt, TypeError)


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_scan_with_an_axis_list_fails_when_run(tf1, op):
    tf_err, tt_err = compare(tf1, lambda tf: getattr(tf, op)(tf.constant(X), axis=[1]))
    assert isinstance(tt_err, teachflow.errors.InvalidArgumentError)
    assert "ScanOp: axis must be a scalar, not [1]" in str(tt_err)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 1], []])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_logsumexp(tf1, axis, keepdims):
    x = np.array([[1.0, 2.0, 3.0], [-np.inf, 0.5, 100.0]], np.float32)
    compare(tf1, lambda tf: tf.reduce_logsumexp(tf.constant(x), axis, keepdims=keepdims))


def test_reduce_logsumexp_old_names_and_gradient(tf1):
    def build(tf):
        c = tf.constant(X)
        y = tf.reduce_logsumexp(c, reduction_indices=[1], keep_dims=True, name="lse")
        return [y, tf.gradients(y, c)[0]]

    compare(tf1, build, names=False)
    compare(tf1, lambda tf: tf.reduce_logsumexp(tf.constant(X), 1, name="lse"))


def test_clip_by_norm_family(tf1):
    def build(tf):
        a, b = tf.constant(POS), tf.constant([1.0, 2.0])
        clipped, norm = tf.clip_by_global_norm([a, None, b], 2.0)
        return [
            tf.clip_by_norm(a, 2.0),
            tf.clip_by_norm(a, 2.0, axes=[1], name="cn"),
            tf.clip_by_norm(a, tf.constant(100.0)),
            tf.clip_by_average_norm(a, 0.5),
            tf.global_norm([a, b]),
            clipped[0],
            clipped[2],
            norm,
            tf.gradients(tf.clip_by_norm(a, 2.0), a)[0],
        ]

    compare(tf1, build)


def test_clip_by_norm_of_integers_is_a_type_error(tf1):
    construction_error(tf1, lambda tf: tf.clip_by_norm(tf.constant([3, 4]), 2))


@pytest.mark.parametrize(
    "sa,sb,kw",
    [
        ((2, 2, 3), (2, 3, 4), {}),
        ((2, 2, 3), (3, 4), {}),
        ((2, 2, 3), (1, 3, 4), {}),
        ((2, 3, 2), (2, 3, 4), {"transpose_a": True}),
        ((2, 2, 3), (2, 4, 3), {"adjoint_b": True}),
        ((3, 2), (2, 3, 4), {"transpose_a": True}),
        ((2, 1, 2, 3), (3, 3, 4), {}),
    ],
)
def test_batched_matmul_and_its_gradient(tf1, sa, sb, kw):
    rng = np.random.default_rng(7)
    a = rng.normal(size=sa).astype(np.float32)
    b = rng.normal(size=sb).astype(np.float32)

    def build(tf):
        ta, tb = tf.constant(a), tf.constant(b)
        y = tf.matmul(ta, tb, **kw)
        return [y, *tf.gradients(y, [ta, tb])]

    compare(tf1, build, names=False)
    compare(tf1, lambda tf: tf.matmul(tf.constant(a), tf.constant(b), **kw))


def test_batched_matmul_with_an_unknown_rank_and_errors(tf1):
    def fed(tf, value):
        p = tf.placeholder(tf.float32)
        return tf.matmul(p, tf.ones([3, 4])), {p: value}

    compare(tf1, lambda tf: fed(tf, np.ones((2, 2, 3), np.float32)))
    compare(tf1, lambda tf: fed(tf, np.ones((2, 3), np.float32)))
    _, tt = compare(tf1, lambda tf: fed(tf, np.ones((2, 2, 2), np.float32)))
    assert "Matrix size-incompatible" in str(tt)
    construction_error(tf1, lambda tf: tf.matmul(tf.ones([2, 2, 3]), tf.ones([3, 3, 4])))
    construction_error(tf1, lambda tf: tf.matmul(tf.ones([2, 2, 3]), tf.ones([3])))


def test_matmul_transpose_and_adjoint_together_is_an_error(tf1):
    _, tt = construction_error(
        tf1,
        lambda tf: tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]), transpose_a=True, adjoint_a=True),
    )
    assert "Only one of `transpose_a` and `adjoint_a` can be True" in str(tt)


def test_matmul_of_uint8_builds_but_fails_when_run(tf1):
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            y = lib.matmul(lib.ones([2, 2], lib.uint8), lib.ones([2, 2], lib.uint8))
            assert y.dtype == lib.uint8
            with lib.Session() as sess, pytest.raises(lib.errors.InvalidArgumentError) as e:
                sess.run(y)
            assert "No OpKernel was registered to support Op 'MatMul'" in str(e.value)


@pytest.mark.parametrize(
    "sa,sb,axes",
    [
        ((2, 3), (3, 2), 1),
        ((2, 3), (3, 2), [[1], [0]]),
        ((2, 3), (3, 2), 0),
        ((2, 3), (2, 3), 2),
        ((2, 3), (3, 2), [[0, 1], [1, 0]]),
        ((2, 3, 4), (4, 5), [[2], [0]]),
        ((2, 3, 4), (3, 2), [[1, 0], [0, 1]]),
    ],
)
def test_tensordot(tf1, sa, sb, axes):
    rng = np.random.default_rng(3)
    a = rng.normal(size=sa).astype(np.float32)
    b = rng.normal(size=sb).astype(np.float32)

    def build(tf):
        ta, tb = tf.constant(a), tf.constant(b)
        y = tf.tensordot(ta, tb, axes)
        return [y, tf.tensordot(ta, tb, axes, name="td")]

    compare(tf1, build)


def test_add_n_of_one_named_tensor_and_accumulate_n(tf1):
    def build(tf):
        a = tf.constant(POS)
        return [
            tf.add_n([a], name="one"),
            tf.accumulate_n([a, a, POS]),
            tf.accumulate_n([a, a], name="acc"),
            tf.accumulate_n([a, a], shape=[2, 3], tensor_dtype=tf.float32),
        ]

    compare(tf1, build)


@pytest.mark.parametrize("dtype", ["int32", "uint8", "int8", "int64", "float16", "float32"])
def test_saturate_cast(tf1, dtype):
    x = np.array([-1e20, 3.7, -3.7, 1e6, 200.0, np.inf], np.float32)

    def build(tf):
        return [
            tf.saturate_cast(tf.constant(x), getattr(tf, dtype)),
            tf.saturate_cast(tf.constant([-(2**40), 2**40, 5], tf.int64), getattr(tf, dtype)),
        ]

    compare(tf1, build)


def test_saturate_cast_named_and_complex_output(tf1):
    compare(
        tf1,
        lambda tf: [
            tf.saturate_cast([1.5, -2.0], tf.int32, name="sc"),
            tf.saturate_cast([1.5, -2.0], tf.complex64),
        ],
    )
    construction_error(tf1, lambda tf: tf.saturate_cast([True], tf.bool))


@pytest.mark.parametrize(
    "src,dst",
    [("float32", "string"), ("int32", "string"), ("bool", "string"), ("string", "float32")],
)
def test_casts_between_strings_and_numbers_are_unimplemented(tf1, src, dst):
    value = {"string": ["1"], "bool": [True]}.get(src, [1])

    def build(tf):
        return tf.cast(tf.constant(value, getattr(tf, src)), getattr(tf, dst))

    _, tt = compare(tf1, build)
    assert isinstance(tt, teachflow.errors.UnimplementedError)
    assert "is not supported" in str(tt)


def test_to_complex(tf1):
    compare(tf1, lambda tf: [tf.to_complex64([1.5, 2.0]), tf.to_complex128([1, 2], name="c")])


def test_sub_and_squared_difference_gradients_reduce_the_negated_gradient(tf1):
    def build(tf):
        x, y = tf.constant([[1.0, 2.0]]), tf.constant([1.0, 5.0])
        return tf.gradients(x - y, [x, y]) + tf.gradients(tf.squared_difference(x, y), [x, y])

    compare(tf1, build)


def test_tf_math_namespace_names_exist_in_tensorflow(tf1):
    import teachflow.math as tt_math

    names = [n for n in dir(tt_math) if not n.startswith("_") and callable(getattr(tt_math, n))]
    assert len(names) > 80
    assert [n for n in names if not hasattr(tf1.math, n)] == []


def test_tf_math_functions_compute_what_tensorflow_does(tf1):
    def build(tf):
        x = tf.constant([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]])
        m = tf.math
        return [
            m.divide_no_nan(x, x - x),
            m.reduce_logsumexp(x, axis=1),
            m.mod(x, 0.75),
            m.log1p(m.abs(x)),
            m.cumsum(x, axis=1, exclusive=True),
            m.top_k(x, 2).values,
            m.l2_normalize(x, axis=1),
        ]

    compare(tf1, build)
