"""Picking by index: gather, gather_nd, their inverse scatter_nd, and one_hot.

>>> import teachflow as tf
>>> p = tf.constant([[1, 2], [3, 4], [5, 6]])
>>> sess = tf.Session()
>>> sess.run(tf.gather(p, [2, 0])).tolist(), sess.run(tf.gather_nd(p, [[1, 1]])).tolist()
([[5, 6], [1, 2]], [4])
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import expand_dims, shape
from teachflow.ops.constant_op import constant, convert_to_tensor, is_tensor
from teachflow.ops.op_args import (
    graph_of,
    index_input,
    int_arg,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    known_int,
    known_ints,
    shape_error,
)
from teachflow.ops.transpose_ops import transpose
from teachflow.tensor_shape import TensorShape, bracket

# -- gather, gather_nd, scatter_nd -----------------------------------------------------------

_GATHER_HINT = "every index must be in [0, size of the gathered axis)."


def _gather_infer(op: Operation) -> Outs:
    params, indices, axis_t = op.inputs
    dt = params.dtype.base_dtype
    axis = known_int(axis_t)
    if params.shape.ndims is None or indices.shape.ndims is None:
        return [(dt, TensorShape(None))]
    rank = params.shape.ndims
    if axis is None:
        return [(dt, TensorShape([None] * (rank + indices.shape.ndims - 1)))]
    if axis >= rank:
        raise shape_error(
            op, f"Shape must be at least rank {axis + 1} but is rank {rank}", _GATHER_HINT
        )
    if axis < -rank:
        raise shape_error(
            op, f"Expected axis in the range [{-rank}, {rank}), but got {axis}", _GATHER_HINT
        )
    a = axis + rank if axis < 0 else axis
    dims = params.shape.as_list()
    return [(dt, TensorShape(dims[:a] + indices.shape.as_list() + dims[a + 1 :]))]


def _check_indices(indices: np.ndarray, limit: int) -> None:
    bad = np.argwhere((indices < 0) | (indices >= limit))
    if bad.size:
        pos = tuple(int(k) for k in bad[0])
        where = ",".join(map(str, pos))
        raise invalid_argument(
            f"indices[{where}] = {indices[pos]} is not in [0, {limit})", _GATHER_HINT
        )


def _gather_grad(op: Operation, grad: Any) -> list[Any]:
    """Along axis 0 the gradient is an IndexedSlices: the rows of ``grad`` at ``indices``
    (TensorFlow's names: ``Shape``, ``Size``, ``ExpandDims``, ``concat``, ``Reshape``...)."""
    from teachflow.indexed_slices import IndexedSlices, dense_or_self
    from teachflow.ops.array_ops import reshape, size
    from teachflow.ops.concat_ops import concat

    params, indices, axis_t = op.inputs
    grad = dense_or_self(grad)
    axis = known_int(axis_t)
    p_rank, i_rank = params.shape.ndims, indices.shape.ndims
    if axis is None or (axis != 0 and (p_rank is None or i_rank is None)):
        raise NotImplementedError(
            "teachflow differentiates tf.gather along a non-zero axis only when the axis and "
            "the ranks of params and indices are known while building."
        )
    if axis == 0:
        params_shape = shape(params)
        indices_size = expand_dims(size(indices), 0)
        values_shape = concat([indices_size, params_shape[1:]], 0)
        values = reshape(grad, values_shape)
        return [IndexedSlices(values, reshape(indices, indices_size), params_shape), None, None]
    idx = expand_dims(indices, -1)
    dense_shape = shape(params, out_type=indices.dtype)
    assert p_rank is not None and i_rank is not None
    a = axis + p_rank if axis < 0 else axis
    # bring the indexed dimensions to the front, scatter, then move the axis back
    front = (
        list(range(a, a + i_rank)) + list(range(a)) + list(range(a + i_rank, p_rank + i_rank - 1))
    )
    moved = transpose(grad, front)
    order = [a, *range(a), *range(a + 1, p_rank)]
    dense = scatter_nd(idx, moved, gather(dense_shape, order))
    back = [*range(1, a + 1), 0, *range(a + 1, p_rank)]
    return [transpose(dense, back), None, None]


@registry.define("GatherV2", infer=_gather_infer, grad=_gather_grad)
def _gather_kernel(params: np.ndarray, indices: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """f(p, i, axis) = p[..., i, ...] (i picks along axis)"""
    params, indices = np.asarray(params), np.asarray(indices)
    a = int(axis)
    if not -params.ndim <= a < params.ndim:
        raise invalid_argument(
            f"Expected axis in the range [{-params.ndim}, {params.ndim}), but got {a}", _GATHER_HINT
        )
    a = a + params.ndim if a < 0 else a
    _check_indices(indices, params.shape[a])
    return np.take(params, indices, axis=a)


def gather(
    params: Any,
    indices: Any,
    validate_indices: Any = None,
    name: str | None = None,
    axis: Any = None,
    batch_dims: int = 0,
) -> Tensor:
    """Picks slices of ``params`` along ``axis`` at ``indices``: f(p, i) = p[i].

    >>> import teachflow as tf
    >>> tf.Session().run(tf.gather([[1, 2], [3, 4], [5, 6]], [2, 0])).tolist()
    [[5, 6], [1, 2]]
    """
    if batch_dims != 0:
        raise NotImplementedError("teachflow's tf.gather supports batch_dims=0 only.")
    g = graph_of(params, indices, axis)
    with g.as_default(), g.name_scope(name or "GatherV2") as scope:
        p = convert_to_tensor(params, name="params")
        i = index_input(indices, "indices", "indices", "GatherV2", ("int16", "int32", "int64"))
        a = index_input(0 if axis is None else axis, "axis", "axis", "GatherV2")
        attrs = {
            "batch_dims": 0,
            "Tparams": p.dtype.base_dtype,
            "Tindices": i.dtype,
            "Taxis": a.dtype,
        }
        return registry.make1("GatherV2", [p, i, a], attrs, scope)


def _gather_nd_infer(op: Operation) -> Outs:
    params, indices = op.inputs
    dt = params.dtype.base_dtype
    if indices.shape.ndims is None or params.shape.ndims is None:
        return [(dt, TensorShape(None))]
    idx = indices.shape.as_list()
    k = idx[-1] if idx else None
    if k is None:
        return [(dt, TensorShape(None))]
    if k > params.shape.ndims:
        raise shape_error(
            op,
            "indices.shape[-1] must be <= params.rank, but saw indices shape: "
            f"{bracket(indices.shape)} and params shape: {bracket(params.shape)}",
            _GATHER_HINT,
        )
    return [(dt, TensorShape(idx[:-1] + params.shape.as_list()[k:]))]


def _gather_nd_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    params, indices = op.inputs
    return [scatter_nd(indices, grad, shape(params, out_type=indices.dtype)), None]


def _nd_index(indices: np.ndarray, target: tuple[int, ...], what: str) -> tuple[np.ndarray, ...]:
    k = indices.shape[-1]
    flat = indices.reshape(-1, k)
    for n, row in enumerate(flat):
        if any(not 0 <= int(v) < d for v, d in zip(row, target)):
            where = (
                ",".join(map(str, np.unravel_index(n, indices.shape[:-1])))
                if indices.ndim > 1
                else "0"
            )
            raise invalid_argument(
                f"indices[{where}] = [{', '.join(map(str, row.tolist()))}] does not index into "
                f"{what} {bracket(TensorShape(list(target)))}",
                _GATHER_HINT,
            )
    return tuple(indices[..., j] for j in range(k))


@registry.define("GatherNd", infer=_gather_nd_infer, grad=_gather_nd_grad)
def _gather_nd_kernel(params: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """f(p, i) = p[i[..., 0], i[..., 1], ...]"""
    params, indices = np.asarray(params), np.asarray(indices)
    index: tuple[Any, ...] = _nd_index(indices, params.shape, "param shape")
    return params[index + (Ellipsis,)]  # type: ignore[no-any-return]


def gather_nd(params: Any, indices: Any, name: str | None = None, batch_dims: int = 0) -> Tensor:
    """Picks elements (or slices) of ``params`` at index tuples: f(p, i) = p[i[0], i[1], ...].

    >>> import teachflow as tf
    >>> tf.Session().run(tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]])).tolist()
    [3, 2]
    """
    if batch_dims != 0:
        raise NotImplementedError("teachflow's tf.gather_nd supports batch_dims=0 only.")
    g = graph_of(params, indices)
    with g.as_default(), g.name_scope(name or "GatherNd") as scope:
        p = convert_to_tensor(params, name="params")
        i = index_input(indices, "indices", "indices", "GatherNd")
        return registry.make1(
            "GatherNd", [p, i], {"Tparams": p.dtype.base_dtype, "Tindices": i.dtype}, scope
        )


def _scatter_nd_infer(op: Operation) -> Outs:
    indices, updates, shp = op.inputs
    known = known_ints(shp)
    dt = updates.dtype.base_dtype
    if known is None:
        n = shp.shape[0].value if shp.shape.ndims == 1 else None
        return [(dt, TensorShape(None if n is None else [None] * n))]
    if indices.shape.ndims is not None and updates.shape.ndims is not None:
        idx = indices.shape.as_list()
        k = idx[-1] if idx else None
        if k is not None:
            want = TensorShape(idx[:-1] + known[k:])
            if not want.is_compatible_with(updates.shape):
                raise shape_error(
                    op,
                    f"Dimensions [{len(idx) - 1},{updates.shape.ndims}) of "
                    f"updates[shape={bracket(updates.shape)}] = {bracket(updates.shape)} must "
                    "match dimensions of indices and shape "
                    f"{bracket(want)}",
                    "updates must have shape indices.shape[:-1] + shape[indices.shape[-1]:].",
                )
    return [(dt, TensorShape(known))]


def _scatter_nd_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    return [None, gather_nd(grad, op.inputs[0]), None]


@registry.define("ScatterNd", infer=_scatter_nd_infer, grad=_scatter_nd_grad)
def _scatter_nd_kernel(indices: np.ndarray, updates: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """f(i, u, shape) = zeros(shape) with u added at the index tuples i (repeats add up)"""
    indices, updates = np.asarray(indices), np.asarray(updates)
    target = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    out = np.zeros(target, dtype=updates.dtype)
    np.add.at(out, _nd_index(indices, target, "shape"), updates)
    return out


def scatter_nd(indices: Any, updates: Any, shape: Any, name: str | None = None) -> Tensor:
    """A tensor of zeros of ``shape`` with ``updates`` added at ``indices`` (repeats add up).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.scatter_nd([[1], [1], [3]], [1.0, 2.0, 5.0], [4])).tolist()
    [0.0, 3.0, 0.0, 5.0]
    """
    g = graph_of(indices, updates, shape)
    with g.as_default(), g.name_scope(name or "ScatterNd") as scope:
        i = index_input(indices, "indices", "indices", "ScatterNd")
        u = convert_to_tensor(updates, name="updates")
        s = convert_to_tensor(shape, dtype=None if is_tensor(shape) else i.dtype, name="shape")
        if s.dtype.base_dtype != i.dtype:
            raise TypeError(
                f"Input 'shape' of 'ScatterNd' Op has type {s.dtype.base_dtype.name} that does not "
                f"match type {i.dtype.name} of argument 'indices'.\n  Hint: give shape as a list "
                "of ints (or tf.cast it to the indices' dtype)."
            )
        return registry.make1(
            "ScatterNd", [i, u, s], {"T": u.dtype.base_dtype, "Tindices": i.dtype}, scope
        )


# -- unsorted_segment_sum (densifies IndexedSlices) and unique --------------------------------

_SEGMENT_HINT = "segment_ids pick the output row of each row of data; negative ids are dropped."


def _segment_sum_infer(op: Operation) -> Outs:
    data, ids, num = op.inputs
    dt = data.dtype.base_dtype
    n = known_int(num)
    if data.shape.ndims is None or ids.shape.ndims is None:
        return [(dt, TensorShape(None))]
    d, k = data.shape.as_list(), ids.shape.as_list()
    if len(k) > len(d):
        raise shape_error(
            op, f"Shape must be at least rank {len(k)} but is rank {len(d)}", _SEGMENT_HINT
        )
    for a, b in zip(d, k):
        if a is not None and b is not None and a != b:
            raise shape_error(op, f"Dimensions must be equal, but are {a} and {b}", _SEGMENT_HINT)
    return [(dt, TensorShape([n, *d[len(k) :]]))]


def _segment_sum_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    """Each row of data gets the gradient of its segment (rows with a negative id: zero)."""
    from teachflow.ops.array_ops import reshape
    from teachflow.ops.cast_ops import cast
    from teachflow.ops.math_ops import greater_equal, maximum

    ids = op.inputs[1]
    picked = gather(grad, maximum(ids, 0))
    extra = (picked.shape.ndims or 0) - (ids.shape.ndims or 0)
    keep = cast(greater_equal(ids, 0), grad.dtype.base_dtype)
    if extra > 0:
        keep = reshape(keep, concat_shape(ids, extra))
    return [picked * keep, None, None]


def concat_shape(t: Tensor, ones: int) -> Tensor:
    """shape(t) followed by ``ones`` ones (to broadcast ``t`` against a higher-rank tensor)."""
    from teachflow.ops.concat_ops import concat

    return concat([shape(t), constant([1] * ones, dtype=dtypes.int32)], 0)


@registry.define("UnsortedSegmentSum", infer=_segment_sum_infer, grad=_segment_sum_grad)
def _segment_sum_kernel(data: np.ndarray, ids: np.ndarray, num: Any) -> np.ndarray:
    """f(data, ids, n)[j] = sum of data[i] over i with ids[i] == j, for j < n"""
    data, ids, n = np.asarray(data), np.asarray(ids), int(num)
    bad = np.argwhere(ids >= n)
    if bad.size:
        pos = tuple(int(k) for k in bad[0])
        raise invalid_argument(
            f"segment_ids[{','.join(map(str, pos))}] = {ids[pos]} is out of range [0, {n})",
            _SEGMENT_HINT,
        )
    tail = data.shape[ids.ndim :]
    registry.check_alloc([n, *tail], data.dtype)
    out = np.zeros((n, *tail), dtype=data.dtype)
    keep = ids >= 0
    np.add.at(out, ids[keep], data[keep])
    return out


def unsorted_segment_sum(
    data: Any, segment_ids: Any, num_segments: Any, name: str | None = None
) -> Tensor:
    """Sums the rows of ``data`` that share a segment id: f(d, ids, n)[j] = sum_{ids[i]=j} d[i].

    >>> import teachflow as tf
    >>> tf.Session().run(tf.unsorted_segment_sum([1.0, 2.0, 4.0], [1, 0, 1], 3)).tolist()
    [2.0, 5.0, 0.0]
    """
    g = graph_of(data, segment_ids, num_segments)
    with g.as_default(), g.name_scope(name or "UnsortedSegmentSum") as scope:
        d = convert_to_tensor(data, name="data")
        i = index_input(
            segment_ids,
            "segment_ids",
            "segment_ids",
            "UnsortedSegmentSum",
            ("int16", "int32", "int64"),
        )
        n = index_input(num_segments, "num_segments", "num_segments", "UnsortedSegmentSum")
        attrs = {"T": d.dtype.base_dtype, "Tindices": i.dtype, "Tnumsegments": n.dtype}
        return registry.make1("UnsortedSegmentSum", [d, i, n], attrs, scope)


def _unique_infer(op: Operation) -> Outs:
    x = op.inputs[0]
    if x.shape.ndims not in (None, 1):
        raise shape_error(
            op, f"Shape must be rank 1 but is rank {x.shape.ndims}", "tf.unique takes a vector."
        )
    n = x.shape.as_list()[0] if x.shape.ndims == 1 else None
    return [(x.dtype.base_dtype, TensorShape([None])), (op.attrs["out_idx"], TensorShape([n]))]


@registry.define("Unique", infer=_unique_infer, ctx=True, grad=not_differentiable)
def _unique_kernel(ctx: registry.KernelContext, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) = (the distinct values of x in order of first appearance, where each x[i] is)"""
    x = np.asarray(x)
    _, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    y = x[np.sort(first)]
    return y, rank[inverse.reshape(-1)].astype(ctx.attrs["out_idx"].np)


Unique = collections.namedtuple("Unique", ["y", "idx"])
Unique.__doc__ = "tf.unique's result: ``y`` (distinct values) and ``idx`` (where each input is)."


def unique(x: Any, out_idx: Any = dtypes.int32, name: str | None = None) -> Any:
    """The distinct values of a vector (first-seen order) and, for each element, its position.

    >>> import teachflow as tf
    >>> y, idx = tf.Session().run(tf.unique([4, 1, 4, 2]))
    >>> y.tolist(), idx.tolist()
    ([4, 1, 2], [0, 1, 0, 2])
    """
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "Unique") as scope:
        xt = convert_to_tensor(x, name="x")
        out = dtypes.as_dtype(out_idx).base_dtype
        if out not in (dtypes.int32, dtypes.int64):
            raise TypeError(
                f"Value passed to parameter 'out_idx' has DataType {out.name} not in list of "
                "allowed values: int32, int64"
            )
        op = registry.make("Unique", [xt], {"T": xt.dtype.base_dtype, "out_idx": out}, scope)
        return Unique(*op.outputs)


# -- one_hot ---------------------------------------------------------------------------------


def _one_hot_infer(op: Operation) -> Outs:
    indices, depth_t, on, off = op.inputs
    axis = op.attrs["axis"]
    if depth_t.shape.ndims not in (None, 0):
        raise shape_error(
            op,
            f"Input must be scalar but has rank {depth_t.shape.ndims}",
            "depth is one number: the number of classes.",
        )
    depth = known_int(depth_t)
    if depth is not None and depth < 0:
        raise shape_error(
            op, f"depth must be non-negative, got: {depth}", "depth is the number of classes."
        )
    if indices.shape.ndims is None:
        return [(on.dtype.base_dtype, TensorShape(None))]
    dims = indices.shape.as_list()
    if axis < -1 or axis > len(dims):
        raise shape_error(
            op,
            f"Expected axis to be -1 or between [0, {len(dims) + 1}).  But received: {axis}",
            "axis -1 puts the classes last.",
        )
    dims.insert(len(dims) if axis == -1 else axis, depth)
    return [(on.dtype.base_dtype, TensorShape(dims))]


@registry.define("OneHot", infer=_one_hot_infer, ctx=True, grad=not_differentiable)
def _one_hot_kernel(
    ctx: registry.KernelContext, indices: np.ndarray, depth: Any, on: np.ndarray, off: np.ndarray
) -> np.ndarray:
    """f(i, depth) = on where i == class else off, classes along axis (i out of range: all off)"""
    indices, n = np.asarray(indices), int(depth)
    if n < 0:
        raise invalid_argument(
            f"depth must be non-negative, got: {n}", "depth is the number of classes."
        )
    dt = np.asarray(on).dtype
    registry.check_alloc([*indices.shape, n], dt)
    out = np.full((*indices.shape, n), off, dtype=dt)
    if n:
        # set only the hot entries: comparing against arange(depth) would double the memory
        flat = indices.reshape(-1)
        hit = np.flatnonzero((flat >= 0) & (flat < n))
        out.reshape(-1, n)[hit, flat[hit]] = on
    axis = ctx.attrs["axis"]
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def one_hot(
    indices: Any,
    depth: Any,
    on_value: Any = None,
    off_value: Any = None,
    axis: Any = None,
    dtype: Any = None,
    name: str | None = None,
) -> Tensor:
    """One-hot rows: ``on_value`` at each index, ``off_value`` elsewhere (float32 by default).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.one_hot([0, 2], 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    g = graph_of(indices, depth, on_value, off_value)
    with g.as_default(), g.name_scope(name or "one_hot") as scope:
        dt = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        on = None if on_value is None else convert_to_tensor(on_value, dtype_hint=dt)
        off = None if off_value is None else convert_to_tensor(off_value, dtype_hint=dt)
        for v, what in ((on, "on_value"), (off, "off_value")):
            if v is not None and dt is not None and v.dtype.base_dtype != dt:
                raise TypeError(
                    f"dtype {v.dtype.base_dtype} of {what} does not match dtype parameter {dt}"
                )
        if dt is None:
            dt = (
                on.dtype.base_dtype
                if on is not None
                else off.dtype.base_dtype
                if off is not None
                else dtypes.float32
            )
        if on is None:
            on = constant(1, dtype=dt, name="on_value")
        if off is None:
            off = constant(0, dtype=dt, name="off_value")
        if on.dtype.base_dtype != off.dtype.base_dtype:
            raise TypeError(
                f"dtype {on.dtype.base_dtype} of on_value does not match dtype "
                f"{off.dtype.base_dtype} of off_value\n  Hint: give on_value and off_value of "
                "one type (e.g. 1.0 and 0.0)."
            )
        i = index_input(
            indices, "indices", "indices", "OneHot", ("uint8", "int8", "int32", "int64")
        )
        d = index_input(depth, "depth", "depth", "OneHot", ("int32",))
        attrs = {"axis": -1 if axis is None else int_arg(axis, "axis"), "T": dt, "TI": i.dtype}
        return registry.make1("OneHot", [i, d, on, off], attrs, scope)
