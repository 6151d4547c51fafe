"""TensorFlow 0.x names that TensorFlow 1.0 removed: they work here, and say the current name.

Old memos use ``tf.mul``, ``tf.sub``, ``tf.neg``, ``tf.pack``... In TensorFlow 1.0 these
became AttributeErrors, exactly where learners get stuck; teachflow runs them and warns once
with the 1.x name.

>>> import warnings
>>> import teachflow as tf
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     _ = tf.mul(tf.constant(2), 3)
>>> print(caught[0].message)
tf.mul is the TensorFlow 0.x name; since TensorFlow 1.0 it is tf.multiply (teachflow accepts both).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from teachflow.ops import math_ops, matmul_ops, stack_ops, where_ops


def zero_x_name(old: str, new: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` under its 0.x name ``old``: the same op, plus a DeprecationWarning naming ``new``."""

    @functools.wraps(fn)
    def renamed(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"tf.{old} is the TensorFlow 0.x name; since TensorFlow 1.0 it is tf.{new} "
            "(teachflow accepts both).",
            DeprecationWarning,
            stacklevel=2,
        )
        return fn(*args, **kwargs)

    renamed.__name__ = old
    return renamed


mul = zero_x_name("mul", "multiply", math_ops.mul)
sub = zero_x_name("sub", "subtract", math_ops.sub)
neg = zero_x_name("neg", "negative", math_ops.neg)
pack = zero_x_name("pack", "stack", stack_ops.pack)
unpack = zero_x_name("unpack", "unstack", stack_ops.unpack)
select = zero_x_name("select", "where", where_ops.select)


def _batch_matmul(
    x: Any, y: Any, adj_x: bool | None = None, adj_y: bool | None = None, name: str | None = None
) -> Any:
    """TensorFlow 0.x's batch_matmul(x, y, adj_x, adj_y): matmul with adjoint flags."""
    return matmul_ops.matmul(x, y, adjoint_a=bool(adj_x), adjoint_b=bool(adj_y), name=name)


batch_matmul = zero_x_name("batch_matmul", "matmul", _batch_matmul)
