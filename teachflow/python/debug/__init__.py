"""``tensorflow.python.debug`` (tfdbg), as TensorFlow 1.x code imports it:
``from tensorflow.python import debug as tf_debug``.

Only the filter ``has_inf_or_nan(datum, tensor)``; to find the first op making NaN or Inf in
a notebook, use :func:`teachflow.debug.find_non_finite` or ``tf.debug.watch_non_finite``.

>>> import numpy as np
>>> from teachflow.python import debug as tf_debug
>>> tf_debug.has_inf_or_nan(None, np.array([1.0, np.nan]))
True
"""

from __future__ import annotations

from typing import Any

from teachflow.debug import is_non_finite


def has_inf_or_nan(datum: Any, tensor: Any) -> bool:
    """tfdbg's filter: whether ``tensor`` (a numpy value) holds NaN or Inf; ``datum`` (the
    tensor's debug metadata) is not used."""
    return is_non_finite(tensor)
