"""``tf.losses``: weighted losses reduced to a scalar and collected in ``GraphKeys.LOSSES``.

Each loss computes per-element losses, multiplies them by ``weights`` and reduces them as
TensorFlow 1.x does. The default reduction, ``SUM_BY_NONZERO_WEIGHTS``, divides the weighted
sum by the number of elements whose weight is not zero (0 when there are none).

>>> import teachflow as tf
>>> loss = tf.losses.mean_squared_error(labels=[[1.0], [0.0]], predictions=[[0.5], [0.5]])
>>> print(loss)
Tensor("mean_squared_error/value:0", shape=(), dtype=float32)
>>> float(tf.Session().run(loss))
0.25
>>> tf.losses.get_losses() == [loss]
True
"""

from __future__ import annotations

from typing import Any

from teachflow import dtypes
from teachflow.graph import GraphKeys, Tensor, get_collection
from teachflow.ops import (
    array_ops,
    cast_ops,
    fill_ops,
    math_ops,
    matmul_ops,
    reduction_ops,
    registry,
    where_ops,
    xent_ops,
)
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.nn_ops import make_op
from teachflow.ops.op_args import float_arg


class Reduction:
    """How a weighted loss becomes a scalar (``tf.losses.Reduction``)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (
            cls.NONE,
            cls.SUM,
            cls.MEAN,
            cls.SUM_OVER_BATCH_SIZE,
            cls.SUM_OVER_NONZERO_WEIGHTS,
            cls.SUM_BY_NONZERO_WEIGHTS,
        )

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(
                f"Invalid Reduction Key {key}.\n  Hint: use one of tf.losses.Reduction.NONE, "
                "SUM, MEAN, SUM_OVER_BATCH_SIZE or SUM_BY_NONZERO_WEIGHTS."
            )


_BROADCAST_ERROR = "weights can not be broadcast to values."


def _cast(x: Any, dtype: dtypes.DType) -> Tensor:
    """``tf.cast``, returning a tensor of the right dtype as is (no name scope used up)."""
    if isinstance(x, Tensor) and x.dtype.base_dtype == dtype:
        return x
    return cast_ops.cast(x, dtype)


def _check_broadcastable(weights: Tensor, values: Tensor) -> None:
    """The static half of TensorFlow's ``assert_broadcastable``: weights fit values' shape."""
    w, v = weights.shape, values.shape
    if w.ndims is None or v.ndims is None or w.ndims == 0:
        return
    if w.ndims != v.ndims:
        raise ValueError(
            f"{_BROADCAST_ERROR} values.rank={v.ndims}. weights.rank={w.ndims}. "
            f"values.shape={v}. weights.shape={w}."
        )
    for wd, vd in zip(w.as_list(), v.as_list()):
        if wd is not None and vd is not None and wd not in (1, vd):
            raise ValueError(f"{_BROADCAST_ERROR} values.shape={v}. weights.shape={w}.")


def _broadcast_weights(weights: Tensor, values: Tensor) -> Tensor:
    """``weights`` broadcast to the shape of ``values``."""
    g = values.graph
    with g.name_scope("broadcast_weights") as scope:
        _check_broadcastable(weights, values)
        if weights.shape.is_fully_defined() and weights.shape == values.shape:
            return weights
        return math_ops.multiply(weights, fill_ops.ones_like(values), name=scope)


def _num_present(losses: Tensor, weights: Tensor) -> Tensor:
    """How many elements of ``losses`` have a non-zero weight (as float32)."""
    g = losses.graph
    with g.name_scope("num_present") as scope:
        present = where_ops.where(
            math_ops.equal(weights, 0.0),
            fill_ops.zeros_like(weights),
            fill_ops.ones_like(weights),
        )
        return reduction_ops.reduce_sum(_broadcast_weights(present, losses), name=scope)


def _num_elements(losses: Tensor) -> Tensor:
    g = losses.graph
    with g.name_scope("num_elements") as scope:
        return _cast(array_ops.size(losses, name=scope), losses.dtype.base_dtype)


def _safe_div(numerator: Tensor, denominator: Tensor, name: str = "value") -> Tensor:
    """numerator / denominator where denominator > 0, else 0 (TensorFlow 1.x's graph)."""
    ones = fill_ops.ones_like(denominator)
    safe = where_ops.where(math_ops.equal(denominator, 0.0), ones, denominator)
    return where_ops.where(
        math_ops.greater(denominator, 0.0),
        math_ops.div(numerator, safe),
        fill_ops.zeros_like(numerator),
        name=name,
    )


def _safe_mean(total: Tensor, count: Tensor) -> Tensor:
    """sum(total) / count, or 0 when count is 0."""
    return _safe_div(reduction_ops.reduce_sum(total), count)


def add_loss(loss: Any, loss_collection: str | None = GraphKeys.LOSSES) -> None:
    """Adds ``loss`` to the collection ``loss_collection`` (by default ``GraphKeys.LOSSES``)."""
    if loss_collection:
        t = convert_to_tensor(loss)
        t.graph.add_to_collection(loss_collection, t)


def get_losses(scope: str | None = None, loss_collection: str = GraphKeys.LOSSES) -> list[Any]:
    """The losses collected so far (those whose name matches ``scope``, if given)."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope: str | None = None) -> list[Any]:
    """The tensors in ``GraphKeys.REGULARIZATION_LOSSES``."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(
    scope: str | None = None, name: str = "total_regularization_loss"
) -> Tensor:
    """The sum of the regularization losses (0.0 when there are none)."""
    losses = get_regularization_losses(scope)
    if losses:
        return matmul_ops.add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(
    add_regularization_losses: bool = True, name: str = "total_loss", scope: str | None = None
) -> Tensor:
    """The sum of the collected losses (and regularization losses), as one tensor.

    >>> import teachflow as tf
    >>> a = tf.losses.absolute_difference([1.0], [3.0])
    >>> b = tf.losses.mean_squared_error([1.0], [3.0])
    >>> float(tf.Session().run(tf.losses.get_total_loss()))
    6.0
    """
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError(
            "No losses to add: the collection is empty.\n  Hint: build a loss with "
            "tf.losses.* (or tf.losses.add_loss) first."
        )
    return matmul_ops.add_n(losses, name=name)


def compute_weighted_loss(
    losses: Any,
    weights: Any = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """``losses * weights`` reduced by ``reduction``; added to ``loss_collection``.

    >>> import teachflow as tf
    >>> loss = tf.losses.compute_weighted_loss([1.0, 2.0, 3.0], weights=[1.0, 1.0, 0.0])
    >>> float(tf.Session().run(loss))
    1.5
    """
    Reduction.validate(reduction)
    g = registry.graph_for([losses, weights])
    with g.as_default(), g.name_scope(scope or "weighted_loss"):
        values = convert_to_tensor(losses)
        input_dtype = values.dtype.base_dtype
        values = _cast(values, dtypes.float32)
        w = _cast(weights, dtypes.float32)
        _check_broadcastable(w, values)
        weighted = math_ops.multiply(values, w)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            loss = reduction_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                count = reduction_ops.reduce_sum(fill_ops.ones_like(values) * w)
                loss = _safe_mean(loss, count)
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = _safe_mean(loss, _num_present(values, w))
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                loss = _safe_mean(loss, _num_elements(values))
        loss = _cast(loss, input_dtype)
        add_loss(loss, loss_collection)
        return loss


def _not_none(**args: Any) -> None:
    for k, v in args.items():
        if v is None:
            raise ValueError(f"Argument `{k}` must not be None.")


def _pair(labels: Any, predictions: Any) -> tuple[Tensor, Tensor]:
    """Both as float32 tensors of compatible shapes."""
    p = _cast(predictions, dtypes.float32)
    y = _cast(labels, dtypes.float32)
    p.shape.assert_is_compatible_with(y.shape)
    return y, p


def mean_squared_error(
    labels: Any,
    predictions: Any,
    weights: Any = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of (predictions - labels)^2.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.losses.mean_squared_error([0.0, 0.0], [1.0, 3.0])))
    5.0
    """
    _not_none(labels=labels, predictions=predictions)
    g = registry.graph_for([labels, predictions, weights])
    with g.as_default(), g.name_scope(scope or "mean_squared_error") as sc:
        y, p = _pair(labels, predictions)
        losses = math_ops.squared_difference(p, y)
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def absolute_difference(
    labels: Any,
    predictions: Any,
    weights: Any = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of |predictions - labels|.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.losses.absolute_difference([0.0, 0.0], [1.0, -3.0])))
    2.0
    """
    _not_none(labels=labels, predictions=predictions)
    g = registry.graph_for([labels, predictions, weights])
    with g.as_default(), g.name_scope(scope or "absolute_difference") as sc:
        y, p = _pair(labels, predictions)
        losses = math_ops.abs(math_ops.subtract(p, y))
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def huber_loss(
    labels: Any,
    predictions: Any,
    weights: Any = 1.0,
    delta: float = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta); e = p - y.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.losses.huber_loss([0.0, 0.0], [0.5, 3.0])))
    1.3125
    """
    _not_none(labels=labels, predictions=predictions)
    g = registry.graph_for([labels, predictions, weights])
    with g.as_default(), g.name_scope(scope or "huber_loss") as sc:
        y, p = _pair(labels, predictions)
        abs_error = math_ops.abs(math_ops.subtract(p, y))
        quadratic = math_ops.minimum(abs_error, delta)
        # the same as max(abs_error - delta, 0) but with a gradient of 1 (not 0) at the joint
        linear = math_ops.subtract(abs_error, quadratic)
        losses = math_ops.add(
            math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
            math_ops.multiply(delta, linear),
        )
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def hinge_loss(
    labels: Any,
    logits: Any,
    weights: Any = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of max(0, 1 - (2y - 1) * logits) for 0/1 labels y.

    >>> import teachflow as tf
    >>> float(tf.Session().run(tf.losses.hinge_loss([1.0, 0.0], [0.5, -2.0])))
    0.25
    """
    _not_none(labels=labels, logits=logits)
    g = registry.graph_for([labels, logits, weights])
    with g.as_default(), g.name_scope(scope or "hinge_loss") as sc:
        y, x = _pair(labels, logits)
        ones = fill_ops.ones_like(y)
        signs = math_ops.subtract(2 * y, ones)
        losses = make_op("Relu", [math_ops.subtract(ones, math_ops.multiply(signs, x))], "Relu")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def cosine_distance(
    labels: Any,
    predictions: Any,
    axis: Any = None,
    weights: Any = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
    dim: Any = None,
) -> Tensor:
    """Weighted mean of 1 - sum(labels * predictions, axis) for unit-normalized inputs.

    >>> import teachflow as tf
    >>> loss = tf.losses.cosine_distance([[1.0, 0.0]], [[0.6, 0.8]], axis=1)
    >>> round(float(tf.Session().run(loss)), 4)
    0.4
    """
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    _not_none(labels=labels, predictions=predictions)
    g = registry.graph_for([labels, predictions, weights])
    with g.as_default(), g.name_scope(scope or "cosine_distance_loss") as sc:
        y, p = _pair(labels, predictions)
        products = math_ops.multiply(p, y)
        losses = 1 - reduction_ops.reduce_sum(products, axis=(axis,), keepdims=True)
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def log_loss(
    labels: Any,
    predictions: Any,
    weights: Any = 1.0,
    epsilon: float = 1e-7,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of -y ln(p + eps) - (1 - y) ln(1 - p + eps) for probabilities p.

    >>> import teachflow as tf
    >>> round(float(tf.Session().run(tf.losses.log_loss([1.0], [0.5]))), 4)
    0.6931
    """
    _not_none(labels=labels, predictions=predictions)
    g = registry.graph_for([labels, predictions, weights])
    with g.as_default(), g.name_scope(scope or "log_loss") as sc:
        y, p = _pair(labels, predictions)
        losses = -math_ops.multiply(y, math_ops.log(p + epsilon)) - math_ops.multiply(
            (1 - y), math_ops.log(1 - p + epsilon)
        )
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def sigmoid_cross_entropy(
    multi_class_labels: Any,
    logits: Any,
    weights: Any = 1.0,
    label_smoothing: float = 0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of the logistic loss of ``logits`` against 0/1 labels.

    ``label_smoothing`` s moves the labels towards 1/2: y * (1 - s) + s / 2.

    >>> import teachflow as tf
    >>> round(float(tf.Session().run(tf.losses.sigmoid_cross_entropy([1.0], [0.0]))), 4)
    0.6931
    """
    _not_none(multi_class_labels=multi_class_labels, logits=logits)
    g = registry.graph_for([multi_class_labels, logits, weights])
    with g.as_default(), g.name_scope(scope or "sigmoid_cross_entropy_loss") as sc:
        x = convert_to_tensor(logits)
        y = _cast(multi_class_labels, x.dtype.base_dtype)
        x.shape.assert_is_compatible_with(y.shape)
        if float_arg(label_smoothing, "label_smoothing") > 0:
            y = y * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = xent_ops.sigmoid_cross_entropy_with_logits(labels=y, logits=x, name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def softmax_cross_entropy(
    onehot_labels: Any,
    logits: Any,
    weights: Any = 1.0,
    label_smoothing: float = 0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of the softmax cross-entropy of ``logits`` [batch, classes] and one-hot labels.

    ``label_smoothing`` s mixes the labels with the uniform distribution: y * (1 - s) + s / classes.

    >>> import teachflow as tf
    >>> loss = tf.losses.softmax_cross_entropy([[0.0, 1.0]], [[0.0, 0.0]])
    >>> round(float(tf.Session().run(loss)), 4)
    0.6931
    """
    _not_none(onehot_labels=onehot_labels, logits=logits)
    from teachflow.gradients import stop_gradient

    g = registry.graph_for([onehot_labels, logits, weights])
    with g.as_default(), g.name_scope(scope or "softmax_cross_entropy_loss") as sc:
        x = convert_to_tensor(logits)
        y = _cast(onehot_labels, x.dtype.base_dtype)
        x.shape.assert_is_compatible_with(y.shape)
        if float_arg(label_smoothing, "label_smoothing") > 0:
            classes = y.shape[-1].value if y.shape.ndims else None
            if classes is None:
                raise NotImplementedError(
                    "teachflow's label_smoothing needs the number of classes known while "
                    "building (a static last dimension)."
                )
            y = y * (1.0 - label_smoothing) + label_smoothing / classes
        y = stop_gradient(y, name="labels_stop_gradient")
        losses = xent_ops.softmax_cross_entropy_with_logits_v2(labels=y, logits=x, name="xentropy")
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)


def _squeeze_last(t: Tensor, target_rank: int | None) -> Tensor:
    """Drops a trailing dimension of size 1 when ``t`` has one dimension too many."""
    rank = t.shape.ndims
    if rank is None or target_rank is None or rank != target_rank + 1 or rank == 0:
        return t
    if t.shape[-1].value != 1:
        return t
    return array_ops.squeeze(t, [-1])


def sparse_softmax_cross_entropy(
    labels: Any,
    logits: Any,
    weights: Any = 1.0,
    scope: str | None = None,
    loss_collection: str | None = GraphKeys.LOSSES,
    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
) -> Tensor:
    """Weighted mean of -log softmax(logits)[label] for integer class ``labels``.

    >>> import teachflow as tf
    >>> loss = tf.losses.sparse_softmax_cross_entropy([1], [[0.0, 0.0]])
    >>> round(float(tf.Session().run(loss)), 4)
    0.6931
    """
    _not_none(labels=labels, logits=logits)
    g = registry.graph_for([labels, logits, weights])
    with g.as_default(), g.name_scope(scope or "sparse_softmax_cross_entropy_loss") as sc:
        x = convert_to_tensor(logits)
        y = convert_to_tensor(labels)
        outer = None if x.shape.ndims is None else x.shape.ndims - 1
        y = _squeeze_last(y, outer)
        weights = _squeeze_last(convert_to_tensor(weights), y.shape.ndims)
        losses = xent_ops.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=x, name="xentropy"
        )
        return compute_weighted_loss(losses, weights, sc, loss_collection, reduction)
