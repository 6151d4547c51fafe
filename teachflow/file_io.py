"""Writing a file so that readers see either the old one or the whole new one
(TensorFlow's ``file_io.atomic_write_string_to_file``).

The bytes go to a hidden temporary file next to the target (``.<name>.<pid>-<random>.tmp``),
are flushed to disk, and the temporary file is renamed over the target. A crash in the middle
leaves the old file intact, and at most a temporary file that ``clean_stale_temps`` deletes once
its writing process has ended.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
>>> atomic_write(path, lambda f: f.write(b"hello"))
>>> open(path).read(), os.listdir(os.path.dirname(path))
('hello', ['notes.txt'])
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from typing import IO, Any

from teachflow import paths


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path or ".", os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open directories; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temp(path: str) -> tuple[int, str]:
    """A new hidden temporary file next to ``path``, named after it and this process.

    Created with mode 0o666 so that the process's umask *now* decides its permissions, as for
    any file a program creates (the umask may change after import).
    """
    parent, base = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(parent, f".{base}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {path}")  # pragma: no cover


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError, OverflowError):
        return False  # it exists (another user's), or the pid is odd: keep its file
    return False


def clean_stale_temps(directory: str, name_prefix: str) -> None:
    """Deletes temporary files left by crashed saves of files starting with ``name_prefix`` in
    ``directory``: those whose writing process has ended (files of running saves stay)."""
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    start = "." + name_prefix
    for name in names:
        if not (name.startswith(start) and name.endswith(".tmp")):
            continue
        owner = name[: -len(".tmp")].rpartition(".")[2].partition("-")[0]
        if owner.isdigit() and int(owner) != os.getpid() and _process_is_gone(int(owner)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))


def atomic_write(path: str, write: Callable[[IO[bytes]], Any]) -> None:
    """Writes ``path`` so that readers see either the old file or the whole new one."""
    parent = os.path.dirname(path) or "."
    try:
        fd, tmp = _create_temp(path)
    except OSError as e:
        raise paths.os_error(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise paths.os_error(e, path) from None
        raise
    _fsync_dir(parent)
