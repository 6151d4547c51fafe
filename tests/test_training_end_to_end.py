"""Training as the tutorials do it: the Get Started regression, a small MLP, resuming training."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import teachflow as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_get_started_linear_regression() -> None:
    """The "Get Started: basic usage" program, verbatim apart from the 1.x initializer name."""
    x_data = np.random.default_rng(0).random(100).astype(np.float32)
    y_data = x_data * 0.1 + 0.3

    W = tf.Variable(tf.random_uniform([1], -1.0, 1.0))
    b = tf.Variable(tf.zeros([1]))
    y = W * x_data + b

    loss = tf.reduce_mean(tf.square(y - y_data))
    optimizer = tf.train.GradientDescentOptimizer(0.5)
    train = optimizer.minimize(loss)

    init = tf.global_variables_initializer()
    sess = tf.Session()
    sess.run(init)
    first_loss = sess.run(loss)
    for _ in range(201):
        sess.run(train)
    w_fit, b_fit = sess.run(W), sess.run(b)
    assert w_fit.shape == (1,) and b_fit.shape == (1,)
    assert abs(w_fit[0] - 0.1) < 1e-3 and abs(b_fit[0] - 0.3) < 1e-3
    assert sess.run(loss) < 1e-6 < first_loss
    sess.close()


def spirals(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals (n points each), a classic non-linearly-separable problem."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1)
    x = np.concatenate([arm, -arm]) / 10 + rng.normal(0, 0.02, (2 * n, 2))
    y = np.concatenate([np.zeros(n), np.ones(n)]).astype(np.int64)
    return x.astype(np.float32), y


def dense(x: Any, size: int, name: str, activation: Any = None) -> Any:
    with tf.variable_scope(name):
        w = tf.get_variable("W", [x.shape.as_list()[1], size])
        b = tf.get_variable("b", [size], initializer=tf.zeros_initializer())
        z = tf.matmul(x, w) + b
    return activation(z) if activation else z


def test_mlp_learns_two_spirals() -> None:
    """A 2-32-32-2 ReLU network with Adam reaches >= 95% accuracy on held-out spiral points."""
    rng = np.random.default_rng(1)
    x_train, y_train = spirals(150, rng)
    x_test, y_test = spirals(150, rng)
    tf.set_random_seed(1)

    x = tf.placeholder(tf.float32, [None, 2], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    h = dense(x, 32, "hidden1", tf.nn.relu)
    h = dense(h, 32, "hidden2", tf.nn.relu)
    logits = dense(h, 2, "output")
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    )
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.02).minimize(loss, global_step=step)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(accuracy, {x: x_test, labels: y_test})
        for _ in range(500):
            sess.run(train, {x: x_train, labels: y_train})
        after = sess.run(accuracy, {x: x_test, labels: y_test})
        assert sess.run(step) == 500
    assert before < 0.8
    assert after >= 0.95, f"held-out accuracy {after:.3f}"


def test_resuming_from_a_checkpoint_continues_the_same_run(tmp_path: Path) -> None:
    """Save mid-training (variables and optimizer slots), restore, and get the same result."""
    rng = np.random.default_rng(2)
    data = rng.normal(size=(64, 3)).astype(np.float32)
    target = (data @ np.array([[1.0], [-2.0], [0.5]], np.float32)) + 0.25

    x = tf.constant(data)
    pred = dense(x, 1, "linear")
    loss = tf.reduce_mean(tf.square(pred - target))
    step = tf.train.get_or_create_global_step()
    train = tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True).minimize(
        loss, global_step=step
    )
    saver = tf.train.Saver(max_to_keep=3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(30):
            sess.run(train)
            if (i + 1) % 10 == 0:
                saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
        for _ in range(30):
            sess.run(train)
        straight = sess.run(tf.trainable_variables())

    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-30")
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        assert sess.run(step) == 30
        for _ in range(30):
            sess.run(train)
        resumed = sess.run(tf.trainable_variables())
        assert sess.run(loss) < 1e-3
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a, b)


def test_train_namespace_old_and_missing_names(tmp_path: Path) -> None:
    assert tf.train.SummaryWriter is tf.summary.FileWriter  # the 0.x name of the seed
    tf.constant(1.0, name="c")
    graph_file = tf.train.write_graph(tf.get_default_graph(), str(tmp_path), "g.pbtxt")
    assert 'name: "c"' in Path(graph_file).read_text()
    with pytest.raises(NotImplementedError, match=r"MonitoredTrainingSession .*tf.Session"):
        tf.train.MonitoredTrainingSession  # noqa: B018 - the attribute access is what is tested
    assert not hasattr(tf.train, "no_such_name")
