"""Per-session state: variable values and random generators (the graph holds none).

Two sessions on one graph each have their own :class:`SessionState`, hence their own values.
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
        self.rngs: dict[Any, np.random.Generator] = {}
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
        self.state.variables[self.name] = value
        self.state.changed()

    def __repr__(self) -> str:
        return f"<Ref {self.name}>"
