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
from teachflow.execution import Execution, StepRecord
from teachflow.session import BaseSession
from teachflow.widgets._format import clip, describe, esc, short, where
from teachflow.widgets.graphview import GraphView, _reads_variables, _variable_map, fetch_text

_UNINIT = re.compile(r"uninitialized value (\S+)")
# the plan list shows this many ops around the current one (plans can have 10,000 ops)
PLAN_WINDOW = 120
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

    plan_html = traitlets.Unicode("").tag(sync=True)
    status_html = traitlets.Unicode("").tag(sync=True)
    error_html = traitlets.Unicode("").tag(sync=True)
    timeline_html = traitlets.Unicode("").tag(sync=True)
    can_init = traitlets.Bool(False).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    position = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)

    HTML_TRAITS = (
        *GraphView.HTML_TRAITS,
        "plan_html",
        "status_html",
        "error_html",
        "timeline_html",
    )

    def __init__(self, sess: BaseSession, fetches: Any, feed_dict: Any = None, **kwargs: Any):
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
        self.runs = 0
        self.timeline: list[dict[str, Any]] = []
        kwargs.setdefault("title", f"sess.run({fetch_text(fetches)}) · step by step")
        super().__init__(sess, stepper=True, **kwargs)
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
        if self._closed_session():
            self._refresh()
            return
        try:
            if not ex.done:
                ex.run_to_end()
        except Exception as e:  # noqa: BLE001 - shown on the node; the widget stays usable
            self._error = e
        else:
            self._error = None
            self._finish()
        self._refresh()

    def reset(self) -> None:
        """Starts a new run of the same fetches (variables keep their values, as in TF)."""
        self._start(self._sess.stepper(self._fetches, self._feed_dict))

    run_again = reset

    def _closed_session(self) -> bool:
        if not self._sess._closed:
            return False
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
        execution.observers.append(self._observe)
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

    def _uninitialized(self) -> list[Any]:
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

    # -- what the browser shows ------------------------------------------------------------------
    def _states_of_ops(self) -> dict[str, set[str]]:
        ex = self._execution
        pos = ex.position
        states: dict[str, set[str]] = {op.name: {"skip"} for op in self._graph.get_operations()}
        for i, op in enumerate(ex.plan.ops):
            if i < pos:
                s = {"done"}
            elif i == pos:
                s = {"error"} if self._error is not None else {"current"}
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

    def _value_of(self, op: Any) -> tuple[bool, Any]:
        """(computed?, value of the op's first output) in the current run."""
        ex = self._execution
        if drawing.node_kind(op) == "variable":
            v = self._sess.state.variables.get(op.name)
            return v is not None, v
        if not op.outputs:
            return False, None
        t = op.outputs[0]
        if not ex.is_computed(t):
            return False, None
        try:
            return True, ex.value(t)
        except LookupError:
            return False, None

    def _value_slots(self) -> set[str]:
        return super()._value_slots() | {op.name for op in self._execution.plan.ops}

    def _values_of_boxes(self) -> dict[str, str]:
        ex = self._execution
        done = {op.name for op in ex.plan.ops[: ex.position]}
        out: dict[str, str] = {}
        for n in self._drawing.nodes:
            name = n["name"]
            if n["kind"] == "scope":
                continue
            op = self._graph._ops.get(name)
            if op is None:
                continue
            if n["kind"] == "variable" and (name in done or name in self._sess.state.variables):
                ok, v = self._value_of(op)
                out[n["id"]] = "= " + short(v, 12) if ok else "uninitialized"
            elif name in done:
                ok, v = self._value_of(op)
                if ok:
                    out[n["id"]] = "= " + short(v, 12)
        return out

    def _value_html(self, op: Any) -> str:
        ex = self._execution
        plan_names = [o.name for o in ex.plan.ops]
        if drawing.node_kind(op) == "variable":
            return super()._value_html(op)
        if op.name not in plan_names:
            return '<span class="tf-dim">not part of this run</span>'
        if not op.outputs:
            ran = plan_names.index(op.name) < ex.position
            return (
                '<span class="tf-dim">' + ("ran (no outputs)" if ran else "not run yet") + "</span>"
            )
        items = []
        for t in op.outputs:
            if ex.is_computed(t):
                try:
                    text = describe(ex.value(t))
                except LookupError:
                    text = "not yet computed"
                items.append(f'<code>{esc(t.name)}</code><pre class="tf-value">{esc(text)}</pre>')
            else:
                items.append(
                    f'<code>{esc(t.name)}</code> <span class="tf-dim">not yet computed</span>'
                )
        return "".join(items)

    def _refresh(self) -> None:
        ex = self._execution
        with self.hold_sync():
            self.position = ex.position
            self.total = len(ex.plan.ops)
            self.done = ex.done and self._error is None
            self.error_html = self._error_html()
            self.plan_html = self._plan_html()
            self.status_html = self._status_html()
            self.timeline_html = self._timeline_html()
            self.can_init = bool(self._uninitialized())
            self._refresh_states()
            self._update_info()

    def _status_html(self) -> str:
        ex = self._execution
        n = len(ex.plan.ops)
        if self._error is not None:
            op = getattr(self._error, "op", None) or ex.next_op
            at = f" at <b>{esc(op.name)}</b>" if op is not None else ""
            return f'<span class="tf-bad">Stopped{at}: {esc(type(self._error).__name__)}</span>'
        if ex.done:
            try:
                res = (
                    short(self.results, 40)
                    if _is_arrayish(self.results)
                    else clip(repr(self.results), 40)
                )
            except Exception:  # noqa: BLE001
                res = "?"
            return (
                f"Done: all {n} ops ran · sess.run returned <code>{esc(res)}</code>"
                f" · run {self.runs}"
            )
        op = ex.next_op
        assert op is not None
        if ex.position == 0:
            return f"Ready: {n} ops to run. Next: <b>{esc(op.name)}</b> ({esc(op.type)})"
        return f"Step {ex.position + 1} of {n} · next: <b>{esc(op.name)}</b> ({esc(op.type)})"

    def _error_html(self) -> str:
        e = self._error
        if e is None:
            return ""
        op = getattr(e, "op", None)
        parts = [
            f'<div class="tf-error-title">{esc(type(e).__name__)}: {esc(_first_line(e))}</div>'
        ]
        if op is not None:
            parts.append(
                f'<div class="tf-error-node">at node <b>{esc(op.name)}</b> ({esc(op.type)})'
            )
            loc = where(op)
            if loc:
                parts.append(f", created at {esc(loc[0])}")
                if loc[1]:
                    parts.append(f"<pre>{esc(clip(loc[1], 120))}</pre>")
            parts.append("</div>")
        hint = getattr(e, "hint", None)
        if hint:
            parts.append(f'<div class="tf-error-hint">Hint: {esc(hint)}</div>')
        bad = self._bad_variable()
        if bad is not None:
            parts.append(
                '<div class="tf-error-hint">Press <b>Initialize variables</b> to run the '
                f"initializer of <b>{esc(bad)}</b> in this session, then <b>Next</b> to retry."
                "</div>"
            )
        return "".join(parts)

    def _plan_html(self) -> str:
        ex = self._execution
        ops = ex.plan.ops
        pos = ex.position
        start = max(0, min(pos - PLAN_WINDOW // 3, len(ops) - PLAN_WINDOW))
        end = min(len(ops), start + PLAN_WINDOW)
        rows = []
        if start:
            rows.append(f'<li class="tf-plan-more">… {start} earlier ops</li>')
        for i in range(start, end):
            op = ops[i]
            if i < pos:
                cls, mark = "done", "✓"
                ok, v = self._value_of(op)
                text = short(v, 24) if ok else "ran"
            elif i == pos and self._error is not None:
                cls, mark, text = "error", "✗", type(self._error).__name__
            elif i == pos:
                cls, mark, text = "current", "▶", "not yet computed"
            else:
                cls, mark, text = "pending", "", "not yet computed"
            rows.append(
                f'<li class="tf-plan-{cls}" data-select="{esc(op.name)}">'
                f'<span class="tf-plan-mark">{mark}</span>'
                f'<span class="tf-plan-i">{i + 1}</span>'
                f'<span class="tf-plan-name">{esc(op.name)}</span>'
                f'<span class="tf-plan-type">{esc(op.type)}</span>'
                f'<span class="tf-plan-value">{esc(text)}</span></li>'
            )
        if end < len(ops):
            rows.append(f'<li class="tf-plan-more">… {len(ops) - end} more ops</li>')
        return f'<ol class="tf-plan">{"".join(rows)}</ol>'

    def _timeline_html(self) -> str:
        entries = self.timeline[-TIMELINE_COLUMNS:]
        if not entries:
            return ""
        names = list(entries[-1]["variables"])[:TIMELINE_ROWS]
        head = "".join(f"<th>{esc(e['label'])}</th>" for e in entries)
        body = []
        for name in names:
            cells = []
            for e in entries:
                v = e["variables"].get(name)
                cell = "—" if v is None else v if isinstance(v, str) else short(v, 14)
                cls = ' class="tf-dim"' if v is None else ""
                cells.append(f"<td{cls}>{esc(cell)}</td>")
            body.append(f"<tr><th>{esc(name)}</th>{''.join(cells)}</tr>")
        cells = []
        for e in entries:
            if "result" in e:
                r = e["result"]
                text = (
                    r
                    if isinstance(r, str)
                    else short(r, 14)
                    if _is_arrayish(r)
                    else clip(repr(r), 14)
                )
                cells.append(f"<td>{esc(text)}</td>")
            else:
                cells.append('<td class="tf-dim"></td>')
        body.append(f'<tr class="tf-result-row"><th>run returned</th>{"".join(cells)}</tr>')
        note = (
            '<p class="tf-dim">Variables keep their values from one run to the next; '
            "intermediate tensors are computed again in each run and then dropped "
            "(— = not initialized).</p>"
        )
        return f'<table class="tf-timeline"><tr><th></th>{head}</tr>{"".join(body)}</table>{note}'

    # -- messages -------------------------------------------------------------------------------
    def _handlers(self) -> dict[str, Any]:
        out = super()._handlers()
        out.update(
            {
                "next": lambda c: self.step(),
                "run_to_end": lambda c: self.run_to_end(),
                "reset": lambda c: self.reset(),
                "init": lambda c: self.initialize(),
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
