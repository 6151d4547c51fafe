"""Taking blocks out of tensors: slice, its inverse pad, strided_slice and ``t[...]``.

``t[1:, ::-1, tf.newaxis, ..., 0]`` becomes one StridedSlice op named ``strided_slice``, as in
TensorFlow (Python's operators on tensors are listed in ``overloads.py``).

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, shape=[None, 3])
>>> print(x[:, 1:].shape, x[0].op.type)
(?, 2) StridedSlice
>>> tf.Session().run(tf.pad([[1]], [[1, 0], [0, 1]])).tolist()
[[0, 0], [1, 0]]
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import rank, reshape, shape
from teachflow.ops.concat_ops import concat
from teachflow.ops.constant_op import constant, convert_to_tensor, is_tensor
from teachflow.ops.fill_ops import ones_like
from teachflow.ops.op_args import (
    cast_if,
    graph_of,
    index_input,
    int_arg,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    known_ints,
    merge_shapes,
    shape_error,
)
from teachflow.ops.stack_ops import stack
from teachflow.tensor_shape import Dimension, TensorShape

newaxis = None  # ``tf.newaxis``: ``t[:, tf.newaxis]`` inserts a dimension of size 1


# -- slice, pad -------------------------------------------------------------------------

_SLICE_HINT = "begin + size must stay inside the tensor (size -1 = to the end)."


def _slice_infer(op: Operation) -> Outs:
    x, b, s = op.inputs
    dt = x.dtype.base_dtype
    n = next(
        (t.shape[0].value for t in (b, s) if t.shape.ndims == 1 and t.shape[0].value is not None),
        None,
    )
    rank = x.shape.ndims
    if rank is not None and n is not None and n != rank:
        raise shape_error(op, f"Shape must be rank {n} but is rank {rank}", _SLICE_HINT)
    rank = rank if rank is not None else n
    if rank is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
    begin, sizes = known_ints(b), known_ints(s)
    if sizes is None:
        return [(dt, TensorShape([None] * rank))]
    out: list[int | None] = []
    for i, (d, k) in enumerate(zip(dims, sizes)):
        if k == -1:
            bi = None if begin is None else begin[i]
            out.append(None if d is None or bi is None else d - bi)
        elif k < -1:
            raise shape_error(op, f"Invalid value in tensor used for shape: {k}", _SLICE_HINT)
        else:
            out.append(k)
    return [(dt, TensorShape(out))]


def _slice_index(x: np.ndarray, begin: np.ndarray, size: np.ndarray) -> tuple[slice, ...]:
    b = [int(v) for v in np.asarray(begin).reshape(-1)]
    s = [int(v) for v in np.asarray(size).reshape(-1)]
    if len(b) != x.ndim or len(s) != x.ndim:
        raise invalid_argument(
            f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but got "
            f"shapes [{len(b)}] and [{len(s)}] instead.",
            _SLICE_HINT,
        )
    index = []
    for i, (d, bi, si) in enumerate(zip(x.shape, b, s)):
        if si == -1:
            si = d - bi
        if not 0 <= bi <= d or not 0 <= si <= d - bi:
            raise invalid_argument(
                f"Expected size[{i}] in [0, {d - bi}], but got {si}"
                if 0 <= bi <= d
                else f"Expected begin[{i}] in [0, {d}], but got {bi}",
                _SLICE_HINT,
            )
        index.append(slice(bi, bi + si))
    return tuple(index)


def _slice_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    from teachflow.ops.math_ops import subtract

    x, begin, _ = op.inputs
    index_dtype = begin.dtype.base_dtype
    pad_shape = stack([rank(x), 1])
    before = reshape(begin, pad_shape)
    left = subtract(shape(x, out_type=index_dtype), shape(op.outputs[0], out_type=index_dtype))
    after = reshape(subtract(left, begin), pad_shape)
    return [pad(grad, concat([before, after], 1)), None, None]


@registry.define("Slice", infer=_slice_infer, view=True, grad=_slice_grad)
def _slice_kernel(x: np.ndarray, begin: np.ndarray, size: np.ndarray) -> np.ndarray:
    """f(x, b, s) = x[b0:b0+s0, b1:b1+s1, ...]"""
    x = np.asarray(x)
    return x[_slice_index(x, begin, size)]


def slice_(input_: Any, begin: Any, size: Any, name: str | None = None) -> Tensor:
    """The block of ``input_`` starting at ``begin`` with shape ``size`` (-1: to the end).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.slice([[1, 2, 3], [4, 5, 6]], [0, 1], [-1, 2])).tolist()
    [[2, 3], [5, 6]]
    """
    g = graph_of(input_, begin, size)
    with g.as_default(), g.name_scope(name or "Slice") as scope:
        t = convert_to_tensor(input_, name="input")
        b = index_input(begin, "begin", "Index", "Slice")
        s = convert_to_tensor(size, dtype=b.dtype if not is_tensor(size) else None, name="size")
        return registry.make1(
            "Slice", [t, b, s], {"T": t.dtype.base_dtype, "Index": b.dtype}, scope
        )


_PAD_HINT = "paddings is a [rank, 2] list: [[before, after] for each dimension]."


def _pad_infer(op: Operation) -> Outs:
    x, p = op.inputs[0], op.inputs[1]
    dt = x.dtype.base_dtype
    if p.shape.ndims is not None and p.shape.ndims != 2:
        raise shape_error(op, f"Shape must be rank 2 but is rank {p.shape.ndims}", _PAD_HINT)
    n = p.shape[0].value if p.shape.ndims == 2 else None
    if p.shape.ndims == 2 and p.shape[1].value not in (None, 2):
        raise shape_error(
            op,
            f"Dimension 1 in both shapes must be equal, but are {p.shape[1].value} and 2",
            _PAD_HINT,
        )
    rank = x.shape.ndims
    if rank is not None and n is not None and n != rank:
        raise shape_error(op, f"Shape must be rank {n} but is rank {rank}", _PAD_HINT)
    rank = rank if rank is not None else n
    if rank is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
    pads = known_ints(p)
    if pads is None:
        return [(dt, TensorShape([None] * rank))]
    if any(k < 0 for k in pads):
        raise shape_error(op, "Paddings must be non-negative", _PAD_HINT)
    return [
        (
            dt,
            TensorShape(
                [
                    None if d is None else d + pads[2 * i] + pads[2 * i + 1]
                    for i, d in enumerate(dims)
                ]
            ),
        )
    ]


def _pad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x, a = op.inputs[0], op.inputs[1]
    before = slice_(a, [0, 0], stack([rank(x), 1]))
    begin = reshape(before, [-1])
    dx = slice_(grad, begin, shape(x, out_type=begin.dtype))
    return [dx] + [None] * (len(op.inputs) - 1)


def _pad_kernel_impl(x: np.ndarray, paddings: np.ndarray, value: Any) -> np.ndarray:
    x = np.asarray(x)
    p = np.asarray(paddings).reshape(-1, 2)
    if p.shape[0] != x.ndim:
        raise invalid_argument(
            f"The first dimension of paddings must be the rank of inputs[{p.shape[0]},2] "
            f"{list(x.shape)}",
            _PAD_HINT,
        )
    if np.any(p < 0):
        raise invalid_argument(f"Paddings must be non-negative: {p.tolist()}", _PAD_HINT)
    return np.pad(x, [(int(a), int(b)) for a, b in p], constant_values=value)


@registry.define("Pad", infer=_pad_infer, grad=_pad_grad)
def _pad_kernel(x: np.ndarray, paddings: np.ndarray) -> np.ndarray:
    """f(x, p) = x with p[i][0] zeros before and p[i][1] after along dimension i"""
    x = np.asarray(x)
    return _pad_kernel_impl(x, paddings, b"" if x.dtype == object else np.zeros((), x.dtype))


@registry.define("PadV2", infer=_pad_infer, grad=_pad_grad)
def _pad_v2_kernel(x: np.ndarray, paddings: np.ndarray, value: np.ndarray) -> np.ndarray:
    """f(x, p, c) = x with p[i][0] copies of c before and p[i][1] after along dimension i"""
    return _pad_kernel_impl(x, paddings, value)


def _mirror_sources(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of a mirror-padded axis of size n, the index it copies."""
    limit = n - 1 if mode == "REFLECT" else n
    for k in (before, after):
        if k < 0:
            raise invalid_argument(f"Paddings must be non-negative: {before} {after}", _PAD_HINT)
        if k > limit:
            relation = "less than" if mode == "REFLECT" else "no greater than"
            verb = "not less than" if mode == "REFLECT" else "greater than"
            raise invalid_argument(
                f"paddings must be {relation} the dimension size: {before}, {after} {verb} {n}",
                "REFLECT pads at most size-1 elements on a side, SYMMETRIC at most size.",
            )
    return np.pad(np.arange(n), (before, after), mode=mode.lower())  # type: ignore[call-overload,no-any-return]


def _mirror_pads(x: np.ndarray, paddings: np.ndarray) -> list[tuple[int, int]]:
    p = np.asarray(paddings).reshape(-1, 2)
    if p.shape[0] != x.ndim:
        raise invalid_argument(
            f"The first dimension of paddings must be the rank of inputs[{p.shape[0]},2] "
            f"{list(x.shape)}",
            _PAD_HINT,
        )
    return [(int(a), int(b)) for a, b in p]


def _mirror_pad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    attrs = {"T": grad.dtype.base_dtype, "Tpaddings": op.inputs[1].dtype, "mode": op.attrs["mode"]}
    dx = registry.make1("MirrorPadGrad", [grad, op.inputs[1]], attrs, "MirrorPadGrad")
    dx.set_shape(op.inputs[0].shape)
    return [dx, None]


@registry.define("MirrorPad", infer=_pad_infer, ctx=True, grad=_mirror_pad_grad)
def _mirror_pad_kernel(ctx: registry.KernelContext, x: np.ndarray, paddings: np.ndarray) -> Any:
    """f(x, p) = x with its edges mirrored outwards: REFLECT [1 2 3] -> [2 1 2 3 2],
    SYMMETRIC [1 2 3] -> [1 1 2 3 3]"""
    x = np.asarray(x)
    out = x
    for axis, (a, b) in enumerate(_mirror_pads(x, paddings)):
        out = np.take(out, _mirror_sources(x.shape[axis], a, b, ctx.attrs["mode"]), axis=axis)
    return out


def _mirror_pad_grad_infer(op: Operation) -> Outs:
    dy, p = op.inputs
    dt = dy.dtype.base_dtype
    pads = known_ints(p)
    if dy.shape.ndims is None or pads is None:
        n = dy.shape.ndims
        return [(dt, TensorShape(None if n is None else [None] * n))]
    dims = dy.shape.as_list()
    return [
        (
            dt,
            TensorShape(
                [
                    None if d is None else d - pads[2 * i] - pads[2 * i + 1]
                    for i, d in enumerate(dims)
                ]
            ),
        )
    ]


def _mirror_pad_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    attrs = {"T": grad.dtype.base_dtype, "Tpaddings": op.inputs[1].dtype, "mode": op.attrs["mode"]}
    return [registry.make1("MirrorPad", [grad, op.inputs[1]], attrs, "MirrorPad"), None]


@registry.define(
    "MirrorPadGrad", infer=_mirror_pad_grad_infer, ctx=True, grad=_mirror_pad_grad_grad
)
def _mirror_pad_grad_kernel(
    ctx: registry.KernelContext, dy: np.ndarray, paddings: np.ndarray
) -> np.ndarray:
    """f(dy, p) = dy with each mirrored element added back onto the element it copies"""
    dy = np.asarray(dy)
    out = dy
    for axis, (a, b) in enumerate(_mirror_pads(dy, paddings)):
        n = out.shape[axis] - a - b
        src = _mirror_sources(n, a, b, ctx.attrs["mode"])
        folded = np.zeros(out.shape[:axis] + (n,) + out.shape[axis + 1 :], dtype=dy.dtype)
        np.add.at(np.moveaxis(folded, axis, 0), src, np.moveaxis(out, axis, 0))
        out = folded
    return out


def pad(
    tensor: Any,
    paddings: Any,
    mode: str = "CONSTANT",
    name: str | None = None,
    constant_values: Any = 0,
) -> Tensor:
    """Pads ``tensor`` with ``constant_values``: ``paddings[i] = [before, after]``.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.pad([[1]], [[1, 0], [0, 1]])).tolist()
    [[0, 0], [1, 0]]
    """
    if not isinstance(mode, str):
        raise TypeError(
            f"Value of argument `mode` must be a string, got {mode!r} of type "
            f"{type(mode).__name__}.\n  Hint: write mode='CONSTANT' (the default)."
        )
    if mode.upper() not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(
            'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or '
            f'"SYMMETRIC". Received `mode` = {mode.upper()}\n  Hint: padding modes are '
            "CONSTANT (the default), REFLECT and SYMMETRIC."
        )
    g = graph_of(tensor, paddings)
    if mode.upper() != "CONSTANT":
        # constant_values is not used by the mirror modes (as in TensorFlow)
        with g.as_default(), g.name_scope(name or "MirrorPad") as scope:
            t = convert_to_tensor(tensor, name="input")
            p = index_input(paddings, "paddings", "paddings", "MirrorPad")
            attrs = {"T": t.dtype.base_dtype, "Tpaddings": p.dtype, "mode": mode.upper()}
            return registry.make1("MirrorPad", [t, p], attrs, scope)
    zero = not is_tensor(constant_values) and np.all(np.asarray(constant_values) == 0)
    with g.as_default(), g.name_scope(name or ("Pad" if zero else "PadV2")) as scope:
        t = convert_to_tensor(tensor, name="input")
        p = index_input(paddings, "paddings", "paddings", "Pad")
        attrs = {"T": t.dtype.base_dtype, "Tpaddings": p.dtype}
        if zero:
            out = registry.make1("Pad", [t, p], attrs, scope)
        else:
            c = convert_to_tensor(constant_values, dtype=t.dtype.base_dtype, name="constant_values")
            out = registry.make1("PadV2", [t, p, c], attrs, scope)
    return out


# -- strided slice: t[1:, ::-1, tf.newaxis, ..., 0] ------------------------------------------------

_STRIDED_HINT = "each index must fall inside its dimension (negative indices count from the end)."
_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


class _Dense:
    """One output-producing item of a strided slice, in output order.

    ``kind`` is "new" (tf.newaxis), "shrink" (an int index: no output dimension) or "range"
    (a slice); ``index`` is the numpy index for the input dimension, None when unknown.
    """

    __slots__ = ("kind", "index", "size")

    def __init__(self, kind: str, index: Any = None, size: int | None = None) -> None:
        self.kind, self.index, self.size = kind, index, size


def _strided_items(
    dims: Sequence[int | None],
    begin: list[int] | None,
    end: list[int] | None,
    strides: list[int],
    masks: dict[str, int],
) -> list[_Dense]:
    """TensorFlow's sparse-to-dense slice spec, with numpy's (and TF's) clamping rules.

    Raises ValueError with TensorFlow's text; unknown ``dims``/``begin``/``end`` give unknown
    sizes where TensorFlow's shape inference cannot tell either.
    """
    bm, em, elm, nm, sm = (masks[k] for k in _MASKS)
    n = len(strides)
    ellipses = [i for i in range(n) if elm >> i & 1]
    if len(ellipses) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    ell_pos = ellipses[0] if ellipses else n  # no ellipsis: an implicit one at the end
    total = n if ellipses else n + 1
    new_after = sum(1 for i in range(ell_pos + 1, n) if nm >> i & 1)
    rank = len(dims)
    items: list[_Dense] = []
    j = 0
    for i in range(total):
        if i == ell_pos:
            stop = min(rank - (total - i) + 1 + new_after, rank)
            while j < stop:
                items.append(_Dense("range", slice(None), dims[j]))
                j += 1
            continue
        if nm >> i & 1:
            items.append(_Dense("new", None, 1))
            continue
        if rank == 0:
            raise ValueError("Attempting to slice scalar input.")
        if j >= rank:
            raise ValueError(f"Index out of range using input dim {j}; input has only {rank} dims")
        d, s = dims[j], strides[i]
        if s == 0:
            raise ValueError(f"strides[{i}] must be non-zero")
        if sm >> i & 1:
            idx = None
            if d is not None and begin is not None:
                b = begin[i]
                idx = b + d if b < 0 else b
                if not 0 <= idx < d:
                    # TensorFlow names the index after adding the size to a negative one
                    raise ValueError(f"slice index {idx} of dimension {j} out of bounds.")
            items.append(_Dense("shrink", idx))
        else:
            items.append(_range_item(d, begin, end, i, s, bool(bm >> i & 1), bool(em >> i & 1)))
        j += 1
    return items


def _range_item(
    d: int | None,
    begin: list[int] | None,
    end: list[int] | None,
    i: int,
    s: int,
    bmask: bool,
    emask: bool,
) -> _Dense:
    if d is None:
        return _Dense("range")
    if begin is None or end is None:
        if bmask and emask:
            return _Dense("range", slice(None, None, s), (d + abs(s) - 1) // abs(s))
        return _Dense("range")
    lo, hi = (0, d) if s > 0 else (-1, d - 1)

    def canonical(x: int, masked: bool, first: bool) -> int:
        if masked:
            return (lo if s > 0 else hi) if first else (hi if s > 0 else lo)
        x = x + d if x < 0 else x
        return min(max(x, lo), hi)

    b, e = canonical(begin[i], bmask, True), canonical(end[i], emask, False)
    interval = e - b
    if interval == 0 or (interval < 0) != (s < 0):
        return _Dense("range", slice(0, 0), 0)
    size = (abs(interval) + abs(s) - 1) // abs(s)
    return _Dense("range", slice(b, None if e < 0 else e, s), size)


def _strided_infer(op: Operation) -> Outs:
    x, b, e, s = op.inputs
    dt = x.dtype.base_dtype
    hint = "give begin, end and strides one entry per indexed dimension."
    for t in (b, e, s):
        if t.shape.ndims not in (None, 1):
            raise shape_error(op, f"Shape must be rank 1 but is rank {t.shape.ndims}", hint)
    merge_shapes(op, merge_shapes(op, b.shape, e.shape, hint), s.shape, hint)
    strides = known_ints(s)
    if x.shape.ndims is None or strides is None:
        return [(dt, TensorShape(None))]
    masks = {k: op.attrs[k] for k in _MASKS}
    try:
        items = _strided_items(x.shape.as_list(), known_ints(b), known_ints(e), strides, masks)
    except ValueError as err:
        raise shape_error(op, str(err), _STRIDED_HINT) from None
    return [(dt, TensorShape([it.size for it in items if it.kind != "shrink"]))]


def _numpy_index(
    ctx: registry.KernelContext, x: np.ndarray, b: Any, e: Any, s: Any
) -> tuple[Any, ...]:
    as_list = lambda v: [int(k) for k in np.asarray(v).reshape(-1)]  # noqa: E731
    try:
        items = _strided_items(x.shape, as_list(b), as_list(e), as_list(s), ctx.attrs)
    except ValueError as err:
        raise invalid_argument(str(err), _STRIDED_HINT) from None
    # the trailing Ellipsis spans no dimension: it only keeps 0-d results arrays
    return (*(it.index for it in items), Ellipsis)


def _strided_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x, b, e, s = op.inputs
    masks = {k: op.attrs[k] for k in _MASKS}
    dx = registry.make1(
        "StridedSliceGrad",
        [shape(x, out_type=b.dtype), b, e, s, grad],
        {"T": grad.dtype.base_dtype, "Index": b.dtype.base_dtype, **masks},
        "StridedSliceGrad",
    )
    dx.set_shape(x.shape)
    return [dx, None, None, None]


@registry.define("StridedSlice", infer=_strided_infer, ctx=True, view=True, grad=_strided_grad)
def _strided_kernel(
    ctx: registry.KernelContext, x: np.ndarray, b: Any, e: Any, s: Any
) -> np.ndarray:
    """f(x, b, e, s) = x[b0:e0:s0, b1:e1:s1, ...] (masks: ..., tf.newaxis, int indices)"""
    x = np.asarray(x)
    return x[_numpy_index(ctx, x, b, e, s)]  # type: ignore[no-any-return]


def _strided_grad_infer(op: Operation) -> Outs:
    shp, dy = op.inputs[0], op.inputs[4]
    known = known_ints(shp)
    if known is not None:
        return [(dy.dtype.base_dtype, TensorShape(known))]
    n = shp.shape[0].value if shp.shape.ndims == 1 else None
    return [(dy.dtype.base_dtype, TensorShape(None if n is None else [None] * n))]


def _strided_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    _, b, e, s, _ = op.inputs
    masks = {k: op.attrs[k] for k in _MASKS}
    return [None, None, None, None, strided_slice(grad, b, e, s, **masks)]


@registry.define("StridedSliceGrad", infer=_strided_grad_infer, ctx=True, grad=_strided_grad_grad)
def _strided_grad_kernel(
    ctx: registry.KernelContext, shp: Any, b: Any, e: Any, s: Any, dy: np.ndarray
) -> np.ndarray:
    """f(shape, b, e, s, dy) = zeros(shape) with dy written at x[b:e:s]"""
    out = np.zeros([int(d) for d in np.asarray(shp).reshape(-1)], dtype=np.asarray(dy).dtype)
    out[_numpy_index(ctx, out, b, e, s)] = dy
    return out


def strided_slice(
    input_: Any,
    begin: Any,
    end: Any,
    strides: Any = None,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
    var: Any = None,
    name: str | None = None,
) -> Tensor:
    """``input_[begin:end:strides]`` per dimension; bit i of a mask changes entry i.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.strided_slice([1, 2, 3, 4], [3], [0], [-1])).tolist()
    [4, 3, 2]
    """
    g = graph_of(input_, begin, end, strides)
    with g.as_default():
        if strides is None:
            strides = ones_like(begin)
        with g.name_scope(name or "StridedSlice") as scope:
            t = convert_to_tensor(input_, name="input")
            b = index_input(begin, "begin", "Index", "StridedSlice")
            e = index_input(end, "end", "Index", "StridedSlice")
            s = index_input(strides, "strides", "Index", "StridedSlice")
            given = (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask)
            # None is 0, as in TensorFlow
            masks = {k: 0 if m is None else int_arg(m, k) for k, m in zip(_MASKS, given)}
            return registry.make1(
                "StridedSlice",
                [t, b, e, s],
                {"T": t.dtype.base_dtype, "Index": b.dtype, **masks},
                scope,
            )


_SLICE_TYPE_ERROR = (
    "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
    "tf.int32/tf.int64 tensors are valid indices"
)


def _check_index(idx: Any) -> None:
    if isinstance(idx, (numbers.Integral, Dimension)) and not isinstance(idx, bool):
        return
    dt = getattr(idx, "dtype", None)
    ok = is_tensor(idx) and dt is not None and dt.base_dtype in (dtypes.int32, dtypes.int64)
    if not ok or getattr(idx, "shape", TensorShape([])).ndims not in (None, 0):
        raise TypeError(
            f"{_SLICE_TYPE_ERROR}, got {idx!r}\n  Hint: index with ints and slices, e.g. t[0], "
            "t[1:3], t[:, ::-1]; use tf.gather for a list of indices."
        )


def _undefined(x: Any) -> bool:
    return x is None or (isinstance(x, Dimension) and x.value is None)


def slice_helper(tensor: Any, slice_spec: Any, var: Any = None) -> Tensor:
    """``tensor[slice_spec]``: numpy-style indexing as one StridedSlice op ("strided_slice").

    >>> import teachflow as tf
    >>> t = tf.zeros([4, 5, 6])
    >>> print(t[1, ..., ::2].shape, t[:, tf.newaxis, -1].shape)
    (5, 3) (4, 1, 6)
    """
    if (
        isinstance(slice_spec, bool)
        or (isinstance(slice_spec, Tensor) and slice_spec.dtype.base_dtype == dtypes.bool_)
        or (isinstance(slice_spec, np.ndarray) and slice_spec.dtype == bool)
    ):
        from teachflow.ops.where_ops import boolean_mask  # where_ops imports this module

        return boolean_mask(tensor, slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin: list[Any] = []
    end: list[Any] = []
    strides: list[Any] = []
    masks = dict.fromkeys(_MASKS, 0)
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, slice):
            for value, out, mask, default in (
                (s.start, begin, "begin_mask", 0),
                (s.stop, end, "end_mask", 0),
            ):
                if _undefined(value):
                    out.append(default)
                    masks[mask] |= bit
                else:
                    _check_index(value)
                    out.append(int(value) if isinstance(value, Dimension) else value)
            if _undefined(s.step):
                strides.append(1)
            else:
                _check_index(s.step)
                strides.append(s.step)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["ellipsis_mask"] |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["new_axis_mask"] |= bit
        else:
            _check_index(s)
            s = int(s) if isinstance(s, (Dimension, np.integer)) else s
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
    g = graph_of(tensor, *begin, *end, *strides)
    with g.as_default(), g.name_scope("strided_slice") as scope:
        if begin:
            packed = [stack(begin), stack(end), stack(strides)]
            if any(p.dtype.base_dtype == dtypes.int64 for p in packed):
                packed = [cast_if(p, dtypes.int64) for p in packed]
        else:
            empty = constant([], dtype=dtypes.int32)
            packed = [empty, empty, empty]
        return strided_slice(
            tensor,
            packed[0],
            packed[1],
            packed[2],
            begin_mask=masks["begin_mask"],
            end_mask=masks["end_mask"],
            ellipsis_mask=masks["ellipsis_mask"],
            new_axis_mask=masks["new_axis_mask"],
            shrink_axis_mask=masks["shrink_axis_mask"],
            var=var,
            name=scope,
        )
