"""``tf.IndexedSlices``: a few rows of a big tensor, kept as (values, indices, dense_shape).

The gradient of ``tf.gather(params, idx)`` is one: only the gathered rows get a gradient, so
TensorFlow does not build a dense tensor the size of ``params`` (think of an embedding table
with a million rows). It is densified only where a dense tensor is needed (an UnsortedSegmentSum
adds up rows that repeat); optimizers update just those rows, and ``sess.run`` of one gives an
:data:`IndexedSlicesValue`.

>>> import teachflow as tf
>>> p = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
>>> (g,) = tf.gradients(tf.reduce_sum(tf.gather(p, [2, 0, 2])), [p])
>>> type(g).__name__, g.values.shape.as_list(), g.indices.shape.as_list()
('IndexedSlices', [3, 2], [3])
>>> sess = tf.Session(); sess.run(tf.global_variables_initializer())
>>> sess.run(tf.convert_to_tensor(g)).tolist()
[[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]]
"""

from __future__ import annotations

import collections
import warnings
from typing import Any

import numpy as np

from teachflow.graph import Graph, Operation, Tensor
from teachflow.tensor_shape import TensorShape

IndexedSlicesValue = collections.namedtuple(
    "IndexedSlicesValue", ["values", "indices", "dense_shape"]
)
IndexedSlicesValue.__doc__ = "What ``sess.run`` gives for an IndexedSlices: numpy arrays."

# TensorFlow warns when densifying would make a tensor this large
_LARGE_SPARSE_NUM_ELEMENTS = 100_000_000


class IndexedSlices:
    """Rows ``values[i]`` of a dense tensor of shape ``dense_shape`` at rows ``indices[i]``.

    dense[indices[i], ...] = sum of values[j, ...] over j with indices[j] == indices[i].

    >>> import teachflow as tf
    >>> s = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), tf.constant([3, 2]))
    >>> s.shape.as_list(), s.dtype
    ([3, 2], tf.float32)
    """

    def __init__(self, values: Any, indices: Any, dense_shape: Any = None) -> None:
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self) -> Tensor:
        """The rows: a tensor of shape ``[n, D1, ...]``."""
        return self._values  # type: ignore[no-any-return]

    @property
    def indices(self) -> Tensor:
        """Which row of the dense tensor each of ``values`` is: a 1-D integer tensor ``[n]``."""
        return self._indices  # type: ignore[no-any-return]

    @property
    def dense_shape(self) -> Tensor | None:
        """The shape of the dense tensor (a 1-D tensor), or None."""
        return self._dense_shape  # type: ignore[no-any-return]

    @property
    def shape(self) -> TensorShape:
        """The static shape of the dense tensor, as far as it is known while building."""
        from teachflow.ops.shape_inference import partial_shape

        if self._dense_shape is None:
            return TensorShape(None)
        dims = partial_shape(self._dense_shape)
        if dims is not None:
            return TensorShape(dims)
        rank = self._dense_shape.shape.as_list()[0] if self._dense_shape.shape.ndims == 1 else None
        return TensorShape(None if rank is None else [None] * rank)

    @property
    def name(self) -> str:
        return self.values.name

    @property
    def op(self) -> Operation:
        """The op that makes ``values``."""
        return self.values.op

    @property
    def dtype(self) -> Any:
        return self.values.dtype

    @property
    def graph(self) -> Graph:
        return self.values.graph

    @property
    def device(self) -> str:
        return self.values.device

    def __str__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    def __neg__(self) -> IndexedSlices:
        return IndexedSlices(-self.values, self.indices, self.dense_shape)

    def consumers(self) -> list[Operation]:
        return sorted({op for t in self._parts() for op in t.consumers()}, key=lambda op: op._id)

    def _parts(self) -> list[Tensor]:
        return [self._values, self._indices] + (
            [] if self._dense_shape is None else [self._dense_shape]
        )

    def _fetch_parts(self) -> tuple[list[Tensor], Any]:
        """What ``sess.run`` fetches for this object, and how it rebuilds the result."""

        def rebuild(vals: list[Any]) -> IndexedSlicesValue:
            return IndexedSlicesValue(vals[0], vals[1], vals[2] if len(vals) > 2 else None)

        return self._parts(), rebuild

    def _as_tensor(self, as_ref: bool = False, name: str | None = None) -> Tensor:
        return to_dense(self, name=name)


def to_dense(value: IndexedSlices, name: str | None = None, warn: bool = True) -> Tensor:
    """The dense tensor: ``unsorted_segment_sum(values, indices, dense_shape[0])``."""
    from teachflow.ops.gather_ops import unsorted_segment_sum
    from teachflow.ops.registry import constant_value

    if value.dense_shape is None:
        raise ValueError(
            "Tensor conversion requested for IndexedSlices for argument `value` without "
            f"dense_shape: {value}\n  Hint: give the IndexedSlices a dense_shape "
            "(tf.IndexedSlices(values, indices, dense_shape))."
        )
    known = constant_value(value.dense_shape)
    if warn and known is not None:
        n = int(np.prod(known))
        if n >= _LARGE_SPARSE_NUM_ELEMENTS:
            warnings.warn(
                f"Converting sparse IndexedSlices to a dense Tensor with {n} elements. This "
                "may consume a large amount of memory.",
                UserWarning,
                stacklevel=3,
            )
    g = value.graph
    with g.as_default():
        return unsorted_segment_sum(value.values, value.indices, value.dense_shape[0], name=name)


def dense_or_self(value: Any) -> Any:
    """An IndexedSlices densified without a warning (for gradients that need a dense input)."""
    return to_dense(value, warn=False) if isinstance(value, IndexedSlices) else value
