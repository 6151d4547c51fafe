"""Python operators on tensors and variables (``a + b``, ``t[0]``...), one table.

Each operator makes the op TensorFlow makes, with TensorFlow's default name:
``a + b`` is ``add`` (AddV2), ``a / b`` is ``truediv``, ``t[0]`` is ``strided_slice``;
``&``, ``|``, ``^`` and ``~`` are logic on booleans and bitwise on integers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

# dunder -> (module in teachflow.ops, function, reflected)
OPERATORS: dict[str, tuple[str, str, bool]] = {}
for _dunder, _fn in [
    ("add", "operator_add"),
    ("sub", "operator_sub"),
    ("mul", "operator_mul"),
    ("truediv", "operator_truediv"),
    ("floordiv", "operator_floordiv"),
    ("mod", "operator_mod"),
    ("pow", "operator_pow"),
    ("and", "operator_and"),
    ("or", "operator_or"),
    ("xor", "operator_xor"),
]:
    OPERATORS[f"__{_dunder}__"] = ("math_ops", _fn, False)
    OPERATORS[f"__r{_dunder}__"] = ("math_ops", _fn, True)
OPERATORS.update(
    {
        "__matmul__": ("matmul_ops", "operator_matmul", False),
        "__lt__": ("math_ops", "less", False),
        "__le__": ("math_ops", "less_equal", False),
        "__gt__": ("math_ops", "greater", False),
        "__ge__": ("math_ops", "greater_equal", False),
        "__neg__": ("math_ops", "negative", False),
        "__abs__": ("math_ops", "abs", False),
        "__invert__": ("math_ops", "operator_invert", False),
        "__getitem__": ("slicing_ops", "slice_helper", False),
    }
)


def operator(dunder: str) -> Callable[..., Any]:
    """The method implementing ``dunder`` (looked up on first use: ops import the graph)."""
    module, fname, reflected = OPERATORS[dunder]
    cache: list[Callable[..., Any]] = []

    def fn() -> Callable[..., Any]:
        if not cache:
            cache.append(getattr(importlib.import_module(f"teachflow.ops.{module}"), fname))
        return cache[0]

    if dunder in ("__neg__", "__abs__", "__invert__"):

        def unary(self: Any) -> Any:
            return fn()(self)

        unary.__name__ = dunder
        return unary

    if reflected:

        def rmethod(self: Any, other: Any) -> Any:
            return fn()(other, self)

        rmethod.__name__ = dunder
        return rmethod

    def method(self: Any, other: Any) -> Any:
        return fn()(self, other)

    method.__name__ = dunder
    return method


def _rmatmul(self: Any, other: Any) -> Any:
    """``other @ t``: TensorFlow converts ``other`` inside the ``matmul`` scope as ``x``."""
    from teachflow.ops.constant_op import convert_to_tensor
    from teachflow.ops.matmul_ops import matmul

    g = self.graph
    with g.as_default(), g.name_scope("matmul") as scope:
        x = convert_to_tensor(other, dtype_hint=self.dtype.base_dtype, name="x")
        return matmul(x, self, name=scope)


_rmatmul.__name__ = "__rmatmul__"


class Operators:
    """The operators of :class:`~teachflow.graph.Tensor` and ``tf.Variable`` (one table)."""

    __slots__ = ()

    __add__ = operator("__add__")
    __radd__ = operator("__radd__")
    __sub__ = operator("__sub__")
    __rsub__ = operator("__rsub__")
    __mul__ = operator("__mul__")
    __rmul__ = operator("__rmul__")
    __truediv__ = operator("__truediv__")
    __rtruediv__ = operator("__rtruediv__")
    __floordiv__ = operator("__floordiv__")
    __rfloordiv__ = operator("__rfloordiv__")
    __mod__ = operator("__mod__")
    __rmod__ = operator("__rmod__")
    __pow__ = operator("__pow__")
    __rpow__ = operator("__rpow__")
    __matmul__ = operator("__matmul__")
    __rmatmul__ = _rmatmul
    __and__ = operator("__and__")
    __rand__ = operator("__rand__")
    __or__ = operator("__or__")
    __ror__ = operator("__ror__")
    __xor__ = operator("__xor__")
    __rxor__ = operator("__rxor__")
    __lt__ = operator("__lt__")
    __le__ = operator("__le__")
    __gt__ = operator("__gt__")
    __ge__ = operator("__ge__")
    __neg__ = operator("__neg__")
    __abs__ = operator("__abs__")
    __invert__ = operator("__invert__")
    __getitem__ = operator("__getitem__")
