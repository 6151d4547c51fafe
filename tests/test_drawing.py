"""Drawing graphs: the walk (nodes, edges), DOT source, text listing, static SVG."""

from __future__ import annotations

import re
import stat

import teachflow as tf
from teachflow import drawing
from teachflow.ops import registry

HOSTILE = '<img src=x onerror="alert(1)">'


def counter_graph() -> tf.Graph:
    g = tf.Graph()
    with g.as_default():
        state = tf.Variable(0, name="counter")
        one = tf.constant(1)
        new_value = tf.add(state, one)
        tf.assign(state, new_value)
        tf.global_variables_initializer()
    return g


def node_line(dot: str, node_id: str) -> str:
    """The DOT statement declaring node ``node_id``."""
    ident = re.escape(node_id) if re.fullmatch(r"\w+", node_id) else re.escape(f'"{node_id}"')
    m = re.search(rf"^\s*{ident} \[label=.*$", dot, re.M)
    assert m, f"no node {node_id} in\n{dot}"
    return m.group(0)


def scoped_graph(n_big: int = 50) -> tf.Graph:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("big"):
            h = x
            for _ in range(n_big // 2):
                h = tf.tanh(h * 2.0)  # two ops per round: Mul (+ its constant is shared) and Tanh
        with tf.name_scope("small"):
            y = tf.identity(h, name="a")
            y = tf.identity(y, name="b")
        tf.identity(y, name="out")
    return g


def chain_graph(n_ops: int, scopes: int) -> tf.Graph:
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [None, 8], name="x")
        per = max(1, n_ops // scopes // 2)
        for s in range(scopes):
            with tf.name_scope(f"layer{s}"):
                for _ in range(per):
                    h = tf.tanh(h + 1.0)
    return g


# -------------------------------------------------------------------------- kinds


def test_node_kinds_of_a_training_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.ones([3, 1]), name="w")
        loss = tf.reduce_sum(tf.matmul(x, w), name="loss")
        tf.summary.scalar("loss", loss)
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        tf.global_variables_initializer()
    kinds = {op.name: drawing.node_kind(op) for op in g.get_operations()}
    assert kinds["x"] == "placeholder"
    assert kinds["w"] == "variable"
    assert kinds["ones"] == "constant"
    assert kinds["MatMul"] == "op"
    assert kinds["loss"] == "op"
    assert kinds["w/Assign"] == "state"
    assert kinds["init"] == "state"
    assert kinds["GradientDescent/update_w/ApplyGradientDescent"] == "optimizer"
    assert kinds["GradientDescent"] == "optimizer"
    summary = [n for n, op in g._ops.items() if op.type == "ScalarSummary"]
    assert summary and all(kinds[n] == "summary" for n in summary)
    grads = [n for n in kinds if n.startswith("gradients/")]
    assert grads and all(kinds[n] == "gradient" for n in grads)


# -------------------------------------------------------------------------- DOT


def test_counter_graph_dot_has_the_variable_as_a_cluster_and_kinds_as_shapes():
    dot = drawing.to_dot(counter_graph())
    assert "subgraph cluster_counter {" in dot
    cluster = dot[dot.index("subgraph cluster_counter {") :]
    cluster = cluster[: cluster.index("\n\t}")]
    for inner in ("counter/initial_value", "counter/Assign", "counter/read"):
        assert f'"{inner}" [' in cluster
    assert "\tcounter [" in cluster  # the variable op sits in its own scope's cluster
    assert "Const [" not in cluster
    assert "shape=cylinder" in node_line(dot, "counter")
    assert "int32 ()" in node_line(dot, "counter")
    assert "shape=box" in node_line(dot, "Const") and "= 1" in node_line(dot, "Const")
    add = node_line(dot, "Add")
    assert "shape=ellipse" in add and "AddV2" in add
    assert 'fillcolor="#fed7aa"' in node_line(dot, "Assign")  # assignments look alike
    assert 'fillcolor="#fed7aa"' in node_line(dot, "init")


def test_edges_carry_dtype_and_shape_and_control_edges_are_dotted():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.multiply(x, 2.0, name="y")
        with tf.control_dependencies([y]):
            tf.no_op(name="after")
    dot = drawing.to_dot(g)
    assert re.search(r'^\tx -> y \[.*label=" float32 \(\?, 3\)"', dot, re.M)
    assert re.search(r"^\ty -> after \[.*style=dotted", dot, re.M)
    control = re.search(r"^\ty -> after \[(.*)\]$", dot, re.M)
    assert control and "label" not in control.group(1)
    data = drawing.graph_nodes_edges(g)
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges[("x", "y")]["label"] == "float32 (?, 3)"
    assert edges[("x", "y")]["control"] is False
    assert edges[("y", "after")]["control"] is True
    assert edges[("y/y", "y")]["label"] == "float32 ()"


def test_ref_edges_and_placeholder_look():
    dot = drawing.to_dot(counter_graph())
    assert re.search(r'^\tcounter -> Assign \[.*label=" int32_ref \(\)" color="#c2410c"', dot, re.M)
    g = tf.Graph()
    with g.as_default():
        tf.placeholder(tf.float32, [None, 3], name="x")
    assert "shape=invhouse" in node_line(drawing.to_dot(g), "x")


def test_nested_scopes_are_nested_clusters():
    g = tf.Graph()
    with g.as_default():
        with tf.name_scope("outer"):
            a = tf.constant(1.0, name="a")
            with tf.name_scope("inner"):
                b = tf.identity(a, name="b")
                tf.identity(b, name="c")
    dot = drawing.to_dot(g)
    outer = dot.index("subgraph cluster_outer {")
    inner = dot.index('subgraph "cluster_outer/inner" {')
    assert outer < inner
    # the inner cluster is closed before the outer one
    assert dot.index("\t\t}", inner) < dot.rindex("\t}")
    data = drawing.graph_nodes_edges(g)
    clusters = {c["name"]: c["parent"] for c in data["clusters"]}
    assert clusters == {"outer": "", "outer/inner": "outer"}
    scopes = {n["name"]: n["scope"] for n in data["nodes"]}
    assert scopes == {
        "outer/a": "outer",
        "outer/inner/b": "outer/inner",
        "outer/inner/c": "outer/inner",
    }


def test_a_helper_scope_of_one_op_is_not_a_cluster():
    g = tf.Graph()
    with g.as_default():
        tf.add(tf.constant(1.0, name="a"), 2.0, name="s")  # makes s/y inside scope "s"
    dot = drawing.to_dot(g)
    assert "subgraph" not in dot
    assert '"s/y" [' in dot


def test_big_scopes_are_collapsed_by_default_and_expand_on_request():
    g = scoped_graph(n_big=60)
    total_big = sum(1 for op in g.get_operations() if op.name.startswith("big/"))
    assert total_big > drawing.COLLAPSE_THRESHOLD
    data = drawing.graph_nodes_edges(g)
    assert data["collapsed"] == ["big"]
    box = next(n for n in data["nodes"] if n["kind"] == "scope")
    assert box["name"] == "big" and box["count"] == total_big and box["id"] == "big/"
    names = {n["name"] for n in data["nodes"]}
    assert not any(n.startswith("big/") for n in names)
    assert {"x", "small/a", "small/b", "out"} <= names
    # edges into and out of the box are merged
    edges = {(e["source"], e["target"]) for e in data["edges"]}
    assert ("x", "big/") in edges and ("big/", "small/a") in edges
    dot = drawing.to_dot(g)
    line = node_line(dot, "big/")
    assert f"{total_big} ops" in line and "rounded,filled,bold" in line
    assert "cluster_big" not in dot
    # nothing collapsed: every op drawn, "big" a cluster
    open_dot = drawing.to_dot(g, collapsed=[])
    assert "subgraph cluster_big {" in open_dot and '"big/" [' not in open_dot
    # collapse a small scope by name
    data = drawing.graph_nodes_edges(g, collapsed_scopes=["small"])
    assert data["collapsed"] == ["small"]
    assert "small/" in {n["id"] for n in data["nodes"]}


def test_a_big_graph_opens_as_an_overview_a_small_one_whole():
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [None], name="x")
        for i in range(30):
            with tf.name_scope(f"s{i}"):
                h = tf.tanh(h + float(i))  # three ops: y, add, Tanh
    d = drawing.draw(g)
    assert len(d.nodes) <= drawing.AUTO_BOXES
    assert d.collapsed and all(re.fullmatch(r"s\d+", s) for s in d.collapsed)
    assert len(d.nodes) == 1 + len(d.collapsed) + 3 * (30 - len(d.collapsed))
    assert drawing.draw(counter_graph()).collapsed == []
    # asked for explicitly, nothing is collapsed behind the user's back
    assert drawing.draw(g, collapsed=[]).collapsed == []


def test_too_many_boxes_collapse_top_scopes_then_cut_with_a_note():
    g = chain_graph(900, scopes=3)
    d = drawing.draw(g, collapsed=[], max_nodes=100)
    assert d.collapsed == ["layer0", "layer1", "layer2"]
    assert len(d.nodes) == 4
    flat = tf.Graph()
    with flat.as_default():
        h = tf.constant(1.0, name="c")
        for _ in range(150):
            h = tf.identity(h)
    d = drawing.draw(flat, max_nodes=100)
    assert len(d.nodes) == 100 and d.hidden == 51
    assert "51 more ops not drawn" in d.dot


def test_hostile_names_are_escaped_in_dot():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0, name="x")
        # a trailing "/" takes a name as it is (how an imported graph can look)
        y = registry.make1("Identity", [x], {"T": tf.float32}, name=HOSTILE + 'q"\\/')
        z = registry.make1("Identity", [y], {"T": tf.float32}, name="evil<b>/inner1/")
        registry.make1("Identity", [z], {"T": tf.float32}, name="evil<b>/inner2/")
    dot = drawing.to_dot(g)
    assert "<img" not in dot and "<b>/" not in dot and "evil<b" not in dot
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;q&quot;\\" in dot
    assert "evil&lt;b&gt;" in dot  # the scope label, as text
    data = drawing.graph_nodes_edges(g)
    ids = {n["name"]: n["id"] for n in data["nodes"]}
    # odd names never become DOT ids: a synthetic id stands in
    assert ids[HOSTILE + 'q"\\'].startswith("#")
    assert ids["x"] == "x"
    assert all(
        c["id"] == "cluster_evil<b>" or c["id"].startswith("cluster_#") for c in data["clusters"]
    )
    assert not any(c["id"] == "cluster_evil<b>" for c in data["clusters"])
    # every quoted DOT string is closed on its line (no quote or backslash breaks out)
    for line in dot.splitlines():
        assert len(re.findall(r'(?<!\\)"', line.replace("\\\\", ""))) % 2 == 0, line


def test_highlight_greys_the_rest():
    g = counter_graph()
    dot = drawing.to_dot(g, highlight=["Add", "Const"])
    assert 'fillcolor="#f8fafc"' in node_line(dot, "Assign")
    assert 'fillcolor="#f8fafc"' not in node_line(dot, "Add")


def test_value_slots_reserve_a_line_for_values():
    d = drawing.draw(counter_graph(), value_slots=["Add", "Const"])
    assert drawing.VALUE_SLOT_COLOR in node_line(d.dot, "Add")
    assert drawing.VALUE_SLOT_COLOR not in node_line(d.dot, "Const")  # value already shown
    assert drawing.VALUE_SLOT_COLOR not in node_line(d.dot, "Assign")


def test_a_thousand_op_graph():
    g = chain_graph(1000, scopes=10)
    assert len(g.get_operations()) >= 1000
    d = drawing.draw(g)
    assert d.collapsed == [f"layer{i}" for i in range(10)]
    assert len(d.nodes) == 11 and len(re.findall(r"\[label=<", d.dot)) == 11
    full = drawing.draw(g, collapsed=[], max_nodes=5000)
    assert len(full.nodes) == len(g.get_operations())
    assert full.dot.count("subgraph cluster_layer") == 10


def test_empty_graph():
    g = tf.Graph()
    assert drawing.graph_nodes_edges(g)["nodes"] == []
    assert drawing.to_dot(g).startswith("digraph teachflow {")
    assert drawing.graph_listing(g) == ""


# -------------------------------------------------------------------------- listing


def test_listing_of_the_counter_graph():
    assert counter_graph().listing() == "\n".join(
        [
            "counter/initial_value = Const(value=0) -> int32 ()",
            "counter = VariableV2() -> int32_ref ()",
            "counter/Assign = Assign(counter, counter/initial_value) -> int32_ref ()",
            "counter/read = Identity(counter) -> int32 ()",
            "Const = Const(value=1) -> int32 ()",
            "Add = AddV2(counter/read, Const) -> int32 ()",
            "Assign = Assign(counter, Add) -> int32_ref ()",
            "init = NoOp(^counter/Assign)",
        ]
    )


def test_listing_shapes_and_big_constants():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.constant([[1.0] * 4] * 3, name="w")
        tf.matmul(x, w, name="y")
    assert g.listing().splitlines() == [
        "x = Placeholder() -> float32 (?, 3)",
        "w = Const(value=...) -> float32 (3, 4)",
        "y = MatMul(x, w) -> float32 (?, 4)",
    ]


# -------------------------------------------------------------------------- static SVG


def test_svg_is_none_without_graphviz(monkeypatch):
    monkeypatch.setattr(drawing.shutil, "which", lambda name: None)
    assert counter_graph()._repr_svg_() is None


def test_svg_comes_from_the_system_dot(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text(
        "#!/bin/sh\n"
        '[ "$1" = "-Tsvg" ] || exit 2\n'
        'n=$(grep -c "\\[label=" )\n'
        'echo "<svg><!-- $n nodes --></svg>"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(drawing.shutil, "which", lambda name: str(fake))
    assert counter_graph()._repr_svg_() == "<svg><!-- 8 nodes --></svg>\n"
    failing = tmp_path / "bad"
    failing.write_text("#!/bin/sh\nexit 1\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(drawing.shutil, "which", lambda name: str(failing))
    assert counter_graph()._repr_svg_() is None


def test_a_thousand_nested_scopes_draw_without_recursion():
    from teachflow.ops import registry

    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0, name="x")
        for depth in range(1, 1001):
            name = "/".join(["s"] * depth) + "/op/"
            x = registry.make1("Identity", [x], {"T": tf.float32}, name=name)
    d = drawing.draw(g, collapsed=[], max_nodes=5000)
    # every level holding two ops or more is a cluster (the innermost holds one)
    assert len(d.clusters) == 999
    assert d.dot.count("subgraph") == 999
    closed = drawing.draw(g)  # the default picture collapses the outermost scope
    assert [n["name"] for n in closed.nodes] == ["x", "s"]
    assert drawing.box_count(g, ["s"]) == 2


def test_backslashes_in_names_are_not_graphviz_escapes():
    from teachflow.ops import registry

    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0, name="x")
        registry.make1("Identity", [x], {"T": tf.float32}, name="e\\G/")
        registry.make1("Identity", [x], {"T": tf.float32}, name="s\\N/a/")
        registry.make1("Identity", [x], {"T": tf.float32}, name="s\\N/b/")
    dot = drawing.to_dot(g)
    # doubled: Graphviz would draw \G as the graph's name and \N as the node's
    assert "label=<e\\\\G<BR/>" in dot
    assert "<B>s\\\\N</B>" in dot
    assert "e\\G" not in dot.replace("e\\\\G", "")
