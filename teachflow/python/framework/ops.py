"""``tensorflow.python.framework.ops``: the graph, its tensors, ops, scopes and collections.

>>> from teachflow.python.framework import ops
>>> import teachflow as tf
>>> ops.reset_default_graph()
>>> c = tf.constant(1.0)
>>> ops.get_default_graph() is c.graph, isinstance(c, ops.Tensor)
(True, True)
"""

from __future__ import annotations

# ruff: noqa: F401 - this module re-exports TensorFlow's names
from teachflow.graph import (
    Graph,
    GraphKeys,
    Operation,
    Tensor,
    add_to_collection,
    add_to_collections,
    control_dependencies,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    name_scope,
    reset_default_graph,
)
from teachflow.indexed_slices import IndexedSlices
from teachflow.ops.constant_op import convert_to_tensor, is_tensor
from teachflow.ops.registry import graph_for as _graph_for


def get_name_scope() -> str:
    """The current name scope of the default graph ("" at the top)."""
    return get_default_graph().get_name_scope()


def convert_n_to_tensor(
    values: list[object], dtype: object = None, name: str | None = None
) -> list[Tensor]:
    """``convert_to_tensor`` for each value."""
    return [convert_to_tensor(v, dtype=dtype) for v in values]


def _get_graph_from_inputs(op_input_list: list[object], graph: Graph | None = None) -> Graph:
    return graph if graph is not None else _graph_for(list(op_input_list))
