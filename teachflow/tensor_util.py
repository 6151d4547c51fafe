"""Tensor values as TensorFlow's ``TensorProto`` and back (TensorFlow's ``tensor_util``):
``make_tensor_proto``, ``make_ndarray``, and shapes as ``TensorShapeProto``.

>>> import teachflow as tf
>>> proto = tf.make_tensor_proto([[1, 2], [3, 4]])
>>> proto.dtype, [d.size for d in proto.tensor_shape.dim]
(3, [2, 2])
>>> tf.make_ndarray(proto).tolist()
[[1, 2], [3, 4]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.ops.constant_op import to_numpy
from teachflow.protos import pb
from teachflow.tensor_shape import TensorShape

# TensorFlow's make_tensor_proto packs these dtypes as raw bytes when there is > 1 element
_CONTENT_DTYPES = frozenset(
    "float16 float32 float64 int32 uint8 int16 int8 int64 uint32 uint64".split()
)
_VALUE_FIELDS = {
    "float32": "float_val",
    "float64": "double_val",
    "int32": "int_val",
    "int16": "int_val",
    "int8": "int_val",
    "uint8": "int_val",
    "uint16": "int_val",
    "int64": "int64_val",
    "uint32": "uint32_val",
    "uint64": "uint64_val",
    "bool": "bool_val",
}


def shape_proto(shape: Any) -> Any:
    """A ``TensorShapeProto`` for a TensorShape, a list of dims (None = unknown) or None."""
    proto = pb().TensorShapeProto()
    sh = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if sh.ndims is None:
        proto.unknown_rank = True
    else:
        for d in sh.as_list():
            proto.dim.add(size=-1 if d is None else int(d))
    return proto


def make_tensor_proto(
    values: Any,
    dtype: Any = None,
    shape: Any = None,
    verify_shape: bool = False,
    allow_broadcast: bool = False,
) -> Any:
    """A ``TensorProto`` holding ``values`` (as TensorFlow's ``make_tensor_proto`` packs it).

    >>> make_tensor_proto([1.0, 2.0]).tensor_shape.dim[0].size
    2
    """
    dt = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
    arr = to_numpy(values, dt)
    if shape is not None:
        arr = _reshaped(arr, [int(d) for d in shape], verify_shape, allow_broadcast)
    if dt is None:
        dt = dtypes.string if arr.dtype == object else dtypes.as_dtype(arr.dtype)
    proto = pb().TensorProto(dtype=dt.as_datatype_enum)
    proto.tensor_shape.SetInParent()  # present even for a scalar, as TensorFlow writes it
    for d in arr.shape:
        proto.tensor_shape.dim.add(size=int(d))
    flat = arr.reshape(-1)
    name = dt.name
    if name in _CONTENT_DTYPES and flat.size > 1:
        proto.tensor_content = np.ascontiguousarray(flat, dtype=dt.np.newbyteorder("<")).tobytes()
    elif name == "string":
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode() for v in flat)
    elif name == "float16":
        proto.half_val.extend(flat.astype(np.float16).view(np.uint16).tolist())
    elif name in ("complex64", "complex128"):
        pairs = np.stack([flat.real, flat.imag], axis=-1).reshape(-1).tolist()
        getattr(proto, "scomplex_val" if name == "complex64" else "dcomplex_val").extend(pairs)
    else:
        getattr(proto, _VALUE_FIELDS[name]).extend(flat.tolist())
    return proto


def _reshaped(arr: np.ndarray, shape: list[int], verify: bool, broadcast: bool) -> np.ndarray:
    """``arr`` given ``shape`` as TensorFlow's make_tensor_proto fills it: fewer values are
    padded with the last one; more are an error, as is any mismatch under verify_shape."""
    if list(arr.shape) == shape:
        return arr
    if verify or broadcast:
        raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {arr.shape}.")
    size = int(np.prod(shape))
    flat = arr.reshape(-1)
    if flat.size > size:
        raise ValueError(f"Too many elements provided. Takes at most {size}, but got {flat.size}.")
    out = np.zeros(size, dtype=arr.dtype) if arr.dtype != object else np.full(size, b"", object)
    out[: flat.size] = flat
    if flat.size:
        out[flat.size :] = flat[-1]
    return out.reshape(shape)


def make_ndarray(tensor: Any) -> np.ndarray:
    """The numpy array a ``TensorProto`` holds (inverse of :func:`make_tensor_proto`).

    >>> make_ndarray(make_tensor_proto([[1, 2], [3, 4]])).tolist()
    [[1, 2], [3, 4]]
    """
    if not (hasattr(tensor, "tensor_shape") and hasattr(tensor, "dtype")):
        raise TypeError(f"make_ndarray expects a TensorProto, got {type(tensor).__name__}.")
    dt = dtypes.as_dtype(tensor.dtype)
    shape = [d.size for d in tensor.tensor_shape.dim]
    size = int(np.prod(shape))
    if dt == dtypes.string:
        vals = np.array(list(tensor.string_val), dtype=object)
    elif tensor.tensor_content:
        vals = np.frombuffer(tensor.tensor_content, dtype=dt.np.newbyteorder("<")).astype(dt.np)
    elif dt.name == "float16":
        vals = np.array(list(tensor.half_val), np.uint16).view(np.float16)
    elif dt.name in ("complex64", "complex128"):
        field = tensor.scomplex_val if dt.name == "complex64" else tensor.dcomplex_val
        pairs = np.array(list(field), dtype=np.float64).reshape(-1, 2)
        vals = (pairs[:, 0] + 1j * pairs[:, 1]).astype(dt.np)
    else:
        vals = np.array(list(getattr(tensor, _VALUE_FIELDS[dt.name])), dtype=dt.np)
    if vals.size == size:
        return vals.reshape(shape)
    if vals.size == 0:
        return np.zeros(shape, dtype=vals.dtype if dt != dtypes.string else object)
    # TensorFlow stores a run of equal trailing values once: repeat the last one
    out = np.empty(size, dtype=vals.dtype)
    out[: vals.size] = vals
    out[vals.size :] = vals[-1]
    return out.reshape(shape)
