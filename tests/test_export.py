"""GraphDef export: node names, op types, inputs, attrs, shapes; write_graph; freezing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2
from tensorboard.util import tensor_util

import teachflow as tf
from teachflow.graph_def import graph_to_graph_def
from teachflow.tensor_util import make_tensor_proto

pytestmark = pytest.mark.usefixtures("fresh_graph")


def nodes(graph_def: graph_pb2.GraphDef) -> dict[str, Any]:
    return {n.name: n for n in graph_def.node}


def dims(shape_proto: Any) -> list[int] | None:
    if shape_proto.unknown_rank:
        return None
    return [d.size for d in shape_proto.dim]


def test_nodes_inputs_and_attrs() -> None:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    free = tf.placeholder(tf.int32, name="free")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    with tf.control_dependencies([free.op]):
        y = tf.matmul(x, w, transpose_b=False, name="y")
    packed = tf.stack([y, y], axis=1, name="packed")
    gd = tf.get_default_graph().as_graph_def()
    assert isinstance(gd, graph_pb2.GraphDef)
    n = nodes(gd)
    assert [nd.name for nd in gd.node] == [
        op.name for op in tf.get_default_graph().get_operations()
    ]
    assert n["x"].op == "Placeholder" and n["x"].attr["dtype"].type == tf.float32.as_datatype_enum
    assert dims(n["x"].attr["shape"].shape) == [-1, 3]
    assert dims(n["free"].attr["shape"].shape) is None
    assert n["w"].op == "VariableV2" and dims(n["w"].attr["shape"].shape) == [3, 2]
    assert n["w/Assign"].op == "Assign" and list(n["w/Assign"].input) == ["w", "w/initial_value"]
    assert n["w/read"].op == "Identity" and n["w/read"].attr["T"].type == 1
    assert list(n["y"].input) == ["x", "w/read", "^free"]
    assert n["y"].attr["transpose_a"].b is False and n["y"].attr["transpose_b"].HasField("b")
    assert n["packed"].attr["axis"].i == 1 and n["packed"].attr["N"].i == 2
    value = tensor_util.make_ndarray(n["w/initial_value"].attr["value"].tensor)
    np.testing.assert_array_equal(value, np.ones((3, 2), np.float32))
    assert "_output_shapes" not in n["y"].attr
    del packed


def test_output_index_inputs_and_shapes() -> None:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    s = tf.shape(x, name="s")  # a Shape op: the static shape is not fully known
    tf.identity(x, name="i")
    gd = graph_to_graph_def(tf.get_default_graph(), add_shapes=True)
    n = nodes(gd)
    assert [dims(p) for p in n["s"].attr["_output_shapes"].list.shape] == [[2]]
    assert [dims(p) for p in n["x"].attr["_output_shapes"].list.shape] == [[-1, 3]]
    assert n["s"].attr["out_type"].type == tf.int32.as_datatype_enum
    init = tf.no_op(name="noop")
    gd = graph_to_graph_def(init.graph, add_shapes=True)
    assert len(nodes(gd)["noop"].attr["_output_shapes"].list.shape) == 0
    del s


@pytest.mark.parametrize(
    "value",
    [
        np.float32(1.5),
        np.arange(6, dtype=np.float64).reshape(2, 3),
        np.array([1, -2], np.int8),
        np.array(7, np.int64),
        np.array([True, False]),
        np.array([b"a", b"bc"], dtype=object),
        np.array([1.5, -2.0], np.float16),
        np.array([1 + 2j], np.complex64),
        np.array([3], np.uint16),
    ],
)
def test_tensor_protos_round_trip(value: np.ndarray) -> None:
    back = tensor_util.make_ndarray(make_tensor_proto(value))
    np.testing.assert_array_equal(back, value)
    assert back.shape == np.shape(value)


def test_scalars_use_value_fields_and_arrays_raw_content() -> None:
    assert list(make_tensor_proto(np.float32(2.0)).float_val) == [2.0]
    pair = np.array([1, 2], np.float32)
    assert make_tensor_proto(pair).tensor_content == pair.tobytes()


def test_teachflow_only_ops_become_tensorflow_subgraphs() -> None:
    v = tf.Variable(1.0, name="v")
    iv = v.initialized_value()
    report = tf.report_uninitialized_variables()
    n = nodes(tf.get_default_graph().as_graph_def())
    assert n[iv.op.name].op == "Merge"
    assert list(n[iv.op.name].input) == [f"{iv.op.name}/read", f"{iv.op.name}/Switch_1"]
    assert n[f"{iv.op.name}/read/Switch"].op == "RefSwitch"
    assert n[report.op.name].op == "GatherNd"
    names = tensor_util.make_ndarray(n[f"{report.op.name}/Const"].attr["value"].tensor)
    assert names.tolist() == [b"v"]
    assert not {nd.op for nd in n.values()} & {"InitializedValue", "ReportUninitializedVariables"}


def test_write_graph_text_and_binary(tmp_path: Path) -> None:
    tf.add(tf.constant(1, name="a"), 2, name="sum")
    text_path = tf.train.write_graph(tf.get_default_graph(), tmp_path / "out", "g.pbtxt")
    assert text_path == str(tmp_path / "out" / "g.pbtxt")
    parsed = text_format.Parse(Path(text_path).read_text(), graph_pb2.GraphDef())
    assert [nd.name for nd in parsed.node] == ["a", "sum/y", "sum"]
    gd = tf.get_default_graph().as_graph_def()
    bin_path = tf.train.write_graph(gd, str(tmp_path), "g.pb", as_text=False)
    assert graph_pb2.GraphDef.FromString(Path(bin_path).read_bytes()) == gd
    with pytest.raises(TypeError, match="tf.Graph or a GraphDef"):
        tf.train.write_graph("not a graph", str(tmp_path), "x.pb")


def test_extract_sub_graph() -> None:
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with tf.control_dependencies([b]):
        c = tf.identity(a, name="c")
    tf.multiply(a, 3.0, name="unused")
    gd = tf.get_default_graph().as_graph_def()
    sub = tf.graph_util.extract_sub_graph(gd, ["c"])
    assert [nd.name for nd in sub.node] == ["a", "b", "c"]
    with pytest.raises(TypeError, match="iterable of strings"):
        tf.graph_util.extract_sub_graph(gd, "c")
    with pytest.raises(AssertionError, match="missing is not in graph"):
        tf.graph_util.extract_sub_graph(gd, ["missing"])
    del c


def test_freeze_replaces_variables_with_session_values() -> None:
    w = tf.Variable([[1.0, 2.0]], name="w")
    b = tf.Variable(0.5, name="b")
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.add(tf.matmul(x, w, transpose_b=True), b, name="y")
    step = tf.assign_add(b, 1.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["y"])
        also = tf.graph_util.freeze(sess, [y])
    n = nodes(frozen)
    assert n["w"].op == "Const" and n["b"].op == "Const"
    assert tensor_util.make_ndarray(n["b"].attr["value"].tensor) == np.float32(1.5)
    assert n["w/read"].op == "Identity"
    assert "w/Assign" not in n and "AssignAdd" not in n
    assert frozen == also


def test_freeze_respects_whitelist_and_refuses_writes() -> None:
    v = tf.Variable(1.0, name="v")
    u = tf.Variable(2.0, name="u")
    total = tf.add(v, u, name="total")
    bump = tf.assign(v, 5.0, name="bump")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gd = sess.graph_def
        only_v = tf.graph_util.convert_variables_to_constants(
            sess, gd, ["total"], variable_names_whitelist=["v"]
        )
        assert {nd.name: nd.op for nd in only_v.node}["u"] == "VariableV2"
        with pytest.raises(ValueError, match="Cannot freeze variable 'v': 'bump' \\(Assign\\)"):
            tf.graph_util.convert_variables_to_constants(sess, gd, ["bump"])
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError):
        tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["total"])
    del total, bump
