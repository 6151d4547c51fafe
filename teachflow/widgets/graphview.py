"""``GraphView``: the graph drawn in the notebook, laid out in the browser by Graphviz (wasm).

Python builds the DOT source (:mod:`teachflow.drawing`) and the HTML of the side panels; the
browser lays the DOT out once and afterwards only restyles nodes (CSS classes from
``node_states``), so stepping a run never re-runs the layout. Only expanding or collapsing a
name scope changes ``dot``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anywidget
import traitlets

from teachflow import drawing
from teachflow.graph import Graph, GraphKeys, Operation, get_default_graph
from teachflow.ops import registry
from teachflow.session import BaseSession, Session
from teachflow.widgets import _bundle
from teachflow.widgets._format import clip, describe, esc, short, where

# folding the states of the ops hidden in one collapsed scope into one look, strongest first
_FOLD_ORDER = ("error", "uninit", "current", "warn", "partial", "pending", "done", "run", "fed")
MAX_SEARCH_RESULTS = 20


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

    >>> import teachflow as tf
    >>> from teachflow.widgets import GraphView
    >>> tf.reset_default_graph()
    >>> c = tf.add(tf.Variable(0, name="counter"), 1)
    >>> view = GraphView(tf.get_default_graph())
    >>> "counter" in view.dot
    True
    """

    _esm = _bundle.path("graphview.js")
    _css = _bundle.path("graphview.css")

    title = traitlets.Unicode("").tag(sync=True)
    dot = traitlets.Unicode("").tag(sync=True)
    # box id (the <title> of the SVG node) -> {"name", "kind", "type"[, "count"]}
    nodes = traitlets.Dict().tag(sync=True)
    # cluster id -> scope name
    clusters = traitlets.Dict().tag(sync=True)
    # edge i (DOT class "tfe-i") -> [source box, target box, is control]
    edges = traitlets.List(traitlets.Any()).tag(sync=True)
    collapsed = traitlets.List(traitlets.Unicode()).tag(sync=True)
    hidden = traitlets.Int(0).tag(sync=True)
    legend = traitlets.List(traitlets.Any()).tag(sync=True)
    # an op name, or a scope name + "/"
    selected = traitlets.Unicode("").tag(sync=True)
    info_html = traitlets.Unicode("").tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    search_results = traitlets.List(traitlets.Any()).tag(sync=True)
    matches = traitlets.List(traitlets.Any()).tag(sync=True)
    # box id -> space-separated states ("done", "current", "error", "skip"...): CSS classes
    node_states = traitlets.Dict().tag(sync=True)
    node_values = traitlets.Dict().tag(sync=True)
    notice_html = traitlets.Unicode("").tag(sync=True)
    stepper = traitlets.Bool(False).tag(sync=True)

    # synced strings holding HTML (built here, every user string escaped with esc())
    HTML_TRAITS: tuple[str, ...] = ("info_html", "notice_html")

    def __init__(
        self,
        graph_or_session: Graph | BaseSession | None = None,
        *,
        collapsed: Iterable[str] | None = None,
        threshold: int = drawing.COLLAPSE_THRESHOLD,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
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
        self._op_states: dict[str, set[str]] = {}
        self._drawing = drawing.Drawing()
        self._redrawing = False
        self.legend = [
            {
                "kind": k,
                "label": drawing.KIND_LABEL[k],
                "shape": s,
                "fill": fill,
                "border": border,
            }
            for k, (s, fill, border) in drawing.KIND_STYLE.items()
        ]
        if not self.title:
            self.title = f"Graph · {len(self._graph.get_operations())} ops"
        self._redraw(None if collapsed is None else list(collapsed))
        self.on_msg(self._on_custom_msg)

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
        self._update_info()

    def expand(self, scope: str) -> None:
        """Opens a collapsed name scope (lays the graph out again)."""
        self.collapsed = [s for s in self.collapsed if s != scope.rstrip("/")]

    def collapse(self, scope: str) -> None:
        """Draws a name scope as one box."""
        scope = scope.rstrip("/")
        if scope in self._drawing.scopes and scope not in self.collapsed:
            self.collapsed = sorted([*self.collapsed, scope])

    def reveal(self, name: str) -> None:
        """Expands the scopes hiding op ``name`` and selects it."""
        keep = [s for s in self.collapsed if not (name == s or name.startswith(s + "/"))]
        if keep != list(self.collapsed):
            self.collapsed = keep
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
        self.notice_html = self._preview_html(fetches, result)
        self._refresh_states()
        return result

    def clear_preview(self) -> None:
        self._op_states = {}
        self.notice_html = ""
        self._refresh_states()

    # -- drawing -----------------------------------------------------------------------------
    def _redraw(self, collapsed: list[str] | None) -> None:
        self._redrawing = True
        try:
            d = drawing.draw(
                self._graph,
                collapsed,
                threshold=self._threshold,
                value_slots=self._value_slots(),
            )
            self._drawing = d
            with self.hold_sync():
                self.nodes = {
                    n["id"]: {k: n[k] for k in ("name", "kind", "type", "count", "scope") if k in n}
                    for n in d.nodes
                }
                self.clusters = {c["id"]: c["name"] for c in d.clusters}
                self.edges = [[e["source"], e["target"], e["control"]] for e in d.edges]
                self.hidden = d.hidden
                if list(self.collapsed) != d.collapsed:
                    self.collapsed = d.collapsed
                self.dot = d.dot
                self._refresh_states()
                self._update_search()
        finally:
            self._redrawing = False

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
        for name, states in self._states_of_ops().items():
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

    # -- info panel -----------------------------------------------------------------------------
    @traitlets.observe("selected")
    def _on_selected(self, change: dict[str, Any]) -> None:
        self._update_info()
        self._refresh_states()

    def _update_info(self) -> None:
        name = self.selected
        if not name:
            self.info_html = ""
        elif name.endswith("/"):
            self.info_html = self._scope_html(name[:-1])
        else:
            op = self._graph._ops.get(name)
            self.info_html = "" if op is None else self._op_html(op)

    def _scope_html(self, scope: str) -> str:
        ops = [op for op in self._graph.get_operations() if op.name.startswith(scope + "/")]
        if scope in self._graph._ops:
            ops.insert(0, self._graph._ops[scope])
        types: dict[str, int] = {}
        for op in ops:
            types[op.type] = types.get(op.type, 0) + 1
        top = sorted(types.items(), key=lambda kv: -kv[1])[:8]
        rows = "".join(f"<li><code>{esc(t)}</code> × {n}</li>" for t, n in top)
        more = "<li>…</li>" if len(types) > 8 else ""
        verb = "expand" if scope in self.collapsed else "collapse"
        return (
            f'<div class="tf-info-head"><span class="tf-kind tf-kind-scope">name scope</span> '
            f"<b>{esc(scope)}</b></div>"
            f"<p>{len(ops)} ops. Op types:</p><ul>{rows}{more}</ul>"
            f'<button class="tf-link" data-{verb}="{esc(scope)}">{verb} this scope</button>'
        )

    def _op_link(self, name: str) -> str:
        return f'<a class="tf-link" data-select="{esc(name)}">{esc(name)}</a>'

    def _op_html(self, op: Operation) -> str:
        kind = drawing.node_kind(op)
        parts = [
            f'<div class="tf-info-head"><span class="tf-kind tf-kind-{kind}">'
            f"{esc(drawing.KIND_LABEL[kind])}</span> <b>{esc(op.name)}</b> "
            f"<code>{esc(op.type)}</code></div>"
        ]
        loc = where(op)
        if loc:
            place, src = loc
            parts.append(f'<div class="tf-where">created at {esc(place)}')
            if src:
                parts.append(f"<pre>{esc(clip(src, 120))}</pre>")
            parts.append("</div>")
        rows = []
        if op.inputs:
            items = "".join(
                f"<li>{self._op_link(t.op.name)}{esc(':' + str(t.value_index))} "
                f'<span class="tf-dim">{esc(drawing.tensor_label(t))}</span></li>'
                for t in op.inputs
            )
            rows.append(f"<tr><th>inputs</th><td><ul>{items}</ul></td></tr>")
        if op.control_inputs:
            items = "".join(f"<li>^{self._op_link(c.name)}</li>" for c in op.control_inputs)
            rows.append(f"<tr><th>runs after</th><td><ul>{items}</ul></td></tr>")
        if op.outputs:
            outs = []
            for t in op.outputs:
                users = t.consumers()[:6]
                to = ", ".join(self._op_link(u.name) for u in users)
                more = " …" if len(t.consumers()) > 6 else ""
                arrow = f" → {to}{more}" if users else ""
                outs.append(
                    f"<li><code>{esc(t.name)}</code> "
                    f'<span class="tf-dim">{esc(drawing.tensor_label(t))}</span>{arrow}</li>'
                )
            rows.append(f"<tr><th>outputs</th><td><ul>{''.join(outs)}</ul></td></tr>")
        attrs = {k: v for k, v in op.attrs.items() if k not in ("value", "T", "dtype")}
        if attrs:
            items = "".join(
                f"<li>{esc(k)} = <code>{esc(clip(repr(v), 60))}</code></li>"
                for k, v in sorted(attrs.items())
            )
            rows.append(f"<tr><th>attrs</th><td><ul>{items}</ul></td></tr>")
        if op.type == "Const" and "value" in op.attrs:
            rows.append(
                f'<tr><th>value</th><td><pre class="tf-value">'
                f"{esc(describe(op.attrs['value']))}</pre></td></tr>"
            )
        else:
            rows.append(f"<tr><th>value</th><td>{self._value_html(op)}</td></tr>")
        parts.append(f'<table class="tf-info-table">{"".join(rows)}</table>')
        return "".join(parts)

    def _value_html(self, op: Operation) -> str:
        """The op's last value: a variable's value in the session; others live only in a run."""
        if drawing.node_kind(op) == "variable":
            if self._session is None:
                return '<span class="tf-dim">no session attached: values live in a session</span>'
            v = self._session.state.variables.get(op.name)
            if v is None:
                return '<span class="tf-bad">not initialized in this session</span>'
            return f'<pre class="tf-value">{esc(describe(v))}</pre>'
        if self._session is None:
            return '<span class="tf-dim">no session attached: values live in a session</span>'
        return (
            '<span class="tf-dim">not kept: a tensor\'s value exists only during a run '
            "(use Stepper to watch one)</span>"
        )

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
        self.notice_html = f'<p class="tf-bad">{esc(type(e).__name__)}: {esc(first)}</p>'

    def _handlers(self) -> dict[str, Any]:
        return {
            "reveal": lambda c: self.reveal(str(c.get("name", ""))),
            "expand": lambda c: self.expand(str(c.get("scope", ""))),
            "collapse": lambda c: self.collapse(str(c.get("scope", ""))),
        }

    # -- preview text ---------------------------------------------------------------------------
    def _preview_html(self, fetches: Any, p: Preview) -> str:
        total = len(self._graph.get_operations())
        names = " → ".join(esc(n) for n in p.ops[:25]) + (" → …" if len(p.ops) > 25 else "")
        parts = [
            f"<p><b>sess.run({esc(fetch_text(fetches))})</b> would run {len(p.ops)} of "
            f'{total} ops, in this order:</p><p class="tf-order">{names}</p>'
        ]
        if p.fed:
            parts.append(f"<p>Fed by feed_dict: {', '.join(esc(n) for n in p.fed)}.</p>")
        if p.unfed:
            parts.append(
                '<p class="tf-bad">⚠ Not fed: '
                + ", ".join(f"<b>{esc(n)}</b>" for n in p.unfed)
                + " — give a value for each placeholder in feed_dict.</p>"
            )
        if p.uninitialized:
            parts.append(
                '<p class="tf-bad">⚠ Not initialized in this session: '
                + ", ".join(f"<b>{esc(n)}</b>" for n in p.uninitialized)
                + " — run tf.global_variables_initializer() first.</p>"
            )
        return "".join(parts)


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
