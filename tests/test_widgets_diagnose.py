"""Why training goes wrong, in the widgets' synced state (no browser): the tensor inspector and
the watch list, colour by, the NaN origin on the graph, and GradientFlow's messages.

Browser actions are simulated as in tests/test_widgets.py: a click on an edge sets the
``inspected`` trait, the watch button sets ``watch``, a new GradientFlow view sends "sync".
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import teachflow as tf
from teachflow.widgets import GradientFlow, GraphView, Stepper
from teachflow.widgets._inspect import inspect_value


def custom(widget, **content):
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def update(widget, **state):
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


@pytest.fixture(autouse=True)
def fresh_graph():
    tf.reset_default_graph()


def sent(widget):
    """The custom messages the widget sends to the browser, as the browser would parse them."""
    out = []
    widget.send = lambda msg, buffers=None: out.append(json.loads(json.dumps(msg)))
    return out


# -- what a value looks like in the inspector -------------------------------------------------
def test_values_become_a_table_a_histogram_or_an_image_grid():
    small = inspect_value(np.array([[1.5, -2.0], [np.nan, 4.0]], np.float32))
    assert small["kind"] == "table" and small["shape"] == [2, 2]
    assert small["table"] == [["1.5", "-2"], ["nan", "4"]]
    assert small["nonfinite"] == 1

    big = inspect_value(np.random.default_rng(0).standard_normal(5000))
    assert big["kind"] == "histogram"
    assert sum(big["hist"]["counts"]) == 5000 and len(big["hist"]["edges"]) == 31
    assert big["hist"]["min"] < -3 and big["hist"]["max"] > 3

    maps = inspect_value(np.random.default_rng(1).random((10, 7, 5, 4)))  # NHWC
    im = maps["images"]
    assert maps["kind"] == "images" and im["layout"] == "NHWC"
    assert (im["rows"], im["cols"], im["h"], im["w"]) == (6, 4, 7, 5)
    assert im["all_rows"] == 10
    tile = im["tiles"][0][0]
    assert len(tile) == 35 and min(tile) == 0 and max(tile) == 255  # scaled to its min..max

    filt = inspect_value(np.zeros((3, 3, 2, 8)) + np.arange(8), filter_layout=True)
    assert filt["images"]["layout"] == "HWIO"
    assert (filt["images"]["rows"], filt["images"]["cols"]) == (2, 8)


# -- GraphView(sess): click an edge, watch a tensor ---------------------------------------------
def test_clicking_an_edge_computes_a_feed_free_tensor_and_says_when_a_feed_is_needed():
    a = tf.constant([[1.0, -2.0], [3.0, -4.0]], name="a")
    r = tf.nn.relu(a, name="r")
    s = tf.reduce_sum(r, name="s")
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.multiply(x, 2.0, name="y")
    _ = tf.reduce_sum(y, name="ys")
    view = GraphView(tf.Session())
    edge = next(e for e in view.edges if e[0] == "r")
    assert edge[3] == "r:0"  # the edge names its tensor: the browser sends it back on a click
    update(view, inspected="r:0")
    d = view.inspector
    assert d["source"] == "computed" and d["kind"] == "table"
    assert d["table"] == [["1", "0"], ["3", "0"]] and d["dtype"] == "float32"
    assert view.inspect(s)["table"] == [["4"]]
    update(view, inspected="y:0")
    assert view.inspector["source"] == "feed_needed"
    assert view.inspector["names"] == ["x"]
    assert "kind" not in view.inspector


def test_inspecting_never_runs_an_assignment():
    v = tf.Variable(1.0, name="v")
    add = tf.assign_add(v, 1.0, name="add")
    sess = tf.Session()
    sess.run(v.initializer)
    view = GraphView(sess)
    d = view.inspect(add)
    assert d["source"] == "stateful" and d["names"] == ["add"]
    assert sess.run(v) == 1.0  # not incremented by looking at it


def test_the_watch_list_keeps_values_across_runs():
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.square(x, name="y")
    sess = tf.Session()
    view = GraphView(sess)
    update(view, watch=["y:0"])
    assert view.watched == [{"tensor": "y:0", "now": None, "history": []}]
    sess.run(y, {x: [1.0, 2.0]})
    sess.run(y, {x: [3.0]})
    w = view.watched[0]
    assert w["now"] == "[9.]"
    assert w["history"] == [["run 1", "[1. 4.]"], ["run 2", "[9.]"]]
    # the inspector shows the last run's value too
    d = view.inspect(y)
    assert d["source"] == "last_run" and d["table"] == [["9"]]


def test_a_conv_filter_is_shown_as_filters_and_a_feature_map_as_images():
    images = tf.constant(np.random.default_rng(0).random((2, 6, 6, 1)), tf.float32)
    k = tf.Variable(tf.ones([3, 3, 1, 4]), name="k")
    conv = tf.nn.conv2d(images, k, [1, 1, 1, 1], "SAME", name="conv")
    sess = tf.Session()
    sess.run(k.initializer)
    view = GraphView(sess)
    assert view.inspect(conv)["images"]["layout"] == "NHWC"
    assert view.inspect(k.value())["images"]["layout"] == "HWIO"


def test_stepper_inspector_shows_the_value_at_its_step():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.multiply(x, 3.0, name="y")
    z = tf.reduce_sum(y, name="z")
    s = Stepper(tf.Session(), z, {x: [1.0, 2.0]})
    update(s, inspected="y:0", watch=["y:0"])
    assert s.inspector["source"] == "not_run"
    s.run_to_end()
    d = s.inspector
    assert d["source"] == "step" and d["table"] == [["3", "6"]]
    assert d["step"] == next(i + 1 for i, op in enumerate(s.execution.plan.ops) if op.name == "y")
    assert s.watched[0]["now"] == "[3. 6.]"
    assert s.watched[0]["history"] == [["run 1", "[3. 6.]"]]
    custom(s, event="reset")
    assert s.inspector["source"] == "not_run"  # a new run: not computed yet
    assert s.watched[0]["history"] == [["run 1", "[3. 6.]"]]  # kept across runs


# -- colour by --------------------------------------------------------------------------------
def test_colour_by_time_and_size_from_run_metadata_and_from_a_stepper():
    a = tf.ones([100, 50], name="a")
    b = tf.matmul(a, tf.ones([50, 20]), name="b")
    sess = tf.Session()
    meta = tf.RunMetadata()
    sess.run(b, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=meta)
    view = GraphView(sess)
    sizes = view.color_by("size", meta)
    assert sizes["b"] == 100 * 20 * 4
    assert view.heat["what"] == "size" and view.heat["unit"] == "bytes"
    assert view.heat["values"][view._drawing.visible["b"]] == 8000.0
    times = view.color_by("time", meta)
    assert times["b"] > 0
    view.color_by(None)
    assert view.heat == {}
    with pytest.raises(ValueError, match="color_by takes one of"):
        view.color_by("colour")
    with pytest.raises(TypeError, match="RunMetadata"):
        view.color_by("time")

    s = Stepper(sess, b)
    s.color_by("size")
    assert s.heat["values"] == {}  # nothing ran yet
    s.run_to_end()
    assert s.heat["values"][s._drawing.visible["b"]] == 8000.0


def test_colour_by_gradient_norm_from_a_recorder():
    x = tf.constant([[1.0, 2.0]])
    with tf.variable_scope("l1"):
        w = tf.get_variable("w", initializer=[[0.5], [0.5]])
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    rec = tf.debug.GradientRecorder(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    rec.run(sess, train)
    view = GraphView(sess)
    grads = view.color_by("grad", rec)
    assert grads == {"l1/w": pytest.approx(rec.grad_norm["l1/w:0"][-1])}
    with pytest.raises(TypeError, match="GradientRecorder"):
        view.color_by("grad", object())


# -- NaN and Inf --------------------------------------------------------------------------------
def broken_net():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable([[1.0, -1.0], [0.0, 0.0], [0.0, 0.0]], name="w")
    y = tf.nn.softmax(tf.matmul(x, w), name="y")
    loss = -tf.reduce_sum(tf.constant([[0.0, 1.0]]) * tf.log(y), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess, w, train, {x: np.array([[100.0, 0.0, 0.0]], np.float32)}


def test_stepper_stops_at_the_nan_origin_and_draws_it():
    sess, w, train, feed = broken_net()
    s = Stepper(sess, train, feed, stop_at_non_finite=True)
    custom(s, event="run_to_end")
    info = s.nan_info
    assert info["op"] == "Log" and info["kind"] == "Inf"
    assert "softmax_cross_entropy_with_logits" in info["hint"]
    assert info["inputs"][0]["name"] == "y:0" and "[[1. 0.]]" in info["inputs"][0]["text"]
    assert "mul" in info["downstream"]
    assert "nan" in s.node_states["Log"].split()
    assert "nanreach" in s.node_states["mul"].split()
    # the run stopped there: the variable was not written with NaN
    assert np.isfinite(sess.run(w)).all()
    assert s.status["state"] == "stopped" and s.status["op"] == "Log"
    custom(s, event="reset")
    assert s.nan_info == {} and not any("nan" in v for v in s.node_states.values())


def test_graphview_shows_a_report_and_clears_it():
    sess, _, train, feed = broken_net()
    report = tf.debug.find_non_finite(sess, train, feed)
    view = GraphView(sess)
    view.show_non_finite(report)
    assert view.nan_info["op"] == "Log" and view.selected == "Log"
    assert view.node_states["Log"].split()[0] == "nan"
    view.show_non_finite(None)
    assert view.nan_info == {} and "nan" not in view.node_states.get("Log", "")


# -- GradientFlow -------------------------------------------------------------------------------
def deep_sigmoid(n_layers=4):
    x = tf.constant(np.random.default_rng(0).standard_normal((16, 4)), tf.float32)
    h = x
    for i in range(n_layers):
        with tf.variable_scope(f"layer{i + 1}"):
            w = tf.get_variable(
                "W", [4, 4], initializer=tf.random_normal_initializer(stddev=0.7, seed=i)
            )
            h = tf.sigmoid(tf.matmul(h, w))
    loss = tf.reduce_mean(tf.square(h - 1.0))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess, loss, train


def test_gradient_flow_sends_each_training_step_as_it_happens(monkeypatch):
    sess, loss, train = deep_sigmoid()
    rec = tf.debug.GradientRecorder(loss)
    flow = GradientFlow(rec)
    messages = sent(flow)
    assert [layer["layer"] for layer in flow.layers] == ["layer1", "layer2", "layer3", "layer4"]
    monkeypatch.setattr("teachflow.widgets.gradientflow.SEND_EVERY", 0.0)
    rec.run(sess, train)
    rec.run(sess, train)
    assert [m["start"] for m in messages] == [0, 1]  # one new point per message
    assert messages[1]["steps"] == [1]
    assert messages[1]["layer_grad"]["layer4"] == [
        pytest.approx(rec.layer_grad_norm()["layer4"][1])
    ]
    # a new view asks for everything
    custom(flow, event="sync")
    assert messages[-1]["reset"] is True and messages[-1]["steps"] == [0, 1]
    assert flow.n_steps == 2
    last = flow.latest()
    assert last["layer1"]["grad_norm"] < last["layer4"]["grad_norm"]  # vanishing already


def test_gradient_flow_throttles_and_flushes():
    sess, loss, train = deep_sigmoid(2)
    rec = tf.debug.GradientRecorder(loss)
    flow = GradientFlow(rec)
    messages = sent(flow)
    for _ in range(5):
        rec.run(sess, train)
    assert 1 <= len(messages) < 5  # a fast loop is not one message per step
    custom(flow, event="flush")
    got = sorted(s for m in messages for s in m["steps"])
    assert got == [0, 1, 2, 3, 4]


def test_gradient_flow_sends_nan_as_a_gap_and_checks_its_argument():
    sess, loss, train = deep_sigmoid(2)
    rec = tf.debug.GradientRecorder(loss)
    flow = GradientFlow(rec)
    rec.grad_norm["layer1/W:0"].append(float("nan"))
    rec.update_ratio["layer1/W:0"].append(float("inf"))
    rec.grad_norm["layer2/W:0"].append(1.0)
    rec.update_ratio["layer2/W:0"].append(0.1)
    rec.steps.append(0)
    messages = sent(flow)
    flow.update()
    assert messages[0]["var_grad"]["layer1/W:0"] == [None]
    assert messages[0]["var_ratio"]["layer1/W:0"] == [None]
    with pytest.raises(TypeError, match="GradientRecorder"):
        GradientFlow(object())
    with pytest.raises(ValueError, match="lang"):
        GradientFlow(rec, lang="fr")


def test_stepper_colours_the_backward_pass_by_gradient_norm():
    sess, loss, train = deep_sigmoid(3)
    s = Stepper(sess, train)
    custom(s, event="run_to_end")
    custom(s, event="color_by", what="grad")
    heat = s.heat
    assert heat["what"] == "grad" and heat["values"]
    # only gradient ops are coloured, and edges of the backward pass carry weights
    names = {n["name"] for box, n in s.nodes.items() if box in heat["values"]}
    assert names and all(n.startswith("gradients") for n in names)
    assert heat["edges"] and all(s.edges[int(i)][3].startswith("gradients") for i in heat["edges"])
    custom(s, event="color_by", what="")
    assert s.heat == {}
    custom(s, event="color_by", what="nonsense")  # shown in the widget, not raised
    assert "color_by takes one of" in s.error_text


def test_big_feature_maps_send_a_bounded_number_of_pixels():
    d = inspect_value(np.random.default_rng(2).random((16, 60, 60, 32), np.float32))
    im = d["images"]
    pixels = sum(len(t) for row in im["tiles"] for t in row)
    assert pixels <= 40_000 and im["rows"] * im["cols"] >= 6
    assert len(json.dumps(d)) < 200_000
