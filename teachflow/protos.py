"""TensorFlow's protobuf classes (``tf.GraphDef``, ``tf.Summary``...), taken from the
``tensorboard`` package and imported on first use: ``import teachflow`` needs numpy only.

They are not TensorFlow's own classes: hand a message to TensorFlow as bytes, e.g.
``tf.GraphDef.FromString(graph_def.SerializeToString())``.

>>> import teachflow as tf
>>> tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=0.5)]).value[0].tag
'loss'
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from teachflow.unsupported import unsupported


@cache
def pb() -> Any:
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
    return unsupported(name)
