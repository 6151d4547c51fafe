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

from teachflow import blas, dtypes
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
from teachflow.ops.op_args import invalid_argument
from teachflow.tensor_shape import TensorShape

_ALLOWED = {
    "MatMul": FLOAT | COMPLEX | UNSIGNED | {"int32", "int64"},
    "BatchMatMulV2": FLOAT | COMPLEX | {"int16", "int32", "int64"},
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
    if a.dtype.kind == "u" or a.dtype == np.int8:
        attrs = ", ".join(f"{k}={str(v).lower()}" for k, v in sorted(ctx.attrs.items()) if k != "T")
        raise invalid_argument(
            f"No OpKernel was registered to support Op 'MatMul' used by {{{{node "
            f"{ctx.op.name}}}}} with these attrs: [{attrs}, T=DT_{a.dtype.name.upper()}]",
            "TensorFlow multiplies matrices of floats, int32 or int64 only; tf.cast them first.",
        )
    if ctx.attrs["transpose_a"]:
        a = a.T
    if ctx.attrs["transpose_b"]:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"Matrix size-incompatible: In[0]: {bracket_dims(a.shape)}, "
            f"In[1]: {bracket_dims(b.shape)}"
        )
    if a.shape[0] * b.shape[1] * a.itemsize > registry.MAX_TENSOR_BYTES:  # a column times a row
        registry.check_alloc([a.shape[0], b.shape[1]], a.dtype)
    return blas.matmul(a, b)


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
    if output_type is not None:
        raise NotImplementedError("teachflow's matmul has no output_type (BatchMatMulV3) yet.")
    g = registry.graph_for([a, b])
    with g.as_default(), g.name_scope(name or "MatMul") as scope:
        for side, tr, adj in (("a", transpose_a, adjoint_a), ("b", transpose_b, adjoint_b)):
            if tr and adj:
                raise ValueError(
                    f"Only one of `transpose_{side}` and `adjoint_{side}` can be True. "
                    f"Received `transpose_{side}`={tr}, `adjoint_{side}`={adj}."
                )
        at, bt = convert_inputs("MatMul", [("a", a), ("b", b)])
        ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
        if any(t.shape.ndims is None or t.shape.ndims > 2 for t in (at, bt)):
            # as TensorFlow: an unknown rank or a batch of matrices takes BatchMatMulV2
            attrs = {"adj_x": ta, "adj_y": tb, "T": at.dtype.base_dtype}
            return registry.make1("BatchMatMulV2", [at, bt], attrs, scope)
        return registry.make1(
            "MatMul",
            [at, bt],
            {"transpose_a": ta, "transpose_b": tb, "T": at.dtype.base_dtype},
            scope,
        )


# -- batched matmul -----------------------------------------------------------------------------


def _batch_matmul_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    a, b = op.inputs
    check_dtype(op, _ALLOWED, "x")
    for t in (a, b):
        if t.shape.ndims is not None and t.shape.ndims < 2:
            raise registry.shape_error(
                op, f"Shape must be at least rank 2 but is rank {t.shape.ndims}", _MATMUL_HINT
            )
    da, db = a.shape.as_tuple(), b.shape.as_tuple()
    if da is None or db is None:
        return [(a.dtype.base_dtype, TensorShape(None))]
    m, k1 = (da[-1], da[-2]) if op.attrs["adj_x"] else (da[-2], da[-1])
    k2, n = (db[-1], db[-2]) if op.attrs["adj_y"] else (db[-2], db[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise registry.shape_error(
            op, f"Dimensions must be equal, but are {k1} and {k2}", _MATMUL_HINT
        )
    batch = registry.broadcast_shape(op, TensorShape(list(da[:-2])), TensorShape(list(db[:-2])))
    return [(a.dtype.base_dtype, TensorShape([*batch.as_list(), m, n]))]


def _adjoint(x: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(x, -1, -2))


@registry.define("BatchMatMulV2", infer=_batch_matmul_infer, ctx=True)
def _batch_matmul_kernel(ctx: registry.KernelContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """f(a, b) = a @ b for each matrix of the (broadcast) batch"""
    x = _adjoint(a) if ctx.attrs["adj_x"] else a
    y = _adjoint(b) if ctx.attrs["adj_y"] else b
    if x.shape[-1] != y.shape[-2]:
        raise ValueError(
            f"Matrix size-incompatible: In[0]: {bracket_dims(a.shape)}, "
            f"In[1]: {bracket_dims(b.shape)}"
        )
    try:
        np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
    except ValueError:
        raise ValueError(
            f"In[0] and In[1] must have compatible batch dimensions: {bracket_dims(a.shape)} "
            f"vs. {bracket_dims(b.shape)}"
        ) from None
    return blas.matmul(x, y)


@real_only
def _batch_matmul_grad(op: Operation, dz: Tensor) -> list[Tensor]:
    """As MatMul's, per matrix; summed over the batch axes an input was broadcast along."""
    x, y = op.inputs
    adj_x, adj_y = op.attrs["adj_x"], op.attrs["adj_y"]
    if not adj_x and not adj_y:
        gx, gy = matmul(dz, y, adjoint_b=True), matmul(x, dz, adjoint_a=True)
    elif not adj_x:
        gx, gy = matmul(dz, y), matmul(dz, x, adjoint_a=True)
    elif not adj_y:
        gx, gy = matmul(y, dz, adjoint_b=True), matmul(x, dz)
    else:
        gx = matmul(y, dz, adjoint_a=True, adjoint_b=True)
        gy = matmul(dz, x, adjoint_a=True, adjoint_b=True)
    bx, by = x.shape[:-2] if x.shape.ndims else None, y.shape[:-2] if y.shape.ndims else None
    if bx is not None and by is not None and bx.is_fully_defined() and bx == by:
        return [gx, gy]
    from teachflow.ops import array_ops
    from teachflow.ops.reduction_ops import reduce_sum

    sx, sy = array_ops.shape(x), array_ops.shape(y)
    rx, ry = registry.make(
        "BroadcastGradientArgs", [sx[:-2], sy[:-2]], {"T": dtypes.int32}, "BroadcastGradientArgs"
    ).outputs
    return [
        array_ops.reshape(reduce_sum(gx, rx), sx),
        array_ops.reshape(reduce_sum(gy, ry), sy),
    ]


registry.gradient("BatchMatMulV2")(_batch_matmul_grad)


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
        if len(ts) == 1:
            if name is None:
                return ts[0]
            from teachflow.ops.array_ops import identity

            return identity(ts[0], name=name)
        return registry.make1(
            "AddN", ts, {"N": len(ts), "T": ts[0].dtype.base_dtype}, name or "AddN"
        )


def accumulate_n(
    inputs: Any, shape: Any = None, tensor_dtype: Any = None, name: str | None = None
) -> Tensor:
    """The sum of same-shaped tensors, as :func:`add_n` (TensorFlow now builds AddN too).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.accumulate_n([[1, 2], [3, 4]])).tolist()
    [4, 6]
    """
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype")
    out = add_n(inputs, name=name)
    if shape is not None and not out.shape.is_compatible_with(TensorShape(shape)):
        raise ValueError(f"Shape of inputs {out.shape} does not match shape {shape}")
    if tensor_dtype is not None and dtypes.as_dtype(tensor_dtype) != out.dtype.base_dtype:
        raise TypeError(f"tensor_dtype is {tensor_dtype!r}, but input is of type {out.dtype!r}")
    return out


# -- tensordot ---------------------------------------------------------------------------------


def _tensordot_axes(a: Tensor, axes: Any) -> tuple[list[int], list[int]]:
    rank = a.shape.ndims
    if isinstance(axes, (int, np.integer)):
        if axes < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {axes}.")
        if rank is not None and axes > rank:
            raise ValueError(
                f"`axes` must not be larger than the number of dimensions of tensor {a}.  "
                f"Received {axes}, vs tensor dimensions {rank}."
            )
        return list(range(rank - axes, rank)) if rank is not None else [], list(range(axes))
    if isinstance(axes, (list, tuple)):
        if len(axes) != 2:
            raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
        a_axes, b_axes = axes
        if isinstance(a_axes, (int, np.integer)) and isinstance(b_axes, (int, np.integer)):
            a_axes, b_axes = [a_axes], [b_axes]
        if len(a_axes) != len(b_axes):
            raise ValueError(
                f"Different number of contraction axes `a` and `b`, {len(a_axes)} != {len(b_axes)}."
            )
        return [int(i) for i in a_axes], [int(i) for i in b_axes]
    raise NotImplementedError("teachflow's tensordot takes axes as an int or a pair of lists.")


def _tensordot_reshape(a: Tensor, axes: list[int], flipped: bool) -> tuple[Tensor, list[int]]:
    """``a`` transposed and reshaped to a matrix whose columns (rows if flipped) are ``axes``."""
    from teachflow.ops.array_ops import reshape
    from teachflow.ops.transpose_ops import transpose

    shape: list[int] = a.shape.as_list()  # type: ignore[assignment] # fully known here
    for i in axes:
        if not -len(shape) <= i < len(shape):
            # TensorFlow's own tensordot fails here with an IndexError from Python lists
            raise ValueError(
                f"Invalid axis {i} for tensor {a.name} of rank {len(shape)} in tf.tensordot: "
                f"axes must be in [-{len(shape)}, {len(shape)}).\n  Hint: axes=[[i...], [j...]] "
                "pairs axis i of a with axis j of b."
            )
    axes = [i if i >= 0 else i + len(shape) for i in axes]
    free = [i for i in range(len(shape)) if i not in axes]
    free_dims = [shape[i] for i in free]
    prod_free = int(np.prod(free_dims))
    prod_axes = int(np.prod([shape[i] for i in axes]))
    perm = axes + free if flipped else free + axes
    new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
    a_trans = transpose(a, perm) if perm != list(range(len(shape))) else a
    if a_trans.shape.as_list() != new_shape:
        a_trans = reshape(a_trans, new_shape)
    return a_trans, free_dims


def tensordot(a: Any, b: Any, axes: Any, name: str | None = None) -> Tensor:
    """f(a, b) = the sum over the paired ``axes`` of a * b (a matmul after reshaping).

    ``axes`` is an int N (the last N axes of a with the first N of b) or a pair of lists.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.tensordot([[1.0, 2.0]], [[3.0], [4.0]], axes=1)).tolist()
    [[11.0]]
    """
    from teachflow.ops.array_ops import reshape
    from teachflow.ops.constant_op import convert_to_tensor

    g = registry.graph_for([a, b])
    with g.as_default(), g.name_scope(name or "Tensordot") as scope:
        at = convert_to_tensor(a, name="a")
        bt = convert_to_tensor(b, name="b")
        if not (at.shape.is_fully_defined() and bt.shape.is_fully_defined()):
            raise NotImplementedError(
                "teachflow's tensordot needs fully known input shapes; tf.reshape and tf.matmul "
                "do the same for shapes known only at run time."
            )
        a_axes, b_axes = _tensordot_axes(at, axes)
        a_mat, a_free = _tensordot_reshape(at, a_axes, False)
        b_mat, b_free = _tensordot_reshape(bt, b_axes, True)
        product = matmul(a_mat, b_mat)
        if product.shape.as_list() == a_free + b_free:
            return product
        return reshape(product, a_free + b_free, name=scope)
