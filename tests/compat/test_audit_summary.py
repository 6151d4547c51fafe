"""Summaries, event files, GraphDef export and Saver files against real TensorFlow and the real
tensorboard readers: the same program gives the same tags, values, devices and files."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader

import teachflow

pytestmark = pytest.mark.compat


def _logged_program(tf: Any, logdir: str) -> None:
    """A TF1 tutorial-style program: summaries in scopes, merge_all, a writer with the graph."""
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("layer"):
            w = tf.Variable(tf.ones([3, 2]), name="W")
            y = tf.matmul(x, w)
            tf.summary.scalar("mean", tf.reduce_mean(y))
            tf.summary.histogram("weights", w)
            tf.summary.scalar("total", tf.reduce_sum(y), family="fam")
        pixels = tf.reshape(tf.range(12, dtype=tf.float32) / 12.0, [1, 2, 2, 3])
        tf.summary.image("img", pixels, max_outputs=2)
        tf.summary.text("note", tf.constant("hello"))
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter(logdir, sess.graph)
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: np.ones((2, 3)) * step}), step)
            manual = tf.Summary(value=[tf.Summary.Value(tag="manual", simple_value=2.5)])
            writer.add_summary(manual, global_step=np.int64(7))
            writer.add_session_log(tf.SessionLog(status=tf.SessionLog.START), 8)
            writer.close()
        assert g is not None


def _accumulate(lib: Any, tmp_path: Path) -> EventAccumulator:
    logdir = str(tmp_path / lib.__name__.split(".")[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _logged_program(lib, logdir)
    acc = EventAccumulator(logdir, size_guidance={"scalars": 0, "tensors": 0, "histograms": 0})
    acc.Reload()
    return acc


def test_event_accumulator_sees_the_same_logs(tf1: Any, tmp_path: Path) -> None:
    theirs, ours = _accumulate(tf1, tmp_path), _accumulate(teachflow, tmp_path)
    assert ours.Tags() == theirs.Tags()
    for tag in theirs.Tags()["scalars"]:
        a, b = theirs.Scalars(tag), ours.Scalars(tag)
        assert [(e.step, e.value) for e in b] == [(e.step, e.value) for e in a], tag
    for tag in theirs.Tags()["histograms"]:
        a, b = theirs.Histograms(tag), ours.Histograms(tag)
        assert [(e.step, e.histogram_value) for e in b] == [(e.step, e.histogram_value) for e in a]
    for tag in theirs.Tags()["images"]:
        a, b = theirs.Images(tag), ours.Images(tag)
        assert [(e.step, e.width, e.height) for e in b] == [(e.step, e.width, e.height) for e in a]
    for tag in theirs.Tags()["tensors"]:
        a, b = theirs.Tensors(tag), ours.Tensors(tag)
        assert [(e.step, e.tensor_proto) for e in b] == [(e.step, e.tensor_proto) for e in a]
    assert [n.name for n in ours.Graph().node] == [n.name for n in theirs.Graph().node]


def _session_logs(logdir: Path) -> list[tuple[int, int]]:
    out = []
    for f in sorted(logdir.iterdir()):
        for ev in LegacyEventFileLoader(str(f)).Load():
            if ev.HasField("session_log"):
                out.append((ev.step, ev.session_log.status))
    return out


def test_session_logs_and_top_level_protos(tf1: Any, tmp_path: Path) -> None:
    for lib in (tf1, teachflow):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _logged_program(lib, str(tmp_path / lib.__name__))
    assert _session_logs(tmp_path / "teachflow") == _session_logs(tmp_path / tf1.__name__)
    assert _session_logs(tmp_path / "teachflow") == [(8, teachflow.SessionLog.START)]
    for name in ("Summary", "Event", "SessionLog", "GraphDef", "NodeDef", "MetaGraphDef"):
        ours, theirs = getattr(teachflow, name), getattr(tf1, name)
        assert ours.DESCRIPTOR.name == theirs.DESCRIPTOR.name
        assert ours().SerializeToString() == theirs().SerializeToString()


def _placed(tf: Any) -> Any:
    with tf.Graph().as_default() as g:
        with tf.device("/cpu:0"):
            w = tf.Variable(tf.zeros([2]), name="w")
            c = tf.constant([1.0, 2.0], name="c")
        y = tf.add(w, c, name="y")
        tf.train.GradientDescentOptimizer(0.5).minimize(tf.reduce_sum(y * y))
    return g.as_graph_def()


def test_devices_and_colocation_are_written(tf1: Any) -> None:
    theirs = {n.name: n for n in _placed(tf1).node}
    ours = {n.name: n for n in _placed(teachflow).node}
    for name in (
        "w",
        "c",
        "w/Assign",
        "w/read",
        "y",
        "GradientDescent/update_w/ApplyGradientDescent",
    ):
        assert ours[name].device == theirs[name].device, name
    for name in ("w/Assign", "w/read"):
        assert ours[name].attr["_class"].list.s == theirs[name].attr["_class"].list.s, name
    gd = tf1.GraphDef.FromString(_placed(teachflow).SerializeToString())
    with tf1.Graph().as_default() as g:
        tf1.import_graph_def(gd, name="")
        assert g.get_operation_by_name("w").device == "/device:CPU:0"


def test_remove_training_nodes_matches(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        with tf.Graph().as_default() as g:
            v = tf.Variable([1.0, 2.0], name="v")
            a = tf.identity(tf.constant(3.0, name="a"), name="ida")
            b = tf.stop_gradient(a * v, name="sg")
            with tf.control_dependencies([b]):
                tf.identity(b, name="out")
        return g.as_graph_def()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = tf1.graph_util.remove_training_nodes(build(tf1), protected_nodes=["out"])
    ours = teachflow.graph_util.remove_training_nodes(build(teachflow), protected_nodes=["out"])
    assert [(n.name, list(n.input)) for n in ours.node] == [
        (n.name, list(n.input)) for n in theirs.node
    ]


@pytest.mark.parametrize(
    "values, kwargs",
    [
        ([[1, 2], [3, 4]], {}),
        ([1.5, 2.5], {"dtype": "float64"}),
        (1.0, {"shape": [2, 2]}),
        ([1, 2], {"shape": [4]}),
        (["a", "bc"], {}),
        ([True, False], {}),
    ],
)
def test_make_tensor_proto_and_make_ndarray(tf1: Any, values: Any, kwargs: dict) -> None:
    theirs = tf1.make_ndarray(tf1.make_tensor_proto(values, **kwargs))
    proto = teachflow.make_tensor_proto(values, **kwargs)
    ours = teachflow.make_ndarray(proto)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    # TensorFlow reads teachflow's proto to the same array
    from tensorflow.core.framework import tensor_pb2

    again = tf1.make_ndarray(tensor_pb2.TensorProto.FromString(proto.SerializeToString()))
    np.testing.assert_array_equal(again, theirs)


def test_make_tensor_proto_errors(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2"):
            lib.make_tensor_proto([1, 2, 3], shape=[2])
        with pytest.raises(TypeError, match=r"Expected Tensor's shape: \(3,\), but got \(2,\)"):
            lib.make_tensor_proto([1, 2], shape=[3], verify_shape=True)


def _saved(tf: Any, folder: Path) -> str:
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        step = tf.train.get_or_create_global_step()
        x = tf.placeholder(tf.float32, [2], name="x")
        loss = tf.reduce_sum(v * x, name="loss")
        tf.summary.scalar("loss", loss)
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        saver = tf.train.Saver(max_to_keep=2, sharded=True)
        (folder / "run").mkdir(parents=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: [1.0, 1.0]})
                path = saver.save(sess, str(folder / "run" / "model.ckpt"), global_step=step)
        assert saver.saver_def.sharded
    return path


def test_saver_writes_meta_graph_that_tensorflow_imports(tf1: Any, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _saved(tf1, tmp_path / "tf")
        ours = _saved(teachflow, tmp_path / "tt")
    assert os.path.basename(ours) == os.path.basename(theirs) == "model.ckpt-3"

    def kinds(folder: str) -> list[str]:
        return sorted(
            f.split(".data")[0] + (".data" if ".data" in f else "") for f in os.listdir(folder)
        )

    # TensorFlow shards per device; the other files are the same, kept as max_to_keep says
    assert kinds(os.path.dirname(ours)) == kinds(os.path.dirname(theirs))
    state = teachflow.train.get_checkpoint_state(os.path.dirname(ours))
    assert state is not None
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        "model.ckpt-2",
        "model.ckpt-3",
    ]
    found = []
    for path in (theirs, ours):
        with tf1.Graph().as_default():
            tf1.train.import_meta_graph(path + ".meta")
            names = [v.name for v in tf1.global_variables()]
            trainable = [v.name for v in tf1.trainable_variables()]
            collections = [
                [t.name for t in tf1.get_collection(k)] for k in ("summaries", "train_op")
            ]
            with tf1.Session() as sess:
                sess.run(tf1.global_variables_initializer())
                value = sess.run("loss:0", {"x:0": [1.0, 2.0]})
        found.append((names, trainable, collections, value))
    assert found[1] == found[0]


def test_saver_creates_a_missing_directory(tf1: Any, tmp_path: Path) -> None:
    for lib in (tf1, teachflow):
        (tmp_path / lib.__name__).mkdir()
        with lib.Graph().as_default():
            v = lib.Variable(1.5, name="v")
            saver = lib.train.Saver()
            with lib.Session() as sess:
                sess.run(v.initializer)
                prefix = str(tmp_path / lib.__name__ / "new" / "model.ckpt")
                assert saver.save(sess, prefix) == prefix
                with pytest.raises(ValueError, match="Parent directory of .* doesn't exist"):
                    saver.save(sess, str(tmp_path / "no" / "such" / "model"))
        assert lib.train.latest_checkpoint(os.path.dirname(prefix)) == prefix
        assert os.path.exists(prefix + ".meta")


def test_saver_export_meta_graph_as_text(tf1: Any, tmp_path: Path) -> None:
    with teachflow.Graph().as_default():
        teachflow.Variable(3.0, name="v")
        saver = teachflow.train.Saver()
        meta = saver.export_meta_graph(str(tmp_path / "m.pbtxt"), as_text=True)
    assert meta.saver_def.restore_op_name == "save/restore_all"
    from google.protobuf import text_format

    parsed = text_format.Parse((tmp_path / "m.pbtxt").read_text(), tf1.MetaGraphDef())
    assert [n.name for n in parsed.graph_def.node] == [n.name for n in meta.graph_def.node]
    assert parsed.saver_def.filename_tensor_name == "save/Const:0"


def test_import_graph_def_is_a_clear_error() -> None:
    with teachflow.Graph().as_default() as g:
        teachflow.constant(1.0, name="c")
    with pytest.raises(NotImplementedError, match="tf.import_graph_def"):
        teachflow.import_graph_def(g.as_graph_def())
