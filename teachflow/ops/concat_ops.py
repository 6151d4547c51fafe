"""Joining tensors along an existing axis (concat), its inverse (split) and tile (concat of
copies of one tensor).

>>> import teachflow as tf
>>> t = tf.concat([tf.zeros([2, 3]), tf.ones([2, 1])], axis=1)
>>> print(t.shape, [str(p.shape) for p in tf.split(t, [1, 3], axis=1)], tf.tile(t, [2, 1]).shape)
(2, 4) ['(2, 1)', '(2, 3)'] (4, 4)
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import identity, rank, reshape, shape, size
from teachflow.ops.constant_op import convert_inputs, convert_to_tensor
from teachflow.ops.gather_ops import gather
from teachflow.ops.op_args import (
    check_same_dtypes,
    count_attr,
    graph_of,
    index_input,
    invalid_argument,
)
from teachflow.ops.sequence_ops import range_
from teachflow.ops.shape_inference import (
    Outs,
    known_int,
    known_ints,
    merge_shapes,
    shape_error,
)
from teachflow.ops.stack_ops import stack
from teachflow.ops.transpose_ops import transpose
from teachflow.tensor_shape import Dimension, TensorShape, bracket

# -- concat ------------------------------------------------------------------------------------

_CONCAT_HINT = "concatenated tensors must have the same shape except along `axis`."


def _concat_infer(op: Operation) -> Outs:
    *values, axis_t = op.inputs
    dt = values[0].dtype.base_dtype
    axis = known_int(axis_t)
    rank = next((v.shape.ndims for v in values if v.shape.ndims is not None), None)
    if rank is not None:
        for v in values:
            if v.shape.ndims is not None and v.shape.ndims != rank:
                raise shape_error(
                    op, f"Shape must be rank {rank} but is rank {v.shape.ndims}", _CONCAT_HINT
                )
        if rank == 0:
            raise shape_error(op, "Can't concatenate scalars (use tf.stack instead)", _CONCAT_HINT)
    if rank is None:
        return [(dt, TensorShape(None))]
    if axis is None:
        return [(dt, TensorShape([None] * rank))]
    if not -rank <= axis < rank:
        need = -axis if axis < 0 else axis + 1
        raise shape_error(
            op, f"Shape must be at least rank {need} but is rank {rank}", _CONCAT_HINT
        )
    a = axis + rank if axis < 0 else axis
    rest = TensorShape(None)
    total: int | None = 0
    for v in values:
        if v.shape.ndims is None:
            total = None
            continue
        dims = v.shape.as_list()
        d = dims[a]
        total = None if total is None or d is None else total + d
        rest = merge_shapes(op, rest, TensorShape(dims[:a] + dims[a + 1 :]), _CONCAT_HINT)
    out: list[int | None] = rest.as_list() if rest.ndims is not None else [None] * (rank - 1)
    out.insert(a, total)
    return [(dt, TensorShape(out))]


def _concat_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    *values, axis_t = op.inputs
    axis = known_int(axis_t)
    static = [
        v.shape.as_list()[axis] if v.shape.ndims is not None and axis is not None else None
        for v in values
    ]
    ax: Any = axis
    if axis is None:
        from teachflow.ops.math_ops import floormod

        ax = floormod(axis_t, rank(values[0]))
    if all(s is not None for s in static):
        sizes: Any = static
    else:
        sizes = stack([gather(shape(v), ax) for v in values])
    parts = split(grad, sizes, axis=ax, num=len(values))
    return [*parts, None]


@registry.define("ConcatV2", infer=_concat_infer, grad=_concat_grad)
def _concat_kernel(*args: np.ndarray) -> np.ndarray:
    """f(x1..xn, axis) = x1 ++ ... ++ xn along axis"""
    *xs, axis_v = args
    axis = int(axis_v)
    r = np.ndim(xs[0])
    if not -r <= axis < r:
        raise invalid_argument(
            f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got "
            f"{axis}",
            _CONCAT_HINT,
        )
    a = axis + r if axis < 0 else axis
    first = np.shape(xs[0])
    for i, x in enumerate(xs[1:], 1):
        s = np.shape(x)
        shapes = (
            f"shape[0] = {bracket(TensorShape(first))} vs. shape[{i}] = {bracket(TensorShape(s))}"
        )
        if len(s) != r:
            raise invalid_argument(
                f"ConcatOp : Ranks of all input tensors should match: {shapes}", _CONCAT_HINT
            )
        bad = [k for k in range(r) if k != a and s[k] != first[k]]
        if bad:
            raise invalid_argument(
                f"ConcatOp : Dimension {bad[0]} in both shapes must be equal: {shapes}",
                _CONCAT_HINT,
            )
    return np.concatenate(xs, axis=a)


def concat(values: Any, axis: Any = None, name: str = "concat") -> Tensor:
    """Joins tensors along an existing dimension ``axis``.

    The 0.x argument order ``tf.concat(concat_dim, values)`` is accepted too, when the first
    argument is an int and the second a list.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.concat([[1, 2], [3]], 0)).tolist()
    [1, 2, 3]
    """
    if isinstance(values, (int, np.integer)) and isinstance(axis, (list, tuple)):
        values, axis = axis, values  # 0.x order: concat(concat_dim, values)
    if axis is None:
        raise TypeError("concat() missing 1 required positional argument: 'axis'")
    if not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise ValueError(
            "List argument 'values' to 'ConcatV2' Op with length 0 shorter than minimum length "
            "2.\n  Hint: give tf.concat a list of the tensors to join."
        )
    g = graph_of(*values, axis)
    if len(values) == 1:
        with g.as_default(), g.name_scope(name):
            ax = convert_to_tensor(axis, name="concat_dim", dtype=dtypes.int32)
            if ax.shape.ndims not in (None, 0):
                raise ValueError(f"Shape {ax.shape} must have rank 0")
            return identity(values[0], name=name)
    with g.as_default(), g.name_scope(name) as scope:
        check_same_dtypes("ConcatV2", values)
        ts = convert_inputs(
            "ConcatV2", [(f"values_{i}", v) for i, v in enumerate(values)], any_tensor_decides=True
        )
        ax = index_input(axis, "axis", "axis", "ConcatV2")
        return registry.make1(
            "ConcatV2",
            [*ts, ax],
            {"N": len(ts), "T": ts[0].dtype.base_dtype, "Tidx": ax.dtype},
            scope,
        )


def concat_v2(values: Any, axis: Any, name: str = "concat_v2") -> Tensor:
    """0.12 name of :func:`concat` with the 1.x argument order."""
    return concat(values, axis, name)


# -- split -------------------------------------------------------------------------------------

_SPLIT_HINT = "the pieces must add up to the size of the split axis."


def _split_axis(op: Operation, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise shape_error(
            op,
            f"Dimension size, given by scalar input {axis} must be in range [{-rank}, {rank})",
            "axis counts the dimensions; negative values count from the end.",
        )
    return axis + rank if axis < 0 else axis


def _split_infer(op: Operation) -> Outs:
    axis_t, x = op.inputs
    n = op.attrs["num_split"]
    dt = x.dtype.base_dtype
    axis = known_int(axis_t)
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))] * n
    dims = x.shape.as_list()
    if axis is None:
        return [(dt, TensorShape([None] * len(dims)))] * n
    a = _split_axis(op, axis, len(dims))
    d = dims[a]
    if d is not None:
        if d % n:
            raise shape_error(
                op,
                f"Dimension size must be evenly divisible by {n} but is {d}\n\tNumber of ways to "
                "split should evenly divide the split dimension",
                "use a list of sizes (tf.split(x, [2, 3])) for uneven pieces.",
            )
        d //= n
    return [(dt, TensorShape(dims[:a] + [d] + dims[a + 1 :]))] * n


def _split_grad(op: Operation, *grads: Tensor) -> list[Tensor | None]:
    return [None, concat(list(grads), op.inputs[0])]


@registry.define("Split", infer=_split_infer, ctx=True, view=True, grad=_split_grad)
def _split_kernel(
    ctx: registry.KernelContext, axis: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, ...]:
    """f(axis, x) = n equal pieces of x along axis"""
    x = np.asarray(x)
    n = ctx.attrs["num_split"]
    a = int(axis)
    if not -x.ndim <= a < x.ndim:
        raise invalid_argument(
            f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {a}", _SPLIT_HINT
        )
    if x.shape[a] % n:
        raise invalid_argument(
            f"Number of ways to split should evenly divide the split dimension, but got "
            f"split_dim {a} (size = {x.shape[a]}) and num_split {n}",
            _SPLIT_HINT,
        )
    return tuple(np.split(x, n, axis=a))


def _split_sizes(sizes: list[int], d: int | None) -> list[int | None]:
    """Resolves one -1 in ``sizes``; raises ValueError(TF text) when they cannot fit ``d``."""
    unknown = [i for i, s in enumerate(sizes) if s == -1]
    if len(unknown) > 1:
        raise ValueError(
            "Only one dimensions can have a value of -1. Second one found at dimension "
            f"{unknown[1]}"
        )
    if d is None:
        return [None if s == -1 else s for s in sizes]
    known = sum(s for s in sizes if s != -1)
    if (unknown and known > d) or (not unknown and known != d) or any(s < -1 for s in sizes):
        raise ValueError(
            f"can't split axis of size {d} into pieces of size [{','.join(map(str, sizes))}]"
        )
    return [d - known if s == -1 else s for s in sizes]


def _splitv_infer(op: Operation) -> Outs:
    x, sizes_t, axis_t = op.inputs
    n = op.attrs["num_split"]
    dt = x.dtype.base_dtype
    axis, sizes = known_int(axis_t), known_ints(sizes_t)
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))] * n
    dims = x.shape.as_list()
    if axis is None:
        return [(dt, TensorShape([None] * len(dims)))] * n
    a = _split_axis(op, axis, len(dims))
    if sizes is None:
        return [(dt, TensorShape(dims[:a] + [None] + dims[a + 1 :]))] * n
    if len(sizes) != n:
        raise shape_error(op, f"Dimension must be {n} but is {len(sizes)}", _SPLIT_HINT)
    try:
        resolved = _split_sizes(sizes, dims[a])
    except ValueError as e:
        raise shape_error(op, str(e), _SPLIT_HINT) from None
    return [(dt, TensorShape(dims[:a] + [s] + dims[a + 1 :])) for s in resolved]


def _splitv_grad(op: Operation, *grads: Tensor) -> list[Tensor | None]:
    return [concat(list(grads), op.inputs[2]), None, None]


@registry.define("SplitV", infer=_splitv_infer, view=True, grad=_splitv_grad)
def _splitv_kernel(x: np.ndarray, sizes: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, ...]:
    """f(x, sizes, axis) = pieces of x of the given sizes along axis"""
    x = np.asarray(x)
    a = int(axis)
    if not -x.ndim <= a < x.ndim:
        raise invalid_argument(
            f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {a}", _SPLIT_HINT
        )
    try:
        resolved = _split_sizes([int(s) for s in np.asarray(sizes).reshape(-1)], x.shape[a])
    except ValueError as e:
        raise invalid_argument(str(e), _SPLIT_HINT) from None
    cuts = np.cumsum([int(s or 0) for s in resolved])[:-1]
    return tuple(np.split(x, cuts, axis=a))


def split(
    value: Any,
    num_or_size_splits: Any,
    axis: Any = 0,
    num: int | None = None,
    name: str = "split",
) -> list[Tensor]:
    """Splits ``value`` along ``axis`` into equal pieces (an int) or pieces of given sizes.

    The 0.x order ``tf.split(split_dim, num_split, value)`` is accepted when unambiguous (an
    int first and a tensor or list last).

    >>> import teachflow as tf
    >>> [t.shape.as_list() for t in tf.split(tf.zeros([5, 2]), [2, -1])]
    [[2, 2], [3, 2]]
    """
    if isinstance(value, (int, np.integer)) and not isinstance(axis, (int, np.integer)):
        value, axis = axis, value  # 0.x order: split(split_dim, num_split, value)
    g = graph_of(value, axis, num_or_size_splits)
    with g.as_default():
        if isinstance(num_or_size_splits, (numbers.Integral, Dimension)):
            n = count_attr(num_or_size_splits, "num_split", "Split", 1)
            with g.name_scope(name) as scope:
                ax = index_input(axis, "split_dim", "split_dim", "Split", ("int32",))
                x = convert_to_tensor(value, name="value")
                op = registry.make(
                    "Split", [ax, x], {"num_split": n, "T": x.dtype.base_dtype}, scope
                )
                return op.outputs
        sizes = convert_to_tensor(num_or_size_splits, preferred_dtype=dtypes.int32)
        if sizes.shape.ndims == 0:
            raise ValueError(
                "Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
                f"Argument provided: {num_or_size_splits}\n  Hint: pass a Python int (the "
                "number of equal pieces) or a list of piece sizes."
            )
        sizes = index_input(
            sizes, "size_splits", "size_splits", "SplitV", ("int8", "int32", "int64")
        )
        if num is None:
            num = sizes.shape[0].value if sizes.shape.ndims == 1 else None
            if num is None:
                raise ValueError(f"Cannot infer num from shape {num_or_size_splits}")
        with g.name_scope(name) as scope:
            x = convert_to_tensor(value, name="value")
            ax = index_input(axis, "split_dim", "split_dim", "SplitV", ("int32",))
            op = registry.make(
                "SplitV",
                [x, sizes, ax],
                {
                    "num_split": count_attr(num, "num_split", "SplitV", 1),
                    "T": x.dtype.base_dtype,
                    "Tlen": sizes.dtype,
                },
                scope,
            )
            return op.outputs


# -- tile ----------------------------------------------------------------------------------------


def _tile_infer(op: Operation) -> Outs:
    x, m = op.inputs
    dt = x.dtype.base_dtype
    mult = known_ints(m)
    n = m.shape[0].value if m.shape.ndims == 1 else None
    rank = x.shape.ndims
    if rank is not None and n is not None and n != rank:
        raise shape_error(
            op, f"Shape must be rank {rank} but is rank {n}", "give one multiple per dimension."
        )
    rank = rank if rank is not None else n
    if rank is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
    if mult is None:
        return [(dt, TensorShape([None] * rank))]
    # a negative multiple is reported by the kernel, at run time, as in TensorFlow
    out = [None if d is None or k < 0 else d * k for d, k in zip(dims, mult)]
    return [(dt, TensorShape(out))]


def _tile_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    from teachflow.ops.reduction_ops import reduce_sum

    x, multiples = op.inputs
    input_shape = shape(x, out_type=multiples.dtype)
    # interleave [m0, d0, m1, d1...]: summing the even axes undoes the tiling
    split_shape = reshape(transpose(stack([multiples, input_shape])), [-1])
    axes = range_(0, size(split_shape), 2)
    dx = reduce_sum(reshape(grad, split_shape), axes)
    dx.set_shape(x.shape)
    return [dx, None]


@registry.define("Tile", infer=_tile_infer, grad=_tile_grad)
def _tile_kernel(x: np.ndarray, multiples: np.ndarray) -> np.ndarray:
    """f(x, m) = x repeated m[i] times along dimension i"""
    x = np.asarray(x)
    m = [int(k) for k in np.asarray(multiples).reshape(-1)]
    if len(m) != x.ndim:
        raise invalid_argument(
            f"Expected multiples argument to be a vector of length {x.ndim} but got length "
            f"{len(m)}",
            "give one multiple per dimension.",
        )
    for i, k in enumerate(m):
        if k < 0:
            raise invalid_argument(
                f"Expected multiples[{i}] >= 0, but got {k}", "multiples count copies."
            )
    registry.check_alloc([d * k for d, k in zip(x.shape, m)], x.dtype)
    return np.tile(x, m) if m else x.copy()


def tile(input: Any, multiples: Any, name: str | None = None) -> Tensor:
    """Repeats ``input`` ``multiples[i]`` times along dimension i.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.tile([[1, 2]], [2, 2])).tolist()
    [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    g = graph_of(input, multiples)
    with g.as_default(), g.name_scope(name or "Tile") as scope:
        t = convert_to_tensor(input, name="input")
        m = index_input(multiples, "multiples", "multiples", "Tile")
        return registry.make1(
            "Tile", [t, m], {"T": t.dtype.base_dtype, "Tmultiples": m.dtype}, scope
        )
