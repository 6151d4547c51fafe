"""The ``checkpoint`` state file of a directory: which checkpoints a Saver wrote, newest last
(TensorFlow's ``checkpoint_management``), and finding, testing and deleting checkpoints.

The file is TensorFlow's text format; paths are relative to the directory when the save path
was relative, and it is rewritten atomically after each save::

    model_checkpoint_path: "model-2"
    all_model_checkpoint_paths: "model-1"
    all_model_checkpoint_paths: "model-2"

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> update_checkpoint_state(folder, os.path.join(folder, "model-1"))
>>> print(open(os.path.join(folder, "checkpoint")).read().replace(folder, "<dir>"), end="")
model_checkpoint_path: "<dir>/model-1"
all_model_checkpoint_paths: "<dir>/model-1"
>>> get_checkpoint_state(folder).model_checkpoint_path == os.path.join(folder, "model-1")
True
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from teachflow import paths
from teachflow.file_io import atomic_write
from teachflow.train.checkpoint_format import DATA_SUFFIX, INDEX_SUFFIX, MAX_SMALL_FILE

_log = logging.getLogger("teachflow")


class CheckpointState:
    """The ``checkpoint`` file: the latest checkpoint and the ones kept, oldest first."""

    def __init__(
        self, model_checkpoint_path: str = "", all_model_checkpoint_paths: Any = None
    ) -> None:
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths or [])

    def __str__(self) -> str:
        lines = [f'model_checkpoint_path: "{_escape(self.model_checkpoint_path)}"']
        lines += [
            f'all_model_checkpoint_paths: "{_escape(p)}"' for p in self.all_model_checkpoint_paths
        ]
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _escape(text: str) -> str:
    """Text-format string escaping (TensorFlow's CEscape: octal for non-ASCII bytes)."""
    special = {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 39: "\\'", 92: "\\\\"}
    return "".join(
        special.get(b) or (chr(b) if 32 <= b < 127 else f"\\{b:03o}") for b in text.encode()
    )


def _unescape(text: str) -> str:
    out = bytearray()
    i = 0
    simple = {
        "n": 10,
        "r": 13,
        "t": 9,
        '"': 34,
        "'": 39,
        "\\": 92,
        "a": 7,
        "b": 8,
        "f": 12,
        "v": 11,
    }
    raw = text.encode()
    while i < len(raw):
        c = raw[i]
        if c == 92 and i + 1 < len(raw):
            nxt = chr(raw[i + 1])
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if nxt in "01234567":
                j = i + 1
                while j < min(i + 4, len(raw)) and chr(raw[j]) in "01234567":
                    j += 1
                out.append(int(raw[i + 1 : j], 8) & 0xFF)
                i = j
                continue
            if nxt == "x":
                j = i + 2
                while j < min(i + 4, len(raw)) and chr(raw[j]) in "0123456789abcdefABCDEF":
                    j += 1
                out.append(int(raw[i + 2 : j], 16))
                i = j
                continue
        out.append(c)
        i += 1
    return out.decode(errors="replace")


def _parse_state(content: str) -> CheckpointState:
    state = CheckpointState()
    for line in content.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        value = value.strip()
        if not sep:
            raise ValueError(f"cannot parse line {line!r}")
        if key.strip() in ("all_model_checkpoint_timestamps", "last_preserved_timestamp"):
            continue
        if len(value) < 2 or value[0] != value[-1] or value[0] not in "\"'":
            raise ValueError(f"expected a quoted string in {line!r}")
        if key.strip() == "model_checkpoint_path":
            state.model_checkpoint_path = _unescape(value[1:-1])
        elif key.strip() == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unescape(value[1:-1]))
        else:
            raise ValueError(f"unknown field {key.strip()!r}")
    return state


def _state_file(checkpoint_dir: str, latest_filename: str | None) -> str:
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def update_checkpoint_state(
    save_dir: str,
    model_checkpoint_path: str,
    all_model_checkpoint_paths: Any = None,
    latest_filename: str | None = None,
    save_relative_paths: bool = False,
) -> None:
    """Writes the ``checkpoint`` state file of ``save_dir`` (atomically)."""
    save_dir = paths.as_path(save_dir, "save_dir")
    latest = paths.as_path(model_checkpoint_path, "model_checkpoint_path")
    kept = [
        paths.as_path(p, "all_model_checkpoint_paths") for p in all_model_checkpoint_paths or []
    ]
    if save_relative_paths:
        latest = os.path.relpath(latest, save_dir) if os.path.isabs(latest) else latest
        kept = [os.path.relpath(p, save_dir) if os.path.isabs(p) else p for p in kept]
    if not kept or kept[-1] != latest:
        kept.append(latest)
    if not os.path.isabs(save_dir):
        if not os.path.isabs(latest):
            latest = os.path.relpath(latest, save_dir or ".")
        kept = [p if os.path.isabs(p) else os.path.relpath(p, save_dir or ".") for p in kept]
    state_path = _state_file(save_dir, latest_filename)
    if state_path == latest:
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint state. "
            " Please use a different save path."
        )
    text = str(CheckpointState(latest, kept)).encode()
    atomic_write(state_path, lambda f: f.write(text))


def get_checkpoint_state(
    checkpoint_dir: Any, latest_filename: str | None = None
) -> CheckpointState | None:
    """The ``checkpoint`` file of ``checkpoint_dir`` (paths joined to the dir), or None.

    >>> import tempfile, teachflow as tf
    >>> tf.train.get_checkpoint_state(tempfile.mkdtemp()) is None
    True
    """
    checkpoint_dir = paths.as_path(checkpoint_dir, "checkpoint_dir")
    path = _state_file(checkpoint_dir, latest_filename)
    if not os.path.exists(path):
        return None
    try:
        state = _parse_state(
            paths.read_small(path, MAX_SMALL_FILE).decode("utf-8", errors="replace")
        )
    except (OSError, ValueError) as e:
        _log.warning("%s: %s", type(e).__name__, e)
        _log.warning("%s: Checkpoint ignored", path)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [
        p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
        for p in state.all_model_checkpoint_paths
    ]
    return state


def checkpoint_exists(checkpoint_prefix: Any) -> bool:
    """Whether a checkpoint with this prefix exists (its ``.index`` file does)."""
    return os.path.exists(paths.as_path(checkpoint_prefix, "checkpoint_prefix") + INDEX_SUFFIX)


def latest_checkpoint(checkpoint_dir: Any, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint in ``checkpoint_dir`` (from its state file), or None.

    >>> import tempfile, teachflow as tf
    >>> print(tf.train.latest_checkpoint(tempfile.mkdtemp()))
    None
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: int = 2,
                      meta_graph_suffix: str = "meta") -> None:  # fmt: skip
    """Deletes the files of a checkpoint (index first, so it stops existing at once)."""
    checkpoint_prefix = paths.as_path(checkpoint_prefix, "checkpoint_prefix")
    meta_graph_suffix = paths.as_path(meta_graph_suffix, "meta_graph_suffix")
    for suffix in (INDEX_SUFFIX, DATA_SUFFIX, "." + meta_graph_suffix):
        with contextlib.suppress(FileNotFoundError):
            os.remove(checkpoint_prefix + suffix)
