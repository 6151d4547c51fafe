"""tf.train.Saver: round trips, the checkpoint files, errors, damaged files and killed writers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import teachflow as tf

REPO = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("fresh_graph")


def model() -> tuple[Any, Any, Any]:
    with tf.variable_scope("layer"):
        w = tf.get_variable("W", initializer=tf.constant([[1.0, 2.0], [3.0, 4.0]]))
        b = tf.get_variable("b", initializer=tf.constant([0.5, -0.5]))
    n = tf.Variable(7, name="n")
    return w, b, n


def python(script: str, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


# -- round trips ------------------------------------------------------------------------------


def test_save_returns_the_path_and_restore_needs_no_initialization(tmp_path: Path) -> None:
    w, b, n = model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [[9.0, 8.0], [7.0, 6.0]]))
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert path == str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        saver.restore(sess, path)
        vw, vb, vn = sess.run([w, b, n])
    np.testing.assert_array_equal(vw, [[9.0, 8.0], [7.0, 6.0]])
    np.testing.assert_array_equal(vb, [0.5, -0.5])
    assert vn == 7 and vw.dtype == np.float32 and vn.dtype == np.int32


def test_restore_into_another_graph_built_the_same_way(tmp_path: Path) -> None:
    w, _, _ = model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign_add(w, tf.ones([2, 2])))
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        w2, _, _ = model()
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, path)
            np.testing.assert_array_equal(sess.run(w2), [[2.0, 3.0], [4.0, 5.0]])


def test_var_list_as_list_or_name_dict(tmp_path: Path) -> None:
    w, b, n = model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver([b]).save(sess, str(tmp_path / "list"))
        tf.train.Saver({"bias": b, "count": n}).save(sess, str(tmp_path / "dict"))
    assert [name for name, _ in tf.train.list_variables(str(tmp_path / "list"))] == ["layer/b"]
    assert tf.train.list_variables(str(tmp_path / "dict")) == [("bias", [2]), ("count", [])]
    with tf.Graph().as_default():
        other = tf.Variable([0.0, 0.0], name="other")
        with tf.Session() as sess:
            tf.train.Saver({"bias": other}).restore(sess, str(tmp_path / "dict"))
            np.testing.assert_array_equal(sess.run(other), [0.5, -0.5])


def test_string_and_bool_variables_round_trip(tmp_path: Path) -> None:
    s = tf.Variable([b"hello", b"w\xc3\xb6rld"], name="s")
    flag = tf.Variable([True, False], name="flag")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, str(tmp_path / "s"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        vs, vf = sess.run([s, flag])
    assert vs.tolist() == [b"hello", b"w\xc3\xb6rld"] and vf.tolist() == [True, False]


def test_training_state_round_trips_with_optimizer_slots(tmp_path: Path) -> None:
    w = tf.Variable([1.0, -1.0], name="w")
    train = tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(tf.square(w - 3.0)))
    saver = tf.train.Saver()
    names = [name for name, _ in saver._vars.items()]
    assert names == ["beta1_power", "beta2_power", "w", "w/Adam", "w/Adam_1"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(5):
            sess.run(train)
        path = saver.save(sess, str(tmp_path / "adam"))
        for _ in range(5):
            sess.run(train)
        expected = sess.run(w)
    with tf.Session() as sess:
        saver.restore(sess, path)
        for _ in range(5):
            sess.run(train)
        np.testing.assert_array_equal(sess.run(w), expected)


# -- the files ---------------------------------------------------------------------------------


def test_files_are_readable_with_numpy_alone(tmp_path: Path) -> None:
    w, b, n = model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    assert prefix is not None
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint",
        "model.ckpt.data-00000-of-00001",
        "model.ckpt.index",
        "model.ckpt.meta",
    ]
    with np.load(prefix + ".data-00000-of-00001", allow_pickle=False) as data:
        assert sorted(data.files) == ["layer/W", "layer/b", "n"]
        np.testing.assert_array_equal(data["layer/W"], [[1.0, 2.0], [3.0, 4.0]])
        assert data["n"].dtype == np.int32
    index = json.loads(Path(prefix + ".index").read_text())
    assert index["tensors"]["layer/W"] == {"dtype": "float32", "shape": [2, 2]}
    assert index["data"] == "model.ckpt.data-00000-of-00001"


def test_global_step_suffix_and_the_checkpoint_state_file(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpt")
    model()
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, "ckpt/model", global_step=1) == "ckpt/model-1"
        sess.run(tf.assign(step, 2))
        assert saver.save(sess, "ckpt/model", global_step=step) == "ckpt/model-2"
    assert Path("ckpt/checkpoint").read_text() == (
        'model_checkpoint_path: "model-2"\n'
        'all_model_checkpoint_paths: "model-1"\n'
        'all_model_checkpoint_paths: "model-2"\n'
    )
    assert tf.train.latest_checkpoint("ckpt") == "ckpt/model-2"
    state = tf.train.get_checkpoint_state("ckpt")
    assert state is not None
    assert state.model_checkpoint_path == "ckpt/model-2"
    assert state.all_model_checkpoint_paths == ["ckpt/model-1", "ckpt/model-2"]
    assert tf.train.checkpoint_exists("ckpt/model-1")


def test_absolute_paths_stay_absolute_in_the_state_file(tmp_path: Path) -> None:
    model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    text = (tmp_path / "checkpoint").read_text()
    assert text.splitlines()[0] == f'model_checkpoint_path: "{path}"'
    assert tf.train.latest_checkpoint(str(tmp_path)) == path


def test_max_to_keep_deletes_the_oldest(tmp_path: Path) -> None:
    model()
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 5):
            saver.save(sess, prefix, global_step=step)
    assert saver.last_checkpoints == [f"{prefix}-3", f"{prefix}-4"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".index") == [
        "m-3.index",
        "m-4.index",
    ]
    assert not (tmp_path / "m-1.data-00000-of-00001").exists()
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state is not None
    assert state.all_model_checkpoint_paths == [f"{prefix}-3", f"{prefix}-4"]


def test_max_to_keep_none_keeps_everything(tmp_path: Path) -> None:
    model()
    saver = tf.train.Saver(max_to_keep=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in range(1, 8):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert len(list(tmp_path.glob("*.index"))) == 7


def test_latest_checkpoint_without_a_state_file_is_none(tmp_path: Path) -> None:
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) is None  # its files do not exist


def test_paths_may_be_bytes(tmp_path: Path) -> None:
    w, _, _ = model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, bytes(tmp_path / "m"), global_step=3)
        assert path == str(tmp_path / "m-3")
        assert tf.train.latest_checkpoint(bytes(tmp_path)) == path
        sess.run(tf.assign(w, tf.zeros([2, 2])))
        saver.restore(sess, path.encode())
        np.testing.assert_array_equal(sess.run(w), [[1.0, 2.0], [3.0, 4.0]])
    assert dict(tf.train.list_variables(bytes(tmp_path)))["layer/W"] == [2, 2]
    with pytest.raises(TypeError, match="save_path must be a path"):
        saver.save(sess, 5)


def test_saver_arguments_of_the_wrong_kind() -> None:
    model()
    with pytest.raises(TypeError, match="keep_checkpoint_every_n_hours must be a number"):
        tf.train.Saver(keep_checkpoint_every_n_hours="1")
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver({1, 2})
    tf.train.Saver(keep_checkpoint_every_n_hours=None)  # TensorFlow's default, as in TensorFlow
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        tf.train.update_checkpoint_state("no/such/dir", "no/such/dir/m")


def test_saver_adds_tensorflows_ops() -> None:
    model()
    s1 = tf.train.Saver()
    s2 = tf.train.Saver()
    names = [
        op.name for op in tf.get_default_graph().get_operations() if op.name.startswith("save")
    ]
    assert names[:6] == [
        "save/filename/input",
        "save/filename",
        "save/Const",
        "save/SaveV2/tensor_names",
        "save/SaveV2/shape_and_slices",
        "save/SaveV2",
    ]
    assert "save/restore_all" in names and "save_1/restore_all" in names
    assert s1.saver_def is not None and s2.saver_def is not None
    assert s1.saver_def.save_tensor_name == "save/control_dependency:0"
    assert s2.saver_def.filename_tensor_name == "save_1/Const:0"
    assert str(s1.saver_def).startswith('filename_tensor_name: "save/Const:0"\n')


# -- errors --------------------------------------------------------------------------------------


def test_no_variables_to_save() -> None:
    with pytest.raises(ValueError, match="^No variables to save$"):
        tf.train.Saver()
    assert tf.train.Saver(allow_empty=True).save(tf.Session(), "unused") is None


def test_missing_parent_directory(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        # as TensorFlow: the checkpoint's own directory is created, but not its parents
        assert saver.save(sess, "newdir/model") == "newdir/model"
        with pytest.raises(ValueError) as e:
            saver.save(sess, "nonexistdir/sub/model")
    assert str(e.value) == "Parent directory of nonexistdir/sub/model doesn't exist, can't save."
    assert tf.train.latest_checkpoint("newdir") == "newdir/model"


def test_unusable_parent_directory(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a directory")
    model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError) as e:
            saver.save(sess, "afile/model")
    assert str(e.value) == "Parent directory of afile/model doesn't exist, can't save."


def test_saving_uninitialized_variables_fails(tmp_path: Path) -> None:
    model()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            tf.train.Saver().save(sess, str(tmp_path / "m"))
    assert not list(tmp_path.iterdir())


def test_restore_from_a_path_that_is_not_a_checkpoint(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError) as e:
            saver.restore(sess, "ckpt/nonexist")
        assert str(e.value) == "The passed save_path is not a valid checkpoint: ckpt/nonexist"
        with pytest.raises(ValueError, match="Can't load save_path when it is None."):
            saver.restore(sess, None)
        with pytest.raises(TypeError, match="'sess' must be a Session; None"):
            saver.save(None, "x")


def test_restore_errors_for_missing_keys_and_mismatches(tmp_path: Path) -> None:
    v = tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0], name="v")
        tf.Variable(1.0, name="extra")
        with tf.Session() as sess, pytest.raises(tf.errors.NotFoundError) as e:
            tf.train.Saver().restore(sess, path)
        assert "Key extra not found in checkpoint" in str(e.value)
        assert str(e.value).startswith("Restoring from checkpoint failed.")
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as e2:
            tf.train.Saver().restore(sess, path)
        assert "Assign requires shapes of both tensors to match. lhs shape= [] rhs shape= [2]" in (
            str(e2.value)
        )
    with tf.Graph().as_default():
        tf.Variable([1, 2], name="v")
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as e3:
            tf.train.Saver().restore(sess, path)
        assert "tensor_name = v; expected dtype int32 does not equal original dtype float" in (
            str(e3.value)
        )


def test_a_failed_restore_changes_no_variable(tmp_path: Path) -> None:
    a = tf.Variable([1.0, 2.0], name="a")
    b = tf.Variable([3.0], name="b")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        a2 = tf.Variable([10.0, 20.0], name="a")
        tf.Variable([30.0, 40.0], name="b")  # "b" comes after "a" and has the wrong shape
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.InvalidArgumentError):
                saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run(a2), [10.0, 20.0])
    del a, b


def test_invalid_var_lists() -> None:
    v = tf.Variable(1.0, name="v")
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([tf.constant(1.0)])
    with pytest.raises(TypeError, match="Not a variable"):
        tf.train.Saver({"a": 3})
    with pytest.raises(ValueError, match="At least two variables have the same name: v"):
        tf.train.Saver([v, v])
    with pytest.raises(ValueError, match="The same saveable will be restored with two names: b"):
        tf.train.Saver({"a": v, "b": v})
    with pytest.raises(NotImplementedError, match="reshape"):
        tf.train.Saver(reshape=True)


# -- damaged files ---------------------------------------------------------------------------


def _damage_data(path: Path, how: str) -> None:
    raw = path.read_bytes()
    if how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "flipped":
        i = len(raw) // 2  # inside the stored array
        path.write_bytes(raw[:i] + bytes([raw[i] ^ 0xFF]) + raw[i + 1 :])
    elif how == "garbage":
        path.write_bytes(os.urandom(len(raw)))
    elif how == "missing":
        path.unlink()


@pytest.mark.parametrize("how", ["truncated", "flipped", "garbage", "missing", "foreign_index"])
def test_damaged_checkpoints_raise_data_loss_and_change_nothing(tmp_path: Path, how: str) -> None:
    w = tf.Variable(np.arange(10000, dtype=np.float32), name="w")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(w.initializer)
        prefix = saver.save(sess, str(tmp_path / "m"))
    assert prefix is not None
    if how == "foreign_index":
        Path(prefix + ".index").write_bytes(b"\x00\x01 an sstable written by TensorFlow")
    else:
        _damage_data(Path(prefix + ".data-00000-of-00001"), how)
    with tf.Session() as sess:
        sess.run(tf.assign(w, tf.zeros([10000])))
        with pytest.raises(tf.errors.DataLossError, match="Unable to read checkpoint"):
            saver.restore(sess, prefix)
        assert not sess.run(w).any()


# -- other processes ----------------------------------------------------------------------------

SAVE_SCRIPT = """
    import sys
    import teachflow as tf
    w = tf.Variable([[1.5, 2.5]], name="w")
    step = tf.train.get_or_create_global_step()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [[-1.0, 4.0]]))
        sess.run(tf.assign(step, 42))
        print(tf.train.Saver().save(sess, sys.argv[1], global_step=step))
"""

RESTORE_SCRIPT = """
    import sys
    import teachflow as tf
    w = tf.Variable([[0.0, 0.0]], name="w")
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, tf.train.latest_checkpoint(sys.argv[1]))
        print(sess.run(w).tolist())
"""


def test_round_trip_across_processes(tmp_path: Path) -> None:
    out, err = python(SAVE_SCRIPT, str(tmp_path / "model.ckpt")).communicate(timeout=120)
    assert out.strip() == str(tmp_path / "model.ckpt-42"), err
    w = tf.Variable([[0.0, 0.0]], name="w")
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert sess.run(w).tolist() == [[-1.0, 4.0]] and sess.run(step) == 42
        sess.run(tf.assign(w, [[7.0, 8.0]]))
        saver.save(sess, str(tmp_path / "model.ckpt"), global_step=43)
    out, err = python(RESTORE_SCRIPT, str(tmp_path)).communicate(timeout=120)
    assert out.strip() == "[[7.0, 8.0]]", err


WRITER_SCRIPT = """
    import sys
    import numpy as np
    import teachflow as tf
    folder, mode = sys.argv[1], sys.argv[2]
    big = tf.Variable(tf.zeros([1 << 20]), name="big")     # 4 MB
    count = tf.Variable(0.0, name="count")
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        k = int(sys.argv[3])
        while True:
            big.load(np.full([1 << 20], k, np.float32), sess)
            count.load(float(k), sess)
            print("saving", k, flush=True)
            if mode == "same":
                saver.save(sess, folder + "/model.ckpt")
            else:
                saver.save(sess, folder + "/model.ckpt", global_step=k)
            print("saved", k, flush=True)
            k += 1
"""


def _temp_file_appears(folder: Path, kind: str, before: set[str], timeout: float) -> bool:
    """Polls until a new temporary file of ``kind`` (data, index, checkpoint) is being written."""
    marker = {"data": ".data-", "index": ".index.", "checkpoint": ".checkpoint."}[kind]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in os.listdir(folder):
            if name.endswith(".tmp") and marker in name and name not in before:
                return True
    return False


@pytest.mark.parametrize("mode", ["same", "step"])
def test_a_killed_save_leaves_the_previous_checkpoint_intact(tmp_path: Path, mode: str) -> None:
    rng = np.random.default_rng(7)
    saved = 0
    hit_data_write = False
    # kill while the data file is written, while the index is, while the state file is, and
    # at a random moment
    for kind in ["data", "index", "checkpoint", "random"]:
        proc = python(WRITER_SCRIPT, str(tmp_path), mode, str(saved + 1))
        assert proc.stdout is not None
        kill_at = saved + 1 + int(rng.integers(1, 3))  # let it finish a save or two first
        line = ""
        while not line.startswith(f"saving {kill_at}"):
            line = proc.stdout.readline()
            assert line, proc.communicate()[1]
            if line.startswith("saved"):
                saved = int(line.split()[1])
        if kind == "random":
            time.sleep(float(rng.uniform(0, 0.05)))
        else:
            before = {n for n in os.listdir(tmp_path) if n.endswith(".tmp")}
            hit = _temp_file_appears(tmp_path, kind, before, timeout=5.0)
            hit_data_write |= hit and kind == "data"
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=60)
        saved = max([saved] + [int(x.split()[1]) for x in rest.splitlines() if "saved" in x])

        with tf.Graph().as_default():
            big = tf.Variable(tf.zeros([1 << 20]), name="big")
            count = tf.Variable(0.0, name="count")
            latest = tf.train.latest_checkpoint(str(tmp_path))
            assert latest is not None
            with tf.Session() as sess:
                tf.train.Saver().restore(sess, latest)
                k, values = sess.run(count), sess.run(big)
        # the restored checkpoint is one whole save: the last one reported, or the one killed
        assert k in (saved, saved + 1), (kind, k, saved)
        assert (values == k).all()
        saved = int(k)
    assert hit_data_write, "no kill landed while a data file was being written"


def test_save_without_tensorboard_skips_the_meta_file(tmp_path, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tensorboard" else real_find_spec(name, *a),
    )
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            with pytest.warns(UserWarning, match="no .meta file"):
                path = saver.save(sess, str(tmp_path / "model"))
            sess.run(tf.assign(v, [0.0, 0.0]))
            saver.restore(sess, path)
            assert sess.run(v).tolist() == [1.0, 2.0]
    assert not (tmp_path / "model.meta").exists()
    assert (tmp_path / "model.index").exists()


# -- untrusted files, races and leftovers ---------------------------------------------------------


def _saved_v(tmp_path: Path) -> tuple[Any, Any, str]:
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(v.initializer)
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert prefix is not None
    return v, saver, prefix


def _restore_peak(saver: Any, prefix: str) -> tuple[BaseException | None, int]:
    """What restoring raises, and the most memory it held at once (bytes)."""
    import tracemalloc

    error = None
    with tf.Session() as sess:
        tracemalloc.start()
        try:
            saver.restore(sess, prefix)
        except Exception as e:  # noqa: BLE001 - returned to the test
            error = e
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return error, peak


def test_a_zip_bomb_data_file_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    import zipfile

    _, saver, prefix = _saved_v(tmp_path)
    data = prefix + ".data-00000-of-00001"
    n = 2**24  # 64 MiB of float32 zeros: about 64 KiB deflated
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("v.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f4", "fortran_order": False, "shape": (n,)}
            )
            for _ in range(64):
                f.write(bytes(n // 16))
    assert os.path.getsize(data) < 2**20
    error, peak = _restore_peak(saver, prefix)
    assert isinstance(error, tf.errors.DataLossError)
    assert "v has shape [16777216] in the data file, [2] in the index" in str(error)
    assert peak < 8 * 2**20


def test_a_data_entry_longer_than_its_header_declares_is_refused(tmp_path: Path) -> None:
    import zipfile

    _, saver, prefix = _saved_v(tmp_path)
    data = prefix + ".data-00000-of-00001"
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("v.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array(f, np.array([3.0, 4.0], np.float32))
            f.write(bytes(2**20))
    error, _ = _restore_peak(saver, prefix)
    assert isinstance(error, tf.errors.DataLossError)
    assert "holds 1048712 bytes, not the 136 its header declares" in str(error)


@pytest.mark.parametrize("which", ["index", "checkpoint"])
def test_index_and_state_files_are_read_bounded(tmp_path: Path, which: str) -> None:
    """A symlink to /dev/zero (endless) is refused at once instead of read forever."""
    _, saver, prefix = _saved_v(tmp_path)
    target = prefix + ".index" if which == "index" else str(tmp_path / "checkpoint")
    os.remove(target)
    os.symlink("/dev/zero", target)
    if which == "index":
        error, _ = _restore_peak(saver, prefix)
        assert isinstance(error, tf.errors.DataLossError)
        assert "model.ckpt.index is not a teachflow checkpoint index" in str(error)
    else:
        assert tf.train.get_checkpoint_state(str(tmp_path)) is None
        assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_a_deeply_nested_index_is_damaged_data(tmp_path: Path) -> None:
    _, saver, prefix = _saved_v(tmp_path)
    Path(prefix + ".index").write_text("[" * 100_000 + "]" * 100_000)
    error, _ = _restore_peak(saver, prefix)
    assert isinstance(error, tf.errors.DataLossError)
    with pytest.raises(tf.errors.DataLossError):
        tf.train.list_variables(prefix)


def test_checkpoint_files_follow_the_umask_set_after_import(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        _, _, prefix = _saved_v(tmp_path)
    finally:
        os.umask(old)
    for path in (prefix + ".index", prefix + ".data-00000-of-00001", tmp_path / "checkpoint"):
        assert os.stat(path).st_mode & 0o777 == 0o600, path


def test_importing_teachflow_changes_no_umask_and_no_numpy_docstring() -> None:
    script = """
        import os, numpy as np
        calls = []
        real = os.umask
        os.umask = lambda mask: calls.append(mask) or real(mask)
        docs = {n: getattr(np, n).__doc__ for n in dir(np) if isinstance(getattr(np, n), np.ufunc)}
        import teachflow
        changed = [n for n, d in docs.items() if getattr(np, n).__doc__ != d]
        print(calls, changed)
    """
    out = python(script).communicate(timeout=120)[0]
    assert out.strip() == "[] []"


def test_saves_racing_to_create_the_directory_all_succeed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another saver creates the directory between the check and our mkdir."""
    real_mkdir = os.mkdir

    def someone_else_was_first(path: Any, *args: Any) -> None:
        real_mkdir(path, *args)
        raise FileExistsError(17, "File exists", path)

    monkeypatch.setattr(os, "mkdir", someone_else_was_first)
    _, _, prefix = _saved_v(tmp_path / "new")
    assert tf.train.checkpoint_exists(prefix)


def test_many_sessions_save_into_one_new_directory(tmp_path: Path) -> None:
    import threading

    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver()
    failures: list[BaseException] = []

    def save(d: Path, k: int, start: threading.Barrier) -> None:
        with tf.Session(graph=v.graph) as sess:
            sess.run(v.initializer)
            start.wait()
            try:
                saver.save(sess, str(d / f"model-{k}"), write_state=False)
            except BaseException as e:  # noqa: BLE001 - reported below
                failures.append(e)

    for r in range(10):
        start = threading.Barrier(4)
        threads = [
            threading.Thread(target=save, args=(tmp_path / f"run{r}", k, start)) for k in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures


@pytest.mark.parametrize("max_to_keep", [-1, 1])
def test_the_checkpoint_just_written_is_never_deleted(tmp_path: Path, max_to_keep: int) -> None:
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver(max_to_keep=max_to_keep)
    with tf.Session() as sess:
        sess.run(v.initializer)
        for step in range(3):
            path = saver.save(sess, str(tmp_path / "model"), global_step=step)
            assert tf.train.checkpoint_exists(path)
    assert saver.last_checkpoints == [path]
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    assert not tf.train.checkpoint_exists(str(tmp_path / "model-1"))


def test_the_next_save_removes_temporary_files_of_crashed_saves(tmp_path: Path) -> None:
    ended = python("pass")
    ended.wait()
    running = os.getppid()
    stale = [
        f".model-1.data-00000-of-00001.{ended.pid}-0a1b2c3d.tmp",
        f".model-1.index.{ended.pid}-0a1b2c3e.tmp",
        f".checkpoint.{ended.pid}-0a1b2c3f.tmp",
    ]
    live = [f".model-2.data-00000-of-00001.{running}-0a1b2c40.tmp", ".notes.tmp"]
    for name in stale + live:
        (tmp_path / name).write_bytes(b"half a file")
    _, _, prefix = _saved_v(tmp_path / "x")  # another directory: nothing there is touched
    v = tf.Variable([3.0], name="w")
    saver = tf.train.Saver([v])
    with tf.Session() as sess:
        sess.run(v.initializer)
        saver.save(sess, str(tmp_path / "model"), global_step=3)
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
    assert left == sorted(live)
