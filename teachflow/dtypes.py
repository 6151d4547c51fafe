"""Data types: ``tf.float32`` and friends, with TensorFlow's names and printed forms.

>>> import teachflow as tf
>>> tf.float32, str(tf.int32), tf.float32 == "float32"
(tf.float32, "<dtype: 'int32'>", True)
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np


class DType:
    """A tensor element type; ``*_ref`` types mark variable references."""

    __slots__ = ("_name", "_np", "_is_ref", "_enum")

    def __new__(cls, type_enum: Any, *args: Any, **kwargs: Any) -> DType:
        if not args and not kwargs:
            # tf.DType(1) is tf.float32, as in TensorFlow
            if not isinstance(type_enum, int) or type_enum not in _BY_ENUM:
                raise TypeError(f"type_enum is not a valid types_pb2.DataType: {type_enum!r}")
            return _BY_ENUM[type_enum]
        return super().__new__(cls)

    def __init__(
        self,
        name: Any = None,
        np_type: Any = None,
        enum: int = 0,
        is_ref: bool = False,
        type_enum: Any = None,
    ) -> None:
        if np_type is None:
            return  # tf.DType(enum) or tf.DType(type_enum=enum): __new__ returned an existing DType
        self._name = name
        self._np = np.dtype(np_type)
        self._is_ref = is_ref
        self._enum = enum

    @property
    def name(self) -> str:
        return self._name + ("_ref" if self._is_ref else "")

    @property
    def as_numpy_dtype(self) -> type:
        return object if self._name == "string" else self._np.type

    @property
    def np(self) -> np.dtype:
        """The numpy dtype of the elements."""
        return self._np

    @property
    def as_datatype_enum(self) -> int:
        """The ``DataType`` enum value in TensorFlow's protos (101+ for refs)."""
        return self._enum + (100 if self._is_ref else 0)

    @property
    def is_ref(self) -> bool:
        return self._is_ref

    @property
    def _is_ref_dtype(self) -> bool:
        return self._is_ref

    @property
    def real_dtype(self) -> DType:
        """float32 for complex64, float64 for complex128, else the dtype itself."""
        if self._name == "complex64":
            return _BY_NAME["float32"]
        if self._name == "complex128":
            return _BY_NAME["float64"]
        return self

    @property
    def base_dtype(self) -> DType:
        return _BY_NAME[self._name] if self._is_ref else self

    @property
    def _as_ref(self) -> DType:
        return _REFS[self._name]

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._np.kind == "u"

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def is_numeric(self) -> bool:
        return self._np.kind in "iufc"

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def min(self) -> Any:
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self) -> Any:
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    @property
    def limits(self) -> tuple[Any, Any]:
        """The value range TensorFlow's image code uses: (0, 1) for floats, (0, max) else."""
        if self.is_bool:
            return (0, True)
        if self.is_integer:
            return (0, int(np.iinfo(self._np).max))
        return (0, 1)

    @property
    def size(self) -> int:
        return 0 if self._name == "string" else self._np.itemsize

    def is_compatible_with(self, other: Any) -> bool:
        """True if a value of ``other`` fits where this dtype is expected (a ref fits its base)."""
        o = as_dtype(other)
        return self.as_datatype_enum in (o.as_datatype_enum, o.base_dtype.as_datatype_enum)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DType):
            return self._name == other._name and self._is_ref == other._is_ref
        try:
            return self == as_dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return False

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return as_dtype, (self.name,)


# (name, numpy type, DataType enum in TensorFlow's types.proto)
_TABLE = [
    ("float32", np.float32, 1),
    ("float64", np.float64, 2),
    ("int32", np.int32, 3),
    ("uint8", np.uint8, 4),
    ("int16", np.int16, 5),
    ("int8", np.int8, 6),
    ("string", np.object_, 7),
    ("complex64", np.complex64, 8),
    ("int64", np.int64, 9),
    ("bool", np.bool_, 10),
    ("uint16", np.uint16, 17),
    ("complex128", np.complex128, 18),
    ("float16", np.float16, 19),
    ("uint32", np.uint32, 22),
    ("uint64", np.uint64, 23),
]
_BY_NAME: dict[str, DType] = {n: DType(n, t, e) for n, t, e in _TABLE}
_REFS: dict[str, DType] = {n: DType(n, t, e, is_ref=True) for n, t, e in _TABLE}
_BY_ENUM: dict[int, DType] = {d.as_datatype_enum: d for d in [*_BY_NAME.values(), *_REFS.values()]}

float16 = half = _BY_NAME["float16"]
float32 = _BY_NAME["float32"]
float64 = double = _BY_NAME["float64"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
uint32 = _BY_NAME["uint32"]
uint64 = _BY_NAME["uint64"]
bool_ = _BY_NAME["bool"]  # exported as tf.bool
string = _BY_NAME["string"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]

_ALIASES = {"float": float32, "double": float64, "half": float16, "str": string, "bytes": string}
_NP_TO_DTYPE = {d.np: d for d in _BY_NAME.values() if d is not string}


def as_dtype(type_value: Any) -> DType:
    """Converts a DType, a name ('float32'), a numpy dtype or a Python type to a ``DType``."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value.endswith("_ref") and type_value[:-4] in _REFS:
            return _REFS[type_value[:-4]]
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        if type_value in _ALIASES:
            return _ALIASES[type_value]
    elif isinstance(type_value, int) and not isinstance(type_value, bool):
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
    elif type_value is float:
        return float32
    elif type_value is int:
        return int32
    elif type_value is bool:
        return bool_
    elif type_value in (str, bytes):
        return string
    elif type_value is not None:
        try:
            npd = np.dtype(type_value)
        except (TypeError, ValueError):
            npd = None
        if npd is not None:
            if npd.kind in "SUO":
                return string
            if npd in _NP_TO_DTYPE:
                return _NP_TO_DTYPE[npd]
    hint = _dtype_hint(type_value)
    raise TypeError(
        f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType.\n"
        f"  Hint: {hint}"
    )


def _dtype_hint(type_value: Any) -> str:
    names = sorted(_BY_NAME)
    if isinstance(type_value, str):
        close = difflib.get_close_matches(type_value, [*names, *_ALIASES], n=1)
        if close:
            return f"did you mean tf.{as_dtype(close[0]).name} ('{close[0]}')?"
    if type_value is None:
        return "pass a dtype such as tf.float32; None is not a dtype."
    return "use a tf.DType (tf.float32, tf.int32...) or one of the names " + ", ".join(names) + "."


def numpy_name(dtype: DType) -> str:
    """The short name TensorFlow uses in run-time messages: float, double, int32..."""
    base = dtype.base_dtype
    return {"float32": "float", "float64": "double", "float16": "half"}.get(base.name, base.name)
