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

# file readers of tf.data that teachflow does not have: a clear error, with what to do instead
_NOT_IMPLEMENTED = frozenset(
    "TextLineDataset TFRecordDataset FixedLengthRecordDataset experimental Options".split()
)


def __getattr__(name: str) -> object:
    if name in _NOT_IMPLEMENTED:
        from teachflow.unsupported import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.data.{name} (TensorFlow 1.x has it). Hint: read "
            "the file with numpy or Python and use tf.data.Dataset.from_tensor_slices."
        )
    raise AttributeError(f"module 'teachflow.data' has no attribute '{name}'")
