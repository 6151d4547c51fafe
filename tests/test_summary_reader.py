"""Reading event files: incrementally, through corruption, TensorFlow's own records, size bombs."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

import teachflow as tf
from teachflow.summary import reader as reader_module
from teachflow.summary.reader import CorruptRecordWarning, LogReader, Purge, read_events


def scalar_event(step: int, value: float, tag: str = "loss") -> event_pb2.Event:
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
    return event_pb2.Event(step=step, wall_time=1000.0 + step, summary=summary)


def write_records(path: Path, payloads: list[bytes], mode: str = "ab") -> None:
    with open(path, mode) as f:
        writer = RecordWriter(f)
        for p in payloads:
            writer.write(p)


def event_file(logdir: Path) -> Path:
    logdir.mkdir(parents=True, exist_ok=True)
    path = logdir / "events.out.tfevents.1.test"
    version = event_pb2.Event(wall_time=999.0, file_version="brain.Event:2")
    write_records(path, [version.SerializeToString()], "wb")
    return path


def record_offsets(path: Path) -> list[int]:
    data, pos, out = path.read_bytes(), 0, []
    while pos < len(data):
        out.append(pos)
        (length,) = struct.unpack_from("<Q", data, pos)
        pos += 12 + length + 4
    return out


# ------------------------------------------------------------------------ incremental


def test_a_refresh_reads_only_the_new_records(tmp_path: Path) -> None:
    path = event_file(tmp_path)
    reader = LogReader(tmp_path)
    assert reader.read() == [] and reader.records_read == 1  # the file_version record
    cost = []
    for batch in range(5):
        before = reader.records_read
        steps = range(batch * 1000, batch * 1000 + 1000)
        write_records(path, [scalar_event(s, s / 10).SerializeToString() for s in steps])
        got = reader.read()
        cost.append(reader.records_read - before)
        assert [r.step for r in got] == list(steps)
    assert cost == [1000] * 5
    before = reader.records_read
    write_records(path, [scalar_event(5000, 1.0).SerializeToString()])
    assert [r.step for r in reader.read()] == [5000]
    assert reader.records_read - before == 1  # not 5002: the file's 5,000 old records stay unread
    assert reader.read() == [] and reader.records_read - before == 1


def test_a_half_written_record_waits_for_its_end(tmp_path: Path, chunk: None) -> None:
    path = event_file(tmp_path)
    reader = LogReader(tmp_path)
    whole = tmp_path / "whole"
    write_records(whole, [scalar_event(1, 1.0).SerializeToString()], "wb")
    data = whole.read_bytes()
    with open(path, "ab") as f:
        f.write(data[:10])  # not even a whole header yet
    assert reader.read() == []
    with open(path, "ab") as f:
        f.write(data[10:-3])
    assert reader.read() == []
    with open(path, "ab") as f:
        f.write(data[-3:])
    assert [(r.step, r.value) for r in reader.read()] == [(1, 1.0)]
    assert reader.skipped == 0


def test_new_runs_and_files_are_found_on_the_next_read(tmp_path: Path) -> None:
    reader = LogReader(tmp_path)
    with tf.Graph().as_default(), tf.Session() as sess:
        summary = sess.run(tf.summary.scalar("acc", 0.5))
        with tf.summary.FileWriter(tmp_path / "train") as w:
            w.add_summary(summary, 1)
        assert [(r.run, r.step) for r in reader.read()] == [("train", 1)]
        with tf.summary.FileWriter(tmp_path / "test") as w:
            w.add_summary(summary, 2)
    assert [(r.run, r.step) for r in reader.read()] == [("test", 2)]


def test_a_restart_purges_later_steps_as_tensorboard_does(tmp_path: Path) -> None:
    reader = LogReader(tmp_path)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32)
        s = tf.summary.scalar("loss", x)
        with tf.summary.FileWriter(tmp_path) as w:
            for step in range(5):
                w.add_summary(sess.run(s, {x: step}), step)
            w.flush()
            assert len(reader.read()) == 5
            w.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 3)
            w.add_summary(sess.run(s, {x: 30.0}), 3)
    new = reader.read()
    assert [(r.step, r.value) for r in new] == [(3, 30.0)]
    assert reader.purges == [Purge(".", 3, None)]
    assert [(r.step, r.value) for r in read_events(tmp_path)] == [
        (0, 0.0),
        (1, 1.0),
        (2, 2.0),
        (3, 30.0),
    ]


# ------------------------------------------------------------------------ corruption


@pytest.mark.parametrize("where", ["length", "length crc", "data", "data crc"])
def test_one_flipped_byte_skips_one_record_and_keeps_the_rest(
    tmp_path: Path, where: str, chunk: None
) -> None:
    path = event_file(tmp_path)
    write_records(path, [scalar_event(s, float(s)).SerializeToString() for s in range(20)])
    start = record_offsets(path)[1 + 7]  # the record of step 7
    offset = {"length": 1, "length crc": 9, "data": 20, "data crc": -1}[where]
    if where == "data crc":
        offset = record_offsets(path)[1 + 8] - start - 2
    data = bytearray(path.read_bytes())
    data[start + offset] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.warns(CorruptRecordWarning, match=r"skipped 1 corrupt record") as caught:
        records = read_events(tmp_path)
    assert str(path) in str(caught[0].message)
    assert [r.step for r in records] == [s for s in range(20) if s != 7]


@pytest.fixture(params=["16 MiB chunks", "64-byte chunks"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads in the default chunks, and in chunks smaller than a record (every record, and
    every stretch of garbage, then crosses a chunk's end)."""
    if request.param == "64-byte chunks":
        monkeypatch.setattr(reader_module, "CHUNK", 64)


def test_chunks_smaller_than_records_read_the_same(tmp_path: Path, chunk: None) -> None:
    path = event_file(tmp_path)
    big = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="note", simple_value=1.0)])
    big.value[0].metadata.summary_description = "x" * 500  # a record of 500+ bytes
    write_records(path, [scalar_event(s, s / 2).SerializeToString() for s in range(30)])
    write_records(path, [event_pb2.Event(step=30, summary=big).SerializeToString()])
    reader = LogReader(tmp_path)
    assert [r.step for r in reader.read()] == list(range(31))
    assert reader.records_read == 32


def test_garbage_in_the_middle_is_skipped_and_counted(tmp_path: Path, chunk: None) -> None:
    path = event_file(tmp_path)
    write_records(path, [scalar_event(s, 1.0).SerializeToString() for s in range(3)])
    with open(path, "ab") as f:
        f.write(np.random.default_rng(5).bytes(3000))
    write_records(path, [scalar_event(s, 1.0).SerializeToString() for s in range(3, 6)])
    reader = LogReader(tmp_path)
    with pytest.warns(CorruptRecordWarning, match="1 corrupt record"):
        assert [r.step for r in reader.read()] == [0, 1, 2, 3, 4, 5]
    assert reader.skipped == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing new: no second warning
        assert reader.read() == []


def test_a_valid_record_that_is_not_an_event_is_skipped(tmp_path: Path) -> None:
    path = event_file(tmp_path)
    write_records(path, [scalar_event(1, 1.0).SerializeToString(), b"\xff\xff not an event"])
    write_records(path, [scalar_event(2, 2.0).SerializeToString()])
    with pytest.warns(CorruptRecordWarning, match="not an Event"):
        assert [r.step for r in read_events(tmp_path)] == [1, 2]


# ------------------------------------------------------------------------ size bombs


def tensor_event(step: int, proto: tensor_pb2.TensorProto) -> bytes:
    value = summary_pb2.Summary.Value(tag="bomb", tensor=proto)
    event = event_pb2.Event(step=step, summary=summary_pb2.Summary(value=[value]))
    return event.SerializeToString()


def shape(*dims: int) -> tensor_shape_pb2.TensorShapeProto:
    return tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims]
    )


@pytest.mark.parametrize(
    "proto",
    [
        tensor_pb2.TensorProto(dtype=1, tensor_shape=shape(3_000_000_000), float_val=[1.0]),
        tensor_pb2.TensorProto(dtype=1, tensor_shape=shape(50_000, 60_000), tensor_content=b"1234"),
        tensor_pb2.TensorProto(dtype=7, tensor_shape=shape(10**9), string_val=[b"a", b"b"]),
        tensor_pb2.TensorProto(dtype=1, tensor_shape=shape(-5), float_val=[1.0]),
    ],
    ids=["3e9 floats from one value", "3e9 floats in 4 bytes", "1e9 strings", "negative dim"],
)
def test_a_tensor_declaring_more_than_its_record_holds_is_skipped(tmp_path: Path, proto) -> None:
    path = event_file(tmp_path)
    bomb = tensor_event(1, proto)
    assert len(bomb) < 120
    write_records(path, [scalar_event(0, 0.5).SerializeToString(), bomb])
    write_records(path, [scalar_event(2, 0.25).SerializeToString()])
    with pytest.warns(CorruptRecordWarning, match="'bomb' at step 1"):
        records = read_events(tmp_path)
    assert [(r.step, r.value) for r in records] == [(0, 0.5), (2, 0.25)]


def test_small_splats_and_exact_tensors_are_read(tmp_path: Path) -> None:
    path = event_file(tmp_path)
    splat = tensor_pb2.TensorProto(dtype=1, tensor_shape=shape(2, 3), float_val=[7.0])
    exact = tensor_pb2.TensorProto(
        dtype=1, tensor_shape=shape(2), tensor_content=np.float32([1, 2]).tobytes()
    )
    write_records(path, [tensor_event(1, splat), tensor_event(2, exact)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, b = read_events(tmp_path)
    np.testing.assert_array_equal(a.value, np.full((2, 3), 7.0, np.float32))
    np.testing.assert_array_equal(b.value, [1.0, 2.0])
    assert a.kind == b.kind == "tensor"


# ------------------------------------------------------------------------ TensorFlow's files

TF_WRITER = """
import os
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
tf.logging.set_verbosity(tf.logging.ERROR)
logdir = {logdir!r}
x = tf.placeholder(tf.float32, [None])
tf.summary.scalar("loss", tf.reduce_mean(x))
tf.summary.histogram("weights", x)
tf.summary.image("picture", tf.reshape(tf.tile(x[:1], [16]), [1, 4, 4, 1]))
tf.summary.text("note", tf.as_string(tf.reduce_sum(x)))
tf.summary.tensor_summary("raw", x[:3])
merged = tf.summary.merge_all()
with tf.Session() as sess:
    writer = tf.summary.FileWriter(logdir, sess.graph)
    for step in range(4):
        writer.add_summary(sess.run(merged, {{x: np.arange(10, dtype=np.float32) + step}}), step)
    writer.close()
# a record with valid checksums that is not an Event, and TensorFlow's events after it
junk = os.path.join(logdir, "events.out.tfevents.2.junk")
with tf.io.TFRecordWriter(junk) as w:
    w.write(b"\\xff\\xff not an event")
    w.write(tf.Event(step=9, summary=tf.Summary(value=[
        tf.Summary.Value(tag="late", simple_value=9.0)])).SerializeToString())
"""


@pytest.fixture(scope="module")
def tf_logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logdir = tmp_path_factory.mktemp("tf_logs")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    subprocess.run(
        [sys.executable, "-c", textwrap.dedent(TF_WRITER.format(logdir=str(logdir)))],
        check=True,
        env=env,
        timeout=300,
    )
    return logdir


def test_files_tensorflow_wrote_are_read(tf_logdir: Path) -> None:
    with pytest.warns(CorruptRecordWarning, match="not an Event"):
        records = read_events(tf_logdir)
    by = {}
    for r in records:
        by.setdefault((r.tag, r.kind), []).append(r)
    kinds = {tag: kind for tag, kind in by}
    assert kinds["loss"] == "scalar" and kinds["weights"] == "histogram"
    assert kinds["picture/image/0"] == "image" and kinds["late"] == "scalar"
    # TensorFlow writes a tag's metadata only with its first value: all 4 steps stay text
    assert [r.value for r in by["note", "text"]] == [
        "45.000000",
        "55.000000",
        "65.000000",
        "75.000000",
    ]
    raw = by["raw", "tensor"]
    assert [r.step for r in raw] == [0, 1, 2, 3]
    np.testing.assert_array_equal(raw[3].value, [3.0, 4.0, 5.0])
    assert [r.value for r in by["loss", "scalar"]] == [4.5, 5.5, 6.5, 7.5]
    assert by["weights", "histogram"][0].value["num"] == 10
    assert tf.summary.read_graph(tf_logdir) is not None


def test_summaryplot_draws_what_tensorflow_wrote(tf_logdir: Path) -> None:
    from teachflow.widgets import SummaryPlot

    with pytest.warns(CorruptRecordWarning):
        plot = SummaryPlot(tf_logdir)
    assert sorted(s["tag"] for s in plot.scalars) == ["late", "loss"]
    assert [h["tag"] for h in plot.histograms] == ["weights"]
    assert plot.texts[0]["text"] == "75.000000"
