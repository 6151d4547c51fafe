"""tf.variable_scope and tf.get_variable: names, sharing, initializers, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import teachflow as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def values(*variables: Any) -> list[Any]:
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(variables))


def test_get_variable_is_named_by_the_variable_scope() -> None:
    with tf.variable_scope("foo") as scope:
        v = tf.get_variable("v", [2])
        c = tf.constant(1.0)
        with tf.variable_scope("bar"):
            w = tf.get_variable("w", [], dtype=tf.int32)
    assert v.name == "foo/v:0" and w.name == "foo/bar/w:0"
    assert c.name == "foo/Const:0"
    assert scope.name == "foo" and scope.original_name_scope == "foo/"
    assert tf.get_variable_scope().name == ""


def test_get_variable_ignores_name_scope() -> None:
    with tf.name_scope("ns"):
        a = tf.get_variable("a", [1])
        with tf.variable_scope("vs"):
            b = tf.get_variable("b", [1])
            c = tf.constant(1)
    assert (a.name, b.name, c.name) == ("a:0", "vs/b:0", "ns/vs/Const:0")


def test_initializer_ops_live_under_the_variable() -> None:
    with tf.variable_scope("foo"):
        tf.get_variable("v", [2])
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "foo/v/Initializer/random_uniform" in names
    assert names[-3:] == ["foo/v", "foo/v/Assign", "foo/v/read"]


def test_creating_twice_without_reuse_is_an_error() -> None:
    with tf.variable_scope("foo"):
        tf.get_variable("v", [2])
    with pytest.raises(ValueError) as e:
        with tf.variable_scope("foo"):
            tf.get_variable("v", [2])
    assert str(e.value).startswith(
        "Variable foo/v already exists, disallowed. Did you mean to set reuse=True or "
        "reuse=tf.AUTO_REUSE in VarScope? Originally defined at:"
    )
    assert __file__ in str(e.value)


def test_reuse_returns_the_same_variable_and_checks_it() -> None:
    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [2])
    with tf.variable_scope("foo", reuse=True):
        assert tf.get_variable("v", [2]) is v
        assert tf.get_variable("v") is v
        assert tf.constant(1.0).name == "foo_1/Const:0"
        assert tf.get_variable_scope().reuse is True
        with pytest.raises(ValueError, match=r"specified shape \(3,\) and found shape \(2,\)"):
            tf.get_variable("v", [3])
        with pytest.raises(ValueError, match="specified dtype int32 and found dtype float32_ref"):
            tf.get_variable("v", [2], dtype=tf.int32)
        with pytest.raises(ValueError, match="Variable foo/nope does not exist"):
            tf.get_variable("nope", [2])


def test_reuse_is_inherited_by_sub_scopes_and_cannot_be_turned_off() -> None:
    with tf.variable_scope("a"):
        with tf.variable_scope("b"):
            v = tf.get_variable("v", [1])
    with tf.variable_scope("a", reuse=True):
        with tf.variable_scope("b", reuse=False):
            assert tf.get_variable("v") is v


def test_reuse_variables_on_a_captured_scope() -> None:
    with tf.variable_scope("net") as scope:
        v = tf.get_variable("v", [1])
        scope.reuse_variables()
        assert tf.get_variable("v", [1]) is v


def test_auto_reuse_creates_or_returns() -> None:
    def layer() -> Any:
        with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [3], initializer=tf.ones_initializer())

    first, second = layer(), layer()
    assert first is second
    assert repr(tf.AUTO_REUSE) == "<_ReuseMode.AUTO_REUSE: 1>"
    assert len(tf.global_variables()) == 1


def test_reentering_a_captured_scope_object() -> None:
    with tf.variable_scope("foo") as foo:
        v = tf.get_variable("v", [1])
    with tf.variable_scope(foo, reuse=True):
        assert tf.get_variable("v") is v
        assert tf.get_variable_scope().name == "foo"
        assert tf.constant(1.0).name == "foo_1/Const:0"


def test_default_name_is_made_unique() -> None:
    names = []
    for _ in range(2):
        with tf.variable_scope(None, default_name="layer"):
            names.append(tf.get_variable("k", [1]).name)
    assert names == ["layer/k:0", "layer_1/k:0"]
    with pytest.raises(TypeError, match="If default_name is None then name_or_scope is required"):
        tf.variable_scope(None)


def test_scope_initializer_and_dtype_are_defaults() -> None:
    with tf.variable_scope("init", initializer=tf.constant_initializer(0.5)):
        a = tf.get_variable("a", [2])
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
        with tf.variable_scope("inner"):
            c = tf.get_variable("c", [1])
    with tf.variable_scope("f64", dtype=tf.float64):
        d = tf.get_variable("d", [1], initializer=tf.zeros_initializer())
    assert d.dtype == tf.float64._as_ref
    va, vb, vc = values(a, b, c)
    np.testing.assert_array_equal(va, [0.5, 0.5])
    np.testing.assert_array_equal(vb, [0.0, 0.0])
    np.testing.assert_array_equal(vc, [0.5])


def test_default_initializers() -> None:
    w = tf.get_variable("w", [20, 30])
    n = tf.get_variable("n", [3], dtype=tf.int32)
    vw, vn = values(w, n)
    limit = np.sqrt(6.0 / (20 + 30))  # Glorot uniform
    assert np.all(np.abs(vw) <= limit) and np.abs(vw).max() > limit / 2
    np.testing.assert_array_equal(vn, [0, 0, 0])


def test_initializer_may_be_a_value() -> None:
    y = tf.get_variable("y", initializer=tf.constant([1.0, 2.0]))
    z = tf.get_variable("z", initializer=[[1, 2]], dtype=tf.int32)
    assert y.shape.as_list() == [2] and z.dtype == tf.int32._as_ref
    vy, vz = values(y, z)
    np.testing.assert_array_equal(vy, [1.0, 2.0])
    np.testing.assert_array_equal(vz, [[1, 2]])


def test_get_variable_argument_errors() -> None:
    with pytest.raises(ValueError, match="Variable nos did not get an initializer, so its `shape`"):
        tf.get_variable("nos")
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape."):
        tf.get_variable("x", [2], initializer=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="Initializer type '<dtype: 'float32'>' and explicit"):
        tf.get_variable("y", initializer=tf.constant([1.0]), dtype=tf.int32)
    with pytest.raises(ValueError, match="The reuse parameter must be True or False or None."):
        tf.variable_scope("s", reuse="yes")
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="d", reuse=True):
            pass


def test_trainable_and_collections() -> None:
    a = tf.get_variable("a", [1], trainable=False)
    b = tf.get_local_variable("b", [1], initializer=tf.zeros_initializer())
    c = tf.get_variable("c", [1], collections=["mine"])
    assert a in tf.global_variables() and a not in tf.trainable_variables()
    assert b in tf.local_variables() and b not in tf.global_variables()
    assert tf.get_collection("mine") == [c] and c in tf.trainable_variables()


def test_scope_collection_helpers() -> None:
    with tf.variable_scope("enc") as enc:
        w = tf.get_variable("w", [1])
        tf.get_variable("s", [1], trainable=False)
    tf.get_variable("other", [1])
    assert enc.trainable_variables() == [w]
    assert [v.name for v in enc.global_variables()] == ["enc/w:0", "enc/s:0"]


def test_regularizer_adds_a_loss() -> None:
    with tf.variable_scope("reg", regularizer=lambda v: tf.reduce_sum(tf.square(v))):
        w = tf.get_variable("w", initializer=tf.constant([3.0, 4.0]))
    (loss,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert loss.op.name.startswith("reg/w/Regularizer/")
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(loss) == pytest.approx(25.0)


def test_custom_getter_wraps_creation() -> None:
    seen = []

    def getter(next_getter: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(name)
        return next_getter(name + "_custom", *args, **kwargs)

    with tf.variable_scope("cg", custom_getter=getter):
        v = tf.get_variable("v", [1])
    assert seen == ["cg/v"] and v.name == "cg/v_custom:0"


def test_get_variable_ignores_surrounding_control_dependencies() -> None:
    c = tf.constant(1.0, name="c")
    with tf.control_dependencies([c]):
        v = tf.get_variable("v", [1])
    assert all(not op.control_inputs for op in tf.get_default_graph().get_operations()
               if op.name.startswith("v"))  # fmt: skip
    assert v.initializer.control_inputs == []


def test_unsupported_features_say_so() -> None:
    with pytest.raises(NotImplementedError, match="partitioned variables"):
        tf.get_variable("p", [4], partitioner=lambda shape, dtype: [2])
