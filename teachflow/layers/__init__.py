"""``tf.layers``: TensorFlow 1.x's functional layers, with TensorFlow's variable and op names.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None, 28, 28, 1])
>>> h = tf.layers.conv2d(x, 8, 3, padding="same", activation=tf.nn.relu)
>>> h = tf.layers.max_pooling2d(h, 2, 2)
>>> logits = tf.layers.dense(tf.layers.flatten(h), 10)
>>> print(logits.name, logits.shape)
dense/BiasAdd:0 (?, 10)
"""

from __future__ import annotations

from typing import Any

# ruff: noqa: F401 - this module is the public tf.layers namespace
from teachflow.layers.base import Layer
from teachflow.layers.convolutional import (
    AveragePooling2D,
    Conv2D,
    MaxPooling2D,
    average_pooling2d,
    conv2d,
    max_pooling2d,
)
from teachflow.layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from teachflow.layers.normalization import BatchNormalization, batch_normalization
from teachflow.unsupported import UnsupportedFeatureError

# TensorFlow 1.x tf.layers names teachflow does not have: asking says so plainly
_NOT_IMPLEMENTED = frozenset(
    """conv1d conv3d conv2d_transpose conv3d_transpose separable_conv1d separable_conv2d
    max_pooling1d max_pooling3d average_pooling1d average_pooling3d Conv1D Conv3D
    Conv2DTranspose Conv3DTranspose SeparableConv1D SeparableConv2D MaxPooling1D MaxPooling3D
    AveragePooling1D AveragePooling3D InputSpec""".split()
)


def __getattr__(name: str) -> Any:
    if name in _NOT_IMPLEMENTED:
        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.layers.{name} (TensorFlow 1.x has it)."
        )
    raise AttributeError(f"module 'teachflow.layers' has no attribute '{name}'")
