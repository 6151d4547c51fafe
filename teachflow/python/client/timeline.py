"""``tensorflow.python.client.timeline``: a traced run as a Chrome trace (``chrome://tracing``).

>>> import json, teachflow as tf
>>> from teachflow.python.client import timeline
>>> y = tf.matmul(tf.ones([2, 3]), tf.ones([3, 4]))
>>> meta = tf.RunMetadata()
>>> opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
>>> _ = tf.Session().run(y, options=opts, run_metadata=meta)
>>> tl = timeline.Timeline(meta.step_stats)
>>> trace = json.loads(tl.generate_chrome_trace_format(show_memory=True))
>>> sorted({e["ph"] for e in trace["traceEvents"]})
['C', 'D', 'M', 'N', 'O', 'X']
>>> [e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "X"]
['ones', 'ones_1', 'MatMul']

Events, as TensorFlow writes them: ``M`` names the processes (allocators, each device's
compute lane and its tensors), ``X`` is one op (``ts``/``dur`` in microseconds), ``N``/``O``/``D``
create, snapshot and delete each output tensor and ``C`` counts allocated bytes (these with
``show_memory=True``), ``s``/``t`` are data-flow arrows between lanes (``show_dataflow``).
"""

from __future__ import annotations

import json
import re
from typing import Any

_LABEL = re.compile(r"^[^=]*=\s*([^(]*)\((.*)\)$")


class _Tensor:
    """One output tensor: when it was made, by whom, and when its last consumer ended."""

    def __init__(
        self, name: str, object_id: int, create: int, pid: int, nbytes: int, allocator: str
    ):
        self.name = name
        self.object_id = object_id
        self.create_time = create
        self.pid = pid
        self.num_bytes = nbytes
        self.allocator = allocator
        self.last_unref = create


class Timeline:
    """A Chrome trace of ``step_stats`` (``run_metadata.step_stats`` of a traced run).

    Args:
      step_stats: a ``StepStats`` (teachflow's record, or TensorFlow's proto).
      graph: accepted for TensorFlow's signature; not needed.
    """

    def __init__(self, step_stats: Any, graph: Any = None) -> None:
        if not hasattr(step_stats, "dev_stats"):
            raise TypeError(
                f"Timeline expects a StepStats, got {type(step_stats).__name__}.\n  Hint: pass "
                "run_metadata.step_stats of a run with options=tf.RunOptions(trace_level="
                "tf.RunOptions.FULL_TRACE)."
            )
        self._step_stats = step_stats
        self._graph = graph
        self._events: list[dict[str, Any]] = []
        self._tensors: dict[str, _Tensor] = {}
        self._flow_starts: dict[str, tuple[int, int, int]] = {}
        self._next_id = 0

    # -- events ---------------------------------------------------------------------------
    def _event(
        self, ph: str, cat: str, name: str, pid: int, tid: int, ts: int, **kw: Any
    ) -> dict[str, Any]:
        event = {"ph": ph, "cat": cat, "name": name, "pid": pid, "tid": tid, "ts": ts, **kw}
        self._events.append(event)
        return event

    def _process(self, name: str, pid: int) -> None:
        self._events.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": name}})

    @staticmethod
    def _parse_label(label: str, fallback: str) -> tuple[str, list[str]]:
        """``"y = MatMul(a, b)"`` -> ``("MatMul", ["a", "b"])``."""
        m = _LABEL.match(label)
        if not m:
            return fallback, []
        inputs = [s.strip() for s in m.group(2).split(",") if s.strip()]
        return m.group(1).strip() or fallback, inputs

    def _analyze(self, show_dataflow: bool, show_memory: bool) -> None:
        self._process("Allocators", 0)
        pids: list[tuple[Any, int, int]] = []
        for i, dev in enumerate(self._step_stats.dev_stats):
            compute, tensors = 1 + 2 * i, 2 + 2 * i
            self._process(f"{dev.device} Compute", compute)
            self._process(f"{dev.device} Tensors", tensors)
            pids.append((dev, compute, tensors))
        # every output tensor, so that consumers can find their producers
        for dev, compute, tensors in pids:
            for ns in dev.node_stats:
                end = ns.all_start_micros + ns.all_end_rel_micros
                for out in ns.output:
                    name = ns.node_name if out.slot == 0 else f"{ns.node_name}:{out.slot}"
                    alloc = out.tensor_description.allocation_description
                    t = _Tensor(name, self._next_id, ns.all_start_micros, tensors,
                                alloc.requested_bytes, alloc.allocator_name or "cpu")  # fmt: skip
                    self._next_id += 1
                    self._tensors[name] = t
                    self._flow_starts[name] = (end, compute, ns.thread_id)
                    t.last_unref = end
                    if show_memory:
                        tid = ns.thread_id
                        self._event(
                            "N", "Tensor", name, tensors, tid, t.create_time, id=t.object_id
                        )
                        snapshot = {"tensor_description": str(out.tensor_description)}
                        self._event("O", "Tensor", name, tensors, tid, end - 1, id=t.object_id,
                                    args={"snapshot": snapshot})  # fmt: skip
        flow_id = 0
        for dev, compute, _tensors in pids:
            for ns in dev.node_stats:
                start, tid = ns.all_start_micros, ns.thread_id
                end = start + ns.all_end_rel_micros
                op, inputs = self._parse_label(ns.timeline_label, ns.node_name)
                args: dict[str, Any] = {"name": ns.node_name, "op": op}
                for j, name in enumerate(inputs):
                    args[f"input{j}"] = name
                self._event(
                    "X", "Op", op, compute, tid, start, dur=ns.all_end_rel_micros, args=args
                )
                for name in inputs:
                    name = name.lstrip("^")
                    used = self._tensors.get(name)
                    if used is not None:
                        used.last_unref = max(used.last_unref, end - 1)
                    made = self._flow_starts.get(name)
                    # arrows only between lanes: on one lane they would only clutter the view
                    if show_dataflow and made and (made[1], made[2]) != (compute, tid):
                        self._event("s", "DataFlow", name, made[1], made[2], made[0], id=flow_id)
                        self._event("t", "DataFlow", name, compute, tid, start, id=flow_id)
                        flow_id += 1
        if show_memory:
            self._memory_counters()

    def _memory_counters(self) -> None:
        changes: list[tuple[int, str, int]] = []
        for t in self._tensors.values():
            self._event("D", "Tensor", t.name, t.pid, 0, t.last_unref, id=t.object_id)
            changes.append((t.create_time, t.allocator, t.num_bytes))
            changes.append((t.last_unref, t.allocator, -t.num_bytes))
        total: dict[str, int] = {}
        for ts, allocator, delta in sorted(changes, key=lambda c: (c[0], -c[2])):
            total[allocator] = total.get(allocator, 0) + delta
            self._event("C", "Memory", allocator, 0, 0, ts, args={allocator: total[allocator]})

    def generate_chrome_trace_format(
        self, show_dataflow: bool = True, show_memory: bool = False, op_time: str = "schedule"
    ) -> str:
        """The trace as JSON text (``{"traceEvents": [...]}``), to save and open in
        ``chrome://tracing`` or Perfetto."""
        self._events = []
        self._tensors = {}
        self._flow_starts = {}
        self._next_id = 0
        self._analyze(show_dataflow, show_memory)
        return json.dumps({"traceEvents": self._events}, separators=(",", ":"))
