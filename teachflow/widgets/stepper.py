"""``Stepper``: watch ``sess.run`` one op at a time, on the drawn graph.

The widget drives the engine's own :class:`~teachflow.execution.Execution` (what
``sess.stepper`` returns and ``sess.run`` runs to the end), so stepping to the end gives exactly
``sess.run``'s results and variable updates. Errors stop the run at the failing op, which can be
retried (after running the initializer, say).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import traitlets

from teachflow import drawing, errors
from teachflow.debug import NonFiniteError, NonFiniteWatch
from teachflow.execution import Execution, StepRecord
from teachflow.session import BaseSession
from teachflow.widgets import _bundle, _heat
from teachflow.widgets._format import clip, describe, short, where
from teachflow.widgets.graphview import GraphView, _reads_variables, _variable_map, fetch_text

_UNINIT = re.compile(r"uninitialized value (\S+)")
# the plan list shows this many ops around the current one (plans can have 10,000 ops)
PLAN_WINDOW = 60
TIMELINE_COLUMNS = 8
TIMELINE_ROWS = 8
MAX_TIMELINE = 200
TIMELINE_KEEP = 64  # values of at most this many elements are kept whole


class Stepper(GraphView):
    """``sess.run(fetches, feed_dict)`` one op at a time: Next, Run to end, Reset.

    >>> import teachflow as tf
    >>> from teachflow.widgets import Stepper
    >>> tf.reset_default_graph()
    >>> state = tf.Variable(0, name="counter")
    >>> update = tf.assign(state, tf.add(state, tf.constant(1)))
    >>> sess = tf.Session()
    >>> s = Stepper(sess, update)
    >>> s.step()           # counter: the variable op itself
    <StepRecord 0: counter (VariableV2) done>
    >>> s.step()           # counter/read fails: not initialized
    <StepRecord 1: counter/read (Identity) failed>
    >>> s.error_text.splitlines()[0]
    'FailedPreconditionError: Attempting to use uninitialized value counter'
    >>> s.initialize()     # runs counter's initializer in this session
    >>> s.run_to_end()
    >>> s.results, sess.run(state)
    (np.int32(1), np.int32(1))
    """

    _esm = _bundle.path("stepper.js")

    # plain data the browser renders (see _status_info, _error_info, _plan_info, _timeline_info)
    status = traitlets.Dict().tag(sync=True)
    error_info = traitlets.Dict().tag(sync=True)
    plan = traitlets.Dict().tag(sync=True)
    timeline_view = traitlets.Dict().tag(sync=True)
    can_init = traitlets.Bool(False).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    # open the scopes on the way to the current op and keep it in view
    follow = traitlets.Bool(True).tag(sync=True)
    # the session's variables were written by someone else during this run
    stale = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        sess: BaseSession,
        fetches: Any,
        feed_dict: Any = None,
        *,
        stop_at_non_finite: bool = False,
        **kwargs: Any,
    ):
        if not isinstance(sess, BaseSession):
            raise TypeError(
                f"Stepper needs a tf.Session, got {type(sess).__name__}.\n"
                "  Hint: Stepper(sess, fetches, feed_dict=None), with sess = tf.Session()."
            )
        # building the execution first raises what sess.run would (bad fetches or feeds)
        execution = sess.stepper(fetches, feed_dict)
        self._fetches = fetches
        self._feed_dict = feed_dict
        self._execution: Execution = execution
        self._counted: Execution | None = None
        self._sess: BaseSession = sess
        self._error: BaseException | None = None
        self._flags: dict[str, str] = {}
        self._seconds: dict[int, float] = {}
        self._followed: set[str] = set()  # scopes that following the run opened
        # stop at the first op whose output holds NaN or Inf (tf.debug's watch)
        self._stop_at_non_finite = stop_at_non_finite
        self.runs = 0
        self.timeline: list[dict[str, Any]] = []
        way = "1 ステップずつ" if kwargs.get("lang") == "ja" else "step by step"
        kwargs.setdefault("title", f"sess.run({fetch_text(fetches)}) · {way}")
        super().__init__(sess, **kwargs)
        self._record_timeline("start")
        self._start(execution)

    # -- public ------------------------------------------------------------------------------
    @property
    def execution(self) -> Execution:
        """The run being stepped (``sess.stepper(fetches, feed_dict)``)."""
        return self._execution

    @property
    def results(self) -> Any:
        """What ``sess.run`` returned, once stepped to the end."""
        return self._execution.results

    @property
    def error(self) -> BaseException | None:
        """The error that stopped the run, if any (the failing op can be retried)."""
        return self._error

    @property
    def error_text(self) -> str:
        """``FailedPreconditionError: Attempting to use ...`` and the hint, as plain text."""
        e = self._error
        if e is None:
            return ""
        first = _first_line(e)
        hint = getattr(e, "hint", None)
        return f"{type(e).__name__}: {first}" + (f"\nHint: {hint}" if hint else "")

    def step(self) -> StepRecord | None:
        """Runs the next op of the plan (retries the failed one after an error).

        Returns the engine's record of the step (``.op``, ``.inputs``, ``.outputs``, ``.error``);
        an error is shown on the graph, not raised. None once the run is over.
        """
        ex = self._execution
        record = None
        self._check_version()
        if self._closed_session():
            pass
        elif ex.done:
            self._finish()
        else:
            try:
                record = ex.step()
            except Exception as e:  # noqa: BLE001 - shown on the node; the widget stays usable
                self._error = e
                record = ex.records[-1] if ex.records else None
                self._non_finite(e)
            else:
                self._error = None
                if ex.done:
                    self._finish()
        self._refresh()
        return record

    next = step  # the Next button

    def run_to_end(self) -> None:
        """Runs every remaining op (stops at an error)."""
        ex = self._execution
        self._check_version()
        if self._closed_session():
            self._refresh()
            return
        try:
            if not ex.done:
                ex.run_to_end()
        except Exception as e:  # noqa: BLE001 - shown on the node; the widget stays usable
            self._error = e
            self._non_finite(e)
        else:
            self._error = None
            self._finish()
        self._refresh()

    def reset(self) -> None:
        """Starts a new run of the same fetches (variables keep their values, as in TF)."""
        if self._closed_session():
            self._refresh()
            return
        self._start(self._sess.stepper(self._fetches, self._feed_dict))

    run_again = reset

    def _non_finite(self, e: BaseException) -> None:
        if isinstance(e, NonFiniteError):
            self.show_non_finite(e.report)

    def _closed_session(self) -> bool:
        if not self._sess._closed:
            return False
        self.closed = True
        self._error = RuntimeError(
            "Attempted to use a closed Session.\n"
            "Hint: make a new tf.Session() and a new Stepper for it."
        )
        return True

    def _show_failure(self, e: BaseException) -> None:
        self._error = e
        self._refresh()

    def initialize(self) -> None:
        """Runs the initializers of the variables not initialized in this session."""
        if self._closed_session():
            self._refresh()
            return
        self._check_version()
        pending = self._uninitialized()
        if pending:
            self._sess.run([v.initializer for v in pending])
            self._record_timeline("initialized")
        if isinstance(self._error, errors.FailedPreconditionError):
            self._error = None
            if self._execution.done:
                self._finish()
        self._update_flags()
        self._refresh()

    # -- running ---------------------------------------------------------------------------------
    def _start(self, execution: Execution) -> None:
        self._execution = execution
        self._error = None
        self._seconds = {}
        self.stale = False
        execution.observers.append(self._observe)
        if getattr(self, "_stop_at_non_finite", False):
            NonFiniteWatch().attach(execution)
        if self.nan_info:
            self.show_non_finite(None)
        self._update_flags()
        self._refresh()

    def _observe(self, event: str, record: StepRecord) -> None:
        if event != "started":
            self._seconds[record.index] = record.seconds

    def _finish(self) -> None:
        """A run reached its end: collect the results (may fail), then note the variables."""
        try:
            result = self._execution.results
        except Exception as e:  # noqa: BLE001 - e.g. fetching an uninitialized variable
            self._error = e
            return
        self._error = None
        if self._counted is not self._execution:
            self._counted = self._execution
            self.runs += 1
            self._record_timeline(f"run {self.runs}", result)
            for t in self._watched_tensors():
                value = self._watched_now(t)
                if value is not None:
                    self._note_history(t.name, f"run {self.runs}", value)

    def _uninitialized(self) -> list[Any]:
        if self._sess._closed:
            return []
        values = self._sess.state.variables
        return [v for name, v in _variable_map(self._graph).items() if name not in values]

    def _update_flags(self) -> None:
        """Up-front warnings: placeholders nobody feeds, variables read before initialization."""
        plan = self._execution.plan
        values = self._sess.state.variables
        reads = _reads_variables(plan.ops, plan.fetches)
        flags = {}
        for op in plan.ops:
            if op.type in ("Placeholder", "PlaceholderV2"):
                flags[op.name] = "warn"
            elif op.name in reads and op.name not in values:
                if drawing.node_kind(op) == "variable":
                    flags[op.name] = "warn"
        self._flags = flags
        self.can_init = bool(self._uninitialized())

    def _record_timeline(self, label: str, result: Any = None) -> None:
        """Notes every variable's value now (small values kept, big ones as a summary)."""
        values = self._sess.state.variables
        entry: dict[str, Any] = {
            "label": label,
            "variables": {
                name: None if name not in values else _keep(values[name])
                for name in _variable_map(self._graph)
            },
        }
        if label.startswith("run"):
            entry["result"] = _keep(result)
        self.timeline.append(entry)
        del self.timeline[:-MAX_TIMELINE]

    # -- the session changed elsewhere -----------------------------------------------------------
    def _check_version(self) -> None:
        """Someone else wrote the session's variables since this widget last looked: a run in
        progress read older values (its plan was overtaken)."""
        version = self._sess.state.version
        if version != self._seen_version:
            ex = self._execution
            if 0 < ex.position and not ex.done:
                self.stale = True
            self._seen_version = version
            self._update_flags()

    def _sync_session(self) -> None:
        self.closed = bool(self._sess._closed)
        if self._sess.state.version != self._seen_version:
            self._check_version()
            self._refresh()

    # -- following the run -------------------------------------------------------------------------
    def _current_op(self) -> Any:
        e = self._error
        op = getattr(e, "op", None) if e is not None else None
        return op if op is not None else self._execution.next_op

    def _follow(self) -> None:
        """Opens the scopes hiding the current op (the scopes the reader opened stay as they are;
        ones that following opened earlier close again when the picture would get too big)."""
        op = self._current_op()
        if op is None or not self.follow:
            return
        name = op.name
        d = self._drawing
        own = self.nodes.get(d.visible.get(name, ""))
        if own is not None and own.get("name") == name and own.get("kind") != "scope":
            return  # drawn as its own box already
        path = [s for s in d.scopes if name == s or name.startswith(s + "/")]
        if not any(s in self.collapsed for s in path) and name in d.visible:
            return
        base = list(self.collapsed)
        new = self._opened(base, path, keep=name)
        n = drawing.box_count(self._graph, new)
        if n > self._max_nodes:
            # close what following opened before (not on this path), then try again
            extra = [s for s in self._followed if s not in path and s in d.scopes]
            new = self._opened(sorted(set(base) | set(extra)), path, keep=name)
            n = drawing.box_count(self._graph, new)
            if n > self._max_nodes:
                self.alert = {"key": "follow_limit", "n": n, "max": self._max_nodes}
                return
            self._followed -= set(extra)
        self._followed |= {s for s in path if s in base}
        self.alert = {}
        self._redraw(new)

    @traitlets.observe("follow")
    def _on_follow(self, change: dict[str, Any]) -> None:
        if change["new"]:
            with self.hold_sync():
                self._follow()
                self._refresh_states()

    # -- what the browser shows ------------------------------------------------------------------
    def _states_of_ops(self) -> dict[str, set[str]]:
        ex = self._execution
        pos = ex.position
        states: dict[str, set[str]] = {op.name: {"skip"} for op in self._graph.get_operations()}
        for i, op in enumerate(ex.plan.ops):
            if i < pos:
                s = {"done"}
            elif i == pos:
                # a NaN watch stops after the op that made it (drawn by show_non_finite)
                stopped = self._error is not None and not isinstance(self._error, NonFiniteError)
                s = {"error"} if stopped else {"current"}
            else:
                s = {"pending"}
            flag = self._flags.get(op.name)
            if flag and (i > pos or (i == pos and self._error is None)):
                s.add(flag)
            states[op.name] = s
        for t in ex.plan.feeds:
            states[t.op.name] = {"fed"}
        if self._error is not None and ex.done:
            # the run finished but reading a fetched value failed: mark that op
            failed = getattr(self._error, "op", None)
            if failed is not None and failed.name in states:
                states[failed.name] = {"error"}
        bad = self._bad_variable()
        if bad is not None and bad in states:
            states[bad] = {"uninit"}
        return states

    def _bad_variable(self) -> str | None:
        """The variable an error says is uninitialized (it turns red with the failing op)."""
        if not isinstance(self._error, errors.FailedPreconditionError):
            return None
        m = _UNINIT.search(self._error.message)
        return m.group(1) if m else None

    def _records(self) -> dict[int, StepRecord]:
        """The last record of each step of this run (a failed step retried has two)."""
        return {r.index: r for r in self._execution.records if r.error is None}

    def _value_slots(self) -> set[str]:
        return super()._value_slots() | {op.name for op in self._execution.plan.ops}

    def _values_of_boxes(self) -> dict[str, str]:
        """Badges: what each op computed at its step; a variable's value in the session now."""
        ex = self._execution
        records = self._records()
        index = {op.name: i for i, op in enumerate(ex.plan.ops[: ex.position])}
        values = {} if self._sess._closed else self._sess.state.variables
        out: dict[str, str] = {}
        for n in self._drawing.nodes:
            name = n["name"]
            if n["kind"] == "scope":
                continue
            if n["kind"] == "variable":
                if name in values:
                    out[n["id"]] = "= " + short(values[name], 12)
                continue
            rec = records.get(index.get(name, -1))
            if rec is not None and rec.outputs and rec.outputs[0] is not None:
                out[n["id"]] = "= " + short(rec.outputs[0], 12)
        return out

    def _value_info(self, op: Any) -> dict[str, Any]:
        ex = self._execution
        if drawing.node_kind(op) == "variable":
            return super()._value_info(op)
        index = next((i for i, o in enumerate(ex.plan.ops) if o is op), None)
        if index is None:
            return {"state": "not_in_run"}
        ran = index < ex.position
        if not op.outputs:
            return {"state": "ran" if ran else "not_run"}
        rec = self._records().get(index) if ran else None
        items = []
        for i, t in enumerate(op.outputs):
            value = rec.outputs[i] if rec is not None and i < len(rec.outputs) else None
            if value is None and ran and ex.is_computed(t):
                try:  # a fed output: the run holds its value, the record does not
                    value = ex.value(t)
                except LookupError:
                    value = None
            items.append({"name": t.name, "text": None if value is None else describe(value)})
        return {"state": "outputs", "items": items, "step": index + 1 if ran else None}

    # -- tensor values (inspector, watch list, colour by) -----------------------------------------
    def _watched_tensors(self) -> list[Any]:
        out = []
        for name in self.watch:
            try:
                out.append(
                    self._graph.as_graph_element(name, allow_tensor=True, allow_operation=False)
                )
            except Exception:  # noqa: BLE001 - a name typed by hand that is not in the graph
                continue
        return out

    def _tensor_value(self, t: Any) -> tuple[str, Any]:
        """The value ``t`` had at its step of this run (not the value now)."""
        ex = self._execution
        index = next((i for i, o in enumerate(ex.plan.ops) if o is t.op), None)
        if index is None:
            fed = [f for f in ex.plan.feeds if f is t]
            if fed and ex.is_computed(t):
                return "fed", ex.value(t)
            return "not_in_run", None
        if index >= ex.position:
            return "not_run", None
        rec = self._records().get(index)
        value = rec.outputs[t.value_index] if rec is not None else None
        if value is None and ex.is_computed(t):
            try:
                value = ex.value(t)
            except LookupError:
                value = None
        if value is None:
            return "not_run", None
        return f"step {index + 1}", value

    def _watched_now(self, t: Any) -> Any:
        source, value = self._tensor_value(t)
        return value if source.startswith(("step", "fed")) else None

    def _keep_last_run(self) -> None:
        """The Stepper reads values from its own run's records."""

    _heat_source: Any = None

    def _heat_values(self, what: str, source: Any) -> dict[str, float]:
        self._heat_source = source
        if source is None:
            return _heat.from_records(self._records().values(), what)
        return super()._heat_values(what, source)

    def _refresh(self) -> None:
        ex = self._execution
        with self.hold_sync():
            self._follow()
            self.position = ex.position
            self.total = len(ex.plan.ops)
            self.done = ex.done and self._error is None
            self.error_info = self._error_info()
            self.plan = self._plan_info()
            self.status = self._status_info()
            self.timeline_view = self._timeline_info()
            self.can_init = bool(self._uninitialized())
            self._seen_version = self._sess.state.version
            self._refresh_states()
            self._update_info()
            self._update_inspector()
            self._update_watched()
            if self._heat_what and self._heat_source is None:
                self._heat_ops = self._heat_values(self._heat_what, None)
                self._update_heat()

    def _status_info(self) -> dict[str, Any]:
        ex = self._execution
        n = len(ex.plan.ops)
        if self._error is not None:
            op = getattr(self._error, "op", None) or ex.next_op
            return {
                "state": "stopped",
                "op": op.name if op is not None else "",
                "error": type(self._error).__name__,
            }
        if ex.done:
            try:
                res = (
                    short(self.results, 40)
                    if _is_arrayish(self.results)
                    else clip(repr(self.results), 40)
                )
            except Exception:  # noqa: BLE001
                res = "?"
            return {"state": "done", "n": n, "result": res, "runs": self.runs}
        op = ex.next_op
        assert op is not None
        return {
            "state": "ready" if ex.position == 0 else "step",
            "n": n,
            "pos": ex.position,
            "op": op.name,
            "type": op.type,
        }

    def _error_info(self) -> dict[str, Any]:
        e = self._error
        if e is None:
            return {}
        op = getattr(e, "op", None)
        out: dict[str, Any] = {"cls": type(e).__name__, "first": _first_line(e)}
        if op is not None:
            out.update(op=op.name, type=op.type)
            loc = where(op)
            if loc:
                out.update(where=loc[0], src=clip(loc[1], 120))
        hint = getattr(e, "hint", None)
        if hint:
            out["hint"] = str(hint)
        bad = self._bad_variable()
        if bad is not None:
            out["bad"] = bad
        return out

    def _plan_info(self) -> dict[str, Any]:
        ex = self._execution
        ops = ex.plan.ops
        pos = ex.position
        start = max(0, min(pos - PLAN_WINDOW // 3, len(ops) - PLAN_WINDOW))
        end = min(len(ops), start + PLAN_WINDOW)
        records = self._records()
        rows = []
        for i in range(start, end):
            op = ops[i]
            row: dict[str, Any] = {"i": i, "name": op.name, "type": op.type}
            if i < pos:
                # the value this op read or wrote at its step (not the value now)
                rec = records.get(i)
                out = rec.outputs[0] if rec is not None and rec.outputs else None
                row.update(state="done", value=short(out, 24) if out is not None else "✓")
            elif i == pos and self._error is not None:
                row.update(state="error", error=type(self._error).__name__)
            elif i == pos:
                row.update(state="current")
            else:
                row.update(state="pending")
            rows.append(row)
        return {"start": start, "after": len(ops) - end, "rows": rows}

    def _timeline_info(self) -> dict[str, Any]:
        entries = self.timeline[-TIMELINE_COLUMNS:]
        if not entries:
            return {}
        names = list(entries[-1]["variables"])[:TIMELINE_ROWS]
        rows = []
        for name in names:
            cells: list[str | None] = []
            for e in entries:
                v = e["variables"].get(name)
                cells.append(None if v is None else v if isinstance(v, str) else short(v, 14))
            rows.append({"name": name, "cells": cells})
        results: list[str | None] = []
        for e in entries:
            if "result" not in e:
                results.append(None)
                continue
            r = e["result"]
            results.append(
                r if isinstance(r, str) else short(r, 14) if _is_arrayish(r) else clip(repr(r), 14)
            )
        return {"labels": [e["label"] for e in entries], "rows": rows, "results": results}

    # -- messages -------------------------------------------------------------------------------
    def _handlers(self) -> dict[str, Any]:
        out = super()._handlers()
        out.update(
            {
                "next": lambda c: self.step(),
                "run_to_end": lambda c: self.run_to_end(),
                "reset": lambda c: self.reset(),
                "init": lambda c: self.initialize(),
                "color_by": lambda c: self.color_by(str(c.get("what") or "") or None),
            }
        )
        return out


def _keep(value: Any) -> Any:
    """A copy of a small value; a short text for a big one (the timeline must stay small)."""
    if isinstance(value, (np.ndarray, np.generic)):
        if value.size <= TIMELINE_KEEP:
            return np.array(value, copy=True)
        if value.dtype.kind in "biuf":
            with np.errstate(all="ignore"):
                return f"mean {float(np.mean(value, dtype=np.float64)):.4g}"
        return short(value, 14)
    return value


def _first_line(e: BaseException) -> str:
    msg = getattr(e, "message", None)
    text = msg if isinstance(msg, str) else str(e)
    return text.splitlines()[0] if text else type(e).__name__


def _is_arrayish(x: Any) -> bool:
    return isinstance(x, (np.ndarray, np.generic, int, float, bool))
