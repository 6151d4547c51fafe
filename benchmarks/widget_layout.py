"""Browser layout and stepping of big training graphs in the GraphView and Stepper widgets.

``python -m benchmarks.widget_layout`` builds MLP training graphs (name scopes per layer,
gradients, optimizer), makes the widget state in Python, and renders the real widget code
(graphlib.js) in headless Chromium with a stand-in for the Jupyter model (no JupyterLab
needed). Prints:

- a 1,500-op graph: first draw (Graphviz wasm start + layout + SVG in the page) and opening
  one scope (new layout);
- a 1,000-op plan in the Stepper: one Next, in Python (the step, the new state, its JSON) and
  in the browser (restyling the nodes and the panels: no layout).

Nothing here asserts on time (targets: first draw and open scope under 1 s; Next well under
100 ms).
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
<html><head><meta charset="utf-8"></head>
<body style="width: 1200px"><div id="out"></div><div id="out2"></div>
<script type="module">
import { graphview, stepper } from "./graphlib.js";

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
  graphview.render({ model, el });
  await until(() => root() && root().dataset.layouts === "1");
  await frame();
  const first = performance.now() - t0;
  const firstDot = +root().dataset.dotMs;
  const nodes = el.querySelectorAll(".tf-canvas g.node").length;

  t0 = performance.now();
  model.set("nodes", expanded.nodes);
  model.set("edges", expanded.edges);
  model.set("clusters", expanded.clusters);
  model.set("dot", expanded.dot);
  await until(() => root().dataset.layouts === "2");
  await frame();
  const expand = performance.now() - t0;
  const expandDot = +root().dataset.dotMs;
  return {
    first, firstDot, expand, expandDot, nodes,
    expandedNodes: el.querySelectorAll(".tf-canvas g.node").length,
  };
};

// one Next: the traits Python changed, set on the model; restyle and panels, no layout
window.benchStep = async (state, steps) => {
  const el = document.getElementById("out2");
  const model = new Model(state);
  const root = () => el.querySelector(".tf-graphview");
  stepper.render({ model, el });
  await until(() => root() && root().dataset.layouts === "1");
  await frame();
  const times = [], scripts = [];
  for (const change of steps) {
    const t0 = performance.now();
    for (const [k, v] of Object.entries(change)) model.set(k, v);
    scripts.push(performance.now() - t0);
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    times.push(performance.now() - t0);
  }
  const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { median: med(times), max: Math.max(...times), script: med(scripts),
           layouts: root().dataset.layouts };
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
    return {k: v for k, v in view.get_state().items() if k not in ("_esm", "_css")}


STEP_TRAITS = ("node_states", "node_values", "plan", "status", "position", "dot", "nodes")


def step_changes(stepper: Any, n: int) -> tuple[list[dict[str, Any]], list[float]]:
    """``n`` Next clicks in Python: the traits each one changed, and its time (step + JSON)."""
    changes, seconds = [], []
    for _ in range(n):
        before = {k: getattr(stepper, k) for k in STEP_TRAITS}
        t0 = time.perf_counter()
        stepper.step()
        changed = {k: getattr(stepper, k) for k in STEP_TRAITS if getattr(stepper, k) != before[k]}
        json.dumps(changed)  # what the kernel would send
        seconds.append(time.perf_counter() - t0)
        changes.append({k: v for k, v in changed.items() if k not in ("dot", "nodes")})
    return changes, seconds


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium not found on PATH: install it to run this benchmark", file=sys.stderr)
        return 1
    if not (STATIC / "graphlib.js").is_file():
        print("widget bundle missing: run `make bundle`", file=sys.stderr)
        return 1
    import numpy as np
    from playwright.sync_api import sync_playwright

    import teachflow as tf
    from teachflow.widgets import GraphView, Stepper

    g = build_graph(42)
    n_ops = len(g.get_operations())
    t0 = time.perf_counter()
    view = GraphView(g)
    py_build = time.perf_counter() - t0
    collapsed = widget_state(view)
    t0 = time.perf_counter()
    assert view.expand("gradients"), view.alert
    py_expand = time.perf_counter() - t0
    expanded = widget_state(view)

    g2 = g
    with g2.as_default():
        train = g2.get_operation_by_name("GradientDescent")
        sess = tf.Session(graph=g2)
        sess.run(g2.get_operation_by_name("init"))
    feed = {"x:0": np.ones((4, 64), np.float32)}
    stepper = Stepper(sess, train, feed, follow=False)
    plan_ops = len(stepper.execution.plan.ops)
    step_state = widget_state(stepper)
    changes, seconds = step_changes(stepper, 60)
    seconds.sort()

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(STATIC / "graphlib.js", Path(tmp) / "graphlib.js")
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
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                page.wait_for_function("() => window.ready === true")
                result = page.evaluate("([s, e]) => window.bench(s, e)", [collapsed, expanded])
                stepped = page.evaluate("([s, c]) => window.benchStep(s, c)", [step_state, changes])
                browser.close()
        finally:
            server.shutdown()

    py_next = seconds[len(seconds) // 2] * 1e3
    print(f"graph: {n_ops} ops; drawn with scopes collapsed: {result['nodes']} boxes")
    print(
        f"python: GraphView built in {py_build * 1e3:.0f} ms; gradients opened in "
        f"{py_expand * 1e3:.0f} ms"
    )
    print(
        "browser: first draw (wasm start + layout + SVG) "
        f"{result['first']:.0f} ms, of which Graphviz layout {result['firstDot']:.0f} ms"
        "  [target < 1000 ms]"
    )
    print(
        f"browser: open gradients -> {result['expandedNodes']} boxes in "
        f"{result['expand']:.0f} ms (layout {result['expandDot']:.0f} ms)  [target < 1000 ms]"
    )
    print(
        f"stepper: {plan_ops}-op plan; Next in Python {py_next:.1f} ms (median, max "
        f"{seconds[-1] * 1e3:.1f} ms), in the browser {stepped['median']:.1f} ms (median, max "
        f"{stepped['max']:.1f} ms; script {stepped['script']:.1f} ms; layouts: "
        f"{stepped['layouts']})  [target well under 100 ms]"
    )
    print(
        json.dumps(
            {
                "ops": n_ops,
                "plan_ops": plan_ops,
                "python_next_ms": py_next,
                **result,
                **{f"step_{k}": v for k, v in stepped.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
