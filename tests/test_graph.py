"""Graph building: names, scopes, collections, control dependencies, printed forms."""

from __future__ import annotations

import pytest

import teachflow as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_unique_names_and_case_insensitivity():
    a, b, c = tf.constant(1), tf.constant(2), tf.constant(3, name="Const_1")
    assert [a.op.name, b.op.name, c.op.name] == ["Const", "Const_1", "Const_1_1"]
    x = tf.constant(1.0)
    assert (x + x).op.name == "add"
    assert tf.add(x, x).op.name == "Add_1"  # TF >= 1.9 checks names case-insensitively


def test_name_scope_nesting_reentry_and_trailing_slash():
    with tf.name_scope("outer") as outer:
        with tf.name_scope("inner") as inner:
            c = tf.constant(1)
    assert (outer, inner, c.op.name) == ("outer/", "outer/inner/", "outer/inner/Const")
    with tf.name_scope("outer") as again:
        pass
    assert again == "outer_1/"
    with tf.name_scope("outer/"):
        d = tf.constant(2)
    assert d.op.name == "outer/Const"
    with tf.name_scope("outer"), tf.name_scope(None):
        e = tf.constant(3)
    assert e.op.name == "Const"


def test_invalid_names():
    with pytest.raises(ValueError, match="'bad name!' is not a valid root scope name"):
        with tf.name_scope("bad name!"):
            pass
    with pytest.raises(ValueError, match="'my const' is not a valid node name"):
        tf.constant(1, name="my const")
    # the graph stays usable
    assert tf.constant(1).op.name == "Const"


def test_printed_forms():
    p = tf.placeholder(tf.float32, shape=[None, 3])
    assert str(p) == 'Tensor("Placeholder:0", shape=(?, 3), dtype=float32)'
    assert repr(p) == "<tf.Tensor 'Placeholder:0' shape=(?, 3) dtype=float32>"
    q = tf.placeholder(tf.int32)
    assert str(q) == 'Tensor("Placeholder_1:0", dtype=int32)'
    assert repr(q) == "<tf.Tensor 'Placeholder_1:0' shape=<unknown> dtype=int32>"
    v = tf.Variable(0, name="counter")
    assert repr(v) == "<tf.Variable 'counter:0' shape=() dtype=int32_ref>"
    assert repr(tf.float32) == "tf.float32" and str(tf.float32) == "<dtype: 'float32'>"
    assert tf.float32 == "float32"
    m = tf.matmul(tf.constant([[1.0]]), tf.constant([[2.0]]))
    assert repr(m.op) == "<tf.Operation 'MatMul' type=MatMul>"
    assert str(tf.TensorShape([None, 3])) == "(?, 3)"
    assert str(tf.TensorShape([2])) == "(2,)"
    assert tf.TensorShape([None, 3]).as_list() == [None, 3]
    with pytest.raises(ValueError, match="as_list\\(\\) is not defined on an unknown"):
        tf.TensorShape(None).as_list()


def test_variable_ops_are_named_like_tensorflow():
    tf.Variable(0, name="counter")
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names == ["counter/initial_value", "counter", "counter/Assign", "counter/read"]
    w1 = tf.Variable(1.0, name="W")
    w2 = tf.Variable(1.0, name="W")
    assert (w1.name, w2.name, w2.initializer.name) == ("W:0", "W_1:0", "W_1/Assign")


def test_tensor_identity_bool_and_iter():
    a = tf.constant(1)
    b = tf.constant(1)
    assert a == a and a != b and len({a, b}) == 2
    with pytest.raises(TypeError, match="Using a `tf.Tensor` as a Python `bool` is not"):
        bool(a)
    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError, match="object is not iterable"):
        iter(a)


def test_lookup_by_name():
    g = tf.get_default_graph()
    c = tf.constant(1.0, name="c")
    assert g.get_tensor_by_name("c:0") is c
    assert g.get_operation_by_name("c") is c.op
    with pytest.raises(KeyError, match="does not exist"):
        g.get_tensor_by_name("nope:0")
    with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
        g.as_graph_element("c", allow_operation=False)


def test_collections_and_variables_lists():
    v = tf.Variable(1.0, name="v")
    w = tf.Variable(2.0, name="w", trainable=False)
    assert tf.global_variables() == [v, w]
    assert tf.trainable_variables() == [v]
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="w") == [w]
    tf.add_to_collection("mine", 42)
    assert tf.get_collection("mine") == [42]


def test_control_dependencies():
    a = tf.constant(1, name="a")
    with tf.control_dependencies([a]):
        b = tf.constant(2, name="b")
        with tf.control_dependencies(None):
            c = tf.constant(3, name="c")
    assert b.op.control_inputs == [a.op]
    assert c.op.control_inputs == []


def test_other_graph_and_default_stack():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1)
        assert tf.get_default_graph() is g
    assert c.graph is g and tf.get_default_graph() is not g
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(c, tf.constant(1))


def test_listing_names_every_op():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    _ = x * 2.0 + 1.0
    text = tf.get_default_graph().listing()
    for op in tf.get_default_graph().get_operations():
        assert op.name in text
