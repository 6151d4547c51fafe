"""The catalogue of math ops under test, and Hypothesis strategies for their inputs.

Every math test draws from here: ``UNARY``, ``BINARY`` and ``REDUCTIONS`` name each op's
public function, its numpy reference, the dtypes it takes and the inputs where it is smooth;
``shapes``, ``broadcastable_shapes``, ``incompatible_shapes`` and ``arrays`` make inputs.
Other test files may import the strategies too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOATS = ("float16", "float32", "float64")
SIGNED = ("int8", "int16", "int32", "int64")
UNSIGNED = ("uint8", "uint16", "uint32", "uint64")
REAL = FLOATS + SIGNED + UNSIGNED


@dataclass(frozen=True)
class Unary:
    """``tf.<name>(x)`` and its numpy reference."""

    name: str
    ref: Callable[[np.ndarray], Any]
    dtypes: tuple[str, ...]
    low: float = -3.0  # inputs are drawn from [low, high] ...
    high: float = 3.0
    away_from_zero: bool = False  # ... and kept at |x| >= 0.25 (kinks and poles at 0)
    grad: bool = True  # has a gradient worth checking against finite differences
    out: str | None = None  # result dtype when it is not the input's


@dataclass(frozen=True)
class Binary:
    """``tf.<name>(x, y)`` and its numpy reference."""

    name: str
    ref: Callable[[np.ndarray, np.ndarray], Any]
    dtypes: tuple[str, ...]
    x_range: tuple[float, float] = (-3.0, 3.0)
    y_range: tuple[float, float] = (-3.0, 3.0)
    y_nonzero: bool = False
    grad: bool = True
    out: str | None = None
    ties: bool = True  # equal x and y are fine (not for max/min gradients)


@dataclass(frozen=True)
class Reduction:
    """``tf.<name>(x, axis, keepdims)`` and its numpy reference ``ref(x, axis, keepdims)``."""

    name: str
    ref: Callable[..., Any]
    dtypes: tuple[str, ...]
    grad: bool = True


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def int_mean(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """TensorFlow's mean: integers sum exactly, then divide truncating toward zero."""
    if x.dtype.kind not in "iu":
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=np.float64).astype(x.dtype)
    s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
    n = x.size // max(s.size, 1)
    return np.trunc(s / n).astype(x.dtype)


UNARY = [
    Unary("negative", np.negative, FLOATS + SIGNED),
    Unary("abs", np.abs, FLOATS + SIGNED, away_from_zero=True),
    Unary("square", np.square, FLOATS + SIGNED + UNSIGNED),
    Unary("sqrt", np.sqrt, FLOATS, low=0.25),
    Unary("rsqrt", lambda x: 1 / np.sqrt(x), FLOATS, low=0.25),
    Unary("exp", np.exp, FLOATS),
    Unary("log", np.log, FLOATS, low=0.25),
    Unary("log1p", np.log1p, FLOATS, low=-0.75),
    Unary("sin", np.sin, FLOATS),
    Unary("cos", np.cos, FLOATS),
    Unary("tan", np.tan, FLOATS, low=-1.2, high=1.2),
    Unary("tanh", np.tanh, FLOATS),
    Unary("sigmoid", _sigmoid, FLOATS),
    Unary("log_sigmoid", lambda x: -np.logaddexp(0, -x), FLOATS, low=-20.0, high=20.0),
    Unary("reciprocal", np.reciprocal, FLOATS, away_from_zero=True),
    Unary("sign", np.sign, FLOATS + SIGNED, away_from_zero=True),
    Unary("floor", np.floor, FLOATS, grad=False),
    Unary("ceil", np.ceil, FLOATS, grad=False),
    Unary("round", np.round, FLOATS, grad=False),
    Unary("is_nan", np.isnan, FLOATS, grad=False, out="bool"),
    Unary("is_inf", np.isinf, FLOATS, grad=False, out="bool"),
    Unary("is_finite", np.isfinite, FLOATS, grad=False, out="bool"),
    Unary("logical_not", np.logical_not, ("bool",), grad=False),
]

BINARY = [
    Binary("add", np.add, REAL),
    Binary("subtract", np.subtract, REAL),
    Binary("multiply", np.multiply, REAL),
    Binary("realdiv", np.true_divide, FLOATS, y_nonzero=True),
    Binary("floordiv", np.floor_divide, FLOATS + SIGNED, y_nonzero=True, grad=False),
    Binary("floormod", np.mod, FLOATS + SIGNED, y_nonzero=True),
    Binary("pow", np.power, FLOATS, x_range=(0.25, 3.0), y_range=(-2.0, 2.0)),
    Binary("maximum", np.maximum, REAL, ties=False),
    Binary("minimum", np.minimum, REAL, ties=False),
    Binary("squared_difference", lambda x, y: np.square(x - y), FLOATS + ("int32", "int64")),
    Binary("equal", np.equal, REAL, grad=False, out="bool"),
    Binary("not_equal", np.not_equal, REAL, grad=False, out="bool"),
    Binary("less", np.less, REAL, grad=False, out="bool"),
    Binary("less_equal", np.less_equal, REAL, grad=False, out="bool"),
    Binary("greater", np.greater, REAL, grad=False, out="bool"),
    Binary("greater_equal", np.greater_equal, REAL, grad=False, out="bool"),
    Binary("logical_and", np.logical_and, ("bool",), grad=False),
    Binary("logical_or", np.logical_or, ("bool",), grad=False),
    Binary("logical_xor", np.logical_xor, ("bool",), grad=False),
]

REDUCTIONS = [
    Reduction("reduce_sum", lambda x, a, k: np.sum(x, axis=a, keepdims=k, dtype=x.dtype), REAL),
    Reduction("reduce_mean", lambda x, a, k: int_mean(x, a, k), FLOATS + SIGNED),
    Reduction("reduce_max", lambda x, a, k: np.max(x, axis=a, keepdims=k), REAL),
    Reduction("reduce_min", lambda x, a, k: np.min(x, axis=a, keepdims=k), REAL),
    Reduction("reduce_prod", lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=x.dtype), REAL),
    Reduction("reduce_any", lambda x, a, k: np.any(x, axis=a, keepdims=k), ("bool",), False),
    Reduction("reduce_all", lambda x, a, k: np.all(x, axis=a, keepdims=k), ("bool",), False),
]

DIFFERENTIABLE_UNARY = [u for u in UNARY if u.grad]
DIFFERENTIABLE_BINARY = [b for b in BINARY if b.grad]
DIFFERENTIABLE_REDUCTIONS = [r for r in REDUCTIONS if r.grad]


def sample(
    rng: np.random.Generator,
    dtype: str,
    shape: tuple[int, ...],
    low: float = -3.0,
    high: float = 3.0,
    away_from_zero: bool = False,
) -> np.ndarray:
    """Deterministic example inputs (for the non-Hypothesis tests)."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    kind = np.dtype(dtype).kind
    if kind in "iu":
        lo = 0 if kind == "u" else int(np.floor(low))
        ints = rng.integers(lo, int(np.ceil(high)) + 1, size=shape)
        if away_from_zero:
            ints = np.where(ints == 0, 1, ints)
        return ints.astype(dtype)
    vals = rng.uniform(low, high, size=shape)
    if away_from_zero:
        vals = np.where(np.abs(vals) < 0.25, np.copysign(0.25, vals) + vals, vals)
    return vals.astype(dtype)


# -- Hypothesis strategies ----------------------------------------------------------------------


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy[Any]:
    """Array shapes, e.g. (), (3,), (2, 1, 4)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


@st.composite
def broadcastable_shapes(draw: Any, max_dims: int = 3) -> tuple[tuple[int, ...], ...]:
    """Two shapes numpy (and TensorFlow) broadcast together, like (2, 1, 3) and (4, 1)."""
    drawn = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=max_dims, max_side=4))
    x, y = drawn.input_shapes
    return x, y


@st.composite
def incompatible_shapes(draw: Any, max_dims: int = 3) -> tuple[tuple[int, ...], ...]:
    """Two shapes that do not broadcast: some aligned dims differ and neither is 1."""
    x = list(draw(shapes(min_dims=1, max_dims=max_dims)))
    y = list(draw(hnp.broadcastable_shapes(tuple(x), min_dims=1, max_dims=max_dims)))
    # an axis both have (counting from the end) gets two different sizes, neither 1
    i = draw(st.integers(1, min(len(x), len(y))))
    x[-i] = draw(st.integers(2, 5))
    y[-i] = draw(st.integers(2, 5).filter(lambda n: n != x[-i]))
    return tuple(x), tuple(y)


def elements(
    dtype: str, low: float = -3.0, high: float = 3.0, nonzero: bool = False
) -> st.SearchStrategy[Any]:
    """Scalars of ``dtype`` in [low, high] (bools: True/False)."""
    if dtype == "bool":
        return st.booleans()
    kind = np.dtype(dtype).kind
    if kind in "iu":
        # integers get a range 4x wider than floats (so [-12, 12] for the default), in range
        info = np.iinfo(dtype)
        lo, hi = max(int(np.floor(low)) * 4, int(info.min)), min(int(np.ceil(high)) * 4, info.max)
        ints = st.integers(lo, hi)
        return ints.filter(lambda v: v != 0) if nonzero else ints
    width: Literal[16, 32, 64] = 16 if dtype == "float16" else 32 if dtype == "float32" else 64
    floats = st.floats(low, high, width=width, allow_nan=False, allow_infinity=False)
    return floats.filter(lambda v: abs(v) > 1e-2) if nonzero else floats


def arrays(
    dtype: str, shape: tuple[int, ...], low: float = -3.0, high: float = 3.0, nonzero: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """numpy arrays of ``dtype`` and ``shape`` with elements from :func:`elements`."""
    return hnp.arrays(np.dtype(dtype), shape, elements=elements(dtype, low, high, nonzero))
