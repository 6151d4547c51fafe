"""What old classroom programs lean on, against real TensorFlow: cross-entropy's flattening of
outer dimensions, any iterable ``var_list``, ``tensorflow.python.framework.ops``, ``tf.app.flags``
and the ``tf.contrib.layers`` initializers (TensorFlow 2 has no contrib: they are compared with
the core initializers contrib's were defined to equal)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error

RNG = np.random.default_rng(5)
LOGITS = RNG.normal(size=(4, 7)).astype(np.float32)
CLASSES = np.array([[1], [3], [6], [0]])


@pytest.mark.parametrize("v2", [True, False])
def test_xent_flattens_outer_dims_of_labels(tf1: Any, v2: bool) -> None:
    """lab-06's zoo: labels one_hot(Y) of shape (?, 1, 7) (or [that], (1, ?, 7)) against (?, 7)."""

    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.int32, [None, 1])
        x = tf.placeholder(tf.float32, [None, 7])
        one_hot = tf.one_hot(y, 7)
        xent = tf.nn.softmax_cross_entropy_with_logits_v2 if v2 else (
            tf.nn.softmax_cross_entropy_with_logits
        )  # fmt: skip
        loss = xent(labels=one_hot, logits=x)
        wrapped = xent(labels=tf.reshape(one_hot, [1, -1, 7]), logits=x)
        listed = xent(labels=[tf.reshape(one_hot, [-1, 7])], logits=x)  # lab-06: labels=[Y]
        cost = tf.reduce_mean(loss)
        ops = listed.graph.get_operations()
        packs[tf.__name__] = [o.name for o in ops if o.type == "Pack" and "labels" in o.name]
        return [loss, wrapped, listed, cost, tf.gradients(cost, x)[0]], {y: CLASSES, x: LOGITS}

    packs: dict[str, list[str]] = {}
    compare(tf1, build)
    assert packs["teachflow"] == packs[tf1.__name__]  # where labels=[y] is packed


def test_xent_broadcasts_a_single_label_row(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        labels = tf.constant(np.full((1, 7), 1 / 7, np.float32))
        return tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=tf.constant(LOGITS))

    compare(tf1, build)


@pytest.mark.parametrize(
    ("labels", "logits"), [((2, 3, 7), (5, 7)), ((3, 6), (3, 7)), ((3, 7), (2, 3, 7))]
)
def test_xent_shape_errors_at_build(
    tf1: Any, labels: tuple[int, ...], logits: tuple[int, ...]
) -> None:
    tf_err, tt_err = construction_error(
        tf1,
        lambda tf: tf.nn.softmax_cross_entropy_with_logits_v2(
            labels=tf.placeholder(tf.float32, labels), logits=tf.placeholder(tf.float32, logits)
        ),
    )
    head = str(tf_err).split(" for ")[0]
    assert str(tt_err).startswith(head), (tt_err, tf_err)


def test_xent_batch_mismatch_at_run_time(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        y = tf.placeholder(tf.float32, [None, 1, 7])
        x = tf.placeholder(tf.float32, [None, 7])
        loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x)
        return loss, {y: np.ones((3, 1, 7), np.float32) / 7, x: LOGITS}

    tf_err, tt_err = compare(tf1, build)
    assert "logits and labels must be broadcastable: logits_size=[4,7] labels_size=[3,7]" in str(
        tt_err
    )
    assert "logits and labels must be broadcastable: logits_size=[4,7] labels_size=[3,7]" in str(
        tf_err
    )


@pytest.mark.parametrize("kind", ["values", "dict", "nested"])
def test_var_list_takes_dict_values_and_nests(tf1: Any, kind: str) -> None:
    """The GAN tutorial: ``minimize(var_list=theta.values())``."""

    def build(tf: Any) -> Any:
        theta = {"w": tf.Variable(2.0, name="w"), "b": tf.Variable(1.0, name="b")}
        other = tf.Variable(5.0, name="other")
        loss = theta["w"] * theta["b"] * other
        var_list = {
            "values": theta.values(),
            "dict": theta,
            "nested": [[theta["w"]], (theta["b"],)],
        }[kind]
        opt = tf.train.GradientDescentOptimizer(0.1)
        pairs = opt.compute_gradients(loss, var_list=var_list)
        step = opt.apply_gradients(pairs)
        with tf.control_dependencies([step]):
            after = tf.identity(theta["w"].read_value())
        return [after, [v.name for _, v in pairs] and pairs[0][0]]

    compare(tf1, build, names=False)
    with teachflow.Graph().as_default():
        a, b = teachflow.Variable(1.0), teachflow.Variable(2.0)
        opt = teachflow.train.GradientDescentOptimizer(0.1)
        pairs = opt.compute_gradients(a * b, var_list=(v for v in [b, a]))  # a generator too
        assert [v for _, v in pairs] == [b, a]


def test_python_framework_ops_names(tf1: Any) -> None:
    from tensorflow.python.framework import ops as tf_ops

    from teachflow.python.framework import ops

    used = """reset_default_graph get_default_graph Graph Operation name_scope GraphKeys
    convert_to_tensor control_dependencies add_to_collection get_collection get_collection_ref
    add_to_collections device get_name_scope""".split()
    for name in used:
        assert hasattr(tf_ops, name) and hasattr(ops, name), name
    assert ops.GraphKeys.TRAINABLE_VARIABLES == tf_ops.GraphKeys.TRAINABLE_VARIABLES
    assert ops.Tensor is teachflow.Tensor  # TensorFlow 1.x's ops.Tensor (2.x moved it)
    ops.reset_default_graph()
    g = ops.get_default_graph()
    with ops.name_scope("outer"):
        c = ops.convert_to_tensor([1.0, 2.0])
        assert ops.get_name_scope() == "outer"
    ops.add_to_collection("mine", c)
    assert c.name == "outer/Const:0" and ops.get_collection("mine") == [c]
    ops.reset_default_graph()
    assert ops.get_default_graph() is not g


def test_contrib_xavier_is_glorot_uniform(tf1: Any) -> None:
    """contrib's xavier_initializer() was glorot_uniform: the same graph and the same bounds."""

    def graph(lib: Any, init: Any) -> list[tuple[str, str]]:
        with lib.Graph().as_default() as g:
            lib.get_variable("w", [30, 20], initializer=init(lib))
            return [(op.name, op.type) for op in g.get_operations()]

    ours = graph(teachflow, lambda tf: tf.contrib.layers.xavier_initializer())
    theirs = graph(tf1, lambda tf: tf.glorot_uniform_initializer())
    assert ours == theirs
    values = []
    for lib, init in ((tf1, tf1.glorot_uniform_initializer()),
                      (teachflow, teachflow.contrib.layers.xavier_initializer())):  # fmt: skip
        with lib.Graph().as_default():
            with lib.Session() as sess:
                values.append(sess.run(init([300, 200])))
    limit = np.sqrt(6 / 500)
    for v in values:
        assert np.abs(v).max() <= limit and v.std() == pytest.approx(limit / np.sqrt(3), rel=0.05)


@pytest.mark.parametrize(
    ("mode", "uniform"), [("FAN_IN", False), ("FAN_AVG", True), ("FAN_OUT", False)]
)
def test_contrib_variance_scaling_spread(tf1: Any, mode: str, uniform: bool) -> None:
    """contrib's variance_scaling_initializer(factor, mode) has stddev sqrt(factor / n), like the
    core VarianceScaling(scale=factor, mode=mode.lower()) (whose truncated normal is the same
    up to the 0.8796 correction contrib rounded to 1.3)."""
    shape = [5, 5, 16, 32]
    fan_in, fan_out = 5 * 5 * 16, 5 * 5 * 32
    n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2}[mode]
    init = teachflow.contrib.layers.variance_scaling_initializer(2.0, mode, uniform, seed=3)
    with teachflow.Graph().as_default(), teachflow.Session() as sess:
        v = sess.run(init(shape))
    with tf1.Graph().as_default(), tf1.Session() as sess:
        core = tf1.variance_scaling_initializer(
            2.0, mode.lower(), "uniform" if uniform else "truncated_normal"
        )
        w = sess.run(core(shape))
    assert v.std() == pytest.approx(np.sqrt(2.0 / n), rel=0.08)
    assert v.std() == pytest.approx(w.std(), rel=0.1)
    with pytest.raises(TypeError, match=r"Unknown mode FAN \[FAN_IN, FAN_OUT, FAN_AVG\]"):
        teachflow.contrib.layers.variance_scaling_initializer(mode="FAN")


def test_contrib_l2_regularizer_is_scaled_l2_loss(tf1: Any) -> None:
    w = RNG.normal(size=(3, 4)).astype(np.float32)

    def build(tf: Any) -> Any:
        weights = tf.constant(w)
        if tf is teachflow:
            return tf.contrib.layers.l2_regularizer(0.01)(weights)
        with tf.name_scope("l2_regularizer") as name:  # contrib's definition, written out
            return tf.multiply(
                tf.convert_to_tensor(0.01, name="scale"), tf.nn.l2_loss(weights), name=name
            )

    compare(tf1, build)
    with pytest.raises(ValueError, match="Setting a scale less than 0 on a regularizer: -1"):
        teachflow.contrib.layers.l2_regularizer(-1.0)
    assert teachflow.contrib.layers.l2_regularizer(0.0)(teachflow.constant(1.0)) is None


def test_sparse_xent_loss_gradient(tf1: Any) -> None:
    """Mechanics 101's loss: tf.losses.sparse_softmax_cross_entropy, differentiated."""

    def build(tf: Any) -> Any:
        logits = tf.constant(LOGITS)
        labels = tf.to_int64(tf.constant([1, 3, 6, 0]))
        loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        return [loss, tf.gradients(loss, logits)[0]]

    compare(tf1, build)
