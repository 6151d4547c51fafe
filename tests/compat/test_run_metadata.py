"""RunMetadata/step_stats and the timeline, and check_numerics' errors, against TensorFlow."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import teachflow
from teachflow.python.client import timeline as tt_timeline


def build(tf: Any) -> tuple[Any, dict[Any, Any]]:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer"):
        w = tf.Variable(tf.ones([3, 2]), name="w")
        y = tf.nn.relu(tf.matmul(x, w), name="y")
    return tf.reduce_sum(y, name="total"), {x: np.ones((4, 3), np.float32)}


def traced(tf: Any) -> Any:
    g = tf.Graph()
    with g.as_default():
        fetch, feed = build(tf)
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            meta = tf.RunMetadata()
            options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
            sess.run(fetch, feed, options=options, run_metadata=meta)
    return meta


def test_step_stats_structure_matches_tensorflow(tf1: Any) -> None:
    theirs, ours = traced(tf1), traced(teachflow)
    assert len(ours.step_stats.dev_stats) == len(theirs.step_stats.dev_stats) == 1
    tf_dev, tt_dev = theirs.step_stats.dev_stats[0], ours.step_stats.dev_stats[0]
    assert tt_dev.device == tf_dev.device
    # TensorFlow adds its own _SOURCE, _arg_* and _retval_* nodes around the graph's ops
    tf_nodes = {ns.node_name: ns for ns in tf_dev.node_stats if not ns.node_name.startswith("_")}
    tt_nodes = {ns.node_name: ns for ns in tt_dev.node_stats}
    assert set(tf_nodes) <= set(tt_nodes), set(tf_nodes) - set(tt_nodes)
    for name, tf_ns in tf_nodes.items():
        tt_ns = tt_nodes[name]
        assert tt_ns.timeline_label == tf_ns.timeline_label.replace("_arg_x_0_0", "x")
        assert tt_ns.all_start_micros > 0 and tt_ns.all_end_rel_micros >= tt_ns.op_end_rel_micros
        assert len(tt_ns.output) == len(tf_ns.output), name
        for a, b in zip(tt_ns.output, tf_ns.output):
            da, db = a.tensor_description, b.tensor_description
            assert a.slot == b.slot and da.dtype == db.dtype
            assert [d.size for d in da.shape.dim] == [d.size for d in db.shape.dim]
            assert (
                da.allocation_description.requested_bytes
                == db.allocation_description.requested_bytes
            )
    # the same proto: TensorFlow can read teachflow's bytes
    back = type(theirs).FromString(ours.SerializeToString())
    assert [ns.node_name for ns in back.step_stats.dev_stats[0].node_stats] == list(tt_nodes)


def test_timeline_has_tensorflows_event_kinds(tf1: Any) -> None:
    from tensorflow.python.client import timeline as tf_timeline

    theirs, ours = traced(tf1), traced(teachflow)
    for dataflow, memory in [(True, True), (False, False), (True, False)]:
        tf_trace = json.loads(
            tf_timeline.Timeline(theirs.step_stats).generate_chrome_trace_format(
                show_dataflow=dataflow, show_memory=memory
            )
        )
        tt_trace = json.loads(
            tt_timeline.Timeline(ours.step_stats).generate_chrome_trace_format(
                show_dataflow=dataflow, show_memory=memory
            )
        )
        # data-flow arrows ("s"/"t") join ops on different threads: TensorFlow spreads ops
        # over a thread pool, teachflow runs them on one (arrows are checked below)
        kinds = {e["ph"] for e in tf_trace["traceEvents"]} - {"s", "t"}
        assert {e["ph"] for e in tt_trace["traceEvents"]} == kinds
        tf_ops = {e["args"]["name"]: e for e in tf_trace["traceEvents"] if e["ph"] == "X"}
        tt_ops = {e["args"]["name"]: e for e in tt_trace["traceEvents"] if e["ph"] == "X"}
        for name, e in tf_ops.items():
            if not name.startswith("_"):
                assert tt_ops[name]["name"] == e["name"] and tt_ops[name]["cat"] == e["cat"]
                assert set(tt_ops[name]) == set(e)
        tf_meta = [e["args"]["name"] for e in tf_trace["traceEvents"] if e["ph"] == "M"]
        tt_meta = [e["args"]["name"] for e in tt_trace["traceEvents"] if e["ph"] == "M"]
        assert tt_meta == tf_meta
    # ops on two threads: an arrow from the producer's lane to the consumer's
    ours.step_stats.dev_stats[0].node_stats[-1].thread_id = 7
    arrows = [
        e
        for e in json.loads(tt_timeline.Timeline(ours.step_stats).generate_chrome_trace_format())[
            "traceEvents"
        ]
        if e["ph"] in "st"
    ]
    assert [(e["ph"], e["name"], e["tid"], e["cat"]) for e in arrows] == [
        ("s", "layer/y", 0, "DataFlow"),
        ("t", "layer/y", 7, "DataFlow"),
        ("s", "Const", 0, "DataFlow"),
        ("t", "Const", 7, "DataFlow"),
    ]
    assert arrows[0]["id"] == arrows[1]["id"] != arrows[2]["id"] == arrows[3]["id"]
    assert arrows[0]["ts"] <= arrows[1]["ts"]
    # TensorFlow's own Timeline reads teachflow's step_stats (as its proto)
    from tensorflow.core.protobuf import config_pb2

    proto = config_pb2.RunMetadata.FromString(ours.SerializeToString())
    json.loads(tf_timeline.Timeline(proto.step_stats).generate_chrome_trace_format())


@pytest.mark.parametrize(
    ("values", "kind"),
    [([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"), ([-np.inf, np.nan], "Inf and NaN")],
)
def test_check_numerics_errors_match(tf1: Any, values: list[float], kind: str) -> None:
    results = []
    for tf in (tf1, teachflow):
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, name="x")
            c = tf.check_numerics(x * 1.0, "my message")
            with tf.Session(graph=g) as sess:
                with pytest.raises(tf.errors.InvalidArgumentError) as info:
                    sess.run(c, {x: values})
                np.testing.assert_array_equal(sess.run(c, {x: [1.0, 2.0]}), [1.0, 2.0])
        results.append((c.name, c.op.node_def.attr["message"].s, info.value))
    (tf_name, tf_msg, tf_err), (tt_name, tt_msg, tt_err) = results
    assert tt_name == tf_name == "CheckNumerics:0" and tt_msg == tf_msg == b"my message"
    assert (
        f"my message : Tensor had {kind} values\n\t [[{{{{node CheckNumerics}}}}]]"
        in tf_err.message
    )
    assert (
        tt_err.message
        == f"my message : Tensor had {kind} values\n\t [[{{{{node CheckNumerics}}}}]]"
    )
    assert tt_err.op.name == tf_err.op.name == "CheckNumerics"


def test_add_check_numerics_ops_matches(tf1: Any) -> None:
    results = []
    for tf in (tf1, teachflow):
        g = tf.Graph()
        with g.as_default():
            a = tf.placeholder(tf.float32, name="a")
            y = tf.reduce_sum(tf.log(a, name="mylog") * 2.0)
            check = tf.add_check_numerics_ops()
            checks = [
                (op.name, op.get_attr("message"), [c.name for c in op.control_inputs])
                for op in g.get_operations()
                if op.type == "CheckNumerics"
            ]
            with tf.Session(graph=g) as sess:
                errs = []
                for bad in ([0.0, 1.0], [-1.0, 1.0]):
                    with pytest.raises(tf.errors.InvalidArgumentError) as info:
                        sess.run([y, check], {a: bad})
                    errs.append((info.value.op.name, info.value.message))
        results.append((check.name, check.type, checks, errs))
    (tf_name, tf_type, tf_checks, tf_errs), (tt_name, tt_type, tt_checks, tt_errs) = results
    assert (tt_name, tt_type) == (tf_name, tf_type)
    norm = [(n, m.decode() if isinstance(m, bytes) else m, c) for n, m, c in tf_checks]
    assert [(n, m.decode() if isinstance(m, bytes) else m, c) for n, m, c in tt_checks] == norm
    for (tf_op, tf_text), (tt_op, tt_text) in zip(tf_errs, tt_errs):
        assert tt_op == tf_op
        assert tt_text.splitlines()[0] in tf_text and tt_text.splitlines()[0].startswith("mylog:0")


def test_check_numerics_construction_errors_match(tf1: Any) -> None:
    cases = [
        lambda tf: tf.check_numerics(tf.constant([1, 2]), "m"),
        lambda tf: tf.check_numerics(tf.constant([1.0]), 3),
        lambda tf: (
            tf.cond(tf.placeholder(tf.bool), lambda: tf.constant(1.0), lambda: tf.constant(2.0)),
            tf.add_check_numerics_ops(),
        ),
    ]
    for build in cases:
        errs = []
        for tf in (tf1, teachflow):
            with tf.Graph().as_default(), pytest.raises((TypeError, ValueError)) as info:
                build(tf)
            errs.append(info.value)
        assert type(errs[1]) is type(errs[0])
        assert str(errs[1]).splitlines()[0] == str(errs[0]).splitlines()[0]
