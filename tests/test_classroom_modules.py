"""tf.app, tf.contrib and the import hook, as old programs use them (TensorFlow 2 has none of
tf.contrib to compare with: these are checked against TensorFlow 1.x's documented behaviour)."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

import teachflow as tf
from teachflow import as_tensorflow
from teachflow.unsupported import UnsupportedFeatureError
from tests.conftest import run

pytestmark = pytest.mark.usefixtures("fresh_graph")


# -- tf.app ------------------------------------------------------------------------------------


def test_flags_parse_types_and_leave_the_rest() -> None:
    fv = tf.app.flags.FlagValues()
    flags = tf.app.flags
    flags.DEFINE_string("name", "mnist", "A name.", flag_values=fv)
    flags.DEFINE_integer("steps", 10, "Steps.", flag_values=fv)
    flags.DEFINE_float("lr", 0.1, "Learning rate.", flag_values=fv)
    flags.DEFINE_boolean("fake", True, "Fake data.", flag_values=fv)
    flags.DEFINE_list("sizes", "3,4", "Sizes.", flag_values=fv)
    flags.DEFINE_enum("opt", "sgd", ["sgd", "adam"], "Optimizer.", flag_values=fv)
    rest = fv(["prog", "--steps", "5", "--nofake", "a", "--lr=0.5", "--unknown=1", "--opt=adam"])
    assert rest == ["prog", "a", "--unknown=1"]
    assert (fv.name, fv.steps, fv.lr, fv.fake, fv.sizes, fv.opt) == (
        "mnist", 5, 0.5, False, ["3", "4"], "adam"
    )  # fmt: skip
    assert fv.flag_values_dict()["steps"] == 5
    fv.steps = 7
    assert fv.steps == 7
    with pytest.raises(AttributeError, match="Unknown command line flag 'stpes'"):
        fv.stpes  # noqa: B018
    with pytest.raises(tf.app.flags.Error, match="defined twice"):
        flags.DEFINE_integer("steps", 1, "again", flag_values=fv)
    with pytest.raises(tf.app.flags.IllegalFlagValueError):
        flags.DEFINE_integer("bad", "x", "not an int", flag_values=fv)
    with pytest.raises(SystemExit):
        fv(["prog", "--steps=ten"])


def test_app_run_calls_main_with_the_unparsed_args(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setattr(tf.app, "FLAGS", tf.app.flags.FlagValues())
    monkeypatch.setattr(sys, "argv", ["lab.py", "--x=1", "rest"])
    with pytest.raises(SystemExit) as e:
        tf.app.run(main=lambda argv: seen.append(argv) or 3)
    assert seen == [["lab.py", "--x=1", "rest"]] and e.value.code == 3


# -- tf.contrib ---------------------------------------------------------------------------------


def test_fully_connected_names_defaults_and_reuse() -> None:
    x = tf.placeholder(tf.float32, [None, 4])
    h = tf.contrib.layers.fully_connected(x, 3)
    y = tf.contrib.layers.fully_connected(h, 2, activation_fn=None, scope="out")
    y2 = tf.contrib.layers.fully_connected(h, 2, activation_fn=None, scope="out", reuse=True)
    z = tf.contrib.layers.fully_connected(
        x, 2, activation_fn=tf.nn.sigmoid, weights_initializer=tf.ones_initializer(),
        weights_regularizer=tf.contrib.layers.l2_regularizer(0.5),
        biases_initializer=None,
    )  # fmt: skip
    assert [h.name, y.name, y2.name, z.name] == [
        "fully_connected/Relu:0", "out/BiasAdd:0", "out_1/BiasAdd:0", "fully_connected_1/Sigmoid:0"
    ]  # fmt: skip
    names = [v.name for v in tf.global_variables()]
    assert names == ["fully_connected/weights:0", "fully_connected/biases:0", "out/weights:0",
                     "out/biases:0", "fully_connected_1/weights:0"]  # fmt: skip
    assert [v.name for v in tf.model_variables()] == names
    assert len(tf.get_collection(tf.GraphKeys.WEIGHTS)) == 3
    (reg,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    xs = np.ones((2, 4), np.float32)
    got, penalty = run([z, reg], {x: xs})
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-4.0)) * np.ones((2, 2)), rtol=1e-6)
    assert penalty == pytest.approx(0.5 * 8 / 2)
    with pytest.raises(ValueError, match="num_outputs type should be one of"):
        tf.contrib.layers.fully_connected(x, 2.5)


def test_contrib_conv_pool_flatten_dropout() -> None:
    img = tf.placeholder(tf.float32, [None, 8, 8, 3])
    c = tf.contrib.layers.conv2d(img, 4, [3, 3], weights_initializer=tf.ones_initializer())
    p = tf.contrib.layers.max_pool2d(c, [2, 2])
    a = tf.contrib.layers.avg_pool2d(c, 2, stride=1)
    f = tf.contrib.layers.flatten(p)
    d = tf.contrib.layers.dropout(f, keep_prob=0.5, is_training=False)
    assert [c.name, p.name, a.name, f.name, d.name] == [
        "Conv/Relu:0", "MaxPool2D/MaxPool:0", "AvgPool2D/AvgPool:0",
        "Flatten/flatten/Reshape:0", "Dropout/dropout/Identity:0",
    ]  # fmt: skip
    assert [v.name for v in tf.trainable_variables()] == ["Conv/weights:0", "Conv/biases:0"]
    assert (c.shape.as_list(), p.shape.as_list(), f.shape.as_list()) == (
        [None, 8, 8, 4], [None, 4, 4, 4], [None, 64]
    )  # fmt: skip
    out = run(c, {img: np.ones((1, 8, 8, 3), np.float32)})
    assert out[0, 4, 4, 0] == 27.0 and out[0, 0, 0, 0] == 12.0  # SAME padding by default


def test_contrib_rnn_is_tf_nn_rnn_cell() -> None:
    rnn = importlib.import_module("teachflow.contrib.rnn")
    for name in ("BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
                 "DropoutWrapper", "LSTMStateTuple"):  # fmt: skip
        assert getattr(rnn, name) is getattr(tf.nn.rnn_cell, name)
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn


@pytest.mark.parametrize(
    "where", ["tf.contrib.slim", "tf.contrib.learn", "tf.contrib.layers.batch_norm",
              "tf.contrib.rnn.AttentionCellWrapper", "tf.layers.conv1d"],
)  # fmt: skip
def test_the_rest_of_contrib_says_so(where: str) -> None:
    obj, *path = where.split(".")[1:]
    with pytest.raises(UnsupportedFeatureError, match=f"teachflow does not implement {where}"):
        node = getattr(tf, obj)
        for p in path:
            node = getattr(node, p)
    assert not hasattr(tf.contrib, "slim")


# -- the import hook ----------------------------------------------------------------------------


def test_hook_maps_tensorflow_modules_and_uninstalls() -> None:
    assert "tensorflow" not in sys.modules or not sys.modules["tensorflow"].__name__.startswith(
        "teachflow"
    )
    real = sys.modules.pop("tensorflow", None)
    saved = {k: sys.modules.pop(k) for k in list(sys.modules) if k.startswith("tensorflow.")}
    try:
        as_tensorflow.install(announce=False)
        tensorflow = importlib.import_module("tensorflow")
        v1 = importlib.import_module("tensorflow.compat.v1")
        ops = importlib.import_module("tensorflow.python.framework.ops")
        input_data = importlib.import_module("tensorflow.examples.tutorials.mnist.input_data")
        layers = importlib.import_module("tensorflow.contrib.layers")
        assert tensorflow is tf and v1 is tf and ops.reset_default_graph is tf.reset_default_graph
        assert input_data.read_data_sets.__module__.startswith("teachflow.examples")
        assert layers is tf.contrib.layers
        assert tf.__spec__.name == "teachflow"  # the alias leaves teachflow's own spec alone
        with pytest.raises(ModuleNotFoundError, match="has no 'teachflow.estimator'"):
            importlib.import_module("tensorflow.estimator")
    finally:
        as_tensorflow.uninstall()
        sys.modules.update(saved)
        if real is not None:
            sys.modules["tensorflow"] = real
    assert not any(isinstance(f, as_tensorflow.TensorFlowAlias) for f in sys.meta_path)


def test_layers_are_scopes_in_the_graph_view() -> None:
    from teachflow.drawing import graph_nodes_edges

    x = tf.placeholder(tf.float32, [None, 8, 8, 1])
    h = tf.layers.max_pooling2d(tf.layers.conv2d(x, 4, 3, activation=tf.nn.relu), 2, 2)
    tf.layers.dense(tf.layers.flatten(h), 10)
    drawn = graph_nodes_edges(tf.get_default_graph())
    top = {c["name"] for c in drawn["clusters"] if c["parent"] == ""}
    assert top == {"conv2d", "flatten", "dense"}  # a one-op scope is drawn as its op
    assert "max_pooling2d/MaxPool" in {n["name"] for n in drawn["nodes"]}
