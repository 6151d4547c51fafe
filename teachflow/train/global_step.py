"""The global step: an int64 scalar variable counting training steps (``GraphKeys.GLOBAL_STEP``).

``optimizer.minimize(loss, global_step=step)`` adds one to it after each update.

>>> import teachflow as tf
>>> step = tf.train.get_or_create_global_step()
>>> step
<tf.Variable 'global_step:0' shape=() dtype=int64_ref>
>>> tf.train.get_global_step() is step
True
"""

from __future__ import annotations

import logging
from typing import Any

from teachflow import dtypes
from teachflow.graph import Graph, GraphKeys, Tensor, get_default_graph
from teachflow.variables import Variable

_log = logging.getLogger("teachflow")


def assert_global_step(global_step_tensor: Any) -> None:
    """Raises TypeError unless ``global_step_tensor`` is an integer scalar variable or tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(
            f'Existing "global_step" must be a Variable or Tensor: {global_step_tensor}.'
        )
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(
            f'Existing "global_step" does not have integer type: {global_step_tensor.dtype}'
        )
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')


def _graph_arg(graph: Any) -> Graph:
    """``graph`` (the default graph when None), or a TypeError naming the argument."""
    if graph is None:
        return get_default_graph()
    if not isinstance(graph, Graph):
        raise TypeError(
            f"graph must be a tf.Graph, got {graph!r} of type {type(graph).__name__}.\n"
            "  Hint: pass a tf.Graph, or nothing for the default graph."
        )
    return graph


def get_global_step(graph: Graph | None = None) -> Any:
    """The global step of ``graph`` (default graph): the one in its collection, else the
    tensor named ``global_step:0``, else None."""
    g = _graph_arg(graph)
    found = g.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        step = found[0]
    elif not found:
        try:
            step = g.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    else:
        _log.error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(step)
    return step


def create_global_step(graph: Graph | None = None) -> Variable:
    """Creates the global step (``global_step``: int64, starts at 0, not trainable).

    Raises:
      ValueError: the graph already has one.
    """
    from teachflow import init_ops
    from teachflow.variable_scope import get_variable

    g = _graph_arg(graph)
    if get_global_step(g) is not None:
        raise ValueError('"global_step" already exists.')
    with g.as_default(), g.name_scope(None):
        return get_variable(  # type: ignore[no-any-return]
            GraphKeys.GLOBAL_STEP,
            shape=[],
            dtype=dtypes.int64,
            initializer=init_ops.zeros_initializer(),
            trainable=False,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
        )


def get_or_create_global_step(graph: Graph | None = None) -> Any:
    """The graph's global step, created (an int64 variable starting at 0) if missing."""
    g = _graph_arg(graph)
    step = get_global_step(g)
    if step is None:
        step = create_global_step(g)
    return step


def global_step(sess: Any, global_step_tensor: Any) -> int:
    """The value of the global step in ``sess``, as a Python int.

    >>> import teachflow as tf
    >>> step = tf.train.get_or_create_global_step()
    >>> sess = tf.Session()
    >>> sess.run(step.initializer)
    >>> tf.train.global_step(sess, step)
    0
    """
    if not callable(getattr(sess, "run", None)):
        raise TypeError(
            f"sess must be a tf.Session, got {sess!r} of type {type(sess).__name__}.\n"
            "  Hint: call tf.train.global_step(sess, global_step_tensor), session first."
        )
    return int(sess.run(global_step_tensor))
