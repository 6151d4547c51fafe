"""Bad input everywhere in the public API: each mistake gets TensorFlow's error class, a first
line naming the offending thing, a hint, and leaves the graph and the session usable.

``CASES`` is the one catalogue. ``docs/bad-inputs.md`` is generated from it
(``python -m tests.test_bad_input`` rewrites it) and ``test_docs_table_lists_every_case`` fails
when the two disagree, so the table always shows what teachflow really raises.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops import registry

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "bad-inputs.md"


class Case(NamedTuple):
    """One bad input: ``code`` runs with the names of ``SETUP``; its last statement misbehaves."""

    code: str
    raises: type[BaseException] | None  # None: no error, ``fragment`` is in str(result)
    fragment: str  # appears in the first line of the message
    tf: str | None  # TensorFlow's error class ("" = no error, None = not applicable, "A or B")
    hint: bool = True  # the message carries a "Hint:" line


# The names every snippet can use (shown above the table in docs/bad-inputs.md).
SETUP = """\
g = tf.Graph()                # the default graph while the snippet runs
x = tf.placeholder(tf.float32, shape=[2], name="x")
c = tf.constant([1.0, 2.0], name="c")
v = tf.Variable([1.0, 2.0], name="v")
n = tf.Variable(0, name="n")  # an int32 variable
other = tf.constant(1.0, name="other")  # built in another graph
sess = tf.Session(graph=g)"""

E = tf.errors
CASES: list[Case] = [
    # -- wrong types --------------------------------------------------------------------------
    Case(
        "tf.constant([tf.constant(1.0), tf.constant(2.0)])",
        TypeError,
        "Expected a Python or numpy value",
        "TypeError",
    ),
    Case(
        "tf.constant(1.0, dtype='float33')",
        TypeError,
        "'float33' to a TensorFlow DType",
        "TypeError",
    ),
    Case("tf.placeholder('float33')", TypeError, "'float33' to a TensorFlow DType", "TypeError"),
    Case("tf.placeholder(None)", TypeError, "None to a TensorFlow DType", "TypeError"),
    Case("tf.as_dtype('flaot32')", TypeError, "'flaot32' to a TensorFlow DType", "TypeError"),
    Case("tf.constant(None)", ValueError, "None values not supported.", "ValueError"),
    Case("tf.add(c, None)", ValueError, "None values not supported.", "ValueError"),
    Case("tf.constant(object())", TypeError, "Failed to convert object of type", "TypeError"),
    Case(
        "tf.constant({'a': 1})",
        TypeError,
        "Failed to convert object of type <class 'dict'>",
        "TypeError",
    ),
    Case("tf.add(c, 'abc')", TypeError, "Expected float32, got 'abc'", "TypeError"),
    Case("tf.constant(1.5, dtype=tf.int32)", TypeError, "Expected int32, got 1.5", "TypeError"),
    Case("tf.constant(1.0, name=5)", TypeError, "An op name must be a string, got 5", "TypeError"),
    Case(
        "tf.Variable(0.0) + tf.constant(1)",
        TypeError,
        "Tensor conversion requested dtype float32 for Tensor with dtype int32",
        "TypeError",
    ),
    Case(
        "tf.matmul(tf.constant([[1]]), tf.constant([[1.0]]))",
        TypeError,
        "Tensor conversion requested dtype int32 for Tensor with dtype float32",
        "TypeError",
    ),
    Case(
        "tf.sqrt(tf.constant(4))",
        TypeError,
        "has DataType int32 not in list of allowed",
        "TypeError",
    ),
    Case(
        "tf.assign(n, 1.5)",
        TypeError,
        "Expected int32 passed to parameter 'value'",
        "TypeError",
    ),
    Case("tf.assign(c, 2.0)", TypeError, "'Assign' needs a tf.Variable", "AttributeError"),
    Case("tf.variables_initializer([c])", TypeError, "holds <tf.Tensor 'c:0'", "AttributeError"),
    Case(
        "bool(c)",
        TypeError,
        "Using a `tf.Tensor` as a Python `bool` is not allowed",
        "OperatorNotAllowedInGraphError",
    ),
    Case(
        "[t for t in c]",
        TypeError,
        "'Tensor' object is not iterable",
        "OperatorNotAllowedInGraphError",
    ),
    Case(
        "np.array(c)",
        NotImplementedError,
        "Cannot convert a symbolic Tensor (c:0)",
        "NotImplementedError",
    ),
    Case(
        "import pickle; pickle.dumps(c)",
        TypeError,
        "Tensor c:0 cannot be pickled",
        "TypeError",
    ),
    Case(
        "tf.get_collection(['a'])",
        TypeError,
        "A collection key must be a string",
        "TypeError",
    ),
    Case("tf.range('abc')", TypeError, "has DataType string not in list", "AssertionError"),
    Case("tf.pad(c, [[1, 1]], mode=3)", TypeError, "`mode` must be a string", "AttributeError"),
    Case("tf.summary.scalar(5, c[0])", TypeError, "A summary name must be a string", "TypeError"),
    Case(
        "tf.random_normal([2], seed='abc')",
        TypeError,
        "Expected int for argument 'seed' not 'abc'.",
        "TypeError",
    ),
    Case(
        "tf.nn.leaky_relu(c, alpha='abc')",
        TypeError,
        "Expected float for argument 'alpha' not 'abc'.",
        "TypeError",
    ),
    Case(
        "tf.stack([c, c], axis=None)",
        TypeError,
        "Expected int for argument 'axis' not None.",
        "TypeError",
    ),
    Case(
        "tf.squeeze(c, axis='a')",
        TypeError,
        "Expected int for argument 'axis' not 'a'.",
        "TypeError",
    ),
    Case(
        "tf.argmax(c, [0, 1])",
        TypeError,
        "axis must be int or Tensor with integer datatype",
        "TypeError",
    ),
    Case(
        "tf.scatter_nd([[0]], [1.0], tf.constant(['a']))",
        TypeError,
        "Input 'shape' of 'ScatterNd' Op has type string that does not match type int32",
        "TypeError",
    ),
    Case(
        "tf.train.get_global_step(5)",
        TypeError,
        "graph must be a tf.Graph, got 5",
        "AttributeError",
    ),
    Case(
        "tf.train.global_step(5, n)",
        TypeError,
        "sess must be a tf.Session, got 5",
        "AttributeError",
    ),
    Case(
        "tf.train.Saver(max_to_keep='abc')",
        TypeError,
        "'str' object cannot be interpreted as an integer",
        "TypeError",
    ),
    Case(
        "tf.train.Saver(max_to_keep=0.5)",
        TypeError,
        "'float' object cannot be interpreted as an integer",
        "TypeError",
    ),
    Case(
        "tf.train.Saver(max_to_keep=float('nan'))",
        TypeError,
        "'float' object cannot be interpreted as an integer",
        "TypeError",
    ),
    Case("tf.train.Saver(max_to_keep=2**40)", ValueError, "Value out of range", "ValueError"),
    Case(
        "tf.variance_scaling_initializer(distribution=3)",
        ValueError,
        "Argument `distribution` should be one of",
        "AttributeError",
    ),
    # -- ragged lists ---------------------------------------------------------------------------
    Case("tf.constant([[1, 2], [3]])", ValueError, "non-rectangular Python sequence", "ValueError"),
    Case(
        "sess.run(x, {x: [[1.0], [2.0, 3.0]]})",
        ValueError,
        "Cannot feed [[1.0], [2.0, 3.0]] to Tensor 'x:0'",
        "ValueError",
    ),
    Case(
        "d = [1.0]; [d := [d] for _ in range(5000)]; sess.run(x, {x: d})",
        ValueError,
        "The requested array would exceed the maximum number of dimension of 64",
        "ValueError",
    ),
    Case(
        "tf.stack([tf.constant([1.0]), tf.constant([1.0, 2.0])])",
        ValueError,
        "Dimension 0 in both shapes must be equal, but are 1 and 2",
        "ValueError",
    ),
    # -- wrong shapes ---------------------------------------------------------------------------
    Case(
        "tf.matmul(tf.constant([[1.0, 2.0]]), tf.constant([[1.0, 2.0]]))",
        ValueError,
        "Dimensions must be equal, but are 2 and 1 for 'MatMul'",
        "ValueError",
    ),
    Case(
        "tf.matmul(c, c)",
        ValueError,
        "Shape must be rank 2 but is rank 1 for 'MatMul'",
        "ValueError",
    ),
    Case(
        "c + tf.constant([1.0, 2.0, 3.0])",
        ValueError,
        "Dimensions must be equal, but are 2 and 3 for 'add'",
        "ValueError",
    ),
    Case(
        "tf.reshape(tf.constant([1, 2, 3]), [2, 2])",
        ValueError,
        "Cannot reshape a tensor with 3 elements to shape [2,2]",
        "ValueError",
    ),
    Case("tf.reduce_sum(c, axis=3)", ValueError, "Invalid reduction dimension 3", "ValueError"),
    Case(
        "tf.assign(v, [1.0, 2.0, 3.0])",
        ValueError,
        "Dimension 0 in both shapes must be equal, but are 2 and 3",
        "ValueError",
    ),
    Case(
        "sess.run(x, {x: [1.0, 2.0, 3.0]})",
        ValueError,
        "Cannot feed value of shape (3,) for Tensor 'x:0', which has shape '(2,)'",
        "ValueError",
    ),
    Case(
        "p = tf.placeholder(tf.float32); q = tf.placeholder(tf.float32); "
        "sess.run(p + q, {p: [1.0, 2.0], q: [1.0, 2.0, 3.0]})",
        E.InvalidArgumentError,
        "Incompatible shapes: [2] vs. [3]",
        "InvalidArgumentError",
    ),
    Case(
        "p = tf.placeholder(tf.float32); sess.run(tf.matmul(p, p), {p: np.ones((2, 3))})",
        E.InvalidArgumentError,
        "Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]",
        "InvalidArgumentError",
    ),
    Case(
        "p = tf.placeholder(tf.float32); sess.run(v.initializer); "
        "sess.run(tf.assign(v, p), {p: [1.0, 2.0, 3.0]})",
        E.InvalidArgumentError,
        "Assign requires shapes of both tensors to match. lhs shape= [2] rhs shape= [3]",
        "InvalidArgumentError",
    ),
    Case(
        "tf.losses.sparse_softmax_cross_entropy(1, 2.0)",
        ValueError,
        "`logits` cannot be a scalar.",
        "IndexError",
    ),
    Case(
        "tf.nn.softmax_cross_entropy_with_logits_v2(labels=c, logits=c, axis=-3)",
        ValueError,
        "axis must be in the range [-1, 1)",
        "ValueError",
    ),
    Case(
        "tf.concat([], 0)",
        ValueError,
        "List argument 'values' to 'ConcatV2' Op with length 0",
        "ValueError",
    ),
    Case(
        "tf.split(c, 0)",
        ValueError,
        "Attr 'num_split' of 'Split' Op passed 0 less than minimum 1.",
        "ValueError",
    ),
    Case(
        "sess.run(tf.gather(c, [7]))",
        E.InvalidArgumentError,
        "indices[0] = 7 is not in [0, 2)",
        "InvalidArgumentError",
    ),
    Case(
        "tf.placeholder(tf.float32, shape=[-1, 3])",
        ValueError,
        "Dimension -1 must be >= 0",
        "ValueError",
    ),
    Case(
        "tf.placeholder(tf.float32, shape='abc')",
        TypeError,
        "Failed to convert 'abc' to a shape",
        "TypeError",
    ),
    # -- NaN and inf ----------------------------------------------------------------------------
    Case("sess.run(x * 2.0, {x: [np.nan, np.inf]})", None, "[nan inf]", ""),
    Case("sess.run(tf.log(tf.constant(-1.0)))", None, "nan", ""),
    Case(
        "k = tf.placeholder(tf.int32); sess.run(k, {k: np.nan})",
        ValueError,
        "NaN and infinity have no integer value",
        "",
    ),
    Case(
        "b = tf.placeholder(tf.int8); sess.run(b, {b: 1000})",
        TypeError,
        "Type of feed value 1000 with type <class 'int'> is not compatible with Tensor type",
        "TypeError",
        False,
    ),
    Case(
        "sess.run(tf.summary.histogram('h', x), {x: [np.nan, 1.0]})",
        E.InvalidArgumentError,
        "Nan in summary histogram for: h",
        "InvalidArgumentError",
    ),
    Case(
        "sess.run(tf.floordiv(tf.constant(1), tf.constant(0)))",
        E.InvalidArgumentError,
        "Integer division by zero",
        "InvalidArgumentError",
    ),
    # -- unknown names --------------------------------------------------------------------------
    Case(
        "sess.run('nope:0')",
        ValueError,
        "Fetch argument 'nope:0' cannot be interpreted as a Tensor",
        "ValueError",
    ),
    Case(
        "sess.run('nope')",
        ValueError,
        "The name 'nope' refers to an Operation not in the graph",
        "ValueError",
    ),
    Case(
        "sess.run('c:x')",
        ValueError,
        "looks a like a Tensor name, but is not a valid one",
        "ValueError",
    ),
    Case("sess.run('c:5')", ValueError, "exists but only has 1 outputs", "ValueError"),
    Case(
        "sess.run(c, {'nope:0': 1.0})",
        TypeError,
        "Cannot interpret feed_dict key as Tensor: The name 'nope:0' refers to a Tensor which does",
        "TypeError",
    ),
    Case(
        "sess.run(x, {'x': [1.0, 2.0]})",
        TypeError,
        "The name 'x' refers to an Operation, not a Tensor",
        "TypeError",
    ),
    Case(
        "g.get_tensor_by_name('nope:0')",
        KeyError,
        "The name 'nope:0' refers to a Tensor which does not exist",
        "KeyError",
        False,
    ),
    # -- tensors from another graph ---------------------------------------------------------
    Case("tf.add(c, other)", ValueError, "must be from the same graph", "ValueError"),
    Case(
        "tf.gradients(c * 2.0, [other])",
        ValueError,
        'Tensor("other:0", shape=(), dtype=float32) must be from the same graph as',
        "ValueError",
    ),
    Case("sess.run(other)", ValueError, "is not an element of this graph", "ValueError"),
    Case(
        "sess.run(c, {other: 2.0})",
        TypeError,
        "is not an element of this graph",
        "TypeError",
    ),
    Case(
        "with tf.control_dependencies([other]): tf.no_op()",
        ValueError,
        "is not an element of this graph",
        "ValueError",
    ),
    Case(
        "other.eval(session=sess)",
        ValueError,
        "the tensor's graph is different from the session's graph",
        "ValueError",
    ),
    # -- feeding a tensor to itself ---------------------------------------------------------------
    Case("y = c * 2.0; sess.run(y, {y: [5.0, 6.0]})", None, "[5. 6.]", ""),
    Case("sess.run(c, {c: [7.0, 8.0]})", None, "[7. 8.]", ""),
    # -- control dependencies ---------------------------------------------------------------------
    Case(
        "a = tf.identity(c, name='a'); a.op._add_control_input(tf.identity(a).op); sess.run(a)",
        ValueError,
        "would contain a cycle (a -> Identity -> a",
        "InvalidArgumentError",
    ),
    Case(
        "with tf.control_dependencies([None]): tf.no_op()",
        TypeError,
        "Can not convert a NoneType into a Tensor or Operation",
        "TypeError",
    ),
    # -- closed sessions, finished graphs ----------------------------------------------------------
    Case(
        "sess.close(); sess.run(c)",
        RuntimeError,
        "Attempted to use a closed Session.",
        "RuntimeError",
    ),
    Case(
        "run = sess.stepper(c); sess.close(); run.step()",
        RuntimeError,
        "Attempted to use a closed Session.",
        None,
    ),
    Case(
        "with sess, sess: pass",
        RuntimeError,
        "Session context managers are not re-entrant",
        "RuntimeError",
        False,
    ),
    Case(
        "tf.Session(graph=tf.Graph()).run([])",
        RuntimeError,
        "The Session graph is empty.",
        "RuntimeError",
    ),
    Case(
        "g.finalize(); tf.constant(2.0)",
        RuntimeError,
        "Graph is finalized and cannot be modified.",
        "RuntimeError",
    ),
    Case(
        "c.eval()",
        ValueError,
        "Cannot evaluate tensor using `eval()`: No default session is registered.",
        "ValueError",
        False,
    ),
    Case(
        "c.eval(session='abc')",
        TypeError,
        "session must be a tf.Session, got 'abc'",
        "AttributeError",
    ),
    # -- huge or negative dimensions ---------------------------------------------------------------
    Case("tf.zeros([-1])", ValueError, "Dimension -1 must be >= 0", "ValueError"),
    Case("tf.ones([2, -3])", ValueError, "Dimension -3 must be >= 0", "ValueError"),
    Case(
        "sess.run(tf.zeros([10**12]))",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[1000000000000] and type float",
        # TensorFlow 2's graph optimizer first tries to fold the zeros into a constant
        "ResourceExhaustedError or InvalidArgumentError",
    ),
    Case(
        "d = tf.placeholder(tf.int32, shape=[2]); sess.run(tf.fill(d, 1.0), {d: [10**8, 10**8]})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[100000000,100000000] and type float",
        "ResourceExhaustedError",
    ),
    Case(
        "tf.random_normal([-3])",
        ValueError,
        "Invalid value in tensor used for shape: -3",
        "ValueError",
    ),
    Case(
        "d = tf.placeholder(tf.int32, shape=[2]); "
        "sess.run(tf.random_normal(d), {d: [10**8, 10**8]})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[100000000,100000000] and type float",
        "ResourceExhaustedError",
    ),
    Case(
        "d = tf.placeholder(tf.int64); sess.run(tf.range(d), {d: 10**12})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[1000000000000] and type int64",
        "ResourceExhaustedError",
    ),
    Case(
        "p = tf.placeholder(tf.float32, [None, 1]); "
        "sess.run(p * tf.transpose(p), {p: [[1.0]] * 10**6})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[1000000,1000000] and type float",
        "ResourceExhaustedError",
    ),
    Case(
        "p = tf.placeholder(tf.float32, [None, 1]); "
        "sess.run(tf.matmul(p, p, transpose_b=True), {p: [[1.0]] * 10**6})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[1000000,1000000] and type float",
        "ResourceExhaustedError",
    ),
    Case(
        "d = tf.placeholder(tf.int64); sess.run(tf.tile(c, [d]), {d: 10**12})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[2000000000000] and type float",
        "ResourceExhaustedError",
    ),
    Case(
        "d = tf.placeholder(tf.int32); sess.run(tf.one_hot(tf.zeros([1000], tf.int32), d), "
        "{d: 2**31 - 1})",
        E.ResourceExhaustedError,
        "OOM when allocating tensor with shape[1000,2147483647] and type float",
        "ResourceExhaustedError",
    ),
    Case(
        "tf.constant(0.0, shape=[10**6, 10**6])",
        ValueError,
        "Cannot create a constant of shape [1000000, 1000000]",
        "",
    ),
    # -- wrong keyword arguments ------------------------------------------------------------------
    Case(
        "tf.constant(1.0, dtyp=tf.float32)",
        TypeError,
        "got an unexpected keyword argument 'dtyp'",
        "TypeError",
        False,
    ),
    Case(
        "tf.placeholder(tf.float32, shap=[2])",
        TypeError,
        "unexpected keyword argument 'shap'",
        "TypeError",
        False,
    ),
    Case(
        "tf.reduce_sum(c, axes=0)",
        TypeError,
        "unexpected keyword argument 'axes'",
        "TypeError",
        False,
    ),
    Case("tf.Variable(1.0, nme='v')", TypeError, "unexpected keyword argument 'nme'", "", False),
    Case(
        "sess.run(c, feed={x: 1.0})",
        TypeError,
        "unexpected keyword argument 'feed'",
        "TypeError",
        False,
    ),
    Case("tf.Session(grph=g)", TypeError, "unexpected keyword argument 'grph'", "TypeError", False),
    # -- Session arguments ------------------------------------------------------------------------
    Case(
        "tf.Session(graph=5)",
        TypeError,
        'Argument `graph` must be a tf.Graph, but got "int"',
        "TypeError",
    ),
    Case(
        "tf.Session(target=5)",
        TypeError,
        'Argument `target` must be a string, but got "int"',
        "TypeError",
    ),
    Case(
        "tf.Session(config=5)",
        TypeError,
        "Argument `config` must be a tf.ConfigProto",
        "TypeError",
    ),
    Case(
        "sess.run(x, feed_dict=[(x, [1.0, 2.0])])",
        TypeError,
        "'dict' must be a dictionary or collection.Mapping type object, instead of 'list'",
        "TypeError",
    ),
    Case("sess.run(c, feed_dict=5)", TypeError, "instead of 'int'", "TypeError"),
    Case("sess.run(None)", TypeError, "Fetch argument None has invalid type", "TypeError"),
    Case(
        "sess.run(5)",
        TypeError,
        "Fetch argument 5 has invalid type <class 'int'>",
        "TypeError",
    ),
    Case("sess.run({c})", TypeError, "has invalid type <class 'set'>", "TypeError"),
    Case(
        "sess.run(x, {x: tf.constant([1.0, 2.0])})",
        TypeError,
        "The value of a feed cannot be a tf.Tensor object.",
        "TypeError",
    ),
    Case(
        "sess.run(x * 2.0)",
        E.InvalidArgumentError,
        "You must feed a value for placeholder tensor 'x' with dtype float and shape [2]",
        "InvalidArgumentError",
    ),
    # -- files ------------------------------------------------------------------------------------
    Case(
        "tf.summary.FileWriter('/dev/null')",
        E.FailedPreconditionError,
        "/dev/null is not a directory",
        "FailedPreconditionError",
    ),
    Case(
        "tf.train.update_checkpoint_state('no_such_dir', 'no_such_dir/model')",
        E.NotFoundError,
        "no_such_dir/checkpoint; No such file or directory",
        "NotFoundError",
    ),
    Case(
        "tf.train.Saver().save(sess, 5)",
        TypeError,
        "save_path must be a path (str, bytes or os.PathLike), got 5",
        "TypeError",
    ),
    # -- variables --------------------------------------------------------------------------------
    Case("tf.Variable()", ValueError, "initial_value must be specified.", "ValueError"),
    Case("tf.Variable(lambda: None)", ValueError, "None values not supported.", "ValueError"),
    Case(
        "tf.Variable(1.0, dtype='float33')",
        TypeError,
        "'float33' to a TensorFlow DType",
        "TypeError",
    ),
    Case(
        "tf.Variable([1.0, 2.0], shape=[3])",
        ValueError,
        "Dimension 0 in both shapes must be equal, but are 3 and 2",
        "ValueError",
    ),
    Case(
        "sess.run(v)",
        E.FailedPreconditionError,
        "Attempting to use uninitialized value v",
        "FailedPreconditionError",
    ),
    Case(
        "sess.run(v * 2.0)",
        E.FailedPreconditionError,
        "Attempting to use uninitialized value v",
        "FailedPreconditionError",
    ),
    Case(
        "sess.run(tf.assign_add(n, 1))",
        E.FailedPreconditionError,
        "Attempting to use uninitialized value n",
        "FailedPreconditionError",
    ),
    Case("tf.train.Saver(var_list=[])", ValueError, "No variables to save", "ValueError", False),
    # -- TensorFlow features teachflow does not have ----------------------------------------------
    Case(
        "tf.SparseTensor",
        tf.UnsupportedFeatureError,
        "teachflow does not implement tf.SparseTensor",
        "",
    ),
]


# -- running one case ----------------------------------------------------------------------------


class Outcome(NamedTuple):
    error: BaseException | None
    result: Any
    namespace: dict[str, Any]


def _setup(lib: Any) -> dict[str, Any]:
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, shape=[2], name="x")
        c = lib.constant([1.0, 2.0], name="c")
        v = lib.Variable([1.0, 2.0], name="v")
        n = lib.Variable(0, name="n")
        # what the follow-up runs after the error (built now: the case may finalize the graph)
        follow_up = dict(
            ok=lib.multiply(c, 3.0, name="ok"),
            echo=lib.identity(x, name="echo"),
            init_all=lib.variables_initializer([v, n], name="init_all"),
            bump=lib.assign_add(v, [1.0, 1.0], name="bump"),
        )
    with lib.Graph().as_default():
        other = lib.constant(1.0, name="other")
    sess = lib.Session(graph=g)
    return dict(tf=lib, np=np, g=g, x=x, c=c, v=v, n=n, other=other, sess=sess, **follow_up)


def run_case(case: Case, lib: Any = tf) -> Outcome:
    """Runs ``case.code`` in a fresh setup; the value of a last expression is the result."""
    ns = _setup(lib)
    tree = ast.parse(case.code)
    last = tree.body[-1]
    result = None
    with ns["g"].as_default():
        try:
            if isinstance(last, ast.Expr):
                exec(compile(ast.Module(tree.body[:-1], []), "<case>", "exec"), ns)
                result = eval(compile(ast.Expression(last.value), "<case>", "eval"), ns)
            else:
                exec(compile(tree, "<case>", "exec"), ns)
        except Exception as e:  # the error is the outcome
            return Outcome(e, None, ns)
    return Outcome(None, result, ns)


def first_line(e: BaseException) -> str:
    text = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
    return str(text).splitlines()[0] if str(text) else ""


def class_name(e: BaseException) -> str:
    cls = type(e)
    if isinstance(e, tf.errors.OpError):
        return f"tf.errors.{cls.__name__}"
    if cls.__module__.startswith("teachflow"):
        bases = ", ".join(b.__name__ for b in cls.__bases__)
        return f"{cls.__name__} ({bases})"
    return cls.__name__


def _case_id(case: Case) -> str:
    return re.sub(r"\W+", "_", case.code)[:50].strip("_")


# -- the catalogue, case by case -----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_bad_input_gets_a_clear_error(case: Case) -> None:
    out = run_case(case)
    if case.raises is None:
        assert out.error is None, f"{case.code} raised {out.error!r}"
        assert str(out.result) == case.fragment
    else:
        e = out.error
        assert e is not None, f"{case.code} raised nothing (returned {out.result!r})"
        assert isinstance(e, case.raises), f"{case.code} raised {e!r}, not {case.raises.__name__}"
        assert case.fragment in first_line(e), f"{first_line(e)!r} lacks {case.fragment!r}"
        # never an accident from deep inside: these only where TensorFlow raises them too
        if isinstance(e, (AttributeError, KeyError, IndexError)):
            assert case.tf == type(e).__name__ or type(e).__module__.startswith("teachflow")
        if case.hint:
            assert "Hint:" in str(e), f"no hint in: {e}"
        # a run-time error names its node (file errors outside a run have none, as in TensorFlow)
        if isinstance(e, tf.errors.OpError) and ("sess.run" in case.code or e.op is not None):
            assert e.op is not None and e.op.name in str(e), "a run-time error names its node"
    _assert_still_usable(case, out.namespace)


def _assert_still_usable(case: Case, ns: dict[str, Any]) -> None:
    """The graph still runs, in the same session unless the case closed it."""
    g = ns["g"]
    closed = "close()" in case.code or "with sess" in case.code
    sess = tf.Session(graph=g) if closed else ns["sess"]
    np.testing.assert_array_equal(sess.run(ns["ok"]), [3.0, 6.0])
    np.testing.assert_array_equal(sess.run(ns["echo"], {ns["x"]: [4.0, 5.0]}), [4.0, 5.0])
    sess.run(ns["init_all"])
    np.testing.assert_array_equal(sess.run(ns["bump"]), [2.0, 3.0])
    if not g.finalized:
        with g.as_default():
            more = ns["ok"] + 1.0
        np.testing.assert_array_equal(sess.run(more), [4.0, 7.0])


# -- the table in docs/bad-inputs.md -------------------------------------------------------------


def _code_span(text: str) -> str:
    text = text.replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def hint_line(e: BaseException) -> str:
    hints = [ln.strip() for ln in str(e).splitlines() if ln.strip().startswith("Hint:")]
    return hints[0][len("Hint:") :].strip() if hints else ""


def _shorten(text: str, n: int = 150) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# The table shows sizes as on a 32 GiB machine (teachflow refuses tensors over half the memory).
DOC_TENSOR_LIMIT = 16 * 2**30


def table_row(case: Case) -> str:
    limit, registry.MAX_TENSOR_BYTES = registry.MAX_TENSOR_BYTES, DOC_TENSOR_LIMIT
    try:
        out = run_case(case)
    finally:
        registry.MAX_TENSOR_BYTES = limit
    if out.error is None:
        raised, line, hint = "nothing: returns", str(out.result), ""
    else:
        raised, line, hint = class_name(out.error), first_line(out.error), hint_line(out.error)
    theirs = {"": "no error", None: "—"}.get(case.tf, case.tf)
    cells = [
        _code_span(case.code),
        raised,
        _code_span(_shorten(line)),
        _shorten(hint).replace("|", "\\|"),
        theirs,
    ]
    return "| " + " | ".join(cells) + " |"


def render_doc() -> str:
    rows = "\n".join(table_row(c) for c in CASES)
    return f"""# Bad inputs and what they get

Learners make every mistake there is. Each row below is a mistake tried in
`tests/test_bad_input.py`, where a test checks the error class, that the first line names the
offending thing, that a hint follows (the second line of most messages, `Hint: ...`), and that
the graph and the session still work afterwards. This page is generated from that catalogue
(`python -m tests.test_bad_input`); the suite fails when they disagree.

Each snippet runs with these names defined (and sizes are shown as on a machine with 32 GiB
of memory):

```python
{SETUP}
```

The first line is TensorFlow's text where TensorFlow has one (it is what a search engine
finds); the hint is teachflow's. The last column is what real TensorFlow (`tf.compat.v1`, checked
by the compat test in the same file) raises for the same code. Where teachflow differs it is
stricter on purpose: a clear error instead of a silent wrong value (NaN fed to an integer
placeholder becomes -2147483648 in TensorFlow) or instead of an `AttributeError` from deep
inside.

| input | what teachflow raises | first line | hint | TensorFlow |
|---|---|---|---|---|
{rows}

Not in the table, tested separately in the same file: a cycle through control dependencies
cannot be built with teachflow's API (`tf.control_dependencies` only takes ops that already
exist, and `op._add_control_input` refuses a cycle); `import teachflow` imports numpy and
nothing heavier; nothing in teachflow uses pickle; numpy's floating-point warnings never escape a
run, and deprecated 0.x names warn without failing.

## Random graphs and threads

`tests/test_fuzz_graphs.py` lets Hypothesis draw random programs (constants and placeholders of
broadcasting shapes, then unary, binary, reduction, cast and array ops from the shared catalogue
in `tests/strategies.py`), fetch and feed random sets of tensors (intermediate ones included),
and checks that `sess.run` and stepping op by op agree with numpy, or that teachflow fails as
TensorFlow does (an integer division by zero is an `InvalidArgumentError`); feeding a wrong
shape or an unconvertible value must give a clear error naming the tensor. The suite runs about
100 programs per property; `make fuzz` (`TEACHFLOW_FUZZ=long`) runs 2000.

`tests/test_concurrency.py` runs one session from several threads: each thread gets its own
feeds, `assign_add` and optimizer steps from many threads never lose an update (stateful kernels
run under the session's lock), two sessions on one graph never share values, and name scopes
are per thread, as in TensorFlow.
"""


def test_docs_table_lists_every_case() -> None:
    doc = DOC.read_text(encoding="utf-8")
    missing = [table_row(c) for c in CASES if table_row(c) not in doc]
    assert not missing, (
        "docs/bad-inputs.md is out of date; regenerate it with `python -m tests.test_bad_input`."
        "\nMissing rows:\n" + "\n".join(missing)
    )


# -- the same snippets on real TensorFlow --------------------------------------------------------


@pytest.fixture(scope="module")
def real_tf() -> Any:
    tfv1 = pytest.importorskip("tensorflow.compat.v1")
    tfv1.disable_v2_behavior()
    tfv1.logging.set_verbosity(tfv1.logging.ERROR)
    return tfv1


@pytest.mark.compat
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # TF's own __del__
def test_tensorflow_column_is_what_tensorflow_does(real_tf: Any) -> None:
    wrong = []
    for case in CASES:
        if case.tf is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = run_case(case, real_tf)
        got = "" if out.error is None else type(out.error).__name__
        if got not in case.tf.split(" or "):
            wrong.append(f"{case.code}: TensorFlow gives {got or 'no error'!r}, table {case.tf!r}")
    assert not wrong, "\n".join(wrong)


# -- control-dependency cycles --------------------------------------------------------------------


def test_public_api_cannot_build_a_cycle() -> None:
    with tf.Graph().as_default() as g:
        a = tf.constant(1.0, name="a")
        # control inputs are ops that already exist: a new op can only wait for older ones
        with tf.control_dependencies([a]):
            b = tf.identity(a, name="b")
        assert b.op.control_inputs == [] and b.op.inputs[0] is a  # the data edge suffices
        with pytest.raises(ValueError, match=r"cycle \(a -> b -> a"):
            a.op._add_control_input(b.op)
        assert a.op.control_inputs == []  # refused without a trace
        assert tf.Session(graph=g).run(b) == 1.0


def test_a_late_control_input_reorders_the_run() -> None:
    with tf.Graph().as_default() as g:
        counter = tf.Variable(0, name="counter")
        report = counter.read_value()  # created first...
        bump = tf.assign_add(counter, 1, name="bump")
        report.op._add_control_input(bump.op)  # ...but must run after the bump
        sess = tf.Session(graph=g)
        sess.run(counter.initializer)
        names = [op.name for op in sess.stepper(report).plan.ops]
        assert names.index("bump") < names.index(report.op.name)
        assert sess.run(report) == 1
        assert sess.run(report) == 2


# -- imports, pickle, warnings --------------------------------------------------------------------


def test_import_teachflow_needs_only_numpy() -> None:
    heavy = ["tensorflow", "tensorboard", "matplotlib", "graphviz", "ipywidgets", "anywidget"]
    code = (
        "import sys, teachflow as tf\n"
        "with tf.Session() as s: s.run(tf.constant(1.0) + 1.0)\n"
        f"print([m for m in {heavy!r} + ['jupyter', 'IPython', 'google.protobuf'] "
        "if m in sys.modules or any(k.startswith(m + '.') for k in sys.modules)])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_nothing_in_teachflow_uses_pickle() -> None:
    offenders = []
    for path in sorted((ROOT / "teachflow").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for i, line in enumerate(text.splitlines(), 1):
            code = line.split("#")[0]
            if re.search(
                r"\bimport (c?pickle|shelve|dill|marshal)\b|allow_pickle\s*=\s*True", code
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
            if re.search(r"\bnp\.load\(", code) and "allow_pickle=False" not in code:
                offenders.append(
                    f"{path.relative_to(ROOT)}:{i}: np.load without allow_pickle=False"
                )
    assert not offenders, "\n".join(offenders)


def test_pickling_graph_objects_is_refused_clearly() -> None:
    import pickle

    with tf.Graph().as_default() as g:
        v = tf.Variable(1.0, name="v")
        for obj, what in [(v, "Variable v:0"), (v.op, "Operation v"), (g, "Graph")]:
            with pytest.raises(TypeError, match=what):
                pickle.dumps(obj)
        with pytest.raises(TypeError, match="Session cannot be pickled"):
            pickle.dumps(tf.Session(graph=g))


def test_numpy_warnings_never_escape_a_run() -> None:
    """TensorFlow computes 1/0, log(-1), overflow silently: teachflow too, even when the
    program turns RuntimeWarnings into errors."""
    with tf.Graph().as_default(), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        one, big = tf.constant(1.0), tf.constant(3e38)
        fetches = [
            one / 0.0,
            tf.log(-one),
            big * 10.0,
            tf.sqrt(-one),
            tf.exp(tf.constant(1000.0)),
            tf.cast(tf.constant(np.nan), tf.int32),
            tf.reduce_mean(tf.constant([np.inf, -np.inf])),
            tf.constant(0.0) / 0.0,
        ]
        with tf.Session() as sess:
            got = sess.run(fetches)
    assert got[0] == np.inf and np.isnan(got[1]) and got[2] == np.inf and np.isnan(got[3])
    assert got[4] == np.inf and np.isnan(got[6]) and np.isnan(got[7])


def test_deprecated_names_warn_but_do_not_fail() -> None:
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        with pytest.warns(DeprecationWarning, match="global_variables_initializer"):
            init = tf.initialize_all_variables()
        with tf.Session() as sess:
            sess.run(init)
            assert sess.run(v) == 1.0


# -- errors while stepping ------------------------------------------------------------------------


def test_a_failed_step_is_recorded_and_the_session_runs_on() -> None:
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, name="p")
        y = tf.reshape(p, [5], name="y")
        z = tf.constant(2.0) * 3.0
        sess = tf.Session()
        run = sess.stepper(y, {p: np.ones(6)})
        with pytest.raises(tf.errors.InvalidArgumentError, match="6 values, but the requested"):
            while not run.done:
                run.step()
        assert run.records[-1].op.name == "y" and run.records[-1].error is run.error
        with pytest.raises(TypeError, match="expects a tf.Tensor"):
            run.value("y:0")
        assert sess.run(z) == 6.0
        np.testing.assert_array_equal(sess.run(y, {p: np.ones(5)}), np.ones(5))


def test_oom_is_refused_before_allocating_and_names_the_size() -> None:
    with tf.Graph().as_default():
        big = tf.zeros([10**12], name="big")
        with tf.Session() as sess:
            with pytest.raises(tf.errors.ResourceExhaustedError) as info:
                sess.run(big)
            assert info.value.op is big.op
            assert "3.64 TiB" in str(info.value) and "Hint:" in str(info.value)
            assert sess.run(tf.zeros([3])).tolist() == [0.0, 0.0, 0.0]


if __name__ == "__main__":
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render_doc(), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} ({len(CASES)} cases)")
