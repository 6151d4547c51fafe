"""``tf.data``: input pipelines (``Dataset``, ``Iterator``) as graph ops.

>>> import teachflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices(([1.0, 2.0, 3.0], [0, 1, 0])).shuffle(3, seed=1)
>>> ds.output_types
(tf.float32, tf.int32)
"""

from __future__ import annotations

# ruff: noqa: F401 - this module is the public tf.data namespace
from teachflow.data.dataset_ops import Dataset, DatasetV1
from teachflow.data.iterator_ops import (
    Iterator,
    get_output_classes,
    get_output_shapes,
    get_output_types,
    make_initializable_iterator,
    make_one_shot_iterator,
)

IteratorV1 = Iterator
