"""Running sums and products along one axis (Cumsum, Cumprod), with their gradients.

``exclusive`` leaves out the element itself; ``reverse`` runs from the end of the axis.

>>> import teachflow as tf
>>> x = tf.constant([1, 2, 3])
>>> tf.Session().run([tf.cumsum(x, reverse=True), tf.cumprod(x, exclusive=True)])
[array([6, 5, 3], dtype=int32), array([1, 1, 2], dtype=int32)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.math_rules import AXIS_HINT, NUMBER, check_dtype, check_index, real_only
from teachflow.ops.op_args import invalid_argument
from teachflow.tensor_shape import TensorShape

_ALLOWED = {"Cumsum": NUMBER, "Cumprod": NUMBER}


def _scan_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, axis = op.inputs
    check_dtype(op, _ALLOWED)
    check_index(op, 1, "axis")
    return [(x.dtype.base_dtype, x.shape)]


def _scan_kernel(fn: Callable[..., Any], identity: int) -> Callable[..., Any]:
    def kernel(ctx: registry.KernelContext, x: Any, axis: Any) -> np.ndarray:
        x = np.asarray(x)
        if np.ndim(axis) != 0:
            # TensorFlow's shape rule lets an axis list through; the kernel refuses it
            shown = " ".join(str(v) for v in np.ravel(axis).tolist())
            raise invalid_argument(
                f"ScanOp: axis must be a scalar, not [{shown}]", "give one axis, an int."
            )
        rank, a = x.ndim, int(axis)
        if not -rank <= a < rank:
            raise invalid_argument(
                f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got {a}",
                AXIS_HINT,
            )
        a %= rank
        reverse = ctx.attrs["reverse"]
        if reverse:
            x = np.flip(x, a)
        with np.errstate(all="ignore"):
            out = fn(x, axis=a, dtype=x.dtype)
        if ctx.attrs["exclusive"] and x.shape[a]:
            # shift by one along the axis: element i holds the result of elements before i
            first = np.full_like(np.take(out, [0], axis=a), identity)
            out = np.concatenate([first, np.take(out, range(x.shape[a] - 1), axis=a)], axis=a)
        return np.flip(out, a) if reverse else out

    return kernel


@real_only
def _cumsum_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx = dy summed the other way along the axis."""
    ex, rev = op.attrs["exclusive"], op.attrs["reverse"]
    return [cumsum(dy, op.inputs[1], exclusive=ex, reverse=not rev), None]


@real_only
def _cumprod_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx = cumsum(y * dy, the other way) / x (as TensorFlow: not finite where x == 0)."""
    x, axis = op.inputs
    ex, rev = op.attrs["exclusive"], op.attrs["reverse"]
    prod = cumprod(x, axis, exclusive=ex, reverse=rev)
    return [cumsum(prod * dy, axis, exclusive=ex, reverse=not rev) / x, None]


registry.define("Cumsum", infer=_scan_infer, ctx=True, grad=_cumsum_grad)(
    _scan_kernel(np.cumsum, 0)
)
registry.define("Cumprod", infer=_scan_infer, ctx=True, grad=_cumprod_grad)(
    _scan_kernel(np.cumprod, 1)
)


def _scan(type: str, x: Any, axis: Any, exclusive: bool, reverse: bool, name: Any) -> Tensor:
    g = registry.graph_for([x, axis])
    with g.as_default(), g.name_scope(name or type) as scope:
        xt = convert_to_tensor(x, name="x")
        at = convert_to_tensor(axis, name="axis", preferred_dtype=dtypes.int32)
        attrs = {
            "exclusive": bool(exclusive),
            "reverse": bool(reverse),
            "T": xt.dtype.base_dtype,
            "Tidx": at.dtype.base_dtype,
        }
        return registry.make1(type, [xt, at], attrs, scope)


def cumsum(
    x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """f(x)_i = x_0 + ... + x_i along ``axis`` (``exclusive`` stops at x_(i-1)).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.cumsum([1, 2, 3])).tolist()
    [1, 3, 6]
    """
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(
    x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """f(x)_i = x_0 * ... * x_i along ``axis`` (``exclusive`` stops at x_(i-1)).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.cumprod([1, 2, 3], exclusive=True)).tolist()
    [1, 1, 2]
    """
    return _scan("Cumprod", x, axis, exclusive, reverse, name)
