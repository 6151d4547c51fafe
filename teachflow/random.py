"""``tf.random``: the 1.x names of the random ops and seeds (``tf.random.normal``...).

>>> import teachflow as tf
>>> print(tf.random.uniform([2]))
Tensor("random_uniform/RandomUniform:0", shape=(2,), dtype=float32)
"""

from __future__ import annotations

# ruff: noqa: F401 - this module is the public tf.random namespace
from teachflow.ops.random_ops import (
    categorical,
    get_seed,
    multinomial,
    set_random_seed,
    truncated_normal,
)
from teachflow.ops.random_ops import random_gamma as gamma
from teachflow.ops.random_ops import random_normal as normal
from teachflow.ops.random_ops import random_shuffle as shuffle
from teachflow.ops.random_ops import random_uniform as uniform
