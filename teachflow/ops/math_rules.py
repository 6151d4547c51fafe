"""The rules the math op families share: which dtypes an op accepts (TensorFlow's type
constraints, checked while building), how two shapes broadcast, and the guard on gradients
that do not take complex inputs yet.

Each family (``math_ops``, ``reduction_ops``, ``matmul_ops``...) keeps its own table of
allowed dtypes next to its ops and checks it with :func:`check_dtype`.

>>> import teachflow as tf
>>> tf.sqrt(tf.constant(4))  # doctest: +ELLIPSIS
Traceback (most recent call last):
TypeError: Value passed to parameter 'x' has DataType int32 not in list of allowed values: ...
>>> from teachflow.ops.math_rules import broadcast_axes
>>> broadcast_axes([2, 1], [3])
([1], [0])
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation
from teachflow.ops import registry

Grad = Callable[..., Any]

# -- which dtypes each op accepts (TensorFlow's type constraints) ------------------------------

FLOAT = frozenset({"float16", "float32", "float64"})
COMPLEX = frozenset({"complex64", "complex128"})
SIGNED = frozenset({"int8", "int16", "int32", "int64"})
UNSIGNED = frozenset({"uint8", "uint16", "uint32", "uint64"})
REAL = FLOAT | SIGNED | UNSIGNED
NUMBER = REAL | COMPLEX
BOOL = frozenset({"bool"})  # ops on truth values only (LogicalAnd, Any...)

Allowed = Mapping[str, frozenset[str]]

_ORDER = (
    "float16 float32 float64 int8 int16 int32 int64 uint8 uint16 uint32 uint64 complex64 "
    "complex128 bool string"
).split()


def _allowed_list(names: frozenset[str]) -> str:
    return ", ".join(sorted(names, key=_ORDER.index))


def check_dtype(op: Operation, allowed: Allowed, param: str = "x") -> None:
    """Raises TensorFlow's TypeError when the op's first input has a dtype the op rejects.

    ``allowed`` maps op types to their dtype names; a type it does not list takes any dtype.
    """
    dt = op.inputs[0].dtype.base_dtype
    names = allowed.get(op.type)
    if names == BOOL:
        if not dt.is_bool:
            raise TypeError(
                f"Input '{param}' of '{op.type}' Op has type {dt.name} that does not match "
                f"expected type of bool.\n  Hint: compare first (e.g. tf.greater(x, 0)) or "
                f"tf.cast the input to tf.bool."
            )
        return
    if names is not None and dt.name not in names:
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            f"values: {_allowed_list(names)}\n  Hint: '{op.name}' ({op.type}) cannot take "
            f"{dt.name}; tf.cast the input to a supported dtype (e.g. tf.cast(x, tf.float32))."
        )


def check_index(op: Operation, i: int, param: str) -> None:
    """TensorFlow's TypeError when input ``i`` (an axis) is not int32 or int64."""
    dt = op.inputs[i].dtype.base_dtype
    if dt not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            "values: int32, int64\n  Hint: axes are integers, e.g. axis=1 or axis=[0, 1]."
        )


AXIS_HINT = "axes count from 0 to rank - 1 (negative ones from the end); check the axis given."


def real_only(fn: Grad) -> Grad:
    """``fn`` as a gradient that refuses complex inputs with a clear NotImplementedError."""
    if fn is not_differentiable:
        return fn

    def grad(op: Operation, *dys: Any) -> Any:
        if op.inputs[0].dtype.base_dtype.is_complex:
            raise NotImplementedError(
                f"teachflow has no gradient for complex inputs yet ('{op.name}', {op.type})."
            )
        return fn(op, *dys)

    grad.__name__ = getattr(fn, "__name__", "grad")
    return grad


# -- broadcasting ----------------------------------------------------------------------------


def bracket_dims(shape: Sequence[int]) -> str:
    """The ``[2,3]`` form of a known shape, as TensorFlow's run-time errors print it."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def broadcast_axes(sx: Sequence[int], sy: Sequence[int]) -> tuple[list[int], list[int]]:
    """The axes each input was stretched along (TensorFlow's BroadcastGradientArgs)."""
    n = builtins.max(len(sx), len(sy))
    px = [1] * (n - len(sx)) + list(sx)
    py = [1] * (n - len(sy)) + list(sy)
    rx: list[int] = []
    ry: list[int] = []
    for i, (a, b) in enumerate(zip(px, py)):
        if a == b:
            if a == 1:
                rx.append(i)
                ry.append(i)
        elif a == 1:
            rx.append(i)
        elif b == 1:
            ry.append(i)
        else:
            raise ValueError(f"Incompatible shapes: {bracket_dims(sx)} vs. {bracket_dims(sy)}")
    return rx, ry


def _check_broadcast(x: Any, y: Any) -> None:
    try:
        shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        return  # reported by the kernel with TensorFlow's text
    dt = np.result_type(x, y)
    n = int(np.prod(shape, dtype=object)) * dt.itemsize
    if n > registry.MAX_TENSOR_BYTES:
        dims = ",".join(str(d) for d in shape)
        try:
            name = dtypes.numpy_name(dtypes.as_dtype(dt))
        except TypeError:
            name = str(dt)
        registry.check_peak(n, f"tensor with shape[{dims}] and type {name}")


def binary_kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(x, y)`` that says "Incompatible shapes" (as TensorFlow) when x and y don't broadcast."""

    def kernel(x: Any, y: Any) -> Any:
        # x + y can be as large as x.size * y.size (a column plus a row): when that could pass
        # the memory limit, the broadcast output is checked before numpy allocates it
        if getattr(x, "nbytes", 8) * getattr(y, "size", 1) > registry.MAX_TENSOR_BYTES:
            _check_broadcast(x, y)
        try:
            return fn(x, y)
        except ValueError:
            sx, sy = np.shape(x), np.shape(y)
            try:
                np.broadcast_shapes(sx, sy)
            except ValueError:
                raise ValueError(
                    f"Incompatible shapes: {bracket_dims(sx)} vs. {bracket_dims(sy)}"
                ) from None
            raise

    kernel.__doc__ = fn.__doc__
    return kernel
