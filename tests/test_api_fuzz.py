"""Odd arguments to every public function: teachflow answers with TensorFlow's error classes
(TypeError, ValueError, NotImplementedError, tf.errors.*) carrying a real message — never an
internal KeyError, AttributeError, IndexError, numpy AxisError... — and the session stays usable.

Each example builds a small graph, calls one public callable (a function of ``tf``, ``tf.nn``,
``tf.math``..., a constructor such as an optimizer or ``tf.train.Saver``, or a method of a
Tensor, Variable, TensorShape, DType or Session) with most arguments sensible and one to three
of them replaced by a value from ``POOL`` (None, '', 2**40, nan, ragged lists, object arrays,
tensors of another dtype or graph, ops, negative axes...). When the call succeeds, what it
returned is run in a session (twice: the second run is the compiled one), its gradients are
built and run, and then a known-good fetch in the same session must still give the right value.

``REGRESSIONS`` holds the cases this fuzzer found, replayed on every run. The default budget is
small; ``make fuzz`` (``TEACHFLOW_FUZZ=long``) runs the long profile from ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import teachflow as tf
from teachflow.unsupported import UnsupportedFeatureError

pytestmark = pytest.mark.fuzz

BUDGET = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

# -------------------------------------------------------------------------------- the context


@dataclass
class Ctx:
    """One example's graph, its usual tensors and its session."""

    g: tf.Graph
    sess: tf.Session
    x: tf.Tensor  # float32 [2, 3] constant
    i: tf.Tensor  # int32 [3] constant
    p: tf.Tensor  # float32 placeholder of unknown shape
    ps: tf.Tensor  # float32 placeholder [None, 3]
    v: tf.Variable  # float32 [2, 3] variable
    n: tf.Variable  # int32 scalar variable
    loss: tf.Tensor  # a scalar depending on v
    good: tf.Tensor  # the known-good fetch
    after: tf.Tensor  # another good fetch, first run after the fuzzed call
    other: tf.Tensor  # a tensor of another graph
    logdir: str
    feeds: dict[Any, Any] = field(default_factory=dict)
    tensor: Any = None  # what tensor arguments get: x, or p when p is fed an odd value


GOOD_VALUE = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
_OTHER_GRAPH = tf.Graph()
with _OTHER_GRAPH.as_default():
    _OTHER = tf.constant([1.0, 2.0], name="other")


def make_ctx(logdir: str) -> Ctx:
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(GOOD_VALUE, name="x")
        i = tf.constant([0, 1, 1], name="i")
        p = tf.placeholder(tf.float32, name="p")
        ps = tf.placeholder(tf.float32, shape=[None, 3], name="ps")
        v = tf.Variable(GOOD_VALUE, name="v")
        n = tf.Variable(0, name="n")
        loss = tf.reduce_sum(tf.square(v))
        good = tf.add(x, 1.0, name="good")
        after = tf.multiply(x, 2.0, name="after")
    sess = tf.Session(graph=g)
    feeds = {p: GOOD_VALUE, ps: GOOD_VALUE}
    return Ctx(g, sess, x, i, p, ps, v, n, loss, good, after, _OTHER, logdir, feeds)


# -------------------------------------------------------------------------------- odd values


@dataclass(frozen=True)
class Odd:
    """A value of the pool, made in the example's context (shown by its label)."""

    label: str
    make: Callable[[Ctx], Any]

    def __repr__(self) -> str:
        return self.label


def _const(value: Any, dtype: Any = None) -> Callable[[Ctx], Any]:
    return lambda c: tf.constant(value, dtype=dtype)


POOL: list[Odd] = [
    Odd("None", lambda c: None),
    Odd("''", lambda c: ""),
    Odd("'abc'", lambda c: "abc"),
    Odd("'bad name!'", lambda c: "bad name!"),
    Odd("b'x'", lambda c: b"x"),
    Odd("0", lambda c: 0),
    Odd("1", lambda c: 1),
    Odd("-1", lambda c: -1),
    Odd("-5", lambda c: -5),
    Odd("5", lambda c: 5),
    Odd("2**40", lambda c: 2**40),
    Odd("1.5", lambda c: 1.5),
    Odd("-0.5", lambda c: -0.5),
    Odd("nan", lambda c: math.nan),
    Odd("inf", lambda c: math.inf),
    Odd("True", lambda c: True),
    Odd("False", lambda c: False),
    Odd("[]", lambda c: []),
    Odd("[[]]", lambda c: [[]]),
    Odd("[[1],[2,3]]", lambda c: [[1], [2, 3]]),
    Odd("[2,3]", lambda c: [2, 3]),
    Odd("[-1,3]", lambda c: [-1, 3]),
    Odd("[None,3]", lambda c: [None, 3]),
    Odd("[-2,3]", lambda c: [-2, 3]),
    Odd("[2**40]", lambda c: [2**40]),
    Odd("[1.5]", lambda c: [1.5]),
    Odd("['a']", lambda c: ["a"]),
    Odd("(1,)", lambda c: (1,)),
    Odd("{}", lambda c: {}),
    Odd("{'a':1}", lambda c: {"a": 1}),
    Odd("set()", lambda c: set()),
    Odd("object()", lambda c: object()),
    Odd("len", lambda c: len),
    Odd("slice(None,None,0)", lambda c: slice(None, None, 0)),
    Odd("...", lambda c: Ellipsis),
    Odd("np.float32[2,3]", lambda c: GOOD_VALUE.copy()),
    Odd("np.float64 0-d", lambda c: np.float64(2.5)),
    Odd("np.array 0-d", lambda c: np.array(3)),
    Odd("np.int64[3]", lambda c: np.array([0, 2, 1], np.int64)),
    Odd("np.uint8[2]", lambda c: np.array([1, 255], np.uint8)),
    Odd("np.bool[2]", lambda c: np.array([True, False])),
    Odd("np.complex[2]", lambda c: np.array([1 + 2j, 3j])),
    Odd("np.str[2]", lambda c: np.array(["a", "bc"])),
    Odd("np.object[2]", lambda c: np.array([1, "a"], dtype=object)),
    Odd("np.empty[0]", lambda c: np.zeros([0], np.float32)),
    Odd("np.empty[0,3]", lambda c: np.zeros([0, 3], np.float32)),
    Odd("np.float32[1,1,1,1]", lambda c: np.ones([1, 1, 1, 1], np.float32)),
    Odd("np.nan[2]", lambda c: np.array([np.nan, np.inf], np.float32)),
    Odd("x", lambda c: c.x),
    Odd("i", lambda c: c.i),
    Odd("p (unknown shape)", lambda c: c.p),
    Odd("ps [None,3]", lambda c: c.ps),
    Odd("v (Variable)", lambda c: c.v),
    Odd("n (int Variable)", lambda c: c.n),
    Odd("x.op (Operation)", lambda c: c.x.op),
    Odd("other-graph tensor", lambda c: c.other),
    Odd("int32 scalar", _const(2)),
    Odd("int64 [2]", _const([1, 0], tf.int64)),
    Odd("float64 scalar", _const(0.5, tf.float64)),
    Odd("bool [2]", _const([True, False])),
    Odd("string scalar", _const("s")),
    Odd("complex64 [2]", _const([1 + 1j, 2], tf.complex64)),
    Odd("uint8 [2]", _const([1, 2], tf.uint8)),
    Odd("float32 [0]", _const(np.zeros([0], np.float32))),
    Odd("float32 [2,3,1,1]", _const(np.ones([2, 3, 1, 1], np.float32))),
    Odd("tf.float32", lambda c: tf.float32),
    Odd("tf.int32", lambda c: tf.int32),
    Odd("tf.string", lambda c: tf.string),
    Odd("tf.bool", lambda c: tf.bool),
    Odd("tf.complex64", lambda c: tf.complex64),
    Odd("np.float32 (type)", lambda c: np.float32),
    Odd("'float33'", lambda c: "float33"),
    Odd("TensorShape([None,3])", lambda c: tf.TensorShape([None, 3])),
    Odd("TensorShape(None)", lambda c: tf.TensorShape(None)),
    Odd("[x, x]", lambda c: [c.x, c.x]),
    Odd("[x, i]", lambda c: [c.x, c.i]),
    Odd("[x, other]", lambda c: [c.x, c.other]),
    Odd("[v]", lambda c: [c.v]),
    Odd("{x: 1}", lambda c: {c.x: 1.0}),
    Odd("{p: 'abc'}", lambda c: {c.p: "abc"}),
    Odd("{p: [[1],[2,3]]}", lambda c: {c.p: [[1], [2, 3]]}),
    Odd("{p: None}", lambda c: {c.p: None}),
    Odd("{ps: zeros[2,4]}", lambda c: {c.ps: np.zeros([2, 4])}),
    Odd("{'p:0': 1}", lambda c: {"p:0": 1.0}),
    Odd("{'nope:0': 1}", lambda c: {"nope:0": 1.0}),
    Odd("{x.op: 1}", lambda c: {c.x.op: 1.0}),
    Odd("{v: 1}", lambda c: {c.v: np.ones([2, 3], np.float32)}),
    Odd("{other: 1}", lambda c: {c.other: 1.0}),
    Odd("{i: 1.5}", lambda c: {c.i: [1.5, 2, 3]}),
    Odd("{p: object}", lambda c: {c.p: np.array([1, "a"], dtype=object)}),
    Odd("Session", lambda c: c.sess),
    Odd("Graph", lambda c: c.g),
]
POOL_BY_LABEL = {o.label: o for o in POOL}
assert len(POOL_BY_LABEL) == len(POOL)
# Values that pass conversion and reach shape inference and kernels (drawn half of the time).
MILD = [
    o
    for o in POOL
    if o.label.startswith(("np.", "p ", "ps ", "int", "float", "bool", "uint", "x", "i", "-"))
    or o.label in ("0", "1", "5", "2**40", "[]", "[2,3]", "[-1,3]", "[-2,3]", "(1,)", "1.5")
]
# What a placeholder of unknown shape is fed with (so odd values reach the kernels at run time).
FEEDS: dict[str, Any] = {
    "[2,3]": GOOD_VALUE,
    "0-d": np.float32(2.0),
    "[0]": np.zeros([0], np.float32),
    "[0,3]": np.zeros([0, 3], np.float32),
    "[3,0]": np.zeros([3, 0], np.float32),
    "[1,1,1,1]": np.ones([1, 1, 1, 1], np.float32),
    "[5]": np.array([-1.0, 0.0, 0.5, np.nan, np.inf], np.float32),
    "[2,1,3]": np.arange(6, dtype=np.float32).reshape([2, 1, 3]),
    "int [3]": np.array([0, 7, -2]),
    "big [3]": np.array([1e30, -1e30, 3e38], np.float32),
}

# -------------------------------------------------------------------------------- good values

_TENSOR_PARAMS = {
    "x", "y", "a", "b", "input", "input_tensor", "tensor", "value", "t", "params", "data",
    "features", "logits", "predictions", "images", "ref", "condition", "tensor_a", "tensor_b",
    "initial_value", "other", "arr", "dividend", "divisor", "e", "targets", "sparse_delta",
}  # fmt: skip
_LIST_PARAMS = {"values", "inputs", "tensors", "t_list", "xs", "var_list"}


def good_value(c: Ctx, name: str) -> Any:
    """A sensible value for a parameter called ``name`` (most arguments stay sensible)."""
    table: dict[str, Any] = {
        "labels": c.tensor,
        "indices": c.i,
        "segment_ids": c.i,
        "perm": [1, 0],
        "multiples": [1, 2],
        "paddings": [[1, 0], [0, 1]],
        "shape": [2, 3],
        "dims": [2, 3],
        "depth": 3,
        "k": 1,
        "num": 2,
        "num_segments": 2,
        "num_or_size_splits": 1,
        "dtype": tf.float32,
        "dtype_hint": tf.float32,
        "axis": 0,
        "dim": 0,
        "begin": [0, 0],
        "size": [1, 2],
        "end": [1, 2],
        "strides": [1, 1],
        "start": 0,
        "limit": 3,
        "delta": 1,
        "stop": 3,
        "ys": c.loss,
        "loss": c.loss,
        "fetches": c.good,
        "learning_rate": 0.1,
        "global_step": 3,
        "decay_steps": 10,
        "decay_rate": 0.5,
        "boundaries": [1, 2],
        "clip_value_min": 0.0,
        "clip_value_max": 1.0,
        "clip_norm": 1.0,
        "keep_prob": 0.5,
        "rate": 0.5,
        "logdir": c.logdir,
        "save_path": os.path.join(c.logdir, "model"),
        "ckpt_dir_or_file": c.logdir,
        "checkpoint_dir": c.logdir,
        "checkpoint_prefix": os.path.join(c.logdir, "model"),
        "pos_weight": 2.0,
        "alpha": 0.2,
        "bias": [1.0, 2.0, 3.0],
        "weights": 1.0,
        "matrix": [[1.0], [2.0], [3.0]],
        "biases": [1.0],
        "sequence_lengths": [1, 2],
        "lengths": [1, 2],
        "maxlen": 3,
        "limit_": 3,
        "num_samples": 2,
        "mask": [True, False],
        "lower": 0.0,
        "upper": 1.0,
        "seed": 1,
        "variables": [c.v],
        "var_list": [c.v],
        "variable": c.v,
        "sess": c.sess,
        "session": c.sess,
    }
    if name in table:
        return table[name]
    if name in _LIST_PARAMS:
        return [c.tensor, c.x]
    return c.tensor


# -------------------------------------------------------------------------------- targets

# Global switches or functions that are no API for values; everything else public is fuzzed.
SKIP = {
    "enable_eager_execution", "enable_v2_behavior", "disable_eager_execution",
    "disable_v2_behavior", "reset_default_graph", "get_default_graph", "get_default_session",
    "set_verbosity", "run", "read_events", "read_graph", "runs",
    "Tensor", "Operation",  # made by the graph, never by the user
    # IPython's hooks for %load_ext: they change how this process imports `tensorflow`
    "load_ipython_extension", "unload_ipython_extension",
}  # fmt: skip


def fixed(obj: Any) -> Callable[[Ctx], Any]:
    """A target that is the same object in every example."""
    return lambda c: obj


def made(cls: Any) -> Callable[[Ctx], Any]:
    """A target that is a new ``cls()`` in every example."""
    return lambda c: cls()


def method(get: Callable[[Ctx], Any], name: str) -> Callable[[Ctx], Any]:
    """A target that is method ``name`` of ``get(ctx)``."""
    return lambda c: getattr(get(c), name)


def _public_functions(module: Any, prefix: str) -> dict[str, Callable[..., Any]]:
    out = {}
    for name in dir(module):
        if name.startswith("_") or name in SKIP:
            continue
        obj = getattr(module, name)
        if inspect.ismodule(obj) or not callable(obj):
            continue
        if inspect.isclass(obj) and issubclass(obj, enum.Enum):
            continue  # Enum's own functional API
        owner = getattr(obj, "__module__", "") or ""
        if not owner.startswith("teachflow"):
            continue
        out[f"{prefix}.{name}"] = fixed(obj)
    return out


def _methods(cls: type, prefix: str, get: Callable[[Ctx], Any]) -> dict[str, Any]:
    names = [n for n in dir(cls) if not n.startswith("_")]
    names += [
        "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
        "__rtruediv__", "__floordiv__", "__mod__", "__pow__", "__rpow__", "__matmul__",
        "__rmatmul__", "__and__", "__or__", "__xor__", "__lt__", "__le__", "__gt__", "__ge__",
        "__getitem__", "__neg__", "__abs__", "__invert__", "__eq__", "__ne__",
    ]  # fmt: skip
    out = {}
    for n in names:
        if not any(n in k.__dict__ for k in cls.__mro__ if k is not object):
            continue
        attr = getattr(cls, n, None)
        if attr is None or isinstance(attr, property) or not callable(attr):
            continue
        out[f"{prefix}.{n}"] = method(get, n)
    return out


TARGETS: dict[str, Callable[[Ctx], Callable[..., Any]]] = {}
for _mod, _prefix in [
    (tf, "tf"),
    (tf.nn, "tf.nn"),
    (tf.math, "tf.math"),
    (tf.random, "tf.random"),
    (tf.bitwise, "tf.bitwise"),
    (tf.initializers, "tf.initializers"),
    (tf.train, "tf.train"),
    (tf.summary, "tf.summary"),
]:
    TARGETS.update(_public_functions(_mod, _prefix))
for _name, _fn in vars(tf.losses).items():
    if not _name.startswith("_") and inspect.isfunction(_fn):
        if _fn.__module__ == "teachflow.losses":
            TARGETS[f"tf.losses.{_name}"] = fixed(_fn)
TARGETS.update(_methods(tf.Tensor, "Tensor", lambda c: c.x))
TARGETS.update(_methods(tf.Tensor, "Tensor(int)", lambda c: c.i))
TARGETS.update(_methods(tf.Tensor, "Tensor(unknown)", lambda c: c.p))
TARGETS.update(_methods(tf.Variable, "Variable", lambda c: c.v))
TARGETS.update(_methods(tf.Operation, "Operation", lambda c: c.good.op))
TARGETS.update(_methods(tf.TensorShape, "TensorShape", lambda c: tf.TensorShape([None, 3])))
TARGETS.update(_methods(tf.TensorShape, "TensorShape(None)", lambda c: tf.TensorShape(None)))
TARGETS.update(_methods(tf.DType, "DType", lambda c: tf.float32))
TARGETS.update(_methods(tf.Graph, "Graph", lambda c: c.g))
for _name in ("run", "make_callable", "list_devices", "partial_run_setup"):
    if hasattr(tf.Session, _name):
        TARGETS[f"Session.{_name}"] = method(lambda c: c.sess, _name)
for _cls in [
    tf.train.GradientDescentOptimizer,
    tf.train.MomentumOptimizer,
    tf.train.AdamOptimizer,
    tf.train.AdagradOptimizer,
    tf.train.RMSPropOptimizer,
    tf.train.AdadeltaOptimizer,
    tf.train.FtrlOptimizer,
    tf.train.ProximalGradientDescentOptimizer,
]:
    TARGETS[f"tf.train.{_cls.__name__}"] = fixed(_cls)
for _m in ("minimize", "compute_gradients", "apply_gradients"):
    TARGETS[f"Optimizer.{_m}"] = method(lambda c: tf.train.GradientDescentOptimizer(0.1), _m)
    TARGETS[f"AdamOptimizer.{_m}"] = method(lambda c: tf.train.AdamOptimizer(0.1), _m)
TARGETS["tf.train.Saver"] = lambda c: tf.train.Saver
for _m in ("save", "restore", "export_meta_graph"):
    TARGETS[f"Saver.{_m}"] = method(lambda c: tf.train.Saver([c.v]), _m)
TARGETS["tf.summary.FileWriter"] = lambda c: tf.summary.FileWriter
TARGETS["tf.Session"] = lambda c: tf.Session
TARGETS["tf.Variable"] = lambda c: tf.Variable
TARGETS["tf.TensorShape"] = lambda c: tf.TensorShape
TARGETS["tf.Dimension"] = lambda c: tf.Dimension
TARGETS["tf.IndexedSlices"] = lambda c: tf.IndexedSlices
TARGETS["tf.variable_scope"] = lambda c: tf.variable_scope
for _cls_name in [n for n in dir(tf) if n.endswith("_initializer")]:
    _init = getattr(tf, _cls_name)
    if inspect.isclass(_init):
        TARGETS[f"tf.{_cls_name}"] = fixed(_init)
        TARGETS[f"tf.{_cls_name}()"] = method(made(_init), "__call__")
NAMES = sorted(TARGETS)

# -------------------------------------------------------------------------------- checking

# Internal errors, whatever class they pass as (numpy's AxisError is also a ValueError).
FORBIDDEN: tuple[type[BaseException], ...] = (
    KeyError, AttributeError, IndexError, ZeroDivisionError, NameError, RecursionError,
    AssertionError, np.exceptions.AxisError, OverflowError, StopIteration, RuntimeError,
)  # fmt: skip
ALLOWED = (TypeError, ValueError, NotImplementedError, UnsupportedFeatureError, tf.errors.OpError)
# Python's own texts for a bug in the library (a user's value never explains them).
INTERNAL_TEXTS = (
    "object has no attribute", "unhashable type", "'NoneType' object", "not subscriptable",
    "referenced before assignment", "index out of range", "cannot unpack",
    "values to unpack", "is not callable", "not supported between instances",
    "this is a bug in teachflow", "unexpected keyword argument", "object cannot be interpreted",
    "ufunc", "Cannot cast array data",
    "setting an array element with a sequence", "inhomogeneous", "maximum recursion",
)  # fmt: skip
# TensorFlow's own AssertionError and RuntimeError texts for misuse.
TF_ASSERTIONS = ("Do not use tf.reset_default_graph()",)
TF_RUNTIME = ("Graph is finalized", "Attempted to use a closed Session")
# Lookups whose error class is part of the Python protocol TensorFlow follows (a KeyError from
# a name lookup, an IndexError from indexing a shape), with teachflow's message.
TF_PROTOCOL = (
    (KeyError, "refers to an Operation not in the graph"),
    (KeyError, "refers to a Tensor which does not exist"),
    (IndexError, "is out of range for shape"),
)


def check_error(e: BaseException, where: str) -> None:
    text = str(e)
    first = text.splitlines()[0] if text else ""
    if isinstance(e, AssertionError) and any(s in text for s in TF_ASSERTIONS):
        return
    if type(e) is RuntimeError and any(s in first for s in TF_RUNTIME):
        return
    if any(isinstance(e, cls) and s in first for cls, s in TF_PROTOCOL):
        return
    if type(e) is LookupError and first.startswith("No gradient defined for operation"):
        return  # TensorFlow's error for tf.gradients through an op without a gradient
    forbidden = isinstance(e, FORBIDDEN) and not isinstance(e, NotImplementedError)
    if forbidden or not isinstance(e, ALLOWED):
        raise AssertionError(f"{where}: internal {type(e).__name__} escaped: {text}") from e
    if isinstance(e, tf.errors.InternalError):
        raise AssertionError(f"{where}: InternalError: {text}") from e
    if len(first.strip()) < 8:
        raise AssertionError(f"{where}: {type(e).__name__} without a message: {text!r}") from e
    for s in INTERNAL_TEXTS:
        if s in first and "Hint:" not in text:  # with a hint, it is TensorFlow's text on purpose
            raise AssertionError(f"{where}: internal text {s!r} in {type(e).__name__}: {text}")


def attempt(fn: Callable[[], Any], where: str) -> tuple[bool, Any]:
    """(True, result) or (False, None) after checking the error is a user-facing one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return True, fn()
    except BaseException as e:  # the point is to inspect every escape
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        check_error(e, where)
        return False, None


def fetchables(result: Any, g: tf.Graph, depth: int = 0) -> list[Any]:
    """The tensors, ops and variables of ``g`` found in ``result`` (a few levels deep)."""
    if depth > 3:
        return []
    if isinstance(result, (tf.Tensor, tf.Operation, tf.Variable)):
        return [result] if result.graph is g else []
    if isinstance(result, (list, tuple)):
        return [f for r in result[:8] for f in fetchables(r, g, depth + 1)]
    if isinstance(result, dict):
        return [f for r in list(result.values())[:8] for f in fetchables(r, g, depth + 1)]
    return []


def check_call(name: str, mutations: dict[str, str], n_pos: int = 0, feed: str = "[2,3]") -> None:
    """Calls target ``name`` with sensible arguments except ``mutations`` (param -> pool label);
    ``n_pos`` pool values go to ``*args`` when the target takes them; the placeholder ``p`` is
    fed ``FEEDS[feed]``."""
    with tempfile.TemporaryDirectory() as logdir, working_directory(logdir):
        c = make_ctx(logdir)
        c.feeds[c.p] = FEEDS[feed]
        c.tensor = c.x if feed == "[2,3]" else c.p
        try:
            with c.g.as_default():
                _check_call(c, name, mutations, n_pos)
        finally:
            c.sess.close()


@contextlib.contextmanager
def working_directory(path: str) -> Iterator[None]:
    """Runs in ``path``: relative file names the fuzzer passes ('abc', 'bad name!') land there."""
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _check_call(c: Ctx, name: str, mutations: dict[str, str], n_pos: int) -> None:
    ok, fn = attempt(lambda: TARGETS[name](c), f"{name} (getting it)")
    if not ok:
        return
    args, kwargs = arguments(c, fn, mutations, n_pos)
    where = f"{name}({', '.join(f'{k}={v}' for k, v in mutations.items())}) p={c.feeds[c.p]!r}"
    ok, result = attempt(lambda: fn(*args, **kwargs), f"{where} at construction")
    if ok:
        if inspect.isclass(result) or callable(result) and not hasattr(result, "graph"):
            # an initializer or a context manager: exercise it once
            if hasattr(result, "__enter__"):
                attempt(lambda: _enter_exit(result), f"{where} entering")
            elif callable(result) and not inspect.isclass(result):
                ok, result = attempt(lambda: result([2, 3]), f"{where} called with [2, 3]")
        run_results(c, result, where)
    # the session runs the known-good fetches (one of them for the first time)...
    ok, values = attempt(lambda: c.sess.run([c.good, c.after]), f"{where}: good run afterwards")
    assert ok, f"{where}: the session no longer runs a good fetch"
    np.testing.assert_array_equal(values[0], GOOD_VALUE + 1.0)
    np.testing.assert_array_equal(values[1], GOOD_VALUE * 2.0)
    if not c.g.finalized:  # ...and the graph takes new ops
        with c.g.as_default():
            later = tf.subtract(c.x, 1.0)
        np.testing.assert_array_equal(c.sess.run(later), GOOD_VALUE - 1.0)


def _enter_exit(cm: Any) -> None:
    with cm:
        tf.constant(1.0)


def arguments(
    c: Ctx, fn: Any, mutations: dict[str, str], n_pos: int
) -> tuple[list[Any], dict[str, Any]]:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for prm in params:
        if prm.kind is prm.VAR_POSITIONAL:
            args += [POOL_BY_LABEL[mutations[f"*{k}"]].make(c) for k in range(n_pos)]
        elif prm.kind is prm.VAR_KEYWORD:
            continue
        elif prm.name in mutations:
            value = POOL_BY_LABEL[mutations[prm.name]].make(c)
            if prm.kind is prm.POSITIONAL_ONLY or args:
                args.append(value)
            else:
                kwargs[prm.name] = value
        elif prm.default is prm.empty:
            value = good_value(c, prm.name)
            if prm.kind is prm.POSITIONAL_ONLY or args:
                args.append(value)
            else:
                kwargs[prm.name] = value
        elif args:
            break  # *args filled: later parameters keep their defaults
    return args, kwargs


def run_results(c: Ctx, result: Any, where: str) -> None:
    fetches = fetchables(result, c.g)
    if not fetches:
        return
    with c.g.as_default():
        ok, init = attempt(tf.global_variables_initializer, f"{where}: initializer")
    if ok:
        attempt(lambda: c.sess.run(init), f"{where}: running the initializer")
    for f in fetches[:4]:
        for k in range(2):  # the second run is the compiled one
            attempt(partial(c.sess.run, f, feed_dict=c.feeds), f"{where}: run {k + 1} of {f}")
    floats = [
        f
        for f in fetches[:2]
        if isinstance(f, tf.Tensor) and f.dtype.base_dtype in (tf.float32, tf.float64)
    ]
    for f in floats:
        with c.g.as_default():
            ok, grads = attempt(partial(tf.gradients, f, [c.x, c.p, c.v]), f"{where}: gradients")
        if ok:
            got = [gr for gr in grads if gr is not None]
            if got:
                attempt(partial(c.sess.run, got, feed_dict=c.feeds), f"{where}: running gradients")


# -------------------------------------------------------------------------------- properties


def _params(name: str) -> list[inspect.Parameter]:
    with tempfile.TemporaryDirectory() as logdir:
        c = make_ctx(logdir)
        try:
            with c.g.as_default():
                fn = TARGETS[name](c)
                return list(inspect.signature(fn).parameters.values())
        except Exception:  # _check_call reports failures to get the target
            return []
        finally:
            c.sess.close()


_PARAMS: dict[str, list[inspect.Parameter]] = {}


Call = tuple[str, dict[str, str], int, str]  # name, mutations, len(*args), feed of p


@st.composite
def calls(draw: st.DrawFn, names: list[str]) -> Call:
    name = draw(st.sampled_from(names))
    if name not in _PARAMS:
        _PARAMS[name] = _params(name)
    params = [p for p in _PARAMS[name] if p.kind is not p.VAR_KEYWORD]
    mutations: dict[str, str] = {}
    n_pos = 0
    if params:
        size = draw(st.sampled_from([1, 1, 1, 2, 2, 3]))
        chosen = draw(st.lists(st.sampled_from(params), min_size=1, max_size=size, unique=True))
        values = st.sampled_from(POOL) | st.sampled_from(MILD)
        for prm in chosen:
            if prm.kind is prm.VAR_POSITIONAL:
                n_pos = draw(st.integers(1, 3))
                for k in range(n_pos):
                    mutations[f"*{k}"] = draw(values).label
            else:
                mutations[prm.name] = draw(values).label
    return name, mutations, n_pos, draw(st.sampled_from(sorted(FEEDS)))


def _group(*prefixes: str) -> list[str]:
    return [n for n in NAMES if n.split(".")[0] in prefixes or n.startswith(prefixes)]


FUNCTIONS = [n for n in NAMES if n.startswith("tf.") and not n.startswith(("tf.train", "tf.summ"))]
OBJECTS = [n for n in NAMES if n not in FUNCTIONS]


@BUDGET
@given(calls(FUNCTIONS))
def test_functions_raise_only_user_facing_errors(call: Call) -> None:
    check_call(*call)


@BUDGET
@given(calls(OBJECTS))
def test_methods_and_classes_raise_only_user_facing_errors(
    call: Call,
) -> None:
    check_call(*call)


@BUDGET
@given(calls([n for n in NAMES if n.startswith(("Tensor", "Variable", "Session"))]))
def test_operators_slicing_and_runs_raise_only_user_facing_errors(
    call: Call,
) -> None:
    check_call(*call)


# The cases the fuzzer found (name, mutated parameters), replayed on every run.
REGRESSIONS: list[tuple[str, dict[str, str]]] = [
    ("tf.DType", {"type_enum": "np.float32[1,1,1,1]"}),  # unhashable enum
    ("tf.DType", {"type_enum": "1"}),  # tf.DType(type_enum=1)
    ("tf.add_to_collections", {"names": "[[]]"}),  # unhashable collection name
    ("Graph.clear_collection", {"name": "{}"}),
    ("tf.train.export_meta_graph", {"graph": "slice(None,None,0)", "graph_def": "1.5"}),
    ("tf.train.export_meta_graph", {"graph_def": "1.5"}),
    ("tf.train.export_meta_graph", {"saver_def": "{'a':1}"}),
    ("TensorShape.with_rank_at_most", {"rank": "None"}),
    ("TensorShape.with_rank_at_least", {"rank": "'abc'"}),
    ("TensorShape(None).with_rank", {"rank": "2**40"}),  # MemoryError building the dims
    ("tf.count_up_to", {"ref": "np.complex[2]"}),  # numpy dtype has no is_ref
    ("tf.multinomial", {"seed": "inf"}),  # OverflowError from int(inf)
    ("tf.one_hot", {"axis": "inf"}),
    ("Saver.save", {"sess": "x"}),  # a tensor as the session
    ("tf.tensordot", {"axes": "[-2,3]"}),  # IndexError from an out-of-range axis
    ("tf.clip_by_norm", {"clip_norm": "'abc'"}),  # max('abc', 0)
    ("tf.clip_by_global_norm", {"use_norm": "0"}),  # ZeroDivisionError
    ("tf.clip_by_global_norm", {"use_norm": "1.5"}),  # float has no dtype
    ("Operation.get_attr", {"name": "[]"}),  # unhashable attr name
    ("tf.train.remove_checkpoint", {"meta_graph_suffix": "np.empty[0]"}),  # str + array
    ("Session.make_callable", {"feed_list": "np.float32[1,1,1,1]"}),  # unhashable feed key
]


@pytest.mark.parametrize(
    ("name", "mutations"), REGRESSIONS, ids=[f"{n}{m}" for n, m in REGRESSIONS]
)
def test_found_cases_stay_fixed(name: str, mutations: dict[str, str]) -> None:
    n_pos = sum(1 for k in mutations if k.startswith("*"))
    check_call(name, mutations, n_pos)


def test_the_pool_and_the_catalogue_are_broad() -> None:
    assert len(TARGETS) > 400
    assert {"tf.reduce_sum", "tf.nn.softmax", "Session.run", "Tensor.__getitem__"} <= set(NAMES)
