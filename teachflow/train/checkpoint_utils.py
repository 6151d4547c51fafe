"""Reading a checkpoint without a graph (TensorFlow's ``checkpoint_utils``): the names and
shapes it holds, and one saved value.

>>> import os, tempfile
>>> import teachflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     w = tf.Variable([[1.0, 2.0]], name="w")
...     saver = tf.train.Saver()
...     with tf.Session() as sess:
...         sess.run(w.initializer)
...         path = saver.save(sess, os.path.join(tempfile.mkdtemp(), "model.ckpt"))
>>> tf.train.list_variables(path)
[('w', [1, 2])]
>>> tf.train.load_variable(os.path.dirname(path), "w")  # a directory: its latest checkpoint
array([[1., 2.]], dtype=float32)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from teachflow import errors, paths
from teachflow.train import checkpoint_format
from teachflow.train.checkpoint_management import latest_checkpoint


def list_variables(ckpt_dir_or_file: Any) -> list[tuple[str, list[int]]]:
    """``[(name, shape), ...]`` of a checkpoint (a prefix, or a directory: its latest one)."""
    prefix = _resolve(ckpt_dir_or_file)
    with checkpoint_format.open_checkpoint(prefix) as archive:
        return [
            (name, checkpoint_format.read_header(archive, prefix, name).shape)
            for name in sorted(archive.files)
        ]


def load_variable(ckpt_dir_or_file: Any, name: str) -> np.ndarray:
    """The saved value of ``name`` as a numpy array."""
    prefix = _resolve(ckpt_dir_or_file)
    with checkpoint_format.open_checkpoint(prefix) as archive:
        if name.endswith(":0"):
            name = name[:-2]
        if name not in archive.files:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return checkpoint_format.read_value(archive, prefix, name)


def _resolve(ckpt_dir_or_file: Any) -> str:
    path = paths.as_path(ckpt_dir_or_file, "ckpt_dir_or_file")
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(
                f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}"
            )
        return latest
    return path
