"""tf.data in a session: iterator positions per session, stepping, graph views."""

from __future__ import annotations

import numpy as np
import pytest

import teachflow as tf


def _pipeline() -> tuple[tf.data.Iterator, tuple[tf.Tensor, tf.Tensor]]:
    ds = tf.data.Dataset.from_tensor_slices((np.arange(5.0, dtype=np.float32), np.arange(5)))
    it = ds.map(lambda x, y: (x * 10.0, y)).batch(2).make_initializable_iterator()
    return it, it.get_next()


def test_two_sessions_iterate_independently() -> None:
    it, (x, _) = _pipeline()
    a, b = tf.Session(), tf.Session()
    a.run(it.initializer)
    b.run(it.initializer)
    assert a.run(x).tolist() == [0.0, 10.0]
    assert a.run(x).tolist() == [20.0, 30.0]
    assert b.run(x).tolist() == [0.0, 10.0]


def test_stepping_get_next_gives_the_element() -> None:
    it, (x, y) = _pipeline()
    with tf.Session() as sess:
        sess.run(it.initializer)
        ex = sess.stepper([x, y])
        types = [op.type for op in ex.plan.ops]
        assert types == ["IteratorV2", "IteratorGetNext"]
        ex.step()
        rec = ex.step()
        assert rec.outputs[0].tolist() == [0.0, 10.0] and rec.outputs[1].tolist() == [0, 1]
        assert [v.tolist() for v in ex.results] == [[0.0, 10.0], [0, 1]]
        # the stepped run advanced the same iterator that sess.run uses
        assert sess.run(x).tolist() == [20.0, 30.0]


def test_out_of_range_names_the_node_and_hints() -> None:
    it, (x, _) = _pipeline()
    with tf.Session() as sess:
        sess.run(it.initializer)
        for _ in range(3):
            sess.run(x)
        with pytest.raises(tf.errors.OutOfRangeError) as e:
            sess.run(x)
    text = str(e.value)
    assert text.startswith(f"End of sequence\n\t [[{{{{node {x.op.name}}}}}]]")
    assert "Hint:" in text and "initializer" in text


def test_graph_with_a_dataset_exports_and_draws(tmp_path: object) -> None:
    it, (x, _) = _pipeline()
    gd = tf.get_default_graph().as_graph_def()
    nodes = {n.name: n for n in gd.node}
    assert nodes["MapDataset"].attr["f"].func.name.startswith("__inference_Dataset_map")
    assert nodes["IteratorGetNext"].op == "IteratorGetNext"
    from teachflow import widgets

    with tf.Session() as sess:
        view = widgets.GraphView(sess)
        assert view is not None


def test_map_with_random_ops_uses_the_session_generators() -> None:
    tf.set_random_seed(7)
    ds = tf.data.Dataset.range(4).map(lambda i: tf.random_uniform([]) + tf.cast(i, tf.float32))
    nxt = ds.make_one_shot_iterator().get_next()
    runs = []
    for _ in range(2):
        with tf.Session() as sess:
            runs.append([float(sess.run(nxt)) for _ in range(4)])
    assert runs[0] == runs[1]
    assert all(i <= v < i + 1 for i, v in enumerate(runs[0]))
