"""TensorFlow's ``MetaGraphDef``: the graph (with shapes), a Saver's op names and the
collections, as ``Saver.save`` writes them to ``<prefix>.meta``.

Real TensorFlow's ``tf.train.import_meta_graph`` loads the file; teachflow itself cannot (it
builds graphs from Python code only). The protobuf classes come from the ``tensorboard``
package, imported only when a meta graph is written.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import paths
from teachflow.file_io import atomic_write
from teachflow.graph import Graph, Operation, Tensor, get_default_graph
from teachflow.graph_def import graph_to_graph_def
from teachflow.variables import Variable


class SaverDef:
    """The names of a Saver's graph ops (``saver.saver_def``)."""

    V1 = 1
    V2 = 2

    def __init__(self, filename_tensor_name: str, save_tensor_name: str, restore_op_name: str,
                 max_to_keep: int, keep_checkpoint_every_n_hours: float) -> None:  # fmt: skip
        self.filename_tensor_name = filename_tensor_name
        self.save_tensor_name = save_tensor_name
        self.restore_op_name = restore_op_name
        self.max_to_keep = max_to_keep
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.version = SaverDef.V2
        self.sharded = False

    def __str__(self) -> str:
        hours = self.keep_checkpoint_every_n_hours
        return (
            f'filename_tensor_name: "{self.filename_tensor_name}"\n'
            f'save_tensor_name: "{self.save_tensor_name}"\n'
            f'restore_op_name: "{self.restore_op_name}"\n'
            f"max_to_keep: {self.max_to_keep}\n"
            + ("sharded: true\n" if self.sharded else "")
            + f"keep_checkpoint_every_n_hours: {int(hours) if hours == int(hours) else hours}\n"
            "version: V2\n"
        )

    __repr__ = __str__


def _saver_def_proto(saver_def: Any) -> Any:
    from tensorboard.compat.proto import saver_pb2

    if hasattr(saver_def, "SerializeToString"):
        return saver_pb2.SaverDef.FromString(saver_def.SerializeToString())
    if not isinstance(saver_def, SaverDef):
        raise TypeError(
            f"saver_def must be a SaverDef, got {saver_def!r}.\n  Hint: pass saver.saver_def "
            "or saver.as_saver_def() of a tf.train.Saver."
        )
    hours = float(saver_def.keep_checkpoint_every_n_hours)
    return saver_pb2.SaverDef(
        filename_tensor_name=saver_def.filename_tensor_name,
        save_tensor_name=saver_def.save_tensor_name,
        restore_op_name=saver_def.restore_op_name,
        max_to_keep=int(saver_def.max_to_keep),
        sharded=bool(saver_def.sharded),
        keep_checkpoint_every_n_hours=hours,
        version=saver_pb2.SaverDef.V2,
    )


def _add_collection(meta: Any, key: str, items: list[Any]) -> None:
    """One collection as TensorFlow exports it: variables as VariableDefs, graph elements by
    name, numbers and strings as values; collections of anything else are left out."""
    from tensorboard.compat.proto import variable_pb2

    if all(isinstance(v, Variable) for v in items):
        defs = [
            variable_pb2.VariableDef(
                variable_name=v.name,
                initial_value_name=v.initial_value.name,
                initializer_name=v.initializer.name,
                snapshot_name=v.value().name,
                trainable=v.trainable,
            ).SerializeToString()
            for v in items
        ]
        meta.collection_def[key].bytes_list.value.extend(defs)
    elif all(isinstance(v, (Tensor, Operation)) for v in items):
        meta.collection_def[key].node_list.value.extend(v.name for v in items)
    elif all(isinstance(v, (bool, int, np.integer)) for v in items):
        meta.collection_def[key].int64_list.value.extend(int(v) for v in items)
    elif all(isinstance(v, (float, np.floating)) for v in items):
        meta.collection_def[key].float_list.value.extend(float(v) for v in items)
    elif all(isinstance(v, (str, bytes)) for v in items):
        meta.collection_def[key].bytes_list.value.extend(
            v.encode() if isinstance(v, str) else v for v in items
        )


def export_meta_graph(
    filename: Any = None,
    meta_info_def: Any = None,
    graph_def: Any = None,
    saver_def: Any = None,
    collection_list: Any = None,
    as_text: bool = False,
    graph: Any = None,
    export_scope: str | None = None,
    clear_devices: bool = False,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    **kwargs: Any,
) -> Any:
    """The graph as TensorFlow's ``MetaGraphDef`` (GraphDef with shapes, SaverDef,
    collections), written to ``filename`` (binary, or text with ``as_text``) if given.

    Real TensorFlow can load the file with ``tf.train.import_meta_graph``; teachflow itself
    cannot (it builds graphs from Python code only).

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     v = tf.Variable(1.0, name="v")
    ...     meta = export_meta_graph(graph=g)
    >>> [n.name for n in meta.graph_def.node][:2], sorted(meta.collection_def)
    (['v/initial_value', 'v'], ['trainable_variables', 'variables'])
    """
    from tensorboard.compat.proto import meta_graph_pb2

    if export_scope:
        raise NotImplementedError("teachflow's export_meta_graph does not take export_scope.")
    graph = graph if graph is not None else get_default_graph()
    if not isinstance(graph, Graph):
        raise TypeError(
            f"graph must be a tf.Graph, got {graph!r}.\n  Hint: pass the graph whose ops to "
            "export, or leave graph=None for the default graph."
        )
    if graph_def is not None and not hasattr(graph_def, "SerializeToString"):
        raise TypeError(
            f"graph_def must be a GraphDef proto, got {graph_def!r}.\n  Hint: pass "
            "g.as_graph_def(), or leave graph_def=None to export the graph itself."
        )
    meta = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    if graph_def is not None:
        meta.graph_def.ParseFromString(graph_def.SerializeToString())
    else:
        meta.graph_def.CopyFrom(graph_to_graph_def(graph, add_shapes=True))
    if clear_devices:
        for node in meta.graph_def.node:
            node.device = ""
    if saver_def is not None:
        meta.saver_def.CopyFrom(_saver_def_proto(saver_def))
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in sorted(k for k in keys if isinstance(k, str)):
        items = graph.get_collection(key)
        if items:
            _add_collection(meta, key, items)
    if filename is not None:
        path = paths.as_path(filename, "filename")
        if as_text:
            from google.protobuf import text_format

            data = text_format.MessageToString(meta).encode()
        else:
            data = meta.SerializeToString(deterministic=True)
        atomic_write(path, lambda f: f.write(data))
    return meta
