"""Numbers per op for *colour by*: compute time, output size, gradient magnitude.

Each reader returns ``{op name: value}``; the widget folds the ops of a collapsed scope into
its box (times and bytes add up, a gradient norm takes the largest) and the browser colours
the boxes on a log scale.

>>> import teachflow as tf
>>> y = tf.matmul(tf.ones([2, 3]), tf.ones([3, 4]), name="y")
>>> meta = tf.RunMetadata()
>>> _ = tf.Session().run(y, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
...                      run_metadata=meta)
>>> from_run_metadata(meta, "size")["y"]
32.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

WHAT = ("time", "size", "grad")
UNITS = {"time": "µs", "size": "bytes", "grad": "‖g‖"}
# how the ops folded into one box add up
FOLD = {"time": "sum", "size": "sum", "grad": "max"}


def _nbytes(v: Any) -> float:
    if v is None:
        return 0.0
    arr = np.asarray(v)
    return float(arr.nbytes) if arr.dtype != object else 0.0


def from_run_metadata(meta: Any, what: str) -> dict[str, float]:
    """Per op: the op's duration (µs) or its outputs' bytes, from a traced run's step_stats."""
    out: dict[str, float] = {}
    for dev in meta.step_stats.dev_stats:
        for ns in dev.node_stats:
            if what == "time":
                # nanoseconds when the record has them: tiny ops take 0 whole microseconds
                nanos = getattr(ns, "all_end_rel_nanos", 0)
                value = nanos / 1000.0 if nanos else float(ns.all_end_rel_micros)
            else:
                value = float(
                    sum(
                        o.tensor_description.allocation_description.requested_bytes
                        for o in ns.output
                    )
                )
            out[ns.node_name] = out.get(ns.node_name, 0.0) + value
    return out


def _norm(v: Any) -> float | None:
    arr = np.asarray(getattr(v, "values", v))  # IndexedSlices: the rows it holds
    if arr.dtype.kind not in "fc" or not arr.size:
        return None
    return float(np.linalg.norm(arr.astype(np.float64).reshape(-1)))


def from_records(records: Any, what: str) -> dict[str, float]:
    """Per op: seconds (as µs), output bytes, or (``"grad"``) the norm of each gradient op's
    first output: the backward pass of a stepped training step."""
    out: dict[str, float] = {}
    for rec in records:
        if rec.error is not None:
            continue
        if what == "time":
            value = rec.seconds * 1e6
        elif what == "grad":
            if not rec.op.name.startswith("gradients") or not rec.outputs:
                continue
            norm = _norm(rec.outputs[0])
            if norm is None:
                continue
            value = norm
        else:
            value = sum(_nbytes(v) for v in rec.outputs)
        out[rec.op.name] = out.get(rec.op.name, 0.0) + value
    return out


def from_recorder(recorder: Any) -> dict[str, float]:
    """Per variable op: the norm of its gradient at the recorder's last step."""
    out: dict[str, float] = {}
    for v, name in zip(recorder.variables, recorder.names):
        norms = recorder.grad_norm.get(name) or []
        if norms:
            out[v.op.name] = float(norms[-1])
    return out


def edge_weights(
    values: dict[str, float], edges: list[Any], tensors: dict[str, str]
) -> dict[str, float]:
    """Edge index -> the value of the op it comes from, for the edges carrying one tensor
    (``tensors``: edge tensor name -> op name)."""
    out: dict[str, float] = {}
    for i, e in enumerate(edges):
        op = tensors.get(e[3]) if len(e) > 3 and e[3] else None
        if op is not None and op in values and np.isfinite(values[op]):
            out[str(i)] = values[op]
    return out


def fold(values: dict[str, float], visible: dict[str, str], what: str) -> dict[str, float]:
    """Op values -> box values (``visible``: op name -> box id)."""
    out: dict[str, float] = {}
    how = FOLD[what]
    for name, v in values.items():
        box = visible.get(name)
        if box is None or not np.isfinite(v):
            continue
        if how == "sum":
            out[box] = out.get(box, 0.0) + v
        else:
            out[box] = max(out.get(box, v), v)
    return out
