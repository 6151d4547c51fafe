"""Text the widgets show: summarised values and source locations, as plain strings.

The widgets send data, never markup: the browser puts every string on the page as text, so a
node name like ``<img onerror=...>`` shows as written.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from teachflow import paths

# how much of an array the browser ever gets
MAX_SHOWN = 6
MAX_TEXT = 60


def clip(text: str, width: int = MAX_TEXT) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _is_numeric(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "biuf"


def dtype_name(arr: np.ndarray) -> str:
    if arr.dtype.kind in "OSU":
        return "string"
    if arr.dtype == np.bool_:
        return "bool"
    return str(arr.dtype)


def _elem(x: Any) -> str:
    if isinstance(x, bytes):
        x = x.decode("utf-8", errors="replace")
    if isinstance(x, str):
        return repr(clip(x, 24))
    if isinstance(x, (float, np.floating)):
        return f"{x:.4g}"
    return str(x)


def short(value: Any, width: int = 16) -> str:
    """A value in at most ``width`` characters, for a badge beside a node (``1``, ``[1 2]``)."""
    if value is None:
        return "?"
    arr = np.asarray(value)
    if arr.ndim == 0:
        text = _elem(arr[()])
    elif arr.size <= 4 and arr.ndim == 1:
        text = "[" + " ".join(_elem(x) for x in arr.tolist()) + "]"
    else:
        text = dtype_name(arr) + " " + _shape(arr.shape)
    return clip(text, width)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def describe(value: Any) -> str:
    """A few plain-text lines about a value: small ones whole, big ones as shape + statistics.

    >>> print(describe(np.arange(10000, dtype=np.float32).reshape(100, 100)))
    float32 (100, 100)
    min 0  max 9999  mean 4999.5
    first: 0 1 2 3 4 5 …
    """
    if value is None:
        return "not yet computed"
    arr = np.asarray(value)
    if arr.ndim == 0:
        return _elem(arr[()])
    if arr.size <= 12 and arr.ndim <= 2 and arr.dtype.kind not in "OSU":
        text = np.array2string(arr, precision=4, separator=" ", threshold=12)
        return f"{dtype_name(arr)} {_shape(arr.shape)}\n{text}"
    lines = [f"{dtype_name(arr)} {_shape(arr.shape)}"]
    flat = arr.reshape(-1)
    if _is_numeric(arr) and arr.size:
        with np.errstate(all="ignore"):
            finite = flat[np.isfinite(flat)] if arr.dtype.kind == "f" else flat
            if finite.size:
                mean = float(np.mean(finite, dtype=np.float64))
                lines.append(
                    f"min {_elem(finite.min())}  max {_elem(finite.max())}  mean {mean:.5g}"
                )
            bad = flat.size - finite.size
            if bad:
                lines.append(f"{bad} of {flat.size} values are NaN or inf")
    shown = " ".join(_elem(x) for x in flat[:MAX_SHOWN].tolist())
    lines.append(f"first: {shown}" + (" …" if flat.size > MAX_SHOWN else ""))
    return "\n".join(lines)


def where(op: Any) -> tuple[str, str] | None:
    """``(place, source line)`` where the user created ``op``; notebook cells read 'cell'."""
    tb = getattr(op, "traceback", None)
    if not tb:
        return None
    fname, line, _ = tb
    loc = op.location or ""
    src = loc.split(" (", 1)[1][:-1] if " (" in loc else ""
    base = os.path.basename(fname)
    if paths.is_notebook_cell(fname):
        place = paths.code_place(fname, line)  # notebook cell N, line M
    elif fname.startswith("<"):
        place = f"{fname}, line {line}"
    else:
        place = f"{base}:{line}"
    return place, src
