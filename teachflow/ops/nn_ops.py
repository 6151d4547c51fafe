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

import collections
from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
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
    A row holding +inf becomes NaN (inf - inf), as in TensorFlow.
    """
    last = x.ndim - 1
    s = work_dtype(x).transpose(last, *range(last)).copy()
    s -= np.maximum.reduce(s, axis=0, initial=-np.inf)
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


# -- top k ----------------------------------------------------------------------------------


def _top_k_infer(op: Operation) -> OutSpec:
    x, k = op.inputs
    dt = check_dtype(op, 0, "input", "real")
    if k.dtype.base_dtype != dtypes.int32:
        raise TypeError(f"Input 'k' of 'TopKV2' Op has type {k.dtype.base_dtype.name}, not int32.")
    if k.shape.ndims not in (None, 0):
        raise registry.shape_error(op, f"Shape must be rank 0 but is rank {k.shape.ndims}")
    shape = at_least_rank(op, 0, 1)
    known = registry.constant_value(k)
    kv = None if known is None else int(known)
    if kv is not None and kv < 0:
        raise registry.shape_error(op, f"Need k >= 0, got {kv}")
    if shape.ndims is None:
        return [(dt, TensorShape(None)), (dtypes.int32, TensorShape(None))]
    last = shape[-1].value
    if kv is not None and last is not None and last < kv:
        raise registry.shape_error(op, f"input must have last dimension >= k = {kv} but is {last}")
    out = TensorShape(shape.as_list()[:-1] + [kv])
    return [(dt, out), (dtypes.int32, out)]


def _top_k_grad(op: Operation, grad_values: Tensor, grad_indices: Tensor | None) -> list[Any]:
    from teachflow.ops import gather_ops, reduction_ops

    x = op.inputs[0]
    depth = x.shape[-1].value if x.shape.ndims else None
    if depth is None:
        depth = array_ops.shape(x)[-1]
    # each output position sends its gradient back to the input position it came from
    hot = gather_ops.one_hot(op.outputs[1], depth, dtype=grad_values.dtype.base_dtype)
    spread = hot * array_ops.expand_dims(grad_values, -1)
    return [reduction_ops.reduce_sum(spread, -2), None]


@registry.define("TopKV2", infer=_top_k_infer, grad=_top_k_grad, ctx=True)
def _top_k_kernel(
    ctx: registry.KernelContext, x: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """values, indices = the k largest entries of each row (ties: lower index first)"""
    kv = int(k)
    if kv < 0:
        raise ValueError(f"Need k >= 0, got {kv}")
    if x.shape[-1] < kv:
        raise ValueError(f"input must have at least k columns. Had {x.shape[-1]}, needed {kv}")
    # a stable sort of -x keeps equal values in index order (numpy has no descending sort)
    keys = -x.astype(np.float64) if x.dtype.kind in "iub" else -x
    idx = np.argsort(keys, axis=-1, kind="stable")[..., :kv].astype(np.int32)
    return np.take_along_axis(x, idx, axis=-1), idx


# a namedtuple, as in TensorFlow: sess.run(top_k(...)) gives TopKV2(values=..., indices=...)
TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def top_k(input: Any, k: Any = 1, sorted: bool = True, name: str | None = None) -> Any:
    """The ``k`` largest entries along the last dimension and where they are.

    >>> import teachflow as tf
    >>> values, indices = tf.nn.top_k([[1.0, 3.0, 2.0]], k=2)
    >>> tf.Session().run(indices).tolist()
    [[1, 2]]
    """
    g = registry.graph_for([input, k])
    with g.as_default(), g.name_scope(name or "TopKV2") as scope:
        x = convert_to_tensor(input, name="input")
        kt = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        op = registry.make("TopKV2", [x, kt], {"T": x.dtype.base_dtype, "sorted": sorted}, scope)
        return TopKV2(op.outputs[0], op.outputs[1])


def _in_top_k_infer(op: Operation) -> OutSpec:
    pred, targets, k = op.inputs
    if pred.dtype.base_dtype != dtypes.float32:
        raise TypeError(
            f"Input 'predictions' of 'InTopKV2' Op has type {pred.dtype.base_dtype.name} that "
            "does not match expected type of float32."
        )
    check_dtype(op, 1, "T", "index")
    p, t = rank_is(op, 0, 2), rank_is(op, 1, 1)
    if k.shape.ndims not in (None, 0):
        raise registry.shape_error(op, f"Shape must be rank 0 but is rank {k.shape.ndims}")
    if not p[:1].is_compatible_with(t):
        raise registry.shape_error(op, f"Dimensions must be equal, but are {p[0]} and {t[0]}")
    return [(dtypes.bool_, TensorShape([p[0].merge_with(t[0]).value]))]


@registry.define("InTopKV2", infer=_in_top_k_infer, grad=not_differentiable)
def _in_top_k_kernel(pred: np.ndarray, targets: np.ndarray, k: np.ndarray) -> np.ndarray:
    """f(p, t, k)_i = p[i, t_i] is among the k largest of row i (ties count as in)"""
    n, classes = pred.shape
    if targets.shape != (n,):
        raise ValueError(f"First dimension of predictions {n} must match length of targets")
    ok = (targets >= 0) & (targets < classes)
    rows = np.arange(n)
    target = np.where(ok, pred[rows, np.clip(targets, 0, max(classes - 1, 0))], np.nan)
    finite = np.isfinite(target) & np.isfinite(pred).all(axis=1)
    above = np.sum(pred > target[:, None], axis=1)
    return np.asarray(ok & finite & (above < int(k)))


def in_top_k(predictions: Any, targets: Any, k: Any, name: str | None = None) -> Tensor:
    """Whether each row's ``targets`` class is among its ``k`` highest ``predictions``.

    >>> import teachflow as tf
    >>> hit = tf.nn.in_top_k([[0.1, 0.9], [0.8, 0.2]], [1, 1], 1)
    >>> tf.Session().run(hit).tolist()
    [True, False]
    """
    g = registry.graph_for([predictions, targets, k])
    with g.as_default(), g.name_scope(name or "in_top_k"):
        with g.name_scope(name or "InTopKV2") as scope:
            # Python and numpy predictions are converted to the op's float32
            want = None if isinstance(predictions, Tensor) else dtypes.float32
            p = convert_to_tensor(predictions, dtype=want, name="predictions")
            t = convert_to_tensor(targets, name="targets")
            kt = convert_to_tensor(k, dtype=t.dtype.base_dtype, name="k")
            return registry.make1("InTopKV2", [p, t, kt], {"T": t.dtype.base_dtype}, scope)
