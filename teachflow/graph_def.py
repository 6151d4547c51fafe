"""The graph as TensorFlow's ``GraphDef`` protobuf: TensorFlow op types, inputs, attrs and,
optionally, each node's ``_output_shapes``; TensorBoard draws it and TensorFlow imports it.
``graph.as_graph_def()`` and ``tf.train.write_graph`` (TensorFlow's ``graph_io``) use it.

Hand a GraphDef to TensorFlow as bytes, e.g.
``tf.import_graph_def(tf.GraphDef.FromString(graph_def.SerializeToString()), name="")``, or
through a file (``tf.train.write_graph`` here, ``tf.io.gfile`` + ``ParseFromString`` there).

>>> import teachflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     y = tf.constant(2.0, name="x") * 3.0
>>> [(n.name, n.op, list(n.input)) for n in g.as_graph_def().node]
[('x', 'Const', []), ('mul/y', 'Const', []), ('mul', 'Mul', ['x', 'mul/y'])]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.file_io import atomic_write
from teachflow.graph import Graph, Operation, Tensor
from teachflow.protos import pb
from teachflow.tensor_shape import TensorShape
from teachflow.tensor_util import make_tensor_proto, shape_proto

# NOTE: a TensorFlow 1.x-era GraphDef version: recent enough that a scalar Placeholder shape
# means "scalar" (versions up to 21 read it as "unknown"), old enough that no op we emit is
# deprecated for it.
GRAPH_DEF_VERSION = 27

# attrs whose list/None value is a shape (everything else that is a list is a list of values)
_SHAPE_ATTRS = frozenset({"shape", "element_shape", "shapes", "output_shapes", "_output_shapes"})


def attr_value(key: str, value: Any) -> Any:
    """An ``AttrValue`` for an op attr: DType, shape, array, bool, int, float, str or a list."""
    av = pb().AttrValue()
    if isinstance(value, dtypes.DType):
        av.type = value.base_dtype.as_datatype_enum
    elif isinstance(value, TensorShape) or (key in _SHAPE_ATTRS and not isinstance(value, list)):
        av.shape.CopyFrom(shape_proto(value))
    elif key in _SHAPE_ATTRS and (not value or not isinstance(value[0], (list, TensorShape))):
        av.shape.CopyFrom(shape_proto(value))
    elif isinstance(value, np.ndarray):
        av.tensor.CopyFrom(make_tensor_proto(value))
    elif isinstance(value, (bool, np.bool_)):
        av.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        av.i = int(value)
    elif isinstance(value, (float, np.floating)):
        av.f = float(value)
    elif isinstance(value, (str, bytes)):
        av.s = value.encode() if isinstance(value, str) else value
    elif hasattr(value, "fill_attr_value"):  # a function attr (tf.data's map functions)
        value.fill_attr_value(av)
    elif isinstance(value, (list, tuple)):
        av.list.SetInParent()
        for v in value:
            if isinstance(v, dtypes.DType):
                av.list.type.append(v.base_dtype.as_datatype_enum)
            elif isinstance(v, (TensorShape, list)) or v is None:
                av.list.shape.append(shape_proto(v))
            elif isinstance(v, (bool, np.bool_)):
                av.list.b.append(bool(v))
            elif isinstance(v, (int, np.integer)):
                av.list.i.append(int(v))
            elif isinstance(v, (float, np.floating)):
                av.list.f.append(float(v))
            elif isinstance(v, (str, bytes)):
                av.list.s.append(v.encode() if isinstance(v, str) else v)
            elif isinstance(v, np.ndarray):
                av.list.tensor.append(make_tensor_proto(v))
            else:
                raise TypeError(
                    f"Cannot export attr {key!r}: list element {v!r} has no proto form."
                )
    else:
        raise TypeError(f"Cannot export attr {key!r} = {value!r}: it has no AttrValue form.")
    return av


def _input_name(t: Tensor) -> str:
    return t.name if t.value_index else t.op.name


class _Builder:
    """Appends NodeDefs to a GraphDef, adding ``_output_shapes`` when asked."""

    def __init__(self, graph: Graph, add_shapes: bool) -> None:
        self.graph_def = pb().GraphDef()
        self.graph_def.versions.producer = GRAPH_DEF_VERSION
        self.add_shapes = add_shapes
        self.taken = {op.name for op in graph.get_operations()}

    def fresh(self, name: str) -> str:
        """``name``, or ``name_1``, ``name_2``... if a graph op already uses it."""
        out, i = name, 0
        while out in self.taken:
            i += 1
            out = f"{name}_{i}"
        self.taken.add(out)
        return out

    def node(
        self,
        name: str,
        op_type: str,
        inputs: Iterable[str],
        attrs: dict[str, Any],
        shapes: list[Any] | None = None,
        device: str = "",
    ) -> Any:
        nd = self.graph_def.node.add(name=name, op=op_type, device=device)
        nd.input.extend(inputs)
        for k, v in attrs.items():
            if v is None and k not in _SHAPE_ATTRS:
                continue
            nd.attr[k].CopyFrom(attr_value(k, v))
        if self.add_shapes and shapes is not None:
            nd.attr["_output_shapes"].list.SetInParent()
            nd.attr["_output_shapes"].list.shape.extend(shape_proto(s) for s in shapes)
        return nd


def _control(op: Operation) -> list[str]:
    return ["^" + c.name for c in op.control_inputs]


def _export_initialized_value(b: _Builder, op: Operation) -> None:
    """``v.initialized_value()`` as TensorFlow builds it: a cond on IsVariableInitialized."""
    ref, initial = op.inputs
    t = op.outputs[0]
    dt = t.dtype.base_dtype
    n = op.name
    pred = b.fresh(f"{n}/IsVariableInitialized")
    sw_ref = b.fresh(f"{n}/read/Switch")
    read = b.fresh(f"{n}/read")
    sw_init = b.fresh(f"{n}/Switch_1")
    scalar: list[Any] = [[]]
    b.node(pred, "IsVariableInitialized", [_input_name(ref), *_control(op)], {"dtype": dt}, scalar)
    b.node(sw_ref, "RefSwitch", [_input_name(ref), pred], {"T": dt}, [ref.shape, ref.shape])
    b.node(read, "Identity", [f"{sw_ref}:1"], {"T": dt}, [ref.shape])
    b.node(sw_init, "Switch", [_input_name(initial), pred], {"T": dt}, [initial.shape] * 2)
    b.node(n, "Merge", [read, sw_init], {"T": dt, "N": 2}, [t.shape, []])


def _export_report_uninitialized(b: _Builder, op: Operation) -> None:
    """``report_uninitialized_variables`` as TensorFlow builds it: names where not initialized."""
    n = op.name
    names = np.array([t.op.name.encode() for t in op.inputs], dtype=object)
    if not op.inputs:
        b.node(n, "Const", _control(op), {"value": names, "dtype": dtypes.string}, [[0]])
        return
    flags = []
    for i, ref in enumerate(op.inputs):
        name = b.fresh(f"{n}/IsVariableInitialized" + (f"_{i}" if i else ""))
        flags.append(name)
        ins = [_input_name(ref), *_control(op)]
        b.node(name, "IsVariableInitialized", ins, {"dtype": ref.dtype.base_dtype}, [[]])
    k = len(flags)
    stack, lnot, const, where = (
        b.fresh(f"{n}/{s}") for s in ("stack", "LogicalNot", "Const", "Where")
    )
    b.node(stack, "Pack", flags, {"N": k, "T": dtypes.bool_, "axis": 0}, [[k]])
    b.node(lnot, "LogicalNot", [stack], {}, [[k]])
    b.node(const, "Const", _control(op), {"value": names, "dtype": dtypes.string}, [[k]])
    b.node(where, "Where", [lnot], {"T": dtypes.bool_}, [[None, 1]])
    attrs = {"Tparams": dtypes.string, "Tindices": dtypes.int64}
    b.node(n, "GatherNd", [const, where], attrs, [[None]])


def _export_reduced_shape(b: _Builder, op: Operation) -> None:
    """The shape of a reduction kept with size-1 dims, as TensorFlow's ``reduced_shape`` builds
    it: ``DynamicStitch([range(rank), axes mod rank], [shape, ones])``."""
    shape, axes = op.inputs
    n = op.name
    i32, vec = dtypes.int32, [shape.shape]
    scalar: list[Any] = [[]]
    ax = _input_name(axes)
    if axes.dtype.base_dtype != i32:
        cast = b.fresh(f"{n}/Cast")
        b.node(cast, "Cast", [ax], {"SrcT": axes.dtype.base_dtype, "DstT": i32}, [axes.shape])
        ax = cast
    size, add, mod, shp = (b.fresh(f"{n}/{s}") for s in ("Size", "add", "mod", "Shape"))
    start, delta, rng = (b.fresh(f"{n}/range/{s}") for s in ("start", "delta", "range"))
    one, fill = b.fresh(f"{n}/Fill/value"), b.fresh(f"{n}/Fill")
    b.node(size, "Size", [_input_name(shape), *_control(op)], {"T": i32, "out_type": i32}, scalar)
    b.node(add, "AddV2", [ax, size], {"T": i32}, [axes.shape])
    b.node(mod, "FloorMod", [add, size], {"T": i32}, [axes.shape])
    for name, v in ((start, 0), (delta, 1), (one, 1)):
        b.node(name, "Const", [], {"value": np.array(v, np.int32), "dtype": i32}, scalar)
    b.node(rng, "Range", [start, size, delta], {"Tidx": i32}, vec)
    b.node(shp, "Shape", [mod], {"T": i32, "out_type": i32}, [[axes.shape.ndims]])
    b.node(fill, "Fill", [shp, one], {"T": i32}, [axes.shape])
    b.node(n, "DynamicStitch", [rng, mod, _input_name(shape), fill], {"N": 2, "T": i32}, vec)


# teachflow-only op types, written as the TensorFlow subgraphs that compute the same thing
_EXPANSIONS: dict[str, Callable[[_Builder, Operation], None]] = {
    "InitializedValue": _export_initialized_value,
    "ReportUninitializedVariables": _export_report_uninitialized,
    "ReducedShape": _export_reduced_shape,
}


def graph_to_graph_def(graph: Graph, add_shapes: bool = False) -> Any:
    """The graph as a TensorFlow ``GraphDef`` protobuf (what ``Graph.as_graph_def`` returns).

    Args:
      graph: a teachflow Graph.
      add_shapes: add each node's static output shapes as the ``_output_shapes`` attr
        (TensorBoard shows them on the edges).

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     x = tf.placeholder(tf.float32, [None, 2], name="x")
    >>> nd = graph_to_graph_def(g, add_shapes=True).node[0]
    >>> nd.op, nd.attr["dtype"].type, [d.size for d in nd.attr["shape"].shape.dim]
    ('Placeholder', 1, [-1, 2])
    """
    b = _Builder(graph, add_shapes)
    for op in graph.get_operations():
        expand = _EXPANSIONS.get(op.type)
        if expand is not None:
            first = len(b.graph_def.node)
            expand(b, op)
            for nd in b.graph_def.node[first:]:
                nd.device = op.device
            continue
        ins = [_input_name(t) for t in op.inputs] + _control(op)
        attrs, device = dict(op.attrs), op.device
        var = _variable_read(op)
        if var is not None:
            # TensorFlow creates a variable's reads and updates colocated with it
            attrs["_class"] = [f"loc:@{var.name}"]
            device = device or var.device
        b.node(op.name, op.type, ins, attrs, [t.shape for t in op.outputs], device)
    return b.graph_def


def _variable_read(op: Operation) -> Operation | None:
    """The variable whose ref ``op`` reads or updates first (None for other ops)."""
    if not op.inputs or op.type in ("IsVariableInitialized", "SaveV2"):
        return None
    src = op.inputs[0]
    if src.dtype.is_ref and src.op.type in ("VariableV2", "Variable"):
        return src.op
    return None


def _as_graph_def(graph_or_graph_def: Any) -> Any:
    if isinstance(graph_or_graph_def, Graph):
        return graph_or_graph_def.as_graph_def()
    if hasattr(graph_or_graph_def, "node") and hasattr(graph_or_graph_def, "SerializeToString"):
        return graph_or_graph_def
    raise TypeError(
        f"Expected a tf.Graph or a GraphDef, got {type(graph_or_graph_def).__name__}.\n"
        "  Hint: pass sess.graph (or sess.graph_def)."
    )


def write_graph(
    graph_or_graph_def: Any, logdir: str | os.PathLike[str], name: str, as_text: bool = True
) -> str:
    """Writes the graph as a GraphDef file ``logdir/name`` (text or binary); returns the path.

    >>> import os, tempfile, teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant(1, name="one")
    >>> path = write_graph(g, tempfile.mkdtemp(), "g.pbtxt")
    >>> 'name: "one"' in open(path).read()
    True
    """
    graph_def = _as_graph_def(graph_or_graph_def)
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(os.fspath(logdir), name)
    if as_text:
        from google.protobuf import text_format

        data = text_format.MessageToString(graph_def).encode()
    else:
        data = graph_def.SerializeToString(deterministic=True)
    atomic_write(path, lambda f: f.write(data))  # as TensorFlow writes it
    return path
