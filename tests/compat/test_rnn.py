"""RNN cells and ``static_rnn`` against TensorFlow 1.x's own (kept in ``tf_keras``'s legacy cells).

Variable names and shapes must agree; with TensorFlow's initial values loaded into teachflow's
variables, outputs, states, gradients and a short training curve must agree too.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

RNG = np.random.default_rng(3)
STEPS = [RNG.normal(size=(2, 3)).astype(np.float32) for _ in range(4)]


@pytest.fixture(scope="module")
def tf_rnn(tf1: Any) -> Any:
    pytest.importorskip("tf_keras")
    from tensorflow.python.ops import rnn
    from tf_keras.src.layers.rnn import legacy_cell_wrappers as wrappers
    from tf_keras.src.layers.rnn import legacy_cells as cells

    return types.SimpleNamespace(
        BasicRNNCell=cells.BasicRNNCell,
        BasicLSTMCell=cells.BasicLSTMCell,
        LSTMCell=cells.LSTMCell,
        GRUCell=cells.GRUCell,
        MultiRNNCell=cells.MultiRNNCell,
        LSTMStateTuple=cells.LSTMStateTuple,
        DropoutWrapper=wrappers.DropoutWrapper,
        static_rnn=rnn.static_rnn,
        static_bidirectional_rnn=rnn.static_bidirectional_rnn,
    )


@pytest.fixture
def R(tf_rnn: Any) -> Callable[[Any], Any]:  # reads like tf.nn.rnn_cell
    """``R(lib)``: the cells and static_rnn of either library."""

    def ns(lib: Any) -> Any:
        if lib is not teachflow:
            return tf_rnn
        cells = teachflow.nn.rnn_cell
        return types.SimpleNamespace(
            **{k: getattr(cells, k) for k in vars(tf_rnn) if hasattr(cells, k)},
            static_rnn=teachflow.nn.static_rnn,
            static_bidirectional_rnn=teachflow.nn.static_bidirectional_rnn,
        )

    return ns


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    return [x]


def run_both(
    tf1: Any, R: Any, build: Callable[[Any, Any], Any], shapes: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Builds in each library; teachflow's variables get TensorFlow's initial values."""
    loaded: dict[str, np.ndarray] = {}
    out = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            lib.set_random_seed(1)
            xs = [lib.placeholder(lib.float32, [None, 3], name=f"x{i}") for i in range(4)]
            fetches = build(lib, R(lib), xs)
            variables = lib.global_variables()
            feed = dict(zip(xs, STEPS))
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                if lib is tf1:
                    loaded = {v.name: sess.run(v) for v in variables}
                else:
                    for v in variables:
                        v.load(loaded[v.name], sess)
                values = sess.run(fetches, feed)
            out.append(
                {
                    "variables": [(v.name, v.shape.as_list()) for v in variables],
                    "trainable": [v.name for v in lib.trainable_variables()],
                    "values": values,
                    "shapes": [str(t.shape) for t in _leaves(fetches) if hasattr(t, "shape")],
                }
            )
    want, got = out
    assert got["variables"] == want["variables"]
    assert got["trainable"] == want["trainable"]
    if shapes:
        assert got["shapes"] == want["shapes"]
    else:  # the batch dimension may be known here where TensorFlow leaves it unknown
        assert [x.split(",")[-1] for x in got["shapes"]] == [
            x.split(",")[-1] for x in want["shapes"]
        ]
    for a, b in zip(_leaves(want["values"]), _leaves(got["values"]), strict=True):
        if isinstance(a, bytes):
            assert b == a
            continue
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=2e-5, atol=2e-6)
    return want, got


CELLS: dict[str, Callable[[Any], Any]] = {
    "basic_rnn": lambda r: r.BasicRNNCell(5),
    "basic_rnn_relu": lambda r: (
        r.BasicRNNCell(5, activation=teachflow.nn.relu)
        if r.BasicRNNCell.__module__.startswith("teachflow")
        else r.BasicRNNCell(5, activation=__import__("tensorflow").nn.relu)
    ),
    "basic_lstm": lambda r: r.BasicLSTMCell(5),
    "basic_lstm_forget_bias": lambda r: r.BasicLSTMCell(5, forget_bias=0.3),
    "basic_lstm_concat_state": lambda r: r.BasicLSTMCell(5, state_is_tuple=False),
    "lstm": lambda r: r.LSTMCell(5),
    "lstm_peepholes_proj_clip": lambda r: r.LSTMCell(
        5, use_peepholes=True, num_proj=2, cell_clip=0.5, proj_clip=0.3
    ),
    "gru": lambda r: r.GRUCell(5),
    "multi_lstm": lambda r: r.MultiRNNCell([r.BasicLSTMCell(4), r.BasicLSTMCell(3)]),
    "multi_gru_concat": lambda r: r.MultiRNNCell(
        [r.GRUCell(4), r.GRUCell(2)], state_is_tuple=False
    ),
}


@pytest.mark.parametrize("kind", sorted(CELLS))
def test_static_rnn_outputs_states_and_gradients(tf1: Any, R: Any, kind: str) -> None:
    def build(lib: Any, r: Any, xs: Any) -> Any:
        cell = CELLS[kind](r)
        outputs, state = r.static_rnn(cell, xs, dtype=lib.float32)
        loss = lib.reduce_sum(lib.square(outputs[-1])) + lib.reduce_sum(outputs[0])
        grads = lib.gradients(loss, lib.trainable_variables() + [xs[0]])
        sizes = [cell.state_size, cell.output_size]
        return [outputs, list(_leaves(state)), grads, lib.constant(str(sizes))]

    want, got = run_both(tf1, R, build)
    assert got["values"][-1] == want["values"][-1]  # state_size and output_size


def test_lstm_graph_is_tensorflows_op_for_op(tf1: Any, R: Any) -> None:
    graphs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default() as g:
            xs = [lib.placeholder(lib.float32, [None, 3]) for _ in range(2)]
            outputs, state = R(lib).static_rnn(R(lib).BasicLSTMCell(4), xs, dtype=lib.float32)
            graphs.append(
                (
                    [(op.name, op.type) for op in g.get_operations()],
                    [t.name for t in outputs],
                    repr(state).replace("tf.Tensor", "Tensor"),
                )
            )
    assert graphs[1] == graphs[0]


def test_initial_state_sequence_length_and_scope(tf1: Any, R: Any) -> None:
    def build(lib: Any, r: Any, xs: Any) -> Any:
        cell = r.BasicLSTMCell(4)
        init = cell.zero_state(lib.shape(xs[0])[0], lib.float32)
        out, state = r.static_rnn(
            cell, xs, initial_state=init, sequence_length=[2, 4], scope="encoder"
        )
        gru = r.GRUCell(3)
        out2, state2 = r.static_rnn(gru, out, dtype=lib.float32, sequence_length=[1, 3])
        return [out, list(state), out2, state2]

    # TensorFlow builds each step in a tf.cond, whose Merge forgets the batch dimension that
    # sequence_length=[2, 4] tells; teachflow selects with tf.where and keeps it
    run_both(tf1, R, build, shapes=False)


def test_dropout_wrapper_keeps_the_cells_names_and_keep_prob_one_is_identity(
    tf1: Any, R: Any
) -> None:
    def build(lib: Any, r: Any, xs: Any) -> Any:
        keep = lib.placeholder_with_default(1.0, [])
        cells = [
            r.DropoutWrapper(r.BasicLSTMCell(4), output_keep_prob=keep),
            r.DropoutWrapper(r.GRUCell(3), input_keep_prob=1.0, state_keep_prob=keep),
        ]
        out, state = r.static_rnn(r.MultiRNNCell(cells), xs, dtype=lib.float32)
        return [out, list(_leaves(state))]

    run_both(tf1, R, build)


def test_bidirectional(tf1: Any, R: Any) -> None:
    def build(lib: Any, r: Any, xs: Any) -> Any:
        out, fw, bw = r.static_bidirectional_rnn(
            r.BasicLSTMCell(3), r.GRUCell(2), xs, dtype=lib.float32
        )
        return [out, list(fw), bw]

    run_both(tf1, R, build)


def test_errors_match(tf1: Any, R: Any) -> None:
    for make, cls, text in [
        (
            lambda lib, r, xs: r.static_rnn(r.BasicRNNCell(2), xs),
            ValueError,
            "If no initial_state is provided, .*dtype.* must be specified",
        ),  # fmt: skip
        (
            lambda lib, r, xs: r.static_rnn(r.BasicRNNCell(2), xs[0], dtype=lib.float32),
            TypeError,
            "inputs`? must be a sequence",
        ),  # fmt: skip
        (
            lambda lib, r, xs: r.static_rnn(
                r.BasicRNNCell(2), [lib.placeholder(lib.float32, [2, None])], dtype=lib.float32
            ),
            ValueError,
            "must be accessible via shape inference",
        ),  # fmt: skip
    ]:
        for lib in (tf1, teachflow):
            with lib.Graph().as_default():
                xs = [lib.placeholder(lib.float32, [None, 3]) for _ in range(2)]
                with pytest.raises(cls, match=text):
                    make(lib, R(lib), xs)


def test_lstm_training_curve_matches(tf1: Any, R: Any) -> None:
    """An LSTM classifier over 4 steps, Adam for 8 steps: the same losses."""
    labels = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)

    def build(lib: Any, r: Any, xs: Any) -> Any:
        cell = r.MultiRNNCell([r.BasicLSTMCell(6), r.BasicLSTMCell(5)])
        outputs, _ = r.static_rnn(cell, xs, dtype=lib.float32)
        w = lib.get_variable("w", [5, 2])
        b = lib.get_variable("b", [2], initializer=lib.zeros_initializer())
        logits = lib.matmul(outputs[-1], w) + b
        loss = lib.reduce_mean(
            lib.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
        )
        return loss, lib.train.AdamOptimizer(0.05).minimize(loss)

    curves = []
    loaded: dict[str, np.ndarray] = {}
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            xs = [lib.placeholder(lib.float32, [None, 3]) for _ in range(4)]
            loss, step = build(lib, R(lib), xs)
            feed = dict(zip(xs, STEPS))
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                for v in lib.trainable_variables():
                    if lib is tf1:
                        loaded[v.name] = sess.run(v)
                    else:
                        v.load(loaded[v.name], sess)
                curves.append([float(sess.run([loss, step], feed)[0]) for _ in range(8)])
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-4)
    assert curves[1][-1] < curves[1][0]
