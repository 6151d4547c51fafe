"""SummaryPlot's Python half: what it sends the browser; a refresh sends only what is new."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import teachflow as tf
from teachflow.widgets import SummaryPlot
from teachflow.widgets import summaryplot as sp


class Browser:
    """Stands in for the page: records what the widget sends, says what a view says."""

    def __init__(self, plot: SummaryPlot) -> None:
        self.plot = plot
        self.messages: list[dict[str, Any]] = []
        plot.send = lambda content, buffers=None: self.messages.append(
            json.loads(json.dumps(content, allow_nan=False))  # what JSON can carry, nothing else
        )

    def say(self, **content: Any) -> None:
        self.plot._handle_msg(
            {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
        )

    def last(self) -> dict[str, Any]:
        return self.messages[-1]


class Log:
    """A FileWriter logging a loss scalar and a weights histogram per step."""

    def __init__(self, logdir: Path) -> None:
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.placeholder(tf.float32)
            self.w = tf.placeholder(tf.float32, [None])
            self.merged = tf.summary.merge(
                [tf.summary.scalar("loss", self.x), tf.summary.histogram("layer/weights", self.w)]
            )
            self.sess = tf.Session(graph=self.graph)
        self.writer = tf.summary.FileWriter(logdir, flush_secs=3600)
        self.rng = np.random.default_rng(0)

    def steps(self, start: int, stop: int) -> None:
        for step in range(start, stop):
            feed = {self.x: 1.0 / (step + 1), self.w: self.rng.normal(0, 1, 200)}
            self.writer.add_summary(self.sess.run(self.merged, feed), step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
        self.sess.close()


@pytest.fixture
def log(tmp_path: Path) -> Any:
    log = Log(tmp_path)
    yield log
    log.close()


def test_a_view_gets_a_snapshot_then_only_new_points(log: Log) -> None:
    log.steps(0, 50)
    plot = SummaryPlot(log.writer)
    page = Browser(plot)
    page.say(event="ready")
    snap = page.last()
    assert snap["event"] == "snapshot"
    (loss,) = snap["scalars"]
    assert (loss["run"], loss["tag"]) == (".", "loss")
    assert loss["steps"] == list(range(50)) and loss["values"][3] == pytest.approx(0.25)
    assert len(loss["walls"]) == 50 and loss["walls"][0] > 1e9
    (hist,) = snap["hists"]
    assert hist["tag"] == "layer/weights" and hist["n"] == 50 and len(hist["rows"]) == 50

    for size in (50, 500):  # the same 7 new steps cost the same whatever the log holds
        log.steps(size, size + 7)
        before = plot._reader.records_read
        plot.refresh()
        assert plot._reader.records_read - before == 7
        msg = page.last()
        assert msg["event"] == "append"
        assert msg["scalars"][0]["steps"] == list(range(size, size + 7))
        assert [r["step"] for r in msg["hists"][0]["rows"]] == list(range(size, size + 7))
        assert msg["hists"][0]["last"]["step"] == size + 6
        log.steps(size + 7, 500)
        plot.refresh()
    sent = len(page.messages)
    plot.refresh()  # nothing new: nothing sent
    assert len(page.messages) == sent
    assert plot.scalars[0]["n"] == 507


def test_histogram_bars_are_whole_counts_over_the_data_range() -> None:
    values = np.random.default_rng(1).uniform(-20, 5, 1000)
    with tf.Graph().as_default(), tf.Session() as sess:
        proto = tf.summary.Summary.FromString(sess.run(tf.summary.histogram("h", values)))
    h = proto.value[0].histo
    bars = sp.rebin(
        {
            "min": h.min,
            "max": h.max,
            "num": h.num,
            "bucket_limit": h.bucket_limit,
            "bucket": h.bucket,
        }
    )
    assert bars["edges"][0] == pytest.approx(values.min()) and bars["edges"][-1] == pytest.approx(
        values.max()
    )
    assert all(isinstance(c, int) for c in bars["counts"]) and sum(bars["counts"]) == 1000
    # close to the values' own histogram (TensorFlow's buckets are spread over the bins)
    exact = np.histogram(values, bins=np.asarray(bars["edges"]))[0]
    assert np.abs(np.asarray(bars["counts"]) - exact).max() <= 0.3 * exact.max()


def test_a_restart_sends_a_new_snapshot_without_the_orphaned_steps(log: Log) -> None:
    log.steps(0, 10)
    plot = SummaryPlot(log.writer)
    page = Browser(plot)
    log.writer.add_session_log(tf.summary.SessionLog(status=tf.summary.SessionLog.START), 4)
    log.steps(4, 6)
    plot.refresh()
    assert page.last()["event"] == "snapshot"
    assert page.last()["scalars"][0]["steps"] == [0, 1, 2, 3, 4, 5]
    assert [p[0] for p in plot.scalars[0]["points"]] == [0, 1, 2, 3, 4, 5]


def test_nan_values_are_gaps_and_json_stays_valid(tmp_path: Path) -> None:
    with tf.Graph().as_default(), tf.Session() as sess, tf.summary.FileWriter(tmp_path) as w:
        x = tf.placeholder(tf.float32)
        summary = tf.summary.scalar("loss", x)
        for step, value in enumerate([1.0, np.nan, np.inf, 2.0]):
            w.add_summary(sess.run(summary, {x: value}), step)
    plot = SummaryPlot(tmp_path)
    page = Browser(plot)
    page.say(event="ready")  # Browser refuses NaN in JSON
    assert page.last()["scalars"][0]["values"] == [1.0, None, None, 2.0]
    assert plot.scalars[0]["nonfinite"] == 2


def test_japanese_labels_and_options(log: Log) -> None:
    log.steps(0, 3)
    plot = SummaryPlot(log.writer, lang="ja", smoothing=0.9)
    assert plot.title.startswith("要約: ") and "タグ 2 個" in plot.status
    assert plot.smoothing == 0.9 and SummaryPlot(log.writer).smoothing == 0.6
    with pytest.raises(ValueError, match="lang must be one of"):
        SummaryPlot(log.writer, lang="fr")


def test_corrupt_records_are_counted_in_the_status(tmp_path: Path) -> None:
    log = Log(tmp_path)
    log.steps(0, 5)
    log.close()
    (path,) = tmp_path.glob("*tfevents*")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="skipped 1 corrupt record"):
        plot = SummaryPlot(tmp_path)
    assert "1 corrupt records skipped" in plot.status
    # one step's event (its scalar and its histogram) is lost, the 4 others are kept
    assert plot.scalars[0]["n"] == plot.histograms[0]["n"] == 4


def test_live_polling_pauses_when_no_view_is_left(log: Log) -> None:
    log.steps(0, 2)
    plot = SummaryPlot(log.writer, interval=0.2)
    page = Browser(plot)
    page.say(event="ready")
    page.say(event="gone")  # the cell was re-run: its view was torn down
    plot.start()
    log.steps(2, 4)
    time.sleep(1.0)
    assert plot.scalars[0]["n"] == 2  # nobody looks: nothing read
    page.say(event="ready")
    deadline = time.monotonic() + 20
    while plot.scalars[0]["n"] < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert plot.scalars[0]["n"] == 4
    plot.stop()
    plot.close()


def test_image_slider_answers_with_one_image(tmp_path: Path) -> None:
    with tf.Graph().as_default(), tf.Session() as sess:
        img = tf.placeholder(tf.float32, [1, 4, 4, 1])
        summary = tf.summary.image("pic", img)
        with tf.summary.FileWriter(tmp_path) as writer:
            for step in range(3):
                writer.add_summary(sess.run(summary, {img: np.full((1, 4, 4, 1), step / 3)}), step)
    plot = SummaryPlot(tmp_path)
    page = Browser(plot)
    page.say(event="image", run=".", tag="pic/image/0", index="1")
    (image,) = page.last()["images"]
    assert (image["index"], image["step"], image["steps"]) == (1, 1, [0, 1, 2])
    page.say(event="image", run=".", tag="pic/image/0", index="not a number")  # ignored
    page.say(event="image", run=".", tag="nope", index=0)
    assert len(page.messages) == 1


def test_tags_reach_the_browser_as_data_not_html(tmp_path: Path) -> None:
    bad = '<img src=x onerror="alert(1)">'
    with tf.Graph().as_default(), tf.Session() as sess, tf.summary.FileWriter(tmp_path) as w:
        w.add_summary(sess.run(tf.summary.text("t", tf.constant(bad))), 0)
    plot = SummaryPlot(tmp_path)
    page = Browser(plot)
    page.say(event="ready")
    assert page.last()["texts"] == [{"run": ".", "tag": "t", "step": 0, "text": bad}]
