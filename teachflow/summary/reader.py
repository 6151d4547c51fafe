"""Reading event files back: tidy records for notebooks and plots.

``read_events(logdir)`` loads every run under ``logdir`` with TensorBoard's own
``EventAccumulator`` and returns one :class:`Record` per (run, tag, step). A run is a directory
holding event files, named by its path relative to ``logdir`` (``"."`` for ``logdir`` itself),
as TensorBoard names runs. A half-written last record (a writer killed mid-write) is skipped.

>>> import tempfile, teachflow as tf
>>> logdir = tempfile.mkdtemp()
>>> with tf.Graph().as_default(), tf.Session() as sess:
...     s = tf.summary.scalar("loss", tf.constant(2.0))
...     with tf.summary.FileWriter(logdir) as w:
...         w.add_summary(sess.run(s), 10)
>>> r = read_events(logdir)[0]
>>> (r.run, r.tag, r.step, r.kind, r.value)
('.', 'loss', 10, 'scalar', 2.0)
"""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass
from typing import Any

from teachflow import paths

KINDS = ("scalar", "histogram", "image", "text", "tensor")


@dataclass(frozen=True)
class Record:
    """One logged value.

    ``value`` is a float (scalar), a dict of ``min, max, num, sum, sum_squares, bucket_limit,
    bucket`` (histogram), PNG bytes (image), a str or array of str (text), or a numpy array
    (other tensor summaries).
    """

    run: str
    tag: str
    step: int
    wall_time: float
    kind: str
    value: Any


def _logdir_of(logdir_or_writer: Any) -> str:
    if hasattr(logdir_or_writer, "get_logdir") and hasattr(logdir_or_writer, "flush"):
        logdir_or_writer.flush()
        return str(logdir_or_writer.get_logdir())
    return paths.as_path(logdir_or_writer, "logdir")


def runs(logdir: Any) -> list[str]:
    """The runs under ``logdir``: directories holding event files, relative to it, sorted."""
    root = _logdir_of(logdir)
    found = []
    for path, _, files in os.walk(root):
        if any("tfevents" in f for f in files):
            found.append(os.path.relpath(path, root))
    return sorted(found)


def _without_tensorflow() -> None:
    """Makes tensorboard read with its own TensorFlow stub instead of importing TensorFlow.

    tensorboard picks its file API on first use: the real TensorFlow when installed (3 s to
    import, and log lines in the notebook), unless the marker module ``tensorboard.compat.notf``
    exists, its own switch for TensorFlow-free builds. Reading local event files needs nothing
    more than the stub.
    """
    if "tensorboard.compat.notf" not in sys.modules and "tensorflow" not in sys.modules:
        sys.modules["tensorboard.compat.notf"] = types.ModuleType("tensorboard.compat.notf")


def _accumulator(path: str) -> Any:
    _without_tensorflow()
    from tensorboard.backend.event_processing import event_accumulator as ea

    keep_all = {
        ea.SCALARS: 0,
        ea.HISTOGRAMS: 0,
        ea.IMAGES: 0,
        ea.TENSORS: 0,
        ea.AUDIO: 0,
        ea.COMPRESSED_HISTOGRAMS: 0,
    }
    acc = ea.EventAccumulator(path, size_guidance=keep_all)
    acc.Reload()
    return acc


def _histogram(h: Any) -> dict[str, Any]:
    return {
        "min": h.min,
        "max": h.max,
        "num": h.num,
        "sum": h.sum,
        "sum_squares": h.sum_squares,
        "bucket_limit": list(h.bucket_limit),
        "bucket": list(h.bucket),
    }


def _tensor_value(tensor_proto: Any, text: bool) -> Any:
    from tensorboard.util import tensor_util

    arr = tensor_util.make_ndarray(tensor_proto)
    if not text:
        return arr
    if arr.ndim == 0:
        item = arr.item()
        return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
    return arr.astype(object).astype(str)


def read_events(logdir: Any, run: str | None = None) -> list[Record]:
    """Every scalar, histogram, image and text summary under ``logdir``, oldest first.

    Args:
      logdir: a directory (or a FileWriter, which is flushed first).
      run: only this run (``"."`` is ``logdir`` itself); default all runs.
    """
    root = _logdir_of(logdir)
    out: list[Record] = []
    for name in runs(root) if run is None else [run]:
        acc = _accumulator(os.path.join(root, name))
        tags = acc.Tags()
        for tag in tags.get("scalars", []):
            for e in acc.Scalars(tag):
                out.append(Record(name, tag, e.step, e.wall_time, "scalar", e.value))
        for tag in tags.get("histograms", []):
            for e in acc.Histograms(tag):
                value = _histogram(e.histogram_value)
                out.append(Record(name, tag, e.step, e.wall_time, "histogram", value))
        for tag in tags.get("images", []):
            for e in acc.Images(tag):
                out.append(Record(name, tag, e.step, e.wall_time, "image", e.encoded_image_string))
        for tag in tags.get("tensors", []):
            plugin = acc.SummaryMetadata(tag).plugin_data.plugin_name
            kind = "text" if plugin == "text" else "tensor"
            for e in acc.Tensors(tag):
                value = _tensor_value(e.tensor_proto, kind == "text")
                out.append(Record(name, tag, e.step, e.wall_time, kind, value))
    out.sort(key=lambda r: (r.run, r.wall_time, r.step, r.tag))
    return out


def read_graph(logdir: Any, run: str = ".") -> Any:
    """The GraphDef a FileWriter stored for ``run`` (None if it stored none)."""
    acc = _accumulator(os.path.join(_logdir_of(logdir), run))
    return acc.Graph() if acc.Tags().get("graph") else None
