"""Products and sums of whole tensors: the matrix product (MatMul, ``a @ b``) and AddN, the
sum of a list of same-shaped tensors.

>>> import teachflow as tf
>>> a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
>>> tf.Session().run([a @ a, tf.add_n([a, a, a])])[0].tolist()
[[7.0, 10.0], [15.0, 22.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_inputs
from teachflow.ops.math_rules import (
    COMPLEX,
    FLOAT,
    NUMBER,
    UNSIGNED,
    bracket_dims,
    check_dtype,
    real_only,
)
from teachflow.tensor_shape import TensorShape

_ALLOWED = {
    "MatMul": FLOAT | COMPLEX | UNSIGNED | {"int32", "int64"},
    "AddN": NUMBER,
}

# -- matmul ----------------------------------------------------------------------------------

_MATMUL_HINT = (
    "tf.matmul multiplies [m, k] by [k, n] matrices: the inner sizes must match (use "
    "transpose_a/transpose_b to flip one); for elementwise products use tf.multiply or *."
)


def _matmul_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    a, b = op.inputs
    for t in (a, b):
        if t.shape.ndims is not None and t.shape.ndims != 2:
            raise registry.shape_error(
                op, f"Shape must be rank 2 but is rank {t.shape.ndims}", _MATMUL_HINT
            )
    check_dtype(op, _ALLOWED, "a")
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    da = a.shape.as_tuple() or (None, None)
    db = b.shape.as_tuple() or (None, None)
    m, k1 = (da[1], da[0]) if ta else (da[0], da[1])
    k2, n = (db[1], db[0]) if tb else (db[0], db[1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise registry.shape_error(
            op, f"Dimensions must be equal, but are {k1} and {k2}", _MATMUL_HINT
        )
    return [(a.dtype.base_dtype, TensorShape([m, n]))]


@real_only
def _matmul_grad(op: Operation, dz: Tensor) -> list[Tensor]:
    """For z = a @ b: da = dz @ b^T and db = a^T @ dz (transposes moved around as needed)."""
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        return [matmul(dz, b, transpose_b=True), matmul(a, dz, transpose_a=True)]
    if not ta and tb:
        return [matmul(dz, b), matmul(dz, a, transpose_a=True)]
    if ta and not tb:
        return [matmul(b, dz, transpose_b=True), matmul(a, dz)]
    return [
        matmul(b, dz, transpose_a=True, transpose_b=True),
        matmul(dz, a, transpose_a=True, transpose_b=True),
    ]


@registry.define("MatMul", infer=_matmul_infer, ctx=True, grad=_matmul_grad)
def _matmul_kernel(ctx: registry.KernelContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """f(a, b) = a @ b (after optional transposes)"""
    if ctx.attrs["transpose_a"]:
        a = a.T
    if ctx.attrs["transpose_b"]:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"Matrix size-incompatible: In[0]: {bracket_dims(a.shape)}, "
            f"In[1]: {bracket_dims(b.shape)}"
        )
    return np.matmul(a, b)


def matmul(
    a: Any,
    b: Any,
    transpose_a: bool = False,
    transpose_b: bool = False,
    adjoint_a: bool = False,
    adjoint_b: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    name: str | None = None,
    output_type: Any = None,
) -> Tensor:
    """Matrix product of two rank-2 tensors: f(a, b) = a @ b.

    >>> import teachflow as tf
    >>> print(tf.matmul(tf.constant([[3., 3.]]), tf.constant([[2.], [2.]])))
    Tensor("MatMul:0", shape=(1, 1), dtype=float32)
    """
    g = registry.graph_for([a, b])
    with g.as_default(), g.name_scope(name or "MatMul") as scope:
        at, bt = convert_inputs("MatMul", [("a", a), ("b", b)])
        if any((t.shape.ndims or 0) > 2 for t in (at, bt)):
            raise NotImplementedError(
                "teachflow's matmul supports rank-2 tensors; batched matmul is not implemented yet."
            )
        return registry.make1(
            "MatMul",
            [at, bt],
            {
                "transpose_a": bool(transpose_a or adjoint_a),
                "transpose_b": bool(transpose_b or adjoint_b),
                "T": at.dtype.base_dtype,
            },
            scope,
        )


def operator_matmul(x: Any, y: Any) -> Tensor:
    """``x @ y``, named ``matmul`` as TensorFlow's operator."""
    return matmul(x, y, name="matmul")


# -- add_n -------------------------------------------------------------------------------------


def _add_n_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    shape = TensorShape(None)
    for t in op.inputs:
        if not shape.is_compatible_with(t.shape):
            raise registry.shape_error(
                op,
                "Shapes must be equal rank, or dimensions must match",
                "tf.add_n adds tensors of one shape; tf.reshape or broadcast them first.",
            )
        shape = shape.merge_with(t.shape)
    check_dtype(op, _ALLOWED, "inputs")
    return [(op.inputs[0].dtype.base_dtype, shape)]


def _add_n_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [grad] * len(op.inputs)


@registry.define("AddN", infer=_add_n_infer, grad=_add_n_grad)
def _add_n_kernel(*xs: np.ndarray) -> np.ndarray:
    """f(x1..xn) = x1 + ... + xn (same shapes)"""
    out = xs[0] + xs[1] if len(xs) > 1 else np.array(xs[0], copy=True)
    for x in xs[2:]:
        out += x
    return out


def add_n(inputs: Any, name: str | None = None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype: f(x1..xn) = x1 + ... + xn."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError(
            "inputs must be a list of at least one Tensor with the same dtype and shape"
        )
    g = registry.graph_for(inputs)
    with g.as_default():
        ts = convert_inputs("AddN", [(f"inputs_{i}", v) for i, v in enumerate(inputs)])
        if len(ts) == 1 and name is None:
            return ts[0]
        return registry.make1(
            "AddN", ts, {"N": len(ts), "T": ts[0].dtype.base_dtype}, name or "AddN"
        )
