"""tf.nn ops and tf.losses: values against numpy formulas, finite-difference gradient checks,
names, static shapes and errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow as tf
from tests.conftest import run

RNG = np.random.default_rng(0)


pytestmark = pytest.mark.usefixtures("fresh_graph")


# -- numpy references ------------------------------------------------------------------------


def np_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)  # type: ignore[no-any-return]


def np_log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))  # type: ignore[no-any-return]


def np_logistic_loss(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))  # type: ignore[no-any-return]


# -- finite-difference gradient check ----------------------------------------------------------


def gradient_check(
    build: Callable[[Any], Any],
    x0: np.ndarray,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """d/dx sum(w * build(x)) from tf.gradients equals central differences (float64)."""
    x0 = np.asarray(x0, dtype=np.float64)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, shape=x0.shape)
        y = build(x)
        w = RNG.uniform(0.5, 1.5, size=y.shape.as_list())
        (dx,) = tf.gradients(y, [x], grad_ys=tf.constant(w, dtype=y.dtype))
        assert dx is not None, "no gradient reached x"
        with tf.Session() as sess:
            analytic = sess.run(dx, {x: x0})
            numeric = np.zeros_like(x0)
            for i in np.ndindex(x0.shape):
                xp, xm = x0.copy(), x0.copy()
                xp[i] += eps
                xm[i] -= eps
                fp = np.sum(w * sess.run(y, {x: xp}))
                fm = np.sum(w * sess.run(y, {x: xm}))
                numeric[i] = (fp - fm) / (2 * eps)
    assert np.allclose(analytic, numeric, rtol=rtol, atol=atol), (
        f"gradient mismatch\n tf.gradients: {analytic.tolist()}\n numeric:      {numeric.tolist()}"
    )


def away_from_kinks(shape: tuple[int, ...], kinks: tuple[float, ...] = (0.0,)) -> np.ndarray:
    """Random values at least 0.1 from each kink, where finite differences are exact enough."""
    x = RNG.uniform(-3, 3, size=shape)
    for k in kinks:
        near = np.abs(x - k) < 0.1
        x[near] += 0.2
    return x


# -- activations -------------------------------------------------------------------------------

ACTIVATIONS: list[tuple[str, Callable[[np.ndarray], np.ndarray], str, tuple[float, ...]]] = [
    ("relu", lambda x: np.maximum(x, 0), "Relu", (0.0,)),
    ("relu6", lambda x: np.clip(x, 0, 6), "Relu6", (0.0, 6.0)),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x)), "Elu", (0.0,)),
    ("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x), "LeakyRelu", (0.0,)),
    ("softplus", lambda x: np.log1p(np.exp(x)), "Softplus", ()),
    ("softsign", lambda x: x / (1 + np.abs(x)), "Softsign", ()),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "Sigmoid", ()),
    ("tanh", np.tanh, "Tanh", ()),
]


@pytest.mark.parametrize("name,ref,op_type,kinks", ACTIVATIONS)
def test_activation_values_names_and_shapes(name, ref, op_type, kinks):
    x0 = RNG.uniform(-8, 8, size=(3, 4)).astype(np.float32)
    x = tf.placeholder(tf.float32, shape=[None, 4])
    y = getattr(tf.nn, name)(x)
    assert y.op.type == op_type
    assert y.name == f"{op_type}:0"
    assert y.shape.as_list() == [None, 4]
    assert y.dtype == tf.float32
    np.testing.assert_allclose(run(y, {x: x0}), ref(x0.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,ref,op_type,kinks", ACTIVATIONS)
def test_activation_gradients(name, ref, op_type, kinks):
    gradient_check(getattr(tf.nn, name), away_from_kinks((2, 3), kinks))


@pytest.mark.parametrize("name", ["relu", "relu6", "elu", "leaky_relu"])
def test_activation_second_derivative(name):
    fn = getattr(tf.nn, name)

    def first_grad(x):
        return tf.gradients(fn(x), [x], grad_ys=tf.constant(np.full([2, 3], 0.7)))[0]

    gradient_check(first_grad, away_from_kinks((2, 3), (0.0, 6.0)))


def test_leaky_relu_alpha_and_integer_input():
    y = tf.nn.leaky_relu([-2.0, 3.0], alpha=0.5)
    assert y.op.get_attr("alpha") == 0.5
    assert run(y).tolist() == [-1.0, 3.0]
    yi = tf.nn.leaky_relu(tf.constant([-5, 5]))
    assert yi.dtype == tf.float32
    assert run(yi).tolist() == [-1.0, 5.0]


def test_relu_keeps_integers_and_rejects_bools():
    assert run(tf.nn.relu([-1, 3])).tolist() == [0, 3]
    with pytest.raises(TypeError, match="parameter 'features' has DataType bool"):
        tf.nn.relu([True, False])


def test_elu_rejects_integers():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.nn.elu([1, 2])


def test_activation_python_input_is_named_inside_the_op_scope():
    y = tf.nn.relu([1.0, -1.0], name="act")
    assert y.op.name == "act"
    assert y.op.inputs[0].op.name == "act/features"


# -- softmax -----------------------------------------------------------------------------------


def test_softmax_and_log_softmax_values():
    x0 = RNG.normal(size=(3, 5)).astype(np.float32)
    sm, lsm = tf.nn.softmax(x0), tf.nn.log_softmax(x0)
    assert (sm.name, lsm.name) == ("Softmax:0", "LogSoftmax:0")
    got_sm, got_lsm = run([sm, lsm])
    np.testing.assert_allclose(got_sm, np_softmax(x0), rtol=1e-5)
    np.testing.assert_allclose(got_lsm, np_log_softmax(x0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_sm.sum(axis=1), 1.0, rtol=1e-6)


def test_softmax_is_stable_for_large_logits():
    x0 = np.array([[1000.0, -1000.0, 0.0], [-1e30, -1e30, -1e30]], np.float32)
    sm, lsm = run([tf.nn.softmax(x0), tf.nn.log_softmax(x0)])
    assert np.isfinite(sm).all() and np.isfinite(lsm).all()
    np.testing.assert_allclose(sm[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(sm[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(lsm[0], [0.0, -2000.0, -1000.0])


@pytest.mark.parametrize("kw", [{"axis": 0}, {"dim": 0}, {"axis": -2}])
def test_softmax_along_another_axis(kw):
    x0 = RNG.normal(size=(3, 4)).astype(np.float32)
    sm = tf.nn.softmax(x0, **kw)
    lsm = tf.nn.log_softmax(x0, **kw)
    assert sm.shape.as_list() == [3, 4]
    got_sm, got_lsm = run([sm, lsm])
    np.testing.assert_allclose(got_sm, np_softmax(x0, axis=0), rtol=1e-5)
    np.testing.assert_allclose(got_lsm, np_log_softmax(x0, axis=0), rtol=1e-5, atol=1e-6)


def test_softmax_errors():
    with pytest.raises(TypeError, match="parameter 'logits' has DataType int32"):
        tf.nn.softmax([1, 2])
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.softmax(1.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"must be in the range \[-2, 2\)"):
        tf.nn.softmax([[1.0, 2.0]], axis=5)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_gradients(fn):
    gradient_check(getattr(tf.nn, fn), RNG.normal(size=(2, 4)))
    gradient_check(lambda x: getattr(tf.nn, fn)(x, axis=0), RNG.normal(size=(3, 2)))


def test_softmax_second_derivative():
    def first_grad(x):
        y = tf.nn.softmax(x)
        return tf.gradients(y, [x], grad_ys=tf.constant(RNG.normal(size=(2, 3))))[0]

    gradient_check(first_grad, RNG.normal(size=(2, 3)))


# -- cross-entropies ---------------------------------------------------------------------------


def test_softmax_cross_entropy_values_and_names():
    logits = RNG.normal(size=(4, 3)).astype(np.float32)
    labels = np_softmax(RNG.normal(size=(4, 3))).astype(np.float32)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert v1.name == "softmax_cross_entropy_with_logits_sg/Reshape_2:0"
    assert v2.name == "softmax_cross_entropy_with_logits/Reshape_2:0"
    fused = tf.get_default_graph().get_operation_by_name("softmax_cross_entropy_with_logits")
    assert fused.type == "SoftmaxCrossEntropyWithLogits"
    assert [t.shape.as_list() for t in fused.outputs] == [[4], [4, 3]]
    assert v1.shape.as_list() == [4]
    expected = -(labels * np_log_softmax(logits.astype(np.float64))).sum(axis=1)
    got1, got2, backprop = run([v1, v2, fused.outputs[1]])
    np.testing.assert_allclose(got1, expected, rtol=1e-5)
    np.testing.assert_allclose(got2, expected, rtol=1e-5)
    np.testing.assert_allclose(backprop, np_softmax(logits) - labels, rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_is_stable():
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=[[0.0, 1.0]], logits=[[1000.0, -1000.0]]
    )
    assert run(loss).tolist() == [2000.0]


def test_softmax_cross_entropy_other_ranks_and_axis():
    logits = RNG.normal(size=(2, 3, 4))
    labels = np_softmax(RNG.normal(size=(2, 3, 4)))
    loss3 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    loss1 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels[0, 0], logits=logits[0, 0])
    loss_ax = tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=labels[0].T, logits=logits[0].T, axis=0
    )
    assert loss3.shape.as_list() == [2, 3]
    assert loss1.shape.as_list() == []
    expected = -(labels * np_log_softmax(logits)).sum(axis=-1)
    got3, got1, got_ax = run([loss3, loss1, loss_ax])
    np.testing.assert_allclose(got3, expected)
    np.testing.assert_allclose(got1, expected[0, 0])
    np.testing.assert_allclose(got_ax, expected[0])


def test_softmax_cross_entropy_unknown_batch():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 3])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x)
    assert loss.shape.as_list() == [None]
    got = run(loss, {x: np.zeros((2, 3)), y: np.eye(3)[:2]})
    np.testing.assert_allclose(got, [np.log(3)] * 2, rtol=1e-6)


def test_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match="named arguments") as e:
        tf.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[1.0, 2.0]])
    assert "(logits, labels)" in str(e.value)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[1.0, 0.0]], logits=[[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match="parameter 'features' has DataType int32"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=[[1, 0]], logits=[[1, 2]])
    x = tf.placeholder(tf.float32, [None, None])
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=x, logits=[[1.0, 2.0, 3.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be broadcastable"):
        run(loss, {x: [[1.0, 0.0]]})


def test_softmax_cross_entropy_gradients():
    labels = np_softmax(RNG.normal(size=(3, 4)))
    logits = RNG.normal(size=(3, 4))
    gradient_check(
        lambda x: tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=x), logits
    )
    gradient_check(
        lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=x), logits
    )
    # v2 lets the gradient flow into the labels, v1 stops it
    gradient_check(
        lambda z: tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=logits), labels
    )
    z = tf.placeholder(tf.float64, [3, 4])
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=logits)
    assert tf.gradients(loss, [z]) == [None]


def test_softmax_cross_entropy_second_derivative():
    labels = np_softmax(RNG.normal(size=(2, 3)))

    def first_grad(x):
        loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=x)
        return tf.gradients(loss, [x], grad_ys=tf.constant([0.3, 1.7], tf.float64))[0]

    gradient_check(first_grad, RNG.normal(size=(2, 3)))


def test_sparse_softmax_cross_entropy():
    logits = RNG.normal(size=(4, 3)).astype(np.float32)
    labels = np.array([0, 2, 1, 2], np.int64)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.name == (
        "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits:0"
    )
    assert loss.shape.as_list() == [4]
    expected = -np_log_softmax(logits.astype(np.float64))[np.arange(4), labels]
    np.testing.assert_allclose(run(loss), expected, rtol=1e-5)
    gradient_check(
        lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x),
        logits.astype(np.float64),
    )


def test_sparse_softmax_cross_entropy_other_ranks():
    logits = RNG.normal(size=(2, 3, 4))
    labels = RNG.integers(0, 4, size=(2, 3))
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    scalar = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=1, logits=[0.0, 0.0])
    assert loss.shape.as_list() == [2, 3]
    lsm = np_log_softmax(logits)
    expected = -np.take_along_axis(lsm, labels[..., None], axis=-1)[..., 0]
    got, got_scalar = run([loss, scalar])
    np.testing.assert_allclose(got, expected)
    assert scalar.shape.as_list() == []
    np.testing.assert_allclose(got_scalar, np.log(2), rtol=1e-6)


def test_sparse_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0]], logits=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 1], logits=[[1.0, 2.0]])
    with pytest.raises(TypeError, match="parameter 'labels' has DataType float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0], logits=[[1.0, 2.0]])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 5], logits=np.ones((2, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        run(loss)
    assert "Received a label value of 5 which is outside the valid range of [0, 2)" in str(e.value)


def test_sparse_softmax_cross_entropy_has_no_second_derivative():
    x = tf.constant(RNG.normal(size=(2, 3)))
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=x)
    (g,) = tf.gradients(loss, [x])
    with pytest.raises(LookupError, match="no way to take the second derivative"):
        tf.gradients(g, [x])


def test_sigmoid_cross_entropy():
    x0 = RNG.normal(scale=3, size=(3, 4)).astype(np.float32)
    z0 = RNG.uniform(size=(3, 4)).astype(np.float32)
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=z0, logits=x0)
    assert loss.name == "logistic_loss:0"
    assert loss.op.type == "AddV2"
    np.testing.assert_allclose(run(loss), np_logistic_loss(x0, z0), rtol=1e-5, atol=1e-6)
    big = tf.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0], logits=[1000.0, -1000.0])
    assert run(big).tolist() == [1000.0, 1000.0]
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[1.0, 2.0, 3.0])


def test_sigmoid_cross_entropy_gradients():
    z0 = RNG.uniform(size=(2, 3))
    gradient_check(
        lambda x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z0, logits=x),
        away_from_kinks((2, 3)),
    )
    x0 = RNG.normal(size=(2, 3))
    gradient_check(lambda z: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x0), z0)


# -- l2_loss, bias_add, xw_plus_b ------------------------------------------------------------------


def test_l2_loss():
    x0 = RNG.normal(size=(3, 2)).astype(np.float32)
    loss = tf.nn.l2_loss(x0)
    assert (loss.name, loss.op.type, loss.shape.as_list()) == ("L2Loss:0", "L2Loss", [])
    np.testing.assert_allclose(run(loss), np.sum(x0.astype(np.float64) ** 2) / 2, rtol=1e-6)
    assert run(tf.nn.l2_loss(tf.constant([1.0, 2.0], tf.float64))).dtype == np.float64
    with pytest.raises(TypeError, match="parameter 't' has DataType int32"):
        tf.nn.l2_loss([1, 2])
    gradient_check(tf.nn.l2_loss, RNG.normal(size=(2, 3)))


def test_bias_add():
    v0 = RNG.normal(size=(2, 3)).astype(np.float32)
    b0 = np.array([1.0, 2.0, 3.0], np.float32)
    y = tf.nn.bias_add(v0, b0)
    assert (y.name, y.op.type) == ("BiasAdd:0", "BiasAdd")
    assert y.op.get_attr("data_format") == b"NHWC"  # bytes, as in TensorFlow
    np.testing.assert_allclose(run(y), v0 + b0)
    v4 = RNG.normal(size=(2, 3, 2, 2))
    nchw = tf.nn.bias_add(v4, np.array([1.0, 2.0, 3.0]), data_format="NCHW")
    np.testing.assert_allclose(run(nchw), v4 + np.array([1.0, 2.0, 3.0])[:, None, None])


def test_bias_add_errors():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2"):
        tf.nn.bias_add([[1.0, 2.0, 3.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="Shape must be at least rank 2 but is rank 1"):
        tf.nn.bias_add([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        tf.nn.bias_add([[1.0, 2.0]], [[1.0, 2.0]])
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.nn.bias_add(x, [1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="as many biases"):
        run(y, {x: [[1.0, 2.0]]})


def test_bias_add_gradients():
    b0 = RNG.normal(size=3)
    v0 = RNG.normal(size=(4, 3))
    gradient_check(lambda v: tf.nn.bias_add(v, b0), v0)
    gradient_check(lambda b: tf.nn.bias_add(v0, b), b0)
    v4 = RNG.normal(size=(2, 3, 2))
    gradient_check(lambda b: tf.nn.bias_add(v4, b, data_format="NCHW"), b0)

    # BiasAddGrad's own gradient: differentiate d(sum(w * bias_add(v, b)))/db w.r.t. w
    def grad_wrt_b(w):
        b = tf.constant(b0)
        return tf.gradients(tf.nn.bias_add(tf.constant(v0), b), [b], grad_ys=w)[0]

    gradient_check(grad_wrt_b, RNG.normal(size=(4, 3)))


def test_xw_plus_b():
    x0, w0, b0 = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4)), RNG.normal(size=4)
    y = tf.nn.xw_plus_b(x0, w0, b0)
    assert y.op.name == "xw_plus_b"
    np.testing.assert_allclose(run(y), x0 @ w0 + b0)


# -- dropout -----------------------------------------------------------------------------------


def test_dropout_zeroes_and_scales():
    x = tf.ones([100, 100])
    y = tf.nn.dropout(x, keep_prob=0.25, seed=3)
    assert y.shape.as_list() == [100, 100]
    got = run(y)
    assert set(np.unique(got).tolist()) == {0.0, 4.0}
    assert abs((got == 0).mean() - 0.75) < 0.03
    got_rate = run(tf.nn.dropout(x, rate=0.75, seed=3))
    assert abs((got_rate == 0).mean() - 0.75) < 0.03


def test_dropout_seed_repeats_in_new_sessions():
    tf.set_random_seed(7)
    y = tf.nn.dropout(tf.ones([50]), keep_prob=0.5)
    with tf.Session() as s1:
        a, b = s1.run(y), s1.run(y)
    with tf.Session() as s2:
        a2 = s2.run(y)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, a2)


def test_dropout_noise_shape_drops_whole_rows():
    y = tf.nn.dropout(tf.ones([200, 5]), keep_prob=0.5, noise_shape=[200, 1], seed=1)
    got = run(y)
    assert all(len(set(row.tolist())) == 1 for row in got)
    assert 0 < (got[:, 0] == 0).sum() < 200


def test_dropout_with_a_fed_keep_prob():
    keep = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(tf.ones([1000]), keep_prob=keep, seed=2)
    assert np.array_equal(run(y, {keep: 1.0}), np.ones(1000))
    got = run(y, {keep: 0.5})
    assert set(np.unique(got).tolist()) == {0.0, 2.0}


def test_dropout_edge_cases_and_errors():
    x = tf.constant([1.0, 2.0])
    assert tf.nn.dropout(x, keep_prob=1.0) is x
    assert tf.nn.dropout(x, rate=0.0) is x
    with pytest.raises(
        ValueError, match=r"keep_prob must be a scalar tensor or a float in the range \(0, 1\]"
    ):
        tf.nn.dropout(x, keep_prob=0.0)
    with pytest.raises(
        ValueError, match=r"`rate` must be a scalar tensor or a float in the range \[0, 1\)"
    ):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'"):
        tf.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="floating point tensor"):
        tf.nn.dropout([1, 2], keep_prob=0.5)


def test_dropout_gradient_follows_the_mask():
    x = tf.constant(np.ones(400))
    y = tf.nn.dropout(x, keep_prob=0.5, seed=4)
    (g,) = tf.gradients(y, [x])
    with tf.Session() as sess:
        got_y, got_g = sess.run([y, g])
    # the same run draws one mask: the gradient is 2 where y was kept, 0 where dropped
    np.testing.assert_array_equal(got_g, got_y)


# -- moments, zero_fraction, l2_normalize ----------------------------------------------------


def test_moments():
    x0 = RNG.normal(size=(4, 3)).astype(np.float32)
    mean, var = tf.nn.moments(tf.constant(x0), axes=[0])
    assert (mean.name, var.name) == ("moments/Squeeze:0", "moments/Squeeze_1:0")
    assert mean.shape.as_list() == [3]
    m, v = run([mean, var])
    np.testing.assert_allclose(m, x0.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v, x0.var(axis=0), rtol=1e-5, atol=1e-6)
    mk, vk = tf.nn.moments(tf.constant(x0), axes=[0, 1], keep_dims=True)
    assert mk.shape.as_list() == [1, 1]
    np.testing.assert_allclose(run(vk), [[x0.var()]], rtol=1e-5)
    gradient_check(lambda x: tf.nn.moments(x, axes=[1])[1], RNG.normal(size=(2, 3)))


def test_zero_fraction():
    z = tf.nn.zero_fraction(tf.constant([[0.0, 1.0], [0.0, 0.0]]))
    assert z.name == "zero_fraction/fraction:0"
    assert z.dtype == tf.float32 and z.shape.as_list() == []
    assert run(z) == np.float32(0.75)
    assert run(tf.nn.zero_fraction([0, 1, 2])) == np.float32(1 / 3)
    relu_out = tf.nn.relu(RNG.normal(size=1000))
    frac = run(tf.nn.zero_fraction(relu_out))
    assert 0.4 < frac < 0.6


def test_l2_normalize():
    x0 = RNG.normal(size=(2, 3))
    y = tf.nn.l2_normalize(x0, axis=1)
    np.testing.assert_allclose(run(y), x0 / np.linalg.norm(x0, axis=1, keepdims=True))
    gradient_check(lambda x: tf.nn.l2_normalize(x, axis=1), x0)


def test_unimplemented_nn_names_say_so():
    assert not hasattr(tf.nn, "conv3d")
    with pytest.raises(NotImplementedError, match=r"tf\.nn\.max_pool3d"):
        tf.nn.max_pool3d  # noqa: B018
    with pytest.raises(AttributeError):
        tf.nn.no_such_thing  # noqa: B018


# -- tf.losses -----------------------------------------------------------------------------------


def test_mean_squared_error_default_reduction():
    y0 = RNG.normal(size=(4, 3)).astype(np.float32)
    p0 = RNG.normal(size=(4, 3)).astype(np.float32)
    loss = tf.losses.mean_squared_error(labels=y0, predictions=p0)
    assert loss.name == "mean_squared_error/value:0"
    assert loss.shape.as_list() == [] and loss.dtype == tf.float32
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    np.testing.assert_allclose(run(loss), np.mean((p0 - y0) ** 2), rtol=1e-5)


def test_weights_and_nonzero_weight_count():
    y0 = RNG.normal(size=(4, 3))
    p0 = RNG.normal(size=(4, 3))
    w_rows = np.array([[1.0], [0.0], [2.0], [0.0]])
    sq = (p0 - y0) ** 2
    cases = {
        "rows": (w_rows, np.sum(sq * w_rows) / 6),
        "scalar": (2.0, np.sum(sq * 2) / 12),
        "zero": (0.0, 0.0),
    }
    losses = {k: tf.losses.mean_squared_error(y0, p0, weights=w) for k, (w, _) in cases.items()}
    got = run(losses)
    for k, (_, expected) in cases.items():
        np.testing.assert_allclose(got[k], expected, rtol=1e-5, err_msg=k)


def test_reductions():
    losses = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 0.0], [2.0, 1.0]])
    R = tf.losses.Reduction
    expected = {
        R.NONE: losses * w,
        R.SUM: np.sum(losses * w),
        R.MEAN: np.sum(losses * w) / np.sum(w),
        R.SUM_OVER_BATCH_SIZE: np.sum(losses * w) / 4,
        R.SUM_BY_NONZERO_WEIGHTS: np.sum(losses * w) / 3,
    }
    built = {r: tf.losses.compute_weighted_loss(losses, w, reduction=r) for r in expected}
    got = run(built)
    for r, e in expected.items():
        np.testing.assert_allclose(got[r], e, rtol=1e-6, err_msg=r)
    assert got[R.NONE].dtype == np.float64
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.compute_weighted_loss(losses, reduction="average")


def test_loss_errors():
    with pytest.raises(ValueError, match="weights can not be broadcast to values"):
        tf.losses.mean_squared_error(np.zeros((2, 2)), np.zeros((2, 2)), weights=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.absolute_difference(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="`labels` must not be None"):
        tf.losses.mean_squared_error(None, [1.0])


def test_other_losses_values():
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], np.float32)
    p = np.array([[0.9, 0.2, 0.6], [0.3, 0.8, 0.1]], np.float32)
    x = np.array([[2.0, -1.0, 0.5], [-0.3, 1.2, -2.0]], np.float32)
    onehot = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], np.float32)
    eps = 1e-7
    expected = {
        "absolute_difference": np.mean(np.abs(p - y)),
        "log_loss": np.mean(-y * np.log(p + eps) - (1 - y) * np.log(1 - p + eps)),
        "sigmoid_cross_entropy": np.mean(np_logistic_loss(x, y)),
        "softmax_cross_entropy": np.mean(-(onehot * np_log_softmax(x)).sum(1)),
        "sparse_softmax_cross_entropy": np.mean(-np_log_softmax(x)[[0, 1], [2, 0]]),
        "smoothed_sigmoid": np.mean(np_logistic_loss(x, y * 0.8 + 0.1)),
        "smoothed_softmax": np.mean(-((onehot * 0.7 + 0.1) * np_log_softmax(x)).sum(1)),
        "sparse_column_labels": np.mean(-np_log_softmax(x)[[0, 1], [2, 0]]),
    }
    built = {
        "absolute_difference": tf.losses.absolute_difference(y, p),
        "log_loss": tf.losses.log_loss(y, p),
        "sigmoid_cross_entropy": tf.losses.sigmoid_cross_entropy(y, x),
        "softmax_cross_entropy": tf.losses.softmax_cross_entropy(onehot, x),
        "sparse_softmax_cross_entropy": tf.losses.sparse_softmax_cross_entropy([2, 0], x),
        "smoothed_sigmoid": tf.losses.sigmoid_cross_entropy(y, x, label_smoothing=0.2),
        "smoothed_softmax": tf.losses.softmax_cross_entropy(onehot, x, label_smoothing=0.3),
        "sparse_column_labels": tf.losses.sparse_softmax_cross_entropy([[2], [0]], x),
    }
    got = run(built)
    for k, e in expected.items():
        np.testing.assert_allclose(got[k], e, rtol=1e-5, err_msg=k)
    # float32 inputs: no cast back at the end, the loss is the "value" op itself
    names = {k: t.op.name for k, t in built.items()}
    assert names["absolute_difference"] == "absolute_difference/value"
    assert names["log_loss"] == "log_loss/value"
    assert names["sigmoid_cross_entropy"] == "sigmoid_cross_entropy_loss/value"
    assert names["softmax_cross_entropy"] == "softmax_cross_entropy_loss/value"
    assert names["sparse_softmax_cross_entropy"] == "sparse_softmax_cross_entropy_loss/value"
    assert len(tf.losses.get_losses()) == len(built)


def test_total_loss_and_collections():
    a = tf.losses.absolute_difference([1.0], [3.0])
    b = tf.losses.mean_squared_error([1.0], [3.0], loss_collection=None)
    c = tf.losses.mean_squared_error([0.0], [1.0], scope="extra")
    assert tf.losses.get_losses() == [a, c]
    assert tf.losses.get_losses(scope="extra") == [c]
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
    total = tf.losses.get_total_loss()
    assert total.op.name == "total_loss"
    assert run([total, b, tf.losses.get_regularization_loss()]) == [3.5, 4.0, 0.5]
    assert run(tf.losses.get_total_loss(add_regularization_losses=False)) == 3.0


@pytest.mark.parametrize(
    "name",
    [
        "mean_squared_error",
        "absolute_difference",
        "log_loss",
        "sigmoid_cross_entropy",
        "softmax_cross_entropy",
    ],
)
def test_loss_gradients(name):
    labels = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    weights = np.array([[1.0], [2.0]])
    x0 = RNG.uniform(0.2, 0.8, size=(2, 3))
    if name == "absolute_difference":
        x0 = np.where(np.abs(x0 - labels) < 0.1, x0 + 0.15, x0)
    if name == "softmax_cross_entropy":
        weights = np.array([1.0, 2.0])  # one weight per example: the loss is per row
    fn = getattr(tf.losses, name)
    # the losses compute in float32 (as TensorFlow's do), hence the coarser differences
    gradient_check(lambda x: fn(labels, x, weights=weights), x0, eps=1e-3, rtol=2e-3, atol=1e-4)


def test_sparse_loss_gradient():
    gradient_check(
        lambda x: tf.losses.sparse_softmax_cross_entropy([[2], [0]], x, weights=[[1.0], [3.0]]),
        RNG.normal(size=(2, 3)),
        eps=1e-3,
        rtol=2e-3,
        atol=1e-4,
    )


def test_linear_regression_with_mean_squared_error_trains():
    x0 = np.linspace(-1, 1, 20).reshape(-1, 1).astype(np.float32)
    y0 = 3 * x0 + 0.5
    w = tf.Variable(tf.zeros([1, 1]))
    b = tf.Variable(tf.zeros([1]))
    loss = tf.losses.mean_squared_error(y0, tf.nn.bias_add(tf.matmul(x0, w), b))
    gw, gb = tf.gradients(loss, [w, b])
    step = tf.group(tf.assign_sub(w, 0.5 * gw), tf.assign_sub(b, 0.5 * gb))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(200):
            sess.run(step)
        got_w, got_b = sess.run([w, b])
    np.testing.assert_allclose(got_w, [[3.0]], atol=1e-3)
    np.testing.assert_allclose(got_b, [0.5], atol=1e-3)
