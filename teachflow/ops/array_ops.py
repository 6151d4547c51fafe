"""Shape and placement ops: placeholders, reshape, transpose, concat/split, slicing, gather...

Each op is defined once here: kernel, static shape rule, gradient, TF type and default name.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, shape=[None, 3])
>>> tf.reshape(x, [-1]).shape
TensorShape([None])
>>> x[:, 1:].shape, tf.transpose(x).shape
(TensorShape([None, 2]), TensorShape([3, None]))
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.gradients import not_differentiable
from teachflow.graph import Graph, Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_inputs, convert_to_tensor, is_tensor
from teachflow.tensor_shape import Dimension, TensorShape, bracket

Outs = list[tuple[dtypes.DType, TensorShape]]

newaxis = None  # ``tf.newaxis``: ``t[:, tf.newaxis]`` inserts a dimension of size 1

# -- helpers ---------------------------------------------------------------------------------


def _graph(*values: Any) -> Graph:
    """The graph of the first tensor among ``values`` (lists are looked into)."""
    flat: list[Any] = []
    for v in values:
        flat.extend(v if isinstance(v, (list, tuple)) else [v])
    return registry.graph_for(flat)


def _shape_error(op: Operation, message: str, hint: str) -> ValueError:
    """TensorFlow's construction-time text, then a hint line."""
    return ValueError(f"{registry.shape_error(op, message)}\n  Hint: {hint}")


def _invalid(message: str, hint: str) -> errors.InvalidArgumentError:
    """A run-time InvalidArgumentError (the execution adds the node and where it was made)."""
    return errors.InvalidArgumentError(None, None, message, hint)


_FOLD_DEPTH = 8  # how far back static shape inference evaluates constant subgraphs
_FOLD_SIZE = 1000  # and the largest value it computes while building


def _constant_value(t: Tensor, depth: int = _FOLD_DEPTH) -> np.ndarray | None:
    """The value of ``t`` when it only depends on constants (evaluated while building).

    Like TensorFlow's shape inference, small stateless subgraphs (``i + 1``, a Cast, a Pack)
    are evaluated, so ``x[1:i + 1]`` with a constant ``i`` has a known shape.
    """
    known = registry.constant_value(t)
    if known is not None or depth == 0:
        return known
    op = t.op
    d = op.opdef
    if d.stateful or not op.inputs or op.type.startswith("Placeholder") or t.dtype.is_ref:
        return None
    if t.shape.num_elements() is None or (t.shape.num_elements() or 0) > _FOLD_SIZE:
        return None
    args = [_constant_value(x, depth - 1) for x in op.inputs]
    if any(a is None for a in args):
        return None
    try:
        with np.errstate(all="ignore"):
            out = registry.bind(op, None)(*args)
    except Exception:  # noqa: BLE001 - the run-time error is reported when the graph runs
        return None
    out = out[t.value_index] if isinstance(out, (tuple, list)) else out
    return np.asarray(out)


def _partial_shape(t: Tensor) -> list[int | None] | None:
    """A 1-D shape tensor's elements that are known while building (TensorFlow's partial shape).

    ``tf.stack([tf.shape(x)[0], 2])`` gives ``[None, 2]``; None when even the length is unknown.
    """
    known = _ints(t)
    if known is not None:
        return list(known)
    op = t.op
    if op.type == "Shape" and op.inputs[0].shape.ndims is not None:
        return op.inputs[0].shape.as_list()
    if op.type == "Pack" and op.attrs.get("axis", 0) == 0:
        return [_int(x) for x in op.inputs]
    if op.type == "ConcatV2":
        parts = [_partial_shape(x) for x in op.inputs[:-1]]
        if all(p is not None for p in parts):
            return [d for p in parts for d in p or []]
    return None


def _ints(t: Tensor) -> list[int] | None:
    """The value of ``t`` as a flat list of ints, when known while building."""
    v = _constant_value(t)
    return None if v is None else [int(x) for x in np.asarray(v).reshape(-1)]


def _int(t: Tensor) -> int | None:
    v = _ints(t)
    return None if v is None or len(v) != 1 else v[0]


def _index_input(
    value: Any, name: str, arg: str, op_type: str, allowed: Sequence[str] = ("int32", "int64")
) -> Tensor:
    """Converts an index-like input (axis, perm, begin...) and checks its dtype."""
    t = convert_to_tensor(value, name=name)
    dt = t.dtype.base_dtype
    if dt.name not in allowed:
        raise TypeError(
            f"Value passed to parameter '{arg}' has DataType {dt.name} not in list of allowed "
            f"values: {', '.join(allowed)}\n  Hint: {op_type} needs integer {arg}; "
            f"use tf.cast(..., tf.int32)."
        )
    return t


def _merge(
    op: Operation, a: TensorShape, b: TensorShape, hint: str, extra: str = ""
) -> TensorShape:
    """TensorFlow's shape Merge: equal ranks, equal known dimensions."""
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        raise _shape_error(
            op, f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}{extra}", hint
        )
    for i, (x, y) in enumerate(zip(a.as_list(), b.as_list())):
        if x is not None and y is not None and x != y:
            raise _shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                f"{bracket(a)} and {bracket(b)}.{extra}",
                hint,
            )
    return a.merge_with(b)


def _check_same_dtypes(op_type: str, values: Sequence[Any], arg: str = "values") -> None:
    """TensorFlow's TypeError for a list input whose tensors disagree on dtype."""
    found = [convert_to_tensor(v).dtype.base_dtype for v in values if is_tensor(v)]
    if len(set(found)) > 1:
        names = ", ".join(d.name for d in found)
        raise TypeError(
            f"Tensors in list passed to '{arg}' of '{op_type}' Op have types [{names}] that "
            "don't all match.\n  Hint: tf.cast the tensors to one dtype first."
        )


def _gen(type: str, inputs: list[Tensor], attrs: dict[str, Any], scope: str) -> Tensor:
    return registry.make1(type, inputs, attrs, scope)


# -- placeholders ----------------------------------------------------------------------------


def _placeholder_infer(op: Operation) -> Outs:
    return [(op.attrs["dtype"], TensorShape(op.attrs["shape"]))]


@registry.define("Placeholder", infer=_placeholder_infer, ctx=True)
def _placeholder_kernel(ctx: registry.KernelContext) -> np.ndarray:
    """f() = the fed value (running it unfed is an error)"""
    op = ctx.op
    t = op.outputs[0]
    shape = "" if t.shape.ndims is None else f" and shape {bracket(t.shape)}"
    raise errors.InvalidArgumentError(
        None,
        op,
        f"You must feed a value for placeholder tensor '{op.name}' with dtype "
        f"{dtypes.numpy_name(t.dtype)}{shape}",
        f"pass feed_dict={{'{op.name}:0': value}} to sess.run.",
    )


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Tensor:
    """A tensor whose value must be fed at run time (``feed_dict``).

    >>> import teachflow as tf
    >>> print(tf.placeholder(tf.float32))
    Tensor("Placeholder:0", dtype=float32)
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    sh = TensorShape(shape)
    attr_shape = None if sh.ndims is None else sh.as_list()
    return registry.make1(
        "Placeholder", [], {"dtype": dt, "shape": attr_shape}, name or "Placeholder"
    )


def _pwd_infer(op: Operation) -> Outs:
    t = op.inputs[0]
    shape = TensorShape(op.attrs["shape"])
    if not shape.is_compatible_with(t.shape):
        raise _shape_error(
            op,
            f"Shapes {bracket(shape)} and {bracket(t.shape)} are incompatible",
            "the default value must have the placeholder's shape.",
        )
    return [(t.dtype.base_dtype, shape)]


def _identity_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [grad]


@registry.define("PlaceholderWithDefault", infer=_pwd_infer, view=True, grad=_identity_grad)
def _pwd_kernel(x: np.ndarray) -> np.ndarray:
    """f(default) = the fed value, else default"""
    return x


def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Tensor:
    """A placeholder that takes the value of ``input`` when not fed.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.placeholder_with_default(3.0, shape=[]))
    np.float32(3.0)
    """
    g = _graph(input)
    with g.as_default():
        t = convert_to_tensor(input)
        sh = TensorShape(shape)
        return registry.make1(
            "PlaceholderWithDefault",
            [t],
            {"dtype": t.dtype.base_dtype, "shape": None if sh.ndims is None else sh.as_list()},
            name or "PlaceholderWithDefault",
        )


# -- identity --------------------------------------------------------------------------------


@registry.define("Identity", infer=registry.same_as_input(0), view=True, grad=_identity_grad)
def _identity_kernel(x: Any) -> Any:
    """f(x) = x"""
    return x


def identity(input: Any, name: str | None = None) -> Tensor:
    """f(x) = x, as a new node (useful to name a value or to read a variable).

    >>> import teachflow as tf
    >>> tf.identity(tf.constant(1.0), name="y").name
    'y:0'
    """
    g = _graph(input)
    with g.as_default():
        t = convert_to_tensor(input)
        return registry.make1("Identity", [t], {"T": t.dtype.base_dtype}, name or "Identity")


# -- shape, size, rank -----------------------------------------------------------------------


def _out_type(op: Operation) -> dtypes.DType:
    return op.attrs.get("out_type", dtypes.int32)  # type: ignore[no-any-return]


def _shape_infer(op: Operation) -> Outs:
    return [(_out_type(op), TensorShape([op.inputs[0].shape.ndims]))]


@registry.define("Shape", infer=_shape_infer, ctx=True, grad=not_differentiable)
def _shape_kernel(ctx: registry.KernelContext, x: Any) -> np.ndarray:
    """f(x) = the dynamic shape of x"""
    return np.array(np.shape(x), dtype=_out_type(ctx.op).np)


def shape(input: Any, name: str | None = None, out_type: Any = dtypes.int32) -> Tensor:
    """The shape of ``input`` as a 1-D int tensor.

    As in TensorFlow, a fully known static shape becomes a constant named ``Shape``; otherwise
    a ``Shape`` op computes it at run time.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.shape(tf.zeros([2, 3]))).tolist()
    [2, 3]
    """
    g = _graph(input)
    with g.as_default(), g.name_scope(name or "Shape") as scope:
        t = convert_to_tensor(input)
        ot = dtypes.as_dtype(out_type)
        if t.shape.is_fully_defined():
            return constant(t.shape.as_list(), dtype=ot, name=scope)
        return registry.make1("Shape", [t], {"T": t.dtype.base_dtype, "out_type": ot}, scope)


@registry.define(
    "Size", infer=lambda op: [(_out_type(op), TensorShape([]))], ctx=True, grad=not_differentiable
)
def _size_kernel(ctx: registry.KernelContext, x: Any) -> np.ndarray:
    """f(x) = number of elements of x"""
    return np.array(np.size(x), dtype=_out_type(ctx.op).np)


def size(input: Any, name: str | None = None, out_type: Any = dtypes.int32) -> Tensor:
    """The number of elements of ``input`` (a constant when the static shape is known).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.size(tf.zeros([2, 3])))
    np.int32(6)
    """
    g = _graph(input)
    with g.as_default(), g.name_scope(name or "Size") as scope:
        t = convert_to_tensor(input)
        ot = dtypes.as_dtype(out_type)
        if t.shape.is_fully_defined():
            return constant(t.shape.num_elements(), dtype=ot, name=scope)
        return registry.make1("Size", [t], {"T": t.dtype.base_dtype, "out_type": ot}, scope)


@registry.define("Rank", infer=registry.fixed(dtypes.int32, []), grad=not_differentiable)
def _rank_kernel(x: Any) -> np.ndarray:
    """f(x) = number of dimensions of x"""
    return np.array(np.ndim(x), dtype=np.int32)


def rank(input: Any, name: str | None = None) -> Tensor:
    """The number of dimensions of ``input`` (a constant when the rank is known).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.rank(tf.zeros([2, 3])))
    np.int32(2)
    """
    g = _graph(input)
    with g.as_default(), g.name_scope(name or "Rank") as scope:
        t = convert_to_tensor(input)
        if t.shape.ndims is not None:
            return constant(t.shape.ndims, dtype=dtypes.int32, name=scope)
        return registry.make1("Rank", [t], {"T": t.dtype.base_dtype}, scope)


# -- fill, zeros, ones -----------------------------------------------------------------------


def _fill_infer(op: Operation) -> Outs:
    dims, value = op.inputs
    if value.shape.ndims not in (None, 0):
        raise _shape_error(
            op,
            f"Shape must be rank 0 but is rank {value.shape.ndims}",
            "tf.fill takes one scalar value; to repeat a tensor use tf.tile.",
        )
    known = _constant_value(dims)
    if known is None:
        partial = _partial_shape(dims)
        if partial is not None:
            return [(value.dtype.base_dtype, TensorShape(partial))]
    if known is not None:
        if np.any(known < 0):
            raise ValueError(
                f"Fill dimensions must be >= 0, got {known.tolist()} for '{op.name}'.\n"
                "  Hint: every dimension of a shape is a count of elements."
            )
        return [(value.dtype.base_dtype, TensorShape(known.tolist()))]
    n = dims.shape[0].value if dims.shape.ndims == 1 else None
    return [(value.dtype.base_dtype, TensorShape(None if n is None else [None] * n))]


def _fill_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    from teachflow.ops.math_ops import reduce_sum

    return [None, reduce_sum(grad)]


@registry.define("Fill", infer=_fill_infer, grad=_fill_grad)
def _fill_kernel(dims: np.ndarray, value: np.ndarray) -> np.ndarray:
    """f(dims, v) = an array of shape dims filled with v"""
    d = np.asarray(dims).reshape(-1)
    if np.any(d < 0):
        raise _invalid(f"dims must be non-negative, got {d.tolist()}", "check the shape given.")
    return np.full(tuple(d.tolist()), value, dtype=np.asarray(value).dtype)


def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``: f(dims, v) = v everywhere.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.fill([2, 3], 9)).tolist()
    [[9, 9, 9], [9, 9, 9]]
    """
    g = _graph(dims, value)
    with g.as_default(), g.name_scope(name or "Fill") as scope:
        d = _index_input(dims, "dims", "dims", "Fill")
        v = convert_to_tensor(value, name="value")
        return _gen("Fill", [d, v], {"T": v.dtype.base_dtype, "index_type": d.dtype}, scope)


def _has_tensor(x: Any) -> bool:
    if isinstance(x, (list, tuple)):
        return any(_has_tensor(v) for v in x)
    return is_tensor(x)


def _filled(shape: Any, dtype: Any, value: Any, name: str) -> Tensor:
    dt = dtypes.as_dtype(dtype).base_dtype
    g = _graph(shape)
    with g.as_default(), g.name_scope(name) as scope:
        if _has_tensor(shape):
            dims = convert_to_tensor(shape)
            if dims.shape.ndims == 0:
                dims = reshape(dims, [-1])
            return fill(dims, constant(value, dtype=dt), name=scope)
        static = TensorShape(shape)
        if not static.is_fully_defined():
            raise ValueError(
                f"Cannot convert a partially known TensorShape to a Tensor: {static}\n"
                "  Hint: give every dimension, or pass tf.shape(t) to use a run-time shape."
            )
        if (static.num_elements() or 0) < 1000:
            return constant(value, dtype=dt, shape=static.as_list(), name=scope)
        return fill(static.as_list(), constant(value, dtype=dt), name=scope)


def zeros(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of zeros; ``tf.zeros([2, 3])`` is float32.

    >>> import teachflow as tf
    >>> tf.zeros([2, 3])
    <tf.Tensor 'zeros:0' shape=(2, 3) dtype=float32>
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    return _filled(
        shape, dt, False if dt.is_bool else b"" if dt == dtypes.string else 0, name or "zeros"
    )


def ones(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of ones; ``tf.ones([2, 3])`` is float32.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.ones([2], tf.int32)).tolist()
    [1, 1]
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    return _filled(shape, dt, True if dt.is_bool else 1, name or "ones")


# -- reshape -----------------------------------------------------------------------------------

_RESHAPE_HINT = "the new shape must hold exactly as many elements as the tensor (-1 = infer one)."


def _reshape_infer(op: Operation) -> Outs:
    x, shp = op.inputs
    known = _constant_value(shp)
    dt = x.dtype.base_dtype
    if known is None:
        partial = _partial_shape(shp)
        if partial is not None:
            return [(dt, TensorShape([None if d is None or d < 0 else d for d in partial]))]
        n = shp.shape[0].value if shp.shape.ndims == 1 else None
        return [(dt, TensorShape(None if n is None else [None] * n))]
    dims = [int(d) for d in np.asarray(known).reshape(-1)]
    for i, d in enumerate(dims):
        if d < -1:
            raise _shape_error(op, f"Size {i} must be non-negative, not {d}", _RESHAPE_HINT)
    out = [None if d == -1 else d for d in dims]
    if dims.count(-1) > 1:
        return [(dt, TensorShape(out))]
    total = x.shape.num_elements()
    fixed = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if total is None:
        return [(dt, TensorShape(out))]
    if -1 in dims:
        if fixed == 0:
            return [(dt, TensorShape(out))]
        if total % fixed:
            raise _shape_error(
                op,
                f"Dimension size must be evenly divisible by {fixed} but is {total}",
                _RESHAPE_HINT,
            )
        return [(dt, TensorShape([total // fixed if d == -1 else d for d in dims]))]
    if total != fixed:
        raise _shape_error(
            op,
            f"Cannot reshape a tensor with {total} elements to shape "
            f"{bracket(TensorShape(dims))} ({fixed} elements)",
            _RESHAPE_HINT,
        )
    return [(dt, TensorShape(dims))]


def _reshape_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    return [reshape(grad, shape(op.inputs[0])), None]


@registry.define("Reshape", infer=_reshape_infer, view=True, grad=_reshape_grad)
def _reshape_kernel(x: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """f(x, s) = x with shape s (-1 inferred)"""
    dims = [int(d) for d in np.asarray(shape).reshape(-1)]
    x = np.asarray(x)
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise _invalid(
            f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}",
            _RESHAPE_HINT,
        )
    for i, d in enumerate(dims):
        if d < -1:
            raise _invalid(f"Size {i} must be non-negative, not {d}", _RESHAPE_HINT)
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if unknown:
        if known == 0 or x.size % known:
            raise _invalid(
                f"Input to reshape is a tensor with {x.size} values, but the requested shape "
                f"requires a multiple of {known}",
                _RESHAPE_HINT,
            )
    elif x.size != known:
        raise _invalid(
            f"Input to reshape is a tensor with {x.size} values, but the requested shape has "
            f"{known}",
            _RESHAPE_HINT,
        )
    return x.reshape(dims)


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Tensor:
    """``tensor`` with a new shape holding the same elements; one dimension may be -1.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.reshape([1, 2, 3, 4, 5, 6], [2, -1])).tolist()
    [[1, 2, 3], [4, 5, 6]]
    """
    g = _graph(tensor, shape)
    with g.as_default(), g.name_scope(name or "Reshape") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        s = _index_input(shape, "shape", "Tshape", "Reshape")
        return _gen("Reshape", [t, s], {"T": t.dtype.base_dtype, "Tshape": s.dtype}, scope)


# -- stack (pack) and unstack (unpack) ---------------------------------------------------------


def _pack_infer(op: Operation) -> Outs:
    cur = op.inputs[-1].shape
    hint = "tf.stack needs tensors of one shape; check each input's shape."
    for i in range(len(op.inputs) - 2, -1, -1):
        cur = _merge(
            op, op.inputs[i].shape, cur, hint, f"\n\tFrom merging shape {i} with other shapes."
        )
    dt = op.inputs[0].dtype.base_dtype
    if cur.ndims is None:
        return [(dt, TensorShape(None))]
    dims = cur.as_list()
    axis = _norm_axis(op.attrs["axis"], len(dims) + 1)
    dims.insert(axis, len(op.inputs))
    return [(dt, TensorShape(dims))]


def _norm_axis(axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ValueError(
            f"axis = {axis} not in [{-rank}, {rank})\n  Hint: axis counts the dimensions; "
            "negative values count from the end."
        )
    return axis + rank if axis < 0 else axis


def _pack_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return unstack(grad, num=len(op.inputs), axis=op.attrs["axis"])


@registry.define("Pack", infer=_pack_infer, ctx=True, grad=_pack_grad)
def _pack_kernel(ctx: registry.KernelContext, *xs: np.ndarray) -> np.ndarray:
    """f(x1..xn) = [x1, ..., xn] stacked along axis"""
    first = np.shape(xs[0])
    for i, x in enumerate(xs[1:], 1):
        if np.shape(x) != first:
            raise _invalid(
                f"Shapes of all inputs must match: values[0].shape = {list(first)} != "
                f"values[{i}].shape = {list(np.shape(x))}",
                "tf.stack needs tensors of one shape.",
            )
    return np.stack(xs, axis=ctx.attrs["axis"])


def _pack(values: list[Tensor], axis: int, scope: str) -> Tensor:
    _check_same_dtypes("Pack", values)
    return _gen(
        "Pack",
        values,
        {"N": len(values), "T": values[0].dtype.base_dtype, "axis": int(axis)},
        scope,
    )


def _nested_dtype(values: Any) -> dtypes.DType | None:
    if isinstance(values, (list, tuple)):
        for v in values:
            dt = _nested_dtype(v)
            if dt is not None:
                return dt
        return None
    return convert_to_tensor(values).dtype.base_dtype if is_tensor(values) else None


def _flat_tensors(values: Any) -> list[Any]:
    if isinstance(values, (list, tuple)):
        return [t for v in values for t in _flat_tensors(v)]
    return [values] if is_tensor(values) else []


def _autopack(values: Sequence[Any], dtype: dtypes.DType | None, name: str) -> Any:
    """A (nested) list holding tensors as one tensor, as TensorFlow packs it (names ``0``...)."""
    g = _graph(*values)
    with g.as_default(), g.name_scope(name) as scope:
        elems: list[Any] = []
        must_pack = False
        for i, v in enumerate(values):
            if is_tensor(v):
                elems.append(convert_to_tensor(v, dtype=dtype))
                must_pack = True
            elif isinstance(v, (list, tuple)):
                sub = _autopack(v, dtype, str(i))
                must_pack = must_pack or isinstance(sub, Tensor)
                elems.append(sub)
            else:
                elems.append(v)
        if not must_pack:
            return elems
        ts = [
            e if isinstance(e, Tensor) else constant(e, dtype=dtype, name=str(i))
            for i, e in enumerate(elems)
        ]
        return _pack(ts, 0, scope)


def stack(values: Any, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks rank-R tensors into one rank-(R+1) tensor: f(x1..xn) = [x1, ..., xn].

    >>> import teachflow as tf
    >>> tf.Session().run(tf.stack([tf.constant([1, 2]), tf.constant([3, 4])], axis=1)).tolist()
    [[1, 3], [2, 4]]
    """
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(
            f"tf.stack needs a non-empty list of tensors, got {values!r}.\n"
            "  Hint: pass a Python list, e.g. tf.stack([a, b])."
        )
    g = _graph(*values)
    with g.as_default():
        if axis == 0:
            if not _has_tensor(values):
                try:
                    return constant(values, name=name)
                except (TypeError, ValueError):
                    pass  # ragged: the Pack below gives TensorFlow's shape error
            else:
                _check_same_dtypes("Pack", _flat_tensors(values))
                return _autopack(values, _nested_dtype(values), name)  # type: ignore[no-any-return]
        first = convert_to_tensor(values[0], name=name)
        if first.shape.ndims is not None:
            _norm_axis(axis, first.shape.ndims + 1)
        with g.name_scope(name) as scope:
            ts = convert_inputs(
                "Pack", [(f"values_{i}", v) for i, v in enumerate(values)], any_tensor_decides=True
            )
            return _pack(ts, axis, scope)


def pack(values: Any, axis: int = 0, name: str = "pack") -> Tensor:
    """0.x name of :func:`stack` (renamed in TensorFlow 1.0).

    >>> import teachflow as tf
    >>> tf.pack([1, 2]).shape
    TensorShape([2])
    """
    return stack(values, axis, name)


def _unpack_infer(op: Operation) -> Outs:
    x = op.inputs[0]
    num, axis = op.attrs["num"], op.attrs["axis"]
    dt = x.dtype.base_dtype
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))] * num
    dims = x.shape.as_list()
    a = _norm_axis(axis, len(dims))
    if dims[a] is not None and dims[a] != num:
        raise _shape_error(
            op,
            f"Dimension must be {num} but is {dims[a]}",
            "num must equal the size of the unstacked axis (or leave num out).",
        )
    return [(dt, TensorShape(dims[:a] + dims[a + 1 :]))] * num


def _unpack_grad(op: Operation, *grads: Tensor) -> list[Tensor]:
    return [stack(list(grads), axis=op.attrs["axis"])]


@registry.define("Unpack", infer=_unpack_infer, ctx=True, view=True, grad=_unpack_grad)
def _unpack_kernel(ctx: registry.KernelContext, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """f(x) = x[0], ..., x[n-1] along axis"""
    num, axis = ctx.attrs["num"], ctx.attrs["axis"]
    x = np.asarray(x)
    axis = axis + x.ndim if axis < 0 else axis
    if x.shape[axis] != num:
        raise _invalid(
            f"Input shape axis {axis} must equal {num}, got shape {list(x.shape)}",
            "num must equal the size of the unstacked axis.",
        )
    head = (slice(None),) * axis
    return tuple(x[head + (i, Ellipsis)] for i in range(num))


def unstack(
    value: Any, num: int | None = None, axis: int = 0, name: str = "unstack"
) -> list[Tensor]:
    """Splits a rank-R tensor into a list of rank-(R-1) tensors along ``axis``.

    >>> import teachflow as tf
    >>> [t.shape for t in tf.unstack(tf.zeros([2, 3]))]
    [TensorShape([3]), TensorShape([3])]
    """
    g = _graph(value)
    with g.as_default():
        if num is None:
            value = convert_to_tensor(value)
            vshape = value.shape
            if vshape.ndims is not None:
                a = _norm_axis(axis, vshape.ndims)
                num = vshape.as_list()[a]
            if num is None:
                raise ValueError(
                    f"Cannot infer num from shape {vshape}\n  Hint: pass num=..., the size of "
                    "the axis being unstacked."
                )
        with g.name_scope(name) as scope:
            t = convert_to_tensor(value, name="value")
            op = registry.make(
                "Unpack", [t], {"num": int(num), "axis": int(axis), "T": t.dtype.base_dtype}, scope
            )
            return op.outputs


def unpack(value: Any, num: int | None = None, axis: int = 0, name: str = "unpack") -> list[Tensor]:
    """0.x name of :func:`unstack` (renamed in TensorFlow 1.0).

    >>> import teachflow as tf
    >>> len(tf.unpack(tf.zeros([4, 2])))
    4
    """
    return unstack(value, num, axis, name)


# -- zeros_like, ones_like -----------------------------------------------------------------


@registry.define("ZerosLike", infer=registry.same_as_input(0), grad=not_differentiable)
def _zeros_like_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = 0 with the shape and dtype of x"""
    return np.zeros_like(x)


@registry.define("OnesLike", infer=registry.same_as_input(0), grad=not_differentiable)
def _ones_like_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = 1 with the shape and dtype of x"""
    return np.ones_like(x)


def _cast_if(t: Tensor, dtype: Any) -> Tensor:
    if dtype is None or dtypes.as_dtype(dtype).base_dtype == t.dtype.base_dtype:
        return t
    from teachflow.ops.math_ops import cast

    return cast(t, dtype)


def zeros_like(
    tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True
) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``tensor``.

    A fully known shape gives a constant, as in TensorFlow; otherwise a ZerosLike op.

    >>> import teachflow as tf
    >>> tf.zeros_like(tf.placeholder(tf.float32, [None])).op.type
    'ZerosLike'
    """
    g = _graph(tensor)
    with g.as_default(), g.name_scope(name or "zeros_like") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        if optimize and t.shape.is_fully_defined():
            return zeros(t.shape.as_list(), dtype=dtype or t.dtype.base_dtype, name=scope)
        t = _cast_if(t, dtype)
        return _gen("ZerosLike", [t], {"T": t.dtype.base_dtype}, scope)


def ones_like(
    tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True
) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``tensor``: a Fill, as in TensorFlow.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.ones_like([[1, 2]])).tolist()
    [[1, 1]]
    """
    g = _graph(tensor)
    with g.as_default(), g.name_scope(name or "ones_like") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        if optimize and t.shape.is_fully_defined():
            dims = constant(t.shape.as_list(), dtype=dtypes.int32, name="Shape")
        else:
            dims = shape(t, name="Shape")
        dt = dtypes.as_dtype(dtype or t.dtype).base_dtype
        out = fill(dims, constant(True if dt.is_bool else 1, dtype=dt), name=scope)
        out.set_shape(t.shape)
        return out


# -- transpose ---------------------------------------------------------------------------------

_PERM_HINT = "perm lists each dimension of the input once, e.g. [1, 0] for a matrix."


def _transpose_infer(op: Operation) -> Outs:
    x, p = op.inputs
    dt = x.dtype.base_dtype
    perm = _ints(p)
    rank = x.shape.ndims
    if perm is None:
        n = rank if rank is not None else (p.shape[0].value if p.shape.ndims == 1 else None)
        return [(dt, TensorShape(None if n is None else [None] * n))]
    if rank is None:
        return [(dt, TensorShape([None] * len(perm)))]
    if len(perm) != rank:
        raise _shape_error(op, f"Dimension must be {rank} but is {len(perm)}", _PERM_HINT)
    dims = x.shape.as_list()
    for d in perm:
        if not -rank <= d < rank:
            raise _shape_error(op, f"perm dim {d} is out of range of input rank {rank}", _PERM_HINT)
    return [(dt, TensorShape([dims[d] for d in perm]))]


def _check_perm(perm: np.ndarray, rank: int) -> list[int]:
    p = [int(d) for d in np.asarray(perm).reshape(-1)]
    if len(p) != rank:
        raise _invalid(
            f"transpose expects a vector of size {rank}. But input(1) is a vector of size {len(p)}",
            _PERM_HINT,
        )
    for d in p:
        if not 0 <= d < rank:
            raise _invalid(f"{d} is out of range [0 .. {rank})", _PERM_HINT)
    missing = sorted(set(range(rank)) - set(p))
    if missing:
        raise _invalid(f"{missing[0]} is missing from {{{','.join(map(str, p))}}}.", _PERM_HINT)
    return p


def _transpose_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    return [transpose(grad, invert_permutation(op.inputs[1])), None]


@registry.define("Transpose", infer=_transpose_infer, view=True, grad=_transpose_grad)
def _transpose_kernel(x: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """f(x, p) = x with dimension i moved to position p^-1(i): y[..i..] = x[..p[i]..]"""
    x = np.asarray(x)
    return np.transpose(x, _check_perm(perm, x.ndim))


def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    """Permutes dimensions: ``perm`` defaults to reversing them (the matrix transpose).

    >>> import teachflow as tf
    >>> tf.transpose(tf.zeros([2, 3, 4])).shape
    TensorShape([4, 3, 2])
    """
    g = _graph(a, perm)
    with g.as_default(), g.name_scope(name or "transpose") as scope:
        at = convert_to_tensor(a, name="a")
        if conjugate and at.dtype.base_dtype.is_complex:
            raise NotImplementedError("teachflow has no ConjugateTranspose (conjugate=True) yet.")
        if perm is None:
            if at.shape.ndims is None:
                from teachflow.ops.math_ops import subtract

                perm = range_(subtract(rank(at), 1), -1, -1, name="Range")
            else:
                perm = list(range(at.shape.ndims - 1, -1, -1))
        p = _index_input(perm, "perm", "perm", "Transpose")
        return _gen("Transpose", [at, p], {"T": at.dtype.base_dtype, "Tperm": p.dtype}, scope)


def _invert_permutation_infer(op: Operation) -> Outs:
    x = op.inputs[0]
    if x.shape.ndims not in (None, 1):
        raise _shape_error(op, f"Shape must be rank 1 but is rank {x.shape.ndims}", _PERM_HINT)
    return [(x.dtype.base_dtype, TensorShape([None]) if x.shape.ndims is None else x.shape)]


@registry.define("InvertPermutation", infer=_invert_permutation_infer, grad=not_differentiable)
def _invert_permutation_kernel(x: np.ndarray) -> np.ndarray:
    """f(p) = q with q[p[i]] = i"""
    p = _check_perm(x, np.size(x))
    out = np.empty(len(p), dtype=np.asarray(x).dtype)
    out[p] = np.arange(len(p))
    return out


def invert_permutation(x: Any, name: str | None = None) -> Tensor:
    """The inverse of a permutation: f(p)[p[i]] = i.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.invert_permutation([2, 0, 1])).tolist()
    [1, 2, 0]
    """
    g = _graph(x)
    with g.as_default(), g.name_scope(name or "InvertPermutation") as scope:
        t = _index_input(x, "x", "x", "InvertPermutation")
        return _gen("InvertPermutation", [t], {"T": t.dtype.base_dtype}, scope)


# -- expand_dims, squeeze -------------------------------------------------------------------


def _expand_dims_infer(op: Operation) -> Outs:
    x, d = op.inputs
    dt = x.dtype.base_dtype
    dim = _int(d)
    rank = x.shape.ndims
    if rank is None:
        return [(dt, TensorShape(None))]
    if dim is None:
        return [(dt, TensorShape([None] * (rank + 1)))]
    if not -1 - rank <= dim <= rank:
        raise _shape_error(
            op,
            f"dim {dim} not in the interval [{-1 - rank}, {rank}].",
            "the new axis goes before dimension `axis`; -1 appends it at the end.",
        )
    dims = x.shape.as_list()
    dims.insert(dim if dim >= 0 else dim + rank + 1, 1)
    return [(dt, TensorShape(dims))]


def _reshape_like_input_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    return [reshape(grad, shape(op.inputs[0]))] + [None] * (len(op.inputs) - 1)


@registry.define("ExpandDims", infer=_expand_dims_infer, view=True, grad=_reshape_like_input_grad)
def _expand_dims_kernel(x: np.ndarray, dim: np.ndarray) -> np.ndarray:
    """f(x, d) = x with a dimension of size 1 inserted at d"""
    x = np.asarray(x)
    d = int(np.asarray(dim).reshape(-1)[0])
    if not -1 - x.ndim <= d <= x.ndim:
        raise _invalid(
            f"Tried to expand dim index {d} for tensor with {x.ndim} dimensions.",
            "axis must be in [-rank-1, rank].",
        )
    return np.expand_dims(x, d if d >= 0 else d + x.ndim + 1)


def expand_dims(input: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Tensor:
    """Inserts a dimension of size 1 at ``axis`` (0.x: ``dim``).

    >>> import teachflow as tf
    >>> tf.expand_dims(tf.zeros([2]), 1).shape
    TensorShape([2, 1])
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        warnings.warn(
            "calling expand_dims with dim is deprecated and will be removed in a future version. "
            "Instructions for updating: Use the `axis` argument instead",
            DeprecationWarning,
            stacklevel=2,
        )
        axis = dim
    if axis is None:
        raise ValueError(
            "Must specify an axis argument to tf.expand_dims()\n  Hint: e.g. "
            "tf.expand_dims(t, 0) adds a leading dimension."
        )
    g = _graph(input, axis)
    with g.as_default(), g.name_scope(name or "ExpandDims") as scope:
        t = convert_to_tensor(input, name="input")
        d = _index_input(axis, "dim", "dim", "ExpandDims")
        return _gen("ExpandDims", [t, d], {"T": t.dtype.base_dtype, "Tdim": d.dtype}, scope)


_SQUEEZE_HINT = "only dimensions of size 1 can be squeezed."


def _squeeze_infer(op: Operation) -> Outs:
    x = op.inputs[0]
    dt = x.dtype.base_dtype
    axes = op.attrs["squeeze_dims"]
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list()
    rank = len(dims)
    wanted = set()
    for i, a in enumerate(axes):
        if not -rank <= a < rank:
            raise _shape_error(op, f"squeeze_dims[{i}] not in [{-rank},{rank}).", _SQUEEZE_HINT)
        wanted.add(a + rank if a < 0 else a)
    out = []
    for i, d in enumerate(dims):
        if wanted:
            if i in wanted:
                if d is not None and d != 1:
                    raise _shape_error(
                        op,
                        f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}",
                        _SQUEEZE_HINT,
                    )
                continue
        elif d is None:
            return [(dt, TensorShape(None))]
        elif d == 1:
            continue
        out.append(d)
    return [(dt, TensorShape(out))]


@registry.define(
    "Squeeze", infer=_squeeze_infer, ctx=True, view=True, grad=_reshape_like_input_grad
)
def _squeeze_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """f(x) = x without its dimensions of size 1 (or only those listed)"""
    x = np.asarray(x)
    axes = [a + x.ndim if a < 0 else a for a in ctx.attrs["squeeze_dims"]]
    for a in axes:
        if x.shape[a] != 1:
            raise _invalid(
                f"Can not squeeze dim[{a}], expected a dimension of 1, got {x.shape[a]}",
                _SQUEEZE_HINT,
            )
    return np.squeeze(x, axis=tuple(axes)) if axes else np.squeeze(x)


def squeeze(
    input: Any, axis: Any = None, name: str | None = None, squeeze_dims: Any = None
) -> Tensor:
    """Removes dimensions of size 1 (all of them, or those in ``axis``; 0.x: ``squeeze_dims``).

    >>> import teachflow as tf
    >>> tf.squeeze(tf.zeros([1, 2, 1])).shape
    TensorShape([2])
    """
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
        warnings.warn(
            "calling squeeze with squeeze_dims is deprecated and will be removed in a future "
            "version. Instructions for updating: Use the `axis` argument instead",
            DeprecationWarning,
            stacklevel=2,
        )
        axis = squeeze_dims
    if axis is None:
        axes: list[int] = []
    elif isinstance(axis, (int, np.integer)):
        axes = [int(axis)]
    else:
        axes = [int(a) for a in axis]
    g = _graph(input)
    with g.as_default(), g.name_scope(name or "Squeeze") as scope:
        t = convert_to_tensor(input, name="input")
        return _gen("Squeeze", [t], {"T": t.dtype.base_dtype, "squeeze_dims": axes}, scope)


# -- concat ------------------------------------------------------------------------------------

_CONCAT_HINT = "concatenated tensors must have the same shape except along `axis`."


def _concat_infer(op: Operation) -> Outs:
    *values, axis_t = op.inputs
    dt = values[0].dtype.base_dtype
    axis = _int(axis_t)
    rank = next((v.shape.ndims for v in values if v.shape.ndims is not None), None)
    if rank is not None:
        for v in values:
            if v.shape.ndims is not None and v.shape.ndims != rank:
                raise _shape_error(
                    op, f"Shape must be rank {rank} but is rank {v.shape.ndims}", _CONCAT_HINT
                )
        if rank == 0:
            raise _shape_error(op, "Can't concatenate scalars (use tf.stack instead)", _CONCAT_HINT)
    if rank is None:
        return [(dt, TensorShape(None))]
    if axis is None:
        return [(dt, TensorShape([None] * rank))]
    if axis >= rank:
        raise _shape_error(
            op, f"Shape must be at least rank {axis + 1} but is rank {rank}", _CONCAT_HINT
        )
    if axis < -rank:
        raise _shape_error(
            op,
            "ConcatOp : Expected concatenating dimensions in the range "
            f"[{-rank}, {rank}), but got {axis}",
            _CONCAT_HINT,
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
        rest = _merge(op, rest, TensorShape(dims[:a] + dims[a + 1 :]), _CONCAT_HINT)
    out: list[int | None] = rest.as_list() if rest.ndims is not None else [None] * (rank - 1)
    out.insert(a, total)
    return [(dt, TensorShape(out))]


def _concat_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    *values, axis_t = op.inputs
    axis = _int(axis_t)
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
        raise _invalid(
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
            raise _invalid(
                f"ConcatOp : Ranks of all input tensors should match: {shapes}", _CONCAT_HINT
            )
        bad = [k for k in range(r) if k != a and s[k] != first[k]]
        if bad:
            raise _invalid(
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
    g = _graph(*values, axis)
    if len(values) == 1:
        with g.as_default(), g.name_scope(name):
            ax = convert_to_tensor(axis, name="concat_dim", dtype=dtypes.int32)
            if ax.shape.ndims not in (None, 0):
                raise ValueError(f"Shape {ax.shape} must have rank 0")
            return identity(values[0], name=name)
    with g.as_default(), g.name_scope(name) as scope:
        _check_same_dtypes("ConcatV2", values)
        ts = convert_inputs(
            "ConcatV2", [(f"values_{i}", v) for i, v in enumerate(values)], any_tensor_decides=True
        )
        ax = _index_input(axis, "axis", "axis", "ConcatV2")
        return _gen(
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
        raise _shape_error(
            op,
            f"Dimension size, given by scalar input {axis} must be in range [{-rank}, {rank})",
            "axis counts the dimensions; negative values count from the end.",
        )
    return axis + rank if axis < 0 else axis


def _split_infer(op: Operation) -> Outs:
    axis_t, x = op.inputs
    n = op.attrs["num_split"]
    dt = x.dtype.base_dtype
    axis = _int(axis_t)
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))] * n
    dims = x.shape.as_list()
    if axis is None:
        return [(dt, TensorShape([None] * len(dims)))] * n
    a = _split_axis(op, axis, len(dims))
    d = dims[a]
    if d is not None:
        if d % n:
            raise _shape_error(
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
        raise _invalid(
            f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {a}", _SPLIT_HINT
        )
    if x.shape[a] % n:
        raise _invalid(
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
    axis, sizes = _int(axis_t), _ints(sizes_t)
    if x.shape.ndims is None:
        return [(dt, TensorShape(None))] * n
    dims = x.shape.as_list()
    if axis is None:
        return [(dt, TensorShape([None] * len(dims)))] * n
    a = _split_axis(op, axis, len(dims))
    if sizes is None:
        return [(dt, TensorShape(dims[:a] + [None] + dims[a + 1 :]))] * n
    if len(sizes) != n:
        raise _shape_error(op, f"Dimension must be {n} but is {len(sizes)}", _SPLIT_HINT)
    try:
        resolved = _split_sizes(sizes, dims[a])
    except ValueError as e:
        raise _shape_error(op, str(e), _SPLIT_HINT) from None
    return [(dt, TensorShape(dims[:a] + [s] + dims[a + 1 :])) for s in resolved]


def _splitv_grad(op: Operation, *grads: Tensor) -> list[Tensor | None]:
    return [concat(list(grads), op.inputs[2]), None, None]


@registry.define("SplitV", infer=_splitv_infer, view=True, grad=_splitv_grad)
def _splitv_kernel(x: np.ndarray, sizes: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, ...]:
    """f(x, sizes, axis) = pieces of x of the given sizes along axis"""
    x = np.asarray(x)
    a = int(axis)
    if not -x.ndim <= a < x.ndim:
        raise _invalid(
            f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {a}", _SPLIT_HINT
        )
    try:
        resolved = _split_sizes([int(s) for s in np.asarray(sizes).reshape(-1)], x.shape[a])
    except ValueError as e:
        raise _invalid(str(e), _SPLIT_HINT) from None
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
    >>> [t.shape for t in tf.split(tf.zeros([5, 2]), [2, -1])]
    [TensorShape([2, 2]), TensorShape([3, 2])]
    """
    if isinstance(value, (int, np.integer)) and not isinstance(axis, (int, np.integer)):
        value, axis = axis, value  # 0.x order: split(split_dim, num_split, value)
    g = _graph(value, axis, num_or_size_splits)
    with g.as_default():
        if isinstance(num_or_size_splits, (numbers.Integral, Dimension)):
            n = int(num_or_size_splits)
            with g.name_scope(name) as scope:
                ax = _index_input(axis, "split_dim", "split_dim", "Split", ("int32",))
                x = convert_to_tensor(value, name="value")
                op = registry.make(
                    "Split", [ax, x], {"num_split": n, "T": x.dtype.base_dtype}, scope
                )
                return op.outputs
        sizes = convert_to_tensor(num_or_size_splits)
        if sizes.shape.ndims == 0:
            raise ValueError(
                "Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
                f"Argument provided: {num_or_size_splits}"
            )
        if num is None:
            num = sizes.shape[0].value if sizes.shape.ndims == 1 else None
            if num is None:
                raise ValueError(f"Cannot infer num from shape {num_or_size_splits}")
        with g.name_scope(name) as scope:
            x = convert_to_tensor(value, name="value")
            ax = _index_input(axis, "split_dim", "split_dim", "SplitV", ("int32",))
            op = registry.make(
                "SplitV",
                [x, sizes, ax],
                {"num_split": int(num), "T": x.dtype.base_dtype, "Tlen": sizes.dtype},
                scope,
            )
            return op.outputs


# -- tile ----------------------------------------------------------------------------------------


def _tile_infer(op: Operation) -> Outs:
    x, m = op.inputs
    dt = x.dtype.base_dtype
    mult = _ints(m)
    n = m.shape[0].value if m.shape.ndims == 1 else None
    rank = x.shape.ndims
    if rank is not None and n is not None and n != rank:
        raise _shape_error(
            op, f"Shape must be rank {rank} but is rank {n}", "give one multiple per dimension."
        )
    rank = rank if rank is not None else n
    if rank is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
    if mult is None:
        return [(dt, TensorShape([None] * rank))]
    return [(dt, TensorShape([None if d is None else d * k for d, k in zip(dims, mult)]))]


def _tile_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    from teachflow.ops.math_ops import reduce_sum

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
        raise _invalid(
            f"Expected multiples argument to be a vector of length {x.ndim} but got length "
            f"{len(m)}",
            "give one multiple per dimension.",
        )
    for i, k in enumerate(m):
        if k < 0:
            raise _invalid(f"Expected multiples[{i}] >= 0, but got {k}", "multiples count copies.")
    return np.tile(x, m) if m else x.copy()


def tile(input: Any, multiples: Any, name: str | None = None) -> Tensor:
    """Repeats ``input`` ``multiples[i]`` times along dimension i.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.tile([[1, 2]], [2, 2])).tolist()
    [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    g = _graph(input, multiples)
    with g.as_default(), g.name_scope(name or "Tile") as scope:
        t = convert_to_tensor(input, name="input")
        m = _index_input(multiples, "multiples", "multiples", "Tile")
        return _gen("Tile", [t, m], {"T": t.dtype.base_dtype, "Tmultiples": m.dtype}, scope)


# -- slice, pad, reverse -------------------------------------------------------------------------

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
        raise _shape_error(op, f"Shape must be rank {n} but is rank {rank}", _SLICE_HINT)
    rank = rank if rank is not None else n
    if rank is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
    begin, sizes = _ints(b), _ints(s)
    if sizes is None:
        return [(dt, TensorShape([None] * rank))]
    out: list[int | None] = []
    for i, (d, k) in enumerate(zip(dims, sizes)):
        if k == -1:
            bi = None if begin is None else begin[i]
            out.append(None if d is None or bi is None else d - bi)
        elif k < -1:
            raise _shape_error(op, f"Negative size other than -1: size[{i}] = {k}", _SLICE_HINT)
        else:
            out.append(k)
    return [(dt, TensorShape(out))]


def _slice_index(x: np.ndarray, begin: np.ndarray, size: np.ndarray) -> tuple[slice, ...]:
    b = [int(v) for v in np.asarray(begin).reshape(-1)]
    s = [int(v) for v in np.asarray(size).reshape(-1)]
    if len(b) != x.ndim or len(s) != x.ndim:
        raise _invalid(
            f"Expected begin and size arguments to be 1-D tensors of size {x.ndim}, but got "
            f"shapes [{len(b)}] and [{len(s)}] instead.",
            _SLICE_HINT,
        )
    index = []
    for i, (d, bi, si) in enumerate(zip(x.shape, b, s)):
        if si == -1:
            si = d - bi
        if not 0 <= bi <= d or not 0 <= si <= d - bi:
            raise _invalid(
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
    g = _graph(input_, begin, size)
    with g.as_default(), g.name_scope(name or "Slice") as scope:
        t = convert_to_tensor(input_, name="input")
        b = _index_input(begin, "begin", "Index", "Slice")
        s = convert_to_tensor(size, dtype=b.dtype if not is_tensor(size) else None, name="size")
        return _gen("Slice", [t, b, s], {"T": t.dtype.base_dtype, "Index": b.dtype}, scope)


_PAD_HINT = "paddings is a [rank, 2] list: [[before, after] for each dimension]."


def _pad_infer(op: Operation) -> Outs:
    x, p = op.inputs[0], op.inputs[1]
    dt = x.dtype.base_dtype
    if p.shape.ndims is not None and p.shape.ndims != 2:
        raise _shape_error(op, f"Shape must be rank 2 but is rank {p.shape.ndims}", _PAD_HINT)
    n = p.shape[0].value if p.shape.ndims == 2 else None
    if p.shape.ndims == 2 and p.shape[1].value not in (None, 2):
        raise _shape_error(
            op,
            f"Dimension 1 in both shapes must be equal, but are {p.shape[1].value} and 2",
            _PAD_HINT,
        )
    rank = x.shape.ndims
    if rank is not None and n is not None and n != rank:
        raise _shape_error(op, f"Shape must be rank {n} but is rank {rank}", _PAD_HINT)
    rank = rank if rank is not None else n
    if rank is None:
        return [(dt, TensorShape(None))]
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
    pads = _ints(p)
    if pads is None:
        return [(dt, TensorShape([None] * rank))]
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
        raise _invalid(
            f"The first dimension of paddings must be the rank of inputs[{p.shape[0]},2] "
            f"{list(x.shape)}",
            _PAD_HINT,
        )
    if np.any(p < 0):
        raise _invalid(f"Paddings must be non-negative: {p.tolist()}", _PAD_HINT)
    return np.pad(x, [(int(a), int(b)) for a, b in p], constant_values=value)


@registry.define("Pad", infer=_pad_infer, grad=_pad_grad)
def _pad_kernel(x: np.ndarray, paddings: np.ndarray) -> np.ndarray:
    """f(x, p) = x with p[i][0] zeros before and p[i][1] after along dimension i"""
    return _pad_kernel_impl(x, paddings, np.zeros((), dtype=np.asarray(x).dtype))


@registry.define("PadV2", infer=_pad_infer, grad=_pad_grad)
def _pad_v2_kernel(x: np.ndarray, paddings: np.ndarray, value: np.ndarray) -> np.ndarray:
    """f(x, p, c) = x with p[i][0] copies of c before and p[i][1] after along dimension i"""
    return _pad_kernel_impl(x, paddings, value)


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
    if mode.upper() != "CONSTANT":
        raise NotImplementedError(
            f"teachflow's tf.pad supports mode='CONSTANT' only, not {mode!r}."
        )
    g = _graph(tensor, paddings)
    zero = not is_tensor(constant_values) and np.all(np.asarray(constant_values) == 0)
    with g.as_default(), g.name_scope(name or ("Pad" if zero else "PadV2")) as scope:
        t = convert_to_tensor(tensor, name="input")
        p = _index_input(paddings, "paddings", "paddings", "Pad")
        attrs = {"T": t.dtype.base_dtype, "Tpaddings": p.dtype}
        if zero:
            out = _gen("Pad", [t, p], attrs, scope)
        else:
            c = convert_to_tensor(constant_values, dtype=t.dtype.base_dtype, name="constant_values")
            out = _gen("PadV2", [t, p, c], attrs, scope)
    return out


_REVERSE_HINT = "axis lists the dimensions to reverse, each once."


def _reverse_axes(axes: list[int], rank: int) -> list[int]:
    seen: list[int] = []
    for i, a in enumerate(axes):
        if not -rank <= a < rank:
            raise ValueError(f"'axis'[{i}] = {a} is out of valid range [0, {rank - 1}")
        a = a + rank if a < 0 else a
        if a in seen:
            raise ValueError(f"axis {a} specified more than once.")
        seen.append(a)
    return seen


def _reverse_infer(op: Operation) -> Outs:
    x, a = op.inputs
    axes = _ints(a)
    if axes is not None and x.shape.ndims is not None:
        try:
            _reverse_axes(axes, x.shape.ndims)
        except ValueError as e:
            raise _shape_error(op, str(e), _REVERSE_HINT) from None
    return [(x.dtype.base_dtype, x.shape)]


def _reverse_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    return [reverse(grad, op.inputs[1]), None]


@registry.define("ReverseV2", infer=_reverse_infer, view=True, grad=_reverse_grad)
def _reverse_kernel(x: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """f(x, axes) = x with the order of elements reversed along each axis in axes"""
    x = np.asarray(x)
    try:
        axes = _reverse_axes([int(a) for a in np.asarray(axis).reshape(-1)], x.ndim)
    except ValueError as e:
        raise _invalid(str(e), _REVERSE_HINT) from None
    return np.flip(x, axis=tuple(axes)) if axes else x


def reverse(tensor: Any, axis: Any, name: str | None = None) -> Tensor:
    """Reverses ``tensor`` along the dimensions in ``axis`` (0.x: a list of bools per dimension).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.reverse([[1, 2], [3, 4]], [1])).tolist()
    [[2, 1], [4, 3]]
    """
    if isinstance(axis, (list, tuple)) and axis and all(isinstance(a, bool) for a in axis):
        axis = [i for i, a in enumerate(axis) if a]  # 0.x: dims was a bool mask
    g = _graph(tensor, axis)
    with g.as_default(), g.name_scope(name or "ReverseV2") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        a = _index_input(axis, "axis", "axis", "ReverseV2")
        return _gen("ReverseV2", [t, a], {"T": t.dtype.base_dtype, "Tidx": a.dtype}, scope)


reverse_v2 = reverse


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
                    raise ValueError(f"slice index {b} of dimension {j} out of bounds.")
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
    lens = {t.shape[0].value for t in (b, e, s) if t.shape.ndims == 1} - {None}
    if len(lens) > 1:
        shapes = ", ".join(bracket(t.shape) for t in (b, e, s))
        raise _shape_error(
            op,
            "Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
            f"{shapes} instead.",
            "give begin, end and strides one entry per indexed dimension.",
        )
    strides = _ints(s)
    if x.shape.ndims is None or strides is None:
        return [(dt, TensorShape(None))]
    masks = {k: op.attrs[k] for k in _MASKS}
    try:
        items = _strided_items(x.shape.as_list(), _ints(b), _ints(e), strides, masks)
    except ValueError as err:
        raise _shape_error(op, str(err), _STRIDED_HINT) from None
    return [(dt, TensorShape([it.size for it in items if it.kind != "shrink"]))]


def _numpy_index(
    ctx: registry.KernelContext, x: np.ndarray, b: Any, e: Any, s: Any
) -> tuple[Any, ...]:
    as_list = lambda v: [int(k) for k in np.asarray(v).reshape(-1)]  # noqa: E731
    try:
        items = _strided_items(x.shape, as_list(b), as_list(e), as_list(s), ctx.attrs)
    except ValueError as err:
        raise _invalid(str(err), _STRIDED_HINT) from None
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
    known = _ints(shp)
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
    g = _graph(input_, begin, end, strides)
    with g.as_default():
        if strides is None:
            strides = ones_like(begin)
        with g.name_scope(name or "StridedSlice") as scope:
            t = convert_to_tensor(input_, name="input")
            b = _index_input(begin, "begin", "Index", "StridedSlice")
            e = _index_input(end, "end", "Index", "StridedSlice")
            s = _index_input(strides, "strides", "Index", "StridedSlice")
            masks = dict(
                zip(_MASKS, (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))
            )
            return _gen(
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
    >>> t[1, ..., ::2].shape, t[:, tf.newaxis, -1].shape
    (TensorShape([5, 3]), TensorShape([4, 1, 6]))
    """
    if (
        isinstance(slice_spec, bool)
        or (isinstance(slice_spec, Tensor) and slice_spec.dtype.base_dtype == dtypes.bool_)
        or (isinstance(slice_spec, np.ndarray) and slice_spec.dtype == bool)
    ):
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
    g = _graph(tensor, *begin, *end, *strides)
    with g.as_default(), g.name_scope("strided_slice") as scope:
        if begin:
            packed = [stack(begin), stack(end), stack(strides)]
            if any(p.dtype.base_dtype == dtypes.int64 for p in packed):
                packed = [_cast_if(p, dtypes.int64) for p in packed]
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


# -- gather, gather_nd, scatter_nd -----------------------------------------------------------

_GATHER_HINT = "every index must be in [0, size of the gathered axis)."


def _gather_infer(op: Operation) -> Outs:
    params, indices, axis_t = op.inputs
    dt = params.dtype.base_dtype
    axis = _int(axis_t)
    if params.shape.ndims is None or indices.shape.ndims is None:
        return [(dt, TensorShape(None))]
    rank = params.shape.ndims
    if axis is None:
        return [(dt, TensorShape([None] * (rank + indices.shape.ndims - 1)))]
    if axis >= rank:
        raise _shape_error(
            op, f"Shape must be at least rank {axis + 1} but is rank {rank}", _GATHER_HINT
        )
    if axis < -rank:
        raise _shape_error(
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
        raise _invalid(f"indices[{where}] = {indices[pos]} is not in [0, {limit})", _GATHER_HINT)


def _gather_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    params, indices, axis_t = op.inputs
    axis = _int(axis_t)
    p_rank, i_rank = params.shape.ndims, indices.shape.ndims
    if axis is None or (axis != 0 and (p_rank is None or i_rank is None)):
        raise NotImplementedError(
            "teachflow differentiates tf.gather along a non-zero axis only when the axis and "
            "the ranks of params and indices are known while building."
        )
    idx = expand_dims(indices, -1)
    if axis == 0:
        return [scatter_nd(idx, grad, shape(params)), None, None]
    assert p_rank is not None and i_rank is not None
    a = axis + p_rank if axis < 0 else axis
    # bring the indexed dimensions to the front, scatter, then move the axis back
    front = (
        list(range(a, a + i_rank)) + list(range(a)) + list(range(a + i_rank, p_rank + i_rank - 1))
    )
    moved = transpose(grad, front)
    order = [a, *range(a), *range(a + 1, p_rank)]
    dense = scatter_nd(idx, moved, gather(shape(params), order))
    back = [*range(1, a + 1), 0, *range(a + 1, p_rank)]
    return [transpose(dense, back), None, None]


@registry.define("GatherV2", infer=_gather_infer, grad=_gather_grad)
def _gather_kernel(params: np.ndarray, indices: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """f(p, i, axis) = p[..., i, ...] (i picks along axis)"""
    params, indices = np.asarray(params), np.asarray(indices)
    a = int(axis)
    if not -params.ndim <= a < params.ndim:
        raise _invalid(
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
    g = _graph(params, indices, axis)
    with g.as_default(), g.name_scope(name or "GatherV2") as scope:
        p = convert_to_tensor(params, name="params")
        i = _index_input(indices, "indices", "indices", "GatherV2", ("int16", "int32", "int64"))
        a = _index_input(0 if axis is None else axis, "axis", "axis", "GatherV2")
        attrs = {
            "batch_dims": 0,
            "Tparams": p.dtype.base_dtype,
            "Tindices": i.dtype,
            "Taxis": a.dtype,
        }
        return _gen("GatherV2", [p, i, a], attrs, scope)


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
        raise _shape_error(
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
            raise _invalid(
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
    g = _graph(params, indices)
    with g.as_default(), g.name_scope(name or "GatherNd") as scope:
        p = convert_to_tensor(params, name="params")
        i = _index_input(indices, "indices", "indices", "GatherNd")
        return _gen("GatherNd", [p, i], {"Tparams": p.dtype.base_dtype, "Tindices": i.dtype}, scope)


def _scatter_nd_infer(op: Operation) -> Outs:
    indices, updates, shp = op.inputs
    known = _ints(shp)
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
                raise _shape_error(
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
    g = _graph(indices, updates, shape)
    with g.as_default(), g.name_scope(name or "ScatterNd") as scope:
        i = _index_input(indices, "indices", "indices", "ScatterNd")
        u = convert_to_tensor(updates, name="updates")
        s = convert_to_tensor(shape, dtype=None if is_tensor(shape) else i.dtype, name="shape")
        return _gen("ScatterNd", [i, u, s], {"T": u.dtype.base_dtype, "Tindices": i.dtype}, scope)


# -- where, select, boolean_mask -------------------------------------------------------------


@registry.define(
    "Where",
    infer=lambda op: [(dtypes.int64, TensorShape([None, op.inputs[0].shape.ndims]))],
    grad=not_differentiable,
)
def _where_kernel(cond: np.ndarray) -> np.ndarray:
    """f(c) = the coordinates of the true (non-zero) elements of c, one row each"""
    return np.argwhere(np.asarray(cond)).astype(np.int64)


_SELECT_HINT = "x and y need one shape; condition has that shape, or is a vector over its rows."


def _select_infer(op: Operation) -> Outs:
    c, t, e = op.inputs
    if not c.dtype.base_dtype.is_bool:
        raise TypeError(
            f"Input 'condition' of 'Select' Op has type {c.dtype.base_dtype.name} that does not "
            "match expected type of bool.\n  Hint: build the condition with a comparison, "
            "e.g. x > 0."
        )
    data = _merge(op, t.shape, e.shape, _SELECT_HINT)
    cs = c.shape
    if cs.ndims == 1 and data.ndims is not None and data.ndims > 1:
        first = _merge(op, cs, data[:1], _SELECT_HINT)
        data = TensorShape(first.as_list() + data.as_list()[1:])
    elif cs.ndims not in (None, 0):
        data = _merge(op, cs, data, _SELECT_HINT)
    return [(t.dtype.base_dtype, data)]


def _select_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    c, x = op.inputs[0], op.inputs[1]
    zeros = zeros_like(x)
    return [None, where(c, grad, zeros), where(c, zeros, grad)]


@registry.define("Select", infer=_select_infer, grad=_select_grad)
def _select_kernel(c: np.ndarray, t: np.ndarray, e: np.ndarray) -> np.ndarray:
    """f(c, x, y) = x where c else y (a vector c picks whole rows)"""
    c, t, e = np.asarray(c), np.asarray(t), np.asarray(e)
    if t.shape != e.shape:
        raise _invalid(
            f"'then' and 'else' must have the same size.  but received: {list(t.shape)} vs. "
            f"{list(e.shape)}",
            _SELECT_HINT,
        )
    if c.ndim == 1 and t.ndim > 1:
        if c.shape[0] != t.shape[0]:
            raise _invalid(
                f"Number of batches of 'then' must match size of 'cond', but saw: {t.shape[0]} vs. "
                f"{c.shape[0]}",
                _SELECT_HINT,
            )
        c = c.reshape((-1,) + (1,) * (t.ndim - 1))
    elif c.shape != t.shape and c.ndim != 0:
        raise _invalid(
            f"'cond' and 'then' must have the same size.  but received: {list(c.shape)} vs. "
            f"{list(t.shape)}",
            _SELECT_HINT,
        )
    return np.where(c, t, e)


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """``where(c)``: int64 coordinates of the true elements; ``where(c, x, y)``: x if c else y.

    >>> import teachflow as tf
    >>> c = tf.constant([True, False, True])
    >>> sess = tf.Session()
    >>> sess.run(tf.where(c)).tolist(), sess.run(tf.where(c, [1, 2, 3], [7, 8, 9])).tolist()
    ([[0], [2]], [1, 8, 3])
    """
    if x is None and y is None:
        g = _graph(condition)
        with g.as_default(), g.name_scope(name or "Where") as scope:
            c = convert_to_tensor(condition, preferred_dtype=dtypes.bool_, name="condition")
            return _gen("Where", [c], {"T": c.dtype.base_dtype}, scope)
    if x is None or y is None:
        raise ValueError(
            "x and y must both be non-None or both be None.\n  Hint: tf.where(c) gives indices; "
            "tf.where(c, x, y) picks between x and y."
        )
    g = _graph(condition, x, y)
    with g.as_default(), g.name_scope(name or "Select") as scope:
        c = convert_to_tensor(condition, name="condition")
        t, e = convert_inputs("Select", [("t", x), ("e", y)])
        return _gen("Select", [c, t, e], {"T": t.dtype.base_dtype}, scope)


def select(condition: Any, t: Any, e: Any, name: str | None = None) -> Tensor:
    """0.x name of ``tf.where(condition, t, e)`` (removed in TensorFlow 1.0).

    >>> import teachflow as tf
    >>> tf.select(tf.constant([True]), [1], [2]).op.type
    'Select'
    """
    return where(condition, t, e, name)


def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask", axis: Any = None) -> Tensor:
    """The elements of ``tensor`` where ``mask`` is true, flattened over the mask's dimensions.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.boolean_mask([[1, 2], [3, 4], [5, 6]], [True, False, True])).tolist()
    [[1, 2], [5, 6]]
    """
    g = _graph(tensor, mask)
    with g.as_default(), g.name_scope(name):
        t = convert_to_tensor(tensor, name="tensor")
        m = convert_to_tensor(mask, name="mask")
        mshape, tshape = m.shape, t.shape
        nm = mshape.ndims
        if nm == 0:
            raise ValueError("mask cannot be scalar.")
        if nm is None:
            raise ValueError(
                "Number of mask dimensions must be specified, even if some dimensions are None. "
                " E.g. shape=[None] is ok, but shape=None is not."
            )
        a = 0 if axis is None else int(axis)
        part = tshape[a : a + nm]
        if not part.is_compatible_with(mshape):
            raise ValueError(
                f"Shapes {part} and {mshape} are incompatible\n  Hint: the mask's shape must "
                f"match the tensor's dimensions from axis {a} on."
            )
        # the mask's dimensions become one: as many elements as the mask (NOTE: TensorFlow
        # takes their product with Prod; the mask's size is the same number)
        dims = shape(t)
        pieces = [
            slice_helper(dims, (slice(None, a),)),
            expand_dims(size(m), 0),
            slice_helper(dims, (slice(a + nm, None),)),
        ]
        flat = reshape(t, concat(pieces, 0))
        if tshape.ndims is not None:
            known = tshape.as_list()
            n = part.merge_with(mshape).num_elements()
            flat.set_shape(known[:a] + [n] + known[a + nm :])
        picks = squeeze(where(reshape(m, [-1])), axis=[1])
        return gather(flat, picks, axis=a)


# -- one_hot ---------------------------------------------------------------------------------


def _one_hot_infer(op: Operation) -> Outs:
    indices, depth_t, on, off = op.inputs
    axis = op.attrs["axis"]
    depth = _int(depth_t)
    if depth is not None and depth < 0:
        raise _shape_error(
            op, f"depth must be non-negative, got: {depth}", "depth is the number of classes."
        )
    if indices.shape.ndims is None:
        return [(on.dtype.base_dtype, TensorShape(None))]
    dims = indices.shape.as_list()
    if axis < -1 or axis > len(dims):
        raise _shape_error(
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
        raise _invalid(f"depth must be non-negative, got: {n}", "depth is the number of classes.")
    hot = indices[..., np.newaxis] == np.arange(n)
    out = np.where(hot, on, off).astype(np.asarray(on).dtype, copy=False)
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
    g = _graph(indices, depth, on_value, off_value)
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
        i = _index_input(indices, "indices", "indices", "OneHot", ("uint8", "int32", "int64"))
        d = _index_input(depth, "depth", "depth", "OneHot", ("int32",))
        attrs = {"axis": -1 if axis is None else int(axis), "T": dt, "TI": i.dtype}
        return _gen("OneHot", [i, d, on, off], attrs, scope)


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
    vals = [_constant_value(t) for t in op.inputs]
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise _shape_error(
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
        raise _shape_error(op, str(e), "delta must step from start toward limit.") from None
    return [(dt, TensorShape([n]))]


@registry.define("Range", infer=_range_infer, ctx=True, grad=not_differentiable)
def _range_kernel(ctx: registry.KernelContext, start: Any, limit: Any, delta: Any) -> np.ndarray:
    """f(start, limit, delta) = [start, start + delta, ...] while before limit"""
    dt = ctx.attrs["Tidx"]
    s, lim, d = (np.asarray(v).reshape(()).item() for v in (start, limit, delta))
    try:
        n = _range_size(s, lim, d, dt)
    except ValueError as e:
        raise _invalid(str(e), "delta must step from start toward limit.") from None
    with np.errstate(all="ignore"):
        t = dt.np.type
        return (t(s) + np.arange(n).astype(dt.np) * t(d)).astype(dt.np)


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
    g = _graph(start, limit, delta)
    with g.as_default(), g.name_scope(name) as scope:
        dt = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        args = [
            v if is_tensor(v) else convert_to_tensor(v, dtype=dt, name=n)
            for v, n in ((start, "start"), (limit, "limit"), (delta, "delta"))
        ]
        args = [convert_to_tensor(v) for v in args]
        if dt is None:
            for a in args:
                if a.dtype.base_dtype not in _RANGE_ORDER:
                    raise AssertionError(
                        f"tf.range needs int32, int64, float32 or float64 arguments, got "
                        f"{a.dtype.base_dtype.name}"
                    )
            dt = max((a.dtype.base_dtype for a in args), key=_RANGE_ORDER.index)
        args = [_cast_if(a, dt) for a in args]
        return _gen("Range", args, {"Tidx": dt}, scope)


def _linspace_infer(op: Operation) -> Outs:
    start, stop, num = op.inputs
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise _shape_error(
                op,
                f"Shape must be rank 0 but is rank {t.shape.ndims}",
                "start, stop and num are scalars.",
            )
    n = _int(num)
    return [(start.dtype.base_dtype, TensorShape([n]))]


@registry.define("LinSpace", infer=_linspace_infer, grad=not_differentiable)
def _linspace_kernel(start: np.ndarray, stop: np.ndarray, num: np.ndarray) -> np.ndarray:
    """f(a, b, n) = [a, a + h, ..., b] with h = (b - a) / (n - 1)"""
    n = int(num)
    dt = np.asarray(start).dtype
    if n <= 0:
        raise _invalid(f"Requires num > 0: {n}", "num is the number of values.")
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
    g = _graph(start, stop, num)
    with g.as_default(), g.name_scope(name or "LinSpace") as scope:
        a, b = convert_inputs("LinSpace", [("start", start), ("stop", stop)])
        if not a.dtype.base_dtype.is_floating:
            raise TypeError(
                f"Value passed to parameter 'start' has DataType {a.dtype.base_dtype.name} not in "
                "list of allowed values: bfloat16, float32, float64\n  Hint: write the bounds as "
                "floats, e.g. tf.linspace(0.0, 1.0, 5)."
            )
        n = _index_input(num, "num", "num", "LinSpace")
        return _gen("LinSpace", [a, b, n], {"T": a.dtype.base_dtype, "Tidx": n.dtype}, scope)


lin_space = linspace
