"""``tf.summary.FileWriter`` (0.x: ``tf.train.SummaryWriter``): summaries and graphs to disk.

The file is ``logdir/events.out.tfevents.<seconds>.<hostname><suffix>``, a sequence of
``Event`` protobufs framed and checksummed by the ``tensorboard`` package's own record writer,
so ``tensorboard --logdir=logdir`` shows it. Events are queued and written out when the queue
holds ``max_queue`` of them, every ``flush_secs`` seconds, on ``flush()`` and on ``close()``.

>>> import tempfile, teachflow as tf
>>> logdir = tempfile.mkdtemp()
>>> with tf.Graph().as_default() as g:
...     loss = tf.summary.scalar("loss", tf.constant(0.5))
...     with tf.Session() as sess, tf.summary.FileWriter(logdir, g) as writer:
...         writer.add_summary(sess.run(loss), global_step=1)
>>> [r.value for r in tf.summary.read_events(logdir) if r.kind == "scalar"]
[0.5]
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
import time
import warnings
import weakref
from typing import Any

from teachflow import paths
from teachflow.graph import Graph, get_default_graph


def _flush_periodically(ref: weakref.ref[FileWriter], stop: threading.Event, secs: float) -> None:
    while not stop.wait(secs):
        writer = ref()
        if writer is None:
            return
        try:
            writer.flush()
        except (OSError, ValueError):  # the file went away: stop quietly
            return
        del writer


# writers not yet closed: flushed when the interpreter exits, so a forgotten close() loses nothing
_OPEN: weakref.WeakSet[FileWriter] = weakref.WeakSet()


@atexit.register
def _flush_open_writers() -> None:
    for writer in list(_OPEN):
        try:
            writer.flush()
        except (OSError, ValueError):
            pass


def _event_pb2() -> Any:
    from tensorboard.compat.proto import event_pb2

    return event_pb2


class FileWriter:
    """Writes summaries, the graph and session logs to an event file in ``logdir``.

    Args:
      logdir: the directory (created if missing); TensorBoard's ``--logdir``.
      graph: a Graph (or GraphDef) to show in TensorBoard's Graphs tab.
      max_queue: events kept in memory before they are written out.
      flush_secs: how often queued events reach the disk.
      graph_def: 0.x form of ``graph`` (a GraphDef).
      filename_suffix: appended to the event file's name.

    >>> import tempfile, teachflow as tf
    >>> w = tf.summary.FileWriter(tempfile.mkdtemp())
    >>> os.path.basename(w.event_file).startswith("events.out.tfevents.")
    True
    >>> w.close()
    """

    def __init__(
        self,
        logdir: str | bytes | os.PathLike[Any],
        graph: Any = None,
        max_queue: int = 10,
        flush_secs: float = 120,
        graph_def: Any = None,
        filename_suffix: str | None = None,
        session: Any = None,
    ) -> None:
        if session is not None:
            raise NotImplementedError(
                "teachflow's FileWriter does not take session= (TensorFlow's summary-op writer). "
                "Hint: call writer.add_summary(sess.run(summary_op), step)."
            )
        self._logdir = paths.as_path(logdir, "logdir")
        self._max_queue = max(1, int(max_queue))
        self._flush_secs = float(flush_secs)
        self._suffix = filename_suffix or ""
        self._lock = threading.RLock()
        self._pending: list[bytes] = []
        self._seen_tags: set[str] = set()
        self._run_metadata_tags: set[str] = set()
        self._warned_closed = False
        self._closed = True
        self._open()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)
            pb = _event_pb2()
            from tensorboard.compat.proto import meta_graph_pb2

            meta = meta_graph_pb2.MetaGraphDef()
            meta.graph_def.CopyFrom(self._graph_def_of(graph, graph_def))
            self._add_event(pb.Event(meta_graph_def=meta.SerializeToString()))

    # -- the file ---------------------------------------------------------------------------
    def _open(self) -> None:
        from tensorboard.summary.writer.record_writer import RecordWriter

        host = socket.gethostname()
        secs = int(time.time())
        try:
            if self._logdir:  # "" is the current directory, as in TensorFlow
                os.makedirs(self._logdir, exist_ok=True)
            # NOTE: two writers opened in one second in one directory would get the same name
            # (and TensorFlow's second writer truncates the first file); take the next free one.
            while os.path.exists(self._path_for(secs, host)):
                secs += 1
            self._path = self._path_for(secs, host)
            self._file = open(self._path, "wb")  # noqa: SIM115 - closed by close()
        except OSError as e:
            raise paths.os_error(e, self._logdir) from None
        self._records = RecordWriter(self._file)
        self._closed = False
        self._stop = threading.Event()
        pb = _event_pb2()
        self._add_event(pb.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()
        # the thread holds the writer weakly, so an unclosed writer can still be collected
        self._flusher = threading.Thread(
            target=_flush_periodically,
            args=(weakref.ref(self), self._stop, self._flush_secs),
            name="teachflow-FileWriter",
            daemon=True,
        )
        self._flusher.start()
        _OPEN.add(self)

    def _path_for(self, secs: int, host: str) -> str:
        return os.path.join(self._logdir, f"events.out.tfevents.{secs:010d}.{host}{self._suffix}")

    @property
    def event_file(self) -> str:
        """The path of the event file being written."""
        return self._path

    def get_logdir(self) -> str:
        """The directory the event file is in."""
        return self._logdir

    # -- events -----------------------------------------------------------------------------
    def add_event(self, event: Any) -> None:
        """Queues an ``Event`` protobuf."""
        if not (hasattr(event, "wall_time") and hasattr(event, "SerializeToString")):
            raise TypeError(
                f"add_event needs an Event protobuf, got {type(event).__name__}.\n  Hint: for "
                "the result of a summary op use writer.add_summary(summary, step)."
            )
        self._add_event(event)

    def _add_event(self, event: Any) -> None:
        with self._lock:
            if self._closed:
                if not self._warned_closed:
                    warnings.warn(
                        "This FileWriter is closed: events are dropped (as in TensorFlow). "
                        "Call writer.reopen() to write to a new event file.",
                        stacklevel=3,
                    )
                    self._warned_closed = True
                return
            if not event.wall_time:
                event.wall_time = time.time()
            self._pending.append(event.SerializeToString())
            if len(self._pending) >= self._max_queue:
                self._write_pending()

    def _write_pending(self) -> None:
        for data in self._pending:
            self._records.write(data)
        self._pending.clear()

    def _event(self, global_step: Any, **fields: Any) -> Any:
        event = _event_pb2().Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        return event

    def add_summary(self, summary: Any, global_step: Any = None) -> None:
        """Adds a summary (bytes from running a summary op, or a ``Summary`` proto) at a step.

        >>> import tempfile, teachflow as tf
        >>> with tf.Graph().as_default(), tf.Session() as sess:
        ...     w = tf.summary.FileWriter(tempfile.mkdtemp())
        ...     w.add_summary(sess.run(tf.summary.scalar("x", 3.0)), global_step=7)
        ...     w.close()
        """
        from tensorboard.compat.proto import summary_pb2

        if isinstance(summary, (bytes, bytearray)):
            try:
                summ = summary_pb2.Summary.FromString(bytes(summary))
            except Exception as e:  # noqa: BLE001 - protobuf's DecodeError
                raise ValueError(
                    f"add_summary got bytes that are not a serialized Summary ({e}).\n  Hint: "
                    "pass what sess.run(summary_op) returned, unchanged."
                ) from None
        elif hasattr(summary, "SerializeToString") and hasattr(summary, "value"):
            summ = summary_pb2.Summary.FromString(summary.SerializeToString())
        elif summary is None:
            raise TypeError(
                "add_summary got None. Hint: tf.summary.merge_all() returns None when the graph "
                "has no summaries: create some (tf.summary.scalar(...)) before merging."
            )
        else:
            raise TypeError(
                f"add_summary expects the bytes of a summary (sess.run(summary_op)) or a Summary "
                f"proto, got {type(summary).__name__}. Hint: run the summary op first."
            )
        # as TensorFlow: plugin metadata is stored only with the first value of each tag
        for value in summ.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_tags:
                value.ClearField("metadata")
            else:
                self._seen_tags.add(value.tag)
        self._add_event(self._event(global_step, summary=summ))

    def _graph_def_of(self, graph: Any, graph_def: Any) -> Any:
        from tensorboard.compat.proto import graph_pb2

        from teachflow.graph_def import graph_to_graph_def

        source = graph if graph is not None else graph_def
        if isinstance(source, Graph):
            return graph_to_graph_def(source, add_shapes=True)
        if hasattr(source, "SerializeToString") and hasattr(source, "node"):
            return graph_pb2.GraphDef.FromString(source.SerializeToString())
        raise TypeError(
            f"graph must be a tf.Graph or a GraphDef, got {type(source).__name__}. "
            "Hint: pass sess.graph."
        )

    def add_graph(self, graph: Any, global_step: Any = None, graph_def: Any = None) -> None:
        """Adds the graph (with its static shapes) for TensorBoard's Graphs tab."""
        if graph is None and graph_def is None:
            raise ValueError("You must pass either a graph or a graph_def to add_graph().")
        gd = self._graph_def_of(graph, graph_def)
        self._add_event(self._event(global_step, graph_def=gd.SerializeToString()))

    def add_meta_graph(self, meta_graph_def: Any, global_step: Any = None) -> None:
        """Adds a ``MetaGraphDef`` protobuf."""
        if not hasattr(meta_graph_def, "SerializeToString"):
            raise TypeError(f"meta_graph_def must be a MetaGraphDef, got {type(meta_graph_def)}")
        data = meta_graph_def.SerializeToString()
        self._add_event(self._event(global_step, meta_graph_def=data))

    def add_session_log(self, session_log: Any, global_step: Any = None) -> None:
        """Adds a ``SessionLog`` (e.g. ``SessionLog(status=SessionLog.START)`` after a restart)."""
        pb = _event_pb2()
        if not hasattr(session_log, "SerializeToString"):
            raise TypeError(
                f"session_log must be a SessionLog protobuf, got {type(session_log).__name__}.\n"
                "  Hint: pass e.g. tf.summary.SessionLog(status=tf.summary.SessionLog.START)."
            )
        log = pb.SessionLog.FromString(session_log.SerializeToString())
        self._add_event(self._event(global_step, session_log=log))

    def add_run_metadata(self, run_metadata: Any, tag: str, global_step: Any = None) -> None:
        """Adds a traced run's ``tf.RunMetadata`` under ``tag``: TensorBoard's graph then shows
        each op's compute time and memory (``sess.run(..., options=tf.RunOptions(trace_level=
        tf.RunOptions.FULL_TRACE), run_metadata=meta)`` fills it)."""
        if tag in self._run_metadata_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._run_metadata_tags.add(tag)
        data = (
            run_metadata.SerializeToString() if hasattr(run_metadata, "SerializeToString") else b""
        )
        tagged = _event_pb2().TaggedRunMetadata(tag=tag, run_metadata=data)
        self._add_event(self._event(global_step, tagged_run_metadata=tagged))

    # -- lifetime ---------------------------------------------------------------------------
    def flush(self) -> None:
        """Writes every queued event to the file (readable by TensorBoard from now on)."""
        with self._lock:
            if self._closed:
                return
            self._write_pending()
            self._records.flush()

    def close(self) -> None:
        """Flushes and closes the file; later events are dropped until :meth:`reopen`."""
        self._close(join=True)

    def _close(self, join: bool) -> None:
        with self._lock:
            if self._closed:
                return
            self.flush()
            self._closed = True
            self._stop.set()
            self._records.close()
            _OPEN.discard(self)
        if join and self._flusher is not threading.current_thread():
            self._flusher.join()

    def reopen(self) -> None:
        """After :meth:`close`, starts a new event file in the same logdir."""
        with self._lock:
            if self._closed:
                self._warned_closed = False
                self._open()

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            # no join: at interpreter exit the flusher thread may already be frozen
            self._close(join=False)
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<FileWriter {self._path!r} ({state})>"


class FileWriterCache:
    """One FileWriter per logdir, shared (``tf.summary.FileWriterCache``)."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir: str | bytes | os.PathLike[Any]) -> FileWriter:
        """The cached writer for ``logdir`` (made with the default graph the first time)."""
        key = paths.as_path(logdir, "logdir")
        with FileWriterCache._lock:
            if key not in FileWriterCache._cache:
                FileWriterCache._cache[key] = FileWriter(key, graph=get_default_graph())
            return FileWriterCache._cache[key]

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for w in FileWriterCache._cache.values():
                w.close()
            FileWriterCache._cache.clear()
