"""Tensors of one value: fill, zeros, ones, zeros_like, ones_like.

Small fully known shapes become constants, as in TensorFlow; other shapes a Fill (or
ZerosLike) op.

>>> import teachflow as tf
>>> tf.zeros([2, 3]).op.type, tf.zeros([100, 100]).op.type
('Const', 'Fill')
>>> tf.Session().run(tf.ones_like([[1, 2]])).tolist()
[[1, 1]]
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import reshape, shape
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.op_args import (
    graph_of,
    has_tensor,
    index_input,
    invalid_argument,
)
from teachflow.ops.shape_inference import (
    Outs,
    known_value,
    partial_shape,
    shape_error,
)
from teachflow.tensor_shape import Dimension, TensorShape

# -- fill, zeros, ones -----------------------------------------------------------------------


def _fill_infer(op: Operation) -> Outs:
    dims, value = op.inputs
    if dims.shape.ndims not in (None, 1):
        raise shape_error(
            op,
            f"Shape must be rank 1 but is rank {dims.shape.ndims}",
            "dims is the list of the sizes of the new tensor, e.g. [2, 3].",
        )
    if value.shape.ndims not in (None, 0):
        raise shape_error(
            op,
            f"Shape must be rank 0 but is rank {value.shape.ndims}",
            "tf.fill takes one scalar value; to repeat a tensor use tf.tile.",
        )
    known = known_value(dims)
    if known is None:
        partial = partial_shape(dims)
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
    from teachflow.ops.reduction_ops import reduce_sum

    return [None, reduce_sum(grad)]


@registry.define("Fill", infer=_fill_infer, grad=_fill_grad)
def _fill_kernel(dims: np.ndarray, value: np.ndarray) -> np.ndarray:
    """f(dims, v) = an array of shape dims filled with v"""
    d = np.asarray(dims).reshape(-1)
    if np.any(d < 0):
        raise invalid_argument(
            f"dims must be non-negative, got {d.tolist()}", "check the shape given."
        )
    dt = np.asarray(value).dtype
    registry.check_alloc(d.tolist(), dt)
    return np.full(tuple(d.tolist()), value, dtype=dt)


def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``: f(dims, v) = v everywhere.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.fill([2, 3], 9)).tolist()
    [[9, 9, 9], [9, 9, 9]]
    """
    g = graph_of(dims, value)
    with g.as_default(), g.name_scope(name or "Fill") as scope:
        d = index_input(dims, "dims", "dims", "Fill")
        v = convert_to_tensor(value, name="value")
        return registry.make1(
            "Fill", [d, v], {"T": v.dtype.base_dtype, "index_type": d.dtype}, scope
        )


def _filled(shape: Any, dtype: Any, value: Any, name: str) -> Tensor:
    dt = dtypes.as_dtype(dtype).base_dtype
    g = graph_of(shape)
    with g.as_default(), g.name_scope(name) as scope:
        if has_tensor(shape):
            dims = convert_to_tensor(shape)
            if dims.shape.ndims == 0:
                dims = reshape(dims, [-1])
            return fill(dims, constant(value, dtype=dt), name=scope)
        if isinstance(shape, (list, tuple)) and any(_undefined(d) for d in shape):
            raise TypeError(
                "Expected int32, got None of type 'NoneType' instead.\n  Hint: give every "
                "dimension of the shape, or pass tf.shape(t) to use a run-time shape."
            )
        if isinstance(shape, (list, tuple)):
            shape = [int(d) if isinstance(d, float) else d for d in shape]  # TF takes 2.0 as 2
        static = TensorShape(shape)
        if not static.is_fully_defined():
            raise TypeError(
                f"Cannot convert a partially known TensorShape to a Tensor: {static}\n"
                "  Hint: give every dimension, or pass tf.shape(t) to use a run-time shape."
            )
        # TensorFlow makes a constant of a small shape given as a list; a bare int is a Fill
        if (static.num_elements() or 0) < 1000 and not _is_int(shape):
            return constant(value, dtype=dt, shape=static.as_list(), name=scope)
        return fill(static.as_list(), constant(value, dtype=dt), name=scope)


def _undefined(d: Any) -> bool:
    return d is None or (isinstance(d, Dimension) and d.value is None)


def _is_int(x: Any) -> bool:
    return isinstance(x, (numbers.Integral, Dimension)) and not isinstance(x, bool)


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


# -- zeros_like, ones_like -----------------------------------------------------------------


@registry.define("ZerosLike", infer=registry.same_as_input(0), grad=not_differentiable)
def _zeros_like_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = 0 with the shape and dtype of x"""
    return np.zeros_like(x)


@registry.define("OnesLike", infer=registry.same_as_input(0), grad=not_differentiable)
def _ones_like_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = 1 with the shape and dtype of x"""
    return np.ones_like(x)


def zeros_like(
    tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True
) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``tensor``.

    A fully known shape gives a constant, as in TensorFlow; otherwise a ZerosLike op.

    >>> import teachflow as tf
    >>> tf.zeros_like(tf.placeholder(tf.float32, [None])).op.type
    'ZerosLike'
    """
    g = graph_of(tensor)
    with g.as_default(), g.name_scope(name or "zeros_like") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        if optimize and t.shape.is_fully_defined():
            return zeros(t.shape.as_list(), dtype=dtype or t.dtype.base_dtype, name=scope)
        if dtype is not None and dtypes.as_dtype(dtype).base_dtype != t.dtype.base_dtype:
            return zeros(shape(t), dtype=dtype, name=scope)
        return registry.make1("ZerosLike", [t], {"T": t.dtype.base_dtype}, scope)


def ones_like(
    tensor: Any, dtype: Any = None, name: str | None = None, optimize: bool = True
) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``tensor``: a Fill, as in TensorFlow.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.ones_like([[1, 2]])).tolist()
    [[1, 1]]
    """
    g = graph_of(tensor)
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
