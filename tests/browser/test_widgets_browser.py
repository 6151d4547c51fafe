"""The widgets in a real JupyterLab + Chromium: the seed's counter graph stepped by clicking.

Screenshots go to tests/output/<test>/ (look at them: this is what a class sees on a
projector).
"""

from __future__ import annotations

import re

import pytest

COUNTER_CELL = """
import teachflow as tf
from teachflow.widgets import Stepper

state = tf.Variable(0, name="counter")
one = tf.constant(1)
new_value = tf.add(state, one)
update = tf.assign(state, new_value)

sess = tf.Session()
stepper = Stepper(sess, update)
stepper
"""

PREVIEW_CELL = """
from teachflow.widgets import GraphView

view = GraphView(sess)
view.preview(update)
view
"""

SUMMARY_CELL = """
import tempfile

import numpy as np
from teachflow.widgets import SummaryPlot

logdir = tempfile.mkdtemp()
with tf.Graph().as_default():
    x = tf.placeholder(tf.float32, name="x")
    w = tf.placeholder(tf.float32, shape=[None], name="w")
    img = tf.placeholder(tf.float32, shape=[1, 16, 16, 1], name="img")
    tf.summary.scalar("loss", x)
    tf.summary.histogram("weights", w)
    tf.summary.image("digit", img)
    merged = tf.summary.merge_all()
    rng = np.random.default_rng(0)
    with tf.Session() as s, tf.summary.FileWriter(logdir) as writer:
        for step in range(30):
            feed = {
                x: 2.0 / (step + 1) + 0.05 * rng.random(),
                w: rng.normal(step / 10, 1.0, 500),
                img: rng.random((1, 16, 16, 1)),
            }
            writer.add_summary(s.run(merged, feed), step)
plot = SummaryPlot(logdir)
plot
"""

STEPPER = ".tf-graphview.tf-is-stepper"


def _titles(page, selector: str) -> list[str]:
    return page.locator(f"{STEPPER} svg {selector} > title").all_text_contents()


def _click(page, label: str) -> None:
    page.locator(f"{STEPPER} button.tf-btn", has_text=label).click()


def _wait_current(page, name: str) -> None:
    page.wait_for_function(
        """([sel, name]) => [...document.querySelectorAll(sel + ' svg g.node.tf-current > title')]
             .map((t) => t.textContent).join('|') === name""",
        arg=[STEPPER, name],
        timeout=20_000,
    )


@pytest.fixture
def counter_notebook(page, jupyter_server, open_and_run_notebook):
    jupyter_server.write_notebook("counter.ipynb", COUNTER_CELL, PREVIEW_CELL, SUMMARY_CELL)
    open_and_run_notebook(page, jupyter_server, "counter.ipynb")
    page.locator(f"{STEPPER} svg g.node > title", has_text=re.compile(r"^Assign$")).wait_for(
        state="attached", timeout=60_000
    )
    return page


def test_stepper_counter_graph(counter_notebook, output_dir):
    page = counter_notebook
    widget = page.locator(STEPPER)
    widget.scroll_into_view_if_needed()
    names = set(_titles(page, "g.node"))
    assert {"counter", "counter/read", "Const", "Add", "Assign"} <= names
    assert {"counter/initial_value", "counter/Assign"} <= names
    # the plan starts at the variable op, nothing computed yet
    _wait_current(page, "counter")
    assert "not yet computed" in widget.locator(".tf-plan").inner_text()
    page.screenshot(path=str(output_dir / "1-ready.png"))

    _click(page, "Next")
    _wait_current(page, "counter/read")
    assert _titles(page, "g.node.tf-done") == ["counter"]

    # reading the uninitialized variable fails: counter turns red, the error is shown
    _click(page, "Next")
    page.locator(f"{STEPPER} svg g.node.tf-uninit").wait_for(timeout=20_000)
    assert _titles(page, "g.node.tf-uninit") == ["counter"]
    assert _titles(page, "g.node.tf-error") == ["counter/read"]
    error = widget.locator(".tf-sec-error").inner_text()
    assert "FailedPreconditionError: Attempting to use uninitialized value counter" in error
    assert "Hint: run tf.global_variables_initializer()" in error
    page.screenshot(path=str(output_dir / "2-uninitialized.png"))

    # the initializer button fixes it; stepping continues from the failed op
    _click(page, "Initialize variables")
    _wait_current(page, "counter/read")
    assert _titles(page, "g.node.tf-uninit") == []
    assert widget.locator(".tf-sec-error").is_hidden()
    _click(page, "Next")
    _wait_current(page, "Const")
    # the keyboard steps too (and JupyterLab does not take the key)
    widget.focus()
    page.keyboard.press("n")
    _wait_current(page, "Add")
    _click(page, "Run to end")
    page.wait_for_function(
        f"() => document.querySelector('{STEPPER} .tf-status').textContent.startsWith('Done')",
        timeout=20_000,
    )
    assert set(_titles(page, "g.node.tf-done")) == {
        "counter",
        "counter/read",
        "Const",
        "Add",
        "Assign",
    }
    badge = widget.locator("svg g.node", has=page.locator("title", has_text=re.compile("^Add$")))
    assert badge.locator("text.tf-value-text").text_content() == "= 1"
    assert "sess.run returned 1" in widget.locator(".tf-status").inner_text()
    # stepping restyled the nodes: the graph was laid out once
    assert widget.get_attribute("data-layouts") == "1"
    page.screenshot(path=str(output_dir / "3-done.png"))

    # run again (key r): counter goes on from 1 (variables persist), the timeline shows each run
    widget.focus()
    page.keyboard.press("r")
    _wait_current(page, "counter")
    # the keys went to the widget, not to JupyterLab (r would make the cell a raw cell)
    cell_types = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets.map((c) => c.model.type)"
    )
    assert cell_types == ["code", "code", "code"]
    _click(page, "Run to end")
    page.wait_for_function(
        f"() => document.querySelector('{STEPPER} .tf-status').textContent.includes('run 2')",
        timeout=20_000,
    )
    timeline = widget.locator(".tf-timeline").inner_text()
    assert re.search(r"counter\s+—\s+0\s+1\s+2", timeline), timeline

    # click a node: its info panel
    widget.locator("svg g.node", has=page.locator("title", has_text=re.compile("^Add$"))).click()
    page.wait_for_function(
        f"() => document.querySelector('{STEPPER} .tf-sec-info')?.textContent.includes('AddV2')",
        timeout=20_000,
    )
    info = widget.locator(".tf-sec-info").inner_text()
    assert "counter/read" in info and "int32 ()" in info
    assert "created at notebook cell" in info and "new_value = tf.add(state, one)" in info
    widget.screenshot(path=str(output_dir / "4-run-again-info.png"))

    # the preview of sess.run(update) in a plain GraphView: what runs, what does not
    view = page.locator(".tf-graphview:not(.tf-is-stepper)")
    view.scroll_into_view_if_needed()
    notice = view.locator(".tf-sec-notice").inner_text()
    assert "would run 5 of 7 ops" in notice
    assert "Not initialized in this session: counter" in notice
    skipped = view.locator("svg g.node.tf-skip > title").all_text_contents()
    assert sorted(skipped) == ["counter/Assign", "counter/initial_value"]
    view.screenshot(path=str(output_dir / "5-preview.png"))
    # click a scope's title: it becomes one box (laid out again); click the box: open again
    assert view.get_attribute("data-layouts") == "1"
    view.locator("svg g.cluster.tf-collapsible > text").first.click()
    view.locator("svg g.node.tf-scope-box").wait_for(timeout=20_000)
    assert view.locator("svg g.node.tf-scope-box > title").all_text_contents() == ["counter"]
    assert view.get_attribute("data-layouts") == "2"
    view.locator("svg g.node.tf-scope-box").click()
    view.locator("svg g.cluster").wait_for(timeout=20_000)
    assert view.locator("svg g.node.tf-scope-box").count() == 0
    assert "counter/read" in view.locator("svg g.node > title").all_text_contents()

    # the summary plot: a line chart of the logged scalar, a distribution, an image
    plot = page.locator(".tf-summary")
    plot.scroll_into_view_if_needed()
    card = plot.locator(".tf-card[data-kind=scalar]")
    assert card.locator(".tf-card-title").inner_text() == "scalar loss"
    host = card.locator(".tf-chart-host")
    host.locator("canvas").wait_for()
    assert host.evaluate("el => el.tfChart.data[0].length") == 30
    assert plot.locator(".tf-card[data-kind=histogram] canvas").count() >= 2
    assert (
        plot.locator(".tf-card[data-kind=image] img")
        .get_attribute("src")
        .startswith("data:image/png;base64,")
    )
    plot.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(output_dir / "6-summaryplot.png"))


HOSTILE_CELL = r"""
import tempfile

import teachflow as tf
from teachflow.ops import registry
from teachflow.widgets import GraphView, SummaryPlot

bad = '<img src=x onerror="window.__pwned=1">'
g = tf.Graph()
with g.as_default():
    x = tf.constant(1.0, name="x")
    # a trailing "/" takes the name as it is: how a hostile imported graph could look
    y = registry.make1("Identity", [x], {"T": tf.float32}, name=bad + '"q\\/')
    z = tf.add(y, 1.0, name="z")
view = GraphView(g)
view.selected = y.op.name
view.search = "img"
display(view)

logdir = tempfile.mkdtemp()
with tf.Graph().as_default(), tf.Session() as s, tf.summary.FileWriter(logdir) as w:
    w.add_summary(s.run(tf.summary.scalar("t", 1.0)), 0)
    w.add_summary(s.run(tf.summary.text("t2", tf.constant(bad))), 0)
SummaryPlot(logdir)
"""


def test_hostile_names_stay_text(page, jupyter_server, open_and_run_notebook, output_dir):
    jupyter_server.write_notebook("hostile.ipynb", HOSTILE_CELL)
    open_and_run_notebook(page, jupyter_server, "hostile.ipynb")
    view = page.locator(".tf-graphview")
    view.locator("svg g.node > title", has_text="onerror").wait_for(state="attached")
    page.locator(".tf-summary .tf-text").wait_for()
    page.wait_for_timeout(500)
    bad = '<img src=x onerror="window.__pwned=1">"q\\'
    assert bad in view.locator("svg g.node > title").all_text_contents()
    assert bad in view.locator(".tf-sec-info").inner_text()
    assert page.locator(".tf-widget img[onerror], .tf-widget [onerror]").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert bad[:-3] in page.locator(".tf-summary .tf-text").inner_text()
    page.screenshot(path=str(output_dir / "hostile.png"))
