"""Reordering dimensions and elements: transpose (and invert_permutation), reverse.

>>> import teachflow as tf
>>> t = tf.constant([[1, 2, 3], [4, 5, 6]])
>>> sess = tf.Session()
>>> sess.run(tf.transpose(t)).tolist(), sess.run(tf.reverse(t, [1])).tolist()
([[1, 4], [2, 5], [3, 6]], [[3, 2, 1], [6, 5, 4]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import rank
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.op_args import (
    graph_of,
    index_input,
    invalid_argument,
)
from teachflow.ops.sequence_ops import range_
from teachflow.ops.shape_inference import (
    Outs,
    known_ints,
    shape_error,
)
from teachflow.tensor_shape import TensorShape

# -- transpose ---------------------------------------------------------------------------------

_PERM_HINT = "perm lists each dimension of the input once, e.g. [1, 0] for a matrix."


def _transpose_infer(op: Operation) -> Outs:
    x, p = op.inputs
    dt = x.dtype.base_dtype
    perm = known_ints(p)
    rank = x.shape.ndims
    if perm is None:
        n = rank if rank is not None else (p.shape[0].value if p.shape.ndims == 1 else None)
        return [(dt, TensorShape(None if n is None else [None] * n))]
    if rank is None:
        return [(dt, TensorShape([None] * len(perm)))]
    if len(perm) != rank:
        raise shape_error(op, f"Dimension must be {rank} but is {len(perm)}", _PERM_HINT)
    dims = x.shape.as_list()
    for d in perm:
        if not -rank <= d < rank:
            raise shape_error(op, f"perm dim {d} is out of range of input rank {rank}", _PERM_HINT)
    return [(dt, TensorShape([dims[d] for d in perm]))]


def _check_perm(perm: np.ndarray, rank: int, negative: bool = False) -> list[int]:
    p = [int(d) for d in np.asarray(perm).reshape(-1)]
    if len(p) != rank:
        raise invalid_argument(
            f"transpose expects a vector of size {rank}. But input(1) is a vector of size {len(p)}",
            _PERM_HINT,
        )
    for d in p:
        if not (-rank if negative else 0) <= d < rank:
            raise invalid_argument(f"{d} is out of range [0 .. {rank})", _PERM_HINT)
    # negative entries count from the end, as TensorFlow's kernel accepts them
    p = [d + rank if d < 0 else d for d in p]
    missing = sorted(set(range(rank)) - set(p))
    if missing:
        raise invalid_argument(
            f"{missing[0]} is missing from {{{','.join(map(str, p))}}}.", _PERM_HINT
        )
    return p


def _transpose_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    perm = known_ints(op.inputs[1])
    if perm is not None and min(perm, default=0) < 0:
        n = len(perm)
        inverse = [0] * n
        for i, d in enumerate(perm):
            inverse[d % n] = i
        return [transpose(grad, inverse), None]
    return [transpose(grad, invert_permutation(op.inputs[1])), None]


@registry.define("Transpose", infer=_transpose_infer, view=True, grad=_transpose_grad)
def _transpose_kernel(x: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """f(x, p) = x with dimension i moved to position p^-1(i): y[..i..] = x[..p[i]..]"""
    x = np.asarray(x)
    return np.transpose(x, _check_perm(perm, x.ndim, negative=True))


def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False) -> Tensor:
    """Permutes dimensions: ``perm`` defaults to reversing them (the matrix transpose).

    >>> import teachflow as tf
    >>> print(tf.transpose(tf.zeros([2, 3, 4])).shape)
    (4, 3, 2)
    """
    g = graph_of(a, perm)
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
        p = index_input(perm, "perm", "perm", "Transpose")
        return registry.make1(
            "Transpose", [at, p], {"T": at.dtype.base_dtype, "Tperm": p.dtype}, scope
        )


def _invert_permutation_infer(op: Operation) -> Outs:
    x = op.inputs[0]
    if x.shape.ndims not in (None, 1):
        raise shape_error(op, f"Shape must be rank 1 but is rank {x.shape.ndims}", _PERM_HINT)
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
    g = graph_of(x)
    with g.as_default(), g.name_scope(name or "InvertPermutation") as scope:
        t = index_input(x, "x", "x", "InvertPermutation")
        return registry.make1("InvertPermutation", [t], {"T": t.dtype.base_dtype}, scope)


# -- reverse --------------------------------------------------------------------------------


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
    if a.shape.ndims not in (None, 1):
        raise shape_error(op, f"Shape must be rank 1 but is rank {a.shape.ndims}", _REVERSE_HINT)
    axes = known_ints(a)
    if axes is not None and x.shape.ndims is not None:
        try:
            _reverse_axes(axes, x.shape.ndims)
        except ValueError as e:
            raise shape_error(op, str(e), _REVERSE_HINT) from None
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
        raise invalid_argument(str(e), _REVERSE_HINT) from None
    return np.flip(x, axis=tuple(axes)) if axes else x


def reverse(tensor: Any, axis: Any, name: str | None = None) -> Tensor:
    """Reverses ``tensor`` along the dimensions in ``axis`` (0.x: a list of bools per dimension).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.reverse([[1, 2], [3, 4]], [1])).tolist()
    [[2, 1], [4, 3]]
    """
    if isinstance(axis, (list, tuple)) and axis and all(isinstance(a, bool) for a in axis):
        axis = [i for i, a in enumerate(axis) if a]  # 0.x: dims was a bool mask
    g = graph_of(tensor, axis)
    with g.as_default(), g.name_scope(name or "ReverseV2") as scope:
        t = convert_to_tensor(tensor, name="tensor")
        a = index_input(axis, "axis", "axis", "ReverseV2")
        return registry.make1(
            "ReverseV2", [t, a], {"T": t.dtype.base_dtype, "Tidx": a.dtype}, scope
        )


reverse_v2 = reverse
