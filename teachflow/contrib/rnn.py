"""``tf.contrib.rnn``: TensorFlow 1.x's RNN cells and ``static_rnn`` under their contrib names.

They are the same objects as ``tf.nn.rnn_cell.*`` and ``tf.nn.static_rnn`` (looked up when
first asked for); the rest of contrib.rnn raises UnsupportedFeatureError.
"""

from __future__ import annotations

from typing import Any

from teachflow.unsupported import UnsupportedFeatureError

_CELLS = frozenset(
    """RNNCell BasicRNNCell BasicLSTMCell LSTMCell GRUCell MultiRNNCell DropoutWrapper
    LSTMStateTuple ResidualWrapper DeviceWrapper""".split()
)
_FUNCTIONS = {"static_rnn": "static_rnn", "static_bidirectional_rnn": "static_bidirectional_rnn"}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from teachflow import nn

    found: Any = None
    if name in _CELLS:
        found = getattr(getattr(nn, "rnn_cell", None), name, None)
    elif name in _FUNCTIONS:
        found = getattr(nn, _FUNCTIONS[name], None)
    if found is None:
        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.contrib.rnn.{name} (TensorFlow 1.x had it)."
        )
    return found
