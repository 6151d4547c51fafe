"""Static shapes: ``TensorShape`` with unknown dimensions (``?``) and unknown rank.

>>> from teachflow.tensor_shape import TensorShape
>>> s = TensorShape([None, 3])
>>> str(s), s.as_list(), s[1].value
('(?, 3)', [None, 3], 3)
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any


class Dimension:
    """One dimension of a static shape; ``value`` is an int or None (unknown)."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            try:
                value = int(value.__index__())
            except (AttributeError, TypeError):
                raise TypeError(
                    f"Dimension value must be integer or None or have an __index__ method, "
                    f"got value '{value!r}' with type '{type(value)}'"
                ) from None
            if value < 0:
                raise ValueError(
                    f"Dimension {value} must be >= 0\n  Hint: sizes count elements; write None "
                    "for a size not known yet (-1 means 'infer this size' only in tf.reshape)."
                )
        self._value: int | None = value

    @property
    def value(self) -> int | None:
        return self._value

    def __repr__(self) -> str:
        return f"Dimension({self._value})"

    def __str__(self) -> str:
        return "?" if self._value is None else str(self._value)

    def __int__(self) -> int:
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self._value

    __index__ = __int__

    def __eq__(self, other: object) -> Any:
        try:
            o = as_dimension(other).value
        except (TypeError, ValueError):
            return NotImplemented
        if self._value is None or o is None:
            return None
        return self._value == o

    def __ne__(self, other: object) -> Any:
        eq = self.__eq__(other)
        return eq if eq is None or eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def is_compatible_with(self, other: Any) -> bool:
        o = as_dimension(other).value
        return self._value is None or o is None or self._value == o

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {as_dimension(other)} are not compatible")

    def merge_with(self, other: Any) -> Dimension:
        o = as_dimension(other)
        self.assert_is_compatible_with(o)
        return Dimension(self._value if self._value is not None else o.value)

    def _arith(self, other: Any, fn: Any) -> Dimension:
        o = as_dimension(other).value
        return Dimension(None if self._value is None or o is None else fn(self._value, o))

    def _compare(self, other: Any, fn: Any) -> bool | None:
        # None when either side is unknown, as TensorFlow's Dimension
        o = as_dimension(other).value
        return None if self._value is None or o is None else fn(self._value, o)

    def __add__(self, other: Any) -> Dimension:
        return self._arith(other, lambda a, b: a + b)

    def __radd__(self, other: Any) -> Dimension:
        return as_dimension(other) + self

    def __sub__(self, other: Any) -> Dimension:
        return self._arith(other, lambda a, b: a - b)

    def __rsub__(self, other: Any) -> Dimension:
        return as_dimension(other) - self

    def __mul__(self, other: Any) -> Dimension:
        return self._arith(other, lambda a, b: a * b)

    def __rmul__(self, other: Any) -> Dimension:
        return as_dimension(other) * self

    def __floordiv__(self, other: Any) -> Dimension:
        return self._arith(other, lambda a, b: a // b)

    def __rfloordiv__(self, other: Any) -> Dimension:
        return as_dimension(other) // self

    def __truediv__(self, other: Any) -> Dimension:
        raise TypeError(
            f"unsupported operand type(s) for /: 'Dimension' and '{type(other).__name__}', "
            "please use // instead"
        )

    def __rtruediv__(self, other: Any) -> Dimension:
        raise TypeError(
            f"unsupported operand type(s) for /: '{type(other).__name__}' and 'Dimension', "
            "please use // instead"
        )

    def __mod__(self, other: Any) -> Dimension:
        return self._arith(other, lambda a, b: a % b)

    def __rmod__(self, other: Any) -> Dimension:
        return as_dimension(other) % self

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, lambda a, b: a >= b)

    def __reduce__(self) -> Any:
        return Dimension, (self._value,)


def as_dimension(value: Any) -> Dimension:
    return value if isinstance(value, Dimension) else Dimension(value)


class TensorShape:
    """A possibly partial shape: ``dims`` is None for unknown rank."""

    __slots__ = ("_dims",)

    def __init__(self, dims: Any) -> None:
        if dims is None:
            self._dims: tuple[int | None, ...] | None = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif type(dims) in (tuple, list) and all(
            d is None or (type(d) is int and d >= 0) for d in dims
        ):
            self._dims = tuple(dims)  # the common case: plain ints and Nones
        elif hasattr(dims, "unknown_rank") and hasattr(dims, "dim"):  # a TensorShapeProto
            self._dims = (
                None
                if dims.unknown_rank
                else tuple(None if d.size == -1 else d.size for d in dims.dim)
            )
        else:
            if isinstance(dims, (str, bytes)):
                raise TypeError(
                    f"Failed to convert {dims!r} to a shape: a string is not a shape.\n  Hint: "
                    "a shape is a single dimension (e.g. 10) or a list of dimensions (e.g. "
                    "[1, 10, None])."
                )
            try:
                items = list(dims)
            except TypeError:
                items = [dims]  # a single integer means rank 1
            self._dims = tuple(as_dimension(d).value for d in items)

    @property
    def dims(self) -> list[Dimension] | None:
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list[int | None]:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self) -> tuple[int | None, ...] | None:
        """The dims as a plain tuple (None when the rank is unknown)."""
        return self._dims

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self) -> int | None:
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims or ():
            n *= d  # type: ignore[operator]
        return n

    def is_compatible_with(self, other: Any) -> bool:
        o = as_shape(other)
        if self._dims is None or o._dims is None:
            return True
        if len(self._dims) != len(o._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, o._dims))

    def merge_with(self, other: Any) -> TensorShape:
        o = as_shape(other)
        if self._dims is None:
            return o
        if o._dims is None:
            return self
        if not self.is_compatible_with(o):
            raise ValueError(f"Shapes {self} and {o} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, o._dims)])

    def most_specific_compatible_shape(self, other: Any) -> TensorShape:
        """The most specific shape both ``self`` and ``other`` are compatible with."""
        o = as_shape(other)
        if self._dims is None or o._dims is None or len(self._dims) != len(o._dims):
            return unknown_shape()
        return TensorShape([a if a == b else None for a, b in zip(self._dims, o._dims)])

    def assert_is_compatible_with(self, other: Any) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are incompatible")

    def assert_same_rank(self, other: Any) -> None:
        o = as_shape(other)
        if self._dims is not None and o._dims is not None and len(self._dims) != len(o._dims):
            raise ValueError(f"Shapes {self} and {o} must have the same rank")

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def assert_is_fully_defined(self) -> None:
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    def with_rank(self, rank: int) -> TensorShape:
        if self._dims is None:
            return unknown_shape(rank)
        self.assert_has_rank(rank)
        return self

    def with_rank_at_least(self, rank: int) -> TensorShape:
        rank = _rank_arg(rank)
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank: int) -> TensorShape:
        rank = _rank_arg(rank)
        if self._dims is not None and len(self._dims) > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    def concatenate(self, other: Any) -> TensorShape:
        o = as_shape(other)
        if self._dims is None or o._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + o._dims)

    def __add__(self, other: Any) -> TensorShape:
        return self.concatenate(other)

    def __radd__(self, other: Any) -> TensorShape:
        return as_shape(other).concatenate(self)

    def as_proto(self) -> Any:
        """This shape as a ``TensorShapeProto`` (needs the tensorboard package)."""
        from teachflow.tensor_util import shape_proto

        return shape_proto(self)

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self) -> Iterator[Dimension]:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter([Dimension(d) for d in self._dims])

    def __getitem__(self, key: Any) -> Any:
        if self._dims is None:
            if not isinstance(key, slice):
                return Dimension(None)
            if key.step is not None:
                raise ValueError("Steps are not yet handled")
            start = 0 if key.start is None else key.start
            # an unknown shape sliced from a known start to a known stop has a known rank
            if key.stop is None or start < 0 or key.stop < 0:
                return unknown_shape()
            return unknown_shape(rank=key.stop - start)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        try:
            return Dimension(self._dims[key])
        except IndexError:
            # IndexError, as TensorFlow and every Python sequence, with a readable message
            raise IndexError(
                f"Index {key} is out of range for shape {self} of rank {len(self._dims)}."
            ) from None
        except TypeError:
            raise TypeError(
                f"Shape indices must be integers or slices, not {type(key).__name__}."
            ) from None

    def __bool__(self) -> bool:
        return self._dims is not None

    def __eq__(self, other: object) -> bool:
        try:
            o = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == o._dims

    def __hash__(self) -> int:
        return hash(self._dims)

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        inner = ", ".join("?" if d is None else str(d) for d in self._dims)
        return f"({inner},)" if len(self._dims) == 1 else f"({inner})"

    def __repr__(self) -> str:
        # TensorFlow 1.x's form: the dims as Dimension objects
        return f"TensorShape({self.dims})"

    def __reduce__(self) -> Any:
        return TensorShape, (self._dims,)

    def as_proto_dims(self) -> list[int]:
        """Dims for protos: -1 for unknown."""
        return [-1 if d is None else d for d in self.as_list()]


def as_shape(shape: Any) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: int | None = None) -> TensorShape:
    if rank is None:
        return TensorShape(None)
    rank = _rank_arg(rank)
    if not 0 <= rank <= MAX_RANK:
        raise ValueError(
            f"Shape rank must be in [0, {MAX_RANK}], got {rank}.\n  Hint: a rank counts "
            "dimensions: 2 for a matrix."
        )
    return TensorShape([None] * rank)


MAX_RANK = 254  # TensorFlow's TensorShape::MaxDimensions()


def _rank_arg(rank: Any) -> int:
    """``rank`` as an int, or TensorFlow's TypeError naming what was given."""
    try:
        return operator.index(rank)
    except TypeError:
        raise TypeError(
            f"A rank must be an integer, got {rank!r} of type {type(rank).__name__}.\n"
            "  Hint: pass the number of dimensions, e.g. shape.with_rank(2)."
        ) from None


def scalar() -> TensorShape:
    return TensorShape([])


def bracket(shape: TensorShape) -> str:
    """The ``[2,?]`` form TensorFlow uses in shape-inference errors."""
    if shape.as_tuple() is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"


def dimension_value(dimension: Any) -> int | None:
    """The int (or None) of a ``Dimension``, an int or None (``tf.dimension_value``).

    >>> dimension_value(TensorShape([2, None])[0])
    2
    """
    return dimension.value if isinstance(dimension, Dimension) else dimension


def dimension_at_index(shape: Any, index: int) -> Dimension:
    """Dimension ``index`` of ``shape``; unknown when the rank is unknown."""
    sh = as_shape(shape)
    if sh.ndims is None:
        return Dimension(None)
    return sh[index]  # type: ignore[no-any-return]
