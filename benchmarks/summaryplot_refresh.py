"""What a SummaryPlot refresh costs as the log grows, and what live plotting costs a training loop.

``python -m benchmarks.summaryplot_refresh`` prints:

- refresh cost vs records already in the log: 100 new records are appended to logs of growing
  size and ``refresh()`` is timed; records read and bytes sent per refresh stay flat (a refresh
  reads only what is new);
- an MLP (784-128-64-10, Adam, batch 64) training loop writing a merged summary (4 scalars,
  3 histograms) every step: time per step without a plot, with ``SummaryPlot(live=True)``
  re-reading every 2 s in the background, and with ``plot.refresh()`` called every 10 steps
  (wall time, and CPU time of the whole process, which other load on the machine disturbs
  less).

- the browser half in headless Chromium (the real bundle, a stand-in for the Jupyter model):
  first draw of 4 scalar tags of 10,000 points each, a smoothing change, an append of 10
  points per series.

Nothing here asserts on time.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class _Counting:
    """Counts what a SummaryPlot would send to the browser (no kernel here)."""

    def __init__(self, plot: Any) -> None:
        self.bytes = 0
        plot.send = self.send

    def send(self, content: Any, buffers: Any = None) -> None:
        self.bytes += len(json.dumps(content))


def refresh_cost(sizes: tuple[int, ...] = (1_000, 5_000, 20_000, 50_000), new: int = 100) -> None:
    import teachflow as tf
    from teachflow.widgets import SummaryPlot

    print(f"refresh after {new} new records (each record: one step of 3 scalars)")
    print(
        f"{'records in log':>15} {'refresh ms':>11} {'µs/new record':>14} {'read':>6} {'sent B':>8}"
    )
    for size in sizes:
        logdir = tempfile.mkdtemp()
        with tf.Graph().as_default(), tf.Session() as sess:
            x = tf.placeholder(tf.float32)
            merged = tf.summary.merge(
                [tf.summary.scalar(n, x * k) for k, n in enumerate(("loss", "acc", "lr"), 1)]
            )
            protos = [sess.run(merged, {x: float(i)}) for i in range(50)]
            writer = tf.summary.FileWriter(logdir, flush_secs=3600)
            for step in range(size):
                writer.add_summary(protos[step % 50], step)
            writer.flush()
            plot = SummaryPlot(logdir)
            sent = _Counting(plot)
            for step in range(size, size + new):
                writer.add_summary(protos[step % 50], step)
            writer.flush()
            before = plot._reader.records_read
            t0 = time.perf_counter()
            plot.refresh()
            dt = time.perf_counter() - t0
            read = plot._reader.records_read - before
            writer.close()
        print(f"{size:>15,} {dt * 1e3:>11.2f} {dt / new * 1e6:>14.1f} {read:>6} {sent.bytes:>8,}")


def _mlp(tf: Any) -> tuple[Any, Any, Any, Any]:
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    h = x
    for i, n in enumerate((128, 64)):
        with tf.variable_scope(f"hidden{i + 1}"):
            w = tf.get_variable("w", [h.shape[1], n], initializer=tf.glorot_uniform_initializer())
            b = tf.get_variable("b", [n], initializer=tf.zeros_initializer())
            h = tf.nn.relu(tf.matmul(h, w) + b)
            tf.summary.histogram("weights", w)
    with tf.variable_scope("output"):
        w = tf.get_variable("w", [64, 10], initializer=tf.glorot_uniform_initializer())
        logits = tf.matmul(h, w)
        tf.summary.histogram("logits", logits)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    step = tf.train.AdamOptimizer(1e-3).minimize(loss)
    tf.summary.scalar("loss", loss)
    tf.summary.scalar("accuracy", acc)
    tf.summary.scalar("logit_mean", tf.reduce_mean(logits))
    tf.summary.scalar("logit_max", tf.reduce_max(logits))
    return x, y, step, tf.summary.merge_all()


def training_overhead(steps: int = 600, rounds: int = 3) -> None:
    import teachflow as tf
    from teachflow.widgets import SummaryPlot

    rng = np.random.default_rng(0)
    xs = rng.random((64, 784), dtype=np.float32)
    ys = rng.integers(0, 10, 64)

    def train(mode: str) -> tuple[float, float]:
        logdir = tempfile.mkdtemp()
        with tf.Graph().as_default(), tf.Session() as sess:
            x, y, step, merged = _mlp(tf)
            sess.run(tf.global_variables_initializer())
            writer = tf.summary.FileWriter(logdir, flush_secs=1)
            plot = None
            if mode != "no plot":
                plot = SummaryPlot(writer, live=mode == "live", interval=2.0)
                _Counting(plot)
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(steps):
                _, s = sess.run([step, merged], {x: xs, y: ys})
                writer.add_summary(s, i)
                if plot is not None and mode == "refresh" and i % 10 == 9:
                    plot.refresh()
            if plot is not None:
                plot.stop()
                plot.refresh()  # what was logged after the last tick is read too
                plot.close()
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            writer.close()
        return dt / steps, cpu / steps

    modes = ("no plot", "live", "refresh")
    wall = dict.fromkeys(modes, float("inf"))
    cpu = dict.fromkeys(modes, float("inf"))
    for _ in range(rounds):  # interleaved: the machine is shared and noisy
        for mode in modes:
            w, c = train(mode)
            wall[mode], cpu[mode] = min(wall[mode], w), min(cpu[mode], c)
    print(f"\nMLP training with a summary every step ({steps} steps, best of {rounds})")
    print("  CPU time counts every thread of the process (the plot's reading thread too);")
    print("  it is what the plot costs the training loop on a machine with no spare core.")
    for mode in modes:
        extra = (cpu[mode] / cpu["no plot"] - 1) * 100
        print(
            f"  {mode:<9} wall {wall[mode] * 1e3:7.1f} ms/step   CPU {cpu[mode] * 1e3:7.1f} ms/step"
            f"   CPU overhead {extra:5.1f} %"
        )


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="summaryplot.css"></head>
<body style="width: 1300px"><div id="out"></div>
<script type="module">
import widget from "./summaryplot.js";

class Model {
  constructor(state) { this.state = state; this.handlers = {}; }
  get(k) { return this.state[k]; }
  set(k, v) { this.state[k] = v; for (const f of this.handlers["change:" + k] || []) f(); }
  on(ev, f) { (this.handlers[ev] = this.handlers[ev] || []).push(f); }
  off(ev, f) { this.handlers[ev] = (this.handlers[ev] || []).filter((g) => g !== f); }
  save_changes() {}
  send(msg) {}
  emit(msg) { for (const f of this.handlers["msg:custom"] || []) f(msg); }
}
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
async function until(check) { while (!check()) await new Promise((r) => setTimeout(r, 1)); }

window.bench = async (snapshot, append) => {
  const el = document.getElementById("out");
  const model = new Model({ title: "bench", status: "", live: false, smoothing: 0.6, lang: "en" });
  const cleanup = widget.render({ model, el });
  const hosts = () => [...el.querySelectorAll(".tf-chart-host")];
  let t0 = performance.now();
  model.emit(snapshot);
  await until(() => hosts().length && hosts().every((h) => h.tfChart));
  await frame();
  const first = performance.now() - t0;
  t0 = performance.now();
  model.set("smoothing", 0.9);
  await frame();
  const smoothing = performance.now() - t0;
  t0 = performance.now();
  model.emit(append);
  await frame();
  const appended = performance.now() - t0;
  const points = hosts().map((h) => h.tfChart.data[0].length);
  cleanup();
  return { first, smoothing, appended, points, left: el.querySelectorAll("canvas").length };
};
window.ready = true;
</script></body></html>
"""


def browser_draw(points: int = 10_000, tags: int = 4) -> None:
    import functools
    import http.server
    import shutil
    import threading
    from pathlib import Path

    static = Path(__file__).resolve().parents[1] / "teachflow" / "widgets" / "static"
    chromium = shutil.which("chromium")
    if chromium is None:
        print("\nbrowser: chromium not found, skipped")
        return
    from playwright.sync_api import sync_playwright

    rng = np.random.default_rng(0)

    def series(tag: str, start: int, n: int) -> dict[str, Any]:
        steps = list(range(start, start + n))
        values = (1 / (np.arange(start, start + n) / 500 + 1) + 0.1 * rng.random(n)).tolist()
        walls = [1.7e9 + 0.05 * st for st in steps]
        return {"run": ".", "tag": tag, "steps": steps, "values": values, "walls": walls}

    names = [f"layer{i}/loss" for i in range(tags)]
    snapshot = {"event": "snapshot", "scalars": [series(t, 0, points) for t in names]}
    append = {"event": "append", "scalars": [series(t, points, 10) for t in names]}
    folder = tempfile.mkdtemp()
    for name in ("summaryplot.js", "summaryplot.css"):
        shutil.copy(static / name, folder)
    Path(folder, "index.html").write_text(PAGE)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            page.wait_for_function("() => window.ready")
            best: dict[str, float] = {}
            for _ in range(3):
                r = page.evaluate("([s, a]) => window.bench(s, a)", [snapshot, append])
                for k in ("first", "smoothing", "appended"):
                    best[k] = min(best.get(k, float("inf")), r[k])
            browser.close()
    finally:
        server.shutdown()
    kb = (static / "summaryplot.js").stat().st_size / 1024
    print(f"\nbrowser: {tags} scalar tags x {points:,} points (bundle {kb:.0f} KiB, best of 3)")
    print(f"  first draw        {best['first']:7.1f} ms")
    print(f"  smoothing change  {best['smoothing']:7.1f} ms (all series smoothed and redrawn)")
    print(f"  append 10 points  {best['appended']:7.1f} ms per refresh")
    print(f"  after the append: {r['points']} points per chart; canvases left: {r['left']}")


def main() -> None:
    refresh_cost()
    training_overhead()
    browser_draw()


if __name__ == "__main__":
    main()
