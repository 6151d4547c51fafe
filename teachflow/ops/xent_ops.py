"""Cross-entropy losses on logits: softmax (dense and sparse labels) and sigmoid.

The kernels are numerically stable the way TensorFlow's are: they subtract the row maximum
before exponentiating, and the logistic loss never exponentiates a positive number.

>>> import teachflow as tf
>>> loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0], logits=[[2.0, 0.0]])
>>> print(tf.Session().run(loss).round(4))
[0.1269]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import (
    array_ops,
    cast_ops,
    concat_ops,
    fill_ops,
    math_ops,
    reduction_ops,
    registry,
    where_ops,
)
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.nn_ops import (
    OutSpec,
    check_dtype,
    classes_last,
    make_op,
    rank_is,
    resolve_axis,
    shifted_classes_first,
    swap_last,
    work_dtype,
)
from teachflow.tensor_shape import TensorShape

# -- softmax cross-entropy ---------------------------------------------------------------------


def _xent_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "features", "float")
    if op.inputs[1].dtype.base_dtype != dt:
        raise TypeError(
            f"Input 'labels' of '{op.type}' Op has type {op.inputs[1].dtype.base_dtype.name} "
            f"that does not match type {dt.name} of argument 'features'."
        )
    logits, labels = rank_is(op, 0, 2), rank_is(op, 1, 2)
    a, b = logits.as_list(), labels.as_list()
    # the batch dimensions broadcast (a batch of 1 label row serves every logits row)
    if 1 in (a[0], b[0]) and a[0] != b[0]:
        a[0] = b[0] = a[0] if b[0] == 1 else b[0]
    if not TensorShape(a).is_compatible_with(TensorShape(b)):
        k = 0 if a[0] is not None and b[0] is not None and a[0] != b[0] else 1
        raise registry.shape_error(op, f"Dimensions must be equal, but are {a[k]} and {b[k]}")
    shape = TensorShape(a).merge_with(TensorShape(b))
    return [(dt, TensorShape([shape[0].value])), (dt, shape)]


def _broadcast_mul(vec: Tensor, mat: Tensor) -> Tensor:
    """vec[:, None] * mat for a batch vector and a [batch, classes] matrix."""
    return array_ops.reshape(vec, [-1, 1]) * mat


def _is_zeros(t: Tensor | None) -> bool:
    """Whether an output gradient is known to be zero (the output was not used)."""
    if t is None or t.op.type == "ZerosLike":
        return True
    if t.op.type == "Fill":  # zeros_like of a known shape: Fill(shape, 0)
        t = t.op.inputs[1]
    value = registry.constant_value(t)
    return value is not None and not np.any(value)


def _xent_grad(op: Operation, grad_loss: Tensor, grad_backprop: Tensor | None) -> list[Tensor]:
    logits = op.inputs[0]
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    if not _is_zeros(grad_backprop):
        assert grad_backprop is not None
        # backprop = softmax(logits) - labels, so it has a gradient of its own
        sm = make_op("Softmax", [logits], "Softmax")
        dot = reduction_ops.reduce_sum(grad_backprop * sm, -1, keepdims=True)
        grad = grad + (grad_backprop - dot) * sm
    log_sm = make_op("LogSoftmax", [logits], "LogSoftmax")
    return [grad, _broadcast_mul(grad_loss, math_ops.negative(log_sm))]


@registry.define(
    "SoftmaxCrossEntropyWithLogits",
    infer=_xent_infer,
    grad=_xent_grad,
    peak=registry.scratch_copies(2),  # measured: shifted logits and their exp
)
def _xent_kernel(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """loss = -sum_j labels_j * log_softmax(logits)_j; backprop = softmax(logits) - labels"""
    if logits.shape != labels.shape:
        try:
            labels = np.broadcast_to(labels, logits.shape)
        except ValueError:
            raise ValueError(
                "logits and labels must be broadcastable: "
                f"logits_size={_dims(logits.shape)} labels_size={_dims(labels.shape)}"
            ) from None
    # classes first: see shifted_classes_first
    s = shifted_classes_first(logits)
    last = labels.ndim - 1
    z = work_dtype(labels).transpose(last, *range(last))
    e = np.exp(s)
    total = np.add.reduce(e, axis=0)
    loss = np.add.reduce(z * (np.log(total) - s), axis=0)
    e /= total
    e -= z
    return loss.astype(logits.dtype, copy=False), classes_last(e, logits.dtype)


def _dims(shape: tuple[int, ...]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _sparse_xent_infer(op: Operation) -> OutSpec:
    dt = check_dtype(op, 0, "features", "float")
    check_dtype(op, 1, "labels", "index")
    logits, labels = rank_is(op, 0, 2), rank_is(op, 1, 1)
    if not logits[:1].is_compatible_with(labels):
        raise registry.shape_error(
            op, f"Dimensions must be equal, but are {logits[0]} and {labels[0]}"
        )
    batch = logits[0].merge_with(labels[0]).value
    return [(dt, TensorShape([batch])), (dt, TensorShape([batch, logits[1].value]))]


def _sparse_xent_grad(
    op: Operation, grad_loss: Tensor, grad_backprop: Tensor | None
) -> list[Tensor | None]:
    if not _is_zeros(grad_backprop):
        raise LookupError(
            "Gradient explicitly disabled. Reason: Currently there is no way to take the second "
            "derivative of sparse_softmax_cross_entropy_with_logits due to the fused "
            "implementation's interaction with tf.gradients()"
        )
    return [_broadcast_mul(grad_loss, op.outputs[1]), None]


@registry.define(
    "SparseSoftmaxCrossEntropyWithLogits",
    infer=_sparse_xent_infer,
    grad=_sparse_xent_grad,
    peak=registry.scratch_copies(2),  # measured: shifted logits and their exp
)
def _sparse_xent_kernel(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """loss = -log_softmax(logits)[label]; backprop = softmax(logits) - onehot(label)"""
    n, c = logits.shape
    if labels.shape != (n,):
        raise ValueError(
            "logits and labels must have the same first dimension, got logits shape "
            f"{_dims(logits.shape)} and labels shape {_dims(labels.shape)}"
        )
    bad = (labels < 0) | (labels >= c)
    if np.any(bad):
        first = labels[np.argmax(bad)]
        raise ValueError(
            f"Received a label value of {first} which is outside the valid range of [0, {c}).  "
            f"Label values: {' '.join(str(v) for v in labels.tolist())}"
        )
    s = shifted_classes_first(logits)  # (classes, batch)
    e = np.exp(s)
    total = np.add.reduce(e, axis=0)
    rows = np.arange(n)
    loss = np.log(total) - s[labels, rows]
    e /= total
    e[labels, rows] -= 1
    return loss.astype(logits.dtype, copy=False), classes_last(e, logits.dtype)


def _named_only(fn: str, sentinel: Any, labels: Any, logits: Any) -> None:
    """TensorFlow 1.x refuses positional arguments here: 0.x took (logits, labels)."""
    if sentinel is not None:
        raise ValueError(
            f"Only call `{fn}` with named arguments (labels=..., logits=..., ...)\n  Hint: the 0.x "
            f"signature was {fn}(logits, labels); write {fn}(labels=y_, logits=y)."
        )
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _flat_outer(x: Tensor) -> Tensor:
    """x reshaped to [-1, classes] (the op works on matrices)."""
    rank = x.shape.ndims
    classes = x.shape[-1].value if rank else None
    if classes is not None:
        return array_ops.reshape(x, [-1, classes])
    if rank == 2:
        return array_ops.reshape(x, array_ops.shape(x))
    # unknown rank or last dimension: TensorFlow's [-1, shape(x)[-1]], worked out at run time
    return array_ops.reshape(x, concat_ops.concat([[-1], array_ops.shape(x)[-1:]], 0))


def _outer_shape(x: Tensor) -> Any:
    """x.shape[:-1] as a reshape target: constant when at most one dimension is unknown."""
    if x.shape.ndims is not None:
        dims = x.shape.as_list()[:-1]
        if sum(d is None for d in dims) <= 1:
            # int32 even when empty (a scalar loss): [] alone would convert to float32
            return np.array([-1 if d is None else d for d in dims], dtype=np.int32)
    return array_ops.shape(x)[:-1]


def _known_shape(t: Tensor) -> Any:
    """t's shape as a reshape target: constant when at most one dimension is unknown."""
    dims = t.shape.as_list() if t.shape.ndims is not None else None
    if dims is not None and sum(d is None for d in dims) <= 1:
        return np.array([-1 if d is None else d for d in dims], dtype=np.int32)
    return array_ops.shape(t)


def _set_outer_shape(loss: Tensor, x: Tensor) -> Tensor:
    if x.shape.ndims is not None:
        loss.set_shape(x.shape[:-1])
    return loss


def softmax_cross_entropy_with_logits_v2(
    labels: Any, logits: Any, axis: Any = None, name: str | None = None, dim: Any = None
) -> Tensor:
    """Per-example -sum_j labels_j * log softmax(logits)_j; gradients flow into labels too.

    >>> import teachflow as tf
    >>> loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    >>> print(tf.Session().run(loss).round(4))
    [0.6931]
    """
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits") as scope:
        x = convert_to_tensor(logits, name="logits")
        z = convert_to_tensor(labels, name="labels")
        half = x.dtype.base_dtype == dtypes.float16
        if half:
            x = cast_ops.cast(x, dtypes.float32)
        if z.dtype.base_dtype != x.dtype.base_dtype:
            z = cast_ops.cast(z, x.dtype.base_dtype)
        if x.shape.ndims == 0:
            raise ValueError(
                "logits must have at least one dimension (the classes).\n  Hint: give one score "
                "per class, e.g. logits of shape [batch, classes]."
            )
        ax = resolve_axis(axis, dim)
        rank = x.shape.ndims
        if rank is not None and ax not in (-1, rank - 1):
            x, z = swap_last(x, ax), swap_last(z, ax)
        # as TensorFlow: both are flattened to [-1, classes] (labels of shape [1, ?, 7] meet
        # logits [?, 7]); the op checks the flattened shapes, broadcasting a batch of 1
        op = registry.make(
            "SoftmaxCrossEntropyWithLogits",
            [_flat_outer(x), _flat_outer(z)],
            {"T": x.dtype.base_dtype},
            scope,
        )
        target = np.array([-1], np.int32) if x.shape.ndims == 2 else _outer_shape(x)
        # TensorFlow's graph has the same three reshapes: Reshape, Reshape_1 and this Reshape_2
        loss = _set_outer_shape(array_ops.reshape(op.outputs[0], target), x)
        return cast_ops.cast(loss, dtypes.float16) if half else loss


def softmax_cross_entropy_with_logits(
    _sentinel: Any = None,
    labels: Any = None,
    logits: Any = None,
    dim: int = -1,
    name: str | None = None,
    axis: Any = None,
) -> Tensor:
    """1.x softmax cross-entropy: like the v2 op, but no gradient flows into ``labels``.

    Call it with named arguments (the 0.x order was ``(logits, labels)``).

    >>> import teachflow as tf
    >>> loss = tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=[[0.0, 0.0]])
    >>> loss.op.name
    'softmax_cross_entropy_with_logits_sg/Reshape_2'
    """
    _named_only("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "softmax_cross_entropy_with_logits_sg") as scope:
        from teachflow.gradients import stop_gradient

        with g.name_scope("labels_stop_gradient") as stop:
            # a list of tensors (labels=[y]) is packed here, as TensorFlow's "input"
            labels = stop_gradient(convert_to_tensor(labels, name="input"), name=stop)
    ax = axis if axis is not None else dim
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=ax, name=scope)


def sparse_softmax_cross_entropy_with_logits(
    _sentinel: Any = None, labels: Any = None, logits: Any = None, name: str | None = None
) -> Tensor:
    """Per-example -log softmax(logits)[label] for integer class ``labels``.

    >>> import teachflow as tf
    >>> loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[0.0, 0.0]])
    >>> print(tf.Session().run(loss).round(4))
    [0.6931]
    """
    _named_only("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "SparseSoftmaxCrossEntropyWithLogits"):
        z = convert_to_tensor(labels)
        x = convert_to_tensor(logits)
        half = x.dtype.base_dtype == dtypes.float16
        if half:
            x = cast_ops.cast(x, dtypes.float32)
        ls, xs = z.shape, x.shape
        if xs.ndims == 0:
            raise ValueError(
                f"`logits` cannot be a scalar. Received logits={x}`\n  Hint: logits hold one "
                "score per class along the last dimension, e.g. shape [batch, classes]."
            )
        if ls.ndims is not None and xs.ndims is not None:
            if ls.ndims != xs.ndims - 1:
                raise ValueError(
                    f"Rank mismatch: Rank of labels (received {ls.ndims}) should equal rank of "
                    f"logits minus 1 (received {xs.ndims})."
                )
            if not xs[:-1].is_compatible_with(ls):
                raise ValueError(
                    f"Shape mismatch: The shape of labels (received {ls}) should equal the "
                    f"shape of logits except for the last dimension (received {xs})."
                )
        flat = xs.ndims != 2
        op = registry.make(
            "SparseSoftmaxCrossEntropyWithLogits",
            [_flat_outer(x), array_ops.reshape(z, [-1])] if flat else [x, z],
            {"T": x.dtype.base_dtype, "Tlabels": z.dtype.base_dtype},
            name or "SparseSoftmaxCrossEntropyWithLogits",
        )
        out = op.outputs[0]
        if flat:
            out = array_ops.reshape(out, _known_shape(z))  # the loss has the labels' shape
            out.set_shape(ls)
        return cast_ops.cast(out, dtypes.float16) if half else out


def sigmoid_cross_entropy_with_logits(
    _sentinel: Any = None, labels: Any = None, logits: Any = None, name: str | None = None
) -> Tensor:
    """Elementwise logistic loss: f(x, z) = max(x, 0) - x * z + ln(1 + e^-|x|).

    >>> import teachflow as tf
    >>> loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[0.0])
    >>> print(tf.Session().run(loss).round(4))
    [0.6931]
    """
    _named_only("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    g = registry.graph_for([labels, logits])
    with g.as_default(), g.name_scope(name or "logistic_loss") as scope:
        x = convert_to_tensor(logits, name="logits")
        z = convert_to_tensor(labels, name="labels")
        if not x.shape.is_compatible_with(z.shape):
            raise ValueError(f"logits and labels must have the same shape ({x.shape} vs {z.shape})")
        zeros = fill_ops.zeros_like(x, dtype=x.dtype)
        cond = x >= zeros
        relu_logits = where_ops.where(cond, x, zeros)
        neg_abs_logits = where_ops.where(cond, -x, x)
        return math_ops.add(
            relu_logits - x * z, math_ops.log1p(math_ops.exp(neg_abs_logits)), name=scope
        )


def weighted_cross_entropy_with_logits(
    labels: Any = None,
    logits: Any = None,
    pos_weight: Any = None,
    name: str | None = None,
    targets: Any = None,
) -> Tensor:
    """Logistic loss with the positive term weighted by ``pos_weight``.

    f(x, z) = (1 - z) * x + (1 + (q - 1) * z) * (ln(1 + e^-|x|) + max(-x, 0)), q = pos_weight.

    >>> import teachflow as tf
    >>> loss = tf.nn.weighted_cross_entropy_with_logits(labels=[1.0], logits=[0.0], pos_weight=2.0)
    >>> print(tf.Session().run(loss).round(4))
    [1.3863]
    """
    if labels is None:
        labels = targets  # the 1.x name of the argument
    elif targets is not None:
        raise ValueError("Cannot specify both 'labels' and 'targets'.")
    if labels is None or logits is None or pos_weight is None:
        raise ValueError("labels (or targets), logits and pos_weight must all be given.")
    g = registry.graph_for([labels, logits, pos_weight])
    with g.as_default(), g.name_scope(name or "logistic_loss") as scope:
        x = convert_to_tensor(logits, name="logits")
        z = convert_to_tensor(labels, name="labels")
        if not x.shape.is_compatible_with(z.shape):
            raise ValueError(
                f"`logits` and `labels` must have the same shape, received ({x.shape} vs "
                f"{z.shape})."
            )
        log_weight = 1 + (pos_weight - 1) * z
        softplus_neg = math_ops.log1p(math_ops.exp(-math_ops.abs(x))) + make_op(
            "Relu", [math_ops.negative(x)], "Relu"
        )
        return math_ops.add((1 - z) * x, log_weight * softplus_neg, name=scope)
