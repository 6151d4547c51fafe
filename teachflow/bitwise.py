"""``tf.bitwise``: bitwise ops on integer tensors (the ops ``&``, ``|``, ``^``, ``~`` make
for integers), and shifts whose count is clamped to ``[0, bits - 1]`` as in TensorFlow.

>>> import teachflow as tf
>>> a, b = tf.constant([5, 3]), tf.constant([3, 6])
>>> tf.Session().run([tf.bitwise.bitwise_and(a, b), a | b, tf.bitwise.left_shift(a, 1)])
[array([1, 2], dtype=int32), array([7, 7], dtype=int32), array([10,  6], dtype=int32)]
"""

from __future__ import annotations

# ruff: noqa: F401 - this module is the public tf.bitwise namespace
from teachflow.ops.math_ops import (
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    invert,
    left_shift,
    right_shift,
)
