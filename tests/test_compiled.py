"""Session.run's compiled plans (teachflow.compiled): same values, errors and state as stepping.

A plan is compiled on its second run; shape-only values are remembered between runs of it.
"""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import teachflow as tf
from teachflow import compiled, execution


def _mean_model() -> tuple[tf.Graph, tf.Tensor, list[tf.Tensor], tf.Variable]:
    """loss = mean((x @ w + b)^2): its gradient is full of Shape/Tile/BroadcastGradientArgs."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) / 10, name="w")
        b = tf.Variable([0.5, -0.5], name="b")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b))
        grads = tf.gradients(loss, [w, b])
    return g, x, grads, w


def _expected_grads(xv: np.ndarray, w: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    z = xv @ w + b
    dz = 2 * z / z.size
    return [xv.T @ dz, dz.sum(axis=0)]


def test_remembered_shapes_follow_the_batch_size() -> None:
    g, x, grads, w = _mean_model()
    wv = np.arange(6, dtype=np.float32).reshape(3, 2) / 10
    bv = np.array([0.5, -0.5], np.float32)
    rng = np.random.default_rng(0)
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        for batch in [2, 5, 5, 2, 7, 2, 1, 1]:
            xv = rng.standard_normal((batch, 3)).astype(np.float32)
            got = sess.run(grads, {x: xv})
            for a, e in zip(got, _expected_grads(xv, wv, bv)):
                np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
        plan = sess.stepper(grads, {x: xv}).plan
        assert plan.runner is not None  # the loop above ran compiled


@given(st.lists(st.integers(1, 6), min_size=2, max_size=6))
def test_compiled_runs_equal_stepped_runs(batches: list[int]) -> None:
    """Any sequence of batch sizes: each Session.run equals stepping the same plan."""
    g, x, grads, w = _mean_model()
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        for i, batch in enumerate(batches):
            xv = np.linspace(-1, 1, batch * 3, dtype=np.float32).reshape(batch, 3) * (i + 1)
            ran = sess.run(grads, {x: xv})
            ex = sess.stepper(grads, {x: xv})
            while not ex.done:
                ex.step()
            for a, b in zip(ran, ex.results):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(a, b)


def test_a_fetched_shape_is_the_callers_to_change() -> None:
    x = tf.placeholder(tf.float32, [None])
    s = tf.shape(x)
    sess = tf.Session()
    first = [sess.run(s, {x: [1.0, 2.0]}) for _ in range(3)]
    first[2][0] = 99  # a writable copy: the remembered value is not touched
    assert sess.run(s, {x: [1.0, 2.0]}).tolist() == [2]
    assert all(a.flags.writeable for a in first)
    assert sess.run(s, {x: [1.0, 2.0, 3.0]}).tolist() == [3]


def test_an_error_in_a_compiled_run_names_the_node_and_the_session_goes_on() -> None:
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.reshape(x, [2, -1], name="pairs")  # the user's line for the error
    z = tf.reduce_sum(y * 2.0, axis=1)
    sess = tf.Session()
    for _ in range(3):
        assert sess.run(z, {x: [1.0, 2.0, 3.0, 4.0]}).tolist() == [6.0, 14.0]
    assert sess.stepper(z, {x: [1.0, 2.0]}).plan is not None
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(z, {x: [1.0, 2.0, 3.0]})
    text = str(info.value)
    assert "Input to reshape is a tensor with 3 values" in text
    assert "[[{{node pairs}}]]" in text
    assert info.value.op.name == "pairs"
    assert "test_compiled.py" in text  # where the op was created
    assert sess.run(z, {x: [1.0, 2.0, 3.0, 4.0]}).tolist() == [6.0, 14.0]


def test_a_plan_is_compiled_on_its_second_run() -> None:
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0 + 1.0
    sess = tf.Session()
    assert sess.run(y, {x: 1.0}) == 3.0
    plan = sess.stepper(y, {x: 1.0}).plan
    assert plan.runner is None and execution.COMPILE_AT_RUN == 2
    assert sess.run(y, {x: 2.0}) == 5.0
    assert plan.runner is not None
    assert sess.run(y, {x: 3.0}) == 7.0


def test_a_compiled_run_frees_each_value_after_its_last_use() -> None:
    """Ten chained ops on 4 MB: stepping keeps every value, Session.run only a few at a time."""
    x = tf.placeholder(tf.float32, [None])
    y = x
    for _ in range(10):
        y = y * 1.5 + 1.0
    sess = tf.Session()
    feed = {x: np.ones(1_000_000, np.float32)}
    for _ in range(3):
        sess.run(y, feed)
    tracemalloc.start()
    try:
        sess.run(y, feed)
        run_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        ex = sess.stepper(y, feed)
        ex.run_to_end()
        step_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert run_peak < 3 * 4_000_000 < 20 * 4_000_000 <= step_peak
    # stepping keeps what it computed, for the learner to look at
    assert ex.value(y.op.inputs[0]).shape == (1_000_000,)


def test_threads_sharing_a_compiled_plan_with_different_shapes() -> None:
    g, x, grads, w = _mean_model()
    sess = tf.Session(graph=g)
    with g.as_default():
        sess.run(tf.global_variables_initializer())
    wv = np.arange(6, dtype=np.float32).reshape(3, 2) / 10
    bv = np.array([0.5, -0.5], np.float32)
    failures: list[str] = []

    def work(batch: int) -> None:
        xv = np.full((batch, 3), batch / 10, np.float32)
        want = _expected_grads(xv, wv, bv)
        for _ in range(200):
            got = sess.run(grads, {x: xv})
            if not all(np.allclose(a, e, rtol=1e-5) for a, e in zip(got, want)):
                failures.append(f"batch {batch}: {got} != {want}")
                return

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_generated_code_holds_only_numbers() -> None:
    x = tf.placeholder(tf.float32, [None], name="x")
    y = tf.identity(x * 2.0, name="doubled")
    sess = tf.Session()
    for _ in range(3):
        assert sess.run(y, {x: [1.0]}).tolist() == [2.0]
    runner = sess.stepper(y, {x: [1.0]}).plan.runner
    assert runner is not None
    consts = runner.fn.__code__.co_consts
    assert all(c is None or type(c) is int for c in consts), consts


def test_an_op_whose_fed_output_still_runs_leaves_the_fed_value_alone() -> None:
    a = tf.constant(1.0, name="a")
    b = a * 2.0
    first, second = tf.split(tf.constant([1.0, 2.0, 3.0, 4.0]), 2)
    total = tf.reduce_sum(first) + tf.reduce_sum(second)
    sess = tf.Session()
    feed = {a: 5.0, first: [10.0, 20.0]}
    for _ in range(3):  # interpreted, compiled, remembered
        got_b, got_a, _, got_total = sess.run([b, a, a.op, total], feed)
        assert (got_b, got_a, got_total) == (10.0, 5.0, 37.0)
    ex = sess.stepper([b, a.op, total], feed)
    records = []
    while not ex.done:
        records.append(ex.step())
    by_name = {r.op.name: r for r in records}
    assert by_name["a"].outputs == []  # its output is fed: nothing of its own to show
    assert [None if v is None else v.tolist() for v in by_name["split"].outputs] == [
        None,
        [3.0, 4.0],
    ]
    assert ex.results[0] == 10.0 and ex.results[2] == 37.0


def test_a_40000_op_chain_compiles_and_runs_like_numpy() -> None:
    """A long plan compiles into a loop (no generated source), in time linear in its size."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [3], name="x")
    y = x
    for i in range(20_000):  # 40,000 ops: a Const and an AddV2 each
        y = y + float(i % 3)
    want = np.array([1.0, 2.0, 3.0], np.float32)
    for i in range(20_000):
        want = want + np.float32(i % 3)
    sess = tf.Session()
    for _ in range(3):
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0, 3.0]}), want)
    plan = sess.stepper(y, {x: [1.0, 2.0, 3.0]}).plan
    assert plan.runner is not None and len(plan.steps) > compiled.TEXT_STEPS
    assert plan.runner.step_of_line == {}  # the loop runner, not generated text


@pytest.fixture
def loop_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every plan compiled as long plans are (a loop), so small graphs test that path."""
    monkeypatch.setattr(compiled, "TEXT_STEPS", 0)


def test_an_error_in_a_loop_runner_names_the_node(loop_runner: None) -> None:
    with tf.Graph().as_default():
        test_an_error_in_a_compiled_run_names_the_node_and_the_session_goes_on()


def test_a_loop_runner_frees_each_value_after_its_last_use(loop_runner: None) -> None:
    with tf.Graph().as_default():
        test_a_compiled_run_frees_each_value_after_its_last_use()


def test_a_loop_runner_remembers_shapes_and_serves_threads(loop_runner: None) -> None:
    with tf.Graph().as_default():
        test_remembered_shapes_follow_the_batch_size()
    with tf.Graph().as_default():
        test_threads_sharing_a_compiled_plan_with_different_shapes()


def test_a_loop_runner_fetches_multiple_outputs_and_identities(loop_runner: None) -> None:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [4], name="x")
    a, b = tf.split(x, 2)
    out = [tf.identity(a * 2.0), tf.stop_gradient(b), tf.shape(b)]
    sess = tf.Session()
    for _ in range(3):
        got = sess.run(out, {x: [1.0, 2.0, 3.0, 4.0]})
        assert [v.tolist() for v in got] == [[2.0, 4.0], [3.0, 4.0], [2]]
