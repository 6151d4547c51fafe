"""A tensor's value as plain data for the widgets' inspector: a table, a histogram or images.

Small values go whole into a table of texts; big numeric ones as a histogram; 4-D ones as a
grid of grey images (NHWC maps: one tile per image and channel; a Conv2D filter, HWIO: one tile
per input and output channel). Pixels are 0-255, each tile scaled to its own min and max.

>>> d = inspect_value(np.arange(6.0).reshape(2, 3))
>>> d["kind"], d["shape"], d["table"]
('table', [2, 3], [['0', '1', '2'], ['3', '4', '5']])
>>> inspect_value(np.zeros(1000))["kind"]
'histogram'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow.widgets._format import _elem, describe, dtype_name

TABLE_MAX = 64  # elements shown whole
BINS = 30
MAX_TILES = 48
MAX_TILE_ROWS = 6
MAX_TILE_PIXELS = 64 * 64
MAX_PIXELS = 40_000


def _table(arr: np.ndarray) -> list[list[str]]:
    if arr.ndim == 0:
        return [[_elem(arr[()])]]
    rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim > 1 else arr.reshape(1, -1)
    return [[_elem(x) for x in r.tolist()] for r in rows]


def _histogram(arr: np.ndarray) -> dict[str, Any]:
    flat = arr.reshape(-1).astype(np.float64)
    finite = flat[np.isfinite(flat)]
    out: dict[str, Any] = {"nonfinite": int(flat.size - finite.size), "n": int(flat.size)}
    if not finite.size:
        out.update(counts=[], edges=[])
        return out
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(finite, bins=BINS, range=(lo, hi))
    out.update(
        counts=[int(c) for c in counts],
        edges=[float(e) for e in edges],
        min=float(finite.min()),
        max=float(finite.max()),
        mean=float(finite.mean()),
        std=float(finite.std()),
    )
    return out


def _tile(img: np.ndarray) -> list[int]:
    img = img.astype(np.float64)
    img = np.where(np.isfinite(img), img, 0.0)
    lo, hi = float(img.min()), float(img.max())
    scaled = (img - lo) / (hi - lo) * 255.0 if hi > lo else np.full(img.shape, 128.0)
    return [int(v) for v in np.round(scaled).astype(np.int64).reshape(-1)]


def _images(arr: np.ndarray, filter_layout: bool) -> dict[str, Any]:
    """Tiles of a 4-D value: rows are images (or a filter's input channels), columns channels."""
    if filter_layout:  # HWIO: tile [i, o] = arr[:, :, i, o]
        h, w, rows, cols = arr.shape
        pick = lambda r, c: arr[:, :, r, c]  # noqa: E731
        row_word = "in"
    else:  # NHWC: tile [n, c] = arr[n, :, :, c]
        rows, h, w, cols = arr.shape
        pick = lambda r, c: arr[r, :, :, c]  # noqa: E731
        row_word = "image"
    # at most MAX_PIXELS grey levels travel to the browser (big maps: fewer tiles)
    n_tiles = max(1, min(MAX_TILES, MAX_PIXELS // (h * w)))
    n_rows = max(1, min(rows, MAX_TILE_ROWS, n_tiles))
    n_cols = max(1, min(cols, n_tiles // n_rows))
    tiles = [[_tile(pick(r, c)) for c in range(n_cols)] for r in range(n_rows)]
    return {
        "layout": "HWIO" if filter_layout else "NHWC",
        "h": int(h),
        "w": int(w),
        "rows": n_rows,
        "cols": n_cols,
        "all_rows": int(rows),
        "all_cols": int(cols),
        "row_word": row_word,
        "tiles": tiles,
    }


def inspect_value(value: Any, filter_layout: bool = False) -> dict[str, Any]:
    """``{"kind": "table" | "histogram" | "images" | "text", "dtype", "shape", ...}``."""
    arr = np.asarray(value)
    out: dict[str, Any] = {"dtype": dtype_name(arr), "shape": [int(d) for d in arr.shape]}
    numeric = arr.dtype.kind in "biuf"
    if numeric and arr.size and arr.dtype.kind == "f":
        bad = int(arr.size - np.isfinite(arr).sum())
        if bad:
            out["nonfinite"] = bad
    hw = arr.shape[:2] if filter_layout else arr.shape[1:3]
    if numeric and arr.ndim == 4 and min(arr.shape) > 0 and 9 <= hw[0] * hw[1] <= MAX_TILE_PIXELS:
        out.update(kind="images", images=_images(arr, filter_layout), hist=_histogram(arr))
    elif arr.size <= TABLE_MAX and arr.dtype != object:
        out.update(kind="table", table=_table(arr))
    elif numeric and arr.size:
        out.update(kind="histogram", hist=_histogram(arr))
    else:
        out.update(kind="text", text=describe(arr))
    return out


def summary(value: Any) -> str:
    """One line for the watch list: ``float32 (2, 3) mean 0.5`` or the value itself."""
    arr = np.asarray(value)
    if arr.size <= 4 and arr.dtype != object:
        text = np.array2string(arr, precision=4, separator=" ").replace("\n", " ")
        return text
    head = f"{dtype_name(arr)} {tuple(arr.shape)}"
    if arr.dtype.kind in "biuf" and arr.size:
        with np.errstate(all="ignore"):
            flat = arr.reshape(-1).astype(np.float64)
            finite = flat[np.isfinite(flat)]
            bad = flat.size - finite.size
            mean = f" mean {finite.mean():.4g}" if finite.size else ""
            return head + mean + (f" ({bad} NaN/inf)" if bad else "")
    return head
