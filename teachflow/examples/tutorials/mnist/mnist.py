"""``tensorflow.examples.tutorials.mnist.mnist``: the model of the "TensorFlow Mechanics 101"
tutorial (``fully_connected_feed.py``): two ReLU layers and a linear softmax layer.

``inference`` builds the network in the name scopes ``hidden1``, ``hidden2``, ``softmax_linear``
(each with ``weights`` drawn from a truncated normal of stddev 1/sqrt(fan_in) and zero
``biases``), ``loss`` the mean sparse cross-entropy, ``training`` a gradient-descent step that
counts ``global_step``, ``evaluation`` the number of correct predictions.

>>> import teachflow as tf
>>> from teachflow.examples.tutorials.mnist import mnist
>>> images = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS])
>>> labels = tf.placeholder(tf.int32, [None])
>>> logits = mnist.inference(images, 128, 32)
>>> print(logits.name, [v.name for v in tf.trainable_variables()][:2])
softmax_linear/add:0 ['hidden1/weights:0', 'hidden1/biases:0']
"""

from __future__ import annotations

import math
from typing import Any

import teachflow as tf

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(scope: str, x: Any, fan_in: int, units: int, relu: bool) -> Any:
    with tf.name_scope(scope):
        init = tf.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in)))
        weights = tf.Variable(init, name="weights")
        biases = tf.Variable(tf.zeros([units]), name="biases")
        out = tf.matmul(x, weights) + biases
        return tf.nn.relu(out) if relu else out


def inference(images: Any, hidden1_units: int, hidden2_units: int) -> Any:
    """Logits ``[batch, NUM_CLASSES]`` for images ``[batch, IMAGE_PIXELS]``."""
    hidden1 = _layer("hidden1", images, IMAGE_PIXELS, hidden1_units, relu=True)
    hidden2 = _layer("hidden2", hidden1, hidden1_units, hidden2_units, relu=True)
    return _layer("softmax_linear", hidden2, hidden2_units, NUM_CLASSES, relu=False)


def loss(logits: Any, labels: Any) -> Any:
    """The mean cross-entropy of ``logits`` against class numbers ``labels``."""
    return tf.losses.sparse_softmax_cross_entropy(labels=tf.to_int64(labels), logits=logits)


def training(loss: Any, learning_rate: float) -> Any:
    """A gradient-descent step on ``loss`` that increments ``global_step`` (and a loss summary)."""
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits: Any, labels: Any) -> Any:
    """How many examples have their label as the top prediction (an int32 scalar)."""
    correct = tf.nn.in_top_k(logits, labels, 1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))
