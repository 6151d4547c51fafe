"""Reductions over axes (Sum, Mean, Max, Min, Prod, Any, All), the index of the largest or
smallest value (ArgMax, ArgMin) and count_nonzero, with their gradients.

>>> import teachflow as tf
>>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
>>> tf.Session().run([tf.reduce_sum(x, 1), tf.argmax(x, axis=0)])
[array([3., 7.], dtype=float32), array([1, 1])]
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, registry
from teachflow.ops.cast_ops import cast
from teachflow.ops.constant_op import constant, convert_to_tensor, to_numpy
from teachflow.ops.math_ops import equal, maximum, not_equal
from teachflow.ops.math_rules import (
    AXIS_HINT,
    BOOL,
    NUMBER,
    REAL,
    Grad,
    bracket_dims,
    check_dtype,
    check_index,
    real_only,
)
from teachflow.ops.op_args import invalid_argument
from teachflow.ops.scan_ops import cumprod
from teachflow.tensor_shape import TensorShape

_ALLOWED = {
    **dict.fromkeys(["Sum", "Mean", "Prod"], NUMBER),
    **dict.fromkeys(["Max", "Min"], REAL),
    **dict.fromkeys(["Any", "All"], BOOL),
    **dict.fromkeys(["ArgMax", "ArgMin"], REAL | BOOL),
}


def _shape_error_with_value(
    op: Operation, message: str, i: int, value: Any, hint: str
) -> ValueError:
    """TensorFlow's shape error that also shows the constant input it looked at, and a hint."""
    text = str(registry.shape_error(op, message))[:-1]
    shown = " ".join(str(v) for v in np.ravel(value).tolist())
    return ValueError(
        f"{text} and with computed input tensors: input[{i}] = <{shown}>.\n  Hint: {hint}"
    )


# -- the kept shape, for gradients ----------------------------------------------------------


# NOTE: TensorFlow computes this with Range and DynamicStitch (math_ops.reduced_shape); one
# node says the same thing when the shape is known only at run time.
@registry.define(
    "ReducedShape",
    infer=lambda op: [(dtypes.int32, op.inputs[0].shape)],
    grad=not_differentiable,
)
def _reduced_shape_kernel(shape: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """f(shape, axes) = shape with the reduced axes set to 1"""
    out = np.array(shape, dtype=np.int32)
    if out.size:
        out[np.asarray(axes, dtype=np.int64).reshape(-1) % out.size] = 1
    return out


# -- reductions ------------------------------------------------------------------------------


def _static_axes(x: Tensor, axes: Tensor) -> list[int] | None:
    """The reduced axes, normalized and sorted, when known while building."""
    rank = x.shape.ndims
    known = registry.constant_value(axes)
    if rank is None or known is None:
        return None
    return sorted({int(a) % rank for a in np.ravel(known)}) if rank else []


def _reduce_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, axes = op.inputs
    check_dtype(op, _ALLOWED, "input")
    check_index(op, 1, "reduction_indices")
    dt, keep, rank = x.dtype.base_dtype, op.attrs["keep_dims"], x.shape.ndims
    known = registry.constant_value(axes)
    if rank is None or known is None:
        return [(dt, TensorShape([None] * rank if keep and rank is not None else None))]
    for a in np.ravel(known).tolist():
        if not -rank <= a < rank:
            raise _shape_error_with_value(
                op,
                f"Invalid reduction dimension {a} for input with {rank} dimensions.",
                1,
                known,
                AXIS_HINT,
            )
    reduced = _static_axes(x, axes) or []
    dims = x.shape.as_list()
    out = [1 if i in reduced else d for i, d in enumerate(dims) if keep or i not in reduced]
    return [(dt, TensorShape(out))]


def _axes_at_run_time(x: np.ndarray, axes: Any) -> tuple[int, ...]:
    rank = x.ndim
    out: list[int] = []
    listed = axes.tolist() if isinstance(axes, np.ndarray) else np.ravel(axes).tolist()
    for a in listed if isinstance(listed, list) else [listed]:
        if not -rank <= a < rank:
            raise invalid_argument(
                f"Invalid reduction dimension ({a} for input with {rank} dimension(s)", AXIS_HINT
            )
        a %= rank
        if a in out:
            raise ValueError(f"Invalid reduction arguments: Axes contains duplicate dimension: {a}")
        out.append(a)
    return tuple(out)


def _mean(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> Any:
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    if x.dtype.kind in "iu":
        # TensorFlow sums in a wider type, then divides truncating toward zero
        s = np.sum(
            x, axis=axes, keepdims=keep, dtype=np.int64 if x.dtype.kind == "i" else np.uint64
        )
        if n == 0:
            return np.zeros_like(s, dtype=x.dtype)
        q = s // n
        return (q + ((s % n != 0) & (s < 0))).astype(x.dtype)
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    return (np.sum(x, axis=axes, keepdims=keep, dtype=acc) / n).astype(x.dtype)


def _extreme(fn: Callable[..., Any], take_max: bool) -> Callable[..., Any]:
    """np.max/np.min that give the dtype's lowest/highest value on empty axes (as TensorFlow)."""

    def kernel(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> Any:
        if x.dtype.kind == "f":
            initial: Any = -np.inf if take_max else np.inf
        elif x.dtype.kind in "iu":
            info = np.iinfo(x.dtype)
            initial = info.min if take_max else info.max
        else:
            return fn(x, axis=axes, keepdims=keep)
        return fn(x, axis=axes, keepdims=keep, initial=initial)

    return kernel


def _reduce_kernel(fn: Callable[..., Any], formula: str) -> Callable[..., Any]:
    """The kernel of a reduction op: ``fn(x, axes, keepdims)`` after checking the axes."""

    def kernel(ctx: registry.KernelContext, x: Any, axes: Any) -> np.ndarray:
        x = np.asarray(x)
        return np.asarray(fn(x, _axes_at_run_time(x, axes), ctx.attrs["keep_dims"]))

    kernel.__doc__ = formula
    return kernel


def _kept_shape(op: Operation) -> Any:
    """The shape of the reduction's result with the reduced axes kept as size 1."""
    x, axes_t = op.inputs
    axes = _static_axes(x, axes_t)
    if axes is not None and x.shape.is_fully_defined():
        return np.array([1 if i in axes else d for i, d in enumerate(x.shape.as_list())], np.int32)
    return registry.make1("ReducedShape", [array_ops.shape(x), axes_t], {}, "ReducedShape")


def _expand_reduced(op: Operation, t: Tensor, kept: Any = None) -> Tensor:
    """``t`` (shaped like the reduction's output) with the reduced axes back as size 1."""
    if op.attrs["keep_dims"]:
        return t
    return array_ops.reshape(t, _kept_shape(op) if kept is None else kept)


@real_only
def _sum_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """Every element of x contributed once: dx = dy copied (tiled) over the reduced axes."""
    x = op.inputs[0]
    kept = _kept_shape(op)
    dy = _expand_reduced(op, dy, kept)
    if isinstance(kept, np.ndarray):
        times = np.array(x.shape.as_list(), np.int32) // np.maximum(kept, 1)
        if (times == 1).all():
            return [dy, None]
        multiples: Any = constant(times, name="Const")
    else:
        multiples = array_ops.shape(x) // maximum(kept, 1)
    from teachflow.ops.concat_ops import tile

    return [tile(dy, multiples), None]


@real_only
def _mean_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx = dy copied over the reduced axes, divided by how many elements each mean took."""
    (dx, _) = _sum_grad(op, dy)
    x, y = op.inputs[0], op.outputs[0]
    nx, ny = x.shape.num_elements(), y.shape.num_elements()
    if nx is not None and ny is not None:
        factor: Any = constant(nx // builtins.max(ny, 1), dy.dtype, name="Const")
    else:
        n_in, n_out = reduce_prod(array_ops.shape(x)), reduce_prod(array_ops.shape(y))
        factor = cast(n_in // maximum(n_out, 1), dy.dtype)
    return [dx / factor, None]


@real_only
def _min_or_max_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dy goes to the elements equal to the result, shared equally between ties."""
    x, axes = op.inputs
    kept = _kept_shape(op)
    y = _expand_reduced(op, op.outputs[0], kept)
    dy = _expand_reduced(op, dy, kept)
    indicators = cast(equal(y, x), dy.dtype)
    num_selected = array_ops.reshape(reduce_sum(indicators, axes), kept)
    return [indicators / num_selected * dy, None]


def _others_product(x: Tensor, axes: list[int]) -> Tensor:
    """For each element, the product of the other elements it was multiplied with.

    Exact when x holds zeros (dividing y by x would not be): along one axis it is the
    product of the elements before times the product of those after.
    """
    a = axes[0]
    others = cumprod(x, a, exclusive=True) * cumprod(x, a, exclusive=True, reverse=True)
    if len(axes) > 1:
        others = others * _others_product(reduce_prod(x, a, keepdims=True), axes[1:])
    return others


@real_only
def _prod_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx_i = dy * (product of the other elements in x_i's group)."""
    x, axes_t = op.inputs
    axes = _static_axes(x, axes_t)
    if axes is None:
        raise NotImplementedError(
            f"teachflow computes the gradient of reduce_prod ('{op.name}') only when the "
            "input's rank and the axes are known while building the graph."
        )
    dy = _expand_reduced(op, dy)
    if not axes:
        return [dy, None]
    return [dy * _others_product(x, axes), None]


# fmt: off
# (TF type, kernel (x, axes, keepdims), formula, gradient)
REDUCTIONS: list[tuple[str, Callable[..., Any], str, Grad]] = [
    ("Sum", lambda x, a, k: np.add.reduce(x, axis=a, keepdims=k, dtype=x.dtype),
     "f(x) = sum of x over the axes", _sum_grad),
    ("Mean", _mean, "f(x) = mean of x over the axes (integers truncate)", _mean_grad),
    ("Max", _extreme(np.max, True), "f(x) = max of x over the axes", _min_or_max_grad),
    ("Min", _extreme(np.min, False), "f(x) = min of x over the axes", _min_or_max_grad),
    ("Prod", lambda x, a, k: np.multiply.reduce(x, axis=a, keepdims=k, dtype=x.dtype),
     "f(x) = product of x over the axes", _prod_grad),
    ("Any", lambda x, a, k: np.any(x, axis=a, keepdims=k),
     "f(x) = x_1 or x_2 or ... over the axes", not_differentiable),
    ("All", lambda x, a, k: np.all(x, axis=a, keepdims=k),
     "f(x) = x_1 and x_2 and ... over the axes", not_differentiable),
]
# fmt: on
for _type, _kernel, _formula, _grad in REDUCTIONS:
    registry.define(_type, infer=_reduce_infer, ctx=True, grad=_grad)(
        _reduce_kernel(_kernel, _formula)
    )


def _either(new: Any, new_name: str, old: Any, old_name: str) -> Any:
    """The value of an argument that has a deprecated 0.x/1.x name too."""
    if old is not None:
        if new is not None:
            raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'.")
        return old
    return new


def _is_tensor_like(x: Any) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _all_axes(x: Any) -> Tensor:
    """[0, 1, ..., rank-1]: a constant, or computed at run time when the rank is unknown."""
    if _is_tensor_like(x):
        x = convert_to_tensor(x)
        rank = x.shape.ndims
    else:
        rank = np.ndim(to_numpy(x))
    if rank is not None:
        return constant(np.arange(rank, dtype=np.int32))
    from teachflow.ops.sequence_ops import range_

    return range_(0, array_ops.rank(x))


def _reduce(
    type: str,
    input_tensor: Any,
    axis: Any,
    keepdims: Any,
    name: str | None,
    reduction_indices: Any,
    keep_dims: Any,
) -> Tensor:
    axis = _either(axis, "axis", reduction_indices, "reduction_indices")
    keep = bool(_either(keepdims, "keepdims", keep_dims, "keep_dims"))
    g = registry.graph_for([input_tensor, axis])
    with g.as_default():
        # TensorFlow makes the all-axes constant before opening the op's scope: "Const"
        axes = _all_axes(input_tensor) if axis is None else axis
        with g.name_scope(name or type) as scope:
            x = convert_to_tensor(input_tensor, name="input")
            ax = convert_to_tensor(axes, name="reduction_indices", preferred_dtype=dtypes.int32)
            attrs: dict[str, Any] = {"keep_dims": keep, "Tidx": ax.dtype.base_dtype}
            if type not in ("Any", "All"):
                attrs["T"] = x.dtype.base_dtype
            out = registry.make1(type, [x, ax], attrs, scope)
    if axis is None and not keep:
        out.set_shape([])  # a full reduction is a scalar even when the rank is unknown
    return out


_REDUCE_DOC = """{formula}

    ``axis``: an int, a list (negative counts from the end) or None for all axes; ``keepdims``
    keeps the reduced axes as size 1. ``reduction_indices`` and ``keep_dims`` are older names.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.{public}({x}, axis=1)).tolist()
    {result}
    """


def _reduction_api(type: str, public: str, x: str, result: str) -> Callable[..., Tensor]:
    def api(
        input_tensor: Any,
        axis: Any = None,
        keepdims: Any = None,
        name: str | None = None,
        reduction_indices: Any = None,
        keep_dims: Any = None,
    ) -> Tensor:
        return _reduce(type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)

    formula = next(f for t, _, f, _ in REDUCTIONS if t == type)
    doc = _REDUCE_DOC.format(formula=formula, public=public, x=x, result=result)
    api.__name__ = api.__qualname__ = public
    api.__doc__ = doc
    return api


_NUMS, _BOOLS = "[[1, 2], [3, 4]]", "[[True, False], [True, True]]"
reduce_sum = _reduction_api("Sum", "reduce_sum", _NUMS, "[3, 7]")
reduce_mean = _reduction_api("Mean", "reduce_mean", _NUMS, "[1, 3]")
reduce_max = _reduction_api("Max", "reduce_max", _NUMS, "[2, 4]")
reduce_min = _reduction_api("Min", "reduce_min", _NUMS, "[1, 3]")
reduce_prod = _reduction_api("Prod", "reduce_prod", _NUMS, "[2, 12]")
reduce_any = _reduction_api("Any", "reduce_any", _BOOLS, "[True, True]")
reduce_all = _reduction_api("All", "reduce_all", _BOOLS, "[False, True]")


# -- argmax / argmin ---------------------------------------------------------------------------


def _arg_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, dim = op.inputs
    check_dtype(op, _ALLOWED, "input")
    check_index(op, 1, "dimension")
    if dim.shape.ndims not in (None, 0):
        raise registry.shape_error(
            op, f"Shape must be rank 0 but is rank {dim.shape.ndims}", "pass one axis, an int."
        )
    out, rank = op.attrs["output_type"], x.shape.ndims
    if rank is None:
        return [(out, TensorShape(None))]
    if rank <= 1:
        return [(out, TensorShape([]))]  # a scalar or a vector reduces to a scalar
    known = registry.constant_value(dim)
    if known is None:
        return [(out, TensorShape([None] * (rank - 1)))]
    a = int(np.ravel(known)[0])
    if not -rank <= a < rank:
        raise _shape_error_with_value(
            op,
            f"Dimension ({a}) must be in the range [{-rank}, {rank}), where {rank} is the "
            "number of dimensions in the input.",
            1,
            known,
            AXIS_HINT,
        )
    dims = x.shape.as_list()
    del dims[a % rank]
    return [(out, TensorShape(dims))]


def _arg_kernel(fn: Callable[..., Any], nan_as: float) -> Callable[..., Any]:
    """np.argmax/argmin that pass over NaN (as TensorFlow's kernels, whose comparisons with NaN
    are false), unless the axis holds nothing else."""

    def kernel(ctx: registry.KernelContext, x: Any, dim: Any) -> np.ndarray:
        x = np.asarray(x)
        rank, a = x.ndim, int(np.ravel(dim)[0])
        if not -rank <= a < rank:
            raise invalid_argument(
                f"Expected dimension in the range [{-rank}, {rank}), but got {a}", AXIS_HINT
            )
        a %= rank
        if x.shape[a] == 0:
            raise ValueError(f"Reduction axis {a} is empty in shape {bracket_dims(x.shape)}")
        if x.dtype.kind in "fc":
            x = np.where(np.isnan(x), nan_as, x)
        return np.asarray(fn(x, axis=a)).astype(ctx.attrs["output_type"].np)

    return kernel


registry.define("ArgMax", infer=_arg_infer, ctx=True, grad=not_differentiable)(
    _arg_kernel(np.argmax, -np.inf)
)
registry.define("ArgMin", infer=_arg_infer, ctx=True, grad=not_differentiable)(
    _arg_kernel(np.argmin, np.inf)
)


def _arg(type: str, input: Any, axis: Any, name: Any, dimension: Any, output_type: Any) -> Tensor:
    axis = _either(axis, "axis", dimension, "dimension")
    if type == "ArgMax" and isinstance(axis, (list, tuple)):
        # TensorFlow checks this in argmax only; argmin's list fails in the shape rule
        raise TypeError(
            f"axis must be int or Tensor with integer datatype, got {axis!r}\n  Hint: "
            "argmax and argmin reduce one axis; pass an int such as axis=1."
        )
    ot = dtypes.as_dtype(output_type).base_dtype
    if ot not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Value for attr 'output_type' of {ot.name} is not in the list of allowed values: "
            "int32, int64"
        )
    g = registry.graph_for([input, axis])
    with g.as_default(), g.name_scope(name or type) as scope:
        x = convert_to_tensor(input, name="input")
        d = convert_to_tensor(
            0 if axis is None else axis, name="dimension", preferred_dtype=dtypes.int32
        )
        return registry.make1(
            type,
            [x, d],
            {"T": x.dtype.base_dtype, "Tidx": d.dtype.base_dtype, "output_type": ot},
            scope,
        )


def argmax(
    input: Any,
    axis: Any = None,
    name: str | None = None,
    dimension: Any = None,
    output_type: Any = dtypes.int64,
) -> Tensor:
    """f(x) = index of the largest value along ``axis`` (default 0; first one on ties).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.argmax(tf.constant([[1, 9], [5, 2]]), axis=1)).tolist()
    [1, 0]
    """
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(
    input: Any,
    axis: Any = None,
    name: str | None = None,
    dimension: Any = None,
    output_type: Any = dtypes.int64,
) -> Tensor:
    """f(x) = index of the smallest value along ``axis`` (default 0; first one on ties).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.argmin(tf.constant([[1, 9], [5, 2]]), axis=1)).tolist()
    [0, 1]
    """
    return _arg("ArgMin", input, axis, name, dimension, output_type)


def arg_max(
    input: Any, dimension: Any, output_type: Any = dtypes.int64, name: str | None = None
) -> Tensor:
    """Older name of :func:`argmax`."""
    return _arg("ArgMax", input, None, name, dimension, output_type)


def arg_min(
    input: Any, dimension: Any, output_type: Any = dtypes.int64, name: str | None = None
) -> Tensor:
    """Older name of :func:`argmin`."""
    return _arg("ArgMin", input, None, name, dimension, output_type)


def count_nonzero(
    input_tensor: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    dtype: Any = dtypes.int64,
    name: str | None = None,
    reduction_indices: Any = None,
    keep_dims: Any = None,
    input: Any = None,
) -> Tensor:
    """f(x) = how many elements of x are not zero (over ``axis``; all when None).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.count_nonzero([[0, 1], [2, 3]], axis=1)).tolist()
    [1, 2]
    """
    input_tensor = _either(input_tensor, "input_tensor", input, "input")
    if input_tensor is None:
        raise ValueError("count_nonzero needs a tensor: count_nonzero(input_tensor, ...)")
    axis = _either(axis, "axis", reduction_indices, "reduction_indices")
    keepdims = _either(keepdims, "keepdims", keep_dims, "keep_dims")
    g = registry.graph_for([input_tensor])
    with g.as_default(), g.name_scope(name or "count_nonzero"):
        t = convert_to_tensor(input_tensor, name="input")
        dt = t.dtype.base_dtype
        nonzero = t
        if not dt.is_bool:
            zero = constant("" if dt == dtypes.string else 0, dtype=dt, name="zeros")
            nonzero = not_equal(t, zero)
        counts = reduce_sum(cast(nonzero, dtypes.int64), axis=axis, keepdims=keepdims)
        return cast(counts, dtype)


# -- built from the reductions -----------------------------------------------------------------


def reduce_logsumexp(
    input_tensor: Any,
    axis: Any = None,
    keepdims: Any = None,
    name: str | None = None,
    reduction_indices: Any = None,
    keep_dims: Any = None,
) -> Tensor:
    """f(x) = ln(sum(e^x)) over the axes, computed as m + ln(sum(e^(x - m))) with m = max(x).

    >>> import teachflow as tf
    >>> print(f"{tf.Session().run(tf.reduce_logsumexp([0.0, 0.0])):.4f}")
    0.6931
    """
    from teachflow.gradients import stop_gradient
    from teachflow.ops.fill_ops import zeros_like
    from teachflow.ops.math_ops import add, exp, is_finite, log, subtract
    from teachflow.ops.where_ops import where

    axis = _either(axis, "axis", reduction_indices, "reduction_indices")
    keep = bool(_either(keepdims, "keepdims", keep_dims, "keep_dims"))
    g = registry.graph_for([input_tensor, axis])
    with g.as_default(), g.name_scope(name or "ReduceLogSumExp") as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        raw_max = reduce_max(x, axis=axis, keepdims=True)
        # a max of +-inf would make x - max nan; shifting by 0 there is exact enough
        my_max = stop_gradient(where(is_finite(raw_max), raw_max, zeros_like(raw_max)))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis=axis, keepdims=keep))
        if not keep:
            my_max = array_ops.reshape(my_max, array_ops.shape(result))
        out = add(result, my_max, name=scope)
    if axis is None and not keep:
        out.set_shape([])
    return out


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> Tensor:
    """f(t) = t * clip_norm / max(||t||_2, clip_norm): rescales t so its L2 norm is at most
    ``clip_norm`` (over ``axes``, all when None).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.clip_by_norm([3.0, 4.0], 1.0)).tolist()
    [0.6000000238418579, 0.800000011920929]
    """
    from teachflow.ops.fill_ops import ones_like
    from teachflow.ops.math_ops import maximum, sqrt
    from teachflow.ops.where_ops import where

    g = registry.graph_for([t, clip_norm])
    with g.as_default(), g.name_scope(name or "clip_by_norm") as scope:
        values = convert_to_tensor(t, name="t")
        if np.isscalar(clip_norm) and not isinstance(clip_norm, (str, bytes)):
            clip_norm = builtins.max(clip_norm, 0)  # type: ignore[type-var,call-overload,unused-ignore]
        else:
            clip_norm = cast(maximum(clip_norm, 0), values.dtype.base_dtype)
        l2sum = reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        # the two-step where keeps the gradient finite where the norm is 0
        l2sum_safe = where(pred, l2sum, ones_like(l2sum))
        l2norm = where(pred, sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        values.shape.merge_with(intermediate.shape)
        return array_ops.identity(intermediate / maximum(l2norm, clip_norm), name=scope)


def _tensor_list(t_list: Any, what: str) -> list[Any]:
    if not isinstance(t_list, (list, tuple)):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def global_norm(t_list: Any, name: str | None = None) -> Tensor:
    """f(t_1..t_n) = sqrt(sum of the squares of every element of every t_i); None entries skip.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.global_norm([tf.constant([3.0]), tf.constant([4.0])])))
    5.0
    """
    from teachflow.ops.math_ops import sqrt
    from teachflow.ops.nn_ops import l2_loss
    from teachflow.ops.stack_ops import stack

    ts = _tensor_list(t_list, "global_norm")
    g = registry.graph_for(ts)
    with g.as_default(), g.name_scope(name or "global_norm"):
        values = [
            None if v is None else convert_to_tensor(v, name=f"t_{i}") for i, v in enumerate(ts)
        ]
        half_squared = reduce_sum(stack([l2_loss(v) for v in values if v is not None]))
        two = constant(2.0, dtype=half_squared.dtype)
        return sqrt(half_squared * two, name="global_norm")


def clip_by_global_norm(
    t_list: Any, clip_norm: Any, use_norm: Any = None, name: str | None = None
) -> tuple[list[Tensor | None], Tensor]:
    """Scales every tensor by clip_norm / max(global_norm, clip_norm); returns (list, norm).

    >>> import teachflow as tf
    >>> clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), tf.constant([4.0])], 1.0)
    >>> [v.tolist() for v in tf.Session().run(clipped)]
    [[0.6000000238418579], [0.800000011920929]]
    """
    from teachflow.ops.math_ops import minimum

    ts = _tensor_list(t_list, "clip_by_global_norm")
    if use_norm is None:
        use_norm = global_norm(ts, name)
    g = registry.graph_for(ts)
    with g.as_default(), g.name_scope(name or "clip_by_global_norm") as scope:
        # a Python number is a float32 tensor here (TensorFlow divides by it in Python)
        use_norm = convert_to_tensor(use_norm, name="use_norm", preferred_dtype=dtypes.float32)
        scale_for_finite = clip_norm * minimum(
            1.0 / use_norm, constant(1.0, dtype=use_norm.dtype) / clip_norm
        )
        # a finite norm adds 0; an inf or nan norm makes every value nan, as TensorFlow
        scale = scale_for_finite + (use_norm - use_norm)
        values = [
            None if v is None else convert_to_tensor(v, name=f"t_{i}") for i, v in enumerate(ts)
        ]
        clipped: list[Tensor | None] = []
        for i, v in enumerate(values):
            if v is None:
                clipped.append(None)
            else:
                scaled = v * cast(scale, v.dtype.base_dtype)
                clipped.append(array_ops.identity(scaled, name=f"{scope}_{i}"))
    return clipped, use_norm


def clip_by_average_norm(t: Any, clip_norm: Any, name: str | None = None) -> Tensor:
    """f(t) = t * clip_norm / max(||t||_2 / n, clip_norm), n the number of elements of t.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.clip_by_average_norm([3.0, 4.0], 1.0)).tolist()
    [1.2000000476837158, 1.600000023841858]
    """
    from teachflow.ops.math_ops import minimum, rsqrt

    g = registry.graph_for([t, clip_norm])
    with g.as_default(), g.name_scope(name or "clip_by_average_norm") as scope:
        tt = convert_to_tensor(t, name="t")
        n_element = cast(array_ops.size(tt), dtypes.float32)
        l2norm_inv = rsqrt(reduce_sum(tt * tt, _all_axes(tt)))
        clipped = tt * clip_norm * minimum(l2norm_inv * n_element, constant(1.0) / clip_norm)
        return array_ops.identity(clipped, name=scope)
