"""Math ops against real TensorFlow: values, dtypes, shapes, op names, errors and gradients.

Every op of the catalogue in ``tests/strategies.py`` runs on both libraries with the same
inputs; ``compare`` checks values, dtypes, static shapes and op names. Gradients compare
values only (``names=False``).

Cases an audit found to differ, compared again after the fixes: the trigonometric and special
functions, atan2/truncatediv/div_no_nan, argmax over NaN, reduce_logsumexp, the clip_by_*
family, batched matmul, tensordot, saturate_cast, casts of strings, and a few errors raised
while building or running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

from ..strategies import BINARY, FLOATS, REDUCTIONS, UNARY, sample
from .conftest import compare, construction_error

pytestmark = pytest.mark.compat

X23 = sample(np.random.default_rng(1), "float32", (2, 3))
W23 = sample(np.random.default_rng(2), "float32", (2, 3))


def _dtypes(allowed: tuple[str, ...]) -> list[str]:
    """float32, float64 and int32 when the op takes them (else its first dtype)."""
    picked: list[str] = [d for d in ("float32", "float64", "int32") if d in allowed]
    return picked or [allowed[0]]


def _tf_message(e: BaseException) -> str:
    """The first line of TensorFlow's own text (without TF2's 'Graph execution error' frame)."""
    text = getattr(e, "message", str(e))
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("Graph execution", "Detected at", "File", "Node:")):
            if not line.startswith(("[[", "Stack trace", "Original stack")):
                return line
    return text


# -- every catalogue op: values, dtypes, shapes, names -----------------------------------------


@pytest.mark.parametrize(
    "case,dtype",
    [(u, d) for u in UNARY for d in _dtypes(u.dtypes)],
    ids=lambda v: getattr(v, "name", v),
)
def test_unary(tf1, case, dtype):
    rng = np.random.default_rng(3)
    x = sample(rng, dtype, (2, 3), case.low, case.high, case.away_from_zero)
    compare(tf1, lambda tf: getattr(tf, case.name)(tf.constant(x)))


@pytest.mark.parametrize(
    "case,dtype",
    [(b, d) for b in BINARY for d in _dtypes(b.dtypes)],
    ids=lambda v: getattr(v, "name", v),
)
def test_binary_with_broadcasting(tf1, case, dtype):
    rng = np.random.default_rng(4)
    x = sample(rng, dtype, (2, 3), *case.x_range)
    y = sample(rng, dtype, (3,), *case.y_range, away_from_zero=case.y_nonzero)

    def build(tf):
        fn = getattr(tf, case.name)
        return [fn(tf.constant(x), tf.constant(y)), fn(tf.constant(y), tf.constant(x))]

    compare(tf1, build)


@pytest.mark.parametrize("case", REDUCTIONS, ids=lambda r: r.name)
def test_reductions_every_axis_form(tf1, case):
    dtype = "bool" if "bool" in case.dtypes else "float32"
    x = sample(np.random.default_rng(5), dtype, (2, 3, 4))

    def build(tf):
        fn = getattr(tf, case.name)
        t = tf.constant(x)
        return [
            fn(t),
            fn(t, 0),
            fn(t, -1),
            fn(t, [0, 2]),
            fn(t, [], keepdims=True),
            fn(t, axis=1, keepdims=True),
            fn(t, keepdims=True),
            fn(t, reduction_indices=[1], keep_dims=True),
            fn(t, tf.constant(2)),
            fn(x.tolist(), 1),
        ]

    compare(tf1, build)


@pytest.mark.parametrize(
    "case", [r for r in REDUCTIONS if "int32" in r.dtypes], ids=lambda r: r.name
)
def test_integer_reductions(tf1, case):
    x = np.array([[-7, 2, 4], [7, 0, -3]], np.int32)
    compare(tf1, lambda tf: [getattr(tf, case.name)(tf.constant(x), a) for a in (None, 0, 1)])


def test_reductions_of_empty_tensors(tf1):
    def build(tf):
        f, i = tf.zeros([0, 3]), tf.zeros([0], tf.int32)
        return [
            tf.reduce_sum(f, 0),
            tf.reduce_prod(f),
            tf.reduce_max(f),
            tf.reduce_min(i),
            tf.reduce_mean(f),
            tf.reduce_mean(i),
            tf.reduce_any(tf.zeros([0], tf.bool)),
            tf.reduce_all(tf.zeros([0], tf.bool)),
        ]

    compare(tf1, build)


def test_reduction_of_unknown_rank_and_unknown_axes(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32)
        a = tf.placeholder(tf.int32)
        return [tf.reduce_mean(p), tf.reduce_sum(p, a, keepdims=True), tf.reduce_max(p, 1)], {
            p: X23,
            a: 1,
        }

    compare(tf1, build)


def test_static_shapes_with_unknown_dims(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32, [None, 3])
        ax = tf.placeholder_with_default(1, [])
        outs = [tf.reduce_sum(p, 1), tf.reduce_mean(p, 0, keepdims=True), tf.argmax(p, 1)]
        outs += [tf.reduce_sum(p, ax), tf.reduce_sum(p, ax, keepdims=True), p + X23[0]]
        return outs, {p: X23}

    compare(tf1, build)


def test_argmax_argmin(tf1):
    x = np.array([[1.0, 9.0, 9.0], [5.0, 2.0, 5.0]], np.float32)

    def build(tf):
        t = tf.constant(x)
        return [
            tf.argmax(t),
            tf.argmax(t, 1),
            tf.argmin(t, -1),
            tf.argmax(t, axis=0, output_type=tf.int32),
            tf.argmax(t, dimension=1),
            tf.argmin(t, tf.constant(0, tf.int64)),
            tf.argmax([3, 1, 4, 1, 5]),
            tf.argmax(tf.constant([True, False, True])),
        ]

    compare(tf1, build)


def test_cumsum_cumprod(tf1):
    x = np.array([[1, 2, 3], [4, 5, 6]], np.float32)

    def build(tf):
        t = tf.constant(x)
        outs = []
        for fn in (tf.cumsum, tf.cumprod):
            outs += [fn(t), fn(t, 1, exclusive=True), fn(t, -1, reverse=True)]
            outs += [fn(t, 0, exclusive=True, reverse=True), fn([[1, 2], [3, 4]], 1)]
        return outs

    compare(tf1, build)


def test_clip_count_nonzero_scalar_mul(tf1):
    def build(tf):
        t = tf.constant(X23)
        i = tf.constant([[0, 3, -1], [0, 0, 2]])
        return [
            tf.clip_by_value(t, -0.5, 0.5),
            tf.clip_by_value(t, tf.constant([0.0, -1.0, 0.2]), 1.0),
            tf.clip_by_value([1, 5, 9], 2, 6),
            tf.count_nonzero(i),
            tf.count_nonzero(i, 1, keepdims=True, dtype=tf.int32),
            tf.count_nonzero(tf.constant([0.0, 1.5])),
            tf.count_nonzero(tf.constant([True, False, True])),
            tf.count_nonzero([0, 1, 2], reduction_indices=0),
            tf.scalar_mul(2, i),
            tf.scalar_mul(tf.constant(0.5), t),
        ]

    compare(tf1, build)


def test_division_family(tf1):
    def build(tf):
        i = tf.constant([-7, 7, 5, -5])
        j = tf.constant([2, -2, 3, 3])
        f = tf.constant([-7.5, 7.5, 5.0, -5.0])
        g = tf.constant([2.0, -2.0, 3.0, 3.0])
        return [
            i / j,  # int32 / int32 -> float64
            i // j,
            i % j,
            f // g,
            f % g,
            tf.div(i, j),
            tf.div(f, g),
            tf.divide(i, j),
            tf.truediv(tf.constant([1, -3], tf.int8), tf.constant([2, 2], tf.int8)),
            tf.truediv(tf.constant([1, 3], tf.uint16), tf.constant([2, 2], tf.uint16)),
            tf.constant(7, tf.int64) / tf.constant(2, tf.int64),
            tf.realdiv(f, g),
            tf.floordiv(i, j),
            tf.floor_div(f, g),
            tf.mod(i, j),
            tf.floormod(f, g),
            1 / g,
            7 // j,
            10 % j,
        ]

    compare(tf1, build)


def test_operators_and_their_names(tf1):
    def build(tf):
        x = tf.constant(X23)
        b = tf.constant([True, False])
        c = tf.constant([False, False])
        arithmetic = [x + 1.0, 1.0 + x, x - 2.0, 2.0 - x, x * 3.0, 3.0 * x, x / 2.0, x**2]
        return arithmetic + [2.0**x, x // 0.5, x % 0.5, -x, abs(x), x < 0.0, b & c, b ^ c, ~b]

    compare(tf1, build)


def test_logical_and_names(tf1):
    def build(tf):
        b = tf.constant([True, False, True])
        c = tf.constant([False, False, True])
        return [tf.logical_xor(b, c), b ^ c, tf.logical_and(b, c), tf.logical_not(c)]

    compare(tf1, build)


def test_matmul_cast_add_n_round(tf1):
    a = sample(np.random.default_rng(6), "float32", (2, 3))
    b = sample(np.random.default_rng(7), "float32", (3, 2))

    def build(tf):
        ta, tb = tf.constant(a), tf.constant(b)
        return [
            tf.matmul(ta, tb),
            tf.matmul(ta, ta, transpose_b=True),
            tf.matmul(tb, tb, transpose_a=True),
            tf.matmul(tb, ta, transpose_a=True, transpose_b=True),
            tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]])),
            tf.cast(ta, tf.int32),
            tf.cast(tf.constant([True, False]), tf.float32),
            tf.cast(tf.constant([0.5, 0.0]), tf.bool),
            tf.cast(tf.constant([1, 2]), tf.float64),
            tf.add_n([ta, ta, ta]),
            tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5])),
            tf.round(tf.constant([1, 2])),
            tf.constant("ab") + tf.constant("cd"),
            tf.add(tf.constant(["a", "b"]), "c"),
            tf.sign(tf.constant([-2, 0, 3])),
            tf.abs(tf.constant([-2, 0, 3])),
        ]

    compare(tf1, build)


# -- errors --------------------------------------------------------------------------------


CONSTRUCTION_ERRORS: dict[str, Callable[[Any], Any]] = {
    "elementwise shapes": lambda tf: tf.add(tf.constant([1, 2]), tf.constant([1, 2, 3])),
    "operator shapes": lambda tf: tf.constant([1.0, 2.0]) * tf.constant([1.0, 2.0, 3.0]),
    "matmul inner dims": lambda tf: tf.matmul(tf.zeros([1, 2]), tf.zeros([1, 2])),
    "matmul rank": lambda tf: tf.matmul(tf.zeros([2]), tf.zeros([1, 2])),
    "dtype mixing": lambda tf: tf.add(tf.constant(1), tf.constant(1.5)),
    "int plus float": lambda tf: tf.constant(1) + 1.5,
    "compare mixing": lambda tf: tf.equal(tf.constant(1), tf.constant(1.0)),
    "reduction axis": lambda tf: tf.reduce_sum(tf.zeros([2, 3]), 2),
    "reduction float axis": lambda tf: tf.reduce_sum(tf.zeros([2, 3]), tf.constant(1.0)),
    "argmax axis": lambda tf: tf.argmax(tf.zeros([2, 3]), 2),
    "reduce_any of floats": lambda tf: tf.reduce_any(tf.zeros([2])),
    "reduce_sum of bools": lambda tf: tf.reduce_sum(tf.constant([True])),
    "reduce_mean of strings": lambda tf: tf.reduce_mean(tf.constant(["a"])),
    "sqrt of ints": lambda tf: tf.sqrt(tf.constant(4)),
    "floor of ints": lambda tf: tf.floor(tf.constant(4)),
    "negative of bools": lambda tf: tf.negative(tf.constant(True)),
    "abs of uint8": lambda tf: tf.abs(tf.constant(3, tf.uint8)),
    "maximum of bools": lambda tf: tf.maximum(True, False),
    "less of bools": lambda tf: tf.constant(True) < tf.constant(False),
    "subtract strings": lambda tf: tf.constant("a") - tf.constant("b"),
    "truediv of bools": lambda tf: tf.constant(True) / tf.constant(True),
    "matmul of bools": lambda tf: tf.matmul(tf.constant([[True]]), tf.constant([[True]])),
    "axis and reduction_indices": lambda tf: tf.reduce_sum(
        tf.zeros([2]), axis=0, reduction_indices=0
    ),
    "keepdims and keep_dims": lambda tf: tf.reduce_sum(tf.zeros([2]), keepdims=1, keep_dims=1),
    "axis and dimension": lambda tf: tf.argmax(tf.zeros([2]), axis=0, dimension=0),
    "scalar_mul by a vector": lambda tf: tf.scalar_mul(tf.constant([1.0, 2.0]), tf.zeros([2])),
    "clip bounds of another shape": lambda tf: tf.clip_by_value(
        tf.zeros([2, 3]), tf.zeros([2]), 1.0
    ),
    "clip int by floats": lambda tf: tf.clip_by_value(tf.constant([1, 5]), 2.0, 3.0),
}


@pytest.mark.parametrize("build", CONSTRUCTION_ERRORS.values(), ids=CONSTRUCTION_ERRORS.keys())
def test_construction_errors(tf1, build):
    construction_error(tf1, build)


@pytest.mark.parametrize(
    "build",
    [
        lambda tf: tf.reduce_sum(tf.zeros([2, 3]), 2),
        lambda tf: tf.argmax(tf.zeros([2, 3]), 2),
        lambda tf: tf.add(tf.constant([1, 2]), tf.constant([1, 2, 3])),
        lambda tf: tf.reduce_any(tf.zeros([2])),
    ],
    ids=["reduction axis", "argmax axis", "elementwise shapes", "bool input"],
)
def test_construction_error_texts(tf1, build):
    tf_err, tt_err = construction_error(tf1, build)
    # TensorFlow 2 names the node differently after " for "; the message before it is the same
    first = [str(e).splitlines()[0].split(" for ")[0] for e in (tf_err, tt_err)]
    assert first[1] == first[0]


def _fed(tf, fn, a, b):
    """fn(a, b) on placeholders, so that no constant folding runs before the op."""
    pa, pb = tf.placeholder(tf.float32), tf.placeholder(tf.float32)
    return fn(pa, pb), {pa: a, pb: b}


RUN_TIME_ERRORS: dict[str, Callable[[Any], Any]] = {
    "integer division by zero": lambda tf: tf.constant([1, 2]) // tf.constant([1, 0]),
    "integer modulo by zero": lambda tf: tf.constant(1) % tf.constant(0),
    "duplicate axes": lambda tf: tf.reduce_sum(tf.zeros([2, 3]), [1, -1]),
    "argmax of empty": lambda tf: tf.argmax(tf.zeros([0])),
    "argmax of a scalar": lambda tf: tf.argmax(tf.constant(1.0)),
    "cumsum axis": lambda tf: tf.cumsum(tf.zeros([2, 3]), 2),
    "reduction axis at run time": lambda tf: tf.reduce_sum(
        tf.placeholder_with_default(tf.zeros([2, 3]), None), 2
    ),
    "argmax axis at run time": lambda tf: tf.argmax(
        tf.placeholder_with_default(tf.zeros([2, 3]), None), 3
    ),
    "shapes at run time": lambda tf: _fed(tf, tf.add, np.zeros((2, 3)), np.zeros(2)),
    "matmul at run time": lambda tf: tf.matmul(
        tf.placeholder_with_default(tf.zeros([2, 3]), [None, None]), tf.zeros([2, 3])
    ),
}


@pytest.mark.parametrize("build", RUN_TIME_ERRORS.values(), ids=RUN_TIME_ERRORS.keys())
def test_run_time_errors(tf1, build):
    tf_err, tt_err = compare(tf1, build)
    assert isinstance(tt_err, Exception), f"teachflow gave {tt_err!r}, TensorFlow raised"
    assert tt_err.message.startswith(_tf_message(tf_err)), (tt_err.message, _tf_message(tf_err))


# -- gradients against TensorFlow's ---------------------------------------------------------


def _grads(tf, y, xs, w):
    """d sum(w * y) / d xs, with a weight so that each element's gradient differs."""
    return tf.gradients(tf.reduce_sum(y * tf.constant(w)), xs)


@pytest.mark.parametrize("case", [u for u in UNARY if u.grad], ids=lambda u: u.name)
def test_unary_gradients(tf1, case):
    x = sample(
        np.random.default_rng(8), "float64", (2, 3), case.low, case.high, case.away_from_zero
    )

    def build(tf):
        t = tf.constant(x)
        return _grads(tf, getattr(tf, case.name)(t), [t], W23.astype(np.float64))

    compare(tf1, build, names=False)


@pytest.mark.parametrize(
    "case",
    [u for u in UNARY if not u.grad and u.out is None and u.dtypes == FLOATS],
    ids=lambda u: u.name,
)
def test_no_gradient(tf1, case):
    def build(tf):
        t = tf.constant(X23)
        (g,) = tf.gradients(getattr(tf, case.name)(t), [t])
        assert g is None
        return t

    compare(tf1, build)


@pytest.mark.parametrize("name", ["is_nan", "is_inf", "is_finite"])
def test_no_gradient_registered(tf1, name):
    def build(tf):
        t = tf.constant(X23)
        with pytest.raises(LookupError, match="(?i)no gradient defined"):
            tf.gradients(getattr(tf, name)(t), [t])
        return t

    compare(tf1, build)


@pytest.mark.parametrize(
    "shapes", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))], ids=str
)
@pytest.mark.parametrize("case", [b for b in BINARY if b.grad], ids=lambda b: b.name)
def test_binary_gradients_with_broadcasting(tf1, case, shapes):
    rng = np.random.default_rng(9)
    x = sample(rng, "float64", shapes[0], *case.x_range)
    y = sample(rng, "float64", shapes[1], *case.y_range, away_from_zero=case.y_nonzero)
    w = sample(rng, "float64", np.broadcast_shapes(*shapes))

    def build(tf):
        tx, ty = tf.constant(x), tf.constant(y)
        return _grads(tf, getattr(tf, case.name)(tx, ty), [tx, ty], w)

    compare(tf1, build, names=False)


def test_binary_gradients_with_shapes_known_at_run_time(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32, [None, 3])
        q = tf.placeholder(tf.float32)
        z = (p * q - q) / (q + 2.0)
        return tf.gradients(tf.reduce_sum(z * z), [p, q]), {p: X23, q: W23[0]}

    compare(tf1, build, names=False)


def test_maximum_minimum_gradients_on_ties(tf1):
    def build(tf):
        x = tf.constant([1.0, 2.0, 3.0])
        y = tf.constant([1.0, 0.0, 3.0])
        return tf.gradients(tf.maximum(x, y) + 2.0 * tf.minimum(x, y), [x, y])

    compare(tf1, build, names=False)


@pytest.mark.parametrize("case", [r for r in REDUCTIONS if r.grad], ids=lambda r: r.name)
def test_reduction_gradients(tf1, case):
    # ties for max/min and a zero for prod: the cases where a shortcut would go wrong
    x = np.array([[[1, 3, 3], [0, 2, -1]], [[4, 4, 1], [2, 0, 0]]], np.float64)

    def build(tf):
        t = tf.constant(x)
        fn = getattr(tf, case.name)
        outs = [fn(t), fn(t, 0), fn(t, -1, keepdims=True), fn(t, [0, 2]), fn(t, [1, 2])]
        return [tf.gradients(tf.reduce_sum(o * o), t)[0] for o in outs]

    compare(tf1, build, names=False)


def test_reduction_gradients_with_unknown_shapes(tf1):
    def build(tf):
        p = tf.placeholder(tf.float32, [None, 3])
        u = tf.placeholder(tf.float32)
        losses = [tf.reduce_mean(p), tf.reduce_sum(p, 0), tf.reduce_max(p, 1), tf.reduce_mean(u)]
        grads = [tf.gradients(tf.reduce_sum(v), x)[0] for v, x in zip(losses, [p, p, p, u])]
        return grads, {p: X23, u: W23}

    compare(tf1, build, names=False)


def test_scan_clip_matmul_cast_gradients(tf1):
    a = sample(np.random.default_rng(10), "float64", (2, 3), 0.5, 2.0)

    def build(tf):
        t = tf.constant(a)
        u = tf.constant(a.T.copy())
        ys = [
            tf.cumsum(t, 1),
            tf.cumsum(t, 0, exclusive=True, reverse=True),
            tf.cumprod(t, 1),
            tf.cumprod(t, 1, exclusive=True, reverse=True),
            tf.clip_by_value(t, 0.8, 1.5),
            tf.cast(tf.cast(t, tf.float32), tf.float64),
            tf.squared_difference(t, 1.0),
        ]
        grads = [tf.gradients(tf.reduce_sum(y * y), t)[0] for y in ys]
        for ta in (False, True):
            for tb in (False, True):
                m = tf.matmul(u if ta else t, t if tb else u, transpose_a=ta, transpose_b=tb)
                grads += tf.gradients(tf.reduce_sum(m * m), [t, u])
        return grads

    compare(tf1, build, names=False)


def test_second_order_gradients(tf1):
    def build(tf):
        x = tf.constant(X23.astype(np.float64))
        y = tf.constant(W23[0].astype(np.float64))
        out = []
        for f in (
            lambda: tf.tanh(x) * y,
            lambda: tf.reduce_mean(x * x, 1),
            lambda: tf.sigmoid(x) / (y * y + 1.0),
            lambda: tf.reduce_prod(x, 0) + tf.reduce_max(x * y),
        ):
            (g,) = tf.gradients(tf.reduce_sum(f()), x)
            out += tf.gradients(tf.reduce_sum(g * g), [x, y])
        return [o for o in out if o is not None]

    compare(tf1, build, names=False)


GRADIENT_PROGRAMS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "mul": lambda tf, x, y: x * y,
    "truediv": lambda tf, x, y: x / y,
    "sub and add": lambda tf, x, y: (x - y) + y,
    "reduce_mean": lambda tf, x, y: tf.reduce_mean(x * y),
    "reduce_sum axis": lambda tf, x, y: tf.reduce_sum(x, 1) * tf.reduce_max(y),
    "matmul": lambda tf, x, y: tf.matmul(x, tf.reshape(y, [3, 1])),
    "unary chain": lambda tf, x, y: tf.tanh(tf.square(x)) + tf.exp(tf.sqrt(y)),
    "pow": lambda tf, x, y: x**2.0 + tf.pow(y, x),
    "abs and neg": lambda tf, x, y: -tf.abs(x) * tf.sigmoid(y),
}


@pytest.mark.parametrize("f", GRADIENT_PROGRAMS.values(), ids=GRADIENT_PROGRAMS.keys())
def test_gradient_op_names(tf1, f):
    """The gradient ops are the ones TensorFlow builds, with the same names."""

    def build(tf):
        x = tf.constant(X23 + 3.0)
        y = tf.constant(W23[0] + 3.0)
        return tf.gradients(f(tf, x, y), [x, y])

    compare(tf1, build)


def test_second_order_gradients_with_unknown_shapes(tf1):
    def build(tf):
        p = tf.placeholder(tf.float64, [None, 3])
        q = tf.placeholder(tf.float64)
        f = tf.reduce_mean(tf.square(p * q)) + tf.reduce_max(p, 1)[0] + tf.reduce_sum(tf.tanh(p), 0)
        (g,) = tf.gradients(f, p)
        return tf.gradients(tf.reduce_sum(g * g), [p, q]), {p: X23, q: W23[0]}

    compare(tf1, build, names=False)


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


A = np.array([5, 3, -2, 0, 127], np.int32)
B = np.array([3, 6, 7, -1, 1], np.int32)


# -- & | ^ ~ on integers, tf.bitwise ------------------------------------------------------------


def test_operators_on_integers_are_bitwise(tf1):
    def build(tf):
        a, b = tf.constant(A), tf.constant(B)
        return [a & b, a | b, a ^ b, ~a, 3 & a, a | 3, 12 ^ a, a & b]

    compare(tf1, build)


def test_operators_on_booleans_stay_logical(tf1):
    def build(tf):
        p, q = tf.constant([True, False, True]), tf.constant([True, True, False])
        return [p & q, p | q, p ^ q, ~p, p & True, False | q]

    compare(tf1, build)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "uint16"])
def test_bitwise_namespace(tf1, dtype):
    x = np.array([1, 2, 100, 7], dtype)
    y = np.array([3, 1, 2, 5], dtype)

    def build(tf):
        a, b = tf.constant(x), tf.constant(y)
        bw = tf.bitwise
        out = [bw.bitwise_and(a, b), bw.bitwise_or(a, b), bw.bitwise_xor(a, b), bw.invert(a)]
        out += [bw.left_shift(a, b), bw.right_shift(a, b), bw.invert(a, name="inv")]
        return out + [bw.bitwise_and(a, 6, name="masked"), ~a, a ^ b]

    compare(tf1, build)


def test_shift_counts_are_clamped(tf1):
    def build(tf):
        a = tf.constant([5, 3, -2, -8, 8, -1])
        s = tf.constant([33, -1, 40, 1, 70, -3])
        u = tf.constant([200, 3], tf.uint8)
        us = tf.constant([1, 9], tf.uint8)
        return [
            tf.bitwise.left_shift(a, s),
            tf.bitwise.right_shift(a, s),
            tf.bitwise.left_shift(u, us),
            tf.bitwise.right_shift(u, us),
        ]

    compare(tf1, build)


@pytest.mark.parametrize(
    "build",
    [
        lambda tf: tf.constant([1.0]) & tf.constant([2.0]),
        lambda tf: tf.bitwise.bitwise_or(1.0, 2.0),
        lambda tf: ~tf.constant(1.5),
        lambda tf: tf.bitwise.invert(True),
        lambda tf: tf.constant([1]) & tf.constant([True]),
        lambda tf: tf.constant([True]) | tf.constant([1]),
        lambda tf: tf.constant(1) ^ tf.constant(2.0),
        lambda tf: tf.constant(1) & 2.5,
        lambda tf: tf.bitwise.left_shift(tf.constant(1), tf.constant(1, tf.int64)),
    ],
)
def test_bitwise_errors_while_building(tf1, build):
    construction_error(tf1, build)


def test_bitwise_ops_have_no_gradient(tf1):
    def build(tf):
        a = tf.constant(A)
        return [str(g) for g in tf.gradients(tf.bitwise.left_shift(a, 1) & a, a)]

    tf_res, tt_res = [], []
    for lib, out in ((tf1, tf_res), (teachflow, tt_res)):
        with lib.Graph().as_default():
            out.extend(build(lib))
    assert tt_res == tf_res == ["None"]
