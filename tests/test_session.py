"""Session.run: fetch and feed forms, pruning, errors, default sessions, stepping."""

from __future__ import annotations

import collections
import threading

import numpy as np
import pytest

import teachflow as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_fetch_structures_keep_their_types():
    a, b = tf.constant(1), tf.constant(2.0)
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        out = sess.run({"a": [a, (b,)], "p": Pair(a, b), "o": collections.OrderedDict(z=b)})
    assert out["a"][0] == 1 and isinstance(out["a"][1], tuple) and out["a"][1][0] == 2.0
    assert isinstance(out["p"], Pair) and out["p"].y == 2.0
    assert isinstance(out["o"], collections.OrderedDict)
    assert isinstance(out["a"][0], np.int32) and isinstance(out["p"].y, np.float32)


def test_fetch_ops_names_and_empty():
    v = tf.Variable(3, name="v")
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        assert sess.run(init) is None
        assert sess.run("init") is None
        assert sess.run("v:0") == 3
        assert sess.run([]) == []
        assert sess.run(v) == 3


def test_duplicates_evaluated_once_per_run():
    v = tf.Variable(0, name="v")
    inc = tf.assign_add(v, 1)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([inc, inc]) == [1, 1]
        assert sess.run(v) == 1


def test_feed_intermediate_prunes_its_inputs():
    x = tf.placeholder(tf.float32, name="x")
    y = x * 2.0
    z = y + 1.0
    with tf.Session() as sess:
        assert sess.run(z, {y: 10.0}) == 11.0  # x is not fed and not needed
        assert sess.run(z, {"x:0": 1.0}) == 3.0


def test_feed_converts_and_checks_shapes():
    x = tf.placeholder(tf.float32, shape=[2], name="x")
    with tf.Session() as sess:
        out = sess.run(x, {x: [1, 2]})
        assert out.dtype == np.float32
        with pytest.raises(
            ValueError,
            match=r"Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape '\(2,\)'",
        ):
            sess.run(x, {x: [1, 2, 3]})
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
            sess.run(x, {x: tf.constant([1.0, 2.0])})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor"):
            sess.run(x, {"x": [1.0, 2.0]})
        # still usable
        assert sess.run(x, {x: [3, 4]}).tolist() == [3.0, 4.0]


def test_missing_feed_error():
    x = tf.placeholder(tf.float32, shape=[None, 3], name="x")
    y = x * 2.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y)
    assert str(info.value).splitlines()[0] == (
        "You must feed a value for placeholder tensor 'x' with dtype float and shape [?,3]"
    )
    assert info.value.op.name == "x"
    assert "feed_dict" in str(info.value)


def test_fetch_errors():
    c = tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(
            TypeError, match="Fetch argument None has invalid type <class 'NoneType'>"
        ):
            sess.run(None)
        with pytest.raises(TypeError, match="Fetch argument 5 has invalid type <class 'int'>"):
            sess.run(5)
        with pytest.raises(
            ValueError, match="Fetch argument 'nonexist:0' cannot be interpreted as a Tensor"
        ):
            sess.run("nonexist:0")
        other = tf.Graph()
        with other.as_default():
            d = tf.constant(1)
        with pytest.raises(ValueError, match="is not an element of this graph"):
            sess.run(d)
        assert sess.run(c) == 1


def test_closed_empty_and_reentrant_sessions():
    sess = tf.Session()
    with pytest.raises(RuntimeError, match="The Session graph is empty"):
        sess.run([])
    c = tf.constant(1)
    sess.close()
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session."):
        sess.run(c)
    s2 = tf.Session()
    with s2:
        with pytest.raises(RuntimeError, match="not re-entrant"):
            with s2:
                pass


def test_default_session_eval_and_run():
    c = tf.constant(4.0)
    with pytest.raises(ValueError, match="No default session is registered"):
        c.eval()
    with tf.Session():
        assert c.eval() == 4.0
    sess = tf.InteractiveSession()
    try:
        assert (c * 2.0).eval() == 8.0
        v = tf.Variable(1.0)
        v.initializer.run()
        assert v.eval() == 1.0
    finally:
        sess.close()


def test_two_sessions_have_separate_variables():
    v = tf.Variable(0, name="v")
    inc = tf.assign_add(v, 1)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    s1.run(inc)
    assert (s1.run(v), s2.run(v)) == (2, 0)


def test_fetched_values_do_not_alias_state():
    v = tf.Variable([1.0, 2.0])
    c = tf.constant([5.0, 6.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 100.0
        cv = sess.run(c)
        cv[0] = 100.0
        assert sess.run(v).tolist() == [1.0, 2.0]
        assert sess.run(c).tolist() == [5.0, 6.0]


def test_stepper_is_run():
    state = tf.Variable(0, name="counter")
    update = tf.assign(state, tf.add(state, tf.constant(1)))
    sess = tf.Session()
    sess.run(state.initializer)
    ex = sess.stepper(update)
    names = [op.name for op in ex.plan.ops]
    assert names == ["counter", "counter/read", "Const", "Add", "Assign"]
    events = []
    ex.observers.append(lambda event, rec: events.append((event, rec.op.name)))
    rec = ex.step()
    assert rec.op.name == "counter" and not ex.done and ex.next_op.name == "counter/read"
    assert ex.run_to_end() == 1
    assert ex.done and ex.results == 1
    assert events[0] == ("started", "counter") and events[-1] == ("finished", "Assign")
    assert sess.run(state) == 1


def test_stepper_error_then_fix_then_continue():
    state = tf.Variable(0, name="counter")
    update = tf.assign(state, tf.add(state, tf.constant(1)))
    sess = tf.Session()
    ex = sess.stepper(update)
    ex.step()  # counter (a ref: reading it comes next)
    with pytest.raises(tf.errors.FailedPreconditionError) as info:
        ex.step()
    assert info.value.op.name == "counter/read"
    assert ex.next_op.name == "counter/read" and ex.records[-1].error is info.value
    sess.run(state.initializer)
    assert ex.run_to_end() == 1


def test_one_session_many_threads():
    x = tf.placeholder(tf.float32, shape=[None])
    y = x * 2.0 + 1.0
    sess = tf.Session()
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(200):
                arr = np.full(3, k * 1000 + i, np.float32)
                assert np.array_equal(sess.run(y, {x: arr}), arr * 2 + 1)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def _a_then_work_then_b() -> tuple[tf.Session, tf.Tensor, tf.Variable, tf.Variable]:
    """A run doing a += 1, then 40 matmuls, then b += 1."""
    a, b = tf.Variable(0, name="a"), tf.Variable(0, name="b")
    m = tf.Variable(np.eye(400, dtype=np.float32), name="m")  # read each run: never cached
    with tf.control_dependencies([tf.assign_add(a, 1)]):
        y = tf.identity(m)
    for _ in range(40):
        y = tf.matmul(y, m)
    with tf.control_dependencies([y]):
        inc_b = tf.assign_add(b, 1)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess, inc_b, a, b


@pytest.mark.parametrize("warm_runs", [0, 3], ids=["first run", "compiled run"])
def test_ctrl_c_during_a_run_finishes_its_updates_then_raises(warm_runs: int) -> None:
    import os
    import signal
    import time

    sess, inc_b, a, b = _a_then_work_then_b()
    for _ in range(warm_runs):  # from the second run on, the compiled runner runs the plan
        sess.run(inc_b)
    state, base = sess.state.variables, warm_runs
    seen: list[int] = []

    def interrupt_mid_run() -> None:
        while int(state["a"]) == base:  # the run has not updated a yet
            time.sleep(0.0002)
        seen.append(int(state["b"]))
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Thread(target=interrupt_mid_run)
    handler = signal.getsignal(signal.SIGINT)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sess.run(inc_b)
    timer.join()
    assert seen == [base]  # the interrupt came between a's update and b's
    assert sess.run([a, b]) == [base + 1, base + 1]
    assert signal.getsignal(signal.SIGINT) is handler


def test_closing_a_session_from_another_thread_cancels_its_run() -> None:
    import time

    sess, inc_b, a, _ = _a_then_work_then_b()
    state = sess.state.variables

    def close_mid_run() -> None:
        while int(state.get("a", 0)) == 0:
            time.sleep(0.0002)
        sess.close()

    closer = threading.Thread(target=close_mid_run)
    closer.start()
    with pytest.raises(tf.errors.CancelledError, match="Run call was cancelled") as info:
        sess.run(inc_b)
    closer.join()
    assert "Hint: another thread closed this session" in str(info.value)
