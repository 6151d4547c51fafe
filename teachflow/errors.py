"""``tf.errors``: TensorFlow's run-time error classes and codes, plus teaching context.

Every error keeps TensorFlow's class and first line (what learners search for), and adds the
node it happened at, where the user created that node, and one hint on the fix.
"""

from __future__ import annotations

import copy
import linecache
import os
import sys
import types
from typing import Any

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


def _context(op: Any, hint: str | None) -> str:
    lines = []
    where = created_at(op)
    if where:
        lines.append(f"  '{op.name}' was created at {where}")
    if hint:
        lines.append(f"  Hint: {hint}")
    return "\n".join(lines)


def created_at(op: Any) -> str | None:
    """Where the user's code created ``op``: ``notebook cell 3, line 2 (b = tf.constant(1))``
    in a notebook, ``file:line (source)`` elsewhere; None when unknown."""
    from teachflow import paths

    tb = getattr(op, "traceback", None)
    if not tb:
        return None
    fname, line, _ = tb
    src = linecache.getline(fname, line).strip()
    return paths.code_place(fname, line) + (f" ({src})" if src else "")


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_name(value: Any) -> str | None:
    """The name the user's code holds ``value`` under (a tensor, op or variable), looked up in
    the innermost calling frame outside teachflow: locals, then globals; None when no name
    refers to it. Hints then read ``{b: value}`` rather than ``{'b:0': value}``."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return None
    for scope in (frame.f_locals, frame.f_globals):
        for name, held in list(scope.items()):
            if not name.startswith("_") and _refers_to(held, value):
                return name
    return None


def _refers_to(held: Any, value: Any) -> bool:
    if held is value:
        return True
    # a tf.Variable stands for its ref tensor, its read snapshot and its op
    return type(held).__name__ in ("Variable", "RefVariable") and any(
        getattr(held, attr, None) is value for attr in ("_variable", "_snapshot", "op")
    )


def python_expr(t: Any) -> str:
    """How a hint writes tensor ``t`` in code: the user's name for it, else a placeholder that
    names the tensor (``<tensor 'Const_10:0'>``), never a graph name posing as a variable."""
    return user_name(t) or f"<tensor {getattr(t, 'name', t)!r}>"


class OpError(Exception):
    """A failure while running an op: ``.op``, ``.node_def``, ``.message``, ``.error_code``."""

    def __init__(
        self,
        node_def: Any,
        op: Any,
        message: str,
        error_code: int = UNKNOWN,
        hint: str | None = None,
    ) -> None:
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code
        self.hint = hint
        super().__init__(node_def, op, message, error_code)

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self) -> Any:
        return self._op

    @property
    def node_def(self) -> Any:
        """The failing node's NodeDef (from ``.op`` when the raiser gave none)."""
        if self._node_def is None and self._op is not None:
            return self._op.node_def
        return self._node_def

    @property
    def experimental_payloads(self) -> dict[str, Any]:
        return {}

    @property
    def error_code(self) -> int:
        return self._error_code

    def __reduce__(self) -> Any:
        return type(self), (self._node_def, self._op, self._message, self._error_code, self.hint)

    def at_node(self, op: Any) -> OpError:
        """This error as raised by ``op``: sets ``.op`` and appends TensorFlow's node line."""
        op = _reader_of(op)
        new = copy.copy(self)
        new._op = op
        new._node_def = None  # made from ``op`` when asked for (building a proto costs time)
        new._message = f"{self._message}\n\t [[{{{{node {op.name}}}}}]]"
        return new

    def __str__(self) -> str:
        extra = _context(self._op, self.hint)
        return f"{self._message}\n{extra}" if extra else self._message


def _reader_of(op: Any) -> Any:
    """The op to blame for a failure at a variable op: its ``<name>/read`` when it has one.

    A variable op never reads its own value: a fetched variable fails where its value is read,
    and the reference (``[[{{node counter/read}}]]``) names that op, not an internal one.
    """
    if getattr(op, "type", None) not in ("VariableV2", "Variable"):
        return op
    try:
        return op.graph.get_operation_by_name(f"{op.name}/read")
    except (KeyError, ValueError):
        return op


class _CodedError(OpError):
    """An OpError whose class fixes the code: ``Cls(node_def, op, message, hint=None)``."""

    code = UNKNOWN

    def __init__(self, node_def: Any, op: Any, message: str, hint: str | None = None, *args: Any):
        OpError.__init__(self, node_def, op, message, self.code, hint)

    def __reduce__(self) -> Any:
        return type(self), (self.node_def, self.op, self.message, self.hint)


class CancelledError(_CodedError):
    """An operation was cancelled."""

    code = CANCELLED


class UnknownError(_CodedError):
    """An unknown error."""

    code = UNKNOWN


class InvalidArgumentError(_CodedError):
    """An op received an invalid argument (shape, value...)."""

    code = INVALID_ARGUMENT


class DeadlineExceededError(_CodedError):
    """A deadline passed."""

    code = DEADLINE_EXCEEDED


class NotFoundError(_CodedError):
    """A file or entity was not found."""

    code = NOT_FOUND


class AlreadyExistsError(_CodedError):
    """An entity already exists."""

    code = ALREADY_EXISTS


class PermissionDeniedError(_CodedError):
    """Not permitted."""

    code = PERMISSION_DENIED


class ResourceExhaustedError(_CodedError):
    """Out of resources."""

    code = RESOURCE_EXHAUSTED


class FailedPreconditionError(_CodedError):
    """The system is not in a state to run the op (e.g. an uninitialized variable)."""

    code = FAILED_PRECONDITION


class AbortedError(_CodedError):
    """An operation was aborted."""

    code = ABORTED


class OutOfRangeError(_CodedError):
    """Iterated past the valid range."""

    code = OUT_OF_RANGE


class UnimplementedError(_CodedError):
    """Not implemented."""

    code = UNIMPLEMENTED


class InternalError(_CodedError):
    """An internal invariant was broken."""

    code = INTERNAL


class UnavailableError(_CodedError):
    """The runtime is unavailable."""

    code = UNAVAILABLE


class DataLossError(_CodedError):
    """Unrecoverable data loss or corruption."""

    code = DATA_LOSS


class UnauthenticatedError(_CodedError):
    """Not authenticated."""

    code = UNAUTHENTICATED


_CODE_TO_CLASS = {
    c: cls
    for c, cls in [
        (CANCELLED, CancelledError),
        (UNKNOWN, UnknownError),
        (INVALID_ARGUMENT, InvalidArgumentError),
        (DEADLINE_EXCEEDED, DeadlineExceededError),
        (NOT_FOUND, NotFoundError),
        (ALREADY_EXISTS, AlreadyExistsError),
        (PERMISSION_DENIED, PermissionDeniedError),
        (RESOURCE_EXHAUSTED, ResourceExhaustedError),
        (FAILED_PRECONDITION, FailedPreconditionError),
        (ABORTED, AbortedError),
        (OUT_OF_RANGE, OutOfRangeError),
        (UNIMPLEMENTED, UnimplementedError),
        (INTERNAL, InternalError),
        (UNAVAILABLE, UnavailableError),
        (DATA_LOSS, DataLossError),
        (UNAUTHENTICATED, UnauthenticatedError),
    ]
}


def exception_type_from_error_code(error_code: int) -> type[OpError]:
    return _CODE_TO_CLASS[error_code]


def error_code_from_exception_type(cls: type[OpError]) -> int:
    for code, c in _CODE_TO_CLASS.items():
        if c is cls:
            return code
    return UNKNOWN


class OperatorNotAllowedInGraphError(TypeError):
    """A Python construct that needs a tensor's value (``if t:``, ``for x in t:``) on a graph."""


class DTypeMismatchError(ValueError, TypeError):
    """Mixing dtypes while building the graph.

    Both a ValueError (what TensorFlow 0.x raised, as in the memo) and a TypeError (what
    TensorFlow 1.x and later raise), so either ``except`` clause catches it.
    """


class GraphConstructionError(ValueError):
    """A static shape or argument error found while building the graph (TensorFlow's ValueError)."""


def with_hint(exc: BaseException, hint: str) -> BaseException:
    """Appends a one-line hint to a plain Python exception's message."""
    if exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{exc.args[0]}\n  Hint: {hint}", *exc.args[1:])
    return exc
