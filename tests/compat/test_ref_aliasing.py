"""A ref variable's read aliases its buffer: updates in place are seen by later consumers.

Each program runs several times in one session with TensorFlow (1.x ref variables) and with
teachflow; the runs must agree value for value (teachflow's second run onwards is compiled, so
both of its paths are covered). See also tests/test_ref_aliasing_steps.py for stepping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

RUNS = 4


def runs(lib: Any, build: Callable[[Any], Any], n: int = RUNS) -> list[Any]:
    g = lib.Graph()
    with g.as_default():
        fetches = build(lib)
        with lib.Session(graph=g) as sess:
            sess.run(lib.global_variables_initializer())
            return [sess.run(fetches) for _ in range(n)]


def check(tf1: Any, build: Callable[[Any], Any], n: int = RUNS) -> list[Any]:
    want = runs(tf1, build, n)
    got = runs(teachflow, build, n)
    assert len(want) == len(got)
    for w, g in zip(want, got):
        w_flat = w if isinstance(w, list) else [w]
        g_flat = g if isinstance(g, list) else [g]
        for a, b in zip(w_flat, g_flat, strict=True):
            if a is None:
                assert b is None
                continue
            np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-6)
            assert np.asarray(b).dtype == np.asarray(a).dtype
    return got


def test_identity_of_variable_after_assign_add_sees_the_update(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable(0)
        up = tf.assign_add(v, 1)
        with tf.control_dependencies([up]):
            return tf.identity(v)

    assert [int(x) for x in check(tf1, build)] == [1, 2, 3, 4]


@pytest.mark.parametrize("how", ["read_value", "identity_of_read_value", "identity_of_value"])
def test_every_way_of_reading_sees_the_update(tf1: Any, how: str) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0])
        up = tf.assign_add(v, [1.0, 10.0])
        with tf.control_dependencies([up]):
            if how == "read_value":
                return v.read_value()
            if how == "identity_of_read_value":
                return tf.identity(v.read_value())
            return tf.identity(v.value())

    check(tf1, build)


def test_arithmetic_on_the_read_under_a_control_dependency(tf1: Any) -> None:
    # `v + 10` reads v/read (made with the variable, before the update) but runs after it
    def build(tf: Any) -> Any:
        v = tf.Variable(0)
        up = tf.assign_add(v, 1)
        with tf.control_dependencies([up]):
            plus = v + 10
            ident = tf.identity(v) * 2
        return [plus, ident, v]

    check(tf1, build)


def test_assign_writes_into_the_same_buffer(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0])
        up = tf.assign(v, v * 2.0 + 1.0)
        with tf.control_dependencies([up]):
            r = tf.identity(v)
        return [v.value(), up, r]

    check(tf1, build)


def test_assign_of_a_new_shape_gives_a_new_buffer(tf1: Any) -> None:
    # the first run's read holds the old buffer; later runs read the new one
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0])
        up = tf.assign(v, [5.0, 6.0, 7.0], validate_shape=False)
        with tf.control_dependencies([up]):
            return tf.identity(v)

    got = check(tf1, build, 3)
    assert [len(x) for x in got] == [2, 3, 3]


@pytest.mark.parametrize("fetch_read", [False, True])
def test_fetching_the_variable_next_to_its_update_gives_the_new_value(
    tf1: Any, fetch_read: bool
) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable(0)
        up = tf.assign_add(v, 1)
        return [v.value() if fetch_read else v, up]

    got = check(tf1, build)
    assert [int(a) for a, _ in got] == [1, 2, 3, 4]


def test_assign_sub_and_reshape_of_the_read(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([[4.0, 3.0]])
        up = tf.assign_sub(v, [[1.0, 1.0]])
        with tf.control_dependencies([up]):
            return tf.reshape(v, [2])

    check(tf1, build)


@pytest.mark.parametrize("kind", ["scatter_add", "scatter_update", "scatter_sub"])
def test_scatter_updates_in_place(tf1: Any, kind: str) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0, 3.0])
        up = getattr(tf, kind)(v, [0, 2], [10.0, 20.0])
        with tf.control_dependencies([up]):
            return [tf.identity(v), v.read_value()]

    check(tf1, build)


@pytest.mark.parametrize("opt", ["GradientDescent", "Momentum", "Adam", "RMSProp", "Adagrad"])
def test_an_optimizer_step_is_seen_by_a_read_after_it(tf1: Any, opt: str) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable([1.0, 2.0])
        loss = tf.reduce_sum(v * v)
        make = getattr(tf.train, opt + "Optimizer")
        optimizer = make(0.1, 0.9) if opt == "Momentum" else make(0.1)
        step = optimizer.minimize(loss)
        with tf.control_dependencies([step]):
            after = tf.identity(v)
        return [after, loss]

    check(tf1, build)


def test_a_fetched_value_does_not_change_after_later_updates(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        g = lib.Graph()
        with g.as_default():
            v = lib.Variable([1.0, 2.0])
            up = lib.assign_add(v, [1.0, 1.0])
            scat = lib.scatter_add(v, [0], [5.0])
            with lib.Session() as sess:
                sess.run(v.initializer)
                fetched = [sess.run(v), sess.run(v.value()), sess.run(lib.identity(v))]
                fetched.append(sess.run([v, up])[0])
                for _ in range(3):  # a second run of a plan is compiled
                    sess.run(up)
                    sess.run(scat)
                got = [x.tolist() for x in fetched]
        assert got == [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [2.0, 3.0]], lib


def test_load_writes_into_the_buffer(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        g = lib.Graph()
        with g.as_default():
            v = lib.Variable([1.0, 2.0])
            with lib.Session() as sess:
                sess.run(v.initializer)
                v.load([7.0, 8.0], sess)
                assert sess.run(v).tolist() == [7.0, 8.0]
                assert sess.run(v.value() * 2).tolist() == [14.0, 16.0]


def test_count_up_to_returns_the_value_before(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        v = tf.Variable(0)
        before = tf.count_up_to(v, 10)
        with tf.control_dependencies([before]):
            after = tf.identity(v)
        return [before, after]

    check(tf1, build)
