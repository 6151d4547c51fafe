"""The reference behaviour document, statement by statement.

Each test names the part of the reference (TensorFlow 1.x graph-mode behaviour) it checks.
The policy of that document: behaviour as observed on TensorFlow 2.21 (``tf.compat.v1`` with
v2 behaviour disabled), except that where TensorFlow 2 reworded a message, teachflow keeps the
1.x text, minus TF2-only prefixes such as "Graph execution error:".
"""

from __future__ import annotations

import collections
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto.summary_pb2 import Summary

import teachflow as tf

pytestmark = pytest.mark.usefixtures("fresh_graph")


def first_line(exc: BaseException) -> str:
    return str(exc).split("\n")[0]


# -- Naming and printing ---------------------------------------------------------------------


def test_default_op_names_of_functions():
    a = tf.constant([[1.0, 2.0]])
    b = tf.constant([[1.0], [2.0]])
    x = tf.placeholder(tf.float32)
    v = tf.Variable(1.0)
    f = tf.constant(1.0)
    i = tf.constant([1, 2])
    built = {
        "Const": a,
        "Const_1": b,
        "MatMul": tf.matmul(a, b),
        "Placeholder": x,
        "Variable": v,
        "Add": tf.add(f, f),
        "Mul": tf.multiply(f, f),
        "Sub": tf.subtract(f, f),
        "Neg": tf.negative(f),
        "div": tf.div(f, f),
        "truediv": tf.divide(f, f),
        "Sum": tf.reduce_sum(a),
        "Mean": tf.reduce_mean(a),
        "Square": tf.square(f),
        "Sqrt": tf.sqrt(f),
        "Exp": tf.exp(f),
        "Log": tf.log(f),
        "Abs": tf.abs(f),
        "Sigmoid": tf.sigmoid(f),
        "Relu": tf.nn.relu(f),
        "Cast": tf.cast(f, tf.int32),
        "Reshape": tf.reshape(a, [2]),
        "zeros": tf.zeros([2]),
        "ones": tf.ones([2]),
        "Fill": tf.fill([2], 1.0),
        "random_normal": tf.random_normal([2]),
        "Identity": tf.identity(f),
        "Shape": tf.shape(a),
        "Size": tf.size(a),
        "Rank": tf.rank(a),
        "transpose": tf.transpose(a),
        "AddN": tf.add_n([f, f]),
        "Maximum": tf.maximum(f, f),
        "Equal": tf.equal(i, i),
        "ArgMax": tf.argmax(i),
        "NoOp": tf.no_op(),
        "group_deps": tf.group(tf.no_op()),
        "Assign": tf.assign(v, 2.0),
        "AssignAdd": tf.assign_add(v, 2.0),
    }
    for name, made in built.items():
        op = made if isinstance(made, tf.Operation) else made.op
        assert op.name == name, (name, op.name)
    assert v.op.type == "VariableV2"
    assert built["ArgMax"].dtype == tf.int64
    assert built["div"].op.type == "RealDiv" and built["truediv"].op.type == "RealDiv"


def test_operator_names_and_types():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    m = tf.constant([[1.0]])
    p = tf.constant(True)
    # Doc: type Add (AddV2 from 1.15); TF 2.21 builds AddV2, which teachflow follows.
    expected = [
        (a + b, "add", "AddV2"),
        (a * b, "mul", "Mul"),
        (a - b, "sub", "Sub"),
        (a / b, "truediv", "RealDiv"),
        (-a, "Neg", "Neg"),
        (a**b, "pow", "Pow"),
        (a // b, "floordiv", "FloorDiv"),
        (a % b, "mod", "FloorMod"),
        (m @ m, "matmul", "MatMul"),
        (a < b, "Less", "Less"),
        (a <= b, "LessEqual", "LessEqual"),
        (a > b, "Greater", "Greater"),
        (a >= b, "GreaterEqual", "GreaterEqual"),
        (p & p, "and", "LogicalAnd"),
        (~p, "LogicalNot", "LogicalNot"),
        (tf.constant([1, 2])[0], "strided_slice", "StridedSlice"),
    ]
    for tensor, name, op_type in expected:
        assert (tensor.op.name, tensor.op.type) == (name, op_type)


def test_reflected_operators_use_the_same_names():
    a = tf.constant(2.0)
    assert (1.0 + a).op.name == "add"
    assert (1.0 * a).op.name == "mul"
    assert (1.0 - a).op.name == "sub"
    assert (1.0 / a).op.name == "truediv"
    assert (1.0**a).op.name == "pow"
    assert (1.0 // a).op.name == "floordiv"
    assert (1.0 % a).op.name == "mod"


def test_uniquifying_names():
    names = [tf.constant(1, name="foo").op.name for _ in range(2)]
    assert names == ["foo", "foo_1"]
    assert tf.constant(1, name="foo_1").op.name == "foo_1_1"
    assert tf.constant(1, name="foo").op.name == "foo_2"


def test_uniquifying_is_case_insensitive():
    # The doc leaves the choice open; teachflow follows TF >= 1.9 (and 2.21): case-insensitive.
    a = tf.constant(1.0)
    assert (a + a).op.name == "add"
    assert tf.add(a, a).op.name == "Add_1"


def test_str_of_tensor():
    product = tf.matmul(tf.constant([[3.0, 3.0]]), tf.constant([[2.0], [2.0]]))
    assert str(product) == 'Tensor("MatMul:0", shape=(1, 1), dtype=float32)'
    assert str(tf.placeholder(tf.float32)) == 'Tensor("Placeholder:0", dtype=float32)'
    assert str(tf.placeholder(tf.float32, [None, 3])) == (
        'Tensor("Placeholder_1:0", shape=(?, 3), dtype=float32)'
    )
    assert str(tf.placeholder(tf.float32, [None])) == (
        'Tensor("Placeholder_2:0", shape=(?,), dtype=float32)'
    )
    assert str(tf.constant(1.0)) == 'Tensor("Const_2:0", shape=(), dtype=float32)'


def test_repr_of_tensor():
    assert repr(tf.constant(1.0)) == "<tf.Tensor 'Const:0' shape=() dtype=float32>"
    assert repr(tf.placeholder(tf.float32)) == (
        "<tf.Tensor 'Placeholder:0' shape=<unknown> dtype=float32>"
    )


def test_tensor_shape_printing():
    assert str(tf.TensorShape([None, 3])) == "(?, 3)"
    assert str(tf.TensorShape([])) == "()"
    assert str(tf.TensorShape([2])) == "(2,)"
    assert str(tf.TensorShape(None)) == "<unknown>"
    assert tf.TensorShape([None, 3]).as_list() == [None, 3]
    with pytest.raises(ValueError) as info:
        tf.TensorShape(None).as_list()
    assert first_line(info.value) == "as_list() is not defined on an unknown TensorShape."


def test_dtype_printing():
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert repr(tf.float32) == "tf.float32"
    assert tf.float32 == "float32"
    v = tf.Variable(1.0)
    assert str(v.dtype) == "<dtype: 'float32_ref'>"
    assert repr(v.dtype) == "tf.float32_ref"


def test_operation_repr_and_attributes():
    a = tf.constant([[1.0]])
    product = tf.matmul(a, a)
    op = product.op
    assert repr(op) == "<tf.Operation 'MatMul' type=MatMul>"
    assert op.name == "MatMul" and op.type == "MatMul"
    assert list(op.inputs) == [a, a] and list(op.outputs) == [product]
    assert op.node_def.name == "MatMul" and op.node_def.op == "MatMul"
    assert op.graph is tf.get_default_graph()
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        v.initializer.run(session=sess)
        tf.assign(v, 5.0).op.run(session=sess)
        assert sess.run(v) == 5.0
        x = tf.placeholder(tf.float32)
        tf.assign(v, x).op.run({x: 7.0}, sess)
        assert sess.run(v) == 7.0


def test_tensor_attributes():
    t = tf.constant([1.0, 2.0])
    assert t.op.name == "Const" and t.value_index == 0 and t.dtype == tf.float32
    assert t.shape.as_list() == [2] and t.get_shape().as_list() == [2]
    assert t.graph is tf.get_default_graph() and t.name == "Const:0"
    with tf.Session() as sess:
        np.testing.assert_array_equal(t.eval(session=sess), [1.0, 2.0])


def test_variable_repr_and_ops():
    state = tf.Variable(0, name="counter")
    assert repr(state) == "<tf.Variable 'counter:0' shape=() dtype=int32_ref>"
    g = tf.get_default_graph()
    ops = {op.name: op.type for op in g.get_operations()}
    assert ops == {
        "counter/initial_value": "Const",
        "counter": "VariableV2",
        "counter/Assign": "Assign",
        "counter/read": "Identity",
    }
    assert state.initializer.name == "counter/Assign"
    assert state.value().name == "counter/read:0"


def test_second_variable_with_the_same_name():
    tf.Variable(1.0, name="W")
    w = tf.Variable(1.0, name="W")
    assert w.name == "W_1:0"
    assert w.initializer.name == "W_1/Assign" and w.value().op.name == "W_1/read"


def test_name_scope():
    with tf.name_scope("scope") as sc:
        assert sc == "scope/"
        assert tf.constant(1).op.name == "scope/Const"
        assert tf.constant(1).op.name == "scope/Const_1"
    with tf.name_scope("scope"):
        assert tf.constant(1).op.name == "scope_1/Const"
    with tf.name_scope("scope/"):
        assert tf.constant(1).op.name == "scope/Const_2"
    with tf.name_scope("a") as sc:
        assert sc == "a/"
        with tf.name_scope(None):
            assert tf.constant(1).op.name == "Const"


def test_invalid_scope_and_op_names():
    with pytest.raises(ValueError) as info, tf.name_scope("bad name!"):
        pass
    assert first_line(info.value) == (
        "'bad name!' is not a valid root scope name. A root scope name has to match the "
        "following pattern: ^[A-Za-z0-9.][A-Za-z0-9_.\\\\/>-]*$"
    )
    with pytest.raises(ValueError) as info:
        tf.constant(1, name="my const")
    assert first_line(info.value) == "'my const' is not a valid node name"


def test_tensor_equality_hash_bool_iter():
    a = tf.constant(1)
    b = tf.constant(1)
    assert a == a and a != b and (a == b) is False
    assert hash(a) == id(a)
    with pytest.raises(TypeError) as info:
        bool(a)
    assert first_line(info.value).startswith(
        "Using a `tf.Tensor` as a Python `bool` is not allowed. "
        "Use `if t is not None:` instead of `if t:`"
    )
    with pytest.raises(TypeError) as info:
        iter(tf.constant([1, 2]))
    assert first_line(info.value) == "'Tensor' object is not iterable."


# -- dtypes and construction-time errors -------------------------------------------------------


def test_python_value_dtypes():
    assert tf.constant(1.0).dtype == tf.float32
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(2**40).dtype == tf.int64
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant("s").dtype == tf.string
    assert tf.constant([1, 2.0]).dtype == tf.float32
    assert tf.constant(np.arange(3)).dtype == tf.int64
    assert tf.constant(np.float64(1.0)).dtype == tf.float64
    assert tf.constant(np.array([1.0])).dtype == tf.float64


def test_constant_none_shape_padding_and_too_many():
    with pytest.raises(ValueError) as info:
        tf.constant(None)
    assert first_line(info.value) == "None values not supported."
    padded = tf.constant([1, 2], shape=[2, 2])
    filled = tf.constant(7, shape=[2, 3])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(padded), [[1, 2], [2, 2]])
        np.testing.assert_array_equal(sess.run(filled), np.full((2, 3), 7))
    with pytest.raises(ValueError) as info:
        tf.constant([1, 2, 3, 4, 5], shape=[2, 2])
    assert first_line(info.value) == "Too many elements provided. Takes at most 4, but got 5."


def test_division_dtypes_and_floor_semantics():
    i32 = tf.constant(7) / tf.constant(2)
    assert i32.dtype == tf.float64
    for dtype in (tf.int8, tf.int16, tf.uint8):
        q = tf.constant(7, dtype=dtype) / tf.constant(2, dtype=dtype)
        assert q.dtype == tf.float32
    with tf.Session() as sess:
        assert sess.run(i32) == 3.5
        assert sess.run(tf.constant(-5) // tf.constant(2)) == -3
        assert sess.run(tf.constant(-5) % tf.constant(3)) == 1


def test_python_scalar_of_the_wrong_kind():
    with pytest.raises(TypeError) as info:
        tf.constant(1) + 1.5
    assert first_line(info.value) == "Expected int32, got 1.5 of type 'float' instead."
    with pytest.raises(TypeError) as info:
        tf.constant(1.0, dtype=tf.int32)
    assert first_line(info.value) == "Expected int32, got 1.0 of type 'float' instead."
    assert (tf.constant(1.0) + 1).dtype == tf.float32


def test_mixed_dtype_tensors():
    # Doc: 1.x gives a TypeError "Input 'y' of 'Add' Op has type int32 ..." and the 0.x path (the
    # seed) a ValueError "Tensor conversion requested ...". SEED.md's transcript must read the
    # same, so the seed's text is the first line; the 1.x text (with the op type built, AddV2
    # since 1.15) follows, and the error is both a ValueError and a TypeError.
    a = tf.Variable(0.0)
    b = tf.constant(1, name="b")
    for build in (lambda: tf.add(a, b), lambda: a + b, lambda: tf.constant(1.0) + b):
        with pytest.raises(TypeError) as info:
            build()
        assert isinstance(info.value, ValueError)
        assert first_line(info.value) == (
            "Tensor conversion requested dtype float32 for Tensor with dtype int32: "
            """'Tensor("b:0", shape=(), dtype=int32)'"""
        )
        assert (
            "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of "
            "argument 'x'." in str(info.value)
        )


def test_assign_python_scalar_of_the_wrong_kind():
    v = tf.Variable(0)
    with pytest.raises(TypeError) as info:
        tf.assign(v, 1.5)
    assert first_line(info.value) == (
        "Expected int32 passed to parameter 'value' of op 'Assign', got 1.5 of type 'float' "
        "instead."
    )


def test_construction_shape_errors():
    with pytest.raises(ValueError) as info:
        tf.matmul(tf.constant([[1.0, 2.0]]), tf.constant([[1.0, 2.0]]))
    assert first_line(info.value) == (
        "Dimensions must be equal, but are 2 and 1 for 'MatMul' (op: 'MatMul') with input "
        "shapes: [1,2], [1,2]."
    )
    with pytest.raises(ValueError) as info:
        tf.matmul(tf.constant([1.0, 2.0]), tf.constant([[1.0, 2.0]]))
    assert first_line(info.value) == (
        "Shape must be rank 2 but is rank 1 for 'MatMul_1' (op: 'MatMul') with input shapes: "
        "[2], [1,2]."
    )
    with pytest.raises(ValueError) as info:
        tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])
    # Doc: (op: 'Add'); TF 2.21 builds AddV2 for `+` and names that type, which teachflow follows
    # (the op type is a fact about the graph, not a reworded message).
    assert first_line(info.value) == (
        "Dimensions must be equal, but are 2 and 3 for 'add' (op: 'AddV2') with input shapes: "
        "[2], [3]."
    )
    with pytest.raises(ValueError) as info:
        tf.reshape(tf.constant([1, 2, 3]), [2, 2])
    assert first_line(info.value).startswith(
        "Cannot reshape a tensor with 3 elements to shape [2,2] (4 elements) for 'Reshape' "
    )


def test_run_time_shape_errors_with_unknown_dims():
    x = tf.placeholder(tf.float32, [None, 3])
    product = tf.matmul(x, x)
    reshaped = tf.reshape(x, [5])
    data = np.ones((2, 3), np.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(product, {x: data})
        assert first_line(info.value).startswith(
            "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]"
        )
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(reshaped, {x: data})
        assert first_line(info.value).startswith(
            "Input to reshape is a tensor with 6 values, but the requested shape has 5"
        )


# -- Session.run ------------------------------------------------------------------------------


def test_fetch_kinds():
    a = tf.constant(2.0)
    s = tf.constant("hi")
    v = tf.Variable(3, name="v")
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        assert sess.run(init) is None
        assert sess.run("init") is None
        out = sess.run(a)
        assert isinstance(out, np.float32) and out == 2.0
        assert sess.run(s) == b"hi"
        assert sess.run(v) == 3 and sess.run("v:0") == 3
        assert sess.run([]) == []


def test_fetch_structures():
    a, b = tf.constant(1), tf.constant(2.0)
    Pair = collections.namedtuple("Pair", "x y")
    with tf.Session() as sess:
        out = sess.run(
            {"l": [a, (b,)], "p": Pair(a, b), "o": collections.OrderedDict(z=b), "d": {"a": a}}
        )
    assert isinstance(out["l"], list) and isinstance(out["l"][1], tuple)
    assert isinstance(out["p"], Pair) and out["p"].x == 1 and out["p"].y == 2.0
    assert isinstance(out["o"], collections.OrderedDict) and out["o"]["z"] == 2.0
    assert out["d"] == {"a": 1}


def test_duplicate_fetches_evaluated_once():
    v = tf.Variable(0)
    inc = tf.assign_add(v, 1)
    with tf.Session() as sess:
        sess.run(v.initializer)
        first, second = sess.run([inc, inc])
        assert first == second == 1
        assert sess.run(v) == 1


def test_fetch_errors():
    tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(TypeError) as info:
            sess.run(None)
        assert first_line(info.value).startswith(
            "Fetch argument None has invalid type <class 'NoneType'>"
        )
        with pytest.raises(TypeError) as info:
            sess.run(5)
        assert first_line(info.value) == (
            "Fetch argument 5 has invalid type <class 'int'>, must be a string or Tensor. "
            "(Can not convert a int into a Tensor or Operation.)"
        )
        with pytest.raises(ValueError) as info:
            sess.run("nonexist:0")
        assert first_line(info.value) == (
            "Fetch argument 'nonexist:0' cannot be interpreted as a Tensor. (\"The name "
            "'nonexist:0' refers to a Tensor which does not exist. The operation, 'nonexist', "
            'does not exist in the graph.")'
        )
    with tf.Graph().as_default():
        other = tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(ValueError) as info:
            sess.run(other)
        assert first_line(info.value) == (
            "Fetch argument <tf.Tensor 'Const:0' shape=() dtype=int32> cannot be interpreted as "
            'a Tensor. (Tensor Tensor("Const:0", shape=(), dtype=int32) is not an element of '
            "this graph.)"
        )


def test_feed_keys():
    c = tf.constant(1.0)
    x = tf.placeholder(tf.float32, name="x")
    double = c * 2.0
    y = double + 1.0
    with tf.Session() as sess:
        assert sess.run(double, {c: 5.0}) == 10.0
        assert sess.run(y, {double: 100.0}) == 101.0
        assert sess.run(x * 2.0, {"x:0": 3.0}) == 6.0


def test_feed_key_naming_an_operation():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess, pytest.raises(TypeError) as info:
        sess.run(x, {"Placeholder": 1.0})
    assert first_line(info.value) == (
        "Cannot interpret feed_dict key as Tensor: The name 'Placeholder' refers to an "
        'Operation, not a Tensor. Tensor names must be of the form "<op_name>:<output_index>".'
    )


def test_feed_value_that_is_a_tensor():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess, pytest.raises(TypeError) as info:
        sess.run(x, {x: tf.constant(1.0)})
    # Doc's text, then the later-1.x tail (TF 2.21 rewords it "passed to the argument
    # `feed_dict` with key"; the 1.x wording is kept).
    assert first_line(info.value) == (
        "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
        "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the "
        'tensor object was Tensor("Const:0", shape=(), dtype=float32) which was passed to the '
        'feed with key Tensor("Placeholder:0", dtype=float32).'
    )


def test_feed_values_are_converted_to_the_key_dtype():
    x = tf.placeholder(tf.int32)
    with tf.Session() as sess:
        out = sess.run(x, {x: [1.7, 2.2]})
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, np.asarray([1.7, 2.2], dtype=np.int32))


def test_feed_shape_check():
    x = tf.placeholder(tf.float32, shape=[2])
    with tf.Session() as sess, pytest.raises(ValueError) as info:
        sess.run(x, {x: [1.0, 2.0, 3.0]})
    assert first_line(info.value) == (
        "Cannot feed value of shape (3,) for Tensor 'Placeholder:0', which has shape '(2,)'"
    )


@pytest.mark.parametrize(
    ("dtype", "spelled"),
    [
        (tf.float32, "float"),
        (tf.float64, "double"),
        (tf.int32, "int32"),
        (tf.int64, "int64"),
        (tf.string, "string"),
        (tf.bool, "bool"),
    ],
)
def test_missing_feed(dtype, spelled):
    x = tf.placeholder(dtype)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(x)
    assert first_line(info.value) == (
        f"You must feed a value for placeholder tensor 'Placeholder' with dtype {spelled}"
    )
    assert info.value.op is x.op


def test_missing_feed_with_known_shape():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(x)
    assert first_line(info.value) == (
        "You must feed a value for placeholder tensor 'Placeholder' with dtype float "
        "and shape [?,3]"
    )


def test_uninitialized_variable():
    state = tf.Variable(0, name="counter")
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(state)
    text = str(info.value)
    assert text.startswith(
        "Attempting to use uninitialized value counter\n\t [[{{node counter/read}}]]"
    )


def test_uninitialized_variable_names_the_reading_op():
    state = tf.Variable(0, name="counter")
    total = tf.add(state, 1)
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(total)
    assert str(info.value).startswith(
        "Attempting to use uninitialized value counter\n\t [[{{node counter/read}}]]"
    )


def test_closed_session_and_empty_graph():
    tf.constant(1)
    sess = tf.Session()
    sess.close()
    sess.close()
    with pytest.raises(RuntimeError) as info:
        sess.run(tf.constant(2))
    assert first_line(info.value) == "Attempted to use a closed Session."
    with tf.Graph().as_default(), tf.Session() as empty, pytest.raises(RuntimeError) as info:
        empty.run([])
    assert first_line(info.value) == (
        "The Session graph is empty. Add operations to the graph before calling run()."
    )


def test_session_context_not_reentrant():
    tf.constant(1)
    sess = tf.Session()
    with sess:
        with pytest.raises(RuntimeError) as info, sess:
            pass
    assert first_line(info.value) == (
        "Session context managers are not re-entrant. Use `Session.as_default()` if you want "
        "to enter a session multiple times."
    )
    sess.close()


def test_default_sessions_and_eval_without_one():
    t = tf.constant(3)
    with tf.Session() as s:
        assert tf.get_default_session() is s
        assert t.eval() == 3
    interactive = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is interactive
        assert t.eval() == 3
    finally:
        interactive.close()
    assert tf.get_default_session() is None
    with pytest.raises(ValueError) as info:
        t.eval()
    assert first_line(info.value) == (
        "Cannot evaluate tensor using `eval()`: No default session is registered. Use "
        "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`"
    )


def test_error_classes_and_codes():
    e = tf.errors
    err = e.OpError(None, None, "boom", e.INVALID_ARGUMENT)
    assert (err.node_def, err.op, err.message, err.error_code) == (None, None, "boom", 3)
    codes = {
        "CancelledError": ("CANCELLED", 1),
        "UnknownError": ("UNKNOWN", 2),
        "InvalidArgumentError": ("INVALID_ARGUMENT", 3),
        "DeadlineExceededError": ("DEADLINE_EXCEEDED", 4),
        "NotFoundError": ("NOT_FOUND", 5),
        "AlreadyExistsError": ("ALREADY_EXISTS", 6),
        "PermissionDeniedError": ("PERMISSION_DENIED", 7),
        "ResourceExhaustedError": ("RESOURCE_EXHAUSTED", 8),
        "FailedPreconditionError": ("FAILED_PRECONDITION", 9),
        "AbortedError": ("ABORTED", 10),
        "OutOfRangeError": ("OUT_OF_RANGE", 11),
        "UnimplementedError": ("UNIMPLEMENTED", 12),
        "InternalError": ("INTERNAL", 13),
        "UnavailableError": ("UNAVAILABLE", 14),
        "DataLossError": ("DATA_LOSS", 15),
        "UnauthenticatedError": ("UNAUTHENTICATED", 16),
    }
    for cls_name, (const, code) in codes.items():
        cls = getattr(e, cls_name)
        assert getattr(e, const) == code
        made = cls(None, None, "m")
        assert isinstance(made, e.OpError) and made.error_code == code


def test_only_the_needed_subgraph_runs():
    x = tf.placeholder(tf.float32)
    needs_feed = x * 2.0
    fine = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        assert sess.run(fine) == 2.0
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run([fine, needs_feed])


def test_variable_fetched_with_its_update_runs_each_node_once():
    v = tf.Variable(0)
    inc = tf.assign_add(v, 1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([v, inc])
        assert sess.run(v) == 1


# -- Variables --------------------------------------------------------------------------------


def test_variable_signature_and_missing_value():
    v = tf.Variable(1, trainable=False, collections=None, validate_shape=True, name="v", dtype=None)
    assert v.dtype.name == "int32_ref" and v not in tf.trainable_variables()
    w = tf.Variable(1, dtype=tf.float32)
    assert w.dtype.base_dtype == tf.float32
    with pytest.raises(ValueError) as info:
        tf.Variable()
    assert first_line(info.value) == "initial_value must be specified."


def test_initialized_value_has_no_side_effect():
    v = tf.Variable(5)
    iv = v.initialized_value()
    with tf.Session() as sess:
        assert sess.run(iv) == 5
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(v)
        sess.run(v.initializer)
        sess.run(tf.assign(v, 9))
        assert sess.run(iv) == 9


def test_assign_family_returns_new_value():
    v = tf.Variable(10)
    a = tf.assign(v, 3)
    assert a.name == "Assign:0"
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(a) == 3
        assert sess.run(tf.assign_add(v, 2)) == 5
        assert sess.run(tf.assign_sub(v, 1)) == 4
        assert sess.run(v.assign(0)) == 0
    with pytest.raises(ValueError):
        tf.assign(v, [1, 2])


def test_initializer_ops():
    v = tf.Variable(1)
    local = tf.Variable(2, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    init = tf.global_variables_initializer()
    init1 = tf.variables_initializer([v])
    init_local = tf.local_variables_initializer()
    assert (init.name, init.type) == ("init", "NoOp")
    assert (init1.name, init1.type) == ("init_1", "NoOp")
    assert (init_local.name, init_local.type) == ("init_2", "NoOp")
    with tf.Session() as sess:
        sess.run(init_local)
        assert sess.run(local) == 2


def test_initialize_all_variables_warns():
    v = tf.Variable(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        init = tf.initialize_all_variables()
    text = " ".join(str(w.message) for w in caught)
    assert "is deprecated and will be removed after 2017-03-02" in text
    assert "Instructions for updating: Use `tf.global_variables_initializer` instead." in text
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(v) == 1


def test_report_and_is_initialized():
    v = tf.Variable(1, name="v")
    w = tf.Variable(2, name="w")
    report = tf.report_uninitialized_variables()
    assert report.dtype == tf.string and report.shape.ndims == 1
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(report), [b"v", b"w"])
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(report), [b"w"])
        assert sess.run(tf.is_variable_initialized(v)) is np.True_
        assert not sess.run(tf.is_variable_initialized(w))
        check = tf.assert_variables_initialized()
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(check)
        sess.run(w.initializer)
        sess.run(check)


def test_graph_keys_and_collections():
    assert tf.GraphKeys.GLOBAL_VARIABLES == "variables"
    keys = ["TRAINABLE_VARIABLES", "SUMMARIES", "LOCAL_VARIABLES", "GLOBAL_STEP", "TRAIN_OP"]
    assert all(isinstance(getattr(tf.GraphKeys, k), str) for k in keys)
    v = tf.Variable(1.0)
    frozen = tf.Variable(1.0, trainable=False)
    assert tf.global_variables() == [v, frozen] == tf.all_variables()
    assert tf.trainable_variables() == [v]
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [v, frozen]
    tf.add_to_collection("mine", 42)
    assert tf.get_collection("mine") == [42]


def test_static_and_dynamic_shape():
    x = tf.placeholder(tf.float32, [None, 3])
    assert x.get_shape().as_list() == [None, 3] and x.shape.as_list() == [None, 3]
    dyn = tf.shape(x)
    assert dyn.dtype == tf.int32
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(dyn, {x: np.ones((4, 3))}), [4, 3])


def test_placeholders():
    x = tf.placeholder(tf.float32, shape=[2], name="inp")
    assert x.name == "inp:0"
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), shape=[2])
    assert d.op.type == "PlaceholderWithDefault"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(d), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(d, {d: [3.0, 4.0]}), [3.0, 4.0])


# -- Summaries and event files ----------------------------------------------------------------


def test_summaries_0x_names():
    s = tf.scalar_summary("my tag", tf.constant(1.0))
    h = tf.histogram_summary("h", tf.constant([1.0, 2.0]))
    img = tf.image_summary("img", tf.zeros([1, 2, 2, 1]), max_images=3)
    assert set(tf.get_collection(tf.GraphKeys.SUMMARIES)) == {s, h, img}
    merged = tf.merge_all_summaries()
    with tf.Session() as sess:
        proto = Summary.FromString(sess.run(merged))
    assert "my tag" in [v.tag for v in proto.value]
    assert isinstance(sess, tf.Session)
    with tf.Graph().as_default():
        assert tf.merge_all_summaries() is None
    assert tf.merge_summary([s, h]).dtype == tf.string


def test_summary_scalar_tags():
    with tf.name_scope("layer1"):
        acc = tf.summary.scalar("acc", tf.constant(1.0))
    loss = tf.summary.scalar("loss", tf.constant(1.0))
    loss1 = tf.summary.scalar("loss", tf.constant(2.0))
    odd = tf.summary.scalar("a b", tf.constant(2.0))
    with tf.Session() as sess:
        tags = [Summary.FromString(sess.run(t)).value[0].tag for t in (acc, loss, loss1, odd)]
    assert tags == ["layer1/acc", "loss", "loss_1", "a_b"]


def test_summary_scalar_of_a_vector():
    vec = tf.summary.scalar("vec2", tf.constant([1.0, 2.0]))
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(vec)
    assert first_line(info.value) == "tags and values not the same shape: [] != [2] (tag 'vec2')"


def test_summary_histogram_and_merge():
    data = np.array([1.0, 2.0, 4.0], np.float32)
    h = tf.summary.histogram("h", tf.constant(data))
    bad = tf.summary.histogram("bad", tf.constant([1.0, np.inf]))
    with tf.Session() as sess:
        histo = Summary.FromString(sess.run(h)).value[0].histo
        assert (histo.min, histo.max, histo.num, histo.sum) == (1.0, 4.0, 3.0, 7.0)
        assert histo.sum_squares == 21.0
        assert len(histo.bucket_limit) == len(histo.bucket) > 0
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(bad)
        a = tf.summary.scalar("x", tf.constant(1.0))
        b = tf.summary.scalar("x", tf.constant(1.0), collections=[])
        dup = tf.summary.merge([a, tf.summary.merge([tf.summary.scalar("d", 1.0)])])
        assert isinstance(sess.run(dup), bytes)
        same = tf.summary.merge([a, a])
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(same)
        assert b is not None
    with tf.Graph().as_default():
        assert tf.summary.merge_all() is None


def _image_pixels(values: list[float]) -> tuple[list[str], list[list[int]]]:
    import io

    from PIL import Image

    data = np.array(values, np.float32).reshape(1, 1, len(values), 1)
    img = tf.summary.image("pic", tf.constant(data), max_outputs=1)
    with tf.Session() as sess:
        proto = Summary.FromString(sess.run(img))
    tags = [v.tag for v in proto.value]
    rows = [
        list(Image.open(io.BytesIO(v.image.encoded_image_string)).getdata()) for v in proto.value
    ]
    return tags, rows


def test_summary_image_scaling_and_tags():
    tags, rows = _image_pixels([0.5, 0.25, 0.0, 1.0])
    assert tags == ["pic/image"] and list(rows[0]) == [127, 63, 0, 255]
    _, rows = _image_pixels([-1.0, 0.0, 1.0, 3.0])
    assert list(rows[0]) == [85, 128, 170, 255]
    data = np.zeros((2, 2, 2, 3), np.float32)
    img = tf.summary.image("many", tf.constant(data), max_outputs=2)
    with tf.Session() as sess:
        assert [v.tag for v in Summary.FromString(sess.run(img)).value] == [
            "many/image/0",
            "many/image/1",
        ]
    with pytest.raises(TypeError):
        tf.summary.image("ints", tf.zeros([1, 2, 2, 1], tf.int32))
    for dtype in (tf.uint8, tf.float16, tf.float32, tf.float64):
        tf.summary.image("ok", tf.zeros([1, 2, 2, 3], dtype))
    bad = tf.summary.image("channels", tf.zeros([1, 2, 2, 2]))  # TF 2.21: a run-time check
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(bad)
    assert first_line(info.value).startswith("Tensor must be 4-D with last dim 1, 3, or 4")


def test_summary_image_non_finite_pixels_are_red():
    import io

    from PIL import Image

    data = np.array([[[[np.nan] * 4, [0.5] * 4]]], np.float32)
    img = tf.summary.image("nan", tf.constant(data), max_outputs=1)
    with tf.Session() as sess:
        encoded = Summary.FromString(sess.run(img)).value[0].image.encoded_image_string
    pixels = list(Image.open(io.BytesIO(encoded)).getdata())
    assert pixels[0] == (255, 0, 0, 255)


def test_zero_fraction():
    z = tf.nn.zero_fraction(tf.constant([0.0, 1.0, 0.0, 2.0]))
    assert z.dtype == tf.float32
    with tf.Session() as sess:
        assert sess.run(z) == 0.5


def _masked_crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    crc ^= 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _read_records(path: Path) -> list[bytes]:
    import struct

    raw = path.read_bytes()
    out, pos = [], 0
    while pos < len(raw):
        header = raw[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", raw[pos + 8 : pos + 12])
        data = raw[pos + 12 : pos + 12 + length]
        (data_crc,) = struct.unpack("<I", raw[pos + 12 + length : pos + 16 + length])
        assert header_crc == _masked_crc32c(header) and data_crc == _masked_crc32c(data)
        out.append(data)
        pos += 16 + length
    return out


def test_file_writer(tmp_path):
    tf.constant(1.0)
    s = tf.summary.scalar("loss", tf.constant(2.0))
    writer = tf.summary.FileWriter(
        str(tmp_path), graph=tf.get_default_graph(), filename_suffix=".x"
    )
    assert writer.get_logdir() == str(tmp_path)
    with tf.Session() as sess:
        writer.add_summary(sess.run(s), global_step=7)
    writer.flush()
    writer.close()
    (path,) = tmp_path.iterdir()
    parts = path.name.split(".")
    assert path.name.startswith("events.out.tfevents.") and path.name.endswith(".x")
    assert len(parts[3]) == 10 and parts[3].isdigit()
    from tensorboard.compat.proto.event_pb2 import Event

    events = [Event.FromString(r) for r in _read_records(path)]
    assert events[0].file_version == "brain.Event:2"
    assert events[1].HasField("graph_def")
    steps = [(e.step, v.tag) for e in events for v in e.summary.value]
    assert steps == [(7, "loss")]
    old = tf.train.SummaryWriter(str(tmp_path / "old"))
    old.close()


# -- Scopes and Saver -------------------------------------------------------------------------


def test_variable_scope_and_get_variable():
    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [1])
    assert v.name == "foo/v:0"
    with pytest.raises(ValueError) as info, tf.variable_scope("foo"):
        tf.get_variable("v", [1])
    assert first_line(info.value).startswith(
        "Variable foo/v already exists, disallowed. Did you mean to set reuse=True"
    )
    with tf.name_scope("outer"), tf.variable_scope("bar"):
        w = tf.get_variable("w", [1])
    assert w.name == "bar/w:0"


def test_saver(tmp_path):
    with pytest.raises(ValueError) as info:
        tf.train.Saver()
    assert first_line(info.value) == "No variables to save"
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver(var_list=None, max_to_keep=5)
    prefix = str(tmp_path / "ckpt" / "model")
    os.makedirs(tmp_path / "ckpt")
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = saver.save(sess, prefix, global_step=2)
        assert path == prefix + "-2"
        text = (tmp_path / "ckpt" / "checkpoint").read_text()
        assert "model_checkpoint_path" in text and "all_model_checkpoint_paths" in text
        assert tf.train.latest_checkpoint(str(tmp_path / "ckpt")) == path
        assert tf.train.latest_checkpoint(str(tmp_path)) is None
    with tf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        missing = str(tmp_path / "ckpt" / "nonexist")
        with pytest.raises(ValueError) as info:
            saver.restore(sess, missing)
        assert first_line(info.value) == (
            f"The passed save_path is not a valid checkpoint: {missing}"
        )


def test_saver_missing_parent_directory(tmp_path):
    # TF 2.21 (and 1.x) raise this and create nothing.
    v = tf.Variable(1.0)
    bad_prefix = str(tmp_path / "nonexistdir" / "sub" / "model")
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(ValueError) as info:
            tf.train.Saver().save(sess, bad_prefix)
    assert first_line(info.value) == f"Parent directory of {bad_prefix} doesn't exist, can't save."
    assert not (tmp_path / "nonexistdir").exists()


def test_saver_restore_errors(tmp_path):
    prefix = str(tmp_path / "model")
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        with tf.Session() as sess:
            sess.run(v.initializer)
            tf.train.Saver().save(sess, prefix)
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0], name="v")
        tf.Variable(1.0, name="extra")
        with tf.Session() as sess, pytest.raises(tf.errors.NotFoundError) as info:
            tf.train.Saver().restore(sess, prefix)
        assert "Key extra not found in checkpoint" in str(info.value)
    scalar_prefix = str(tmp_path / "scalar")
    with tf.Graph().as_default():
        v = tf.Variable(1.0, name="v")
        with tf.Session() as sess:
            sess.run(v.initializer)
            tf.train.Saver().save(sess, scalar_prefix)
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0], name="v")
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
            tf.train.Saver().restore(sess, scalar_prefix)
        assert "Assign requires shapes of both tensors to match. lhs shape= [2] rhs shape= []" in (
            str(info.value)
        )


# -- Gradients and optimizers -----------------------------------------------------------------


def test_gradients():
    x = tf.Variable(2.0)
    i = tf.Variable(2)
    other = tf.Variable(1.0)
    y = x * x + tf.cast(i, tf.float32)
    grads = tf.gradients(y, [x, i, other])
    assert isinstance(grads, list) and grads[1] is None and grads[2] is None
    assert grads[0].op.name.startswith("gradients/")
    again = tf.gradients(y, x)
    assert again[0].op.name.startswith("gradients_1/")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(grads[0]) == 4.0


def test_minimize_with_global_step():
    w = tf.Variable(1.0)
    step = tf.Variable(0, name="global_step", trainable=False)
    loss = tf.square(w)
    opt = tf.train.GradientDescentOptimizer(0.25)
    train = opt.minimize(loss, global_step=step, var_list=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        assert sess.run(w) == 0.5 and sess.run(step) == 1
    gv = opt.compute_gradients(loss)
    assert gv[0][1] is w
    assert opt.apply_gradients(gv).type == "NoOp"


def test_minimize_without_gradients():
    w = tf.Variable(1.0, name="w")
    loss = tf.constant(3.0, name="loss")
    with pytest.raises(ValueError) as info:
        tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert first_line(info.value).startswith(
        "No gradients provided for any variable, check your graph for ops that do not support "
        "gradients, between variables ["
    )
    assert w.name in first_line(info.value) and "and loss" in first_line(info.value)


def test_global_step():
    step = tf.Variable(0, name="global_step", trainable=False)
    # TF 2.21 returns the variable's ref tensor, not the Variable object.
    assert tf.train.get_global_step().name == step.name == "global_step:0"


# -- 0.x -> 1.0 renames -----------------------------------------------------------------------


def test_old_names_still_work():
    a = tf.constant([1.0, 2.0])
    pairs = [
        (tf.mul, tf.multiply),
        (tf.sub, tf.subtract),
    ]
    with tf.Session() as sess:
        for old, new in pairs:
            np.testing.assert_array_equal(sess.run(old(a, a)), sess.run(new(a, a)))
        np.testing.assert_array_equal(sess.run(tf.neg(a)), sess.run(tf.negative(a)))
        packed = tf.pack([a, a])
        np.testing.assert_array_equal(sess.run(packed), sess.run(tf.stack([a, a])))
        assert len(tf.unpack(packed)) == 2 == len(tf.unstack(packed))
    assert tf.all_variables is not None and tf.initialize_all_variables is not None
    for old in ("scalar_summary", "histogram_summary", "image_summary", "merge_summary"):
        assert callable(getattr(tf, old))
    assert callable(tf.merge_all_summaries) and callable(tf.train.SummaryWriter)


def test_old_names_say_the_current_name():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tf.mul(tf.constant(2), 3)
        tf.scalar_summary("s", tf.constant(1.0))
    texts = [str(w.message) for w in caught]
    assert any("tf.multiply" in t for t in texts)
    assert any("tf.summary.scalar" in t for t in texts)
