"""``tf.summary``: summary ops, the event-file writer, and reading the logs back.

>>> import tempfile, teachflow as tf
>>> logdir = tempfile.mkdtemp()
>>> with tf.Graph().as_default() as g:
...     x = tf.placeholder(tf.float32, name="x")
...     tf.summary.scalar("x", x)
...     merged = tf.summary.merge_all()
...     with tf.Session() as sess, tf.summary.FileWriter(logdir, g) as writer:
...         for step in range(3):
...             writer.add_summary(sess.run(merged, {x: step * 1.5}), step)
<tf.Tensor 'x_1:0' shape=() dtype=string>
>>> [(r.step, r.value) for r in tf.summary.read_events(logdir)]
[(0, 0.0), (1, 1.5), (2, 3.0)]

The protobuf classes ``Summary``, ``Event``, ``SessionLog``, ``TaggedRunMetadata`` and
``SummaryDescription`` are TensorBoard's (loaded on first use).
"""

from __future__ import annotations

from typing import Any

from teachflow.summary.ops import (
    histogram,
    image,
    merge,
    merge_all,
    scalar,
    tensor_summary,
    text,
)
from teachflow.summary.reader import Record, read_events, read_graph, runs
from teachflow.summary.writer import FileWriter, FileWriterCache

__all__ = [
    "Event",
    "FileWriter",
    "FileWriterCache",
    "Record",
    "SessionLog",
    "Summary",
    "SummaryDescription",
    "TaggedRunMetadata",
    "histogram",
    "image",
    "merge",
    "merge_all",
    "read_events",
    "read_graph",
    "runs",
    "scalar",
    "tensor_summary",
    "text",
]

_PROTOS = {
    "Summary": "summary_pb2",
    "SummaryDescription": "summary_pb2",
    "SummaryMetadata": "summary_pb2",
    "HistogramProto": "summary_pb2",
    "Event": "event_pb2",
    "SessionLog": "event_pb2",
    "TaggedRunMetadata": "event_pb2",
}
_UNSUPPORTED = {
    "audio": "teachflow has no audio summaries; log numbers with tf.summary.scalar",
    "get_summary_description": "read node.attr directly",
}


def __getattr__(name: str) -> Any:
    if name in _PROTOS:
        import importlib

        module = importlib.import_module(f"tensorboard.compat.proto.{_PROTOS[name]}")
        return getattr(module, name)
    if name in _UNSUPPORTED:
        from teachflow.unsupported import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.summary.{name} (TensorFlow 1.x has it). "
            f"Hint: {_UNSUPPORTED[name]}."
        )
    raise AttributeError(f"module 'teachflow.summary' has no attribute '{name}'")
