"""What TensorFlow 1.x has and teachflow does not (yet): a clear error instead of a bare
AttributeError, and the few switches of TensorFlow 2 that TF1 code calls.

>>> import teachflow as tf
>>> hasattr(tf, "py_func")
False
>>> tf.py_func  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
teachflow.unsupported.UnsupportedFeatureError: teachflow does not implement tf.py_func ...
"""

from __future__ import annotations

from typing import Any


class UnsupportedFeatureError(NotImplementedError, AttributeError):
    """A TensorFlow feature teachflow does not have.

    Also an AttributeError, so ``hasattr(tf, "py_func")`` is simply False.
    """


# TensorFlow 1.x names that learners meet in tutorials, with what to use instead here.
KNOWN: dict[str, str] = {
    "case": "compute the branches and pick with tf.where",
    "map_fn": "loop in Python, or use vectorised ops",
    "scan": "loop in Python around sess.run",
    "foldl": "loop in Python around sess.run",
    "foldr": "loop in Python around sess.run",
    "py_func": "compute the value in Python and feed it with feed_dict",
    "py_function": "compute the value in Python and feed it with feed_dict",
    "numpy_function": "compute the value in Python and feed it with feed_dict",
    "Print": "fetch the tensor with sess.run and print it",
    "print": "fetch the tensor with sess.run and print it",
    "Assert": "check the fetched value in Python",
    "SparseTensor": "use dense tensors",
    "sparse_tensor_to_dense": "use dense tensors",
    "estimator": "write the training loop with tf.Session",
    "keras": "use real TensorFlow (see the graduating notebook)",
    "FIFOQueue": "feed batches with feed_dict",
    "RandomShuffleQueue": "feed batches with feed_dict",
    "TFRecordReader": "load data with numpy and feed it",
    "image": "prepare images with numpy",
    "string_split": "process strings in Python",
    "einsum": "use tf.matmul with tf.transpose / tf.reshape",
    "custom_gradient": "define the op with teachflow.ops.registry (see CONTRIBUTING.md)",
    "function": "build the graph directly (graph mode)",
    "saved_model": "use tf.train.Saver, or export a GraphDef for real TensorFlow",
    "distribute": "teachflow runs on one CPU",
}


def unsupported(name: str) -> Any:
    """Raises the error for ``tf.<name>``: known TensorFlow features get a hint."""
    if name in KNOWN:
        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.{name} (TensorFlow 1.x has it). Hint: {KNOWN[name]}."
        )
    raise AttributeError(f"module 'teachflow' has no attribute '{name}'")


def disable_v2_behavior() -> None:
    """Accepted for code written for ``tf.compat.v1``: teachflow always behaves as 1.x."""


def enable_v2_behavior() -> None:
    raise UnsupportedFeatureError(
        "teachflow implements TensorFlow 1.x graph mode only. Hint: use real TensorFlow 2 for "
        "eager execution."
    )


def disable_eager_execution() -> None:
    """Accepted: teachflow is always in graph mode."""


def enable_eager_execution(*args: Any, **kwargs: Any) -> None:
    enable_v2_behavior()


def executing_eagerly() -> bool:
    return False
