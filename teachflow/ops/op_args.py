"""An op's arguments: the graph they live in, converting and checking them while building,
and the error a kernel raises for a bad one at run time.

>>> import teachflow as tf
>>> from teachflow.ops.op_args import index_input
>>> index_input([1, 0], "perm", "perm", "Transpose").dtype
tf.int32
>>> index_input([1.5], "perm", "perm", "Transpose")  # doctest: +ELLIPSIS
Traceback (most recent call last):
TypeError: Value passed to parameter 'perm' has DataType float32 not in list of allowed ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from teachflow import dtypes, errors
from teachflow.graph import Graph, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor, is_tensor


def graph_of(*values: Any) -> Graph:
    """The graph of the first tensor among ``values`` (lists are looked into)."""
    flat: list[Any] = []
    for v in values:
        flat.extend(v if isinstance(v, (list, tuple)) else [v])
    return registry.graph_for(flat)


def invalid_argument(message: str, hint: str) -> errors.InvalidArgumentError:
    """A run-time InvalidArgumentError (the execution adds the node and where it was made)."""
    return errors.InvalidArgumentError(None, None, message, hint)


def index_input(
    value: Any, name: str, arg: str, op_type: str, allowed: Sequence[str] = ("int32", "int64")
) -> Tensor:
    """Converts an index-like input (axis, perm, begin...) and checks its dtype.

    Python values prefer int32, as TensorFlow's integer arguments do (so ``[]`` is int32).
    """
    t = convert_to_tensor(value, name=name, preferred_dtype=dtypes.int32)
    dt = t.dtype.base_dtype
    if dt.name not in allowed:
        raise TypeError(
            f"Value passed to parameter '{arg}' has DataType {dt.name} not in list of allowed "
            f"values: {', '.join(allowed)}\n  Hint: {op_type} needs integer {arg}; "
            f"use tf.cast(..., tf.int32)."
        )
    return t


def int_arg(value: Any, arg: str) -> int:
    """An int attr (axis, num, a mask...) given in Python; TensorFlow's TypeError otherwise."""
    if not isinstance(value, (str, bytes)):
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            pass
    raise TypeError(
        f"Expected int for argument '{arg}' not {value!r}.\n  Hint: {arg} is a Python int here."
    )


def float_arg(value: Any, arg: str) -> float:
    """A float attr (alpha...) given in Python; TensorFlow's TypeError otherwise."""
    if not isinstance(value, (str, bytes)):
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            pass
    raise TypeError(
        f"Expected float for argument '{arg}' not {value!r}.\n  Hint: {arg} is a Python number "
        "here."
    )


# More outputs than this for one op (tf.split(x, 10**10)) would exhaust memory while building.
MAX_OUTPUTS = 10**6


def count_attr(value: Any, attr: str, op_type: str, minimum: int) -> int:
    """An op's output count (``num_split``, ``num``), checked against TensorFlow's minimum."""
    n = int_arg(value, attr)
    if n < minimum:
        raise ValueError(
            f"Attr '{attr}' of '{op_type}' Op passed {n} less than minimum {minimum}.\n  Hint: "
            f"{attr} is the number of pieces to make."
        )
    if n > MAX_OUTPUTS:
        raise ValueError(
            f"Attr '{attr}' of '{op_type}' Op passed {n}, more outputs than the {MAX_OUTPUTS} "
            f"teachflow makes for one op.\n  Hint: {attr} is the number of pieces to make; "
            "check its value."
        )
    return n


def check_same_dtypes(op_type: str, values: Sequence[Any], arg: str = "values") -> None:
    """TensorFlow's TypeError for a list input whose tensors disagree on dtype."""
    found = [convert_to_tensor(v).dtype.base_dtype for v in values if is_tensor(v)]
    if len(set(found)) > 1:
        names = ", ".join(d.name for d in found)
        raise TypeError(
            f"Tensors in list passed to '{arg}' of '{op_type}' Op have types [{names}] that "
            "don't all match.\n  Hint: tf.cast the tensors to one dtype first."
        )


def has_tensor(x: Any) -> bool:
    """Whether ``x`` is a tensor or a (nested) list holding one."""
    if isinstance(x, (list, tuple)):
        return any(has_tensor(v) for v in x)
    return is_tensor(x)


def cast_if(t: Tensor, dtype: Any) -> Tensor:
    """``t`` cast to ``dtype`` (no op when it already has it, or when dtype is None)."""
    if dtype is None or dtypes.as_dtype(dtype).base_dtype == t.dtype.base_dtype:
        return t
    from teachflow.ops.cast_ops import cast

    return cast(t, dtype)
