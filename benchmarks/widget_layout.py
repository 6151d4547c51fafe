"""Browser layout and drawing of a ~1,000-op training graph in the GraphView widget.

``python -m benchmarks.widget_layout`` builds an MLP training graph (name scopes per layer,
gradients, optimizer), makes the widget state in Python, and renders the real widget bundle
in headless Chromium with a stand-in for the Jupyter model (no JupyterLab needed). Prints:

- Python: building the view (graph walk + DOT) with scopes collapsed;
- browser: first render (Graphviz wasm start + layout + SVG into the page), a re-layout,
  one scope expanded, and restyling the nodes for one step (what stepping costs: no layout).

Nothing here asserts on time (target: first render of the collapsed graph under 1 s).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "teachflow" / "widgets" / "static"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="graphview.css"></head>
<body style="width: 1200px"><div id="out"></div>
<script type="module">
import widget from "./graphview.js";

class Model {
  constructor(state) { this.state = state; this.handlers = {}; }
  get(k) { return this.state[k]; }
  set(k, v) { this.state[k] = v; for (const f of this.handlers["change:" + k] || []) f(); }
  on(ev, f) { (this.handlers[ev] = this.handlers[ev] || []).push(f); }
  off(ev, f) { this.handlers[ev] = (this.handlers[ev] || []).filter((g) => g !== f); }
  save_changes() {}
  send(msg) {}
}

const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
async function until(check) {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}

window.bench = async (state, expanded) => {
  const el = document.getElementById("out");
  const model = new Model(state);
  const root = () => el.querySelector(".tf-graphview");
  let t0 = performance.now();
  widget.render({ model, el });
  await until(() => root() && root().dataset.layouts === "1");
  await frame();
  const first = performance.now() - t0;
  const firstDot = +root().dataset.dotMs;
  const nodes = el.querySelectorAll("svg g.node").length;

  t0 = performance.now();
  model.set("dot", state.dot + " ");
  await until(() => root().dataset.layouts === "2");
  await frame();
  const again = performance.now() - t0;
  const againDot = +root().dataset.dotMs;

  // one step: new node states, restyled in place (the graph is not laid out again)
  const ids = Object.keys(state.nodes);
  const states = {};
  ids.forEach((id, i) => { states[id] = i < ids.length / 2 ? "done" : "pending"; });
  states[ids[Math.floor(ids.length / 2)]] = "current";
  t0 = performance.now();
  model.set("node_states", states);
  const restyleScript = performance.now() - t0;
  await frame();
  const restyle = performance.now() - t0;

  t0 = performance.now();
  model.set("nodes", expanded.nodes);
  model.set("edges", expanded.edges);
  model.set("clusters", expanded.clusters);
  model.set("dot", expanded.dot);
  await until(() => root().dataset.layouts === "3");
  await frame();
  const expand = performance.now() - t0;
  return {
    first, firstDot, again, againDot, restyle, restyleScript, expand, nodes,
    expandedNodes: el.querySelectorAll("svg g.node").length,
    layouts: root().dataset.layouts,
  };
};
window.ready = true;
</script></body></html>
"""


def build_graph(layers: int = 28) -> Any:
    import teachflow as tf

    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 64], name="x")
        h = x
        for i in range(layers):
            with tf.name_scope(f"layer{i}"):
                w = tf.Variable(tf.random_normal([64, 64], stddev=0.1), name="W")
                b = tf.Variable(tf.zeros([64]), name="b")
                h = tf.nn.relu(tf.matmul(h, w) + b)
        with tf.name_scope("loss"):
            loss = tf.reduce_mean(tf.square(h))
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        tf.global_variables_initializer()
    return g


def widget_state(view: Any) -> dict[str, Any]:
    keep = ("dot", "nodes", "clusters", "edges", "collapsed", "legend", "title", "node_states")
    return {k: v for k, v in view.get_state().items() if k in keep}


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium not found on PATH: install it to run this benchmark", file=sys.stderr)
        return 1
    if not (STATIC / "graphview.js").is_file():
        print("widget bundle missing: run `make bundle`", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from teachflow import drawing
    from teachflow.widgets import GraphView

    g = build_graph()
    n_ops = len(g.get_operations())
    t0 = time.perf_counter()
    view = GraphView(g)
    py_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    drawing.to_dot(g)
    py_dot = time.perf_counter() - t0
    collapsed = widget_state(view)
    view.expand("layer0")
    expanded = widget_state(view)

    with tempfile.TemporaryDirectory() as tmp:
        for name in ("graphview.js", "graphview.css"):
            shutil.copy(STATIC / name, Path(tmp) / name)
        (Path(tmp) / "index.html").write_text(PAGE)

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=tmp, **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                page.wait_for_function("() => window.ready === true")
                result = page.evaluate("([s, e]) => window.bench(s, e)", [collapsed, expanded])
                browser.close()
        finally:
            server.shutdown()

    print(f"graph: {n_ops} ops; drawn with scopes collapsed: {result['nodes']} boxes")
    print(
        f"python: GraphView built in {py_build * 1e3:.1f} ms (to_dot alone {py_dot * 1e3:.1f} ms)"
    )
    print(
        "browser: first render (wasm start + layout + SVG) "
        f"{result['first']:.0f} ms, of which Graphviz layout {result['firstDot']:.0f} ms"
        "  [target < 1000 ms]"
    )
    print(
        f"browser: re-layout {result['again']:.0f} ms (Graphviz layout {result['againDot']:.0f} ms)"
    )
    print(
        f"browser: restyle for one step {result['restyle']:.1f} ms "
        f"(script {result['restyleScript']:.1f} ms; no layout)"
    )
    print(
        f"browser: expand layer0 -> {result['expandedNodes']} boxes, "
        f"layout {result['expand']:.0f} ms"
    )
    print(json.dumps({"ops": n_ops, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
