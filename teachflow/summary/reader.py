"""Reading event files back: tidy records for notebooks and plots, incrementally.

``read_events(logdir)`` returns one :class:`Record` per (run, tag, step). A run is a directory
holding event files, named by its path relative to ``logdir`` (``"."`` for ``logdir`` itself),
as TensorBoard names runs. :class:`LogReader` remembers how far it read each file, so calling
``read()`` again costs only the records written since (what ``SummaryPlot`` does while a
model trains).

Files are read the way TensorBoard reads them: each record is
``uint64 length | masked crc32c(length) | data | masked crc32c(data)`` with TensorBoard's own
checksum helper. What a crashed or foreign writer leaves behind is survived, not fatal:

- a half-written last record is left for the next read (the writer may finish it);
- a corrupt record (a checksum that does not match) is skipped: reading resumes at the next
  record whose checksums match, and a :class:`CorruptRecordWarning` says how many were skipped;
- a record that is not an ``Event``, a value of an unknown kind, or a tensor declaring more
  elements than its record holds (a 100-byte record claiming 3e9 floats) is skipped with a
  warning before anything is allocated; the records after it are kept;
- TensorFlow's records are read too: tensor values without metadata (TensorFlow writes the
  metadata only with a tag's first value) keep the kind their tag's first value declared.

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

import math
import os
import struct
import sys
import types
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from teachflow import paths

KINDS = ("scalar", "histogram", "image", "text", "tensor")
HEADER = 12  # uint64 length + uint32 crc of it
FOOTER = 4  # uint32 crc of the data
CHUNK = 16 << 20  # bytes read at a time
# TensorFlow stores a tensor whose elements are all equal as one value ("splat"); a declared
# size up to this many elements is accepted for it (summaries never need more)
MAX_SPLAT = 1 << 16


class CorruptRecordWarning(UserWarning):
    """Records of an event file were skipped (corrupt, not an Event, or an impossible size)."""


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


@dataclass(frozen=True)
class Purge:
    """TensorBoard's restart rule: drop ``run``'s values at ``step`` or later (of ``tags``,
    or of every tag when ``tags`` is None), as a ``SessionLog.START`` or an out-of-order step
    of an old-format file says a training restarted from ``step``."""

    run: str
    step: int
    tags: frozenset[str] | None

    def covers(self, run: str, tag: str) -> bool:
        """Whether this restart concerns ``tag`` of ``run`` (its values at ``step`` or later)."""
        return run == self.run and (self.tags is None or tag in self.tags)


def _logdir_of(logdir_or_writer: Any) -> str:
    if hasattr(logdir_or_writer, "get_logdir") and hasattr(logdir_or_writer, "flush"):
        logdir_or_writer.flush()
        return str(logdir_or_writer.get_logdir())
    return paths.as_path(logdir_or_writer, "logdir")


def _event_files(root: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path, _, files in os.walk(root):
        names = sorted(f for f in files if "tfevents" in f)
        if names:
            found[os.path.relpath(path, root)] = [os.path.join(path, f) for f in names]
    return found


def runs(logdir: Any) -> list[str]:
    """The runs under ``logdir``: directories holding event files, relative to it, sorted."""
    return sorted(_event_files(_logdir_of(logdir)))


def _without_tensorflow() -> None:
    """Makes tensorboard use its own TensorFlow stub instead of importing TensorFlow.

    tensorboard picks its file API on first use: the real TensorFlow when installed (3 s to
    import, and log lines in the notebook), unless the marker module ``tensorboard.compat.notf``
    exists, its own switch for TensorFlow-free builds.
    """
    if "tensorboard.compat.notf" not in sys.modules and "tensorflow" not in sys.modules:
        sys.modules["tensorboard.compat.notf"] = types.ModuleType("tensorboard.compat.notf")


def _crc() -> Any:
    _without_tensorflow()
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    return masked_crc32c


# ------------------------------------------------------------------------------ one file
@dataclass
class _EventFile:
    """One event file and how far it has been read (``offset``: the next record's start).

    The file is read in chunks of at most :data:`CHUNK` bytes (a record longer than that is
    read whole: its length is checksummed and fits the file).
    """

    path: str
    offset: int = 0
    skipped: int = 0  # corrupt records passed over so far
    in_garbage: bool = False  # the bytes at offset follow a corrupt record (counted already)

    def read_new(self) -> tuple[list[bytes], int]:
        """The complete records written since the last call, and how many were corrupt."""
        try:
            size = os.path.getsize(self.path)
        except OSError:
            return [], 0
        if size < self.offset:  # the file was replaced: read it again
            self.offset, self.in_garbage = 0, False
        out: list[bytes] = []
        bad = 0
        crc = _crc()
        with open(self.path, "rb") as f:
            while size - self.offset >= HEADER:
                f.seek(self.offset)
                data = f.read(min(size - self.offset, CHUNK))
                rest = size - self.offset
                pos, corrupt, need = self._parse(data, rest, crc, out)
                if pos == 0 and need and need <= rest:
                    f.seek(self.offset)  # one record longer than a chunk
                    pos, corrupt, _ = self._parse(f.read(need), rest, crc, out)
                bad += corrupt
                if pos == 0:
                    break  # the rest is still being written
                self.offset += pos
        self.skipped += bad
        return out, bad

    def _parse(
        self, data: bytes, rest: int, crc: Any, out: list[bytes]
    ) -> tuple[int, int, int | None]:
        """Appends the whole records of ``data`` (the first bytes of the ``rest`` left in the
        file) to ``out``; returns (bytes consumed, corrupt records, size of the incomplete
        record at the end when its header is sound)."""
        bad = 0
        pos = 0
        end = len(data)
        while end - pos >= HEADER:
            (length,) = struct.unpack_from("<Q", data, pos)
            if crc(data[pos : pos + 8]) != struct.unpack_from("<I", data, pos + 8)[0]:
                # a corrupt length: resume at the next offset a record can start at
                if not self.in_garbage:
                    bad += 1
                    self.in_garbage = True
                pos = self._resync(data, pos + 1, rest, crc)
                continue
            stop = pos + HEADER + length + FOOTER
            if stop > end:
                return pos, bad, HEADER + length + FOOTER  # half-written, or longer than a chunk
            body = data[pos + HEADER : stop - FOOTER]
            if crc(body) == struct.unpack_from("<I", data, stop - FOOTER)[0]:
                out.append(body)
            elif not self.in_garbage:
                bad += 1
            self.in_garbage = False
            pos = stop
        return pos, bad, None

    @staticmethod
    def _resync(data: bytes, start: int, rest: int, crc: Any) -> int:
        """The first offset >= start where a record with matching checksums begins, or whose
        length checksum matches but whose end is not in ``data`` yet; else the first offset
        past those that cannot hold a whole header."""
        end = len(data)
        for q in range(start, end - HEADER + 1):
            (length,) = struct.unpack_from("<Q", data, q)
            # cheap test first, failed by nearly every offset: the record must fit the file
            # (or a write in progress, up to a chunk past its end)
            if q + HEADER + length + FOOTER > rest + CHUNK:
                continue
            if crc(data[q : q + 8]) != struct.unpack_from("<I", data, q + 8)[0]:
                continue
            stop = q + HEADER + length + FOOTER
            if stop > end:
                return q
            if crc(data[q + HEADER : stop - FOOTER]) == struct.unpack_from("<I", data, stop - 4)[0]:
                return q
        return max(start, end - HEADER + 1)


# ------------------------------------------------------------------------------ values
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


_VALUE_FIELDS = (
    "half_val",
    "float_val",
    "double_val",
    "int_val",
    "string_val",
    "scomplex_val",
    "int64_val",
    "bool_val",
    "dcomplex_val",
    "uint32_val",
    "uint64_val",
)


def _tensor_size_problem(proto: Any) -> str | None:
    """Why ``proto`` cannot be turned into an array without trusting its declared size."""
    from tensorboard.compat.tensorflow_stub import dtypes

    dims = [d.size for d in proto.tensor_shape.dim]
    if any(d < 0 for d in dims):
        return f"a negative dimension in shape {dims}"
    count = math.prod(dims)
    try:
        itemsize = np.dtype(dtypes.as_dtype(proto.dtype).as_numpy_dtype).itemsize
    except (TypeError, AttributeError, KeyError, ValueError):
        return f"an unknown dtype {proto.dtype}"
    if proto.tensor_content:
        present = len(proto.tensor_content) // max(itemsize, 1)
        if present * itemsize != len(proto.tensor_content) or present != count:
            return (
                f"shape {dims} declares {count} elements but the record holds "
                f"{len(proto.tensor_content)} bytes"
            )
        return None
    present = max(len(getattr(proto, f)) for f in _VALUE_FIELDS)
    if present == count or (present <= 1 and count <= MAX_SPLAT):
        return None
    return f"shape {dims} declares {count} elements but the record holds {present}"


def _tensor_value(proto: Any, text: bool) -> Any:
    from tensorboard.util import tensor_util

    arr = tensor_util.make_ndarray(proto)
    if not text:
        return arr
    if arr.ndim == 0:
        item = arr.item()
        return item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
    return arr.astype(object).astype(str)


# ------------------------------------------------------------------------------ a log dir
@dataclass
class _RunState:
    file_version: float = 0.0
    most_recent_step: int = -(2**63)
    plugins: dict[str, str] = field(default_factory=dict)  # tag -> plugin of its first value
    graph: bytes | None = None
    meta_graph: bytes | None = None


class LogReader:
    """Reads the event files under ``logdir``; each ``read()`` returns only what is new.

    It remembers an offset per file: a ``read()`` after ``n`` new records costs O(n) whatever
    the files hold already. ``records_read`` counts the records parsed so far and ``skipped``
    the corrupt ones passed over.

    >>> import tempfile, teachflow as tf
    >>> logdir = tempfile.mkdtemp()
    >>> reader = LogReader(logdir)
    >>> with tf.Graph().as_default(), tf.Session() as sess, tf.summary.FileWriter(logdir) as w:
    ...     w.add_summary(sess.run(tf.summary.scalar("loss", 1.0)), 1)
    ...     _ = w.flush()
    ...     first = [r.step for r in reader.read()]
    ...     w.add_summary(sess.run(tf.summary.scalar("loss", 0.5)), 2)
    >>> first, [r.step for r in reader.read()], reader.read()
    ([1], [2], [])
    """

    def __init__(self, logdir: Any, run: str | None = None) -> None:
        self._source = logdir
        self._run = run
        self._files: dict[str, _EventFile] = {}
        self._runs: dict[str, _RunState] = {}
        self.records_read = 0
        self.skipped = 0
        self.purges: list[Purge] = []  # restarts seen by the last read()

    def read(self) -> list[Record]:
        """The values logged since the last call, in file order (runs sorted by name).

        A run that restarted (``SessionLog.START`` at step s) loses its values at step >= s
        read before, as in TensorBoard: this call's records come without them, and
        ``purges`` lists the restarts to apply to what earlier calls returned
        (:func:`apply_purges`).
        """
        root = _logdir_of(self._source)
        self.purges = []
        out: list[Record] = []
        if not os.path.isdir(root):
            return out
        found = _event_files(root)
        names = sorted(found) if self._run is None else [os.path.normpath(self._run)]
        for name in names:
            state = self._runs.setdefault(name, _RunState())
            for path in found.get(name, []):
                file = self._files.setdefault(path, _EventFile(path))
                bodies, bad = file.read_new()
                self.records_read += len(bodies)
                self.skipped += bad
                problems: list[str] = []
                if bad:
                    problems.append(f"{bad} corrupt record(s) (checksum mismatch)")
                for body in bodies:
                    self._event(name, state, body, out, problems)
                if problems:
                    warnings.warn(
                        f"{path}: skipped " + "; ".join(problems) + ". The records after "
                        "them were read.",
                        CorruptRecordWarning,
                        stacklevel=2,
                    )
        return out

    def graph_def(self, run: str = ".") -> Any:
        """The GraphDef stored for ``run`` by what was read so far (None if none)."""
        from tensorboard.compat.proto import graph_pb2, meta_graph_pb2

        state = self._runs.get(os.path.normpath(run))
        if state is None:
            return None
        if state.graph is not None:
            return graph_pb2.GraphDef.FromString(state.graph)
        if state.meta_graph is not None:
            meta = meta_graph_pb2.MetaGraphDef.FromString(state.meta_graph)
            return meta.graph_def if meta.HasField("graph_def") else None
        return None

    def _event(
        self, run: str, state: _RunState, body: bytes, out: list[Record], problems: list[str]
    ) -> None:
        from google.protobuf.message import DecodeError
        from tensorboard.compat.proto import event_pb2

        try:
            event = event_pb2.Event.FromString(body)
        except (DecodeError, RuntimeError, ValueError):
            problems.append(f"a {len(body)}-byte record that is not an Event")
            return
        what = event.WhichOneof("what")
        if what == "file_version":
            try:
                state.file_version = float(event.file_version.split(":")[-1])
            except ValueError:
                state.file_version = 0.0
            return
        restart = self._maybe_purge(state, event, what)
        if restart is not None:
            purge = Purge(run, *restart)
            self.purges.append(purge)
            out[:] = apply_purges(out, [purge])
        if what == "graph_def":
            state.graph = event.graph_def
        elif what == "meta_graph_def":
            state.meta_graph = event.meta_graph_def
        elif what == "summary":
            for value in event.summary.value:
                try:
                    record = self._value(run, state, event, value, len(body))
                except Exception as err:  # one bad value never loses the log
                    first = str(err).splitlines()[0] if str(err) else type(err).__name__
                    problems.append(f"value {value.tag!r} at step {event.step} ({first})")
                    continue
                if record is not None:
                    out.append(record)

    @staticmethod
    def _maybe_purge(
        state: _RunState, event: Any, what: str | None
    ) -> tuple[int, frozenset[str] | None] | None:
        """TensorBoard's rule for files of version 2 (a START) and older (a step going back)."""
        from tensorboard.compat.proto import event_pb2

        if state.file_version >= 2:
            if what == "session_log" and event.session_log.status == event_pb2.SessionLog.START:
                return int(event.step), None
        elif event.step < state.most_recent_step and what == "summary":
            return int(event.step), frozenset(v.tag for v in event.summary.value)
        else:
            state.most_recent_step = event.step
        return None

    def _value(
        self, run: str, state: _RunState, event: Any, value: Any, size: int
    ) -> Record | None:
        kind = value.WhichOneof("value")
        if value.HasField("metadata") and value.metadata.plugin_data.plugin_name:
            state.plugins.setdefault(value.tag, value.metadata.plugin_data.plugin_name)
        step, when = int(event.step), float(event.wall_time)
        if kind == "simple_value":
            return Record(run, value.tag, step, when, "scalar", float(value.simple_value))
        if kind == "histo":
            return Record(run, value.tag, step, when, "histogram", _histogram(value.histo))
        if kind == "image":
            return Record(run, value.tag, step, when, "image", value.image.encoded_image_string)
        if kind == "tensor":
            problem = _tensor_size_problem(value.tensor)
            if problem is not None:
                raise ValueError(f"{problem}; a {size}-byte record")
            plugin = state.plugins.get(value.tag, "")
            if plugin == "text":
                return Record(run, value.tag, step, when, "text", _tensor_value(value.tensor, True))
            array = _tensor_value(value.tensor, False)
            if plugin == "scalars" and array.ndim == 0:
                return Record(run, value.tag, step, when, "scalar", float(array))
            return Record(run, value.tag, step, when, "tensor", array)
        return None  # audio and empty values: nothing teachflow draws


def apply_purges(records: list[Record], purges: list[Purge]) -> list[Record]:
    """``records`` without those a later restart made out of date (see :class:`Purge`)."""
    for p in purges:
        records = [r for r in records if not (r.step >= p.step and p.covers(r.run, r.tag))]
    return records


def read_events(logdir: Any, run: str | None = None) -> list[Record]:
    """Every scalar, histogram, image and text summary under ``logdir``, oldest first.

    Args:
      logdir: a directory (or a FileWriter, which is flushed first).
      run: only this run (``"."`` is ``logdir`` itself); default all runs.
    """
    out = LogReader(logdir, run).read()
    out.sort(key=lambda r: (r.run, r.wall_time, r.step, r.tag))
    return out


def read_graph(logdir: Any, run: str = ".") -> Any:
    """The GraphDef a FileWriter stored for ``run`` (None if it stored none)."""
    reader = LogReader(logdir, run)
    reader.read()
    return reader.graph_def(run)
