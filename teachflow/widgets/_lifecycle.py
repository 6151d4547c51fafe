"""Re-running a notebook cell replaces its widgets: the older ones are closed in the kernel.

Without this, every run of ``Stepper(sess, update)`` would leave a widget model (and the run it
holds) alive in the kernel for good. A widget made in a cell closes the widgets that an earlier
run of the same cell made (JupyterLab names the cell in each request's metadata).
"""

from __future__ import annotations

import weakref
from typing import Any

# cell id -> [(widget, execution count that made it)]
_BY_CELL: dict[str, list[tuple[weakref.ref[Any], int]]] = {}


def _current_cell() -> tuple[str, int] | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the widget dependencies
        return None
    ip = get_ipython()
    kernel = getattr(ip, "kernel", None)
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent()
    except Exception:  # noqa: BLE001 - an older kernel: no cell, nothing to replace
        return None
    meta = parent.get("metadata") if isinstance(parent, dict) else None
    cell = meta.get("cellId") if isinstance(meta, dict) else None
    if not isinstance(cell, str):
        return None
    return cell, int(getattr(ip, "execution_count", 0) or 0)


def adopt(widget: Any, cell: tuple[str, int] | None = None) -> None:
    """Closes the widgets an earlier run of this cell made; remembers ``widget``."""
    cell = cell or _current_cell()
    if cell is None:
        return
    cell_id, count = cell
    keep = []
    for ref, n in _BY_CELL.get(cell_id, []):
        old = ref()
        if old is None or old is widget:
            continue
        if n != count:
            old.close()
        else:
            keep.append((ref, n))
    keep.append((weakref.ref(widget), count))
    _BY_CELL[cell_id] = keep
