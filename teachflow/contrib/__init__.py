"""``tf.contrib``: only what the classic TensorFlow 1.x tutorials use.

- ``tf.contrib.layers``: ``xavier_initializer``, ``variance_scaling_initializer``,
  ``fully_connected``, ``conv2d``, ``max_pool2d``, ``flatten``, ``dropout``,
  ``l1_regularizer``/``l2_regularizer``, ``apply_regularization``.
- ``tf.contrib.rnn``: the RNN cells and ``static_rnn`` (the same objects as ``tf.nn.rnn_cell``).

Everything else in contrib raises :class:`~teachflow.unsupported.UnsupportedFeatureError`.

>>> import teachflow as tf
>>> init = tf.contrib.layers.xavier_initializer()
>>> tf.contrib.slim  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
teachflow.unsupported.UnsupportedFeatureError: teachflow does not implement tf.contrib.slim ...
"""

from __future__ import annotations

from typing import Any

from teachflow.contrib import layers, rnn
from teachflow.unsupported import UnsupportedFeatureError

__all__ = ["layers", "rnn"]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise UnsupportedFeatureError(
        f"teachflow does not implement tf.contrib.{name} (TensorFlow 1.x had it; TensorFlow 2 "
        "removed tf.contrib). Hint: teachflow has tf.contrib.layers' initializers, "
        "fully_connected, conv2d, flatten and regularizers, and tf.contrib.rnn's cells; for "
        "the rest use TensorFlow 1.x itself."
    )
