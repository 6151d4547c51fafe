"""Per-session state: variable values, random generators, iterators (the graph holds none).

Two sessions on one graph each have their own :class:`SessionState`, hence their own values.

A variable's value is one buffer, updated in place as TensorFlow 1.x updates a ref variable:
its ``read`` aliases the buffer, so an op that consumes the read after an ``assign_add`` (under
a control dependency) sees the new value. Values leaving a run (fetches, step records) are
copies.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from teachflow import errors


class SessionState:
    """Variable values by variable-op name, and one random generator per random op."""

    def __init__(self) -> None:
        self.variables: dict[str, np.ndarray] = {}
        self.rngs: dict[Any, Any] = {}  # per random op: its generator (ops.philox.Stream)
        # stateful resources other than variables, by op name (tf.data iterators)
        self.resources: dict[str, Any] = {}
        self.lock = threading.RLock()
        # bumped by every write to a variable, so that views (the widgets) can tell that what
        # they show is stale; anything that changes ``variables`` must call ``changed()``
        self.version = 0

    def changed(self) -> None:
        self.version += 1


class Ref:
    """What a variable op outputs: a handle on its value in one session's state."""

    __slots__ = ("state", "name")

    def __init__(self, state: SessionState, name: str) -> None:
        self.state = state
        self.name = name

    def read(self, op: Any = None) -> np.ndarray:
        """The live buffer (not a copy): in-place updates later in the run show through it."""
        try:
            return self.state.variables[self.name]
        except KeyError:
            raise errors.FailedPreconditionError(
                None,
                None,
                f"Attempting to use uninitialized value {self.name}",
                "run tf.global_variables_initializer() (or this variable's .initializer) in "
                "this session first.",
            ) from None

    def peek(self) -> np.ndarray | None:
        return self.state.variables.get(self.name)

    @property
    def initialized(self) -> bool:
        return self.name in self.state.variables

    def write(self, value: np.ndarray) -> None:
        """Makes ``value`` the variable's new buffer (earlier reads keep the old one)."""
        self.state.variables[self.name] = value
        self.state.changed()

    def assign(self, value: Any) -> np.ndarray:
        """TensorFlow's ``Assign``: copies ``value`` into the existing buffer when it holds as
        many elements (so earlier reads see it), else into a new buffer; returns the buffer."""
        old = self.state.variables.get(self.name)
        value = np.asarray(value)
        if (
            isinstance(old, np.ndarray)
            and old.size == value.size
            and old.dtype == value.dtype
            and old.flags.writeable
            and old.flags.c_contiguous
        ):
            buf = old if old.shape == value.shape else old.reshape(value.shape)
            buf[...] = value
        else:
            buf = np.array(value, copy=True)
        self.state.variables[self.name] = buf
        self.state.changed()
        return buf

    def changed(self) -> None:
        """Call after updating the buffer in place (``read()`` then ``+=``)."""
        self.state.changed()

    def __repr__(self) -> str:
        return f"<Ref {self.name}>"
