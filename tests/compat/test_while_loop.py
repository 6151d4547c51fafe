"""tf.while_loop against TensorFlow 1.x's (v1 control flow: Enter/Merge/Switch/NextIteration/Exit).

Values, op names and types, the frame attrs, nested loops, loops with conds and captured
values; the exported loop runs the same in TensorFlow; stepping shows every iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow


@pytest.fixture(scope="module")
def tf1v1(tf1: Any) -> Any:
    """TensorFlow with its 1.x control flow (what tf.while_loop built in TensorFlow 1.x)."""
    tf1.disable_control_flow_v2()
    return tf1


def both(tf1v1: Any, build: Callable[[Any], Any], feed: Any = None) -> list[dict[str, Any]]:
    out = []
    for lib in (tf1v1, teachflow):
        with lib.Graph().as_default() as g:
            x = lib.placeholder(lib.float32, [], name="x")
            fetches = build(lib, x)
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                values = [sess.run(fetches, {x: 1.5}) for _ in range(3)]  # 2nd, 3rd: replans
            out.append(
                {
                    "values": values,
                    "ops": sorted((op.name, op.type) for op in g.get_operations()),
                    "names": [t.name for t in _leaves(fetches)],
                    "shapes": [str(t.shape) for t in _leaves(fetches)],
                    "graph": g,
                }
            )
    want, got = out
    assert got["names"] == want["names"]
    assert got["shapes"] == want["shapes"]
    assert got["ops"] == want["ops"]
    for w, v in zip(want["values"], got["values"]):
        for a, b in zip(_leaves(w), _leaves(v), strict=True):
            assert np.asarray(b).dtype == np.asarray(a).dtype
            np.testing.assert_allclose(b, a, rtol=1e-6)
    return out


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    return [x]


def test_counting_loop_with_a_captured_placeholder(tf1v1: Any) -> None:
    def build(tf: Any, x: Any) -> Any:
        i, s = tf.constant(0), tf.constant(0.0)
        return tf.while_loop(
            lambda i, s: i < 5, lambda i, s: (i + 1, s + x * tf.cast(i, tf.float32)), [i, s]
        )

    want, got = both(tf1v1, build)
    assert [float(v[1]) for v in got["values"]] == [15.0] * 3
    enter = got["graph"].get_operation_by_name("while/Enter")
    tf_enter = want["graph"].get_operation_by_name("while/Enter")
    assert enter.attrs["frame_name"] == tf_enter.get_attr("frame_name").decode()
    assert enter.attrs["is_constant"] is False
    assert got["graph"].get_operation_by_name("while/mul/Enter").attrs["is_constant"] is True


def test_one_loop_variable_and_maximum_iterations(tf1v1: Any) -> None:
    def build(tf: Any, x: Any) -> Any:
        doubled = tf.while_loop(lambda v: v < 100.0, lambda v: v * 2.0, [x])
        capped = tf.while_loop(lambda v: v < 100.0, lambda v: v * 2.0, [x], maximum_iterations=3)
        return [doubled, capped]

    both(tf1v1, build)


def test_nested_loops_and_a_cond_in_the_body(tf1v1: Any) -> None:
    def build(tf: Any, x: Any) -> Any:
        def outer(i: Any, acc: Any) -> Any:
            inner = tf.while_loop(
                lambda j, a: j < i, lambda j, a: (j + 1, a + x), [tf.constant(0), acc]
            )[1]
            picked = tf.cond(i % 2 > 0, lambda: inner * 2.0, lambda: inner - 1.0)
            return i + 1, picked

        return tf.while_loop(lambda i, a: i < 4, outer, (tf.constant(0), tf.constant(0.0)))

    both(tf1v1, build)


def test_loop_over_matrices_with_a_variable(tf1v1: Any) -> None:
    def build(tf: Any, x: Any) -> Any:
        w = tf.Variable(np.array([[0.5, -0.25], [0.75, 0.5]], np.float32), name="w")
        h0 = tf.ones([1, 2]) * x
        return tf.while_loop(
            lambda k, h: k < 3, lambda k, h: (k + 1, tf.tanh(tf.matmul(h, w))), [0, h0]
        )

    both(tf1v1, build)


def test_shape_invariants(tf1v1: Any) -> None:
    def build(tf: Any, x: Any) -> Any:
        v0 = tf.zeros([1])
        return tf.while_loop(
            lambda v: tf.size(v) < 5,
            lambda v: tf.concat([v, [x]], 0),
            [v0],
            shape_invariants=[tf.TensorShape([None])],
        )

    both(tf1v1, build)
    msgs = []
    for lib in (tf1v1, teachflow):
        with lib.Graph().as_default(), pytest.raises(ValueError) as e:
            size, concat = lib.size, lib.concat
            lib.while_loop(
                lambda v, size=size: size(v) < 5,
                lambda v, concat=concat: concat([v, v], 0),
                [lib.zeros([1])],
            )
        msgs.append(str(e.value).split(" To allow")[0])
    assert msgs[1] == msgs[0]


def test_exported_loop_runs_the_same_in_tensorflow(tf1v1: Any) -> None:
    with teachflow.Graph().as_default() as g:
        x = teachflow.placeholder(teachflow.float32, [], name="x")
        r = teachflow.while_loop(
            lambda i, s: i < 4,
            lambda i, s: (i + 1, teachflow.cond(s > 3.0, lambda: s - x, lambda: s + x * 2.0)),
            [teachflow.constant(0), teachflow.constant(0.0)],
        )
        mine = teachflow.Session().run(r, {x: 1.5})
        gd = g.as_graph_def()
    with tf1v1.Graph().as_default() as tg:
        tf1v1.import_graph_def(tf1v1.GraphDef.FromString(gd.SerializeToString()), name="")
        theirs = tf1v1.Session(graph=tg).run([t.name for t in r], {"x:0": 1.5})
    assert [float(v) for v in mine] == [float(v) for v in theirs]


def test_stepping_shows_each_iteration() -> None:
    with teachflow.Graph().as_default():
        n = teachflow.while_loop(lambda i: i < 3, lambda i: i + 1, [teachflow.constant(0)])
        sess = teachflow.Session()
        ex = sess.stepper(n)
        seen = []
        while not ex.done:
            rec = ex.step()
            if rec.op.type == "Merge":
                seen.append((rec.iteration, int(rec.outputs[0])))
            if rec.op.type == "Exit":
                assert rec.frame is None and int(rec.outputs[0]) == 3
        assert seen == [(0, 0), (1, 1), (2, 2), (3, 3)]
        assert int(ex.results) == 3
        assert ex.records[-1].op.type == "Exit"


def test_bad_cond_and_body(tf1v1: Any) -> None:
    for lib in (tf1v1, teachflow):
        with lib.Graph().as_default():
            with pytest.raises(TypeError):
                lib.while_loop(lambda v: v, lambda v: v + 1, [lib.constant(1)])
    # TensorFlow builds a loop whose variable changes dtype (and fails when it runs);
    # teachflow says so while building
    with teachflow.Graph().as_default(), pytest.raises(TypeError, match="enters the loop with"):
        teachflow.while_loop(lambda v: v < 3, lambda v: teachflow.cast(v, teachflow.float32), [1])


# -- map_fn, scan, foldl, foldr, TensorArray ------------------------------------------------------


def _values(tf1v1: Any, build: Callable[[Any, Any], Any]) -> None:
    """Values, dtypes and static shapes agree (the graphs differ in a few helper ops)."""
    out = []
    for lib in (tf1v1, teachflow):
        with lib.Graph().as_default():
            x = lib.placeholder(lib.float32, [3, 2], name="x")
            fetches = build(lib, x)
            with lib.Session() as sess:
                vals = [sess.run(fetches, {x: X}) for _ in range(2)]
            out.append((vals, [str(t.shape) for t in _leaves(fetches)]))
    (want, want_shapes), (got, got_shapes) = out
    assert got_shapes == want_shapes
    for w, v in zip(want, got):
        for a, b in zip(_leaves(w), _leaves(v), strict=True):
            assert np.asarray(b).dtype == np.asarray(a).dtype
            np.testing.assert_allclose(b, a, rtol=1e-6)


X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]], np.float32)


def test_map_fn(tf1v1: Any) -> None:
    _values(
        tf1v1,
        lambda tf, x: [
            tf.map_fn(lambda r: r * 2.0, x),
            tf.map_fn(lambda r: tf.reduce_sum(r), x),
            tf.map_fn(
                lambda p: (p[0] + 1.0, tf.cast(p[1], tf.int32)),
                (x, x),
                dtype=(tf.float32, tf.int32),
            ),
        ],
    )


def test_scan_forward_reverse_and_with_initializer(tf1v1: Any) -> None:
    _values(
        tf1v1,
        lambda tf, x: [
            tf.scan(lambda a, r: a + r, x),
            tf.scan(lambda a, r: a * r, x, reverse=True),
            tf.scan(lambda a, r: a + tf.reduce_sum(r), x, initializer=tf.constant(10.0)),
        ],
    )


def test_foldl_foldr(tf1v1: Any) -> None:
    _values(
        tf1v1,
        lambda tf, x: [
            tf.foldl(lambda a, r: a * 2.0 + r, x),
            tf.foldr(lambda a, r: a * 2.0 + r, x),
            tf.foldl(lambda a, r: a + tf.reduce_max(r), x, initializer=0.5),
        ],
    )


def test_tensor_array_in_a_loop(tf1v1: Any) -> None:
    def build(tf: Any, x: Any) -> Any:
        ta = tf.TensorArray(tf.float32, size=3)

        def body(i: Any, ta: Any) -> Any:
            return i + 1, ta.write(i, tf.reduce_sum(x[i]) * tf.cast(i, tf.float32))

        _, done = tf.while_loop(lambda i, _: i < 3, body, [0, ta])
        unstacked = tf.TensorArray(tf.float32, size=3).unstack(x)
        again = tf.TensorArray(tf.float32, size=2, clear_after_read=False).write(1, 3.0)
        return [done.stack(), done.size(), unstacked.read(2), again.read(1) + again.read(1)]

    _values(tf1v1, build)


def test_tensor_array_errors(tf1v1: Any) -> None:
    for lib in (tf1v1, teachflow):
        with lib.Graph().as_default():
            ta = lib.TensorArray(lib.float32, size=2)
            twice = ta.write(0, 1.0).write(0, 2.0).stack()
            outside = ta.write(5, 1.0).stack()
            read_twice = lib.TensorArray(lib.float32, size=1).write(0, 1.0)
            twice_read = read_twice.read(0) + read_twice.read(0)
            with lib.Session() as sess:
                with pytest.raises(lib.errors.InvalidArgumentError, match="already been written"):
                    sess.run(twice)
                with pytest.raises(lib.errors.InvalidArgumentError, match="size is: 2"):
                    sess.run(outside)
                with pytest.raises(lib.errors.InvalidArgumentError, match="twice because"):
                    sess.run(twice_read)
