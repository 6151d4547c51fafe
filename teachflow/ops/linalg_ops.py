"""The QR decomposition and a square matrix's diagonal, as ops (what the orthogonal
initializer builds on).

>>> import teachflow as tf
>>> from teachflow.ops import linalg_ops
>>> q, r = linalg_ops.qr(tf.constant([[3.0, 1.0], [4.0, 2.0]]))
>>> sess = tf.Session()
>>> bool(abs(sess.run(tf.matmul(q, r)) - [[3, 1], [4, 2]]).max() < 1e-5)
True
>>> print(sess.run(tf.abs(linalg_ops.diag_part(r))))
[5.  0.4]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.tensor_shape import TensorShape

Outs = list[tuple[dtypes.DType, TensorShape]]


def _qr_infer(op: Operation) -> Outs:
    a = op.inputs[0].shape
    dt = op.inputs[0].dtype.base_dtype
    if a.ndims is None:
        return [(dt, TensorShape(None)), (dt, TensorShape(None))]
    if a.ndims < 2:
        raise registry.shape_error(op, f"Shape must be at least rank 2 but is rank {a.ndims}")
    *batch, m, n = a.as_list()
    k = None if m is None or n is None else min(m, n)
    if op.attrs["full_matrices"]:
        return [(dt, TensorShape([*batch, m, m])), (dt, TensorShape([*batch, m, n]))]
    return [(dt, TensorShape([*batch, m, k])), (dt, TensorShape([*batch, k, n]))]


@registry.define("Qr", infer=_qr_infer, ctx=True, grad=not_differentiable)
def _qr_kernel(ctx: registry.KernelContext, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(a) = (q, r), a = q r, q with orthonormal columns, r upper triangular"""
    q, r = np.linalg.qr(a, mode="complete" if ctx.attrs["full_matrices"] else "reduced")
    return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)


def _diag_part_infer(op: Operation) -> Outs:
    x = op.inputs[0].shape
    dt = op.inputs[0].dtype.base_dtype
    if x.ndims is None:
        return [(dt, TensorShape(None))]
    if x.ndims % 2 or not x.ndims:
        raise registry.shape_error(op, f"Input must have even rank, got rank {x.ndims}")
    half = x.ndims // 2
    dims = x.as_list()
    out = [a if a is not None else b for a, b in zip(dims[:half], dims[half:])]
    return [(dt, TensorShape(out))]


@registry.define("DiagPart", infer=_diag_part_infer, grad=not_differentiable)
def _diag_part_kernel(x: np.ndarray) -> np.ndarray:
    """f(x)[i...] = x[i..., i...]"""
    half = x.shape[: x.ndim // 2]
    if half != x.shape[x.ndim // 2 :]:
        raise ValueError(f"Invalid shape {list(x.shape)}: dimensions must match")
    n = int(np.prod(half))
    return np.array(x.reshape(n, n).diagonal()).reshape(half)


def qr(a: Any, full_matrices: bool = False, name: str | None = None) -> tuple[Tensor, Tensor]:
    """``(q, r)`` with ``a = q @ r`` (op ``Qr``)."""
    at = convert_to_tensor(a)
    attrs = {"full_matrices": bool(full_matrices), "T": at.dtype.base_dtype}
    op = registry.make("Qr", [at], attrs, name or "Qr")
    return op.outputs[0], op.outputs[1]


def diag_part(x: Any, name: str | None = None) -> Tensor:
    """The diagonal of ``x`` (shape [d..., d...] -> [d...]; op ``DiagPart``)."""
    xt = convert_to_tensor(x)
    return registry.make1("DiagPart", [xt], {"T": xt.dtype.base_dtype}, name or "DiagPart")
