"""``tensorflow.python.debug`` (tfdbg), as TensorFlow 1.x code imports it:
``from tensorflow.python import debug as tf_debug``.

The filter ``has_inf_or_nan(datum, tensor)`` and ``LocalCLIDebugWrapperSession`` without its
terminal: a wrapped run with filters prints the first tensor that passes one (with
:class:`teachflow.debug.NonFiniteReport`'s details: its op's inputs, where it was built, a
hint), then finishes, as tfdbg's ``run -f <filter>`` followed by ``run``.

>>> import numpy as np
>>> from teachflow.python import debug as tf_debug
>>> tf_debug.has_inf_or_nan(None, np.array([1.0, np.nan]))
True
"""

from __future__ import annotations

import time
from typing import Any

from teachflow.debug import NonFiniteReport, is_non_finite
from teachflow.errors import created_at


def has_inf_or_nan(datum: Any, tensor: Any) -> bool:
    """tfdbg's filter: whether ``tensor`` (a numpy value) holds NaN or Inf; ``datum`` (the
    tensor's debug metadata) is not used."""
    return is_non_finite(tensor)


class DebugTensorDatum:
    """What a filter learns about a tensor besides its value: ``node_name``, ``output_slot``,
    ``tensor_name`` (``"Log:0"``) and ``timestamp`` (microseconds)."""

    def __init__(self, node_name: str, output_slot: int) -> None:
        self.node_name = node_name
        self.output_slot = output_slot
        self.tensor_name = f"{node_name}:{output_slot}"
        self.timestamp = int(time.time() * 1e6)

    def __repr__(self) -> str:
        return f"DebugTensorDatum({self.tensor_name})"


class LocalCLIDebugWrapperSession:
    """A session whose runs look for the first tensor passing a registered filter.

    >>> import teachflow as tf
    >>> from teachflow.python import debug as tf_debug
    >>> x = tf.placeholder(tf.float32, name="x")
    >>> y = tf.log(x, name="log_x") * 2.0
    >>> sess = tf_debug.LocalCLIDebugWrapperSession(tf.Session())
    >>> sess.add_tensor_filter("has_inf_or_nan", tf_debug.has_inf_or_nan)
    >>> _ = sess.run(y, {x: 0.0})  # doctest: +ELLIPSIS
    tfdbg: log_x:0 is the first tensor to pass filter has_inf_or_nan
    log_x:0 : Tensor had Inf values (op 'log_x', Log)
    ...
    >>> sess.last_hit.op.name
    'log_x'
    """

    def __init__(self, sess: Any, dump_root: Any = None, log_usage: bool = True,
                 ui_type: str = "curses", thread_name_filter: Any = None,
                 config_file_path: Any = None) -> None:  # fmt: skip
        if not hasattr(sess, "stepper"):
            raise TypeError(
                f"LocalCLIDebugWrapperSession wraps a tf.Session, got {type(sess).__name__}."
            )
        self._sess = sess
        self._filters: dict[str, Any] = {}
        # the last run's first tensor passing a filter, and its report when it is NaN or Inf
        self.last_datum: DebugTensorDatum | None = None
        self.last_hit: NonFiniteReport | None = None

    def add_tensor_filter(self, filter_name: str, tensor_filter: Any) -> None:
        """Registers ``tensor_filter(datum, tensor) -> bool`` under ``filter_name``."""
        if not callable(tensor_filter):
            raise TypeError(f"tensor_filter must be callable, got {type(tensor_filter).__name__}.")
        self._filters[filter_name] = tensor_filter

    def run(self, fetches: Any, feed_dict: Any = None, options: Any = None,
            run_metadata: Any = None) -> Any:  # fmt: skip
        """``sess.run``; with filters, it reports the first tensor passing one."""
        if not self._filters:
            return self._sess.run(fetches, feed_dict, options=options, run_metadata=run_metadata)
        execution = self._sess.stepper(fetches, feed_dict)
        self.last_hit = None
        self.last_datum = None
        execution.observers.append(self._observer(execution))
        return execution.run_to_end()

    def _observer(self, execution: Any) -> Any:
        def watch(event: str, rec: Any) -> None:
            if event != "finished" or self.last_datum is not None:
                return
            for slot, value in enumerate(rec.outputs):
                datum = DebugTensorDatum(rec.op.name, slot)
                hit = next(
                    (n for n, f in self._filters.items() if value is not None and f(datum, value)),
                    None,
                )
                if hit is None:
                    continue
                self.last_datum = datum
                print(f"tfdbg: {datum.tensor_name} is the first tensor to pass filter {hit}")
                if is_non_finite(value):
                    self.last_hit = NonFiniteReport(
                        rec.op, rec.index, rec.inputs, rec.outputs, execution.plan
                    )
                    print(self.last_hit)
                elif (place := created_at(rec.op)) is not None:
                    print(f"  '{rec.op.name}' was created at {place}")
                return

        return watch

    # the rest is the wrapped session's
    def __getattr__(self, name: str) -> Any:
        return getattr(self._sess, name)

    def __enter__(self) -> LocalCLIDebugWrapperSession:
        self._sess.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._sess.__exit__(*exc)
