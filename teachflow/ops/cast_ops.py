"""Converting a tensor to another dtype: the Cast op, ``cast`` and the ``to_*`` shorthands.

>>> import teachflow as tf
>>> x = tf.constant([1.7, -1.7])
>>> tf.cast(x, tf.int32).op.type, tf.to_int64(x).dtype, tf.cast(x, tf.float32) is x
('Cast', tf.int64, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.tensor_shape import TensorShape


def _cast_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.attrs["DstT"], op.inputs[0].shape)]


def _cast_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """The gradient is cast back, between float types only."""
    src, dst = op.attrs["SrcT"], op.attrs["DstT"]
    if (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex):
        return [cast(dy, src)]
    return [None]


@registry.define("Cast", infer=_cast_infer, ctx=True, grad=_cast_grad)
def _cast_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """f(x) = x converted to DstT (floats to ints truncate toward zero)"""
    src, dst = ctx.attrs["SrcT"], ctx.attrs["DstT"]
    if (src == dtypes.string) != (dst == dtypes.string):
        raise errors.UnimplementedError(
            None,
            None,
            f"Cast {_kernel_name(src)} to {_kernel_name(dst)} is not supported",
            "TensorFlow casts no strings to or from numbers; parse them in Python "
            "(or with tf.strings.to_number in real TensorFlow).",
        )
    return np.asarray(x).astype(dst.np)


def _kernel_name(dt: dtypes.DType) -> str:
    return {"float32": "float", "float64": "double"}.get(dt.name, dt.name)


def cast(x: Any, dtype: Any, name: str | None = None) -> Tensor:
    """Converts ``x`` to ``dtype``.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.cast(tf.constant([1.7, -1.7]), tf.int32)).tolist()
    [1, -1]
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype == dt:
        return x  # as TensorFlow: no op and no name used up
    g = registry.graph_for([x])
    with g.as_default(), g.name_scope(name or "Cast") as scope:
        xt = convert_to_tensor(x, name="x")
        if xt.dtype.base_dtype == dt:
            return xt
        return registry.make1(
            "Cast", [xt], {"SrcT": xt.dtype.base_dtype, "DstT": dt, "Truncate": False}, scope
        )


def to_float(x: Any, name: str = "ToFloat") -> Tensor:
    return cast(x, dtypes.float32, name)


def to_int32(x: Any, name: str = "ToInt32") -> Tensor:
    return cast(x, dtypes.int32, name)


def to_int64(x: Any, name: str = "ToInt64") -> Tensor:
    return cast(x, dtypes.int64, name)


def to_double(x: Any, name: str = "ToDouble") -> Tensor:
    return cast(x, dtypes.float64, name)


def to_complex64(x: Any, name: str = "ToComplex64") -> Tensor:
    return cast(x, dtypes.complex64, name)


def to_complex128(x: Any, name: str = "ToComplex128") -> Tensor:
    return cast(x, dtypes.complex128, name)


def to_bfloat16(x: Any, name: str = "ToBFloat16") -> Tensor:
    raise NotImplementedError(
        "teachflow has no bfloat16 dtype (tf.to_bfloat16); use tf.to_float or tf.cast(x, "
        "tf.float16)."
    )
