"""Shape and placement ops: placeholders, identity, shape/size/rank, fill, reshape, stack...

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, shape=[None, 3])
>>> tf.reshape(x, [-1]).shape
TensorShape([None])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_inputs, convert_to_tensor
from teachflow.tensor_shape import TensorShape, bracket

# -- placeholders ----------------------------------------------------------------------------


def _placeholder_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.attrs["dtype"], TensorShape(op.attrs["shape"]))]


@registry.define("Placeholder", infer=_placeholder_infer, ctx=True)
def _placeholder_kernel(ctx: registry.KernelContext) -> np.ndarray:
    """f() = the fed value (running it unfed is an error)"""
    op = ctx.op
    t = op.outputs[0]
    # TensorFlow names the shape only when it has at least one dimension
    shape = "" if not t.shape.ndims else f" and shape {bracket(t.shape)}"
    raise errors.InvalidArgumentError(
        None,
        op,
        f"You must feed a value for placeholder tensor '{op.name}' with dtype "
        f"{dtypes.numpy_name(t.dtype)}{shape}",
        f"pass feed_dict={{{_var_hint(op)}: value}} to sess.run.",
    )


def _var_hint(op: Operation) -> str:
    return f"'{op.name}:0'"


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


def _pwd_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    t = op.inputs[0]
    shape = TensorShape(op.attrs["shape"])
    if not shape.is_compatible_with(t.shape):
        raise registry.shape_error(
            op, f"Shapes {bracket(shape)} and {bracket(t.shape)} are incompatible"
        )
    return [(t.dtype.base_dtype, shape)]


@registry.define("PlaceholderWithDefault", infer=_pwd_infer, view=True)
def _pwd_kernel(x: np.ndarray) -> np.ndarray:
    """f(default) = the fed value, else default"""
    return x


def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Tensor:
    """A placeholder that takes the value of ``input`` when not fed."""
    g = registry.graph_for([input])
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


@registry.define("Identity", infer=registry.same_as_input(0), view=True)
def _identity_kernel(x: Any) -> Any:
    """f(x) = x"""
    return x


def identity(input: Any, name: str | None = None) -> Tensor:
    """f(x) = x, as a new node (useful to name a value or to read a variable)."""
    g = registry.graph_for([input])
    with g.as_default():
        t = convert_to_tensor(input)
        return registry.make1("Identity", [t], {"T": t.dtype.base_dtype}, name or "Identity")


# -- shape, size, rank -----------------------------------------------------------------------


def _out_type(op: Operation) -> dtypes.DType:
    return op.attrs.get("out_type", dtypes.int32)  # type: ignore[no-any-return]


def _shape_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(_out_type(op), TensorShape([op.inputs[0].shape.ndims]))]


@registry.define("Shape", infer=_shape_infer, ctx=True)
def _shape_kernel(ctx: registry.KernelContext, x: Any) -> np.ndarray:
    """f(x) = the dynamic shape of x"""
    return np.array(np.shape(x), dtype=_out_type(ctx.op).np)


def shape(input: Any, name: str | None = None, out_type: Any = dtypes.int32) -> Tensor:
    """The shape of ``input`` as a 1-D int tensor, computed at run time."""
    g = registry.graph_for([input])
    with g.as_default():
        t = convert_to_tensor(input)
        ot = dtypes.as_dtype(out_type)
        return registry.make1(
            "Shape", [t], {"T": t.dtype.base_dtype, "out_type": ot}, name or "Shape"
        )


@registry.define("Size", infer=lambda op: [(_out_type(op), TensorShape([]))], ctx=True)
def _size_kernel(ctx: registry.KernelContext, x: Any) -> np.ndarray:
    """f(x) = number of elements of x"""
    return np.array(np.size(x), dtype=_out_type(ctx.op).np)


def size(input: Any, name: str | None = None, out_type: Any = dtypes.int32) -> Tensor:
    g = registry.graph_for([input])
    with g.as_default():
        t = convert_to_tensor(input)
        ot = dtypes.as_dtype(out_type)
        return registry.make1(
            "Size", [t], {"T": t.dtype.base_dtype, "out_type": ot}, name or "Size"
        )


@registry.define("Rank", infer=registry.fixed(dtypes.int32, []))
def _rank_kernel(x: Any) -> np.ndarray:
    """f(x) = number of dimensions of x"""
    return np.array(np.ndim(x), dtype=np.int32)


def rank(input: Any, name: str | None = None) -> Tensor:
    g = registry.graph_for([input])
    with g.as_default():
        t = convert_to_tensor(input)
        return registry.make1("Rank", [t], {"T": t.dtype.base_dtype}, name or "Rank")


# -- fill, zeros, ones -----------------------------------------------------------------------


def _fill_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    dims, value = op.inputs
    if value.shape.ndims not in (None, 0):
        raise registry.shape_error(op, f"Shape must be rank 0 but is rank {value.shape.ndims}")
    known = registry.constant_value(dims)
    if known is not None:
        if np.any(known < 0):
            raise ValueError(f"Fill dimensions must be >= 0, got {known.tolist()} for '{op.name}'.")
        return [(value.dtype.base_dtype, TensorShape(known.tolist()))]
    n = dims.shape[0].value if dims.shape.ndims == 1 else None
    return [(value.dtype.base_dtype, TensorShape(None if n is None else [None] * n))]


@registry.define("Fill", infer=_fill_infer)
def _fill_kernel(dims: np.ndarray, value: np.ndarray) -> np.ndarray:
    """f(dims, v) = an array of shape dims filled with v"""
    if np.any(np.asarray(dims) < 0):
        raise ValueError(f"dims must be non-negative, got {np.asarray(dims).tolist()}")
    return np.full(tuple(np.asarray(dims).tolist()), value, dtype=np.asarray(value).dtype)


def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    g = registry.graph_for([dims, value])
    with g.as_default(), g.name_scope(name or "Fill") as scope:
        d = convert_to_tensor(
            dims, dtype=None if isinstance(dims, Tensor) else dtypes.int32, name="dims"
        )
        v = convert_to_tensor(value, name="value")
        return registry.make1("Fill", [d, v], {"T": v.dtype.base_dtype}, scope)


def _filled(shape: Any, dtype: Any, value: int, name: str) -> Tensor:
    dt = dtypes.as_dtype(dtype).base_dtype
    g = registry.graph_for([shape])
    with g.as_default(), g.name_scope(name) as scope:
        if isinstance(shape, Tensor) or hasattr(shape, "_as_tensor"):
            return fill(shape, np.array(value, dtype=dt.np), name=scope)
        dims = TensorShape(shape)
        if not dims.is_fully_defined():
            raise ValueError(
                f"Cannot create a tensor of shape {dims}: every dimension must be known."
            )
        if (dims.num_elements() or 0) < 1000:
            return constant(value, dtype=dt, shape=dims.as_list(), name=scope)
        return fill(dims.as_list(), np.array(value, dtype=dt.np), name=scope)


def zeros(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of zeros; ``tf.zeros([2, 3])`` is float32."""
    return _filled(shape, dtype, 0, name or "zeros")


def ones(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of ones; ``tf.ones([2, 3])`` is float32."""
    return _filled(shape, dtype, 1, name or "ones")


# -- reshape -----------------------------------------------------------------------------------


def _reshape_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, shp = op.inputs
    known = registry.constant_value(shp)
    dt = x.dtype.base_dtype
    if known is None:
        n = shp.shape[0].value if shp.shape.ndims == 1 else None
        return [(dt, TensorShape(None if n is None else [None] * n))]
    dims = [int(d) for d in np.asarray(known).reshape(-1)]
    if sum(d == -1 for d in dims) > 1:
        raise registry.shape_error(op, "Cannot infer multiple unknown dimensions in shape")
    total = x.shape.num_elements()
    fixed = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if -1 in dims:
        if total is not None:
            if fixed == 0 or total % fixed:
                raise registry.shape_error(
                    op,
                    f"Cannot reshape a tensor with {total} elements to shape {bracket(TensorShape([None if d == -1 else d for d in dims]))} ({fixed} elements)",
                )
            dims = [total // fixed if d == -1 else d for d in dims]
            return [(dt, TensorShape(dims))]
        return [(dt, TensorShape([None if d == -1 else d for d in dims]))]
    if total is not None and total != fixed:
        raise registry.shape_error(
            op,
            f"Cannot reshape a tensor with {total} elements to shape {bracket(TensorShape(dims))} ({fixed} elements)",
        )
    return [(dt, TensorShape(dims))]


@registry.define("Reshape", infer=_reshape_infer, view=True)
def _reshape_kernel(x: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """f(x, s) = x with shape s (-1 inferred)"""
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    x = np.asarray(x)
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if -1 in dims:
        if known == 0 or x.size % known:
            raise ValueError(
                f"Input to reshape is a tensor with {x.size} values, but the requested shape "
                f"requires a multiple of {known}"
            )
    elif x.size != known:
        raise ValueError(
            f"Input to reshape is a tensor with {x.size} values, but the requested shape has {known}"
        )
    return x.reshape(dims)


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Tensor:
    """``tensor`` with a new shape holding the same elements; one dimension may be -1."""
    g = registry.graph_for([tensor, shape])
    with g.as_default(), g.name_scope(name or "Reshape") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        s = convert_to_tensor(
            shape, dtype=None if isinstance(shape, Tensor) else dtypes.int32, name="shape"
        )
        return registry.make1(
            "Reshape", [t, s], {"T": t.dtype.base_dtype, "Tshape": s.dtype}, scope
        )


# -- stack -------------------------------------------------------------------------------------


def _pack_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    shape = TensorShape(None)
    for t in op.inputs:
        if not shape.is_compatible_with(t.shape):
            raise registry.shape_error(
                op,
                f"Shapes must be equal rank, but are {shape.ndims} and {t.shape.ndims}"
                if shape.ndims != t.shape.ndims
                else "Dimension mismatch in stack",
            )
        shape = shape.merge_with(t.shape)
    axis = op.attrs["axis"]
    if shape.ndims is None:
        return [(op.inputs[0].dtype.base_dtype, TensorShape(None))]
    dims = shape.as_list()
    rank = len(dims) + 1
    if not -rank <= axis < rank:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-rank}, {rank})")
    if axis < 0:
        axis += rank
    dims.insert(axis, len(op.inputs))
    return [(op.inputs[0].dtype.base_dtype, TensorShape(dims))]


@registry.define("Pack", infer=_pack_infer, ctx=True)
def _pack_kernel(ctx: registry.KernelContext, *xs: np.ndarray) -> np.ndarray:
    """f(x1..xn) = [x1, ..., xn] stacked along axis"""
    return np.stack(xs, axis=ctx.attrs["axis"])


def stack(values: Any, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks rank-R tensors into one rank-(R+1) tensor."""
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"tf.stack needs a non-empty list of tensors, got {values!r}.")
    g = registry.graph_for(values)
    with g.as_default(), g.name_scope(name) as scope:
        ts = convert_inputs("Pack", [(f"values_{i}", v) for i, v in enumerate(values)])
        return registry.make1(
            "Pack", ts, {"N": len(ts), "T": ts[0].dtype.base_dtype, "axis": int(axis)}, scope
        )


def pack(values: Any, axis: int = 0, name: str = "pack") -> Tensor:
    """0.x name of :func:`stack`."""
    return stack(values, axis, name)


# -- zeros_like, ones_like -----------------------------------------------------------------


@registry.define("ZerosLike", infer=registry.same_as_input(0))
def _zeros_like_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = 0 with the shape and dtype of x"""
    return np.zeros_like(x)


@registry.define("OnesLike", infer=registry.same_as_input(0))
def _ones_like_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = 1 with the shape and dtype of x"""
    return np.ones_like(x)


def _like(type: str, tensor: Any, dtype: Any, name: str) -> Tensor:
    g = registry.graph_for([tensor])
    with g.as_default(), g.name_scope(name) as scope:
        t = convert_to_tensor(tensor, name="tensor")
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype != t.dtype.base_dtype:
            from teachflow.ops.math_ops import cast

            t = cast(t, dtype)
        return registry.make1(type, [t], {"T": t.dtype.base_dtype}, scope)


def zeros_like(
    tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True
) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``tensor``."""
    return _like("ZerosLike", tensor, dtype, name or "zeros_like")


def ones_like(
    tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True
) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``tensor``."""
    return _like("OnesLike", tensor, dtype, name or "ones_like")
