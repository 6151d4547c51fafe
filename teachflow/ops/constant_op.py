"""Constants and converting Python values to tensors (``tf.constant``, ``convert_to_tensor``).

>>> import teachflow as tf
>>> tf.constant([1, 2])
<tf.Tensor 'Const:0' shape=(2,) dtype=int32>
>>> print(tf.constant(7.0, shape=[2, 3]).shape)
(2, 3)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.errors import DTypeMismatchError
from teachflow.graph import Graph, Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.tensor_shape import TensorShape


def _const_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.attrs["dtype"], TensorShape(op.attrs["value"].shape))]


@registry.define("Const", infer=_const_infer, ctx=True, view=True)
def _const_kernel(ctx: registry.KernelContext) -> np.ndarray:
    """f() = value"""
    return ctx.attrs["value"]  # type: ignore[no-any-return]


def _dense_dims(values: Any) -> list[int]:
    # NOTE: like TensorFlow, only Python lists count: [np.array([1]), np.array([2])] is refused
    if isinstance(values, (list, tuple)):
        if not values:
            return [0]
        return [len(values), *_dense_dims(values[0])]
    return []


def _first_mismatch(values: Any, dtype: dtypes.DType) -> Any:
    """The first Python element that cannot become ``dtype`` (TensorFlow's _AssertCompatible)."""
    if isinstance(values, (list, tuple)):
        for v in values:
            bad = _first_mismatch(v, dtype)
            if bad is not None:
                return bad
        return None
    if isinstance(values, np.ndarray):
        return None
    # bool is a Python int, so True passes for numeric dtypes (as in TensorFlow)
    if dtype.is_bool:
        ok = isinstance(values, (bool, np.bool_))
    elif dtype.is_integer:
        ok = isinstance(values, (int, np.integer, np.bool_))
    elif dtype.is_floating:
        ok = isinstance(values, (int, float, np.integer, np.floating, np.bool_))
    elif dtype.is_complex:
        ok = isinstance(values, (int, float, complex, np.number, np.bool_))
    elif dtype == dtypes.string:
        ok = isinstance(values, (str, bytes))
    else:
        ok = True
    return None if ok else values


def _mismatch_hint(bad: Any, dtype: dtypes.DType) -> str:
    want = dtype.base_dtype.name
    if isinstance(bad, (str, bytes)):
        return f"a string cannot become {want}; convert it in Python first (float('1.5'))."
    if dtype.is_integer and isinstance(bad, float):
        return f"write an integer, or make the tensor a float (dtype=tf.float32) instead of {want}."
    return f"pass a value that fits {want}, or choose another dtype."


def _contains(values: Any, kind: type | tuple[type, ...]) -> bool:
    if isinstance(values, (list, tuple)):
        return any(_contains(v, kind) for v in values)
    return isinstance(values, kind)


def to_numpy(value: Any, dtype: dtypes.DType | None = None) -> np.ndarray:
    """Python/numpy value -> numpy array with TensorFlow's dtype rules.

    Python floats become float32 and ints int32 (int64 when too large); numpy keeps its dtype.
    """
    if value is None:
        raise ValueError(
            "None values not supported.\n  Hint: a value passed here is None; check that the "
            "function which made it returns something."
        )
    if isinstance(value, (Tensor, Operation)) or _contains(value, (Tensor, Operation)):
        raise TypeError(
            f"Expected a Python or numpy value, got {value!r}.\n  Hint: use tf.stack([...]) "
            "to combine tensors into one."
        )
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind in "SU":
            arr = np.array(_to_bytes(arr.tolist()), dtype=object).reshape(arr.shape)
        if dtype is not None:
            arr = _cast_numpy(arr, dtype)
        elif arr.dtype.kind in "Ob":
            pass
        else:
            dtypes.as_dtype(arr.dtype)  # raises TypeError for unsupported numpy dtypes
        return arr
    if isinstance(value, (list, tuple)) and _contains(value, (str, bytes)):
        if not _all_strings(value):
            raise TypeError(
                f"Failed to convert elements of {value!r} to Tensor. Consider casting elements "
                "to a supported type.\n  Hint: a tensor holds one type: make every element a "
                "string, or every element a number."
            )
    if dtype is not None:
        bad = _first_mismatch(value, dtype)
        if bad is not None:
            shown = str(bad) if isinstance(bad, np.generic) else repr(bad)
            raise TypeError(
                f"Expected {dtype.base_dtype.name}, got {shown} of type '{type(bad).__name__}' "
                f"instead.\n  Hint: {_mismatch_hint(bad, dtype)}"
            )
    np_dt = None if dtype is None else dtype.base_dtype.np
    if _contains(value, (str, bytes)):
        arr = np.array(_to_bytes(value), dtype=object)
        if dtype is not None and dtype != dtypes.string:
            raise TypeError(f"Expected {dtype.base_dtype.name}, got {value!r} of type 'str'.")
    else:
        try:
            with np.errstate(all="ignore"):
                arr = _wrapping_array(value, np_dt)
        except OverflowError:
            raise ValueError(
                f"Can't convert Python value {value!r} to {dtype.name if dtype else 'a tensor'}: "
                "it is out of range."
            ) from None
        except (ValueError, TypeError) as e:
            if "inhomogeneous" in str(e) or "sequence" in str(e):
                raise ValueError(
                    f"Can't convert non-rectangular Python sequence to Tensor: {value!r}.\n"
                    "  Hint: every row must have the same length (pad the short ones)."
                ) from None
            raise TypeError(f"Failed to convert {value!r} to a Tensor: {e}") from None
        if arr.dtype == object:
            raise TypeError(
                f"Failed to convert object of type {type(value)} to Tensor.\n  Hint: a tensor "
                "holds numbers, booleans or strings: pass a number, a (nested) list of them or "
                "a numpy array."
            )
        if list(arr.shape) != _dense_dims(value) and arr.size:
            raise ValueError(
                f"Argument must be a dense tensor: {value!r} - got shape {list(arr.shape)}, "
                f"but wanted {_dense_dims(value)}."
            )
        if dtype is None:
            if arr.dtype == np.float64:
                arr = arr.astype(np.float32)
            elif arr.dtype == np.int64:
                small = arr.astype(np.int32)
                if np.array_equal(small, arr):
                    arr = small
            elif arr.dtype.kind == "U":
                arr = arr.astype(object)
    return arr


def _all_strings(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_all_strings(v) for v in value)
    return isinstance(value, (str, bytes, np.str_, np.bytes_))


def _wrapping_array(value: Any, np_dt: Any) -> np.ndarray:
    """``np.array(value, np_dt)``; integers out of the dtype's range wrap around, as in
    TensorFlow (``tf.constant(-1, tf.uint8)`` is 255) where numpy 2 would refuse them."""
    try:
        return np.array(value, dtype=np_dt)
    except OverflowError:
        if np_dt is None or np.dtype(np_dt).kind not in "iu":
            raise
    return np.array(value).astype(np_dt)


def _to_bytes(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_to_bytes(v) for v in value]
    return value.encode() if isinstance(value, str) else value


def _cast_numpy(arr: np.ndarray, dtype: dtypes.DType) -> np.ndarray:
    base = dtype.base_dtype
    if base == dtypes.string:
        if arr.dtype != object:
            raise TypeError(f"Expected string, got {arr!r} of type '{type(arr).__name__}'.")
        return arr
    if arr.dtype == object:
        raise TypeError(f"Expected {base.name}, got {arr!r} of type '{type(arr).__name__}'.")
    with np.errstate(all="ignore"):
        return arr.astype(base.np, copy=False)


def constant(
    value: Any,
    dtype: Any = None,
    shape: Any = None,
    name: str = "Const",
    verify_shape: bool = False,
) -> Tensor:
    """A tensor with a fixed value, stored in the graph.

    A scalar fills ``shape``; a shorter list is padded with its last element (TF 1.x).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.constant([1, 2], shape=[2, 2])).tolist()
    [[1, 2], [2, 2]]
    """
    dt = None if dtype is None else dtypes.as_dtype(dtype)
    arr = to_numpy(value, dt)
    if shape is not None:
        target = TensorShape(shape)
        if not target.is_fully_defined():
            raise TypeError(f"Expected a fully defined shape for a constant, got {shape!r}.")
        dims = tuple(int(d or 0) for d in target.as_list())
        n = math.prod(dims)  # Python ints: np.prod would overflow silently on huge shapes
        if n == 0:
            # TensorFlow ignores the value here: an empty array (float32 unless dtype= says)
            arr = np.empty(dims, dtype=np.float32 if dt is None else dt.base_dtype.np)
        itemsize = (dt.base_dtype if dt is not None else dtypes.as_dtype(arr.dtype)).size
        if n * max(itemsize, 1) > registry.MAX_TENSOR_BYTES:
            raise ValueError(
                f"Cannot create a constant of shape {list(dims)}: its {n} elements would take "
                f"{registry.nbytes_text(n * max(itemsize, 1))}, more than the "
                f"{registry.nbytes_text(registry.MAX_TENSOR_BYTES)} teachflow allows one tensor "
                "(half of this machine's memory).\n"
                "  Hint: check the shape (an extra zero? 10**12?); constants are stored in the "
                "graph, so they must fit in memory."
            )
        if verify_shape and arr.shape != dims:
            raise TypeError(f"Expected Tensor's shape: {dims}, got {arr.shape}.")
        if arr.size == n:
            arr = arr.reshape(dims)
        elif arr.size == 1:
            arr = np.full(dims, arr.reshape(()), dtype=arr.dtype)
        elif arr.size > n:
            raise ValueError(f"Too many elements provided. Takes at most {n}, but got {arr.size}.")
        elif arr.size == 0:
            # no values: TensorFlow fills the shape with zeros (empty strings)
            zero = b"" if arr.dtype == object else 0
            arr = np.full(dims, zero, dtype=arr.dtype)
        else:
            flat = arr.reshape(-1)
            arr = np.concatenate([flat, np.repeat(flat[-1:], n - flat.size)]).reshape(dims)
    out_dtype = dt.base_dtype if dt is not None else dtypes.as_dtype(arr.dtype)
    arr = np.array(arr, dtype=out_dtype.np)  # an owned copy: the graph keeps it
    arr.flags.writeable = False
    return registry.make1("Const", [], {"value": arr, "dtype": out_dtype}, name)


def _mismatch_error(
    t: Tensor, dtype: dtypes.DType, arg: str | None, op: str | None, src: str | None
) -> Exception:
    want, got = dtype.base_dtype.name, t.dtype.base_dtype.name
    conversion = f"Tensor conversion requested dtype {want} for Tensor with dtype {got}: '{t}'"
    hint = (
        f"  Hint: {f'input {arg!r} of {op!r}' if arg and op else 'this tensor'} must be {want}; "
        f"convert it first with tf.cast({errors.python_expr(t)}, tf.{want}) (or build both "
        "sides with the "
        "same dtype)."
    )
    if not (arg and op and src):
        return DTypeMismatchError(f"{conversion}\n{hint}")
    # the memo's 0.x ValueError text comes first (its transcripts must read the same); TensorFlow
    # 1.x's TypeError text follows, and the error is both classes
    return DTypeMismatchError(
        f"{conversion}\n  (TensorFlow 1.x words it: Input '{arg}' of '{op}' Op has type {got} "
        f"that does not match type {want} of argument '{src}'.)\n{hint}"
    )


def convert_to_tensor(
    value: Any,
    dtype: Any = None,
    name: str | None = None,
    preferred_dtype: Any = None,
    as_ref: bool = False,
    dtype_hint: Any = None,
    _arg: str | None = None,
    _op: str | None = None,
    _from: str | None = None,
) -> Tensor:
    """Returns ``value`` as a Tensor: tensors pass through, Python/numpy values become constants.

    >>> import teachflow as tf
    >>> tf.convert_to_tensor([1.0, 2.0]).dtype
    tf.float32
    """
    dt = None if dtype is None else dtypes.as_dtype(dtype)
    if hasattr(value, "_fetch_parts"):  # a composite (tf.IndexedSlices) densifies under `name`
        value = value._as_tensor(as_ref, name=name)
    elif hasattr(value, "_as_tensor"):
        value = value._as_tensor(as_ref)
    if isinstance(value, Tensor):
        if dt is not None and value.dtype.base_dtype != dt.base_dtype:
            raise _mismatch_error(value, dt, _arg, _op, _from)
        return value
    if isinstance(value, Operation):
        raise TypeError(
            f"Can't convert Operation '{value.name}' to Tensor (target dtype={dt}, name={name!r}, "
            f"as_ref={as_ref}). Hint: an Operation has no value; use one of its outputs."
        )
    if isinstance(value, (list, tuple)) and _contains(value, Tensor) or _has_var(value):
        from teachflow.ops.stack_ops import stack

        return stack(list(value), name=name or "packed")
    preferred = preferred_dtype if preferred_dtype is not None else dtype_hint
    if dt is None and preferred is not None and not _overflows(value, preferred):
        try:
            return constant(value, dtype=preferred, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dt, name=name or "Const")


def _overflows(value: Any, dtype: Any) -> bool:
    """Whether Python ints in ``value`` fall outside ``dtype`` (a preferred dtype then yields:
    ``tf.fill([10**12], 0)`` gets int64 dims rather than wrapped int32 ones)."""
    if isinstance(value, (np.ndarray, np.generic)) or _contains(value, (str, bytes)):
        return False
    try:
        np_dt = dtypes.as_dtype(dtype).base_dtype.np
        with np.errstate(all="ignore"):
            np.array(value, dtype=np_dt)
    except OverflowError:
        return True
    except (TypeError, ValueError):
        return False
    return False


def _has_var(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and any(hasattr(v, "_as_tensor") for v in value)


def convert_n_to_tensor(values: Any, dtype: Any = None, name: str | None = None) -> list[Tensor]:
    return [convert_to_tensor(v, dtype=dtype) for v in values]


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def convert_inputs(
    op_type: str, args: list[tuple[str, Any]], any_tensor_decides: bool = False
) -> list[Tensor]:
    """Converts op inputs that share one dtype (TensorFlow's attr ``T``), in order.

    As in TensorFlow, the first input fixes the dtype (a Python ``1`` first makes it int32) and
    later inputs must match: Python values are converted to it, a tensor of another dtype is a
    :class:`~teachflow.errors.DTypeMismatchError`. Operators (``1 + x``) pass
    ``any_tensor_decides=True``: there the tensor operand fixes the dtype, as TensorFlow's
    reflected operators do.
    """
    dtype = None
    decided_by = None  # the input that fixed the dtype, named in TensorFlow's mismatch error
    if any_tensor_decides:
        for a, v in args:
            if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
                dtype, decided_by = convert_to_tensor(v).dtype.base_dtype, a
                break
    out = []
    for arg, v in args:
        t = convert_to_tensor(v, dtype=dtype, name=arg, _arg=arg, _op=op_type, _from=decided_by)
        if dtype is None:
            dtype, decided_by = t.dtype.base_dtype, arg
        out.append(t)
    return out


def default_graph() -> Graph:
    return get_default_graph()
