"""SummaryPlot in JupyterLab (Chromium, 1400x1000): smoothing, grouping and filter, histogram axes,
live appends, Japanese labels, re-running the cell."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

LOGS = """
import tempfile

import numpy as np
import teachflow as tf
from teachflow.widgets import SummaryPlot

logdir = tempfile.mkdtemp()
rng = np.random.default_rng(0)
with tf.Graph().as_default():
    x = tf.placeholder(tf.float32, name="x")
    acc = tf.placeholder(tf.float32, name="acc")
    w = tf.placeholder(tf.float32, shape=[None], name="w")
    logits = tf.placeholder(tf.float32, shape=[None], name="logits")
    img = tf.placeholder(tf.float32, shape=[1, 16, 16, 1], name="img")
    tf.summary.scalar("loss", x)
    tf.summary.scalar("accuracy", acc)
    with tf.name_scope("hidden"):
        tf.summary.histogram("weights", w)
        tf.summary.scalar("weight_norm", tf.sqrt(tf.reduce_sum(w * w)))
    with tf.name_scope("output"):
        tf.summary.histogram("logits", logits)
    tf.summary.image("digit", img)
    merged = tf.summary.merge_all()
    with tf.Session() as s, tf.summary.FileWriter(logdir) as writer:
        for step in range(300):
            feed = {
                x: 2.0 / (step / 20 + 1) + 0.3 * rng.random(),
                acc: 1 - 1 / (step / 30 + 1) + 0.05 * rng.random(),
                w: rng.normal(step / 100, 1.0, 500),
                logits: rng.uniform(-20, 5, 1000),
                img: rng.random((1, 16, 16, 1)),
            }
            writer.add_summary(s.run(merged, feed), step)
"""

SHOW = """
plot = SummaryPlot(logdir{options})
plot
"""

PLOT = ".tf-summary"


@pytest.fixture
def page1400(wide_page: Any) -> Iterator[Any]:
    """The 1400x1000 page, on which a chart may raise no page error."""
    errors: list[str] = []
    wide_page.on("pageerror", lambda e: errors.append(str(e)))
    yield wide_page
    assert not errors, errors


def open_plot(page: Any, server: Any, run: Any, name: str, *cells: str) -> Any:
    server.write_notebook(name, *cells)
    run(page, server, name)
    plot = page.locator(PLOT).last
    plot.locator(".tf-card[data-kind=scalar] canvas").first.wait_for()
    return plot


def chart(card: Any, which: str = ".tf-chart-host") -> Any:
    return card.locator(which).first


def chart_data(host: Any) -> Any:
    return host.evaluate("el => el.tfChart.data.map((s) => Array.from(s))")


def canvas_png(host: Any) -> bytes:
    return host.locator("canvas").first.screenshot()


def ink(png: bytes) -> tuple[int, int]:
    """(strong, faint) blue pixels of a chart: the smoothed line and the raw line behind it."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    strong = faint = 0
    for r, g, b in im.getdata():
        if b > 180 and r < 80 and g < 130:
            strong += 1
        elif b > 200 and 150 < r < 235 and r < b - 10:
            faint += 1
    return strong, faint


def test_smoothing_changes_the_line_and_the_raw_line_stays_faint(
    page1400, jupyter_server, open_and_run_notebook, output_dir
):
    page = page1400
    plot = open_plot(
        page,
        jupyter_server,
        open_and_run_notebook,
        "smooth.ipynb",
        LOGS,
        SHOW.format(options=', title="Summaries in logs/mlp"'),
    )
    card = plot.locator(".tf-card[data-kind=scalar][data-tag=loss]")
    card.scroll_into_view_if_needed()
    host = chart(card)
    assert card.locator(".tf-card-title").inner_text() == "scalar loss"
    assert plot.locator(".tf-smoothing").input_value() == "0.6"  # TensorBoard's default
    xs, raw, smoothed = chart_data(host)
    assert len(xs) == 300 and xs[:3] == [0, 1, 2]
    assert smoothed[0] == pytest.approx(raw[0])  # debiased: the first point is not pulled to 0
    assert max(abs(a - b) for a, b in zip(raw, smoothed)) > 0.05
    # the raw series is drawn thin and translucent behind the smoothed one
    strokes = host.evaluate(
        "el => el.tfChart.series.slice(1).map((s) => [s.stroke(el.tfChart, 1), s.width])"
    )
    assert strokes[0][0].endswith("55") and strokes[0][1] < strokes[1][1]
    assert len(strokes[1][0]) == 7  # opaque #rrggbb
    before = canvas_png(host)
    strong, faint = ink(before)
    assert strong > 200 and faint > 200, (strong, faint)
    page.screenshot(path=str(output_dir / "smoothing-0.6.png"))

    slider = plot.locator(".tf-smoothing")
    slider.evaluate(
        "el => { el.value = '0.95'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    page.wait_for_function(
        "el => Math.abs(el.tfChart.data[2][299] - el.tfChart.data[1][299]) > 0 &&"
        " el.closest('.tf-summary').querySelector('.tf-smoothing-value').textContent === '0.95'",
        arg=host.element_handle(),
    )
    page.wait_for_timeout(300)
    _, raw2, smoothed2 = chart_data(host)
    assert raw2 == raw and smoothed2 != smoothed
    # heavier smoothing: a calmer line (smaller steps between neighbours)
    jumps = [abs(b - a) for a, b in zip(smoothed, smoothed[1:])]
    jumps2 = [abs(b - a) for a, b in zip(smoothed2, smoothed2[1:])]
    assert sum(jumps2) < 0.6 * sum(jumps)
    after = canvas_png(host)
    assert after != before
    strong2, faint2 = ink(after)
    assert strong2 > 200 and faint2 > 200
    page.screenshot(path=str(output_dir / "smoothing-0.95.png"))
    # the picture in the docs: scalars and a histogram, smoothing 0.95 over the raw lines
    plot.locator(".tf-filter").fill("hidden|loss")
    plot.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    box = plot.bounding_box()
    clip = {**box, "height": min(box["height"], 1000 - box["y"] - 30)}
    page.screenshot(path=str(output_dir / "summaryplot.png"), clip=clip)
    plot.locator(".tf-filter").fill("")

    # the horizontal axis: relative time from the run's first event, then wall-clock time
    handle = host.element_handle()
    plot.locator(".tf-xaxis").select_option("relative")
    page.wait_for_function("el => el.tfChart.axes[0].label === 'relative time'", arg=handle)
    xs = chart_data(host)[0]
    assert xs[0] == 0 and xs == sorted(xs) and xs[-1] < 600
    plot.locator(".tf-xaxis").select_option("wall")
    page.wait_for_function("el => el.tfChart.axes[0].label === 'wall time'", arg=handle)
    assert host.evaluate("el => el.tfChart.scales.x.time") is True
    assert chart_data(host)[0][0] > 1e9  # seconds since 1970
    plot.locator(".tf-xaxis").select_option("step")
    # log scale
    plot.locator(".tf-log").check()
    page.wait_for_function("el => el.tfChart.scales.y.distr === 3", arg=handle)
    ticks = host.evaluate("el => el.tfChart.axes[1]._values")
    assert ticks and all("e-1" not in t for t in ticks)
    card.screenshot(path=str(output_dir / "log-scale.png"))


def test_sections_group_tags_and_the_filter_hides_cards(
    page1400, jupyter_server, open_and_run_notebook, output_dir
):
    page = page1400
    plot = open_plot(
        page, jupyter_server, open_and_run_notebook, "groups.ipynb", LOGS, SHOW.format(options="")
    )
    groups = plot.locator("section.tf-group")
    names = [groups.nth(i).get_attribute("data-group") for i in range(groups.count())]
    assert names == ["accuracy", "digit", "hidden", "loss", "output"]
    hidden = plot.locator("section.tf-group[data-group=hidden]")
    assert sorted(hidden.locator(".tf-card").evaluate_all("cs => cs.map(c => c.dataset.tag)")) == [
        "hidden/weight_norm",
        "hidden/weights",
    ]
    # a section folds away and opens again
    head = hidden.locator(".tf-section-head")
    head.click()
    assert head.get_attribute("aria-expanded") == "false"
    assert not hidden.locator(".tf-card").first.is_visible()
    head.click()
    assert hidden.locator(".tf-card").first.is_visible()
    # the filter is a regular expression over tags, like TensorBoard's
    filt = plot.locator(".tf-filter")
    filt.fill("hidden/w.*s$")
    visible = plot.locator(".tf-card:visible")
    assert visible.evaluate_all("cs => cs.map(c => c.dataset.tag)") == ["hidden/weights"]
    assert [
        g.get_attribute("data-group") for g in plot.locator("section.tf-group:visible").all()
    ] == ["hidden"]
    page.screenshot(path=str(output_dir / "filtered.png"))
    filt.fill("loss|acc")
    assert sorted(visible.evaluate_all("cs => cs.map(c => c.dataset.tag)")) == ["accuracy", "loss"]
    filt.fill("([")  # not a regex: said so, the last valid filter stays
    assert plot.locator(".tf-filter-note").inner_text() != ""
    assert sorted(visible.evaluate_all("cs => cs.map(c => c.dataset.tag)")) == ["accuracy", "loss"]
    filt.fill("")
    assert plot.locator(".tf-card:visible").count() == 6


def test_histogram_axis_ends_at_the_data_and_counts_are_whole(
    page1400, jupyter_server, open_and_run_notebook, output_dir
):
    page = page1400
    plot = open_plot(
        page,
        jupyter_server,
        open_and_run_notebook,
        "hist.ipynb",
        LOGS,
        SHOW.format(options=""),
        "h = [x for x in plot.histograms if x['tag'] == 'output/logits'][0]['last']\n"
        "print(h['edges'][0], h['edges'][-1])",
    )
    card = plot.locator(".tf-card[data-kind=histogram][data-tag='output/logits']")
    card.scroll_into_view_if_needed()
    bars = card.locator(".tf-bars")
    bars.locator("canvas").wait_for()
    lo, hi = (float(v) for v in page.locator(".jp-OutputArea-output pre").last.inner_text().split())
    assert -20 <= lo < -19.5 and 4.5 < hi <= 5  # the data's own min and max
    scale = bars.evaluate("el => [el.tfChart.scales.x.min, el.tfChart.scales.x.max]")
    assert scale == [pytest.approx(lo), pytest.approx(hi)]
    counts = bars.evaluate("el => Array.from(el.tfChart.data[1])")
    assert all(float(c).is_integer() for c in counts) and sum(counts[:-1]) == 1000
    # tick labels: inside the data, one format, no float noise
    ticks = bars.evaluate("el => el.tfChart.axes[0]._values")
    splits = bars.evaluate("el => el.tfChart.axes[0]._splits")
    assert ticks and all(lo - 1e-9 <= s <= hi + 1e-9 for s in splits)
    assert not any("e-" in t for t in ticks)
    count_ticks = bars.evaluate("el => el.tfChart.axes[1]._values")
    assert all(t.isdigit() for t in count_ticks)
    # the distribution over steps: value bands, step axis of whole steps
    dist = card.locator(".tf-distribution")
    steps = dist.evaluate("el => el.tfChart.axes[0]._values")
    assert all(t.lstrip("-").isdigit() for t in steps)
    card.screenshot(path=str(output_dir / "histogram.png"))


LIVE = """
import time
plot = SummaryPlot(logdir)
display(plot)
time.sleep(2)
with tf.Graph().as_default():
    x = tf.placeholder(tf.float32, name="x")
    s_loss = tf.summary.scalar("loss", x)
    with tf.Session() as s, tf.summary.FileWriter(logdir) as writer:
        for step in range(300, 310):
            writer.add_summary(s.run(s_loss, {x: 0.5}), step)
plot.refresh()
print("sent", plot.messages_sent)
"""


def test_refresh_appends_only_new_points_and_japanese_labels(
    page1400, jupyter_server, open_and_run_notebook, output_dir
):
    page = page1400
    jupyter_server.write_notebook("live.ipynb", LOGS, LIVE, SHOW.format(options=', lang="ja"'))
    open_and_run_notebook(page, jupyter_server, "live.ipynb")
    first, ja = page.locator(PLOT).first, page.locator(PLOT).last
    card = first.locator(".tf-card[data-kind=scalar][data-tag=loss]")
    page.wait_for_function(
        "el => el.tfChart && el.tfChart.data[0].length === 310",
        arg=chart(card).element_handle(),
    )
    assert chart_data(chart(card))[0][-11:] == [299, *range(300, 310)]
    # the Japanese plot: buttons, settings, axis titles, filter placeholder
    assert ja.locator(".tf-refresh").inner_text() == "↻ 更新"
    assert ja.locator(".tf-filter").get_attribute("placeholder") == "タグを絞り込む (正規表現)"
    assert "平滑化" in ja.locator(".tf-settings").inner_text()
    host = chart(ja.locator(".tf-card[data-tag=loss]"))
    host.locator("canvas").wait_for()
    labels = host.evaluate("el => el.tfChart.axes.map((a) => a.label)")
    assert labels == ["ステップ", "値"]
    assert ja.locator(".tf-card[data-tag=loss] .tf-kind").inner_text() == "スカラー"
    ja.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "ja.png"))


def test_rerunning_the_cell_destroys_the_old_charts(
    page1400, jupyter_server, open_and_run_notebook, output_dir
):
    page = page1400
    plot = open_plot(
        page, jupyter_server, open_and_run_notebook, "rerun.ipynb", LOGS, SHOW.format(options="")
    )
    plot.locator(".tf-card[data-kind=histogram] canvas").first.wait_for()
    for _ in range(5):
        page.evaluate(
            "async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')"
        )
        page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
            " === 'idle'"
        )
    page.locator(".tf-summary .tf-card[data-kind=scalar] canvas").first.wait_for()
    page.wait_for_timeout(500)
    assert page.locator(".tf-summary").count() == 1
    assert page.locator(".uplot").count() == page.locator(".tf-summary .uplot").count()
    assert page.evaluate("() => document.querySelectorAll('.u-wrap').length") <= 12
