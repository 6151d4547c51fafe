"""Summaries, event files, GraphDef export and Saver files against real TensorFlow and the real
tensorboard readers: the same programs give the same protos (parsed), op names, tags, values,
devices, files and errors. PNG bytes come from different encoders, so images compare pixels.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
from tensorboard.compat.proto.summary_pb2 import Summary

import teachflow

from .conftest import run_program

pytestmark = pytest.mark.compat

RNG = np.random.default_rng(42)


def _parse(results: Any) -> list[Summary]:
    items = results if isinstance(results, list) else [results]
    return [Summary.FromString(r) for r in items]


def _without_pngs(s: Summary) -> tuple[Summary, list[np.ndarray]]:
    """The summary with PNG bytes blanked, and the decoded pixels."""
    out = Summary()
    out.CopyFrom(s)
    images = []
    for v in out.value:
        if v.HasField("image"):
            images.append(np.array(Image.open(io.BytesIO(v.image.encoded_image_string))))
            v.image.encoded_image_string = b""
    return out, images


def same_summaries(tf1: Any, build: Callable[[Any], Any]) -> list[Summary]:
    """Runs ``build`` on both libraries; the parsed summaries, pixels and names must agree."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tf_fetch, tf_res = run_program(tf1, build)
        tt_fetch, tt_res = run_program(teachflow, build)
    assert not isinstance(tf_res, Exception), tf_res
    assert not isinstance(tt_res, Exception), tt_res
    tf_list = tf_fetch if isinstance(tf_fetch, list) else [tf_fetch]
    tt_list = tt_fetch if isinstance(tt_fetch, list) else [tt_fetch]
    assert [t.name for t in tt_list] == [t.name for t in tf_list]
    assert [t.op.type for t in tt_list] == [t.op.type for t in tf_list]
    tf_s, tt_s = _parse(tf_res), _parse(tt_res)
    for a, b in zip(tf_s, tt_s):
        a_meta, a_pix = _without_pngs(a)
        b_meta, b_pix = _without_pngs(b)
        assert b_meta == a_meta
        assert len(a_pix) == len(b_pix)
        for pa, pb in zip(a_pix, b_pix):
            assert pa.shape == pb.shape and pa.dtype == pb.dtype
            np.testing.assert_array_equal(pb, pa)
    return tt_s


def same_run_error(tf1: Any, build: Callable[[Any], Any]) -> tuple[Exception, Exception]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        _, tf_res = run_program(tf1, build)
        _, tt_res = run_program(teachflow, build)
    assert isinstance(tf_res, Exception) and isinstance(tt_res, Exception), (tf_res, tt_res)
    assert type(tt_res).__name__ == type(tf_res).__name__
    return tf_res, tt_res


# -- scalars ------------------------------------------------------------------------------------


def test_scalar_names_tags_and_values(tf1: Any) -> None:
    def build(tf: Any) -> list[Any]:
        x = tf.constant(1.5)
        out = [tf.summary.scalar("loss", x), tf.summary.scalar("loss", x * 2.0)]
        with tf.name_scope("layer1"):
            out.append(tf.summary.scalar("acc bad!", tf.constant(3, tf.int64)))
        out.append(tf.summary.scalar("lr", tf.constant(0.1, tf.float64), family="train"))
        out.append(tf.summary.scalar("/lead", tf.constant(7, tf.uint8)))
        return out

    same_summaries(tf1, build)


def test_scalar_summary_0x(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        fn = tf.scalar_summary if tf is teachflow else _logging_ops().scalar_summary
        return [fn(["a b", "c"], tf.constant([1.0, 2.0])), fn("sparsity", 0.25)]

    same_summaries(tf1, build)


def test_scalar_shape_mismatch_is_invalid_argument(tf1: Any) -> None:
    tf_err, tt_err = same_run_error(
        tf1, lambda tf: tf.summary.scalar("vec2", tf.constant([1.0, 2.0]))
    )
    assert "[] != [2] (tag 'vec2')" in str(tf_err) and "[] != [2] (tag 'vec2')" in str(tt_err)


# -- histograms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        RNG.normal(size=1000).astype(np.float32),
        RNG.normal(size=(30, 30)) * 1e5,
        np.arange(-50, 50, dtype=np.int32),
        RNG.uniform(-1e-11, 1e-11, 100),
        np.zeros(5, np.float32),
        np.array([1.0, 2.5, -3.0], np.float16),
        np.array([], np.float32),
        RNG.integers(0, 255, 64).astype(np.uint8),
        np.array([np.finfo(np.float32).max, -np.finfo(np.float32).max, 1e-30], np.float32),
    ],
    ids=["normal", "wide", "ints", "tiny", "zeros", "half", "empty", "uint8", "extremes"],
)
def test_histogram_protos_equal(tf1: Any, data: np.ndarray) -> None:
    same_summaries(tf1, lambda tf: tf.summary.histogram("h", tf.constant(data)))


def test_histogram_fed_and_0x(tf1: Any) -> None:
    data = RNG.standard_cauchy(5000).astype(np.float32)

    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None], name="x")
        fn = tf.histogram_summary if tf is teachflow else _logging_ops().histogram_summary
        return [tf.summary.histogram("w", x), fn("old tag", x)], {x: data}

    same_summaries(tf1, build)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_histogram_non_finite(tf1: Any, bad: float) -> None:
    same_run_error(tf1, lambda tf: tf.summary.histogram("h", tf.constant([1.0, bad])))


# -- images -------------------------------------------------------------------------------------


def _noisy(shape: tuple[int, ...], dtype: Any, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    data = RNG.uniform(lo, hi, shape).astype(dtype)
    flat = data.reshape(-1)
    flat[3], flat[17] = np.nan, np.inf
    return data


@pytest.mark.parametrize(
    "data",
    [
        RNG.normal(size=(4, 8, 9, 3)).astype(np.float32),
        RNG.uniform(0, 7, size=(2, 5, 5, 1)),
        RNG.integers(0, 255, (2, 3, 3, 4)).astype(np.uint8),
        RNG.normal(size=(1, 20, 20, 3)).astype(np.float16),
        _noisy((2, 6, 6, 3), np.float32),
        _noisy((1, 6, 6, 4), np.float64, 0.0, 5.0),
        np.zeros((1, 3, 3, 1), np.float32),
        np.full((1, 2, 2, 1), 1e-7, np.float32),
        np.array([0.5, 0.25, 0.0, 1.0, -1.0, 0.0, 1.0, 3.0], np.float32).reshape(2, 2, 2, 1),
    ],
    ids=["normal", "positive", "uint8", "half", "nonfinite", "rgba64", "zeros", "tiny", "memo"],
)
@pytest.mark.parametrize("max_outputs", [1, 3])
def test_image_pixels_equal(tf1: Any, data: np.ndarray, max_outputs: int) -> None:
    same_summaries(tf1, lambda tf: tf.summary.image("im", tf.constant(data), max_outputs))


def test_image_summary_0x_and_bad_shape(tf1: Any) -> None:
    data = RNG.uniform(0, 1, (3, 4, 4, 1)).astype(np.float32)

    def build(tf: Any) -> Any:
        fn = tf.image_summary if tf is teachflow else _logging_ops().image_summary
        return fn("digits", tf.constant(data), max_images=2)

    same_summaries(tf1, build)
    same_run_error(tf1, lambda tf: tf.summary.image("im", tf.zeros([1, 2, 2, 2])))


# -- text and merging ---------------------------------------------------------------------------


def test_text_and_merge(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        t = tf.summary.text("notes", tf.constant("**bold** text"))
        table = tf.summary.text("table", tf.constant([["a", "b"], ["c", "d"]]))
        nums = tf.summary.tensor_summary("nums", tf.constant([[1.0, 2.0]]), display_name="N")
        s = tf.summary.scalar("s", tf.constant(2.0))
        return [t, table, nums, tf.summary.merge([t, s], name="both"), tf.summary.merge_all()]

    same_summaries(tf1, build)


def test_merge_duplicate_tags(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        fn = tf.scalar_summary if tf is teachflow else _logging_ops().scalar_summary
        return tf.summary.merge([fn("dup", 1.0), fn("dup", 2.0)])

    tf_err, tt_err = same_run_error(tf1, build)
    assert "Duplicate tag dup found in summary inputs" in str(tt_err)


def test_collections_match(tf1: Any) -> None:
    names = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default() as g:
            lib.summary.scalar("a", 1.0)
            lib.summary.histogram("b", [1.0], collections=["mine"])
            lib.summary.merge_all()
            names.append(
                ([t.name for t in g.get_collection("summaries")], g.get_collection("mine")[0].name)
            )
    assert names[0] == names[1]


def _logging_ops() -> Any:
    from tensorflow.python.ops import logging_ops

    return logging_ops


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
