"""Sequences of numbers: range (tf.range) and linspace.

>>> import teachflow as tf
>>> sess = tf.Session()
>>> sess.run(tf.range(5)).tolist(), sess.run(tf.linspace(0.0, 1.0, 3)).tolist()
([0, 1, 2, 3, 4], [0.0, 0.5, 1.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_inputs, convert_to_tensor, is_tensor
from teachflow.ops.op_args import (
    cast_if,
    graph_of,
    index_input,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    known_int,
    known_value,
    shape_error,
)
from teachflow.tensor_shape import TensorShape

# -- range, linspace -------------------------------------------------------------------------

_RANGE_ORDER = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


def _range_size(start: Any, limit: Any, delta: Any, dt: dtypes.DType) -> int:
    """TensorFlow's element count; raises ValueError with its text for an impossible range."""
    if delta == 0:
        raise ValueError("Requires delta != 0")
    if delta > 0 and start > limit:
        raise ValueError(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise ValueError(f"Requires start >= limit when delta < 0: {start}/{limit}")
    if dt.is_integer:
        return int((abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta)))
    with np.errstate(all="ignore"):
        t = dt.np.type
        return int(np.ceil(np.abs((t(limit) - t(start)) / t(delta))))


def _range_infer(op: Operation) -> Outs:
    dt = op.attrs["Tidx"]
    vals = [known_value(t) for t in op.inputs]
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise shape_error(
                op,
                f"Shape must be rank 0 but is rank {t.shape.ndims}",
                "start, limit and delta are scalars.",
            )
    if any(v is None for v in vals):
        return [(dt, TensorShape([None]))]
    try:
        a, b, d = (np.asarray(v).reshape(()).item() for v in vals)
        n = _range_size(a, b, d, dt)
    except ValueError as e:
        raise shape_error(op, str(e), "delta must step from start toward limit.") from None
    return [(dt, TensorShape([n]))]


@registry.define("Range", infer=_range_infer, ctx=True, grad=not_differentiable)
def _range_kernel(ctx: registry.KernelContext, start: Any, limit: Any, delta: Any) -> np.ndarray:
    """f(start, limit, delta) = [start, start + delta, ...] while before limit"""
    dt = ctx.attrs["Tidx"]
    s, lim, d = (np.asarray(v).reshape(()).item() for v in (start, limit, delta))
    try:
        n = _range_size(s, lim, d, dt)
    except ValueError as e:
        raise invalid_argument(str(e), "delta must step from start toward limit.") from None
    registry.check_alloc([n], dt)
    # computed in place in the output: the peak is the output itself (no int64 index array)
    out = np.arange(n, dtype=dt.np)  # i, exactly as TensorFlow's static_cast<T>(i)
    t = dt.np.type
    with np.errstate(all="ignore"):
        out *= t(d)
        out += t(s)
    return out


def range_(
    start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str = "range"
) -> Tensor:
    """``tf.range``: [start, start + delta, ...) up to ``limit``; int32 or float32 by default.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.range(1, 10, 3)).tolist()
    [1, 4, 7]
    """
    if limit is None:
        start, limit = 0, start
    g = graph_of(start, limit, delta)
    with g.as_default(), g.name_scope(name) as scope:
        dt = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        args = [
            v if is_tensor(v) else convert_to_tensor(v, dtype=dt, name=n)
            for v, n in ((start, "start"), (limit, "limit"), (delta, "delta"))
        ]
        args = [convert_to_tensor(v) for v in args]
        if dt is None:
            for a, what in zip(args, ("start", "limit", "delta")):
                if a.dtype.base_dtype not in _RANGE_ORDER:
                    raise TypeError(
                        f"Value passed to parameter '{what}' has DataType "
                        f"{a.dtype.base_dtype.name} not in list of allowed values: int32, int64, "
                        "float32, float64\n  Hint: tf.range counts with numbers; give start, "
                        "limit and delta as ints or floats (or pass dtype=)."
                    )
            dt = max((a.dtype.base_dtype for a in args), key=_RANGE_ORDER.index)
        args = [cast_if(a, dt) for a in args]
        return registry.make1("Range", args, {"Tidx": dt}, scope)


def _linspace_infer(op: Operation) -> Outs:
    start, stop, num = op.inputs
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise shape_error(
                op,
                f"Shape must be rank 0 but is rank {t.shape.ndims}",
                "start, stop and num are scalars.",
            )
    n = known_int(num)
    return [(start.dtype.base_dtype, TensorShape([n]))]


@registry.define("LinSpace", infer=_linspace_infer, grad=not_differentiable)
def _linspace_kernel(start: np.ndarray, stop: np.ndarray, num: np.ndarray) -> np.ndarray:
    """f(a, b, n) = [a, a + h, ..., b] with h = (b - a) / (n - 1)"""
    n = int(num)
    dt = np.asarray(start).dtype
    if n <= 0:
        raise invalid_argument(f"Requires num > 0: {n}", "num is the number of values.")
    if n == 1:
        return np.array([start], dtype=dt)
    step = (dt.type(stop) - dt.type(start)) / dt.type(n - 1)
    return (dt.type(start) + np.arange(n).astype(dt) * step).astype(dt)


def linspace(start: Any, stop: Any, num: Any, name: str | None = None) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (LinSpace, as in 1.x).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.linspace(0.0, 1.0, 5)).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    g = graph_of(start, stop, num)
    with g.as_default(), g.name_scope(name or "LinSpace") as scope:
        a, b = convert_inputs("LinSpace", [("start", start), ("stop", stop)])
        if not a.dtype.base_dtype.is_floating:
            raise TypeError(
                f"Value passed to parameter 'start' has DataType {a.dtype.base_dtype.name} not in "
                "list of allowed values: bfloat16, float32, float64\n  Hint: write the bounds as "
                "floats, e.g. tf.linspace(0.0, 1.0, 5)."
            )
        n = index_input(num, "num", "num", "LinSpace")
        return registry.make1(
            "LinSpace", [a, b, n], {"T": a.dtype.base_dtype, "Tidx": n.dtype}, scope
        )


lin_space = linspace


# -- sequence_mask ---------------------------------------------------------------------------


def sequence_mask(
    lengths: Any, maxlen: Any = None, dtype: Any = dtypes.bool_, name: str | None = None
) -> Tensor:
    """f(lengths)[..., j] = j < lengths[...]: row i has ``lengths[i]`` leading True values.

    Built from TensorFlow's ops: ``range(maxlen) < expand_dims(lengths, -1)``.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.sequence_mask([1, 3], 4)).tolist()
    [[True, False, False, False], [True, True, True, False]]
    """
    from teachflow.ops.array_ops import expand_dims
    from teachflow.ops.constant_op import constant
    from teachflow.ops.math_ops import less, maximum
    from teachflow.ops.reduction_ops import reduce_max

    g = graph_of(lengths, maxlen)
    with g.as_default(), g.name_scope(name or "SequenceMask"):
        lens = convert_to_tensor(lengths)
        if maxlen is None:
            top = reduce_max(lens)
            top = maximum(constant(0, dtype=top.dtype.base_dtype), top)
        else:
            top = convert_to_tensor(maxlen)
        if top.shape.ndims not in (None, 0):
            raise ValueError(
                "maxlen must be scalar for sequence_mask\n  Hint: maxlen is one number, the "
                "length of every row of the mask."
            )
        dt = top.dtype.base_dtype
        row = registry.make1(
            "Range", [constant(0, dtype=dt), top, constant(1, dtype=dt)], {"Tidx": dt}, "Range"
        )
        result = less(row, _gen_cast(expand_dims(lens, -1), dt))
        want = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        return result if want in (None, dtypes.bool_) else _gen_cast(result, want)


def _gen_cast(x: Tensor, dt: dtypes.DType) -> Tensor:
    """A Cast op even when ``x`` has ``dt`` already, as TensorFlow's sequence_mask makes."""
    attrs = {"SrcT": x.dtype.base_dtype, "DstT": dt, "Truncate": False}
    return registry.make1("Cast", [x], attrs, "Cast")
