"""The checkpoint ops ``SaveV2`` and ``RestoreV2`` (TensorFlow's ``io_ops``), which a Saver
adds to the graph: running them writes or reads the files of ``checkpoint_format``.

>>> import os, tempfile
>>> import teachflow as tf
>>> prefix = os.path.join(tempfile.mkdtemp(), "model.ckpt")
>>> g = tf.Graph()
>>> with g.as_default():
...     v = tf.constant([1.0, 2.0])
...     save = save_v2(tf.constant(prefix), tf.constant(["v"]), tf.constant([""]), [v])
...     (restored,) = restore_v2(
...         tf.constant(prefix), tf.constant(["v"]), tf.constant([""]), [tf.float32], [[2]])
>>> with tf.Session(graph=g) as sess:
...     sess.run(save)
...     print(sess.run(restored))
[1. 2.]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.tensor_shape import TensorShape
from teachflow.train.checkpoint_format import read_checkpoint, write_checkpoint


def string_value(x: Any) -> str:
    """A fetched scalar string (bytes, str or a 0-d array) as ``str``."""
    x = x[()] if isinstance(x, np.ndarray) else x
    return x.decode() if isinstance(x, bytes) else str(x)


@registry.define("SaveV2", infer=registry.no_outputs, stateful=True, grad=not_differentiable)
def _save_v2_kernel(prefix: Any, tensor_names: Any, shape_and_slices: Any, *tensors: Any) -> None:
    """writes tensors[i] under tensor_names[i] to the checkpoint <prefix>"""
    names = [string_value(n) for n in np.asarray(tensor_names).reshape(-1)]
    write_checkpoint(string_value(prefix), list(zip(names, tensors)))


def _restore_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    shapes = op.attrs.get("_shapes") or [None] * len(op.attrs["dtypes"])
    return [(dt, TensorShape(s)) for dt, s in zip(op.attrs["dtypes"], shapes)]


@registry.define(
    "RestoreV2", infer=_restore_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _restore_v2_kernel(
    ctx: registry.KernelContext, prefix: Any, tensor_names: Any, shape_and_slices: Any
) -> Any:
    """reads tensor_names from the checkpoint <prefix>, all checked before any is returned"""
    names = [string_value(n) for n in np.asarray(tensor_names).reshape(-1)]
    shapes = ctx.attrs.get("_shapes") or [None] * len(names)
    values = read_checkpoint(string_value(prefix), names, ctx.attrs["dtypes"], shapes)
    return values[0] if len(values) == 1 else tuple(values)


def save_v2(
    prefix: Tensor,
    tensor_names: Tensor,
    shape_and_slices: Tensor,
    tensors: list[Tensor],
    name: str | None = None,
) -> Operation:
    """The op that saves ``tensors`` under ``tensor_names`` to the checkpoint ``prefix``."""
    attrs = {"dtypes": [t.dtype.base_dtype for t in tensors]}
    return registry.make("SaveV2", [prefix, tensor_names, shape_and_slices, *tensors], attrs, name)


def restore_v2(
    prefix: Tensor,
    tensor_names: Tensor,
    shape_and_slices: Tensor,
    dtypes: list[dtypes.DType],
    shapes: list[Any] | None = None,
    name: str | None = None,
) -> list[Tensor]:
    """The values of ``tensor_names`` in the checkpoint ``prefix``; ``shapes`` (a list, None
    for "any") are checked against the saved ones when the op runs."""
    attrs = {"dtypes": list(dtypes), "_shapes": shapes}
    return registry.make("RestoreV2", [prefix, tensor_names, shape_and_slices], attrs, name).outputs
