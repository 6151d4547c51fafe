"""``tf.nn.dynamic_rnn`` against TensorFlow 1.x's own (a tf.while_loop over the time steps).

TensorFlow's initial values are loaded into teachflow's variables; outputs, final states,
gradients (through the loop) and a few Adam steps must agree, with TensorFlow's names.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

RNG = np.random.default_rng(7)
BATCH = RNG.normal(size=(2, 4, 3)).astype(np.float32)  # [batch, time, depth]


@pytest.fixture(scope="module")
def tfr(tf1: Any) -> Any:
    """TensorFlow 1.x's cells (kept in tf_keras's legacy cells) and its dynamic_rnn."""
    pytest.importorskip("tf_keras")
    from tensorflow.python.ops import rnn
    from tf_keras.src.layers.rnn import legacy_cells as cells

    tf1.disable_control_flow_v2()
    return types.SimpleNamespace(
        tf=tf1,
        cells=cells,
        dynamic_rnn=rnn.dynamic_rnn,
        bidirectional=rnn.bidirectional_dynamic_rnn,
    )


def ns(tfr: Any, lib: Any) -> Any:
    if lib is teachflow:
        return types.SimpleNamespace(
            tf=teachflow,
            cells=teachflow.nn.rnn_cell,
            dynamic_rnn=teachflow.nn.dynamic_rnn,
            bidirectional=teachflow.nn.bidirectional_dynamic_rnn,
        )
    return tfr


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    return [x]


def run_both(tfr: Any, build: Callable[[Any], Any], steps: int = 0) -> list[dict[str, Any]]:
    """Builds in each library (TensorFlow's initial values loaded into teachflow's variables);
    ``steps``: Adam steps on the built ``loss`` (the losses are returned too)."""
    loaded: dict[str, np.ndarray] = {}
    out = []
    for lib in (tfr.tf, teachflow):
        r = ns(tfr, lib)
        with lib.Graph().as_default() as g:
            lib.set_random_seed(1)
            x = lib.placeholder(lib.float32, [None, 4, 3], name="x")
            fetches, loss = build(r, x)
            train = lib.train.AdamOptimizer(0.05).minimize(loss) if steps else None
            variables = lib.global_variables()
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                if lib is tfr.tf:
                    loaded = {v.name: sess.run(v) for v in variables}
                else:
                    for v in variables:
                        v.load(loaded[v.name], sess)
                values = sess.run(fetches, {x: BATCH})
                curve = [sess.run([train, loss], {x: BATCH})[1] for _ in range(steps)]
            out.append(
                {
                    "variables": [(v.name, v.shape.as_list()) for v in variables],
                    "values": values,
                    "curve": curve,
                    "ops": {(op.name, op.type) for op in g.get_operations()},
                    "shapes": [str(t.shape) for t in _leaves(fetches[:2])],
                }
            )
    want, got = out
    assert got["variables"] == want["variables"]
    for a, b in zip(_leaves(want["values"]), _leaves(got["values"]), strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=5e-5, atol=5e-6)
    np.testing.assert_allclose(got["curve"], want["curve"], rtol=1e-4, atol=1e-6)
    return out


CELLS: dict[str, Callable[[Any], Any]] = {
    "basic_rnn": lambda c: c.BasicRNNCell(5),
    "basic_lstm": lambda c: c.BasicLSTMCell(5),
    "lstm": lambda c: c.LSTMCell(4, use_peepholes=True),
    "gru": lambda c: c.GRUCell(5),
    "multi_lstm": lambda c: c.MultiRNNCell([c.BasicLSTMCell(4), c.BasicLSTMCell(3)]),
}


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_outputs_final_state_and_gradients(tfr: Any, kind: str) -> None:
    def build(r: Any, x: Any) -> Any:
        tf = r.tf
        outputs, state = r.dynamic_rnn(CELLS[kind](r.cells), x, dtype=tf.float32)
        loss = tf.reduce_sum(tf.square(outputs)) + tf.reduce_sum(_leaves(state)[-1])
        grads = tf.gradients(loss, [x, *tf.trainable_variables()])
        return [outputs, state, grads], loss

    want, got = run_both(tfr, build)
    assert got["shapes"] == want["shapes"]


def test_lstm_names_are_tensorflows(tfr: Any) -> None:
    def build(r: Any, x: Any) -> Any:
        outputs, state = r.dynamic_rnn(r.cells.BasicLSTMCell(5), x, dtype=r.tf.float32)
        return [outputs, state], r.tf.reduce_sum(outputs)

    want, got = run_both(tfr, build)
    assert got["variables"] == [
        ("rnn/basic_lstm_cell/kernel:0", [8, 20]),
        ("rnn/basic_lstm_cell/bias:0", [20]),
    ]
    names = [
        ("rnn/transpose", "Transpose"),
        ("rnn/while/Enter", "Enter"),
        ("rnn/while/LoopCond", "LoopCond"),
        ("rnn/while/Exit_3", "Exit"),
        ("rnn/while/Exit_4", "Exit"),
        ("rnn/TensorArrayStack/TensorArrayGatherV3", "TensorArrayGatherV3"),
    ]
    for name in names:
        assert name in want["ops"] and name in got["ops"], name


def test_sequence_length_initial_state_and_time_major(tfr: Any) -> None:
    def build(r: Any, x: Any) -> Any:
        tf = r.tf
        cell = r.cells.BasicLSTMCell(3)
        start = cell.zero_state(2, tf.float32)
        start = type(start)(start.c + 0.5, start.h - 0.25)
        tm = tf.transpose(x, [1, 0, 2])
        outputs, state = r.dynamic_rnn(
            cell, tm, sequence_length=[4, 2], initial_state=start, time_major=True
        )
        loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(state.c)
        return [outputs, state, tf.gradients(loss, [x, *tf.trainable_variables()])], loss

    run_both(tfr, build)


def test_gru_trains_like_tensorflow_with_adam(tfr: Any) -> None:
    def build(r: Any, x: Any) -> Any:
        tf = r.tf
        outputs, _ = r.dynamic_rnn(r.cells.GRUCell(4), x, sequence_length=[3, 4], dtype=tf.float32)
        target = tf.constant(np.linspace(-0.5, 0.5, 32).reshape(2, 4, 4).astype(np.float32))
        loss = tf.reduce_mean(tf.square(outputs - target))
        return [outputs], loss

    want, got = run_both(tfr, build, steps=6)
    assert got["curve"][-1] < got["curve"][0]


def test_bidirectional(tfr: Any) -> None:
    def build(r: Any, x: Any) -> Any:
        tf = r.tf
        c = r.cells
        (fw, bw), (s_fw, s_bw) = r.bidirectional(
            c.BasicLSTMCell(3), c.GRUCell(2), x, dtype=tf.float32
        )
        loss = tf.reduce_sum(tf.concat([fw, bw], 2) ** 2) + tf.reduce_sum(s_bw)
        return [fw, bw, s_fw, s_bw, tf.gradients(loss, [x, *tf.trainable_variables()])], loss

    want, got = run_both(tfr, build, steps=3)
    assert [v for v, _ in got["variables"]][:2] == [
        "bidirectional_rnn/fw/basic_lstm_cell/kernel:0",
        "bidirectional_rnn/fw/basic_lstm_cell/bias:0",
    ]


def test_errors_match(tfr: Any) -> None:
    def messages(lib: Any) -> list[str]:
        r = ns(tfr, lib)
        out = []
        with lib.Graph().as_default():
            cases = [
                (lambda: r.cells.BasicRNNCell(3), lib.zeros([2, 3]), {"dtype": lib.float32}),
                (lambda: r.cells.BasicRNNCell(3), lib.zeros([2, 3, 4]), {}),
                (
                    lambda: r.cells.BasicRNNCell(3),
                    lib.placeholder(lib.float32, [2, 3, None]),
                    {"dtype": lib.float32},
                ),
                (lambda: 5, lib.zeros([2, 3, 4]), {"dtype": lib.float32}),
            ]
            for make, x, kwargs in cases:
                with pytest.raises((ValueError, TypeError)) as info:
                    r.dynamic_rnn(make(), x, **kwargs)
                out.append(f"{type(info.value).__name__}: {str(info.value).splitlines()[0]}")
        return out

    assert messages(teachflow) == messages(tfr.tf)
