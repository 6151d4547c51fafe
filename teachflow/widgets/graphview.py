"""``GraphView``: the graph drawn in the notebook, laid out in the browser by Graphviz (wasm).

Python builds the DOT source (:mod:`teachflow.drawing`) and sends plain data (nodes, edges,
node states, values, the selected node's details); the browser builds every element from it,
lays the DOT out once and afterwards only restyles nodes (CSS classes from ``node_states``),
so stepping a run never re-runs the layout. Only opening or closing a name scope changes
``dot``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anywidget
import traitlets

from teachflow import drawing
from teachflow.graph import Graph, GraphKeys, Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.session import BaseSession, Session
from teachflow.widgets import _bundle, _heat, _inspect, _lifecycle
from teachflow.widgets._format import clip, describe, short, where

# folding the states of the ops hidden in one collapsed scope into one look, strongest first
_FOLD_ORDER = (
    "nan",
    "error",
    "uninit",
    "current",
    "nanreach",
    "warn",
    "partial",
    "pending",
    "done",
    "run",
    "fed",
)
MAX_SEARCH_RESULTS = 20
WATCH_HISTORY = 8
LANGS = ("en", "ja")


def _fold(states: set[str]) -> str:
    if "pending" in states and "done" in states:
        states = states | {"partial"}
    for s in _FOLD_ORDER:
        if s in states:
            return s
    return "skip" if "skip" in states else ""


@dataclass
class Preview:
    """What ``sess.run(fetches, feed_dict)`` would do, found without running anything."""

    ops: list[str]
    unfed: list[str]
    uninitialized: list[str]
    fed: list[str]


def _variable_map(graph: Graph) -> dict[str, Any]:
    """Variable op name -> Variable object, for the variables the graph's collections know."""
    out: dict[str, Any] = {}
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for v in graph.get_collection(key):
            op = getattr(v, "op", None)
            if isinstance(op, Operation) and getattr(v, "initializer", None) is not None:
                out.setdefault(op.name, v)
    return out


def _reads_variables(plan_ops: list[Operation], fetched: Iterable[Any]) -> set[str]:
    """The variable ops whose value the plan reads (an Assign only takes the ref: no read)."""
    read: set[str] = set()
    for op in plan_ops:
        keep = op.opdef.ref_inputs
        for i, t in enumerate(op.inputs):
            if t.dtype.is_ref and keep != registry.ALL_INPUTS and i not in keep:
                read.add(t.op.name)
    for t in fetched:
        if t.dtype.is_ref:
            read.add(t.op.name)
    return read


class GraphView(anywidget.AnyWidget):  # type: ignore[misc]
    """A graph (or a session's graph) drawn in the notebook: click nodes, search, preview runs.

    ``lang="ja"`` shows the widget's own labels in Japanese (TensorFlow's messages stay as
    they are).

    >>> import teachflow as tf
    >>> from teachflow.widgets import GraphView
    >>> tf.reset_default_graph()
    >>> c = tf.add(tf.Variable(0, name="counter"), 1)
    >>> view = GraphView(tf.get_default_graph())
    >>> "counter" in view.dot
    True
    """

    _esm = _bundle.path("graphview.js")
    # the version of the widgets' code: the small _esm asks for the code (a "code" message)
    # once per page and shares it among all views (see widgets/src/_loader.js)
    _code_key = traitlets.Unicode().tag(sync=True)

    title = traitlets.Unicode("").tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    dot = traitlets.Unicode("").tag(sync=True)
    # box id (the <title> of the SVG node) -> {"name", "kind", "type"[, "count", "slot"]}
    nodes = traitlets.Dict().tag(sync=True)
    # cluster id -> scope name
    clusters = traitlets.Dict().tag(sync=True)
    # edge i (DOT class "tfe-i") -> [source box, target box, is control]
    edges = traitlets.List(traitlets.Any()).tag(sync=True)
    collapsed = traitlets.List(traitlets.Unicode()).tag(sync=True)
    hidden = traitlets.Int(0).tag(sync=True)
    # the kinds drawn: [{"kind", "shape", "fill", "border"}]
    legend = traitlets.List(traitlets.Any()).tag(sync=True)
    # an op name, or a scope name + "/"
    selected = traitlets.Unicode("").tag(sync=True)
    # the selected node's details (see _op_info / _scope_info)
    info = traitlets.Dict().tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    search_results = traitlets.List(traitlets.Any()).tag(sync=True)
    matches = traitlets.List(traitlets.Any()).tag(sync=True)
    # box id -> space-separated states ("done", "current", "error", "skip"...): CSS classes
    node_states = traitlets.Dict().tag(sync=True)
    node_values = traitlets.Dict().tag(sync=True)
    # what preview() found (see _preview_info)
    notice = traitlets.Dict().tag(sync=True)
    # a line above the graph: {"key": "too_many" | "follow_limit" | "failure", ...}
    alert = traitlets.Dict().tag(sync=True)
    closed = traitlets.Bool(False).tag(sync=True)
    # the tensor clicked on (an edge), and its value for the inspector (see _inspect)
    inspected = traitlets.Unicode("").tag(sync=True)
    inspector = traitlets.Dict().tag(sync=True)
    # tensors kept in view across steps and runs, and what they held
    watch = traitlets.List(traitlets.Unicode()).tag(sync=True)
    watched = traitlets.List(traitlets.Any()).tag(sync=True)
    # colour by: {"what", "unit", "values": {box: number}} (see color_by)
    heat = traitlets.Dict().tag(sync=True)
    # where a NaN or Inf was born (see show_non_finite)
    nan_info = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        graph_or_session: Graph | BaseSession | None = None,
        *,
        collapsed: Iterable[str] | None = None,
        threshold: int = drawing.COLLAPSE_THRESHOLD,
        lang: str = "en",
        **kwargs: Any,
    ) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {lang!r}.")
        _, key = _bundle.code("graphlib.js")
        super().__init__(lang=lang, _code_key=key, **kwargs)
        if graph_or_session is None:
            graph_or_session = get_default_graph()
        if isinstance(graph_or_session, BaseSession):
            self._session: BaseSession | None = graph_or_session
            self._graph = graph_or_session.graph
        elif isinstance(graph_or_session, Graph):
            self._session = None
            self._graph = graph_or_session
        else:
            raise TypeError(
                "GraphView needs a tf.Graph or a tf.Session, got "
                f"{type(graph_or_session).__name__}.\n"
                "  Hint: GraphView(tf.get_default_graph()) or GraphView(sess)."
            )
        self._threshold = threshold
        self._max_nodes = drawing.MAX_NODES
        self._op_states: dict[str, set[str]] = {}
        self._drawing = drawing.Drawing()
        self._redrawing = False
        self._seen_version = self._state_version()
        self._nan_states: dict[str, set[str]] = {}
        self._heat_ops: dict[str, float] = {}
        self._heat_what = ""
        self._last_run: dict[str, Any] = {}
        self._history: dict[str, list[list[str]]] = {}
        self._runs_seen = 0
        self._keeper: _RunKeeper | None = None
        if not self.title:
            n = len(self._graph.get_operations())
            self.title = f"グラフ · 演算 {n} 個" if lang == "ja" else f"Graph · {n} ops"
        self._redraw(None if collapsed is None else list(collapsed))
        self.on_msg(self._on_custom_msg)
        _lifecycle.adopt(self)

    # -- public ------------------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def session(self) -> BaseSession | None:
        return self._session

    def refresh(self) -> None:
        """Redraws after ops were added to the graph, and re-reads the session's values."""
        self._redraw(self.collapsed)
        self._sync_session()
        self._update_info()

    def expand(self, scope: str) -> bool:
        """Opens a collapsed name scope (lays the graph out again).

        Its big inner scopes stay closed. When that would draw more than ``drawing.MAX_NODES``
        boxes nothing changes and ``alert`` says so (the open scopes are kept). Returns whether
        the scope was opened.
        """
        scope = scope.rstrip("/")
        if scope not in self.collapsed:
            return scope in self._drawing.scopes
        new = self._opened(list(self.collapsed), [scope])
        n = drawing.box_count(self._graph, new)
        if n > self._max_nodes:
            self.alert = {"key": "too_many", "scope": scope, "n": n, "max": self._max_nodes}
            return False
        self.alert = {}
        self.collapsed = new
        return True

    def collapse(self, scope: str) -> None:
        """Draws a name scope as one box."""
        scope = scope.rstrip("/")
        if scope in self._drawing.scopes and scope not in self.collapsed:
            self.alert = {}
            self.collapsed = sorted([*self.collapsed, scope])

    def reveal(self, name: str) -> None:
        """Opens the scopes hiding op ``name`` (when they fit) and selects it."""
        path = [s for s in self.collapsed if name == s or name.startswith(s + "/")]
        if path:
            new = self._opened(list(self.collapsed), path, keep=name)
            n = drawing.box_count(self._graph, new)
            if n > self._max_nodes:
                self.alert = {"key": "too_many", "scope": path[0], "n": n, "max": self._max_nodes}
            else:
                self.alert = {}
                self.collapsed = new
        self.selected = name

    def preview(self, fetches: Any, feed_dict: Any = None) -> Preview:
        """Shows what ``sess.run(fetches, feed_dict)`` would execute, greying the rest.

        Flags up front the placeholders that are not fed and (with a session) the variables
        the run reads that are not initialized in that session.
        """
        sess = self._session
        throwaway = sess is None
        runner = Session(graph=self._graph) if sess is None else sess
        try:
            ex = runner.stepper(fetches, feed_dict)
        finally:
            if throwaway:
                runner.close()
        plan_ops = ex.plan.ops
        in_plan = {op.name for op in plan_ops}
        fed = [t.op.name for t in ex.plan.feeds]
        unfed = [op.name for op in plan_ops if op.type in ("Placeholder", "PlaceholderV2")]
        uninit: list[str] = []
        if sess is not None:
            values = sess.state.variables
            reads = _reads_variables(plan_ops, ex.plan.fetches)
            uninit = [
                op.name
                for op in plan_ops
                if drawing.node_kind(op) == "variable" and op.name in reads
                if op.name not in values
            ]
        states: dict[str, set[str]] = {}
        for op in self._graph.get_operations():
            states[op.name] = {"run"} if op.name in in_plan else {"skip"}
        for n in fed:
            states[n] = {"fed"}
        for n in unfed + uninit:
            states[n] = {"run", "warn"}
        self._op_states = states
        result = Preview([op.name for op in plan_ops], unfed, uninit, fed)
        total = len(self._graph.get_operations())
        self.notice = {
            "fetch": fetch_text(fetches),
            "n": len(result.ops),
            "total": total,
            "ops": result.ops[:25],
            "more": len(result.ops) > 25,
            "fed": fed,
            "unfed": unfed,
            "uninit": uninit,
        }
        self._refresh_states()
        return result

    def clear_preview(self) -> None:
        self._op_states = {}
        self.notice = {}
        self._refresh_states()

    # -- inspecting tensors -----------------------------------------------------------------
    def inspect(self, tensor: Any) -> dict[str, Any]:
        """Shows ``tensor``'s value in the inspector (what clicking its edge does); returns the
        data shown: ``{"kind": "table" | "histogram" | "images", "shape", "dtype", ...}``."""
        name = self._tensor_name(tensor)
        if self.inspected == name:
            self._update_inspector()
        else:
            self.inspected = name
        return dict(self.inspector)

    def add_watch(self, tensor: Any) -> None:
        """Keeps ``tensor``'s value in the watch list, step after step and run after run."""
        name = self._tensor_name(tensor)
        if name not in self.watch:
            self.watch = [*self.watch, name]

    def _tensor_name(self, tensor: Any) -> str:
        name = tensor if isinstance(tensor, str) else getattr(tensor, "name", None)
        if not isinstance(name, str):
            raise TypeError(
                f"expected a tf.Tensor or its name, got {type(tensor).__name__}.\n"
                "  Hint: view.inspect(logits) or view.inspect('layer1/Relu:0')."
            )
        return self._graph.as_graph_element(name, allow_tensor=True, allow_operation=False).name

    @traitlets.observe("inspected")
    def _on_inspected(self, change: dict[str, Any]) -> None:
        self._keep_last_run()
        self._update_inspector()

    @traitlets.observe("watch")
    def _on_watch(self, change: dict[str, Any]) -> None:
        self._keep_last_run()
        self._update_watched()

    def _wanted(self) -> set[str]:
        return {n for n in [self.inspected, *self.watch] if n}

    def _keep_last_run(self) -> None:
        """With a session, the runs keep the values of the inspected and watched tensors."""
        sess = self._session
        if sess is None or self._keeper is not None or not self._wanted():
            return
        self._keeper = _RunKeeper(self)
        sess._run_observers.append(self._keeper)

    def _kept_run(self, values: dict[str, Any]) -> None:
        """A run in the session finished: what it computed of the wanted tensors."""
        self._last_run = values
        self._runs_seen += 1
        for name, v in values.items():
            if name in self.watch:
                self._note_history(name, f"run {self._runs_seen}", v)
        with self.hold_sync():
            self._update_inspector()
            self._update_watched()

    def _note_history(self, name: str, label: str, value: Any) -> None:
        rows = self._history.setdefault(name, [])
        rows.append([label, _inspect.summary(value)])
        del rows[:-WATCH_HISTORY]

    def _tensor_value(self, t: Tensor) -> tuple[str, Any]:
        """``(source, value)``: source is "last_run" or "computed", else why there is no value
        ("feed_needed", "stateful", "no_session", "error")."""
        if t.name in self._last_run:
            return "last_run", self._last_run[t.name]
        sess = self._session
        if sess is None or sess._closed:
            return "no_session", None
        try:
            ex = sess.stepper(t)
        except Exception as e:  # noqa: BLE001 - shown in the inspector
            return "error", e
        plan = ex.plan.ops
        if any(op.type in ("Placeholder", "PlaceholderV2") for op in plan):
            return "feed_needed", [op.name for op in plan if op.type.startswith("Placeholder")]
        if any(_writes(op) for op in plan):
            return "stateful", [op.name for op in plan if _writes(op)][:3]
        try:
            return "computed", ex.run_to_end()
        except Exception as e:  # noqa: BLE001
            return "error", e

    def _inspector_data(self, name: str) -> dict[str, Any]:
        t = self._graph.as_graph_element(name, allow_tensor=True, allow_operation=False)
        out: dict[str, Any] = {
            "tensor": t.name,
            "op": t.op.name,
            "type": t.op.type,
            "static_dtype": t.dtype.name,
            "static_shape": str(t.shape),
        }
        source, value = self._tensor_value(t)
        out["source"] = source
        if source in ("feed_needed", "stateful"):
            out["names"] = list(value)
        elif source == "error":
            first = str(value).splitlines()[0] if str(value) else ""
            out["error"] = f"{type(value).__name__}: {first}"
        elif source not in ("no_session", "not_run", "not_in_run") and value is not None:
            filt = _is_filter(t)
            out.update(_inspect.inspect_value(value, filter_layout=filt))
            if isinstance(source, str) and source.startswith("step "):
                out["source"], out["step"] = "step", int(source[5:])
        return out

    def _update_inspector(self) -> None:
        name = self.inspected
        if not name:
            self.inspector = {}
            return
        try:
            self.inspector = self._inspector_data(name)
        except Exception as e:  # noqa: BLE001 - a bad name typed by hand
            error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            self.inspector = {"tensor": name, "source": "error", "error": error}

    def _update_watched(self) -> None:
        out: list[Any] = []
        for name in self.watch:
            try:
                t = self._graph.as_graph_element(name, allow_tensor=True, allow_operation=False)
            except Exception:  # noqa: BLE001
                continue
            value = self._watched_now(t)
            out.append(
                {
                    "tensor": name,
                    "now": None if value is None else _inspect.summary(value),
                    "history": self._history.get(name, [])[-WATCH_HISTORY:],
                }
            )
        self.watched = out

    def _watched_now(self, t: Tensor) -> Any:
        source, value = self._tensor_value(t)
        return value if source in ("last_run", "computed") else None

    # -- colour by ----------------------------------------------------------------------------
    def color_by(self, what: str | None, source: Any = None) -> dict[str, float]:
        """Colours the boxes by ``"time"`` (compute time), ``"size"`` (output bytes) or
        ``"grad"`` (gradient norm of each variable), on a log scale with a legend.

        ``source``: a ``tf.RunMetadata`` filled by a traced run (time, size), a
        ``tf.debug.GradientRecorder`` (grad: each variable's gradient norm); a Stepper uses its
        own run when it is None (grad: the norm of every gradient op it ran, and the edges of
        the backward pass drawn thicker for bigger gradients).
        ``color_by(None)`` takes the colours off. Returns the numbers per op.
        """
        if what is None:
            self._heat_what, self._heat_ops = "", {}
            self._update_heat()
            return {}
        if what not in _heat.WHAT:
            raise ValueError(f"color_by takes one of {_heat.WHAT} or None, got {what!r}.")
        self._heat_what = what
        self._heat_ops = self._heat_values(what, source)
        self._update_heat()
        return dict(self._heat_ops)

    def _heat_values(self, what: str, source: Any) -> dict[str, float]:
        if what == "grad":
            if not hasattr(source, "grad_norm"):
                raise TypeError(
                    "color_by('grad', recorder) needs a tf.debug.GradientRecorder.\n"
                    "  Hint: rec = tf.debug.GradientRecorder(loss); rec.run(sess, train_op, feed)."
                )
            return _heat.from_recorder(source)
        if source is not None and hasattr(source, "step_stats"):
            return _heat.from_run_metadata(source, what)
        raise TypeError(
            f"color_by({what!r}, run_metadata) needs the tf.RunMetadata of a traced run.\n"
            "  Hint: meta = tf.RunMetadata(); sess.run(y, options=tf.RunOptions("
            "trace_level=tf.RunOptions.FULL_TRACE), run_metadata=meta)."
        )

    def _update_heat(self) -> None:
        if not self._heat_what:
            self.heat = {}
            return
        what = self._heat_what
        boxes = _heat.fold(self._heat_ops, self._drawing.visible, what)
        heat: dict[str, Any] = {"what": what, "unit": _heat.UNITS[what], "values": boxes}
        if what == "grad":
            # the backward pass drawn as edge weight: a thick line carries a big gradient
            edges: list[Any] = list(self.edges)
            tensors = {e[3]: e[3].rsplit(":", 1)[0] for e in edges if e and len(e) > 3 and e[3]}
            heat["edges"] = _heat.edge_weights(self._heat_ops, edges, tensors)
        self.heat = heat

    # -- NaN and Inf --------------------------------------------------------------------------
    def show_non_finite(self, report: Any) -> None:
        """Draws a ``tf.debug`` NaN report on the graph: the op where NaN or Inf was born in red
        (its inputs' values and the hint beside the graph), the ops it reached faded red.
        ``show_non_finite(None)`` clears it."""
        if report is None:
            self._nan_states = {}
            self.nan_info = {}
            self._refresh_states()
            return
        op = report.op
        states: dict[str, set[str]] = {n: {"nanreach"} for n in report.downstream}
        states[op.name] = {"nan"}
        self._nan_states = states
        loc = where(op)
        self.nan_info = {
            "op": op.name,
            "type": op.type,
            "tensor": report.tensor.name,
            "kind": report.kind,
            "where": loc[0] if loc else "",
            "src": clip(loc[1], 120) if loc else "",
            "inputs": [{"name": t.name, "text": describe(v)} for t, v in report.inputs],
            "hint": str(report.hint),
            "downstream": list(report.downstream[:12]),
            "more": max(0, len(report.downstream) - 12),
        }
        with self.hold_sync():
            self.reveal(op.name)
            self._refresh_states()

    # -- drawing -----------------------------------------------------------------------------
    def _opened(self, collapsed: list[str], scopes: list[str], keep: str = "") -> list[str]:
        """``collapsed`` with ``scopes`` open; their big inner scopes (not holding ``keep``) stay
        closed, as in TensorBoard (one level at a time). When that is still too many boxes,
        every inner scope stays closed."""
        out = self._opened_above(collapsed, scopes, keep, self._threshold)
        if drawing.box_count(self._graph, out) > self._max_nodes:
            out = self._opened_above(collapsed, scopes, keep, 1)
        return out

    def _opened_above(
        self, collapsed: list[str], scopes: list[str], keep: str, size: int
    ) -> list[str]:
        totals = self._drawing.scopes
        out = set(collapsed) - set(scopes)
        for scope in scopes:
            prefix = scope + "/"
            for s, n in totals.items():
                if not s.startswith(prefix) or n <= size:
                    continue
                if keep == s or keep.startswith(s + "/"):
                    continue
                # only the scopes right inside ``scope`` (the deeper ones are hidden by them)
                inner = s[len(prefix) :]
                parents = [prefix + inner[:i] for i, c in enumerate(inner) if c == "/"]
                if not any(p in totals for p in parents):
                    out.add(s)
        return sorted(out)

    def _redraw(self, collapsed: list[str] | None) -> None:
        self._redrawing = True
        try:
            slots = self._value_slots()
            d = drawing.draw(
                self._graph,
                collapsed,
                threshold=self._threshold,
                max_nodes=self._max_nodes,
                value_slots=slots,
            )
            self._drawing = d
            kinds = {n["kind"] for n in d.nodes}
            with self.hold_sync():
                self.nodes = {n["id"]: self._node_data(n, slots) for n in d.nodes}
                self.clusters = {c["id"]: c["name"] for c in d.clusters}
                self.edges = [
                    [
                        e["source"],
                        e["target"],
                        e["control"],
                        e["tensor"] if e["count"] == 1 and not e["control"] else "",
                    ]
                    for e in d.edges
                ]
                self.hidden = d.hidden
                self.legend = [
                    {"kind": k, "shape": shape, "fill": fill, "border": border}
                    for k, (shape, fill, border) in drawing.KIND_STYLE.items()
                    if k in kinds
                ]
                if list(self.collapsed) != d.collapsed:
                    self.collapsed = d.collapsed
                self.dot = d.dot if d.nodes else ""  # the browser says the graph is empty
                self._refresh_states()
                self._update_search()
                self._update_heat()
        finally:
            self._redrawing = False

    @staticmethod
    def _node_data(n: dict[str, Any], slots: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            k: n[k] for k in ("name", "kind", "type", "count", "scope") if k in n
        }
        if n["kind"] != "scope" and n["name"] in slots and n.get("value") is None:
            out["slot"] = True
        return out

    @traitlets.observe("collapsed")
    def _on_collapsed(self, change: dict[str, Any]) -> None:
        if not self._redrawing:
            self._redraw(list(change["new"]))

    # -- node looks ---------------------------------------------------------------------------
    def _states_of_ops(self) -> dict[str, set[str]]:
        return self._op_states

    def _value_slots(self) -> set[str]:
        """The ops whose drawn box gets a line for its value: variables, with a session."""
        if self._session is None:
            return set()
        return set(_variable_map(self._graph))

    def _values_of_boxes(self) -> dict[str, str]:
        """Badges beside nodes: with a session, the current value of each drawn variable."""
        out: dict[str, str] = {}
        if self._session is None or self._session._closed:
            return out
        values = self._session.state.variables
        for n in self._drawing.nodes:
            if n["kind"] == "variable" and n["name"] in values:
                out[n["id"]] = "= " + short(values[n["name"]], 12)
        return out

    def _refresh_states(self) -> None:
        d = self._drawing
        scope_boxes = {n["id"] for n in d.nodes if n["kind"] == "scope"}
        per_box: dict[str, set[str]] = {}
        ops_states = self._states_of_ops()
        if self._nan_states:
            ops_states = {k: set(v) for k, v in ops_states.items()}
            for name, extra in self._nan_states.items():
                ops_states[name] = ops_states.get(name, set()) | extra
        for name, states in ops_states.items():
            box = d.visible.get(name)
            if box is not None and states:
                per_box.setdefault(box, set()).update(states)
        out: dict[str, str] = {}
        for box, states in per_box.items():
            out[box] = _fold(states) if box in scope_boxes else " ".join(sorted(states))
        sel = self.selected
        box = d.visible.get(sel) if sel and not sel.endswith("/") else None
        if sel.endswith("/"):
            box = next(
                (n["id"] for n in d.nodes if n["kind"] == "scope" and n["name"] == sel[:-1]), None
            )
        if box is not None:
            out[box] = (out.get(box, "") + " selected").strip()
        self.node_states = out
        self.node_values = self._values_of_boxes()

    # -- the session changed elsewhere ----------------------------------------------------------
    def _state_version(self) -> int:
        return -1 if self._session is None else self._session.state.version

    def _sync_session(self) -> None:
        """Re-reads what may have changed in the session (values, closed) since last shown."""
        if self._session is None:
            return
        self.closed = bool(self._session._closed)
        version = self._state_version()
        if version != self._seen_version:
            self._seen_version = version
            self._values_changed()

    def _values_changed(self) -> None:
        with self.hold_sync():
            self.node_values = self._values_of_boxes()
            self._update_info()

    # -- info panel -----------------------------------------------------------------------------
    @traitlets.observe("selected")
    def _on_selected(self, change: dict[str, Any]) -> None:
        self._update_info()
        self._refresh_states()

    def _update_info(self) -> None:
        name = self.selected
        if not name:
            self.info = {}
        elif name.endswith("/"):
            self.info = self._scope_info(name[:-1])
        else:
            op = self._graph._ops.get(name)
            self.info = {} if op is None else self._op_info(op)

    def _scope_info(self, scope: str) -> dict[str, Any]:
        ops = [op for op in self._graph.get_operations() if op.name.startswith(scope + "/")]
        if scope in self._graph._ops:
            ops.insert(0, self._graph._ops[scope])
        types: dict[str, int] = {}
        for op in ops:
            types[op.type] = types.get(op.type, 0) + 1
        top = sorted(types.items(), key=lambda kv: -kv[1])[:8]
        return {
            "what": "scope",
            "name": scope,
            "count": len(ops),
            "types": [list(kv) for kv in top],
            "more": len(types) > 8,
            "collapsed": scope in self.collapsed,
        }

    def _op_info(self, op: Operation) -> dict[str, Any]:
        loc = where(op)
        attrs = {k: v for k, v in op.attrs.items() if k not in ("value", "T", "dtype")}
        if op.type == "Const" and "value" in op.attrs:
            value: dict[str, Any] = {"state": "value", "text": describe(op.attrs["value"])}
        else:
            value = self._value_info(op)
        return {
            "what": "op",
            "name": op.name,
            "type": op.type,
            "kind": drawing.node_kind(op),
            "where": loc[0] if loc else "",
            "src": clip(loc[1], 120) if loc else "",
            "inputs": [
                {
                    "op": t.op.name,
                    "suffix": ":" + str(t.value_index),
                    "label": drawing.tensor_label(t),
                }
                for t in op.inputs
            ],
            "control": [c.name for c in op.control_inputs],
            "outputs": [
                {
                    "name": t.name,
                    "label": drawing.tensor_label(t),
                    "users": [u.name for u in t.consumers()[:6]],
                    "more": max(0, len(t.consumers()) - 6),
                }
                for t in op.outputs
            ],
            "attrs": [[k, clip(repr(v), 60)] for k, v in sorted(attrs.items())],
            "value": value,
        }

    def _value_info(self, op: Operation) -> dict[str, Any]:
        """The op's last value: a variable's value in the session; others live only in a run."""
        if self._session is None:
            return {"state": "no_session"}
        if drawing.node_kind(op) == "variable":
            if self._session._closed:
                return {"state": "no_session"}
            v = self._session.state.variables.get(op.name)
            if v is None:
                return {"state": "uninit"}
            return {"state": "value", "text": describe(v)}
        return {"state": "not_kept"}

    # -- search --------------------------------------------------------------------------------
    @traitlets.observe("search")
    def _on_search(self, change: dict[str, Any]) -> None:
        self._update_search()

    def _update_search(self) -> None:
        query = self.search.strip().lower()
        if not query:
            self.search_results = []
            self.matches = []
            return
        results: list[Any] = []
        boxes: set[str] = set()
        count = 0
        for op in self._graph.get_operations():
            if query in op.name.lower():
                count += 1
                box = self._drawing.visible.get(op.name)
                if box is not None:
                    boxes.add(box)
                if len(results) < MAX_SEARCH_RESULTS:
                    results.append(
                        {"name": op.name, "type": op.type, "kind": drawing.node_kind(op)}
                    )
        if count > len(results):
            results.append({"more": count - len(results)})
        self.search_results = results
        matches: list[Any] = sorted(boxes)
        self.matches = matches

    # -- messages from the browser --------------------------------------------------------------
    def _on_custom_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        event = content.get("event")
        handler = self._handlers().get(str(event))
        if handler is None:
            return
        try:
            handler(content)
        except Exception as e:  # noqa: BLE001 - a click must not fail silently in the kernel log
            self._show_failure(e)

    def _show_failure(self, e: BaseException) -> None:
        first = str(e).splitlines()[0] if str(e) else ""
        self.alert = {"key": "failure", "text": f"{type(e).__name__}: {first}"}

    def _handlers(self) -> dict[str, Any]:
        return {
            "reveal": lambda c: self.reveal(str(c.get("name", ""))),
            "expand": lambda c: self.expand(str(c.get("scope", ""))),
            "collapse": lambda c: self.collapse(str(c.get("scope", ""))),
            "poll": lambda c: self._sync_session(),
            "code": lambda c: self.send({"event": "code", "code": _bundle.code("graphlib.js")[0]}),
        }


def _is_filter(t: Tensor) -> bool:
    """Whether ``t`` (or the variable's read it goes through) is a Conv2D's filter (HWIO)."""
    convs = ("Conv2D", "DepthwiseConv2dNative")
    for u in t.consumers():
        if u.type in convs and len(u.inputs) > 1 and u.inputs[1] is t:
            return True
        if u.type == "Identity" and any(
            c.type in convs and len(c.inputs) > 1 and c.inputs[1] is u.outputs[0]
            for c in u.outputs[0].consumers()
        ):
            return True
    return False


def _writes(op: Operation) -> bool:
    """Whether running ``op`` changes the session (assigns a variable, takes from a queue...)."""
    if drawing.node_kind(op) == "variable" or op.type.startswith(("Random", "Truncated")):
        return False
    return bool(op.opdef.stateful or op.opdef.ref_inputs)


class _RunKeeper:
    """A session's run observer keeping, per run, the values of a view's wanted tensors."""

    def __init__(self, view: GraphView) -> None:
        self._view = weakref.ref(view)

    def attach(self, execution: Any) -> None:
        view = self._view()
        if view is None or view.session is None:
            return
        wanted = view._wanted()
        if not wanted:
            return
        todo = {t.name for op in execution.plan.ops for t in op.outputs if t.name in wanted}
        if not todo:
            return
        values: dict[str, Any] = {}

        def observe(event: str, rec: Any) -> None:
            if event != "finished":
                return
            for t, v in zip(rec.op.outputs, rec.outputs):
                if t.name in todo and v is not None:
                    values[t.name] = v
            if len(values) == len(todo):
                execution.observers.remove(observe)
                v = self._view()
                if v is not None:
                    v._kept_run(values)

        execution.observers.append(observe)


def fetch_text(fetches: Any) -> str:
    """How the user wrote ``fetches``, by names: ``update``, ``[a, b]``, ``{'x': y}``."""
    if isinstance(fetches, (list, tuple)) and not hasattr(fetches, "_as_graph_element"):
        inner = ", ".join(fetch_text(f) for f in list(fetches)[:6])
        inner += ", …" if len(fetches) > 6 else ""
        return f"[{inner}]" if isinstance(fetches, list) else f"({inner})"
    if isinstance(fetches, dict):
        items = list(fetches.items())[:4]
        inner = ", ".join(f"{k!r}: {fetch_text(v)}" for k, v in items)
        return "{" + inner + (", …" if len(fetches) > 4 else "") + "}"
    if isinstance(fetches, str):
        return repr(fetches)
    name = getattr(fetches, "name", None)
    if isinstance(name, str):
        return name.rsplit(":", 1)[0] if name.endswith(":0") else name
    return clip(repr(fetches), 40)
