"""Pictures and text of a graph: walk it to plain nodes and edges, then draw (DOT) or list.

Walking is kept apart from drawing: :func:`graph_nodes_edges` gives plain data, :func:`to_dot`
turns the same walk into Graphviz source (name scopes as clusters, big scopes collapsed into
one box, as TensorBoard does), :func:`graph_listing` prints one line per op.

>>> import teachflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
...     y = tf.multiply(x, 2.0, name="y")
>>> print(graph_listing(g))
x = Placeholder() -> float32 (?, 3)
y/y = Const(value=2.0) -> float32 ()
y = Mul(x, y/y) -> float32 (?, 3)
"""

from __future__ import annotations

import heapq
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from teachflow.graph import Graph, Operation, Tensor

# Scopes holding more ops than this are drawn collapsed at first (dot's layout time grows
# superlinearly: ~0.1 s for 200 boxes, >10 s for 900).
COLLAPSE_THRESHOLD = 40
# At most this many boxes are laid out; beyond it top-level scopes collapse, then ops are cut.
MAX_NODES = 400
# A graph with more boxes than this opens with its biggest scopes collapsed (click to open).
AUTO_BOXES = 50
# Edge labels slow dot's layout down (each is a virtual node: 3x for 100 edges). Up to
# INLINE_LABEL_EDGES edges they are real labels; up to MAX_LABELLED_EDGES they are xlabels,
# placed after the layout; beyond, edges are not labelled (the info panel has the shapes).
INLINE_LABEL_EDGES = 40
# Pictures of more boxes than this are laid out with a faster, rougher crossing reduction.
FAST_LAYOUT_BOXES = 60
MAX_LABELLED_EDGES = 250

KINDS = (
    "op",
    "variable",
    "constant",
    "placeholder",
    "state",
    "gradient",
    "optimizer",
    "summary",
    "scope",
)

_FONT = "Helvetica,Arial,sans-serif"
# kind -> (shape, fill, border); chosen to stay distinct on a projector and in greyscale
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "op": ("ellipse", "#dbeafe", "#2563eb"),
    "variable": ("cylinder", "#fde68a", "#b45309"),
    "constant": ("box", "#f1f5f9", "#64748b"),
    "placeholder": ("invhouse", "#dcfce7", "#15803d"),
    "state": ("ellipse", "#fed7aa", "#c2410c"),
    "gradient": ("ellipse", "#fce7f3", "#be185d"),
    "optimizer": ("hexagon", "#ede9fe", "#6d28d9"),
    "summary": ("note", "#fef9c3", "#a16207"),
    "scope": ("box", "#e2e8f0", "#334155"),
}
KIND_LABEL = {
    "op": "operation",
    "variable": "variable",
    "constant": "constant",
    "placeholder": "placeholder",
    "state": "assignment / initializer",
    "gradient": "gradient",
    "optimizer": "optimizer update",
    "summary": "summary",
    "scope": "collapsed name scope",
}

_VARIABLE_TYPES = {"VariableV2", "Variable", "VarHandleOp"}
_PLACEHOLDER_TYPES = {"Placeholder", "PlaceholderWithDefault", "PlaceholderV2"}
_OPTIMIZER_SCOPES = {
    "GradientDescent",
    "Adam",
    "Momentum",
    "Adagrad",
    "AdagradDA",
    "Adadelta",
    "RMSProp",
    "Ftrl",
    "ProximalGradientDescent",
    "ProximalAdagrad",
}
_NUMBERED = re.compile(r"_\d+$")
_INIT_NAME = re.compile(r"^init(_\d+)?$")
# ids written into DOT as they are; any other name gets a synthetic id (see _Ids)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./>-]*$")


def node_kind(op: Operation) -> str:
    """What a node is, for its look: 'variable', 'constant', 'placeholder', 'op', ...

    >>> import teachflow as tf
    >>> node_kind(tf.Variable(0, name="counter").op)
    'variable'
    """
    t, name = op.type, op.name
    if t in _VARIABLE_TYPES:
        return "variable"
    if t in _PLACEHOLDER_TYPES:
        return "placeholder"
    if t.endswith("Summary") or t.endswith("SummaryV2"):
        return "summary"
    top = _NUMBERED.sub("", name.split("/", 1)[0])
    if top == "gradients":
        return "gradient"
    if t.startswith(("Apply", "ResourceApply")) or ("/" in name and top in _OPTIMIZER_SCOPES):
        return "optimizer"
    if top in _OPTIMIZER_SCOPES and t == "NoOp":
        return "optimizer"
    if t.startswith(("Assign", "ScatterUpdate")) or (t == "NoOp" and _INIT_NAME.match(name)):
        return "state"
    if t == "Const":
        return "constant"
    return "op"


def tensor_label(t: Tensor) -> str:
    """``float32 (?, 3)``: what an edge carries."""
    return f"{t.dtype.name} {t.shape}"


def short_value(value: Any, width: int = 18) -> str | None:
    """A value in a few characters (``1``, ``[1 2 3]``, ``2.5``), or None if it is bigger."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc" or arr.size > 4:
        return None
    if arr.ndim == 0:
        text = str(arr[()])
    else:
        text = np.array2string(arr, precision=4, separator=" ", threshold=8)
        text = " ".join(text.split())
    return text if len(text) <= width else None


def _html(text: str) -> str:
    """Text for a Graphviz HTML label: markup characters become entities, backslashes double."""
    # a backslash doubled: Graphviz expands escapes such as \G (the graph's name) and \N (the
    # node's) in labels, HTML ones included, and reads \\ as one backslash
    out = (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )
    # control characters would end a label line or break the DOT lexer
    return "".join(c if c >= " " else " " for c in out)


@dataclass
class Drawing:
    """The visible picture of a graph: boxes, edges, clusters, and its DOT source.

    ``visible[op_name]`` is the id of the box showing that op (the op's own id, or the id of
    the collapsed scope hiding it; missing when the op was cut off by ``MAX_NODES``).
    """

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    collapsed: list[str] = field(default_factory=list)
    visible: dict[str, str] = field(default_factory=dict)
    scopes: dict[str, int] = field(default_factory=dict)
    hidden: int = 0
    dot: str = ""


class _Ids:
    """DOT ids: the op name when it is plain, else a synthetic '#n' (never a user string)."""

    def __init__(self, names: set[str]) -> None:
        self._names = names
        self._next = 0

    def make(self, name: str) -> str:
        if _SAFE_ID.match(name):
            return name
        while True:
            self._next += 1
            cand = f"#{self._next}"
            if cand not in self._names:
                return cand


def _compact(
    ops: list[Operation],
    chains: dict[str, list[str]],
    clusters: set[str],
    chain: Any,
    wanted: set[str],
    auto_boxes: int,
) -> None:
    """Collapses the biggest open scopes until at most ``auto_boxes`` boxes are left.

    A big graph then opens as a readable overview (as in TensorBoard), a small one opens whole.
    """
    direct: dict[str, int] = {}
    for op in ops:
        c = chains[op.name]
        home = c[-1] if c else ""
        direct[home] = direct.get(home, 0) + 1
    children: dict[str, list[str]] = {}
    for s in sorted(clusters, key=lambda s: s.count("/")):
        parents = chain(s)[:-1]
        children.setdefault(parents[-1] if parents else "", []).append(s)

    # boxes drawn for each cluster when open (its collapsed children count 1 each), innermost
    # first: a loop, not a recursion (graphs may nest a thousand scopes deep)
    sizes: dict[str, int] = {}
    for s in sorted(clusters, key=lambda s: -s.count("/")) + [""]:
        n = direct.get(s, 0)
        for child in children.get(s, []):
            n += 1 if child in wanted else sizes[child]
        sizes[s] = n
    total = sizes[""]
    parent = {c: p for p, cs in children.items() for c in cs}
    # greedy, biggest open scope first (outermost on ties); sizes are updated in place, so
    # stale heap entries are skipped rather than the whole tree recounted after each step
    heap = [(-n, s.count("/"), s) for s, n in sizes.items() if s and s not in wanted]
    heapq.heapify(heap)
    hidden: set[str] = set()
    while total > auto_boxes and heap:
        neg, _, best = heapq.heappop(heap)
        if best in hidden or best in wanted or -neg != sizes[best]:
            continue
        if sizes[best] <= 1:
            return
        wanted.add(best)
        delta = sizes[best] - 1
        total -= delta
        a = parent.get(best, "")
        while a:
            sizes[a] -= delta
            heapq.heappush(heap, (-sizes[a], a.count("/"), a))
            a = parent.get(a, "")
        stack = list(children.get(best, []))
        while stack:
            d = stack.pop()
            hidden.add(d)
            stack.extend(children.get(d, []))


def _scope_clusters(ops: list[Operation], names: set[str]) -> tuple[set[str], dict[str, int]]:
    """The name scopes drawn as clusters, and how many ops each holds (itself included)."""
    counts: dict[str, int] = {}
    for op in ops:
        name = op.name
        i = name.find("/")
        while i != -1:
            p = name[:i]
            counts[p] = counts.get(p, 0) + 1
            i = name.find("/", i + 1)
    # a scope becomes a cluster when it groups at least two ops (Add/y alone stays flat)
    clusters = {s for s, c in counts.items() if c >= 2}
    totals = {s: counts[s] + (s in names) for s in clusters}
    return clusters, totals


def box_count(graph: Graph, collapsed: Iterable[str]) -> int:
    """How many boxes the picture has when the scopes in ``collapsed`` are drawn closed.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     v = tf.Variable(0, name="counter")
    >>> box_count(g, []), box_count(g, ["counter"])
    (4, 1)
    """
    ops = graph.get_operations()
    names = {op.name for op in ops}
    clusters, _ = _scope_clusters(ops, names)
    closed = {s for s in collapsed if s in clusters}
    seen: set[str] = set()
    n = 0
    for op in ops:
        name = op.name
        hider = None
        i = name.find("/")
        while i != -1 and hider is None:
            if name[:i] in closed:
                hider = name[:i]
            i = name.find("/", i + 1)
        if hider is None and name in closed:
            hider = name
        if hider is None:
            n += 1
        elif hider not in seen:
            seen.add(hider)
            n += 1
    return n


def _walk(
    graph: Graph,
    collapsed: Iterable[str] | None,
    threshold: int,
    max_nodes: int,
    with_location: bool,
    auto_boxes: int = AUTO_BOXES,
) -> Drawing:
    ops = graph.get_operations()
    names = {op.name for op in ops}
    clusters, totals = _scope_clusters(ops, names)
    chains: dict[str, list[str]] = {}

    def chain(name: str) -> list[str]:
        """The clusters holding ``name``, outermost first (an op named like a scope is inside)."""
        out = []
        i = name.find("/")
        while i != -1:
            p = name[:i]
            if p in clusters:
                out.append(p)
            i = name.find("/", i + 1)
        if name in clusters:
            out.append(name)
        return out

    for op in ops:
        chains[op.name] = chain(op.name)
    if collapsed is None:
        wanted = {s for s in clusters if totals[s] > threshold}
        _compact(ops, chains, clusters, chain, wanted, auto_boxes)
    else:
        wanted = {s for s in collapsed if s in clusters}

    def visible_items(coll: set[str]) -> dict[str, str | None]:
        # op name -> outermost collapsed scope hiding it (None: drawn itself)
        out: dict[str, str | None] = {}
        for op in ops:
            out[op.name] = next((p for p in chains[op.name] if p in coll), None)
        return out

    hider = visible_items(wanted)
    n_items = len({h if h is not None else "\0" + n for n, h in hider.items()})
    if n_items > max_nodes:
        tops = {s for s in clusters if not chain(s)[:-1]}
        wanted |= tops
        hider = visible_items(wanted)
    drawing = Drawing(collapsed=sorted(s for s in wanted if s in clusters))
    ids = _Ids(names | {s + "/" for s in clusters})
    scope_ids: dict[str, str] = {}
    op_ids: dict[str, str] = {}
    kept = 0
    order: list[tuple[str, Any]] = []  # ("op", op) | ("scope", name), in creation order
    for op in ops:
        h = hider[op.name]
        if h is None:
            order.append(("op", op))
        elif h not in scope_ids:
            scope_ids[h] = ""
            order.append(("scope", h))
    scope_ids.clear()
    for what, item in order:
        if kept >= max_nodes:
            if what == "op":
                drawing.hidden += 1
            else:
                drawing.hidden += totals[item]
            continue
        kept += 1
        if what == "op":
            op = item
            oid = ids.make(op.name)
            op_ids[op.name] = oid
            outs = op.outputs
            home = chains[op.name][-1] if chains[op.name] else ""
            node: dict[str, Any] = {
                "id": oid,
                "name": op.name,
                "type": op.type,
                "kind": node_kind(op),
                "scope": home,
                "dtype": outs[0].dtype.name if outs else None,
                "shape": str(outs[0].shape) if outs else None,
                "outputs": [tensor_label(t) for t in outs],
            }
            if with_location:
                node["location"] = op.location
            if op.type == "Const":
                node["value"] = short_value(op.attrs.get("value"))
            drawing.nodes.append(node)
        else:
            s = item
            sid = ids.make(s + "/")
            scope_ids[s] = sid
            parents = chain(s)
            parent = next((p for p in reversed(parents[:-1]) if p not in wanted), "")
            drawing.nodes.append(
                {
                    "id": sid,
                    "name": s,
                    "type": "scope",
                    "kind": "scope",
                    "scope": parent,
                    "dtype": None,
                    "shape": None,
                    "outputs": [],
                    "count": totals[s],
                }
            )
    for op in ops:
        h = hider[op.name]
        vid = op_ids.get(op.name) if h is None else scope_ids.get(h)
        if vid is not None:
            drawing.visible[op.name] = vid
    drawing.scopes = {s: totals[s] for s in clusters}
    # clusters that are drawn open: those holding a visible box
    open_clusters: set[str] = set()
    for node in drawing.nodes:
        s = node["scope"]
        while s and s not in open_clusters:
            open_clusters.add(s)
            parents = chain(s)[:-1]
            s = parents[-1] if parents else ""
    for s in sorted(open_clusters, key=lambda s: (s.count("/"), s)):
        parents = chain(s)[:-1]
        drawing.clusters.append(
            {
                "id": "cluster_" + (s if _SAFE_ID.match(s) else ids.make("\0")),
                "name": s,
                "parent": parents[-1] if parents else "",
                "count": totals[s],
            }
        )
    # edges between visible boxes; parallel edges into or out of a collapsed scope merge
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    visible = drawing.visible
    for op in ops:
        dst = visible.get(op.name)
        if dst is None:
            continue
        collapsed_dst = hider[op.name] is not None
        for t in op.inputs:
            src = visible.get(t.op.name)
            if src is None or src == dst:
                continue
            key = (src, dst, t.name if not collapsed_dst and hider[t.op.name] is None else "")
            e = seen.get(key)
            if e is None:
                seen[key] = {
                    "source": src,
                    "target": dst,
                    "tensor": t.name,
                    "label": tensor_label(t),
                    "dtype": t.dtype.name,
                    "shape": str(t.shape),
                    "ref": t.dtype.is_ref,
                    "control": False,
                    "count": 1,
                }
            else:
                e["count"] += 1
        for c in op.control_inputs:
            src = visible.get(c.name)
            if src is None or src == dst:
                continue
            key = (src, dst, "^")
            if key in seen:
                seen[key]["count"] += 1
            else:
                seen[key] = {
                    "source": src,
                    "target": dst,
                    "tensor": "^" + c.name,
                    "label": "",
                    "dtype": None,
                    "shape": None,
                    "ref": False,
                    "control": True,
                    "count": 1,
                }
    drawing.edges = list(seen.values())
    return drawing


def graph_nodes_edges(
    graph: Graph,
    collapsed_scopes: Iterable[str] | None = None,
    *,
    threshold: int = COLLAPSE_THRESHOLD,
    max_nodes: int = MAX_NODES,
) -> dict[str, Any]:
    """The graph as plain data: ``{"nodes", "edges", "clusters", "collapsed", "hidden"}``.

    ``collapsed_scopes`` None collapses the scopes of more than ``threshold`` ops.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     s = tf.add(tf.constant(1, name="a"), 2, name="s")
    >>> data = graph_nodes_edges(g)
    >>> [(n["name"], n["kind"]) for n in data["nodes"]]
    [('a', 'constant'), ('s/y', 'constant'), ('s', 'op')]
    >>> [(e["source"], e["target"], e["label"]) for e in data["edges"]]
    [('a', 's', 'int32 ()'), ('s/y', 's', 'int32 ()')]
    """
    d = _walk(graph, collapsed_scopes, threshold, max_nodes, with_location=True)
    return {
        "nodes": d.nodes,
        "edges": d.edges,
        "clusters": d.clusters,
        "collapsed": d.collapsed,
        "hidden": d.hidden,
    }


# the colour marking a node's (empty) value line, which the widget fills in while stepping
VALUE_SLOT_COLOR = "#0b7a35"


def _node_label(node: dict[str, Any], muted: bool, slot: bool = False) -> str:
    name = node["name"]
    kind = node["kind"]
    home = node["scope"]
    if home and name.startswith(home + "/"):
        short = name[len(home) + 1 :]
    elif home and name == home:
        short = name.rsplit("/", 1)[-1]
    else:
        short = name
    if kind == "scope":
        sub = f"{node['count']} ops  [+]"
    elif kind in ("variable", "placeholder"):
        sub = f"{node['dtype']} {node['shape']}" if node["dtype"] else node["type"]
        sub = sub.replace("_ref", "")
    elif kind == "constant" and node.get("value") is not None:
        sub = f"= {node['value']}"
        slot = False  # its value is in the label already
    elif node["type"].lower() != _NUMBERED.sub("", short).lower():
        sub = node["type"]
    else:
        sub = ""
    color = "#94a3b8" if muted else "#475569"
    label = f"<B>{_html(short)}</B>" if kind == "scope" else _html(short)
    if sub:
        label += f'<BR/><FONT POINT-SIZE="10" COLOR="{color}">{_html(sub)}</FONT>'
    if slot:
        # room for a value (no re-layout when it appears): eight no-break spaces
        label += f'<BR/><FONT POINT-SIZE="11" COLOR="{VALUE_SLOT_COLOR}">{"&#160;" * 8}</FONT>'
    return f"<{label}>"


def _render_dot(
    d: Drawing,
    highlight: set[str] | None,
    edge_labels: bool | None,
    value_slots: set[str] | None = None,
) -> str:
    import graphviz
    from graphviz import quoting

    quoted: dict[str, str] = {}

    def q(s: str) -> str:
        # nohtml: a name like "<b>x</b>" must stay a quoted string, never an HTML label
        out = quoted.get(s)
        if out is None:
            out = quoted[s] = quoting.quote(graphviz.nohtml(s))
        return out

    dot = graphviz.Digraph("teachflow")
    dot.attr(
        "graph",
        rankdir="TB",
        fontname=_FONT,
        fontsize="12",
        nodesep="0.45",
        ranksep="0.4",
        bgcolor="transparent",
        labeljust="l",
    )
    if len(d.nodes) > FAST_LAYOUT_BOXES:
        # fewer rounds of crossing reduction and ranking: ~3x faster on 100+ boxes (the
        # widget lays the picture out again each time a scope opens)
        dot.attr("graph", mclimit="0.3", nslimit="2", searchsize="10")
    dot.attr("node", fontname=_FONT, fontsize="14", style="filled", penwidth="1.4", height="0.4")
    dot.attr("edge", fontname=_FONT, fontsize="10", color="#64748b", arrowsize="0.7")
    dot.attr("edge", fontcolor="#475569")
    styles = {}
    for kind, (shape, fill, border) in KIND_STYLE.items():
        extra = ' style="rounded,filled,bold"' if kind == "scope" else ""
        styles[kind] = f'shape={shape} fillcolor="{fill}" color="{border}"{extra}'
    muted_style = 'fillcolor="#f8fafc" color="#cbd5e1" fontcolor="#94a3b8"'
    children: dict[str, list[str]] = {}
    for node in d.nodes:
        lit = highlight is None or node["id"] in highlight
        slot = value_slots is not None and node["kind"] != "scope" and node["name"] in value_slots
        style = styles[node["kind"]]
        if not lit:
            style += " " + muted_style
        line = (
            f"{q(node['id'])} [label={_node_label(node, not lit, slot)} {style} "
            f'class="tfk-{node["kind"]}"]'
        )
        children.setdefault(node["scope"], []).append(line)
    sub_clusters: dict[str, list[dict[str, Any]]] = {}
    for c in d.clusters:
        sub_clusters.setdefault(c["parent"], []).append(c)
    body = dot.body

    # clusters nest as deep as the scopes do: a stack of things to write, not a recursion
    todo: list[tuple[str, str, Any]] = [("scope", "\t", "")]
    while todo:
        what, indent, item = todo.pop()
        if what == "text":
            body.append(item)
            continue
        scope = item
        later: list[tuple[str, str, Any]] = []
        for c in sub_clusters.get(scope, []):
            short = c["name"].rsplit("/", 1)[-1]
            label = f'<<B>{_html(short)}</B>&#160;&#160;<FONT COLOR="#64748b">[−]</FONT>>'
            later.append(("text", indent, f"{indent}subgraph {q(c['id'])} {{\n"))
            later.append(
                (
                    "text",
                    indent,
                    f'{indent}\tlabel={label} style="rounded,filled" fillcolor="#f8fafc" '
                    f'color="#94a3b8" fontcolor="#334155" penwidth=1.2\n',
                )
            )
            later.append(("scope", indent + "\t", c["name"]))
            later.append(("text", indent, f"{indent}}}\n"))
        for line in children.get(scope, []):
            later.append(("text", indent, f"{indent}{line}\n"))
        todo.extend(reversed(later))
    if d.hidden:
        note = f"… {d.hidden} more ops not drawn (collapse scopes or use graph.listing())"
        body.append(f'\t"#more" [label={q(note)} shape=plaintext style="" fontcolor="#64748b"]\n')
    if edge_labels is None:
        edge_labels = len(d.edges) <= MAX_LABELLED_EDGES
    label_attr = "label" if len(d.edges) <= INLINE_LABEL_EDGES else "xlabel"
    for i, e in enumerate(d.edges):
        # the class lets the widget restyle this edge without laying the graph out again
        attrs = [f'class="tfe-{i}"']
        if e["control"]:
            attrs.append('style=dotted color="#94a3b8" arrowhead=odot')
        else:
            if edge_labels:
                text = e["label"] if e["count"] == 1 else f"{e['count']} tensors"
                attrs.append(f"{label_attr}={q(' ' + text)}")
            if e["ref"]:
                attrs.append('color="#c2410c"')
            if e["count"] > 1:
                attrs.append(f"penwidth={min(1 + 0.3 * e['count'], 3.5):.1f}")
        if highlight is not None and not (e["source"] in highlight and e["target"] in highlight):
            attrs.append('color="#e2e8f0" fontcolor="#cbd5e1"')
        body.append(f"\t{q(e['source'])} -> {q(e['target'])} [{' '.join(attrs)}]\n")
    return dot.source


def draw(
    graph: Graph,
    collapsed: Iterable[str] | None = None,
    highlight: Iterable[str] | None = None,
    *,
    threshold: int = COLLAPSE_THRESHOLD,
    max_nodes: int = MAX_NODES,
    edge_labels: bool | None = None,
    value_slots: Iterable[str] | None = None,
) -> Drawing:
    """The walk and its DOT source in one :class:`Drawing` (what the GraphView widget uses).

    ``value_slots`` (op names) get an empty third label line, coloured
    :data:`VALUE_SLOT_COLOR`, where the widget writes the op's value while stepping.
    """
    d = _walk(graph, collapsed, threshold, max_nodes, with_location=False)
    hl = None
    if highlight is not None:
        hl = {d.visible.get(n, n) for n in highlight}
    slots = None if value_slots is None else set(value_slots)
    d.dot = _render_dot(d, hl, edge_labels, slots)
    return d


def to_dot(
    graph: Graph,
    collapsed: Iterable[str] | None = None,
    highlight: Iterable[str] | None = None,
    *,
    threshold: int = COLLAPSE_THRESHOLD,
    max_nodes: int = MAX_NODES,
) -> str:
    """Graphviz DOT source for ``graph`` (needs the ``graphviz`` package).

    Name scopes are clusters; scopes in ``collapsed`` (default: those of more than
    ``threshold`` ops) are one box. ``highlight`` (op names) greys out every other node.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     v = tf.Variable(0, name="counter")
    >>> "subgraph cluster_counter" in to_dot(g)
    True
    """
    return draw(graph, collapsed, highlight, threshold=threshold, max_nodes=max_nodes).dot


def _input_text(t: Tensor) -> str:
    return t.op.name if t.value_index == 0 else t.name


def graph_listing(graph: Graph) -> str:
    """One line per op, in creation order: ``name = Type(inputs) -> dtype shape``.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     v = tf.Variable(0, name="counter")
    >>> print(graph_listing(g))
    counter/initial_value = Const(value=0) -> int32 ()
    counter = VariableV2() -> int32_ref ()
    counter/Assign = Assign(counter, counter/initial_value) -> int32_ref ()
    counter/read = Identity(counter) -> int32 ()
    """
    lines = []
    for op in graph.get_operations():
        args = [_input_text(t) for t in op.inputs]
        args += ["^" + c.name for c in op.control_inputs]
        if op.type == "Const":
            v = short_value(op.attrs.get("value"), width=40)
            args.append(f"value={v}" if v is not None else "value=...")
        outs = op.outputs
        if not outs:
            arrow = ""
        elif len(outs) == 1:
            arrow = " -> " + tensor_label(outs[0])
        else:
            arrow = " -> (" + ", ".join(tensor_label(t) for t in outs) + ")"
        lines.append(f"{op.name} = {op.type}({', '.join(args)}){arrow}")
    return "\n".join(lines)


def svg_or_none(graph: Graph, timeout: float = 20.0) -> str | None:
    """The graph as SVG drawn by the system's Graphviz ``dot``; None where it is missing."""
    exe = shutil.which("dot")
    if exe is None or not graph.get_operations():
        return None
    try:
        source = to_dot(graph)
    except ImportError:  # the graphviz Python package is not installed
        return None
    try:
        done = subprocess.run(
            [exe, "-Tsvg"], input=source.encode(), capture_output=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")
