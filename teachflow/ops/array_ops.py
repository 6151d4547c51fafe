"""Core array ops: placeholders, identity, a tensor's shape (shape, size, rank) and reshaping
it without moving its elements (reshape, expand_dims, squeeze).

Each op is defined once: kernel, static shape rule, gradient, TF type and default name. The
other array families are ``fill_ops`` (fill, zeros, ones), ``transpose_ops``, ``stack_ops``,
``concat_ops``, ``slicing_ops``, ``gather_ops``, ``where_ops`` and ``sequence_ops``.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, shape=[None, 3])
>>> print(tf.reshape(x, [-1]).shape)
(?,)
>>> print(tf.expand_dims(x, 0).shape, tf.size(x).op.type)
(1, ?, 3) Size
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.op_args import (
    graph_of,
    index_input,
    int_arg,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    known_ints,
    known_value,
    merge_shapes,
    partial_shape,
    shape_error,
)
from teachflow.tensor_shape import TensorShape, bracket

# -- placeholders ----------------------------------------------------------------------------


def _placeholder_infer(op: Operation) -> Outs:
    return [(op.attrs["dtype"], TensorShape(op.attrs["shape"]))]


@registry.define("Placeholder", infer=_placeholder_infer, ctx=True)
def _placeholder_kernel(ctx: registry.KernelContext) -> np.ndarray:
    """f() = the fed value (running it unfed is an error)"""
    op = ctx.op
    t = op.outputs[0]
    # TensorFlow names the shape only when it has dimensions (a scalar's [] is left out)
    shape = "" if not t.shape.ndims else f" and shape {bracket(t.shape)}"
    raise errors.InvalidArgumentError(
        None,
        op,
        f"You must feed a value for placeholder tensor '{op.name}' with dtype "
        f"{dtypes.numpy_name(t.dtype)}{shape}",
        f"pass feed_dict={{{errors.user_name(t) or repr(t.name)}: value}} to sess.run.",
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
    merge_shapes(op, t.shape, shape, "the default value must have the placeholder's shape.")
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
    g = graph_of(input)
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
    g = graph_of(input)
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
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "Shape") as scope:
        t = convert_to_tensor(input)
        ot = dtypes.as_dtype(out_type)
        if t.shape.is_fully_defined():
            return constant(t.shape.as_list(), dtype=ot, name=scope)
        return registry.make1("Shape", [t], {"T": t.dtype.base_dtype, "out_type": ot}, scope)


def _shape_n_infer(op: Operation) -> Outs:
    return [(_out_type(op), TensorShape([x.shape.ndims])) for x in op.inputs]


@registry.define("ShapeN", infer=_shape_n_infer, ctx=True, grad=not_differentiable)
def _shape_n_kernel(ctx: registry.KernelContext, *xs: Any) -> tuple[np.ndarray, ...]:
    """f(x1..xn) = shape(x1), ..., shape(xn)"""
    return tuple(np.array(np.shape(x), dtype=_out_type(ctx.op).np) for x in xs)


def shape_n(input: Any, out_type: Any = dtypes.int32, name: str | None = None) -> list[Tensor]:
    """The shapes of several tensors at once, from one ShapeN op.

    >>> import teachflow as tf
    >>> [s.name for s in tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])]
    ['ShapeN:0', 'ShapeN:1']
    """
    if not isinstance(input, (list, tuple)):
        raise TypeError(
            f"Expected list for 'input' argument to 'ShapeN' Op, not {input!r}.\n  Hint: pass "
            "a list of tensors; for one tensor use tf.shape."
        )
    if not input:
        raise ValueError(
            "List argument 'input' to 'ShapeN' Op with length 0 shorter than minimum length 1."
        )
    g = graph_of(*input)
    with g.as_default(), g.name_scope(name or "ShapeN") as scope:
        ts = [convert_to_tensor(x) for x in input]
        found = {t.dtype.base_dtype for t in ts}
        if len(found) > 1:
            names = ", ".join(t.dtype.base_dtype.name for t in ts)
            raise TypeError(
                f"Tensors in list passed to 'input' of 'ShapeN' Op have types [{names}] that "
                "don't all match.\n  Hint: call tf.shape on each tensor instead."
            )
        ot = dtypes.as_dtype(out_type).base_dtype
        attrs = {"N": len(ts), "T": ts[0].dtype.base_dtype, "out_type": ot}
        return registry.make("ShapeN", ts, attrs, scope).outputs


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
    g = graph_of(input)
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
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "Rank") as scope:
        t = convert_to_tensor(input)
        if t.shape.ndims is not None:
            return constant(t.shape.ndims, dtype=dtypes.int32, name=scope)
        return registry.make1("Rank", [t], {"T": t.dtype.base_dtype}, scope)


# -- reshape -----------------------------------------------------------------------------------

_RESHAPE_HINT = "the new shape must hold exactly as many elements as the tensor (-1 = infer one)."


def _reshape_infer(op: Operation) -> Outs:
    x, shp = op.inputs
    known = known_value(shp)
    dt = x.dtype.base_dtype
    if known is None:
        partial = partial_shape(shp)
        if partial is not None:
            return [(dt, TensorShape([None if d is None or d < 0 else d for d in partial]))]
        n = shp.shape[0].value if shp.shape.ndims == 1 else None
        return [(dt, TensorShape(None if n is None else [None] * n))]
    dims = [int(d) for d in np.asarray(known).reshape(-1)]
    for d in dims:
        if d < -1:
            raise shape_error(op, f"Invalid value in tensor used for shape: {d}", _RESHAPE_HINT)
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
            raise shape_error(
                op,
                f"Dimension size must be evenly divisible by {fixed} but is {total}",
                _RESHAPE_HINT,
            )
        return [(dt, TensorShape([total // fixed if d == -1 else d for d in dims]))]
    if total != fixed:
        raise shape_error(
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
    dims = np.asarray(shape).reshape(-1).tolist()
    x = np.asarray(x)
    try:
        return x.reshape(dims)  # valid shapes take this path; the checks below explain errors
    except (ValueError, TypeError):
        pass
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise invalid_argument(
            f"Only one input size may be -1, not both {unknown[0]} and {unknown[1]}",
            _RESHAPE_HINT,
        )
    for i, d in enumerate(dims):
        if d < -1:
            raise invalid_argument(f"Size {i} must be non-negative, not {d}", _RESHAPE_HINT)
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if unknown:
        if known == 0 and x.size == 0:
            # TensorFlow leaves the zero sizes out of both products to infer the -1
            have = int(np.prod([d for d in x.shape if d > 0], dtype=np.int64))
            want = int(np.prod([d for d in dims if d > 0], dtype=np.int64))
            return x.reshape([have // want if d == -1 else d for d in dims])
        if known == 0 or x.size % known:
            raise invalid_argument(
                f"Input to reshape is a tensor with {x.size} values, but the requested shape "
                f"requires a multiple of {known}",
                _RESHAPE_HINT,
            )
    elif x.size != known:
        raise invalid_argument(
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
    g = graph_of(tensor, shape)
    with g.as_default(), g.name_scope(name or "Reshape") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        s = index_input(shape, "shape", "shape", "Reshape")
        return registry.make1(
            "Reshape", [t, s], {"T": t.dtype.base_dtype, "Tshape": s.dtype}, scope
        )


# -- expand_dims, squeeze -------------------------------------------------------------------


def _expand_dims_infer(op: Operation) -> Outs:
    x, d = op.inputs
    dt = x.dtype.base_dtype
    dims_known = known_ints(d)
    if dims_known is not None and len(dims_known) != 1:
        raise shape_error(
            op,
            "'dim' input must be a tensor with a single value",
            "tf.expand_dims adds one dimension; call it once per new axis.",
        )
    dim = None if dims_known is None else dims_known[0]
    rank = x.shape.ndims
    if rank is None or dim is None:
        return [(dt, TensorShape(None))]
    if not -1 - rank <= dim <= rank:
        raise shape_error(
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
        raise invalid_argument(
            f"Tried to expand dim index {d} for tensor with {x.ndim} dimensions.",
            "axis must be in [-rank-1, rank].",
        )
    return np.expand_dims(x, d if d >= 0 else d + x.ndim + 1)


def expand_dims(input: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Tensor:
    """Inserts a dimension of size 1 at ``axis`` (0.x: ``dim``).

    >>> import teachflow as tf
    >>> print(tf.expand_dims(tf.zeros([2]), 1).shape)
    (2, 1)
    """
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'dim' and 'axis'")
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
    g = graph_of(input, axis)
    with g.as_default(), g.name_scope(name or "ExpandDims") as scope:
        t = convert_to_tensor(input, name="input")
        d = index_input(axis, "dim", "dim", "ExpandDims")
        return registry.make1(
            "ExpandDims", [t, d], {"T": t.dtype.base_dtype, "Tdim": d.dtype}, scope
        )


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
            raise shape_error(op, f"squeeze_dims[{i}] not in [{-rank},{rank}).", _SQUEEZE_HINT)
        wanted.add(a + rank if a < 0 else a)
    out = []
    for i, d in enumerate(dims):
        if wanted:
            if i in wanted:
                if d is not None and d != 1:
                    raise shape_error(
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
            raise invalid_argument(
                f"Can not squeeze dim[{a}], expected a dimension of 1, got {x.shape[a]}",
                _SQUEEZE_HINT,
            )
    return np.squeeze(x, axis=tuple(axes)) if axes else np.squeeze(x)


def squeeze(
    input: Any, axis: Any = None, name: str | None = None, squeeze_dims: Any = None
) -> Tensor:
    """Removes dimensions of size 1 (all of them, or those in ``axis``; 0.x: ``squeeze_dims``).

    >>> import teachflow as tf
    >>> print(tf.squeeze(tf.zeros([1, 2, 1])).shape)
    (2,)
    """
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'squeeze_dims' and 'axis'")
        warnings.warn(
            "calling squeeze with squeeze_dims is deprecated and will be removed in a future "
            "version. Instructions for updating: Use the `axis` argument instead",
            DeprecationWarning,
            stacklevel=2,
        )
        axis = squeeze_dims
    if axis is None:
        axes: list[int] = []
    else:
        many = isinstance(axis, (list, tuple, np.ndarray)) and np.ndim(axis) > 0
        axes = [int_arg(a, "axis") for a in (axis if many else [axis])]
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "Squeeze") as scope:
        t = convert_to_tensor(input, name="input")
        return registry.make1(
            "Squeeze", [t], {"T": t.dtype.base_dtype, "squeeze_dims": axes}, scope
        )
