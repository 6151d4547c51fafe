"""Leaving teachflow: the graph as a TensorFlow ``GraphDef``, written to disk or frozen.

``graph.as_graph_def()`` gives a real ``GraphDef`` protobuf (TensorFlow op types, inputs,
attrs, optionally ``_output_shapes``) that TensorBoard draws and TensorFlow imports. A
session's variable values can be baked in as constants (``convert_variables_to_constants``),
so the graph runs in TensorFlow with the values it has in teachflow.

The protobuf classes come from the ``tensorboard`` package, imported only when used. They
are not TensorFlow's own classes: hand a GraphDef to TensorFlow as bytes, e.g.
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
from functools import cache
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Graph, Operation, Tensor
from teachflow.tensor_shape import TensorShape

# NOTE: a TensorFlow 1.x-era GraphDef version: recent enough that a scalar Placeholder shape
# means "scalar" (versions up to 21 read it as "unknown"), old enough that no op we emit is
# deprecated for it.
GRAPH_DEF_VERSION = 27

# attrs whose list/None value is a shape (everything else that is a list is a list of values)
_SHAPE_ATTRS = frozenset({"shape", "element_shape", "shapes", "output_shapes", "_output_shapes"})
# TensorFlow's make_tensor_proto packs these dtypes as raw bytes when there is > 1 element
_CONTENT_DTYPES = frozenset(
    "float16 float32 float64 int32 uint8 int16 int8 int64 uint32 uint64".split()
)
_VALUE_FIELDS = {
    "float32": "float_val",
    "float64": "double_val",
    "int32": "int_val",
    "int16": "int_val",
    "int8": "int_val",
    "uint8": "int_val",
    "uint16": "int_val",
    "int64": "int64_val",
    "uint32": "uint32_val",
    "uint64": "uint64_val",
    "bool": "bool_val",
}


@cache
def _pb() -> Any:
    """The tensorboard protobuf modules (imported lazily: ``import teachflow`` needs numpy only)."""
    try:
        from tensorboard.compat.proto import (
            attr_value_pb2,
            graph_pb2,
            node_def_pb2,
            tensor_pb2,
            tensor_shape_pb2,
        )
    except ImportError as e:  # pragma: no cover - tensorboard is a dependency
        raise ImportError(
            "Exporting a GraphDef needs the tensorboard package: pip install tensorboard"
        ) from e

    class _Protos:
        AttrValue = attr_value_pb2.AttrValue
        GraphDef = graph_pb2.GraphDef
        NodeDef = node_def_pb2.NodeDef
        TensorProto = tensor_pb2.TensorProto
        TensorShapeProto = tensor_shape_pb2.TensorShapeProto

    return _Protos


# -- values -> protos ----------------------------------------------------------------------------


def shape_proto(shape: Any) -> Any:
    """A ``TensorShapeProto`` for a TensorShape, a list of dims (None = unknown) or None."""
    proto = _pb().TensorShapeProto()
    sh = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if sh.ndims is None:
        proto.unknown_rank = True
    else:
        for d in sh.as_list():
            proto.dim.add(size=-1 if d is None else int(d))
    return proto


def make_tensor_proto(
    values: Any,
    dtype: Any = None,
    shape: Any = None,
    verify_shape: bool = False,
    allow_broadcast: bool = False,
) -> Any:
    """A ``TensorProto`` holding ``values`` (as TensorFlow's ``make_tensor_proto`` packs it).

    >>> make_tensor_proto([1.0, 2.0]).tensor_shape.dim[0].size
    2
    """
    from teachflow.ops.constant_op import to_numpy

    dt = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
    arr = to_numpy(values, dt)
    if shape is not None:
        arr = _reshaped(arr, [int(d) for d in shape], verify_shape, allow_broadcast)
    if dt is None:
        dt = dtypes.string if arr.dtype == object else dtypes.as_dtype(arr.dtype)
    proto = _pb().TensorProto(dtype=dt.as_datatype_enum)
    proto.tensor_shape.SetInParent()  # present even for a scalar, as TensorFlow writes it
    for d in arr.shape:
        proto.tensor_shape.dim.add(size=int(d))
    flat = arr.reshape(-1)
    name = dt.name
    if name in _CONTENT_DTYPES and flat.size > 1:
        proto.tensor_content = np.ascontiguousarray(flat, dtype=dt.np.newbyteorder("<")).tobytes()
    elif name == "string":
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode() for v in flat)
    elif name == "float16":
        proto.half_val.extend(flat.astype(np.float16).view(np.uint16).tolist())
    elif name in ("complex64", "complex128"):
        pairs = np.stack([flat.real, flat.imag], axis=-1).reshape(-1).tolist()
        getattr(proto, "scomplex_val" if name == "complex64" else "dcomplex_val").extend(pairs)
    else:
        getattr(proto, _VALUE_FIELDS[name]).extend(flat.tolist())
    return proto


def _reshaped(arr: np.ndarray, shape: list[int], verify: bool, broadcast: bool) -> np.ndarray:
    """``arr`` given ``shape`` as TensorFlow's make_tensor_proto fills it: fewer values are
    padded with the last one; more are an error, as is any mismatch under verify_shape."""
    if list(arr.shape) == shape:
        return arr
    if verify or broadcast:
        raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {arr.shape}.")
    size = int(np.prod(shape))
    flat = arr.reshape(-1)
    if flat.size > size:
        raise ValueError(f"Too many elements provided. Takes at most {size}, but got {flat.size}.")
    out = np.zeros(size, dtype=arr.dtype) if arr.dtype != object else np.full(size, b"", object)
    out[: flat.size] = flat
    if flat.size:
        out[flat.size :] = flat[-1]
    return out.reshape(shape)


def make_ndarray(tensor: Any) -> np.ndarray:
    """The numpy array a ``TensorProto`` holds (inverse of :func:`make_tensor_proto`).

    >>> make_ndarray(make_tensor_proto([[1, 2], [3, 4]])).tolist()
    [[1, 2], [3, 4]]
    """
    if not (hasattr(tensor, "tensor_shape") and hasattr(tensor, "dtype")):
        raise TypeError(f"make_ndarray expects a TensorProto, got {type(tensor).__name__}.")
    dt = dtypes.as_dtype(tensor.dtype)
    shape = [d.size for d in tensor.tensor_shape.dim]
    size = int(np.prod(shape))
    if dt == dtypes.string:
        vals = np.array(list(tensor.string_val), dtype=object)
    elif tensor.tensor_content:
        vals = np.frombuffer(tensor.tensor_content, dtype=dt.np.newbyteorder("<")).astype(dt.np)
    elif dt.name == "float16":
        vals = np.array(list(tensor.half_val), np.uint16).view(np.float16)
    elif dt.name in ("complex64", "complex128"):
        field = tensor.scomplex_val if dt.name == "complex64" else tensor.dcomplex_val
        pairs = np.array(list(field), dtype=np.float64).reshape(-1, 2)
        vals = (pairs[:, 0] + 1j * pairs[:, 1]).astype(dt.np)
    else:
        vals = np.array(list(getattr(tensor, _VALUE_FIELDS[dt.name])), dtype=dt.np)
    if vals.size == size:
        return vals.reshape(shape)
    if vals.size == 0:
        return np.zeros(shape, dtype=vals.dtype if dt != dtypes.string else object)
    # TensorFlow stores a run of equal trailing values once: repeat the last one
    out = np.empty(size, dtype=vals.dtype)
    out[: vals.size] = vals
    out[vals.size :] = vals[-1]
    return out.reshape(shape)


def attr_value(key: str, value: Any) -> Any:
    """An ``AttrValue`` for an op attr: DType, shape, array, bool, int, float, str or a list."""
    pb = _pb()
    av = pb.AttrValue()
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


# -- graph -> GraphDef -----------------------------------------------------------------------


def _input_name(t: Tensor) -> str:
    return t.name if t.value_index else t.op.name


class _Builder:
    """Appends NodeDefs to a GraphDef, adding ``_output_shapes`` when asked."""

    def __init__(self, graph: Graph, add_shapes: bool) -> None:
        self.pb = _pb()
        self.graph_def = self.pb.GraphDef()
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
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)  # atomic, as TensorFlow writes it
    return path


# -- freezing ------------------------------------------------------------------------------


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
    from teachflow.ops import registry

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
    pb = _pb()
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
            new.attr["value"].CopyFrom(pb.AttrValue(tensor=make_tensor_proto(True)))
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


# protobuf classes TensorFlow 1.x has at the top level: {name: tensorboard proto module}
_PROTO_CLASSES = {
    "Summary": "summary_pb2",
    "SummaryMetadata": "summary_pb2",
    "HistogramProto": "summary_pb2",
    "Event": "event_pb2",
    "SessionLog": "event_pb2",
    "LogMessage": "event_pb2",
    "GraphDef": "graph_pb2",
    "NodeDef": "node_def_pb2",
    "AttrValue": "attr_value_pb2",
    "MetaGraphDef": "meta_graph_pb2",
    "TensorShapeProto": "tensor_shape_pb2",
}


def proto_class(name: str) -> Any:
    """The protobuf class ``tf.<name>`` (``tf.Summary``, ``tf.GraphDef``...), from the
    tensorboard package; None for other names."""
    module = _PROTO_CLASSES.get(name)
    if module is None:
        return None
    import importlib

    return getattr(importlib.import_module(f"tensorboard.compat.proto.{module}"), name)


def public_getattr(name: str) -> Any:
    """``tf.<name>`` for names loaded on first use (the protobuf classes); other unknown names
    get teachflow's "not implemented" error.

    >>> import teachflow as tf
    >>> tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=0.5)]).value[0].tag
    'loss'
    """
    cls = proto_class(name)
    if cls is not None:
        return cls
    from teachflow.unsupported import unsupported

    return unsupported(name)
