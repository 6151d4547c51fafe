"""Nested element structures of ``tf.data``: a tensor, a tuple, a dict (keys sorted), nested.

An element is flattened into a list of components (one op output each) and packed back into the
user's structure. Lists are values, not structures (``from_tensor_slices([1, 2])`` is one tensor),
as in TensorFlow.

>>> from teachflow.data.structure import flatten, pack
>>> flatten(({"b": 1, "a": 2}, 3))
[2, 1, 3]
>>> pack(({"b": 0, "a": 0}, 0), [2, 1, 3])
({'b': 1, 'a': 2}, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from teachflow import dtypes
from teachflow.tensor_shape import TensorShape


def is_nested(x: Any) -> bool:
    return isinstance(x, (tuple, dict))


def flatten(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in flatten(x[k])]
    if isinstance(x, tuple):
        return [leaf for item in x for leaf in flatten(item)]
    return [x]


def pack(structure: Any, flat: list[Any]) -> Any:
    """``flat`` (as many leaves as ``structure`` has) in the shape of ``structure``."""
    it = iter(flat)
    out = _pack(structure, it)
    return out


def _pack(s: Any, it: Iterator[Any]) -> Any:
    if isinstance(s, dict):
        built = {k: _pack(s[k], it) for k in sorted(s)}
        return {k: built[k] for k in s}
    if isinstance(s, tuple):
        items = [_pack(item, it) for item in s]
        return type(s)(*items) if hasattr(s, "_fields") else tuple(items)
    return next(it)


def map_structure(fn: Callable[[Any], Any], s: Any) -> Any:
    return pack(s, [fn(leaf) for leaf in flatten(s)])


class Spec:
    """One component of an element: its dtype and static shape (TensorFlow's TensorSpec)."""

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype: dtypes.DType, shape: Any) -> None:
        self.dtype = dtype.base_dtype
        self.shape = TensorShape(shape)

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name=None)"


def types_of(structure: Any) -> Any:
    return map_structure(lambda s: s.dtype, structure)


def shapes_of(structure: Any) -> Any:
    return map_structure(lambda s: s.shape, structure)


def text(x: Any) -> str:
    """TensorFlow 1.x's printed form of a structure of types or shapes: ``((?, 2), ())``."""
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {text(v)}" for k, v in x.items()) + "}"
    if isinstance(x, tuple):
        inner = ", ".join(text(v) for v in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    return str(x) if isinstance(x, TensorShape) else repr(x)
