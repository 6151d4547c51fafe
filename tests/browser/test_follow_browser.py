"""Widgets on real training graphs, in JupyterLab + Chromium at 1400x1000.

The Stepper follows the run into collapsed scopes and keeps the current op in view at a
readable size; search brings its result into view; the box limit keeps the reader's scopes;
panels never shrink the labels. Screenshots go to tests/output/<test>/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat

from tests.browser.conftest import widget_shot

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STEPPER = ".tf-widget.tf-is-stepper"

MLP_CELL = """
import numpy as np
import teachflow as tf
from teachflow.widgets import GraphView, Stepper

tf.reset_default_graph()
x = tf.placeholder(tf.float32, [None, 20], name="x")
y = tf.placeholder(tf.float32, [None, 3], name="y")
with tf.name_scope("hidden"):
    w1 = tf.Variable(tf.random_normal([20, 32], stddev=0.1), name="W")
    b1 = tf.Variable(tf.zeros([32]), name="b")
    h = tf.nn.relu(tf.matmul(x, w1) + b1)
    w1b = tf.Variable(tf.random_normal([32, 32], stddev=0.1), name="W2")
    b1b = tf.Variable(tf.zeros([32]), name="b2")
    h = tf.nn.relu(tf.matmul(h, w1b) + b1b)
with tf.name_scope("output"):
    w2 = tf.Variable(tf.random_normal([32, 3], stddev=0.1), name="W")
    b2 = tf.Variable(tf.zeros([3]), name="b")
    logits = tf.matmul(h, w2) + b2
with tf.name_scope("loss"):
    xent = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits)
    loss = tf.reduce_mean(xent) + 1e-4 * (tf.nn.l2_loss(w1) + tf.nn.l2_loss(w2))
train = tf.train.AdamOptimizer(0.01).minimize(loss)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
rng = np.random.default_rng(0)
feed = {
    x: rng.random((8, 20), dtype=np.float32),
    y: np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)],
}
"""

# What the browser reports about the current op of a Stepper: its name, whether its box lies
# inside the graph's visible area, and its name label's size on screen (px).
CURRENT_JS = """(root) => {
  const pane = root.querySelector('.tf-graph').getBoundingClientRect();
  const g = root.querySelector('svg g.node.tf-current, svg g.node.tf-error');
  if (!g) return null;
  const r = g.getBoundingClientRect();
  const mm = root.querySelector('.tf-minimap');
  const m = mm && mm.getBoundingClientRect();
  const covered = !!m && m.width > 0 && r.right > m.left && r.left < m.right
    && r.bottom > m.top && r.top < m.bottom;
  const text = g.querySelector('text.tf-name-text');
  const px = text.getScreenCTM().a * parseFloat(text.getAttribute('font-size'));
  return {
    name: g.querySelector(':scope > title').textContent,
    inside: r.left >= pane.left && r.right <= pane.right && r.top >= pane.top
      && r.bottom <= pane.bottom && !covered,
    px, pane: [pane.width, pane.height],
  };
}"""

# The smallest name label among the nodes visible in the pane (px).
MIN_LABEL_JS = """(root) => {
  const pane = root.querySelector('.tf-graph').getBoundingClientRect();
  let min = Infinity, seen = 0;
  for (const t of root.querySelectorAll('svg g.node text.tf-name-text')) {
    const r = t.getBoundingClientRect();
    if (r.right < pane.left || r.left > pane.right || r.bottom < pane.top || r.top > pane.bottom)
      continue;
    seen += 1;
    min = Math.min(min, t.getScreenCTM().a * parseFloat(t.getAttribute('font-size')));
  }
  return {min, seen, width: pane.width};
}"""


def plan_names(setup: str, fetch: str) -> list[str]:
    """The plan's op names, computed here by running the same cell code in this process."""
    import teachflow as tf

    tf.reset_default_graph()  # as in a fresh kernel
    scope: dict[str, Any] = {}
    exec(setup, scope)
    names = [op.name for op in scope["sess"].stepper(*eval(fetch, scope)).plan.ops]
    scope["sess"].close()
    return names


def click_next(widget: Any, step: int) -> None:
    """Clicks Next and waits until the plan shows step ``step`` (1-based) as the current one."""
    widget.locator("button[data-event='next']").click()
    widget.page.wait_for_function(
        """([root, n]) => {
          const cur = root.querySelector('.tf-plan-current .tf-plan-i, .tf-plan-error .tf-plan-i');
          return cur && cur.textContent === String(n);
        }""",
        arg=[widget.element_handle(), step],
        timeout=30_000,
    )


def current(widget: Any, name: str) -> dict[str, Any]:
    """Waits until ``name`` is the current op drawn as its own node, then reports on it."""
    widget.page.wait_for_function(
        f"([root, name]) => {{ const c = ({CURRENT_JS})(root); return c && c.name === name; }}",
        arg=[widget.element_handle(), name],
        timeout=30_000,
    )
    widget.page.wait_for_timeout(100)
    return widget.evaluate(CURRENT_JS)


def test_stepper_follows_an_mlp_training_step(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    names = plan_names(MLP_CELL, "(train, feed)")
    assert len(names) >= 150
    jupyter_server.write_notebook("mlp.ipynb", MLP_CELL + "Stepper(sess, train, feed)\n")
    open_and_run_notebook(page, jupyter_server, "mlp.ipynb")
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    widget.scroll_into_view_if_needed()
    step = 0
    for target, panel in ((12, False), (30, True), (60, True)):
        while step < target:
            step += 1
            click_next(widget, step + 1)
        if panel and not widget.locator(".tf-sec-info").is_visible():
            # a details panel opens beside the graph: the picture keeps its scale
            widget.locator("svg g.node.tf-current").click()
            widget.locator(".tf-sec-info").wait_for()
        info = current(widget, names[target])
        page.screenshot(path=str(output_dir / f"after-{target}.png"))
        assert info["inside"], (target, info)
        assert info["px"] >= 8, (target, info)
        assert info["pane"][0] >= 560, info
    assert widget.locator(".tf-alert").is_hidden()


def test_follow_off_leaves_the_view_alone(wide_page, jupyter_server, open_and_run_notebook):
    page = wide_page
    names = plan_names(MLP_CELL, "(train, feed)")
    jupyter_server.write_notebook("mlp2.ipynb", MLP_CELL + "Stepper(sess, train, feed)\n")
    open_and_run_notebook(page, jupyter_server, "mlp2.ipynb")
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    widget.locator("input.tf-follow").uncheck()
    layouts = widget.get_attribute("data-layouts")
    first_gradient = next(i for i, n in enumerate(names) if n.startswith("gradients/"))
    for step in range(1, first_gradient + 1):
        click_next(widget, step + 1)
    # the gradient op stays inside its collapsed box: no new layout, the box is current
    assert widget.get_attribute("data-layouts") == layouts
    box = widget.locator("svg g.node.tf-current > title").text_content()
    assert box == "gradients"


def notebook7_until_stepper() -> str:
    """Notebook 07's code up to (and with) its Stepper cell, as one setup string."""
    nb = nbformat.read(NOTEBOOKS / "07_training_linear_regression.ipynb", as_version=4)
    code = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code.append(cell.source)
        if "Stepper(sess, train)" in cell.source:
            break
    return "\n".join(code)


def test_notebook7_backward_pass_steps_visibly(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    setup = notebook7_until_stepper()
    assert "Stepper(sess, train)" in setup
    jupyter_server.write_notebook("nb7.ipynb", "%matplotlib agg\n" + setup)
    open_and_run_notebook(page, jupyter_server, "nb7.ipynb", timeout=180)
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    widget.scroll_into_view_if_needed()
    names = plan_names(
        setup.replace("%matplotlib inline", "")
        .split("stepper = Stepper")[0]
        .replace("plt.show()", ""),
        "(train,)",
    )
    gradient_steps = [i for i, n in enumerate(names) if n.startswith("gradients/")]
    assert len(gradient_steps) >= 10
    seen = []
    for step in range(1, gradient_steps[-1] + 1):
        click_next(widget, step + 1)
        if step in gradient_steps:
            info = current(widget, names[step])
            assert info["inside"] and info["px"] >= 8, (names[step], info)
            seen.append(info["name"])
            if step == gradient_steps[len(gradient_steps) // 2]:
                widget_shot(widget, output_dir / "backward.png")
    assert seen == [names[i] for i in gradient_steps[1:]] or seen == [
        names[i] for i in gradient_steps
    ]


def test_search_reveals_and_panels_keep_labels_readable(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("search.ipynb", MLP_CELL + "GraphView(sess)\n")
    open_and_run_notebook(page, jupyter_server, "search.ipynb")
    view = page.locator(".tf-graphview")
    view.locator("svg g.node").first.wait_for(state="attached")
    view.scroll_into_view_if_needed()
    before = view.evaluate(MIN_LABEL_JS)
    assert before["seen"] > 5 and before["min"] >= 8, before
    # a search result inside a collapsed scope: opened, centred, selected; dropdown closed
    target = "gradients/hidden/MatMul_1_grad/MatMul"
    view.locator("input.tf-search").fill("MatMul_1_grad/MatMul")
    view.locator(".tf-results li", has_text=target).first.click()
    page.wait_for_function(
        """([root, name]) => [...root.querySelectorAll('svg g.node.tf-selected > title')]
             .some((t) => t.textContent === name)""",
        arg=[view.element_handle(), target],
    )
    page.wait_for_timeout(200)
    assert view.locator(".tf-results").is_hidden()
    node = view.locator("svg g.node.tf-selected")
    box, pane = node.bounding_box(), view.locator(".tf-graph").bounding_box()
    assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"]
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
    # the details panel is open beside the graph: labels stay readable
    view.locator(".tf-sec-info").wait_for()
    after = view.evaluate(MIN_LABEL_JS)
    assert after["min"] >= 8 and after["width"] >= 560, after
    page.screenshot(path=str(output_dir / "search-revealed.png"))
    # the picture as a file, as it looks now (the selected node keeps its look)
    with page.expect_download() as download:
        view.locator(".tf-zoom button", has_text="SVG").click()
    svg = Path(download.value.path()).read_text()
    assert svg.startswith("<svg") and "tf-selected" in svg and "<style>" in svg
    assert f"<title>{target}</title>" in svg


LIMIT_CELL = """
import teachflow as tf
from teachflow.widgets import GraphView

g = tf.Graph()
with g.as_default():
    h = tf.placeholder(tf.float32, [None], name="x")
    for s in ("a", "b", "c"):
        with tf.name_scope(s):
            for _ in range(250):
                h = tf.tanh(h)
view = GraphView(g)
display(view, GraphView(tf.Graph()))
"""


def test_the_box_limit_keeps_the_readers_scopes(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("limit.ipynb", LIMIT_CELL)
    open_and_run_notebook(page, jupyter_server, "limit.ipynb")
    view = page.locator(".tf-graphview").first
    view.locator("svg g.node.tf-scope-box").first.wait_for(state="attached")
    assert view.locator("svg g.node.tf-scope-box").count() == 3
    # an empty graph says so (and shows no legend of kinds it does not have)
    empty = page.locator(".tf-graphview").nth(1)
    assert "This graph has no ops yet" in empty.locator(".tf-empty").inner_text()
    assert empty.locator(".tf-legend").inner_text().strip() == ""

    def scope_box(name: str) -> Any:
        return view.locator(
            "svg g.node.tf-scope-box", has=page.locator("title", has_text=re.compile(f"^{name}$"))
        )

    scope_box("a").click()
    view.locator("svg g.cluster").first.wait_for(state="attached")
    page.wait_for_function(
        "(root) => root.querySelectorAll('svg g.node.tf-scope-box').length === 2",
        arg=view.element_handle(),
    )
    view.locator(".tf-zoom button", has_text="fit").click()  # the whole picture, to find b
    scope_box("b").click()
    view.locator(".tf-alert").wait_for()
    alert = view.locator(".tf-alert").inner_text()
    assert "Opening b would draw" in alert and "at most 400" in alert
    # a stays open, b and c stay boxes: nothing was reset
    assert view.locator("svg g.cluster").count() >= 1
    boxes = sorted(view.locator("svg g.node.tf-scope-box > title").all_text_contents())
    assert boxes == ["b", "c"]
    widget_shot(view, output_dir / "limit.png")


RERUN_CELL = """
import teachflow as tf
from teachflow.widgets import Stepper

tf.reset_default_graph()
counter = tf.Variable(0, name="counter")
update = tf.assign(counter, counter + 1)
sess = tf.Session()
Stepper(sess, update)
"""

KERNEL_COUNT = """
import ipywidgets.widgets.widget as _w
from teachflow.widgets import Stepper as _S
print(json.dumps(sum(isinstance(x, _S) for x in _w._instances.values())))
"""


def test_rerunning_a_stepper_cell_50_times_stays_flat(
    page, jupyter_server, open_and_run_notebook, output_dir
):
    jupyter_server.write_notebook("rerun.ipynb", RERUN_CELL)
    open_and_run_notebook(page, jupyter_server, "rerun.ipynb")
    cdp = page.context.new_cdp_session(page)

    def rerun(times: int) -> None:
        for _ in range(times):
            page.evaluate(
                """async () => {
                  const nb = window.jupyterapp.shell.currentWidget;
                  nb.content.activeCellIndex = 0;
                  await window.jupyterapp.commands.execute('notebook:run-cell');
                }"""
            )
            page.wait_for_function(
                "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                ".status === 'idle'"
            )
            page.locator(f"{STEPPER} svg g.node").first.wait_for(state="attached")

    def measure() -> tuple[int, float]:
        page.wait_for_timeout(300)
        for _ in range(3):
            cdp.send("HeapProfiler.collectGarbage")
        nodes = cdp.send("Memory.getDOMCounters")["nodes"]
        heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
        return nodes, heap

    rerun(10)
    nodes0, heap0 = measure()
    rerun(40)
    nodes1, heap1 = measure()
    assert page.locator(STEPPER).count() == 1
    (output_dir / "memory.json").write_text(
        json.dumps({"nodes": [nodes0, nodes1], "heap": [heap0, heap1]})
    )
    # 40 more runs: keeping each run's view (as before) added ~1,400 nodes and 3.2 MB of heap
    # per run. JupyterLab itself keeps ~16 kB per run of any cell (its output history) and
    # the state of every widget model it was sent (~25 kB for this one), closed or not.
    assert nodes1 - nodes0 < 400, (nodes0, nodes1)
    assert heap1 - heap0 < 3_000_000, (heap0, heap1)
    count = page.evaluate(
        """async (code) => {
          const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
          let out = '';
          const f = k.requestExecute({code: 'import json\\n' + code});
          f.onIOPub = (m) => { if (m.header.msg_type === 'stream') out += m.content.text; };
          await f.done;
          return out;
        }""",
        KERNEL_COUNT,
    )
    assert json.loads(count) == 1, count


JA_CELL = """
import teachflow as tf
from teachflow.widgets import Stepper

tf.reset_default_graph()
counter = tf.Variable(0, name="counter")
update = tf.assign(counter, counter + 1)
sess = tf.Session()
Stepper(sess, update, lang="ja")
"""


def test_the_uninitialized_counter_in_english(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("en.ipynb", JA_CELL.replace(', lang="ja"', ""))
    open_and_run_notebook(page, jupyter_server, "en.ipynb")
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    click_next(widget, 2)
    widget.locator("button[data-event='next']").click()
    widget.locator(".tf-sec-error").wait_for()
    error = widget.locator(".tf-sec-error").inner_text()
    assert "Hint: run tf.global_variables_initializer()" in error
    assert "Press Initialize variables to run the initializer of counter" in error
    legend = widget.locator(".tf-legend").inner_text()
    assert "variable" in legend and "runs next" in legend and "placeholder" not in legend
    widget_shot(widget, output_dir / "stepper.png")


def test_a_japanese_stepper(wide_page, jupyter_server, open_and_run_notebook, output_dir):
    page = wide_page
    jupyter_server.write_notebook("ja.ipynb", JA_CELL)
    open_and_run_notebook(page, jupyter_server, "ja.ipynb")
    widget = page.locator(STEPPER)
    widget.locator("svg g.node").first.wait_for(state="attached")
    assert widget.locator("button[data-event='next']").inner_text() == "▶ 次へ"
    assert widget.locator("button[data-event='init']").inner_text() == "変数を初期化"
    click_next(widget, 2)
    widget.locator("button[data-event='next']").click()
    widget.locator(".tf-sec-error").wait_for()
    error = widget.locator(".tf-sec-error").inner_text()
    # TensorFlow's own line stays as TensorFlow writes it; the widget's framing is Japanese
    assert "FailedPreconditionError: Attempting to use uninitialized value counter" in error
    assert "ヒント: " in error and "変数を初期化" in error
    assert "実行計画" in widget.locator(".tf-plan-wrap").locator("xpath=..").inner_text()
    legend = widget.locator(".tf-legend").inner_text()
    assert "変数" in legend and "次に実行" in legend and "operation" not in legend
    widget_shot(widget, output_dir / "stepper-ja.png")


TWO_STEPPERS = """
import teachflow as tf
from teachflow.widgets import Stepper

tf.reset_default_graph()
counter = tf.Variable(0, name="counter")
update = tf.assign(counter, counter + 1)
sess = tf.Session()
sess.run(counter.initializer)
first = Stepper(sess, update)
second = Stepper(sess, update)
display(first, second)
"""


def kernel_run(page: Any, code: str) -> None:
    page.evaluate(
        """async (code) => {
          const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
          await k.requestExecute({code}).done;
        }""",
        code,
    )


def test_values_follow_the_session_and_a_closed_session_says_so(
    wide_page, jupyter_server, open_and_run_notebook, output_dir
):
    page = wide_page
    jupyter_server.write_notebook("two.ipynb", TWO_STEPPERS)
    open_and_run_notebook(page, jupyter_server, "two.ipynb")
    steppers = page.locator(STEPPER)
    steppers.nth(1).locator("svg g.node").first.wait_for(state="attached")
    first, second = steppers.nth(0), steppers.nth(1)
    badge = "svg g.node:has(> title:text-is('counter')) text.tf-value-text"
    assert first.locator(badge).text_content() == "= 0"
    # the first Stepper reads counter, then the second runs to its end (counter = 1)
    click_next(first, 2)
    click_next(first, 3)
    second.locator("button[data-event='run_to_end']").click()
    second.locator(badge).filter(has_text="= 1").wait_for()
    # the first one sees it on its own (it asks the kernel now and then): badge and notice
    first.locator(badge).filter(has_text="= 1").wait_for(timeout=10_000)
    first.locator(".tf-stale").wait_for(timeout=10_000)
    assert "changed outside this Stepper" in first.locator(".tf-stale").inner_text()
    # a cell closes the session: both widgets say so and their buttons are off
    kernel_run(page, "sess.close()")
    first.locator(".tf-closed").wait_for(timeout=10_000)
    assert "This session is closed" in first.locator(".tf-closed").inner_text()
    assert first.locator("button[data-event='next']").is_disabled()
    assert first.locator("button[data-event='reset']").is_disabled()
    widget_shot(first, output_dir / "closed.png")
