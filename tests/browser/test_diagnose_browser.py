"""Why training goes wrong, in JupyterLab + Chromium at 1400x1000: the NaN's origin drawn red
with its hint, a vanishing gradient in GradientFlow, the tensor inspector (table, histogram,
image grid) opened by clicking edges, and colour by compute time.

Screenshots go to tests/output/<test>/ (the ones in docs/ are copies of these).
"""

from __future__ import annotations

import math
from typing import Any

from tests.browser.conftest import widget_shot

STEPPER = ".tf-widget.tf-is-stepper"

NAN_CELL = """
import numpy as np
import teachflow as tf
from teachflow.widgets import Stepper

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 4], name="x")
y_ = tf.placeholder(tf.float32, [None, 3], name="y_")
with tf.name_scope("layer"):
    W = tf.Variable(tf.random_normal([4, 3], stddev=5.0, seed=1), name="W")
    b = tf.Variable(tf.zeros([3]), name="b")
    y = tf.nn.softmax(tf.matmul(x, W) + b)
with tf.name_scope("loss"):
    # the classic hand-written cross-entropy: log(0) when the softmax saturates
    cross_entropy = -tf.reduce_sum(y_ * tf.log(y))
train = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
rng = np.random.default_rng(0)
feed = {x: 40 * rng.standard_normal((6, 4)).astype(np.float32),
        y_: np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2]]}
stepper = Stepper(sess, train, feed, stop_at_non_finite=True)
stepper
"""

FLOW_CELLS = [
    """
import numpy as np
import teachflow as tf
from teachflow.widgets import GradientFlow

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 16], name="x")
y_ = tf.placeholder(tf.float32, [None, 2], name="y_")
h = x
for i in range(10):
    with tf.variable_scope(f"layer{i + 1}"):
        W = tf.get_variable("W", [h.shape[1].value, 16 if i < 9 else 2],
                            initializer=tf.random_normal_initializer(stddev=0.7, seed=i))
        b = tf.get_variable("b", initializer=tf.zeros([16 if i < 9 else 2]))
        z = tf.matmul(h, W) + b
        h = tf.sigmoid(z) if i < 9 else z
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=h))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
rec = tf.debug.GradientRecorder(loss)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
flow = GradientFlow(rec)
flow
""",
    """
rng = np.random.default_rng(0)
data = rng.standard_normal((64, 16)).astype(np.float32)
labels = np.eye(2, dtype=np.float32)[(data[:, 0] > 0).astype(int)]
for step in range(30):
    rec.run(sess, train, {x: data, y_: labels})
last = flow.latest()
print(last["layer1"]["grad_norm"], last["layer10"]["grad_norm"])
""",
    'GradientFlow(rec, lang="ja")\n',
]

INSPECT_CELL = """
import numpy as np
import teachflow as tf
from teachflow.widgets import GraphView

tf.reset_default_graph()
# eight 12x12 images of stripes and blobs, a 5x5 conv with 6 filters, a dense layer
yy, xx = np.mgrid[0:12, 0:12]
pictures = np.stack([np.sin(xx * (k + 1) / 3.0) * np.cos(yy * (8 - k) / 4.0)
                     for k in range(8)])[..., None].astype(np.float32)
images = tf.constant(pictures, name="images")
filters = tf.Variable(tf.random_normal([5, 5, 1, 6], stddev=0.5, seed=3), name="filters")
conv = tf.nn.conv2d(images, filters, strides=[1, 1, 1, 1], padding="SAME", name="conv")
fmap = tf.nn.relu(conv, name="fmap")
flat = tf.reshape(fmap, [8, 12 * 12 * 6], name="flat")
dense_W = tf.Variable(tf.random_normal([12 * 12 * 6, 3], stddev=0.05, seed=4), name="dense_W")
scores = tf.matmul(flat, dense_W, name="scores")
probs = tf.nn.softmax(scores, name="probs")
sess = tf.Session()
sess.run(tf.global_variables_initializer())
meta = tf.RunMetadata()
sess.run(probs, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=meta)
view = GraphView(sess)
view.color_by("time", meta)
view
"""

# The point in the middle of an edge's line, in page pixels: where a reader clicks it.
EDGE_POINT_JS = """([root, tensor]) => {
  const g = [...root.querySelectorAll('svg g.edge')].find((e) => e.dataset.tensor === tensor);
  if (!g) return null;
  const path = g.querySelector(':scope > path');
  const p = path.getPointAtLength(path.getTotalLength() / 2);
  const m = path.getScreenCTM();
  return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f];
}"""


def click_edge(widget: Any, tensor: str) -> None:
    point = widget.page.evaluate(EDGE_POINT_JS, [widget.element_handle(), tensor])
    assert point is not None, f"no edge drawn for {tensor}"
    pane = widget.locator(".tf-graph").bounding_box()
    cx, cy = pane["x"] + pane["width"] / 2, pane["y"] + pane["height"] / 2
    inside = pane["y"] + 30 < point[1] < pane["y"] + pane["height"] - 30
    if not inside:  # out of the viewport: drag the graph until it is in the middle
        mouse = widget.page.mouse
        mouse.move(cx, cy)
        mouse.down()
        mouse.move(cx + (cx - point[0]) / 2, cy + (cy - point[1]) / 2, steps=5)
        mouse.move(cx + (cx - point[0]), cy + (cy - point[1]), steps=5)
        mouse.up()
        widget.page.wait_for_timeout(200)
        point = widget.page.evaluate(EDGE_POINT_JS, [widget.element_handle(), tensor])
    # what a reader would hit there: the edge itself (not a node, a panel or the minimap)
    hit = widget.page.evaluate(
        """([x, y]) => {
          const el = document.elementFromPoint(x, y);
          const g = el && el.closest('g.edge');
          return g ? g.dataset.tensor : (el ? el.outerHTML.slice(0, 80) : null);
        }""",
        point,
    )
    assert hit == tensor, (tensor, point, hit)
    widget.page.mouse.click(point[0], point[1])
    widget.page.wait_for_function(
        """([root, tensor]) => {
          const head = root.querySelector('.tf-sec-inspector .tf-info-head a');
          return head && head.textContent === tensor;
        }""",
        arg=[widget.element_handle(), tensor],
        timeout=30_000,
    )


def test_nan_origin_is_drawn_red_with_its_hint(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("nan.ipynb", NAN_CELL)
    open_and_run_notebook(page, jupyter_server, "nan.ipynb")
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    widget.locator("button[data-event='run_to_end']").click()
    panel = widget.locator(".tf-sec-nan")
    panel.wait_for(state="visible", timeout=30_000)
    text = panel.inner_text()
    assert "loss/Log" in text and "Inf" in text
    assert "softmax_cross_entropy_with_logits" in text  # the hint
    assert "layer/Softmax:0" in text  # its input's value is shown
    # the origin is drawn red (what is painted, not only a class), the reached ops faded red
    look = widget.evaluate(
        """(root) => {
          const g = root.querySelector('svg g.node.tf-nan');
          if (!g) return null;
          const shape = g.querySelector(':scope > polygon, :scope > ellipse, :scope > path');
          const reached = [...root.querySelectorAll('svg g.node.tf-nanreach')].map((n) => {
            const s = n.querySelector(':scope > polygon, :scope > ellipse, :scope > path');
            return getComputedStyle(s).fill;
          });
          const r = g.getBoundingClientRect();
          const pane = root.querySelector('.tf-graph').getBoundingClientRect();
          return {
            name: g.querySelector(':scope > title').textContent,
            fill: getComputedStyle(shape).fill,
            reached,
            inside: r.left >= pane.left && r.right <= pane.right && r.top >= pane.top
              && r.bottom <= pane.bottom,
          };
        }"""
    )
    assert look is not None
    assert look["name"] == "loss/Log", look
    assert look["fill"] == "rgb(220, 38, 38)", look
    assert look["inside"], look
    assert look["reached"] and set(look["reached"]) == {"rgb(254, 226, 226)"}, look
    # the run stopped there: the status says so, the variables were not written with NaN
    assert "loss/Log" in widget.locator(".tf-status").inner_text()
    widget_shot(widget, output_dir / "nan-origin.png")


def test_gradient_flow_shows_a_vanishing_gradient(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("flow.ipynb", *FLOW_CELLS)
    open_and_run_notebook(page, jupyter_server, "flow.ipynb", timeout=240)
    root = page.locator(".tf-gradflow[lang='en']")
    page.wait_for_function(
        "(root) => root.dataset.steps === '30'", arg=root.element_handle(), timeout=30_000
    )
    page.wait_for_timeout(300)
    bars = root.evaluate(
        """(root) => [...root.querySelectorAll('svg.tf-gf-bars rect.tf-gf-bar')].map((r) => ({
          name: r.dataset.name, value: +r.dataset.value,
          width: r.getBoundingClientRect().width,
        }))"""
    )
    assert [b["name"] for b in bars] == [f"layer{i}" for i in range(1, 11)]
    first, last = bars[0], bars[-1]
    # orders of magnitude apart, and drawn so: the first layer's bar is far shorter
    assert last["value"] / first["value"] >= 100, bars
    # on the drawn log axis the two bars' ends lie more than two decades apart
    ticks = root.evaluate(
        """(root) => [...root.querySelectorAll('svg.tf-gf-bars line.tf-gf-grid')].map((l) =>
          [+l.dataset.decade, l.getBoundingClientRect().left])"""
    )
    (d0, x0), (d1, x1) = ticks[0], ticks[-1]
    per_decade = (x1 - x0) / (d1 - d0)
    decades = (last["width"] - first["width"]) / per_decade
    assert decades >= 2, (decades, bars, ticks)
    assert abs(decades - math.log10(last["value"] / first["value"])) < 0.1, (decades, bars)
    assert "times smaller" in root.locator(".tf-gf-verdict").inner_text()
    # the charts drew their lines: coloured pixels on both uPlot canvases
    inked = root.evaluate(
        """(root) => [...root.querySelectorAll('.tf-gf-chart canvas')].map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
            if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40) n += 1;
          }
          return n;
        })"""
    )
    assert len(inked) == 2 and min(inked) > 200, inked
    widget_shot(root, output_dir / "gradient-flow.png")
    # the same recorder in Japanese: shown from its first step (a new view asks for all)
    ja = page.locator(".tf-gradflow[lang='ja']")
    page.wait_for_function(
        "(root) => root.dataset.steps === '30'", arg=ja.element_handle(), timeout=30_000
    )
    assert "分の 1" in ja.locator(".tf-gf-verdict").inner_text()
    assert "層ごと" in ja.inner_text()


def test_clicking_edges_inspects_tensors(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("inspect.ipynb", INSPECT_CELL)
    open_and_run_notebook(page, jupyter_server, "inspect.ipynb")
    view = page.locator(".tf-graphview")
    view.locator("svg g.edge.tf-edge-clickable").first.wait_for(state="attached")
    view.scroll_into_view_if_needed()
    # colour by compute time: a legend with the scale, boxes painted from the ramp
    assert "compute time" in view.locator(".tf-heat-legend").inner_text()
    painted = view.evaluate(
        """(root) => [...root.querySelectorAll('svg g.node.tf-heated')].map((g) => getComputedStyle(
          g.querySelector(':scope > polygon, :scope > ellipse, :scope > path')).fill)"""
    )
    assert len(painted) >= 5 and len(set(painted)) >= 3, painted

    insp = view.locator(".tf-sec-inspector")
    # a small tensor: a table of its values
    click_edge(view, "scores:0")
    cells = insp.locator("table.tf-tensor-table td")
    assert cells.count() == 24
    assert "float32" in insp.inner_text() and "(8, 3)" in insp.inner_text()
    # a big one: a histogram whose bars are drawn
    click_edge(view, "flat:0")
    heights = insp.evaluate(
        """(el) => [...el.querySelectorAll('rect.tf-hist-bar')].map((r) =>
          r.getBoundingClientRect().height)"""
    )
    assert len(heights) == 30 and max(heights) > 50, heights
    # a 4-D NHWC feature map: a grid of images (the first 6 of 8 images x 6 channels), painted
    click_edge(view, "fmap:0")
    tiles = insp.evaluate(
        """(el) => [...el.querySelectorAll('canvas.tf-tile')].map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const grey = new Set();
          for (let i = 0; i < d.length; i += 4) grey.add(d[i]);
          return {w: c.width, h: c.height, shades: grey.size};
        })"""
    )
    assert "images (6 of 8)" in insp.inner_text()
    assert len(tiles) == 36 and all(t["w"] == 12 and t["h"] == 12 for t in tiles), tiles[:3]
    assert sum(t["shades"] > 8 for t in tiles) > 18, tiles
    # watch it: the watch list keeps it, with its value at the next run
    insp.locator("button[data-watch]").click()
    watch = view.locator(".tf-sec-watch")
    watch.wait_for(state="visible")
    assert "fmap:0" in watch.inner_text()
    widget_shot(view, output_dir / "inspector.png")
    # a conv filter (HWIO): one tile per input and output channel
    click_edge(view, "filters/read:0")
    assert "filter 5×5" in insp.inner_text()
    assert insp.locator("canvas.tf-tile").count() == 6


BACKWARD_CELL = """
import numpy as np
import teachflow as tf
from teachflow.widgets import Stepper

tf.reset_default_graph()
x = tf.constant(np.random.default_rng(0).standard_normal((16, 4)), tf.float32, name="x")
h = x
for i in range(3):
    with tf.variable_scope(f"layer{i + 1}"):
        init = tf.random_normal_initializer(stddev=0.7, seed=i)
        W = tf.get_variable("W", [4, 4], initializer=init)
        h = tf.sigmoid(tf.matmul(h, W))
loss = tf.reduce_mean(tf.square(h - 1.0), name="loss")
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
Stepper(sess, train)
"""


def test_stepper_draws_the_backward_pass_by_gradient_norm(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("backward.ipynb", BACKWARD_CELL)
    open_and_run_notebook(page, jupyter_server, "backward.ipynb")
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    widget.locator("button[data-event='run_to_end']").click()
    widget.locator(".tf-status", has_text="Done").wait_for()
    widget.locator("select.tf-color-by").select_option("grad")
    widget.locator(".tf-heat-legend", has_text="gradient norm").wait_for()
    # open the backward pass (a collapsed scope): its edges get their weights
    gradients = widget.locator('svg g.node:has(> title:text-is("gradients"))')
    if gradients.count():
        widget.evaluate("(el) => el.scrollIntoView({block: 'start'})")
        widget.locator("button[title='show the whole graph']").click()
        page.wait_for_timeout(200)
        layouts = widget.get_attribute("data-layouts")
        gradients.click()
        page.wait_for_function(
            "([el, n]) => el.dataset.layouts !== n",
            arg=[widget.element_handle(), layouts],
        )
        page.wait_for_timeout(300)
    widths = widget.evaluate(
        """(root) => [...root.querySelectorAll('svg g.edge.tf-e-weighted')].map((g) =>
          parseFloat(getComputedStyle(g.querySelector(':scope > path')).strokeWidth))"""
    )
    # the backward pass's edges are drawn with widths from the gradients' norms
    assert len(widths) >= 5, widths
    assert max(widths) >= 5 and min(widths) <= 2, widths
    painted = widget.locator("svg g.node.tf-heated").count()
    assert painted >= 5
    widget.locator("button[title='show the whole graph']").click()
    page.wait_for_timeout(300)
    widget_shot(widget, output_dir / "backward-gradients.png")
