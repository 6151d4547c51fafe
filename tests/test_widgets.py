"""The widgets' synced state, without a browser: front-end messages are simulated.

A button click in the browser is a custom message (``model.send({event: "next"})``); a
search box or a click on a node is a state update (``model.set("selected", ...)``).
"""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops import registry
from teachflow.widgets import GraphView, Stepper, SummaryPlot, _bundle
from teachflow.widgets import summaryplot as sp

HOSTILE = '<img src=x onerror="alert(1)">'


def custom(widget, **content):
    """What the browser sends when a button is clicked."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def update(widget, **state):
    """What the browser sends when it changes a synced trait."""
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


def synced_size(widget) -> int:
    state = {k: v for k, v in widget.get_state().items() if k not in ("_esm", "_css")}
    return len(json.dumps(state))


@pytest.fixture
def counter():
    """The seed's counter graph, in a fresh graph; returns (graph, state, update)."""
    g = tf.Graph()
    with g.as_default():
        state = tf.Variable(0, name="counter")
        one = tf.constant(1)
        new_value = tf.add(state, one)
        update_op = tf.assign(state, new_value)
    return g, state, update_op


def states(widget) -> dict[str, str]:
    return dict(widget.node_states)


def current(widget) -> list[str]:
    return [box for box, s in widget.node_states.items() if "current" in s.split()]


# ---------------------------------------------------------------------------- GraphView


def test_graphview_state_of_the_counter_graph(counter):
    g, _, _ = counter
    view = GraphView(g)
    nodes = view.nodes
    assert {n: nodes[n]["kind"] for n in nodes} == {
        "counter/initial_value": "constant",
        "counter": "variable",
        "counter/Assign": "state",
        "counter/read": "op",
        "Const": "constant",
        "Add": "op",
        "Assign": "state",
    }
    assert nodes["Add"]["type"] == "AddV2"
    assert view.clusters == {"cluster_counter": "counter"}
    assert view.collapsed == []
    assert "subgraph cluster_counter" in view.dot
    assert ["Add", "Assign", False, "Add:0"] in view.edges
    # the legend lists the kinds drawn, no others
    assert {k["kind"] for k in view.legend} == {"variable", "constant", "state", "op"}
    assert view.title == "Graph · 7 ops"
    state = view.get_state()
    for key in ("dot", "nodes", "selected", "search", "collapsed", "node_states", "notice", "lang"):
        assert key in state


def test_graphview_of_a_session_shows_variable_values(counter):
    g, state, _ = counter
    sess = tf.Session(graph=g)
    view = GraphView(sess)
    assert view.node_values == {}
    update(view, selected="counter")
    assert view.info["value"] == {"state": "uninit"}
    sess.run(state.initializer)
    view.refresh()
    assert view.node_values == {"counter": "= 0"}
    assert view.info["value"] == {"state": "value", "text": "0"}
    # a write from anywhere shows when the browser next asks (it polls the session's version)
    sess.run(state.assign(5))
    custom(view, event="poll")
    assert view.node_values == {"counter": "= 5"}
    assert view.info["value"]["text"] == "5"
    sess.close()
    custom(view, event="poll")
    assert view.closed


def test_clicking_a_node_shows_its_info(counter):
    g, _, _ = counter
    view = GraphView(tf.Session(graph=g))
    update(view, selected="Add")
    info = view.info
    assert (info["what"], info["name"], info["type"], info["kind"]) == ("op", "Add", "AddV2", "op")
    assert [i["op"] for i in info["inputs"]] == ["counter/read", "Const"]
    assert info["inputs"][0]["label"] == "int32 ()"
    assert info["where"].startswith("test_widgets.py:")
    assert info["src"] == "new_value = tf.add(state, one)"
    assert info["value"] == {"state": "not_kept"}
    assert info["outputs"][0]["users"] == ["Assign"]
    assert view.node_states["Add"] == "selected"
    update(view, selected="Const")
    assert view.info["value"] == {"state": "value", "text": "1"}
    assert "Add" not in view.node_states
    update(view, selected="")
    assert view.info == {}


def test_search_and_reveal_a_node_in_a_collapsed_scope():
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [None], name="x")
        with tf.name_scope("deep"):
            for _ in range(30):
                h = tf.tanh(h + 1.0)
        tf.identity(h, name="out")
    view = GraphView(g)
    assert view.collapsed == ["deep"]
    update(view, search="TANH_17")
    assert [r["name"] for r in view.search_results] == ["deep/Tanh_17"]
    assert view.matches == ["deep/"]  # the collapsed box holding it
    update(view, search="deep/")
    assert len(view.search_results) == 21 and view.search_results[-1] == {"more": 90 - 20}
    custom(view, event="reveal", name="deep/Tanh_17")
    assert view.collapsed == []
    assert "deep/Tanh_17" in view.nodes and view.selected == "deep/Tanh_17"
    assert "subgraph cluster_deep" in view.dot


def test_collapse_and_expand_from_the_browser(counter):
    g, _, _ = counter
    view = GraphView(g)
    update(view, collapsed=["counter"])
    assert "counter/" in view.nodes and view.nodes["counter/"]["kind"] == "scope"
    assert "cluster_counter" not in view.dot
    assert view.nodes["counter/"]["count"] == 4
    update(view, selected="counter/")
    assert view.info["count"] == 4 and view.info["collapsed"] is True
    custom(view, event="expand", scope="counter")
    assert view.collapsed == [] and "counter" in view.nodes
    custom(view, event="collapse", scope="counter")
    assert view.collapsed == ["counter"]


def test_preview_flags_unfed_placeholders_and_uninitialized_variables(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    view = GraphView(sess)
    p = view.preview(update_op)
    assert p.ops == ["counter", "counter/read", "Const", "Add", "Assign"]
    assert p.uninitialized == ["counter"] and p.unfed == []
    assert states(view)["counter"] == "run warn"
    assert states(view)["counter/Assign"] == "skip"
    assert states(view)["Add"] == "run"
    assert view.notice["uninit"] == ["counter"] and view.notice["n"] == 5
    # the initializer only takes the variable's ref: nothing to flag
    assert view.preview(state.initializer).uninitialized == []
    sess.run(state.initializer)
    assert view.preview(update_op).uninitialized == []
    view.clear_preview()
    assert view.notice == {} and view.node_states == {}

    g2 = tf.Graph()
    with g2.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        y = tf.placeholder(tf.float32, [None], name="y")
        z = tf.add(x, y, name="z")
    view2 = GraphView(g2)  # no session: no variable check, still a plan
    p = view2.preview(z, {x: [1.0]})
    assert p.unfed == ["y"] and p.fed == ["x"] and p.ops == ["y", "z"]
    assert states(view2)["x"] == "fed" and "warn" in states(view2)["y"]
    assert view2.notice["unfed"] == ["y"] and view2.notice["fetch"] == "z"
    with pytest.raises(ValueError, match="Cannot feed value of shape"):
        view2.preview(z, {x: [[1.0]]})


def test_wrong_arguments():
    with pytest.raises(TypeError, match="GraphView needs a tf.Graph or a tf.Session"):
        GraphView(42)
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1)
    with pytest.raises(TypeError, match="Stepper needs a tf.Session"):
        Stepper(g, c)
    with pytest.raises(TypeError, match="Fetch argument 1 has invalid type"):
        Stepper(tf.Session(graph=g), 1)


def test_missing_bundle_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setattr(_bundle, "STATIC", tmp_path)
    with pytest.raises(FileNotFoundError, match="make bundle"):
        _bundle.path("graphview.js")


# ---------------------------------------------------------------------------- Stepper


def test_stepper_buttons_advance_the_highlighted_node(counter):
    g, _, update_op = counter
    s = Stepper(tf.Session(graph=g), update_op)
    assert s.total == 5 and s.position == 0
    assert current(s) == ["counter"]
    assert states(s)["counter/initial_value"] == "skip"
    assert states(s)["Add"] == "pending"
    assert s.status == {"state": "ready", "n": 5, "pos": 0, "op": "counter", "type": "VariableV2"}
    custom(s, event="next")
    assert current(s) == ["counter/read"]
    assert states(s)["counter"].split()[0] == "done" or "done" in states(s)["counter"]
    assert s.position == 1


def test_uninitialized_counter_then_the_init_button(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    s = Stepper(sess, update_op)
    assert s.can_init
    assert "warn" in states(s)["counter"]  # flagged up front
    custom(s, event="next")
    custom(s, event="next")
    assert states(s)["counter"] == "uninit"
    assert states(s)["counter/read"] == "error"
    assert s.position == 1 and not s.done
    err = s.error_info
    assert (err["cls"], err["first"]) == (
        "FailedPreconditionError",
        "Attempting to use uninitialized value counter",
    )
    assert err["hint"].startswith("run tf.global_variables_initializer()")
    assert (err["op"], err["bad"]) == ("counter/read", "counter")
    assert s.error_text.splitlines()[0] == (
        "FailedPreconditionError: Attempting to use uninitialized value counter"
    )
    assert s.status == {
        "state": "stopped",
        "op": "counter/read",
        "error": "FailedPreconditionError",
    }
    assert s.plan["rows"][1]["state"] == "error"
    custom(s, event="init")
    assert "counter" in sess.state.variables and int(sess.state.variables["counter"]) == 0
    assert not s.can_init and s.error_info == {} and s.error is None
    assert current(s) == ["counter/read"]
    custom(s, event="next")
    assert current(s) == ["Const"]
    assert s.node_values["counter/read"] == "= 0"
    custom(s, event="run_to_end")
    assert s.done and s.results == 1
    assert int(sess.run(state)) == 1
    assert s.status == {"state": "done", "n": 5, "result": "1", "runs": 1}


def test_pending_nodes_are_not_yet_computed_never_zero(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    sess.run(state.initializer)
    s = Stepper(sess, update_op)
    assert "Add" not in s.node_values and "Assign" not in s.node_values
    update(s, selected="Add")
    assert s.info["value"] == {
        "state": "outputs",
        "items": [{"name": "Add:0", "text": None}],
        "step": None,
    }
    assert [r["state"] for r in s.plan["rows"]] == ["current"] + ["pending"] * 4
    assert all("value" not in r for r in s.plan["rows"])
    custom(s, event="next")
    custom(s, event="next")
    custom(s, event="next")
    custom(s, event="next")
    assert s.node_values["Add"] == "= 1"
    assert s.info["value"]["items"] == [{"name": "Add:0", "text": "1"}]
    assert s.info["value"]["step"] == 4


def test_stepping_to_the_end_equals_session_run():
    def build():
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [None, 3], name="x")
            w = tf.Variable(np.arange(3, dtype=np.float32).reshape(3, 1), name="w")
            y = tf.matmul(x, w, name="y")
            loss = tf.reduce_sum(tf.square(y), name="loss")
            train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
            init = tf.global_variables_initializer()
        return g, x, w, y, loss, train, init

    feed_value = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], dtype=np.float32)
    g1, x1, w1, y1, loss1, train1, init1 = build()
    g2, x2, w2, y2, loss2, train2, init2 = build()
    s1, s2 = tf.Session(graph=g1), tf.Session(graph=g2)
    s1.run(init1)
    s2.run(init2)
    stepper = Stepper(s1, {"loss": loss1, "out": [y1, train1]}, {x1: feed_value})
    custom(stepper, event="run_to_end")
    expected = s2.run({"loss": loss2, "out": [y2, train2]}, {x2: feed_value})
    got = stepper.results
    assert got.keys() == expected.keys()
    assert got["loss"] == expected["loss"] and got["loss"].dtype == expected["loss"].dtype
    np.testing.assert_array_equal(got["out"][0], expected["out"][0])
    assert got["out"][1] is None and expected["out"][1] is None
    np.testing.assert_array_equal(s1.run(w1), s2.run(w2))
    assert not np.array_equal(s1.run(w1), np.arange(3).reshape(3, 1))  # it did train
    assert "fed" in states(stepper)["x"]


def test_timeline_across_runs(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    s = Stepper(sess, update_op)
    custom(s, event="init")
    for _ in range(3):
        custom(s, event="run_to_end")
        assert s.done
        custom(s, event="reset")  # "Run again": a new run of the same fetches
        assert not s.done and current(s) == ["counter"]
        # intermediates are gone in the new run; the variable kept its value
        assert "Add" not in s.node_values
        assert s.node_values["counter"] == f"= {s.runs}"
    labels = [e["label"] for e in s.timeline]
    assert labels == ["start", "initialized", "run 1", "run 2", "run 3"]
    values = [e["variables"]["counter"] for e in s.timeline]
    assert values[0] is None and [int(v) for v in values[1:]] == [0, 1, 2, 3]
    assert [int(e["result"]) for e in s.timeline[2:]] == [1, 2, 3]
    view = s.timeline_view
    assert view["labels"] == labels
    assert view["rows"] == [{"name": "counter", "cells": [None, "0", "1", "2", "3"]}]
    assert view["results"] == [None, None, "1", "2", "3"]
    assert int(sess.run(state)) == 3


def test_big_variables_are_summarised_in_the_timeline():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(tf.zeros([300, 300]), name="w")
        step = tf.assign_add(w, tf.ones([300, 300]))
    sess = tf.Session(graph=g)
    sess.run(w.initializer)
    s = Stepper(sess, step)
    for _ in range(2):
        custom(s, event="run_to_end")
        custom(s, event="reset")
    assert [e["variables"]["w"] for e in s.timeline] == ["mean 0", "mean 1", "mean 2"]
    assert s.timeline_view["rows"][0]["cells"][-1] == "mean 2"
    assert synced_size(s) < 20_000


def test_missing_feed_and_shape_errors_show_on_the_node():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None], name="x")
        y = tf.placeholder(tf.float32, [None], name="y")
        z = tf.add(x, y, name="z")
    sess = tf.Session(graph=g)
    s = Stepper(sess, z)
    assert "warn" in states(s)["x"] and "warn" in states(s)["y"]
    custom(s, event="next")
    assert states(s)["x"] == "error"
    assert s.error_info["cls"] == "InvalidArgumentError"
    assert s.error_info["first"].startswith(
        "You must feed a value for placeholder tensor 'x' with dtype float and shape [?]"
    )
    s2 = Stepper(sess, z, {x: [1.0, 2.0], y: [1.0, 2.0, 3.0]})
    custom(s2, event="run_to_end")
    assert states(s2)["z"] == "error" and s2.position == 0 and not s2.done
    assert s2.error_info["first"] == "Incompatible shapes: [2] vs. [3]"
    assert states(s2)["x"] == "fed"


def test_fetching_an_uninitialized_variable(counter):
    g, state, _ = counter
    s = Stepper(tf.Session(graph=g), state)
    custom(s, event="run_to_end")
    assert s.error_info["first"] == "Attempting to use uninitialized value counter"
    assert states(s)["counter"] == "uninit"
    custom(s, event="init")
    assert s.error is None and s.done and s.results == 0


def test_a_closed_session_is_reported_not_raised_into_the_kernel_log(counter):
    g, _, update_op = counter
    sess = tf.Session(graph=g)
    s = Stepper(sess, update_op)
    sess.close()
    custom(s, event="next")
    assert s.closed and not s.can_init
    assert (s.error_info["cls"], s.error_info["first"]) == (
        "RuntimeError",
        "Attempted to use a closed Session.",
    )
    custom(s, event="reset")
    assert s.error_info["first"] == "Attempted to use a closed Session." and s.position == 0
    custom(s, event="run_to_end")
    assert not s.done


def test_keyboard_and_unknown_messages_are_harmless(counter):
    g, _, update_op = counter
    s = Stepper(tf.Session(graph=g), update_op)
    custom(s, event="no such thing")
    custom(s, nothing=1)
    s._handle_msg({"content": {"data": {"method": "custom", "content": "text"}}, "buffers": []})
    assert s.position == 0


# ---------------------------------------------------------------------------- safety


def hostile_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant("<script>alert('x')</script>", name="x")
        # a trailing "/" takes the name as written, as a foreign GraphDef could
        y = registry.make1("Identity", [x], {"T": tf.string}, name=HOSTILE + "/")
        tf.identity(y, name="out")
    return g, y


def test_hostile_names_reach_the_browser_as_plain_data():
    """No synced trait carries HTML: names and values are data the browser sets as text."""
    g, y = hostile_graph()
    sess = tf.Session(graph=g)
    s = Stepper(sess, y)
    custom(s, event="next")
    update(s, selected=HOSTILE)
    update(s, search="img")
    custom(s, event="run_to_end")
    s.preview(y)
    assert s.info["name"] == HOSTILE
    assert any(r["name"] == HOSTILE for r in s.plan["rows"])
    x_info = s._op_info(g.get_operation_by_name("x"))
    assert x_info["value"]["text"].startswith("\"<script>alert('x')")
    assert "<img" not in s.dot and "&lt;img" in s.dot
    assert any(n["name"] == HOSTILE for n in s.nodes.values())
    assert s.search_results[0]["name"] == HOSTILE
    state = json.dumps({k: v for k, v in s.get_state().items() if k not in ("_esm", "_css")})
    assert "_html" not in state


def test_a_hostile_error_message_stays_text():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, name=HOSTILE + "/")
    s = Stepper(tf.Session(graph=g), x + 1.0)
    custom(s, event="next")
    assert "You must feed a value" in s.error_info["first"]
    assert s.error_info["op"] == HOSTILE


# ---------------------------------------------------------------------------- big graphs


def test_a_10000_op_graph_is_drawn_collapsed_with_bounded_state():
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [None, 4], name="x")
        for s in range(50):
            with tf.name_scope(f"block{s}"):
                for _ in range(67):
                    h = tf.tanh(h * 1.0001)
        out = tf.identity(h, name="out")
    n = len(g.get_operations())
    assert n >= 10_000
    view = GraphView(g)
    assert view.collapsed == sorted(f"block{s}" for s in range(50))
    assert len(view.nodes) == 52
    assert synced_size(view) < 60_000
    sess = tf.Session(graph=g)
    s = Stepper(sess, out, {"x:0": np.ones((2, 4), np.float32)})
    assert synced_size(s) < 150_000
    custom(s, event="next")
    custom(s, event="next")
    # following the run opened block0: the current op is drawn as its own box
    assert current(s) == ["block0/Tanh"] and "block0" not in s.collapsed
    update(s, follow=False)
    custom(s, event="collapse", scope="block0")
    custom(s, event="next")
    assert current(s) == ["block0/"]  # not following: the collapsed box holding it
    custom(s, event="run_to_end")
    assert s.done
    np.testing.assert_array_equal(s.results, sess.run(out, {"x:0": np.ones((2, 4), np.float32)}))
    assert set(s.node_states.values()) <= {"done", "fed"}
    assert synced_size(s) < 150_000
    assert len(s.plan["rows"]) <= 60


# ---------------------------------------------------------------------------- SummaryPlot


def write_logs(logdir, steps=30, hist_size=1000, image_shape=(1, 8, 8, 1), text=None):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, name="x")
        w = tf.placeholder(tf.float32, shape=[None], name="w")
        img = tf.placeholder(tf.float32, shape=list(image_shape), name="img")
        tf.summary.scalar("loss", x)
        tf.summary.histogram("weights", w)
        tf.summary.image("picture", img)
        if text is not None:
            tf.summary.text("note", tf.constant(text))
        merged = tf.summary.merge_all()
        rng = np.random.default_rng(0)
        with tf.Session() as sess, tf.summary.FileWriter(logdir) as writer:
            for step in range(steps):
                feed = {
                    x: 1.0 / (step + 1),
                    w: rng.normal(step, 1.0, hist_size).astype(np.float32),
                    img: rng.random(image_shape).astype(np.float32),
                }
                writer.add_summary(sess.run(merged, feed), step)


def test_summaryplot_state(tmp_path):
    write_logs(tmp_path, steps=30, text=HOSTILE)
    plot = SummaryPlot(str(tmp_path))
    assert [(s["run"], s["tag"]) for s in plot.scalars] == [(".", "loss")]
    pts = plot.scalars[0]["points"]
    assert [p[0] for p in pts] == list(range(30))
    assert pts[3][1] == pytest.approx(0.25)
    assert plot.scalars[0]["last"] == [29, pytest.approx(1 / 30)]
    hist = plot.histograms[0]
    assert hist["tag"] == "weights" and hist["n"] == 30
    medians = [st["q"][4] for st in hist["steps"]]
    assert medians == sorted(medians) and medians[-1] == pytest.approx(29, abs=0.5)
    assert len(hist["last"]["counts"]) == sp.HIST_BINS
    assert sum(hist["last"]["counts"]) == pytest.approx(1000)
    image = plot.images[0]
    assert image["tag"].startswith("picture") and image["steps"] == list(range(30))
    assert image["index"] == 29 and (image["width"], image["height"]) == (8, 8)
    assert plot.texts == [{"run": ".", "tag": "note", "step": 29, "text": HOSTILE}]
    assert "4 tags" in plot.status


def test_summaryplot_image_slider_and_refresh(tmp_path):
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32)
        img = tf.placeholder(tf.float32, [1, 4, 4, 1])
        merged = tf.summary.merge([tf.summary.scalar("loss", x), tf.summary.image("pic", img)])
        writer = tf.summary.FileWriter(tmp_path)

        def log(step):
            picture = np.zeros((1, 4, 4, 1), np.float32)
            picture.flat[step] = 1.0  # a different pixel lit at each step
            feed = {x: float(step), img: picture}
            writer.add_summary(sess.run(merged, feed), step)

        for step in range(5):
            log(step)
        writer.flush()
        plot = SummaryPlot(tmp_path)
        tag = plot.images[0]["tag"]
        assert plot.images[0]["index"] == 4
        newest = plot.images[0]["png"]
        custom(plot, event="image", run=".", tag=tag, index=1)
        assert plot.images[0]["index"] == 1 and plot.images[0]["step"] == 1
        assert plot.images[0]["png"] != newest
        # more steps logged: refresh() re-reads, the slider stays where the user put it
        for step in range(5, 8):
            log(step)
        writer.flush()
        custom(plot, event="refresh")
        assert plot.scalars[0]["n"] == 8 and plot.scalars[0]["last"] == [7, 7.0]
        assert plot.images[0]["index"] == 1 and len(plot.images[0]["steps"]) == 8
        # back to the newest: it follows new images again
        custom(plot, event="image", run=".", tag=tag, index=7)
        log(8)
        writer.close()
        plot.refresh()
        assert plot.images[0]["index"] == 8 and plot.images[0]["step"] == 8


def test_summaryplot_from_a_writer_and_live_mode(tmp_path):
    with tf.Graph().as_default(), tf.Session() as sess:
        loss = tf.placeholder(tf.float32)
        summary = tf.summary.scalar("loss", loss)
        writer = tf.summary.FileWriter(tmp_path)
        writer.add_summary(sess.run(summary, {loss: 1.0}), 0)
        plot = SummaryPlot(writer, interval=0.2)  # reading flushes the writer
        assert plot.scalars[0]["n"] == 1
        # refresh() from the training loop itself
        writer.add_summary(sess.run(summary, {loss: 0.5}), 1)
        plot.refresh()
        assert plot.scalars[0]["n"] == 2
        # live mode, switched on from the browser: a timer re-reads the logs
        update(plot, live=True)
        assert plot._thread is not None and plot._thread.is_alive()
        writer.add_summary(sess.run(summary, {loss: 0.25}), 2)
        writer.flush()
        deadline = time.monotonic() + 30
        while plot.scalars[0]["n"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert plot.scalars[0]["n"] == 3
        update(plot, live=False)
        plot._thread.join(timeout=10)
        assert not plot._thread.is_alive()
        writer.close()
    plot.close()


def test_empty_logdir(tmp_path):
    plot = SummaryPlot(tmp_path / "nothing-yet")
    assert plot.scalars == [] and "no summaries yet" in plot.status


def test_long_series_big_histograms_and_images_are_bounded(tmp_path):
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32)
        w = tf.placeholder(tf.float32, [None])
        s_loss, s_hist = tf.summary.scalar("loss", x), tf.summary.histogram("big", w)
        with tf.summary.FileWriter(tmp_path) as writer:
            for step in range(3000):
                value = 10.0 if step == 1234 else float(np.sin(step / 100))
                writer.add_summary(sess.run(s_loss, {x: value}), step)
            big = np.random.default_rng(1).normal(0, 1, 10**7).astype(np.float32)
            writer.add_summary(sess.run(s_hist, {w: big}), 0)
    plot = SummaryPlot(tmp_path)
    pts = plot.scalars[0]["points"]
    assert len(pts) <= sp.MAX_POINTS + 1 and plot.scalars[0]["n"] == 3000
    assert [1234, 10.0] in pts  # a spike survives downsampling
    assert pts[-1][0] == 2999
    hist = plot.histograms[0]
    assert len(hist["last"]["counts"]) == sp.HIST_BINS
    q = hist["steps"][0]["q"]
    assert q[4] == pytest.approx(0.0, abs=0.1) and q[2] == pytest.approx(-1.0, abs=0.15)
    assert synced_size(plot) < 40_000


def test_a_4096_pixel_image_is_sent_as_a_small_png():
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.zeros((4096, 4096, 3), np.uint8)).save(buf, format="PNG")
    thumb = sp.thumbnail_png(buf.getvalue())
    assert thumb is not None
    data, w, h = thumb
    assert (w, h) == (256, 256) and len(data) < 20_000
    assert sp.thumbnail_png(b"not an image") is None


def test_downsample_keeps_extremes():
    pts = [(i, float(i % 7)) for i in range(10_000)]
    pts[5000] = (5000, 100.0)
    out = sp.downsample(pts, limit=200)
    assert len(out) <= 201 and [5000, 100.0] in out
    assert out[0][0] == 0 and out[-1][0] == 9999
    assert sp.downsample(pts[:10], limit=200) == [[s, v] for s, v in pts[:10]]


# ---------------------------------------------------------------------------- following, limits


def mlp_training_step():
    """An MLP training step with Adam (scopes hidden, output, loss): ~160 ops to step."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 20], name="x")
        y = tf.placeholder(tf.float32, [None, 3], name="y")
        with tf.name_scope("hidden"):
            w1 = tf.Variable(tf.random_normal([20, 32], stddev=0.1), name="W")
            h = tf.nn.relu(tf.matmul(x, w1) + tf.Variable(tf.zeros([32]), name="b"))
        with tf.name_scope("output"):
            w2 = tf.Variable(tf.random_normal([32, 3], stddev=0.1), name="W")
            logits = tf.matmul(h, w2) + tf.Variable(tf.zeros([3]), name="b")
        with tf.name_scope("loss"):
            xent = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits)
            loss = tf.reduce_mean(xent)
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    rng = np.random.default_rng(0)
    feed = {
        x: rng.random((8, 20), dtype=np.float32),
        y: np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)],
    }
    return sess, train, feed


def test_the_stepper_draws_every_op_it_runs_as_its_own_box():
    sess, train, feed = mlp_training_step()
    s = Stepper(sess, train, feed)
    assert "gradients" in s.collapsed
    user_closed = "output"
    custom(s, event="collapse", scope=user_closed)
    reached = False
    for _ in range(len(s.execution.plan.ops)):
        op = s.execution.next_op
        box = s._drawing.visible[op.name]
        assert s.nodes[box]["name"] == op.name and s.nodes[box]["kind"] != "scope", op.name
        assert current(s) == [box]
        reached = reached or op.name.startswith(user_closed + "/")
        if not reached:
            assert user_closed in s.collapsed  # what the reader closed stays closed
        custom(s, event="next")
    assert reached
    assert s.done and s.alert == {}


def test_the_box_limit_keeps_the_open_scopes_and_says_so():
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [None], name="x")
        for scope in ("a", "b", "c"):
            with tf.name_scope(scope):
                for _ in range(250):
                    h = tf.tanh(h)
    view = GraphView(g)
    assert view.collapsed == ["a", "b", "c"]
    custom(view, event="expand", scope="a")
    assert view.collapsed == ["b", "c"] and view.alert == {}
    layout = view.dot
    custom(view, event="expand", scope="b")
    assert view.collapsed == ["b", "c"] and view.dot == layout  # nothing was reset
    assert view.alert["key"] == "too_many" and view.alert["scope"] == "b"
    assert view.alert["n"] > view.alert["max"] == 400
    custom(view, event="reveal", name="c/Tanh_7")
    assert view.collapsed == ["b", "c"] and view.alert["scope"] == "c"
    custom(view, event="collapse", scope="a")
    custom(view, event="reveal", name="c/Tanh_7")
    assert view.collapsed == ["a", "b"] and view.alert == {}
    assert "c/Tanh_7" in view.nodes and view.selected == "c/Tanh_7"


def test_opening_a_scope_keeps_its_big_inner_scopes_closed():
    g = tf.Graph()
    with g.as_default():
        h = tf.placeholder(tf.float32, [None], name="x")
        with tf.name_scope("outer"):
            for inner in ("p", "q"):
                with tf.name_scope(inner):
                    for _ in range(45):
                        h = tf.tanh(h)
    view = GraphView(g, collapsed=["outer"])
    assert view.collapsed == ["outer"]
    view.expand("outer")
    assert view.collapsed == ["outer/p", "outer/q"]


def test_a_plan_row_shows_the_value_at_its_step_not_the_value_now(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    sess.run(state.initializer)
    sess.run(state.assign(3))
    s = Stepper(sess, update_op)
    custom(s, event="run_to_end")
    rows = {r["name"]: r["value"] for r in s.plan["rows"]}
    # counter was read as 3 and assigned 4; its row shows the 3 it gave at its step
    assert rows["counter/read"] == "3" and rows["Assign"] == "4"
    assert rows["counter"] == "3"
    assert s.node_values["counter"] == "= 4"  # the badge: the value in the session now


def test_a_stepper_overtaken_by_another_writer_says_so(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    sess.run(state.initializer)
    first = Stepper(sess, update_op)
    custom(first, event="next")
    custom(first, event="next")
    assert not first.stale and first.node_values["counter"] == "= 0"
    second = Stepper(sess, update_op)
    custom(second, event="run_to_end")
    assert int(sess.run(state)) == 1
    custom(first, event="poll")  # the browser asks now and then
    assert first.stale and first.node_values["counter"] == "= 1"
    custom(first, event="reset")
    assert not first.stale


def test_a_closed_session_disables_the_widget(counter):
    g, state, update_op = counter
    sess = tf.Session(graph=g)
    s = Stepper(sess, update_op)
    assert s.can_init and not s.closed
    sess.close()
    custom(s, event="poll")
    assert s.closed and not s.can_init
    custom(s, event="init")
    assert s.error_info["first"] == "Attempted to use a closed Session."


def test_an_uninitialized_variable_gets_no_value_badge(counter):
    g, _, update_op = counter
    s = Stepper(tf.Session(graph=g), update_op)
    custom(s, event="next")
    assert "counter" not in s.node_values
    assert "warn" in states(s)["counter"] or "done" in states(s)["counter"]


def test_empty_graph_and_language():
    view = GraphView(tf.Graph(), lang="ja")
    assert view.dot == "" and view.nodes == {} and view.legend == []
    assert view.lang == "ja"
    with pytest.raises(ValueError, match="lang must be one of"):
        GraphView(tf.Graph(), lang="fr")


def test_rerunning_a_cell_closes_the_widgets_it_made_before(counter, monkeypatch):
    from teachflow.widgets import _lifecycle

    g, _, update_op = counter
    sess = tf.Session(graph=g)
    cell = ["cell-1", 1]
    monkeypatch.setattr(_lifecycle, "_current_cell", lambda: tuple(cell))
    first = Stepper(sess, update_op)
    also_first = GraphView(sess)  # made by the same run of the cell: kept
    cell[1] = 2
    second = Stepper(sess, update_op)
    assert first.comm is None and also_first.comm is None
    assert second.comm is not None
    cell[0] = "cell-2"
    other = GraphView(sess)
    assert second.comm is not None and other.comm is not None
