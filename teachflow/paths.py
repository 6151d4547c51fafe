"""Paths given by the user (logdirs, checkpoint prefixes) and file-system failures, as
TensorFlow's file layer reports them.

A path may be a ``str``, ``bytes`` or ``os.PathLike``; it becomes a ``str``, so later joins
never mix strings and bytes. An ``OSError`` becomes the ``tf.errors`` class TensorFlow raises
for it (a missing file is a NotFoundError, a file where a directory should be a
FailedPreconditionError...).

>>> from teachflow import paths
>>> paths.as_path(b"logs/run1", "logdir")
'logs/run1'
>>> paths.as_path(5, "logdir")  # doctest: +ELLIPSIS
Traceback (most recent call last):
TypeError: logdir must be a path (str, bytes or os.PathLike), got 5 of type int...
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from typing import Any

from teachflow import errors


def as_path(value: Any, what: str) -> str:
    """``value`` as a ``str`` path; a clear TypeError names ``what`` when it is not a path."""
    if isinstance(value, (str, bytes, os.PathLike)):
        path = os.fspath(value)
        return os.fsdecode(path)
    raise TypeError(
        f"{what} must be a path (str, bytes or os.PathLike), got {value!r} of type "
        f"{type(value).__name__}.\n  Hint: pass a folder or file name as a string (bytes and "
        "pathlib paths work too)."
    )


def _not_a_directory(path: str) -> str | None:
    """The first existing component of ``path`` that is a file, where a directory is needed."""
    parts: list[str] = []
    head = os.path.abspath(path) if path else path
    while head and head not in parts:
        parts.append(head)
        head = os.path.dirname(head)
    for p in reversed(parts):
        if os.path.exists(p) and not os.path.isdir(p):
            return p
    return None


def os_error(e: OSError, path: str) -> errors.OpError:
    """An OSError on ``path`` as TensorFlow's error class, with its text and a hint."""
    code = e.errno
    if code in (errno.ENOTDIR, errno.EEXIST):
        blocker = _not_a_directory(path)
        if blocker is not None:
            return errors.FailedPreconditionError(
                None,
                None,
                f"{blocker} is not a directory",
                "a file has the name this directory needs: pick another path or move the file.",
            )
    if code == errno.EEXIST:
        return errors.AlreadyExistsError(
            None, None, f"File already exists: {path}", "pick a path that does not exist yet."
        )
    if code == errno.ENOENT:
        return errors.NotFoundError(
            None, None, f"{path}; No such file or directory", "check the path for typos."
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return errors.PermissionDeniedError(
            None,
            None,
            f"{path}; Permission denied",
            "write somewhere you may write, e.g. a folder under your home directory.",
        )
    if code == errno.ENOSPC:
        return errors.ResourceExhaustedError(
            None, None, f"{path}; No space left on device", "free some disk space."
        )
    return errors.UnknownError(
        None, None, f"{path}; {e.strerror or e}", "check that the path can be written."
    )


class UnreadableFile(ValueError):
    """A file that is not a regular file, or larger than the reader allows."""


def read_small(path: str, limit: int) -> bytes:
    """The bytes of a small regular file (an index, a state file), reading at most ``limit``.

    A device (a symlink to /dev/zero), a pipe or a file over ``limit`` bytes raises
    :class:`UnreadableFile` instead of reading forever or filling memory.
    """
    chunks: list[bytes] = []
    total = 0
    with open(path, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise UnreadableFile(f"{path} is not a regular file")
        while chunk := f.read(1 << 16):  # f.read(limit) would reserve ``limit`` bytes at once
            total += len(chunk)
            if total > limit:
                raise UnreadableFile(f"{path} is larger than {limit} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


# -- places in the user's code ------------------------------------------------------------------


def _cell_number(fname: str) -> int | None:
    """The execution count (``In [N]``) of the notebook cell IPython compiled as ``fname``."""
    m = re.fullmatch(r"<ipython-input-(\d+)-[0-9a-f]+>", fname)
    if m:
        return int(m.group(1))
    ipython = sys.modules.get("IPython")  # never imported here: only a running shell counts
    shell = ipython.get_ipython() if ipython is not None else None
    name_of = getattr(getattr(shell, "compile", None), "format_code_name", None)
    try:
        label = name_of(fname) if name_of is not None else None
    except Exception:  # another shell's compiler: no number, still a cell
        label = None
    m = re.fullmatch(r"In\[(\d+)\]", label[1]) if label else None
    return int(m.group(1)) if m else None


def is_notebook_cell(fname: str) -> bool:
    """Whether ``fname`` names a notebook cell (ipykernel's temporary file, IPython's input)."""
    return (
        fname.startswith("<ipython-input-")
        or "ipykernel_" in fname
        or _cell_number(fname) is not None
    )


def code_place(fname: str, line: int) -> str:
    """Where a line of user code is, as its author knows it.

    A notebook cell reads ``notebook cell N, line M`` (N: the cell's ``In [N]``, from IPython's
    compiler), not the kernel's temporary file ``ipykernel_<pid>/<hash>.py``; other code keeps
    ``file:line``.

    >>> from teachflow import paths
    >>> paths.code_place("<ipython-input-3-0123456789ab>", 2)
    'notebook cell 3, line 2'
    >>> paths.code_place("/tmp/train.py", 12)
    '/tmp/train.py:12'
    """
    if is_notebook_cell(fname):
        n = _cell_number(fname)
        return f"notebook cell {n}, line {line}" if n is not None else f"notebook cell, line {line}"
    return f"{fname}:{line}"
