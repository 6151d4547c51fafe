"""``tf.graph_util``: GraphDefs trimmed and frozen for running elsewhere. A session's variable
values become constants (``convert_variables_to_constants``), so the graph runs in TensorFlow
with the values it has in teachflow.

>>> import teachflow as tf
>>> v = tf.Variable(3.0, name="v"); y = tf.multiply(v, 2.0, name="y")
>>> sess = tf.Session(); sess.run(tf.global_variables_initializer())
>>> [(n.name, n.op) for n in tf.graph_util.freeze(sess, [y]).node]
[('v', 'Const'), ('v/read', 'Identity'), ('y/y', 'Const'), ('y', 'Mul')]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.protos import pb
from teachflow.tensor_util import make_tensor_proto


def _node_name(input_name: str) -> str:
    return input_name.lstrip("^").split(":")[0]


def extract_sub_graph(graph_def: Any, dest_nodes: Any) -> Any:
    """The part of ``graph_def`` that ``dest_nodes`` (node names) need, in the original order.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1, name="a"); b = tf.constant(2, name="b"); c = tf.add(a, 1, name="c")
    >>> [n.name for n in extract_sub_graph(g.as_graph_def(), ["c"]).node]
    ['a', 'c/y', 'c']
    """
    if not (hasattr(graph_def, "node") and hasattr(graph_def, "SerializeToString")):
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto.")
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be an iterable of strings.")
    by_name = {n.name: n for n in graph_def.node}
    for d in dest_nodes:
        if d not in by_name:
            raise AssertionError(f"{d} is not in graph")
    keep: set[str] = set()
    stack = list(dest_nodes)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(_node_name(i) for i in by_name[name].input)
    out = type(graph_def)()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    out.node.extend(n for n in graph_def.node if n.name in keep)
    return out


def convert_variables_to_constants(
    sess: Any,
    input_graph_def: Any,
    output_node_names: Any,
    variable_names_whitelist: Any = None,
    variable_names_blacklist: Any = None,
) -> Any:
    """Freezes a graph: each variable ``output_node_names`` need becomes a Const of its value
    in ``sess``, so the GraphDef runs anywhere (e.g. in TensorFlow) without a checkpoint.

    >>> import teachflow as tf
    >>> v = tf.Variable(3.0, name="v"); y = tf.multiply(v, 2.0, name="y")
    >>> sess = tf.Session(); sess.run(tf.global_variables_initializer())
    >>> frozen = convert_variables_to_constants(sess, sess.graph_def, ["y"])
    >>> [(n.name, n.op) for n in frozen.node]
    [('v', 'Const'), ('v/read', 'Identity'), ('y/y', 'Const'), ('y', 'Mul')]
    """
    sub = extract_sub_graph(input_graph_def, output_node_names)
    allow = None if variable_names_whitelist is None else set(variable_names_whitelist)
    deny = set(variable_names_blacklist or ())
    variables = [
        n
        for n in sub.node
        if n.op in ("Variable", "VariableV2")
        and (allow is None or n.name in allow)
        and n.name not in deny
    ]
    values = sess.run([n.name + ":0" for n in variables]) if variables else []
    frozen = {n.name: (n, v) for n, v in zip(variables, values)}
    out = type(sub)()
    out.versions.CopyFrom(sub.versions)
    out.library.CopyFrom(sub.library)
    for node in sub.node:
        new = out.node.add()
        first = _node_name(node.input[0]) if node.input else None
        if node.name in frozen:
            var, value = frozen[node.name]
            dt = dtypes.as_dtype(var.attr["dtype"].type)
            new.name, new.op = node.name, "Const"
            new.attr["dtype"].type = dt.as_datatype_enum
            new.attr["value"].tensor.CopyFrom(make_tensor_proto(np.asarray(value), dt))
        elif node.op == "IsVariableInitialized" and first in frozen:
            # a frozen variable always has its value
            new.name, new.op = node.name, "Const"
            new.input.extend(i for i in node.input if i.startswith("^"))
            new.attr["dtype"].type = dtypes.bool_.as_datatype_enum
            new.attr["value"].CopyFrom(pb().AttrValue(tensor=make_tensor_proto(True)))
        elif node.op == "RefSwitch" and first in frozen:
            new.CopyFrom(node)
            new.op = "Switch"
        else:
            opdef = registry.REGISTRY.get(node.op)
            refs = () if opdef is None else opdef.ref_inputs
            writes = [
                i
                for i, name in enumerate(node.input)
                if not name.startswith("^")
                and _node_name(name) in frozen
                and (refs == registry.ALL_INPUTS or i in refs)
            ]
            if writes:
                var = _node_name(node.input[writes[0]])
                raise ValueError(
                    f"Cannot freeze variable '{var}': '{node.name}' ({node.op}) changes it, and a "
                    "constant cannot change.\n  Hint: freeze only what the outputs read (e.g. the "
                    "prediction, not the training op)."
                )
            new.CopyFrom(node)
    return out


def freeze(sess: Any, output_node_names: Any) -> Any:
    """``convert_variables_to_constants(sess, sess.graph_def, outputs)``; outputs may be names,
    tensors or operations.

    >>> import teachflow as tf
    >>> v = tf.Variable([1.0, 2.0], name="w"); y = v * 2.0
    >>> sess = tf.Session(); sess.run(v.initializer)
    >>> [n.op for n in freeze(sess, [y]).node]
    ['Const', 'Identity', 'Const', 'Mul']
    """
    names = []
    for o in (
        [output_node_names] if isinstance(output_node_names, (str, Tensor)) else output_node_names
    ):
        if isinstance(o, (Tensor, Operation)):
            o = o.op.name if isinstance(o, Tensor) else o.name
        elif hasattr(o, "op"):
            o = o.op.name
        names.append(_node_name(o))
    return convert_variables_to_constants(sess, sess.graph.as_graph_def(), names)


def remove_training_nodes(input_graph: Any, protected_nodes: Any = None) -> Any:
    """``input_graph`` without what only training needs: CheckNumerics nodes removed, and
    Identity/StopGradient nodes spliced out (unless protected, colocated with something, or
    part of a control edge), as TensorFlow's ``graph_util.remove_training_nodes`` does.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     y = tf.identity(tf.constant(1.0, name="x"), name="id") * 2.0
    >>> [n.name for n in remove_training_nodes(g.as_graph_def()).node]
    ['x', 'mul/y', 'mul']
    """
    if not (hasattr(input_graph, "node") and hasattr(input_graph, "SerializeToString")):
        raise TypeError("input_graph must be a graph_pb2.GraphDef proto.")
    protected = set(protected_nodes or ())
    removed = {n.name for n in input_graph.node if n.op == "CheckNumerics"} - protected
    kept = []
    for node in input_graph.node:
        if node.name in removed:
            continue
        new = type(node)()
        new.CopyFrom(node)
        del new.input[:]
        new.input.extend(i for i in node.input if i.lstrip("^") not in removed)
        kept.append(new)
    control_inputs = {i[1:] for n in kept for i in n.input if i.startswith("^")}
    with_control = {n.name for n in kept if any(i.startswith("^") for i in n.input)}
    colocated = {
        s.decode().removeprefix("loc:@")
        for n in kept
        if "_class" in n.attr
        for s in n.attr["_class"].list.s
    }
    splice = {
        n.name: n.input[0]
        for n in kept
        if n.op in ("Identity", "StopGradient")
        and n.name not in protected | colocated | with_control | control_inputs
    }
    out = type(input_graph)()
    for node in kept:
        if node.name in splice:
            continue
        new = out.node.add()
        new.CopyFrom(node)
        del new.input[:]
        for full in node.input:
            while full.lstrip("^") in splice:
                full = splice[full.lstrip("^")]
            new.input.append(full)
    return out


def import_graph_def(
    graph_def: Any,
    input_map: Any = None,
    return_elements: Any = None,
    name: str | None = None,
    op_dict: Any = None,
    producer_op_list: Any = None,
) -> Any:
    """Not implemented: teachflow builds graphs from Python code only."""
    raise NotImplementedError(
        "teachflow does not implement tf.import_graph_def (TensorFlow 1.x has it): it cannot "
        "rebuild a graph from a GraphDef.\n  Hint: run the Python code that builds the graph; "
        "to run a teachflow GraphDef, import it into real TensorFlow."
    )
