"""Ops that only order others: ``no_op``, ``group``, ``identity`` and ``tuple``.

>>> import teachflow as tf
>>> a = tf.Variable(1.0)
>>> g = tf.group(a.initializer)
>>> g.type
'NoOp'
"""

from __future__ import annotations

from typing import Any

from teachflow.graph import Operation, _as_control_op, get_default_graph
from teachflow.ops import registry


@registry.define("NoOp", infer=registry.no_outputs)
def _noop_kernel() -> None:
    """f() = nothing (orders its control inputs)"""
    return None


def no_op(name: str | None = None) -> Operation:
    """An op that does nothing; useful as a target with control dependencies."""
    return registry.make("NoOp", [], {}, name or "NoOp")


def group(*inputs: Any, name: str | None = None) -> Operation:
    """An op that runs all ``inputs`` (ops or tensors): a NoOp with control dependencies."""
    flat: list[Any] = []
    for x in inputs:
        if isinstance(x, (list, tuple)):
            flat.extend(x)
        elif isinstance(x, dict):
            flat.extend(x.values())
        elif x is not None:
            flat.append(x)
    g = _graph_of(flat[0], get_default_graph()) if flat else get_default_graph()
    with g.as_default(), g.name_scope(name or "group_deps") as scope:
        deps = [_as_control_op(g, x) for x in flat]
        with g.control_dependencies(None), g.control_dependencies(deps):
            return registry.make("NoOp", [], {}, scope, graph=g)


def _graph_of(x: Any, default: Any) -> Any:
    if isinstance(x, Operation):
        return x.graph
    return getattr(x, "graph", default)
