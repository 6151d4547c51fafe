"""What the nn ops share (input dtype and rank rules, numerically careful helpers) and the
dense-layer ops: bias_add, xw_plus_b, l2_loss.

The other nn families: ``activation_ops`` (relu... softmax), ``xent_ops`` (cross-entropies),
``nn_composites`` (dropout, moments...); ``teachflow.nn`` is the public ``tf.nn`` namespace.

>>> import teachflow as tf
>>> y = tf.nn.bias_add(tf.zeros([2, 3]), [1.0, 2.0, 3.0])
>>> print(y)
Tensor("BiasAdd:0", shape=(2, 3), dtype=float32)
>>> float(tf.Session().run(tf.nn.l2_loss(y)))
14.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, fill_ops, matmul_ops, registry, transpose_ops
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.op_args import int_arg
from teachflow.tensor_shape import TensorShape

OutSpec = list[tuple[dtypes.DType, TensorShape]]

# -- rules shared by the nn ops: input dtypes and ranks ------------------------------------

_FLOATS = "float16, bfloat16, float32, float64"
_REALS = (
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64, qint8"
)
_INDEX = "int32, int64"


def _is_float(dt: dtypes.DType) -> bool:
    return dt.is_floating


def _is_real(dt: dtypes.DType) -> bool:
    return dt.is_floating or dt.is_integer


def _is_index(dt: dtypes.DType) -> bool:
    return dt in (dtypes.int32, dtypes.int64)


_ALLOWED: dict[str, tuple[Callable[[dtypes.DType], bool], str]] = {
    "float": (_is_float, _FLOATS),
    "real": (_is_real, _REALS),
    "index": (_is_index, _INDEX),
}


def check_dtype(op: Operation, i: int, param: str, kind: str) -> dtypes.DType:
    """TensorFlow's construction-time TypeError for an input dtype the op does not accept."""
    ok, allowed = _ALLOWED[kind]
    dt = op.inputs[i].dtype.base_dtype
    if not ok(dt):
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            f"values: {allowed}\n  Hint: tf.cast the input first, e.g. tf.cast(x, tf.float32)."
        )
    return dt


def at_least_rank(op: Operation, i: int, rank: int) -> TensorShape:
    """The shape of input ``i``; TensorFlow's shape error when its rank is below ``rank``."""
    shape = op.inputs[i].shape
    if shape.ndims is not None and shape.ndims < rank:
        raise registry.shape_error(
            op, f"Shape must be at least rank {rank} but is rank {shape.ndims}"
        )
    return shape


def rank_is(op: Operation, i: int, rank: int) -> TensorShape:
    """The shape of input ``i``, of rank ``rank`` (TensorFlow's shape error otherwise)."""
    shape = op.inputs[i].shape
    if shape.ndims is not None and shape.ndims != rank:
        raise registry.shape_error(op, f"Shape must be rank {rank} but is rank {shape.ndims}")
    return shape if shape.ndims is not None else TensorShape([None] * rank)


def make_op(type: str, inputs: list[Tensor], name: str, **attrs: Any) -> Tensor:
    """An op of ``type`` whose attr ``T`` is the dtype of its first input."""
    return registry.make1(type, inputs, {"T": inputs[0].dtype.base_dtype, **attrs}, name)


# -- numerics and axes shared by softmax and its cross-entropies ----------------------------


def shifted_classes_first(x: np.ndarray) -> np.ndarray:
    """x - max(x) along the last axis, that axis moved first (a new C-contiguous array).

    The softmax family reduces along the classes axis several times; numpy reduces over a
    leading axis 3-4x faster than over a short trailing one (256x10: 3 us against 12 us).
    Rows whose maximum is not finite are left unshifted (rows of -inf stay -inf, not NaN).
    """
    last = x.ndim - 1
    s = work_dtype(x).transpose(last, *range(last)).copy()
    m = np.maximum.reduce(s, axis=0, initial=-np.inf)
    finite = np.isfinite(m)
    s -= m if finite.all() else np.where(finite, m, 0)
    return s


def classes_last(y: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The inverse of :func:`shifted_classes_first`'s move, C-contiguous, as ``dtype``."""
    return np.ascontiguousarray(y.transpose(*range(1, y.ndim), 0), dtype=dtype)


def work_dtype(x: np.ndarray) -> np.ndarray:
    # float16 is too coarse for the sums; TensorFlow also accumulates it in float32
    return x.astype(np.float32) if x.dtype == np.float16 else x


def resolve_axis(axis: Any, dim: Any, default: int = -1) -> int:
    """The softmax axis from ``axis`` or its 0.x name ``dim`` (a constant tensor is allowed)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'. Hint: 'dim' is the 0.x name.")
    value = axis if axis is not None else dim if dim is not None else default
    if isinstance(value, Tensor):
        known = registry.constant_value(value)
        if known is None:
            raise NotImplementedError("teachflow needs a constant `axis` for softmax ops.")
        value = int(np.ravel(known)[0]) if np.size(known) == 1 else known
    return int_arg(value, "axis")


def swap_last(x: Tensor, axis: int) -> Tensor:
    """``x`` with dimensions ``axis`` and -1 swapped (its own inverse)."""
    rank = x.shape.ndims
    if rank is None:
        raise NotImplementedError(
            "softmax along an axis other than the last needs a tensor of known rank in teachflow."
        )
    if not -rank <= axis < rank:
        raise ValueError(
            f"axis must be in the range [{-rank}, {rank}) where {rank} is the number of "
            f"dimensions in the input. Received: axis={axis}\n  Hint: axis picks the classes "
            "dimension; the default -1 is the last one."
        )
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return transpose_ops.transpose(x, perm)


# -- l2_loss, bias_add ---------------------------------------------------------------------------


def _l2_loss_infer(op: Operation) -> OutSpec:
    return [(check_dtype(op, 0, "t", "float"), TensorShape([]))]


def _l2_loss_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [op.inputs[0] * grad]


@registry.define("L2Loss", infer=_l2_loss_infer, grad=_l2_loss_grad)
def _l2_loss_kernel(x: np.ndarray) -> np.ndarray:
    """f(x) = sum(x^2) / 2"""
    return np.asarray(np.sum(np.square(work_dtype(x))) / 2, dtype=x.dtype)


def l2_loss(t: Any, name: str | None = None) -> Tensor:
    """Half the squared L2 norm: f(t) = sum(t^2) / 2.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.nn.l2_loss([1.0, 2.0])))
    2.5
    """
    g = registry.graph_for([t])
    with g.as_default(), g.name_scope(name or "L2Loss") as scope:
        x = convert_to_tensor(t, name="t")
        return make_op("L2Loss", [x], scope)


def _channel_axis(data_format: str, rank: int) -> int:
    return 1 if data_format.startswith("NC") and rank > 2 else rank - 1


def _bias_add_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "value", "real")
    value = at_least_rank(op, 0, 2)
    bias = rank_is(op, 1, 1)
    if op.inputs[1].dtype.base_dtype != dt:
        raise TypeError(
            f"Input 'bias' of 'BiasAdd' Op has type {op.inputs[1].dtype.base_dtype.name} that "
            f"does not match type {dt.name} of argument 'value'."
        )
    if value.ndims is None:
        return [(dt, value)]
    dims = value.as_list()
    ax = _channel_axis(op.attrs["data_format"], len(dims))
    b = bias[0].value
    if dims[ax] is not None and b is not None and dims[ax] != b:
        raise registry.shape_error(op, f"Dimensions must be equal, but are {dims[ax]} and {b}")
    if dims[ax] is None:
        dims[ax] = b
    return [(dt, TensorShape(dims))]


def _bias_add_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    fmt = op.attrs["data_format"]
    return [grad, make_op("BiasAddGrad", [grad], "BiasAddGrad", data_format=fmt)]


@registry.define("BiasAdd", infer=_bias_add_infer, grad=_bias_add_grad, ctx=True)
def _bias_add_kernel(
    ctx: registry.KernelContext, value: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """f(v, b) = v + b, b added along the channel (last, or NCHW's second) dimension"""
    ax = _channel_axis(ctx.attrs["data_format"], value.ndim)
    if value.shape[ax] != bias.shape[0]:
        raise ValueError(
            "Must provide as many biases as the last dimension of the input tensor: "
            f"[{bias.shape[0]}] vs. [{','.join(str(d) for d in value.shape)}]"
        )
    shape = [1] * value.ndim
    shape[ax] = bias.shape[0]
    return value + bias.reshape(shape)  # type: ignore[no-any-return]


def _bias_add_grad_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "out_backprop", "real")
    shape = at_least_rank(op, 0, 2)
    if shape.ndims is None:
        return [(dt, TensorShape([None]))]
    ax = _channel_axis(op.attrs["data_format"], shape.ndims)
    return [(dt, TensorShape([shape[ax].value]))]


def _bias_add_grad_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    x = op.inputs[0]
    rank = x.shape.ndims
    if rank is not None and _channel_axis(op.attrs["data_format"], rank) != rank - 1:
        grad = array_ops.reshape(grad, [-1] + [1] * (rank - 2))
    return [grad * fill_ops.ones_like(x)]


@registry.define("BiasAddGrad", infer=_bias_add_grad_infer, grad=_bias_add_grad_grad, ctx=True)
def _bias_add_grad_kernel(ctx: registry.KernelContext, gy: np.ndarray) -> np.ndarray:
    """f(gy) = gy summed over every dimension but the channel one"""
    ax = _channel_axis(ctx.attrs["data_format"], gy.ndim)
    others = tuple(i for i in range(gy.ndim) if i != ax)
    return np.sum(gy, axis=others).astype(gy.dtype, copy=False)  # type: ignore[no-any-return]


def bias_add(
    value: Any, bias: Any, data_format: str | None = None, name: str | None = None
) -> Tensor:
    """Adds the 1-D ``bias`` along the last dimension of ``value`` (NCHW: the second).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.bias_add([[1.0, 2.0]], [10.0, 20.0])).tolist()
    [[11.0, 22.0]]
    """
    fmt = data_format or "NHWC"
    if fmt not in ("NHWC", "NCHW", "N..C", "NC.."):
        raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}.")
    fmt = "NHWC" if fmt == "N..C" else "NCHW" if fmt == "NC.." else fmt
    g = registry.graph_for([value, bias])
    with g.as_default(), g.name_scope(name or "BiasAdd") as scope:
        v = convert_to_tensor(value, name="input")
        b = convert_to_tensor(bias, dtype=v.dtype.base_dtype, name="bias")
        return make_op("BiasAdd", [v, b], scope, data_format=fmt)


def xw_plus_b(x: Any, weights: Any, biases: Any, name: str | None = None) -> Tensor:
    """f(x, W, b) = x @ W + b, as ``bias_add(matmul(x, W), b)`` named ``xw_plus_b``.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.nn.xw_plus_b([[1.0, 2.0]], [[1.0], [1.0]], [0.5])).tolist()
    [[3.5]]
    """
    g = registry.graph_for([x, weights, biases])
    with g.as_default(), g.name_scope(name or "xw_plus_b") as scope:
        xt = convert_to_tensor(x, name="x")
        w = convert_to_tensor(weights, name="weights")
        b = convert_to_tensor(biases, name="biases")
        return bias_add(matmul_ops.matmul(xt, w), b, name=scope)
