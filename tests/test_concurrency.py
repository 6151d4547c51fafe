"""One Session used from several threads (TensorFlow allows it), and sessions sharing a graph.

Stateful kernels (assignments, optimizer updates, random generators) run under the session's
lock, so concurrent ``assign_add`` never loses an update; values live in the session, so two
sessions on one graph never see each other's variables.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import teachflow as tf

THREADS = 8


@pytest.fixture(autouse=True)
def contention() -> Iterator[None]:
    """A fresh default graph, and thread switches as often as possible (races show up)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with tf.Graph().as_default():
            yield
    finally:
        sys.setswitchinterval(old)


def in_threads(fn: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    """Runs fn(0..n-1) in n threads started together; re-raises the first failure."""
    start = threading.Barrier(n)

    def job(i: int) -> Any:
        start.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(job, range(n)))


def test_one_session_many_threads_each_get_their_own_feeds() -> None:
    x = tf.placeholder(tf.float32, shape=[None], name="x")
    w = tf.Variable(2.0, name="w")
    y = tf.reduce_sum(x * w) + tf.cast(tf.size(x), tf.float32)
    sess = tf.Session()
    sess.run(w.initializer)

    def work(i: int) -> list[float]:
        return [float(sess.run(y, {x: np.full(i + k + 1, float(i))})) for k in range(50)]

    for i, got in enumerate(in_threads(work)):
        want = [2.0 * i * (i + k + 1) + (i + k + 1) for k in range(50)]
        assert got == want


@pytest.mark.parametrize("use_locking", [False, True])
def test_concurrent_assign_add_never_loses_an_update(use_locking: bool) -> None:
    # a long vector: numpy releases the GIL while adding, so an unlocked update would race
    counter = tf.Variable(tf.zeros([10000], dtype=tf.int64), name="counter")
    inc = tf.assign_add(counter, tf.ones([10000], dtype=tf.int64), use_locking=use_locking)
    sess = tf.Session()
    sess.run(counter.initializer)
    per_thread = 150

    def work(i: int) -> None:
        for _ in range(per_thread):
            sess.run(inc.op)

    in_threads(work)
    value = sess.run(counter)
    assert value.min() == value.max() == THREADS * per_thread


def test_concurrent_training_steps_count_exactly() -> None:
    w = tf.Variable([1.0, -1.0], name="w")
    step = tf.train.get_or_create_global_step()
    loss = tf.reduce_sum(tf.square(w))
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    in_threads(lambda i: [sess.run(train) for _ in range(40)])
    assert sess.run(step) == THREADS * 40
    # A step computes its gradient from w as read in that run, and another thread may update
    # w before it applies (as in TensorFlow: "Hogwild"). w only shrinks towards 0, so a stale
    # gradient is never smaller: w ends at or below 320 sequential steps, still above 0.
    got = sess.run(w)
    assert got[0] == -got[1]
    assert 0.0 < got[0] <= 0.98**320 * (1 + 1e-5)


def test_random_ops_from_many_threads() -> None:
    r = tf.random_uniform([1000], seed=1)
    sess = tf.Session()
    draws = in_threads(lambda i: [sess.run(r) for _ in range(20)])
    flat = np.concatenate([d for per in draws for d in per])
    assert flat.shape == (THREADS * 20 * 1000,)
    assert 0.0 <= flat.min() and flat.max() < 1.0
    # one generator shared under the lock: no two runs drew the same numbers
    firsts = {float(d[0]) for per in draws for d in per}
    assert len(firsts) == THREADS * 20


def test_two_sessions_on_one_graph_never_share_variables() -> None:
    v = tf.Variable(0, name="v")
    inc = tf.assign_add(v, 1)
    sessions = [tf.Session() for _ in range(THREADS)]
    for s in sessions:
        s.run(v.initializer)

    def work(i: int) -> int:
        for _ in range(i * 10):
            sessions[i].run(inc)
        return int(sessions[i].run(v))

    assert in_threads(work) == [i * 10 for i in range(THREADS)]
    fresh = tf.Session()
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value v"):
        fresh.run(v)
    sessions[0].close()
    assert sessions[1].run(v) == 10  # closing one session frees only its values


def test_stepping_in_one_thread_while_running_in_others() -> None:
    x = tf.placeholder(tf.float32, name="x")
    y = tf.square(x) + 1.0
    sess = tf.Session()
    stop = threading.Event()
    results: list[float] = []

    def runner() -> None:
        while not stop.is_set():
            results.append(float(sess.run(y, {x: 3.0})))

    background = threading.Thread(target=runner)
    background.start()
    try:
        for k in range(30):
            run = sess.stepper(y, {x: float(k)})
            while not run.done:
                run.step()
            assert run.results == k * k + 1.0
    finally:
        stop.set()
        background.join()
    assert results and set(results) == {10.0}


def test_building_new_ops_while_other_threads_run() -> None:
    g = tf.get_default_graph()
    c = tf.constant(2.0)
    y = c * 5.0
    sess = tf.Session()

    def work(i: int) -> list[float]:
        if i == 0:
            made = []
            with g.as_default():
                for k in range(30):
                    made.append(float(sess.run(tf.constant(float(k)) + 1.0)))
            return made
        return [float(sess.run(y)) for _ in range(60)]

    out = in_threads(work, 4)
    assert out[0] == [k + 1.0 for k in range(30)]
    assert all(vals == [10.0] * 60 for vals in out[1:])


def test_name_scopes_and_control_dependencies_are_per_thread() -> None:
    """As in TensorFlow: a scope opened in one thread does not rename another thread's ops."""
    g = tf.get_default_graph()
    gate = tf.no_op(name="gate")
    inside, outside = threading.Event(), threading.Event()
    names: dict[str, tf.Operation] = {}

    def scoped() -> None:
        with g.as_default(), tf.name_scope("A"), tf.control_dependencies([gate]):
            inside.set()
            outside.wait()
            names["scoped"] = tf.constant(1.0).op

    def plain() -> None:
        inside.wait()
        with g.as_default():
            names["plain"] = tf.constant(2.0).op
        outside.set()

    threads = [threading.Thread(target=scoped), threading.Thread(target=plain)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert names["scoped"].name == "A/Const" and names["scoped"].control_inputs == [gate]
    assert names["plain"].name == "Const" and names["plain"].control_inputs == []
