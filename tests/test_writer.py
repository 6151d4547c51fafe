"""FileWriter: event files that TensorBoard's own reader (EventAccumulator) reads back."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
from tensorboard.compat.proto import event_pb2, graph_pb2, summary_pb2

import teachflow as tf

KEEP_ALL = {ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.IMAGES: 0, ea.TENSORS: 0}


pytestmark = pytest.mark.usefixtures("fresh_graph")


def event_files(logdir: Path) -> list[Path]:
    return sorted(logdir.glob("events.out.tfevents.*"))


def events(path: Path) -> list[event_pb2.Event]:
    return list(LegacyEventFileLoader(str(path)).Load())


def accumulator(logdir: Path) -> ea.EventAccumulator:
    acc = ea.EventAccumulator(str(logdir), size_guidance=KEEP_ALL)
    acc.Reload()
    return acc


def build_model() -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """x -> layer1/y = x @ weights -> loss = mean(y), with one summary of each kind."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer1"):
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="weights")
        y = tf.matmul(x, w, name="y")
    loss = tf.reduce_mean(y, name="mean")
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("weights", w)
    tf.summary.image("input", tf.reshape(x, [-1, 1, 3, 1]), max_outputs=2)
    tf.summary.text("note", tf.constant("step **done**"))
    return x, loss, tf.summary.merge_all()


def test_file_name_and_first_record(tmp_path: Path) -> None:
    w = tf.summary.FileWriter(tmp_path / "run", filename_suffix=".v1")
    w.close()
    (path,) = event_files(tmp_path / "run")
    host = re.escape(socket.gethostname())
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{host}\.v1", path.name)
    assert w.event_file == str(path) and w.get_logdir() == str(tmp_path / "run")
    first = events(path)[0]
    assert first.file_version == "brain.Event:2" and first.wall_time > 0


def test_everything_reads_back_with_event_accumulator(tmp_path: Path) -> None:
    x, loss, merged = build_model()
    data = np.array([[0.0, 0.5, 1.0], [-1.0, 0.0, 1.0]], np.float32)
    with tf.Session() as sess, tf.summary.FileWriter(tmp_path, sess.graph) as writer:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2, 5):
            writer.add_summary(sess.run(merged, {x: data * step}), global_step=step)
        expected_loss = sess.run(loss, {x: data})

    acc = accumulator(tmp_path)
    tags = acc.Tags()
    assert tags["scalars"] == ["loss"] and tags["histograms"] == ["weights"]
    assert sorted(tags["images"]) == ["input/image/0", "input/image/1"]
    assert tags["tensors"] == ["note"] and tags["graph"]

    scalars = acc.Scalars("loss")
    assert [e.step for e in scalars] == [1, 2, 5]
    assert scalars[0].value == pytest.approx(float(expected_loss))
    assert scalars[1].value == pytest.approx(2 * float(expected_loss))

    histo = acc.Histograms("weights")[-1].histogram_value
    weights = np.arange(6, dtype=np.float64)
    assert (histo.min, histo.max, histo.num) == (0.0, 5.0, 6.0)
    assert (histo.sum, histo.sum_squares) == (weights.sum(), (weights**2).sum())

    image = acc.Images("input/image/1")[0]
    assert (image.width, image.height) == (3, 1)
    pixels = np.array(Image.open(io.BytesIO(image.encoded_image_string)))
    assert pixels.reshape(-1).tolist() == [1, 128, 255]  # 128 + 127 * [-1, 0, 1]

    text = acc.Tensors("note")[0].tensor_proto
    assert list(text.string_val) == [b"step **done**"]
    assert acc.SummaryMetadata("note").plugin_data.plugin_name == "text"

    graph = acc.Graph()
    names = {n.name for n in graph.node}
    assert {"x", "layer1/weights", "layer1/weights/read", "layer1/y", "mean", "loss"} <= names
    y = next(n for n in graph.node if n.name == "layer1/y")
    assert y.op == "MatMul" and list(y.input) == ["x", "layer1/weights/read"]
    shape = y.attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [-1, 2]


def test_event_order_graph_then_meta_graph_then_summaries(tmp_path: Path) -> None:
    c = tf.constant(1.0, name="c")
    s = tf.summary.scalar("c", c)
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(tmp_path, sess.graph)
        writer.add_summary(sess.run(s), 3)
        writer.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 4)
        writer.close()
    evs = events(event_files(tmp_path)[0])
    kinds = [e.WhichOneof("what") for e in evs]
    assert kinds == ["file_version", "graph_def", "meta_graph_def", "summary", "session_log"]
    gd = graph_pb2.GraphDef.FromString(evs[1].graph_def)
    assert [n.name for n in gd.node] == ["c", "c_1/tags", "c_1"]
    assert evs[3].step == 3 and evs[3].summary.value[0].simple_value == 1.0
    assert evs[4].step == 4 and evs[4].session_log.status == event_pb2.SessionLog.START


def test_add_summary_accepts_bytes_and_protos_only(tmp_path: Path) -> None:
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="p", simple_value=2.5)])
    with tf.summary.FileWriter(tmp_path) as writer:
        writer.add_summary(proto, 1)
        writer.add_summary(proto.SerializeToString(), 2)
        with pytest.raises(TypeError, match="merge_all\\(\\) returns None"):
            writer.add_summary(None, 3)
        with pytest.raises(TypeError, match="bytes of a summary"):
            writer.add_summary(2.5, 3)
    assert [(e.step, e.value) for e in accumulator(tmp_path).Scalars("p")] == [(1, 2.5), (2, 2.5)]


def test_plugin_metadata_kept_on_first_value_only(tmp_path: Path) -> None:
    t = tf.summary.text("t", tf.constant("x"))
    with tf.Session() as sess, tf.summary.FileWriter(tmp_path) as writer:
        for step in range(2):
            writer.add_summary(sess.run(t), step)
    summaries = [e.summary for e in events(event_files(tmp_path)[0]) if e.HasField("summary")]
    assert [v.value[0].HasField("metadata") for v in summaries] == [True, False]


def test_flush_makes_records_readable_without_close(tmp_path: Path) -> None:
    writer = tf.summary.FileWriter(tmp_path, max_queue=100, flush_secs=3600)
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=1.0)])
    for step in range(5):
        writer.add_summary(proto, step)
    before = [e for e in events(event_files(tmp_path)[0]) if e.HasField("summary")]
    assert before == []  # queued, not yet written
    writer.flush()
    after = [e.step for e in events(event_files(tmp_path)[0]) if e.HasField("summary")]
    assert after == [0, 1, 2, 3, 4]
    writer.close()


def test_full_queue_is_written_out(tmp_path: Path) -> None:
    writer = tf.summary.FileWriter(tmp_path, max_queue=3, flush_secs=3600)
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=1.0)])
    for step in range(3):
        writer.add_summary(proto, step)
    writer._file.flush()  # only the OS buffer: the queue itself was emptied when full
    written = [e.step for e in events(event_files(tmp_path)[0]) if e.HasField("summary")]
    assert written == [0, 1, 2]
    writer.close()


def test_flush_secs_flushes_in_the_background(tmp_path: Path) -> None:
    writer = tf.summary.FileWriter(tmp_path, flush_secs=0.05)
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=1.0)])
    writer.add_summary(proto, 7)
    deadline = time.monotonic() + 30
    steps: list[int] = []
    while time.monotonic() < deadline and not steps:
        steps = [e.step for e in events(event_files(tmp_path)[0]) if e.HasField("summary")]
        time.sleep(0.05)
    assert steps == [7]
    writer.close()


def test_crash_after_flush_keeps_flushed_records(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, signal
        import teachflow as tf
        x = tf.placeholder(tf.float32)
        s = tf.summary.scalar("loss", x)
        sess = tf.Session()
        writer = tf.summary.FileWriter({str(tmp_path)!r}, sess.graph, flush_secs=3600)
        for step in range(20):
            writer.add_summary(sess.run(s, {{x: step / 2}}), step)
        writer.flush()
        for step in range(20, 25):  # queued, never flushed
            writer.add_summary(sess.run(s, {{x: step / 2}}), step)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).parent.parent, timeout=120
    )
    assert proc.returncode == -9
    records = tf.summary.read_events(tmp_path)
    assert [(r.step, r.value) for r in records][:20] == [(s, s / 2) for s in range(20)]
    assert tf.summary.read_graph(tmp_path) is not None


def test_truncated_last_record_is_skipped(tmp_path: Path) -> None:
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=1.0)])
    with tf.summary.FileWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_summary(proto, step)
    path = event_files(tmp_path)[0]
    whole = path.read_bytes()
    with tf.summary.FileWriter(tmp_path / "other") as writer:
        writer.add_summary(proto, 3)
    extra = event_files(tmp_path / "other")[0].read_bytes()
    path.write_bytes(whole + extra[: len(extra) - 5])  # the last record lost its tail
    records = tf.summary.read_events(tmp_path, run=".")
    assert [r.step for r in records] == [0, 1, 2]


def test_reopen_close_and_writing_after_close(tmp_path: Path) -> None:
    writer = tf.summary.FileWriter(tmp_path)
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=1.0)])
    writer.add_summary(proto, 1)
    writer.close()
    writer.close()  # twice is fine
    with pytest.warns(UserWarning, match="reopen"):
        writer.add_summary(proto, 2)
    writer.reopen()
    writer.add_summary(proto, 3)
    writer.close()
    files = event_files(tmp_path)
    assert len(files) == 2
    steps = [[e.step for e in events(f) if e.HasField("summary")] for f in files]
    assert steps == [[1], [3]]
    assert [r.step for r in tf.summary.read_events(tmp_path)] == [1, 3]


def test_two_writers_in_one_directory_keep_their_files(tmp_path: Path) -> None:
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=1.0)])
    with tf.summary.FileWriter(tmp_path) as a, tf.summary.FileWriter(tmp_path) as b:
        a.add_summary(proto, 1)
        b.add_summary(proto, 2)
    assert len(event_files(tmp_path)) == 2
    assert sorted(r.step for r in tf.summary.read_events(tmp_path)) == [1, 2]


def test_read_events_runs_and_kinds(tmp_path: Path) -> None:
    x, _, merged = build_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for run in ("train", "test"):
            with tf.summary.FileWriter(tmp_path / run) as writer:
                writer.add_summary(sess.run(merged, {x: np.ones((2, 3))}), 0)
    assert tf.summary.runs(tmp_path) == ["test", "train"]
    records = tf.summary.read_events(tmp_path)
    assert {r.run for r in records} == {"train", "test"}
    by_kind = {r.kind: r for r in records if r.run == "train"}
    assert set(by_kind) == {"scalar", "histogram", "image", "text"}
    assert by_kind["histogram"].value["num"] == 6.0
    assert by_kind["image"].value.startswith(b"\x89PNG")
    assert by_kind["text"].value == "step **done**"
    assert isinstance(by_kind["scalar"].value, float)


def test_read_events_from_a_writer(tmp_path: Path) -> None:
    writer = tf.summary.FileWriter(tmp_path, flush_secs=3600)
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="v", simple_value=4.0)])
    writer.add_summary(proto, 9)
    (record,) = tf.summary.read_events(writer)  # the writer is flushed first
    assert (record.tag, record.step, record.value) == ("v", 9, 4.0)
    writer.close()


def test_add_graph_with_graph_def_and_errors(tmp_path: Path) -> None:
    tf.constant(1, name="one")
    with tf.summary.FileWriter(tmp_path) as writer:
        writer.add_graph(None, graph_def=tf.get_default_graph().as_graph_def(), global_step=2)
        with pytest.raises(ValueError, match="graph or a graph_def"):
            writer.add_graph(None)
        with pytest.raises(TypeError, match="tf.Graph or a GraphDef"):
            writer.add_graph("graph")
    assert [n.name for n in accumulator(tmp_path).Graph().node] == ["one"]


def test_summary_writer_0x_name_and_run_metadata(tmp_path: Path) -> None:
    assert tf.train.SummaryWriter is tf.summary.FileWriter
    with tf.train.SummaryWriter(tmp_path, tf.get_default_graph()) as writer:
        writer.add_run_metadata(None, "step1", 1)
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(None, "step1", 2)
    assert accumulator(tmp_path).Tags()["run_metadata"] == ["step1"]


def test_file_writer_cache(tmp_path: Path) -> None:
    a = tf.summary.FileWriterCache.get(tmp_path)
    assert tf.summary.FileWriterCache.get(str(tmp_path)) is a
    tf.summary.FileWriterCache.clear()
    assert tf.summary.FileWriterCache.get(tmp_path) is not a
    tf.summary.FileWriterCache.clear()


def test_paths_may_be_bytes_or_pathlike(tmp_path: Path) -> None:
    with tf.Session() as sess:
        summary = sess.run(tf.summary.scalar("a", 1.0))
    for i, logdir in enumerate([bytes(tmp_path / "b"), tmp_path / "p"]):
        with tf.summary.FileWriter(logdir) as writer:
            writer.add_summary(summary, i)
        assert isinstance(writer.get_logdir(), str)
        assert [r.step for r in tf.summary.read_events(logdir)] == [i]
        assert tf.summary.runs(logdir) == ["."]


def test_a_file_where_the_logdir_should_be(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    for logdir in (blocker, blocker / "run1"):
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            tf.summary.FileWriter(logdir)
        assert str(info.value).splitlines()[0] == f"{blocker} is not a directory"
        assert "Hint:" in str(info.value)
    assert blocker.read_text() == "not a folder"
    with pytest.raises(TypeError, match="logdir must be a path"):
        tf.summary.FileWriter(None)


def test_wrong_events_and_logs_are_type_errors(tmp_path: Path) -> None:
    with tf.summary.FileWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match="not a serialized Summary"):
            writer.add_summary(b"not a summary")
        with pytest.raises(TypeError, match="Event protobuf"):
            writer.add_event("an event")
        with pytest.raises(TypeError, match="SessionLog protobuf"):
            writer.add_session_log(3)
        writer.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 1)
    assert any(e.HasField("session_log") for e in events(event_files(tmp_path)[0]))


def test_unsupported_summary_names_explain() -> None:
    with pytest.raises(NotImplementedError, match="tf.summary.audio"):
        tf.summary.audio  # noqa: B018
    assert os.path.basename(tf.summary.Event.DESCRIPTOR.file.name) == "event.proto"


def test_writer_never_closed_is_flushed_at_exit(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import teachflow as tf
        writer = tf.summary.FileWriter({str(tmp_path)!r}, flush_secs=3600)
        with tf.Session() as sess:
            writer.add_summary(sess.run(tf.summary.scalar("a", 1.0)), 3)
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent, check=True)
    assert [(r.tag, r.step) for r in tf.summary.read_events(tmp_path)] == [("a", 3)]
