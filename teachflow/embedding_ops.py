"""``tf.nn.embedding_lookup``: rows of an embedding matrix picked by integer ids.

``embedding_lookup(params, ids)[..., :] = params[ids[...], :]``; the gradient reaching
``params`` is an ``IndexedSlices`` (only the looked-up rows), as in TensorFlow.

>>> import teachflow as tf
>>> table = tf.constant([[0.0, 0.0], [1.0, 1.5], [2.0, 2.5]])
>>> rows = tf.nn.embedding_lookup(table, [[2, 1]])
>>> print(rows.name, tf.Session().run(rows).tolist())
embedding_lookup/Identity:0 [[[2.0, 2.5], [1.0, 1.5]]]
"""

from __future__ import annotations

from typing import Any

from teachflow.graph import Tensor
from teachflow.ops import registry
from teachflow.ops.array_ops import identity
from teachflow.ops.gather_ops import gather


def embedding_lookup(
    params: Any,
    ids: Any,
    partition_strategy: str = "mod",
    name: str | None = None,
    validate_indices: bool = True,
    max_norm: Any = None,
) -> Tensor:
    """The rows ``params[ids]`` (ids of any shape; the result has shape ``ids.shape +
    params.shape[1:]``). ``params`` may be a variable or a list holding one tensor."""
    from teachflow.unsupported import UnsupportedFeatureError

    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Need at least one param")
        if len(params) > 1:
            raise UnsupportedFeatureError(
                "teachflow does not implement embedding_lookup over sharded params (a list of "
                "several tensors; TensorFlow 1.x has it). Hint: pass one embedding matrix."
            )
        params = params[0]
    if max_norm is not None:
        raise UnsupportedFeatureError(
            "teachflow does not implement embedding_lookup(max_norm=...) (TensorFlow 1.x has "
            "it). Hint: clip the rows afterwards with tf.clip_by_norm."
        )
    g = registry.graph_for([params, ids])
    with g.as_default(), g.name_scope(name or "embedding_lookup") as scope:
        if not isinstance(ids, Tensor):
            from teachflow.ops.constant_op import convert_to_tensor

            ids = convert_to_tensor(ids, name="ids")
        rows = gather(params, ids, name=scope)
        return identity(rows)
