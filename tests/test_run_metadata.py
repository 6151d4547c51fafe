"""A traced sess.run: RunMetadata.step_stats, the Chrome timeline, and TensorBoard's view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import teachflow as tf
from teachflow.python.client import timeline


@pytest.fixture(autouse=True)
def _leave_a_fresh_graph() -> Iterator[None]:
    """These tests build in the default graph: the tests after them start from an empty one."""
    yield
    tf.reset_default_graph()


FULL = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def small_net() -> tuple[object, object, dict]:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 2]), name="w")
    y = tf.nn.relu(tf.matmul(x, w), name="y")
    return y, tf.global_variables_initializer(), {x: np.ones((4, 3), np.float32)}


def traced(fetch: object, init: object, feed: dict) -> tuple[tf.Session, tf.RunMetadata]:
    sess = tf.Session()
    sess.run(init)
    meta = tf.RunMetadata()
    sess.run(fetch, feed, options=FULL, run_metadata=meta)
    return sess, meta


def test_step_stats_has_one_node_exec_stats_per_op() -> None:
    y, init, feed = small_net()
    sess, meta = traced(y, init, feed)
    (dev,) = meta.step_stats.dev_stats
    assert dev.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    names = [ns.node_name for ns in dev.node_stats]
    assert (
        names
        == [op.name for op in sess.stepper(y, feed).plan.ops]
        == ["w", "w/read", "MatMul", "y"]
    )
    matmul = dev.node_stats[2]
    assert matmul.timeline_label == "MatMul = MatMul(x, w/read)"
    assert matmul.all_start_micros > 1_500_000_000_000_000  # microseconds since the epoch
    assert matmul.op_end_rel_micros == matmul.all_end_rel_micros >= 0
    (out,) = matmul.output
    desc = out.tensor_description
    assert desc.dtype == tf.float32.as_datatype_enum
    assert [d.size for d in desc.shape.dim] == [4, 2]
    assert desc.allocation_description.requested_bytes == 4 * 2 * 4
    assert matmul.memory[0].total_bytes == 32
    starts = [ns.all_start_micros for ns in dev.node_stats]
    assert starts == sorted(starts)


def test_untraced_runs_leave_run_metadata_empty() -> None:
    y, init, feed = small_net()
    sess = tf.Session()
    sess.run(init)
    meta = tf.RunMetadata()
    sess.run(y, feed, options=tf.RunOptions(), run_metadata=meta)
    assert meta.step_stats.dev_stats == []
    with pytest.raises(TypeError, match="run_metadata must be a tf.RunMetadata"):
        sess.run(y, feed, options=FULL, run_metadata={})


def test_run_metadata_serialises_to_tensorflows_proto() -> None:
    from tensorboard.compat.proto import config_pb2

    y, init, feed = small_net()
    _, meta = traced(y, init, feed)
    proto = config_pb2.RunMetadata.FromString(meta.SerializeToString())
    stats = proto.step_stats.dev_stats[0].node_stats
    assert [ns.node_name for ns in stats] == ["w", "w/read", "MatMul", "y"]
    assert stats[3].output[0].tensor_description.shape.dim[0].size == 4
    assert 'node_name: "MatMul"' in str(meta)
    # a protobuf RunMetadata (TensorFlow's own class) is filled too
    real = config_pb2.RunMetadata()
    tf.Session().run(tf.constant(1.0), options=FULL, run_metadata=real)
    assert real.step_stats.dev_stats[0].node_stats[0].node_name == "Const"


def test_timeline_is_tensorflows_chrome_trace() -> None:
    y, init, feed = small_net()
    _, meta = traced(y, init, feed)
    tl = timeline.Timeline(meta.step_stats)
    trace = json.loads(tl.generate_chrome_trace_format(show_dataflow=True, show_memory=True))
    events = trace["traceEvents"]
    assert {e["ph"] for e in events} == {"M", "N", "O", "X", "D", "C"}
    ops = [e for e in events if e["ph"] == "X"]
    assert [(e["name"], e["args"]["name"]) for e in ops] == [
        ("VariableV2", "w"),
        ("Identity", "w/read"),
        ("MatMul", "MatMul"),
        ("Relu", "y"),
    ]
    assert ops[2]["args"]["input0"] == "x" and ops[2]["args"]["input1"] == "w/read"
    assert all(e["dur"] >= 0 for e in ops)
    memory = [e["args"]["cpu"] for e in events if e["ph"] == "C"]
    assert max(memory) >= 32 and memory[-1] == 0
    processes = [e["args"]["name"] for e in events if e["ph"] == "M"]
    assert processes[0] == "Allocators" and processes[1].endswith("CPU:0 Compute")
    with pytest.raises(TypeError, match="Timeline expects a StepStats"):
        timeline.Timeline(meta)


def test_file_writer_run_metadata_reads_back_in_tensorboard(tmp_path: Path) -> None:
    from tensorboard.backend.event_processing import event_accumulator

    y, init, feed = small_net()
    sess, meta = traced(y, init, feed)
    with tf.summary.FileWriter(str(tmp_path), sess.graph) as writer:
        writer.add_run_metadata(meta, "step 10", global_step=10)
        with pytest.raises(ValueError, match="already used"):
            writer.add_run_metadata(meta, "step 10")
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["run_metadata"] == ["step 10"]
    back = acc.RunMetadata("step 10")
    names = [ns.node_name for ns in back.step_stats.dev_stats[0].node_stats]
    assert names == ["w", "w/read", "MatMul", "y"]


def test_a_traced_cond_lists_only_the_branch_taken() -> None:
    tf.reset_default_graph()
    p = tf.placeholder(tf.bool, name="p")
    r = tf.cond(p, lambda: tf.constant(1.0) * 2.0, lambda: tf.constant(3.0) + 1.0)
    meta = tf.RunMetadata()
    assert tf.Session().run(r, {p: True}, options=FULL, run_metadata=meta) == 2.0
    names = [ns.node_name for ns in meta.step_stats.dev_stats[0].node_stats]
    assert "cond/mul" in names and "cond/Merge" in names
    assert "cond/add" not in names
