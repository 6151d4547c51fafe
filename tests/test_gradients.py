"""tf.gradients: values (against finite differences), names, and TensorFlow's walk rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops import registry
from tests.conftest import run

pytestmark = pytest.mark.usefixtures("fresh_graph")


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of a float64 function."""
    x = x.astype(np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


def check_gradient(build: Callable[[Any], Any], x0: np.ndarray, rtol: float = 1e-5) -> None:
    """d sum(build(x)) / dx from tf.gradients against finite differences (float64)."""
    x = tf.placeholder(tf.float64, x0.shape)
    y = build(x)
    (dx,) = tf.gradients(y, x)
    with tf.Session() as sess:
        got = sess.run(dx, {x: x0})
        want = numeric_grad(lambda v: float(np.sum(sess.run(y, {x: v}))), x0)
    np.testing.assert_allclose(
        got,
        want,
        rtol=rtol,
        atol=1e-7,
        err_msg=f"tf.gradients gave {got}, finite differences {want}",
    )


# -- values -------------------------------------------------------------------------------------


def test_gradient_of_a_product_is_summed_over_both_uses() -> None:
    x = tf.constant(3.0)
    (dx,) = tf.gradients(x * x, [x])
    assert run(dx) == pytest.approx(6.0)


@pytest.mark.parametrize(
    "build",
    [
        lambda x: x * x * x,
        lambda x: tf.sin(x) * tf.exp(x) + x / (1.0 + x * x),
        lambda x: tf.reduce_sum(
            tf.square(tf.matmul(tf.reshape(x, [2, 3]), tf.ones([3, 2], tf.float64)))
        ),
        lambda x: tf.nn.relu(x - 0.5) + tf.sigmoid(x) * tf.tanh(2.0 * x),
        lambda x: tf.reduce_mean(x) * tf.reduce_sum(x * x),  # x reaches y along several paths
    ],
    ids=["cube", "mixed", "matmul", "activations", "two_paths"],
)
def test_gradients_match_finite_differences(build: Callable[[Any], Any]) -> None:
    rng = np.random.default_rng(0)
    check_gradient(build, rng.uniform(0.1, 1.0, size=(6,)))


def test_broadcasting_gradient_is_reduced_to_the_input_shape() -> None:
    a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = tf.constant([10.0, 20.0, 30.0])
    da, db = tf.gradients(a * b, [a, b])
    assert da is not None and db is not None
    assert da.shape.as_list() == [2, 3] and db.shape.as_list() == [3]
    va, vb = run([da, db])
    np.testing.assert_allclose(va, [[10, 20, 30], [10, 20, 30]])
    np.testing.assert_allclose(vb, [5.0, 7.0, 9.0])


def test_several_ys_are_summed() -> None:
    x = tf.constant(2.0)
    (dx,) = tf.gradients([x * x, 3.0 * x], x)
    assert run(dx) == pytest.approx(2 * 2.0 + 3.0)


def test_grad_ys_weight_each_y() -> None:
    x = tf.constant([1.0, 2.0])
    (dx,) = tf.gradients(x * x, x, grad_ys=[[10.0, 100.0]])
    np.testing.assert_allclose(run(dx), [20.0, 400.0])
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "gradients/grad_ys_0" in names


def test_grad_ys_of_the_wrong_length_is_a_value_error() -> None:
    x = tf.constant(1.0)
    with pytest.raises(ValueError, match="Passed 2 grad_ys for 1 ys"):
        tf.gradients(x * x, x, grad_ys=[1.0, 2.0])


def test_gradient_with_respect_to_a_variable_flows_through_its_read() -> None:
    w = tf.Variable([1.0, -2.0], name="w")
    (dw,) = tf.gradients(tf.reduce_sum(w * w), w)
    np.testing.assert_allclose(run(dw), [2.0, -4.0])


def test_gradient_of_y_with_respect_to_itself_is_ones() -> None:
    x = tf.constant([[1.0, 2.0]])
    (dx,) = tf.gradients(x, x)
    np.testing.assert_allclose(run(dx), [[1.0, 1.0]])


def test_intermediate_and_upstream_xs_both_get_every_path() -> None:
    a = tf.constant(3.0)
    b = a * a  # db/da = 6
    y = b * a  # dy/db = a = 3, dy/da (total) = 3 a^2 = 27
    da, db = tf.gradients(y, [a, b])
    assert run([da, db]) == pytest.approx([27.0, 3.0])


# -- None, integers, stop_gradient ------------------------------------------------------------


def test_unconnected_x_gets_none_or_zeros_on_request() -> None:
    x = tf.constant(1.0)
    z = tf.constant([1.0, 2.0])
    assert tf.gradients(x * 2.0, [z]) == [None]
    (dz,) = tf.gradients(x * 2.0, [z], unconnected_gradients="zero")
    np.testing.assert_array_equal(run(dz), [0.0, 0.0])


def test_integer_inputs_get_no_gradient() -> None:
    n = tf.constant(3)
    x = tf.constant(2.0)
    y = tf.cast(n, tf.float32) * x
    dn, dx = tf.gradients(y, [n, x])
    assert dn is None
    assert run(dx) == pytest.approx(3.0)


def test_stop_gradient_op_blocks_its_input() -> None:
    x = tf.constant(2.0)
    (dx,) = tf.gradients(tf.stop_gradient(x * x) + x, x)
    assert run(dx) == pytest.approx(1.0)
    assert tf.gradients(tf.stop_gradient(x), x) == [None]


def test_stop_gradients_argument_treats_tensors_as_constants() -> None:
    a = tf.constant(1.0)
    b = 2.0 * a
    y = a + b
    da_full, db_full = tf.gradients(y, [a, b])
    da_stop, db_stop = tf.gradients(y, [a, b], stop_gradients=[a, b])
    assert run([da_full, db_full]) == pytest.approx([3.0, 1.0])
    # with b held constant only the direct path from a counts; b itself still gets its gradient
    assert run([da_stop, db_stop]) == pytest.approx([1.0, 1.0])


def test_op_without_gradient_raises_lookup_error_naming_it() -> None:
    if "TeachNoGradTest" not in registry.REGISTRY:
        registry.define("TeachNoGradTest", infer=registry.same_as_input(0))(lambda x: x)
    x = tf.constant(1.0)
    y = registry.make1("TeachNoGradTest", [x], {}, "nograd")
    with pytest.raises(LookupError, match=r"No gradient defined for operation 'nograd'"):
        tf.gradients(y * 2.0, x)


# -- names ----------------------------------------------------------------------------------------


def test_gradient_ops_live_under_gradients_scopes_made_unique() -> None:
    x = tf.constant(3.0, name="x")
    y = tf.multiply(x, 2.0, name="y")
    (g1,) = tf.gradients(y, x)
    (g2,) = tf.gradients(y, x)
    (g3,) = tf.gradients(y, x, name="my_grads")
    assert g1 is not None and g2 is not None and g3 is not None
    assert g1.op.name.startswith("gradients/y_grad/")
    assert g2.op.name.startswith("gradients_1/y_grad/")
    assert g3.op.name.startswith("my_grads/y_grad/")
    assert [op.name for op in tf.get_default_graph().get_operations()][:4] == [
        "x",
        "y/y",
        "y",
        "gradients/Shape",
    ]


def test_two_gradients_reaching_one_tensor_are_added_by_addn() -> None:
    x = tf.constant(3.0)
    (dx,) = tf.gradients(x * x, x)
    assert dx is not None and dx.op.type == "AddN" and dx.op.name == "gradients/AddN"


def test_gate_gradients_groups_an_ops_input_gradients() -> None:
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    da, db = tf.gradients(tf.multiply(a, b, name="m"), [a, b], gate_gradients=True)
    assert da is not None and db is not None
    assert da.op.name == "gradients/m_grad/tuple/control_dependency"
    assert db.op.name == "gradients/m_grad/tuple/control_dependency_1"
    assert [c.name for c in da.op.control_inputs] == ["gradients/m_grad/tuple/group_deps"]
    assert run([da, db]) == pytest.approx([2.0, 1.0])


# -- higher order -------------------------------------------------------------------------------


def test_gradient_of_a_gradient() -> None:
    x = tf.constant(2.0)
    y = x * x * x
    (dy,) = tf.gradients(y, x)
    (d2y,) = tf.gradients(dy, x)
    (d3y,) = tf.gradients(d2y, x)
    assert run([dy, d2y, d3y]) == pytest.approx([12.0, 12.0, 6.0])
    assert d2y is not None and d2y.op.name.startswith("gradients_1/")


def test_second_derivative_matches_finite_differences_of_the_first() -> None:
    x0 = np.array([0.3, -0.7, 1.1])
    x = tf.placeholder(tf.float64, [3])
    y = tf.reduce_sum(tf.sin(x) * x * x)
    (dy,) = tf.gradients(y, x)
    (d2,) = tf.gradients(tf.reduce_sum(dy), x)
    with tf.Session() as sess:
        got = sess.run(d2, {x: x0})
        want = numeric_grad(lambda v: float(np.sum(sess.run(dy, {x: v}))), x0)
    np.testing.assert_allclose(got, want, rtol=1e-5, err_msg=f"got {got}, want {want}")
