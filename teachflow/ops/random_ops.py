"""Random ops (normal, truncated normal, uniform, shuffle) and TensorFlow's seed rules.

Seeds work as in TensorFlow 1.x. Each random op gets two seeds ``(seed, seed2)`` (its attrs)
from the graph-level seed (``tf.set_random_seed``) and its own ``seed=`` argument:

- graph seed and op seed: ``(graph seed, op seed)``;
- graph seed only: ``(graph seed, n)``, n = 0, 1, 2... counting such ops in the graph (what
  ``tf.compat.v1`` does; TensorFlow 1.x used the graph's op count, so adding any op shifted
  the numbers);
- op seed only: ``(87654321, op seed)``;
- neither: ``(0, 0)``, meaning "different numbers in every session".

In a session each seeded op draws a deterministic *sequence*: every ``run`` gives the next
values, and a new session starts the sequence over. The numbers are TensorFlow's own: the
kernels draw from TensorFlow's generator (Philox4x32-10, :mod:`teachflow.ops.philox`) and shape
its bits into uniform, normal, truncated normal... values as TensorFlow's CPU kernels do, so a
seeded program prints what the same program prints with TensorFlow.

>>> import teachflow as tf
>>> tf.set_random_seed(1)
>>> r = tf.random_uniform([3])
>>> sess = tf.Session()
>>> print(sess.run(r))
[0.81269646 0.07857466 0.8916855 ]
>>> print(sess.run(r))  # the stream goes on
[0.8928561  0.02359712 0.48994434]
>>> print(tf.Session().run(r))  # and starts over in a new session
[0.81269646 0.07857466 0.8916855 ]
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Graph, Operation, Tensor, get_default_graph
from teachflow.ops import array_ops, broadcast_ops, math_ops, philox, registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.op_args import int_arg
from teachflow.tensor_shape import TensorShape, bracket

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
# per-graph count of random ops seeded from the graph seed alone (TensorFlow keeps the same)
_op_seed_counters: weakref.WeakKeyDictionary[Graph, int] = weakref.WeakKeyDictionary()


def set_random_seed(seed: int | None) -> None:
    """Sets the graph-level seed of the default graph: random ops made after it repeat.

    >>> import teachflow as tf
    >>> tf.set_random_seed(42)
    >>> tf.get_default_graph().seed
    42
    """
    get_default_graph().seed = None if seed is None else int_arg(seed, "seed")


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """The ``(seed, seed2)`` pair a random op gets from the graph seed and ``op_seed``.

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     tf.random.get_seed(5)
    (87654321, 5)
    """
    g = get_default_graph()
    if op_seed is not None:
        op_seed = int_arg(op_seed, "seed")
    if g.seed is not None:
        if op_seed is None:
            op_seed = _op_seed_counters.get(g, 0)
            _op_seed_counters[g] = op_seed + 1
        seeds: tuple[int | None, int | None] = (g.seed % _MAXINT32, op_seed % _MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, op_seed % _MAXINT32)
    else:
        seeds = (None, None)
    # (0, 0) means "unseeded" to the kernels, so a real (0, 0) is moved away from it
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _seed_attrs(seed: int | None) -> dict[str, int]:
    s1, s2 = get_seed(seed)
    return {"seed": s1 or 0, "seed2": s2 or 0}


def _stream(ctx: registry.KernelContext) -> philox.Stream:
    """This op's Philox stream in this session: keyed by (seed, seed2), made on first use."""
    rngs = ctx.state.rngs
    stream = rngs.get(ctx.op.name)
    if stream is None:
        stream = rngs[ctx.op.name] = philox.Stream(ctx.attrs["seed"], ctx.attrs["seed2"])
    return stream


# -- shape rules -----------------------------------------------------------------------------


def _static_shape(t: Tensor) -> TensorShape:
    """What the shape tensor ``t`` says when it is known while building."""
    known = registry.constant_value(t)
    if known is not None:
        dims = [int(d) for d in np.asarray(known).reshape(-1)]
        for d in dims:
            if d < -1:  # -1 means "unknown" in a shape tensor, as in TensorFlow
                raise ValueError(
                    f"Invalid value in tensor used for shape: {d}\n  Hint: every dimension of a "
                    "shape is a count of elements (>= 0)."
                )
        return TensorShape([None if d < 0 else d for d in dims])
    rank = t.shape[0].value if t.shape.ndims == 1 else None
    return TensorShape(None if rank is None else [None] * rank)


def _check_shape_input(op: Operation) -> None:
    dt = op.inputs[0].dtype.base_dtype
    if dt not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Value passed to parameter 'shape' has DataType {dt.name} not in list of allowed "
            "values: int32, int64\n  Hint: give the shape as a list of Python ints."
        )
    if op.inputs[0].shape.ndims not in (None, 1):
        raise registry.shape_error(
            op, f"Shape must be rank 1 but is rank {op.inputs[0].shape.ndims}"
        )


def _float_random_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_shape_input(op)
    dt = op.attrs["dtype"]
    if not dt.is_floating:
        raise TypeError(
            f"Value passed to parameter 'dtype' has DataType {dt.name} not in list of allowed "
            "values: float16, bfloat16, float32, float64"
        )
    return [(dt, _static_shape(op.inputs[0]))]


def _uniform_int_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_shape_input(op)
    for i, what in ((1, "minval"), (2, "maxval")):
        if op.inputs[i].shape.ndims not in (None, 0):
            raise registry.shape_error(
                op, f"{what} must be a scalar; got a tensor of shape {bracket(op.inputs[i].shape)}"
            )
    return [(op.attrs["Tout"], _static_shape(op.inputs[0]))]


def _dims(shape: np.ndarray, dt: dtypes.DType) -> tuple[int, ...]:
    """The shape fed at run time, checked: no negative sizes, no tensor too large."""
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    for d in dims:
        if d < 0:
            raise ValueError(f"Dimension {d} must be >= 0")
    registry.check_alloc(dims, dt)
    return dims


def _draw(ctx: registry.KernelContext, shape: np.ndarray, draw: Any) -> np.ndarray:
    """``draw(stream, n, numpy dtype)`` shaped as the fed ``shape``, in the op's dtype."""
    dt = ctx.attrs["dtype"]
    dims = _dims(shape, dt)
    return draw(_stream(ctx), int(np.prod(dims)), dt.np).astype(dt.np, copy=False).reshape(dims)


# -- kernels -------------------------------------------------------------------------------------


@registry.define(
    "RandomStandardNormal",
    infer=_float_random_infer,
    ctx=True,
    stateful=True,
    grad=not_differentiable,
)
def _standard_normal_kernel(ctx: registry.KernelContext, shape: np.ndarray) -> np.ndarray:
    """f(shape) = samples of N(0, 1) (Box-Muller on Philox's uniforms)"""
    return _draw(ctx, shape, philox.normal)


@registry.define(
    "TruncatedNormal", infer=_float_random_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _truncated_normal_kernel(ctx: registry.KernelContext, shape: np.ndarray) -> np.ndarray:
    """f(shape) = samples of N(0, 1), those beyond 2 standard deviations skipped"""
    return _draw(ctx, shape, philox.truncated_normal)


@registry.define(
    "RandomUniform", infer=_float_random_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _uniform_kernel(ctx: registry.KernelContext, shape: np.ndarray) -> np.ndarray:
    """f(shape) = samples of U[0, 1)"""
    return _draw(ctx, shape, philox.uniform)


@registry.define(
    "RandomUniformInt", infer=_uniform_int_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _uniform_int_kernel(
    ctx: registry.KernelContext, shape: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """f(shape, lo, hi) = integers drawn uniformly from [lo, hi)"""
    if np.ndim(lo) or np.ndim(hi):
        raise ValueError(f"minval must be 0-D, got shape {list(np.shape(lo))}")
    if lo >= hi:
        raise ValueError(f"Need minval < maxval, got {lo} >= {hi}")
    dt = ctx.attrs["Tout"]
    dims = _dims(shape, dt)
    values = philox.uniform_int(_stream(ctx), int(np.prod(dims)), int(lo), int(hi), dt.np)
    return values.reshape(dims)


@registry.define(
    "RandomShuffle",
    infer=registry.same_as_input(0),
    ctx=True,
    stateful=True,
    grad=not_differentiable,
)
def _shuffle_kernel(ctx: registry.KernelContext, value: np.ndarray) -> np.ndarray:
    """f(x) = x with its first dimension randomly permuted"""
    if np.ndim(value) == 0 or np.size(value) <= 1 or len(value) <= 1:
        return np.array(value, copy=True)
    return value[philox.permutation(_stream(ctx), len(value))]


# -- public API ----------------------------------------------------------------------------------


def _shape_tensor(shape: Any) -> Tensor:
    """``shape`` as a 1-D int tensor named ``shape`` (lists and TensorShapes become constants)."""
    if isinstance(shape, Tensor) or hasattr(shape, "_as_tensor"):
        return convert_to_tensor(shape)
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot draw random values of a partially known shape {shape}.")
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and not shape:
        return convert_to_tensor(shape, dtype=dtypes.int32, name="shape")
    return convert_to_tensor(shape, name="shape")


def _float_dtype(dtype: Any) -> dtypes.DType:
    return dtypes.as_dtype(dtype).base_dtype


def _scaled(
    type: str, shape: Any, mean: Any, stddev: Any, dtype: Any, seed: Any, name: str
) -> Tensor:
    """mean + stddev * type(shape): the graph TensorFlow builds for normal distributions."""
    dt = _float_dtype(dtype)
    g = registry.graph_for([shape, mean, stddev])
    with g.as_default(), g.name_scope(name) as scope:
        shape_t = _shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dt, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dt, name="stddev")
        attrs = {**_seed_attrs(seed), "dtype": dt, "T": shape_t.dtype.base_dtype}
        rnd = registry.make1(type, [shape_t], attrs, type)
        return math_ops.add(rnd * std_t, mean_t, name=scope)


def random_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples of the normal distribution N(mean, stddev^2), new ones at every run.

    >>> import teachflow as tf
    >>> print(tf.random_normal([2, 3], seed=1))
    Tensor("random_normal:0", shape=(2, 3), dtype=float32)
    """
    return _scaled(
        "RandomStandardNormal", shape, mean, stddev, dtype, seed, name or "random_normal"
    )


def truncated_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Normal samples redrawn until within 2 stddev of the mean (a common weight init).

    >>> import teachflow as tf
    >>> x = tf.Session().run(tf.truncated_normal([1000], stddev=0.1, seed=3))
    >>> bool((abs(x) <= 0.2).all())
    True
    """
    return _scaled("TruncatedNormal", shape, mean, stddev, dtype, seed, name or "truncated_normal")


_UNIFORM_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def random_uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples of the uniform distribution on [minval, maxval) (``maxval`` needed for ints).

    >>> import teachflow as tf
    >>> x = tf.Session().run(tf.random_uniform([100], 0, 10, dtype=tf.int32, seed=2))
    >>> bool(((0 <= x) & (x < 10)).all())
    True
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    if dt not in _UNIFORM_DTYPES:
        raise ValueError(
            f"Argument `dtype` got invalid value {dt}. Accepted dtypes are (tf.float16, "
            "tf.bfloat16, tf.float32, tf.float64, tf.int32, tf.int64)."
        )
    if maxval is None:
        if dt.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
        maxval = 1
    g = registry.graph_for([shape, minval, maxval])
    with g.as_default(), g.name_scope(name or "random_uniform") as scope:
        shape_t = _shape_tensor(shape)
        # TensorFlow skips the arithmetic for the default range [0, 1) given as Python ints
        min_is_zero = type(minval) is int and minval == 0
        max_is_one = type(maxval) is int and maxval == 1
        if not min_is_zero or not max_is_one or dt.is_integer:
            minval = convert_to_tensor(minval, dtype=dt, name="min")
            maxval = convert_to_tensor(maxval, dtype=dt, name="max")
        attrs: dict[str, Any] = {**_seed_attrs(seed), "T": shape_t.dtype.base_dtype}
        if dt.is_integer:
            return registry.make1(
                "RandomUniformInt", [shape_t, minval, maxval], {**attrs, "Tout": dt}, scope
            )
        rnd = registry.make1("RandomUniform", [shape_t], {**attrs, "dtype": dt}, "RandomUniform")
        if min_is_zero:
            return rnd if max_is_one else math_ops.multiply(rnd, maxval)
        return math_ops.add(rnd * (maxval - minval), minval, name=scope)


def random_shuffle(value: Any, seed: int | None = None, name: str | None = None) -> Tensor:
    """``value`` with its first dimension shuffled, differently at every run.

    >>> import teachflow as tf
    >>> sorted(tf.Session().run(tf.random_shuffle([1, 2, 3])).tolist())
    [1, 2, 3]
    """
    g = registry.graph_for([value])
    with g.as_default(), g.name_scope(name or "RandomShuffle") as scope:
        v = convert_to_tensor(value, name="value")
        attrs = {**_seed_attrs(seed), "T": v.dtype.base_dtype}
        return registry.make1("RandomShuffle", [v], attrs, scope)


def _gamma_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_shape_input(op)
    return [(op.attrs["T"], _static_shape(op.inputs[0]).concatenate(op.inputs[1].shape))]


@registry.define(
    "RandomGamma", infer=_gamma_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _gamma_kernel(ctx: registry.KernelContext, shape: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """f(shape, alpha) = samples of Gamma(alpha, 1), shape + alpha's shape"""
    dt = ctx.attrs["T"]
    dims = _dims(shape, dt)
    if np.size(alpha) == 0:
        if int(np.prod(dims)) == 0:
            return np.zeros(dims + np.shape(alpha), dt.np)
        raise ValueError("Input alpha should have non-zero element count, got: 0")
    values = philox.gamma(_stream(ctx), int(np.prod(dims)), alpha)
    return values.astype(dt.np).reshape(dims + np.shape(alpha))


def random_gamma(
    shape: Any,
    alpha: Any,
    beta: Any = None,
    dtype: Any = dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples of Gamma(alpha, beta) (beta the rate), ``shape`` samples per alpha/beta.

    >>> import teachflow as tf
    >>> print(tf.random_gamma([10], [0.5, 1.5], seed=1))
    Tensor("random_gamma/Maximum:0", shape=(10, 2), dtype=float32)
    """
    dt = _float_dtype(dtype)
    g = registry.graph_for([shape, alpha, beta])
    with g.as_default(), g.name_scope(name or "random_gamma"):
        shape_t = convert_to_tensor(shape, name="shape", dtype=dtypes.int32)
        alpha_t = convert_to_tensor(alpha, name="alpha", dtype=dt)
        beta_t = convert_to_tensor(1 if beta is None else beta, name="beta", dtype=dt)
        both = broadcast_ops.broadcast_dynamic_shape(
            array_ops.shape(alpha_t), array_ops.shape(beta_t)
        )
        alpha_b = broadcast_ops.broadcast_to(alpha_t, both)
        attrs = {**_seed_attrs(seed), "S": dtypes.int32, "T": dt}
        draws = registry.make1("RandomGamma", [shape_t, alpha_b], attrs, "RandomGamma")
        # a gamma sample is positive: those that underflow become the smallest normal float
        return math_ops.maximum(np.finfo(dt.np).tiny, draws / beta_t)


# -- sampling classes ----------------------------------------------------------------------------


def _multinomial_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    logits, num = op.inputs
    if logits.shape.ndims not in (None, 2):
        raise registry.shape_error(op, f"Shape must be rank 2 but is rank {logits.shape.ndims}")
    if num.shape.ndims not in (None, 0):
        raise registry.shape_error(op, f"Shape must be rank 0 but is rank {num.shape.ndims}")
    batch = logits.shape[0].value if logits.shape.ndims == 2 else None
    known = registry.constant_value(num)
    return [(op.attrs["output_dtype"], TensorShape([batch, None if known is None else int(known)]))]


@registry.define(
    "Multinomial", infer=_multinomial_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _multinomial_kernel(
    ctx: registry.KernelContext, logits: np.ndarray, num_samples: np.ndarray
) -> np.ndarray:
    """f(logits, n) = n class indices per row, drawn with probabilities softmax(logits)"""
    n = int(num_samples)
    if n < 0:
        raise ValueError(f"num_samples should be non-negative, got {n}")
    batch, classes = logits.shape
    if classes == 0:
        raise ValueError("num_classes should be positive, got 0")
    out = np.empty((batch, n), dtype=ctx.attrs["output_dtype"].np)
    if out.size == 0:
        return out
    # TensorFlow's CPU kernel: exp(logit - max) over the finite logits, summed in order (a
    # running total, not normalized); each sample is the first class whose total exceeds
    # u * total, u a uniform double, the samples of all rows drawn one after another. (A big
    # draw, e.g. 200 rows of 50 samples, TensorFlow splits among its threads, each block of
    # rows starting further on in the stream: its numbers then depend on the machine's core
    # count, and teachflow's match only its first block.)
    finite = np.isfinite(logits)
    z = np.where(finite, logits, -np.inf).astype(np.float64)
    top = np.where(finite.any(axis=1), z.max(axis=1), np.finfo(logits.dtype).min)
    cdf = np.cumsum(np.where(finite, np.exp(z - top[:, None]), 0.0), axis=1)
    reserve = philox.RESERVED_PER_OUTPUT * batch * 2 * (-(-n // 4) * 4)
    u = philox.doubles(_stream(ctx), batch * n, reserve).reshape(batch, n) * cdf[:, -1:]
    for row in range(batch):
        out[row] = np.searchsorted(cdf[row], u[row], side="right")
    return out


def _sample_classes(
    logits: Any, num_samples: Any, seed: Any, name: str, output_dtype: Any
) -> Tensor:
    dt = dtypes.as_dtype(output_dtype or dtypes.int64).base_dtype
    if dt not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Value passed to parameter 'output_dtype' has DataType {dt.name} not in list of "
            "allowed values: int32, int64"
        )
    g = registry.graph_for([logits, num_samples])
    with g.as_default(), g.name_scope(name):
        x = convert_to_tensor(logits, name="logits")
        with g.name_scope("Multinomial") as scope:
            num = convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")
            attrs = {**_seed_attrs(seed), "T": x.dtype.base_dtype, "output_dtype": dt}
            return registry.make1("Multinomial", [x, num], attrs, scope)


def multinomial(
    logits: Any,
    num_samples: Any,
    seed: int | None = None,
    name: str | None = None,
    output_dtype: Any = None,
) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (unnormalized log-probabilities).

    >>> import teachflow as tf
    >>> s = tf.multinomial(tf.log([[0.0, 1.0]]), 3)
    >>> tf.Session().run(s).tolist()
    [[1, 1, 1]]
    """
    return _sample_classes(logits, num_samples, seed, name or "multinomial", output_dtype)


def categorical(
    logits: Any,
    num_samples: Any,
    dtype: Any = None,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """``tf.random.categorical``: :func:`multinomial` under its 1.13+ name.

    >>> import teachflow as tf
    >>> print(tf.random.categorical([[1.0, 1.0]], 4))
    Tensor("categorical/Multinomial:0", shape=(1, 4), dtype=int64)
    """
    return _sample_classes(logits, num_samples, seed, name or "categorical", dtype)
