"""What is known about a tensor while the graph is built, for the ops' static shape rules.

Shape rules (``infer``) ask these helpers for the values of small inputs (a shape, an axis, a
size). Like TensorFlow's shape inference, small stateless subgraphs that depend only on
constants are evaluated, so ``x[1:i + 1]`` with a constant ``i`` has a known shape.

>>> import teachflow as tf
>>> from teachflow.ops.shape_inference import known_ints, partial_shape
>>> i = tf.constant(2)
>>> known_ints(tf.stack([i + 1, 4]))
[3, 4]
>>> partial_shape(tf.stack([tf.shape(tf.placeholder(tf.float32, [None]))[0], 2]))
[None, 2]
"""

from __future__ import annotations

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.tensor_shape import TensorShape, bracket

Outs = list[tuple[dtypes.DType, TensorShape]]


def shape_error(op: Operation, message: str, hint: str) -> ValueError:
    """TensorFlow's construction-time text, then a hint line."""
    return ValueError(f"{registry.shape_error(op, message)}\n  Hint: {hint}")


_FOLD_DEPTH = 8  # how far back static shape inference evaluates constant subgraphs
_FOLD_SIZE = 1000  # and the largest value it computes while building


def known_value(t: Tensor, depth: int = _FOLD_DEPTH) -> np.ndarray | None:
    """The value of ``t`` when it only depends on constants (evaluated while building).

    :func:`registry.constant_value` first (Const, Shape of a known shape...); otherwise small
    stateless subgraphs (``i + 1``, a Cast, a Pack) up to ``depth`` ops back are run.
    """
    known = registry.constant_value(t)
    if known is not None or depth == 0:
        return known
    op = t.op
    d = op.opdef
    if d.stateful or not op.inputs or op.type.startswith("Placeholder") or t.dtype.is_ref:
        return None
    if t.shape.num_elements() is None or (t.shape.num_elements() or 0) > _FOLD_SIZE:
        return None
    args = [known_value(x, depth - 1) for x in op.inputs]
    if any(a is None for a in args):
        return None
    try:
        with np.errstate(all="ignore"):
            out = registry.bind(op, None)(*args)
    except Exception:  # noqa: BLE001 - the run-time error is reported when the graph runs
        return None
    out = out[t.value_index] if isinstance(out, (tuple, list)) else out
    return np.asarray(out)


def partial_shape(t: Tensor) -> list[int | None] | None:
    """A 1-D shape tensor's elements that are known while building (TensorFlow's partial shape).

    ``tf.stack([tf.shape(x)[0], 2])`` gives ``[None, 2]``; None when even the length is unknown.
    """
    known = known_ints(t)
    if known is not None:
        return list(known)
    op = t.op
    if op.type == "Shape" and op.inputs[0].shape.ndims is not None:
        return op.inputs[0].shape.as_list()
    if op.type == "Pack" and op.attrs.get("axis", 0) == 0:
        return [known_int(x) for x in op.inputs]
    if op.type == "ConcatV2":
        parts = [partial_shape(x) for x in op.inputs[:-1]]
        if all(p is not None for p in parts):
            return [d for p in parts for d in p or []]
    return None


def known_ints(t: Tensor) -> list[int] | None:
    """The value of ``t`` as a flat list of ints, when known while building."""
    v = known_value(t)
    if v is None or np.asarray(v).dtype.kind not in "biuf":  # strings: the dtype check reports
        return None
    return [int(x) for x in np.asarray(v).reshape(-1)]


def known_int(t: Tensor) -> int | None:
    """The value of a one-element ``t`` as an int, when known while building."""
    v = known_ints(t)
    return None if v is None or len(v) != 1 else v[0]


def merge_shapes(
    op: Operation, a: TensorShape, b: TensorShape, hint: str, extra: str = ""
) -> TensorShape:
    """TensorFlow's shape Merge: equal ranks, equal known dimensions."""
    if a.ndims is None:
        return b
    if b.ndims is None:
        return a
    if a.ndims != b.ndims:
        raise shape_error(
            op, f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}{extra}", hint
        )
    for i, (x, y) in enumerate(zip(a.as_list(), b.as_list())):
        if x is not None and y is not None and x != y:
            raise shape_error(
                op,
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes are "
                f"{bracket(a)} and {bracket(b)}.{extra}",
                hint,
            )
    return a.merge_with(b)
