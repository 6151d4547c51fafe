"""Random graphs, evaluated by teachflow and by numpy: the two agree, or teachflow fails the way
TensorFlow does (integer division by zero is an InvalidArgumentError) — never a crash.

Hypothesis draws a program: leaves (constants and placeholders with full, partial or unknown
static shapes), then ops from the shared catalogue in ``tests/strategies.py`` (unary, binary
with broadcasting, reductions) and array ops (transpose, reshape, expand_dims, squeeze, concat,
stack, tile, reverse, slicing, matmul, add_n, cast); then a fetch set and a feed set that may
override intermediate tensors and constants. The numpy reference prunes exactly as a Session
does: a fed node's inputs are not evaluated.

The default budget is small; ``make fuzz`` (``TEACHFLOW_FUZZ=long``) runs the long profile from
``tests/conftest.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import teachflow as tf

from .strategies import BINARY, REDUCTIONS, UNARY, arrays, shapes

pytestmark = pytest.mark.fuzz

DTYPES = ("float32", "float64", "int32", "int64")
# ~100 examples by default; the long profile (make fuzz) raises it
BUDGET = settings(
    max_examples=max(100, settings.default.max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# integer ops TensorFlow refuses to divide by zero in
INT_DIVISIONS = {"floordiv", "floormod"}
# ops whose float results may differ from numpy's formula in the last bits (another formula, or
# another order of summation); comparisons of such values may tip either way
INEXACT = {"exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "log_sigmoid", "sqrt"}
INEXACT |= {"rsqrt", "pow", "matmul", "add_n", "reduce_sum", "reduce_mean", "reduce_prod"}


@dataclass
class Node:
    """One tensor of the program: how teachflow builds it and how numpy computes it."""

    text: str  # e.g. "add(n0, n2)"
    inputs: tuple[int, ...]
    build: Callable[..., Any]  # teachflow tensors -> tensor
    ref: Callable[..., np.ndarray]  # numpy values -> value
    value: np.ndarray  # the reference value with no feeds (fixes shape and dtype)
    leaf: str = ""  # "const" or "placeholder" for leaves
    static_shape: Any = None  # a placeholder's declared shape
    int_division: bool = False
    # set by programs(): every op up to here rounds as numpy does (no transcendental functions
    # or reordered sums), and whether a float32 value lies on the way (its precision is float32)
    exact: bool = True
    coarse: bool = False
    tipped: bool = False  # an int or bool made from such rounded values is on the way


class Program:
    """Nodes in creation order, the fetched nodes, and the fed values by node."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.fetches: list[int] = []
        self.feeds: dict[int, np.ndarray] = {}

    def __repr__(self) -> str:
        lines = [
            f"  n{i} = {n.text}  # {n.value.dtype} {n.value.shape}"
            for i, n in enumerate(self.nodes)
        ]
        feeds = {f"n{i}": v.tolist() for i, v in self.feeds.items()}
        return "\n".join(["Program:", *lines, f"  fetch {self.fetches} feed {feeds}"])


def _quiet(fn: Callable[..., Any]) -> Callable[..., Any]:
    def ref(*xs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*xs)

    return ref


# -- drawing a program ---------------------------------------------------------------------------


@st.composite
def leaf(draw: Any, dtype: str, shape: tuple[int, ...], index: int) -> Node:
    value = draw(arrays(dtype, shape))
    kind = draw(st.sampled_from(["const", "placeholder"]))
    if kind == "const":
        return Node(
            f"constant({value.tolist()!r}, {dtype})",
            (),
            lambda: tf.constant(value, dtype=dtype, name=f"n{index}"),
            lambda: value,
            value,
            leaf="const",
        )
    static = draw(
        st.sampled_from(
            [list(shape), [None] * len(shape), None, [None, *shape[1:]] if shape else []]
        )
    )
    return Node(
        f"placeholder({dtype}, shape={static})",
        (),
        lambda: tf.placeholder(dtype, shape=static, name=f"n{index}"),
        lambda: value,
        value,
        leaf="placeholder",
        static_shape=static,
    )


def _pick(draw: Any, nodes: list[Node], ok: Callable[[Node], bool]) -> int | None:
    choices = [i for i, n in enumerate(nodes) if ok(n)]
    return draw(st.sampled_from(choices)) if choices else None


def _dt(n: Node) -> str:
    return n.value.dtype.name


@st.composite
def op_node(draw: Any, nodes: list[Node]) -> Node | None:
    """One new op on existing nodes (None when the drawn op does not fit them)."""
    kind = draw(
        st.sampled_from(
            ["unary", "binary", "binary", "reduction", "cast", "array", "array", "matmul", "add_n"]
        )
    )
    i = draw(st.integers(0, len(nodes) - 1))
    x = nodes[i]
    dt, shape, rank = _dt(x), x.value.shape, x.value.ndim
    if kind == "unary":
        ops = [u for u in UNARY if dt in u.dtypes]
        if not ops:
            return None
        u = draw(st.sampled_from(ops))
        out = u.out or dt
        fn = getattr(tf, u.name)
        ref = _quiet(lambda a, u=u, out=out: np.asarray(u.ref(a)).astype(out))
        return Node(f"{u.name}(n{i})", (i,), fn, ref, ref(x.value))
    if kind == "binary":
        ops = [b for b in BINARY if dt in b.dtypes]
        if not ops:
            return None
        b = draw(st.sampled_from(ops))
        j = _pick(draw, nodes, lambda n: _dt(n) == dt and _broadcasts(n.value.shape, shape))
        if j is None:
            return None
        out = b.out or dt
        fn = getattr(tf, b.name)
        ref = _quiet(lambda a, c, b=b, out=out: np.asarray(b.ref(a, c)).astype(out))
        first, second = draw(st.sampled_from([(i, j), (j, i)]))
        value = ref(nodes[first].value, nodes[second].value)
        return Node(
            f"{b.name}(n{first}, n{second})",
            (first, second),
            fn,
            ref,
            value,
            int_division=b.name in INT_DIVISIONS and dt.startswith("int"),
        )
    if kind == "reduction":
        ops = [r for r in REDUCTIONS if dt in r.dtypes]
        if not ops:
            return None
        r = draw(st.sampled_from(ops))
        axis = draw(
            st.one_of(
                st.none(),
                st.integers(-rank, rank - 1) if rank else st.none(),
                st.lists(st.integers(0, max(rank - 1, 0)), unique=True, max_size=rank),
            )
        )
        keep = draw(st.booleans())
        np_axis = tuple(axis) if isinstance(axis, list) else axis
        fn = getattr(tf, r.name)
        ref = _quiet(lambda a, r=r, ax=np_axis, k=keep: _reduce(r.name, r.ref, a, ax, k))
        return Node(
            f"{r.name}(n{i}, axis={axis}, keepdims={keep})",
            (i,),
            lambda t, fn=fn, axis=axis, keep=keep: fn(t, axis=axis, keepdims=keep),
            ref,
            ref(x.value),
        )
    if kind == "cast":
        # float -> int is undefined for NaN and out-of-range values: not drawn
        targets = [d for d in (*DTYPES, "bool") if not (dt.startswith("float") and "int" in d)]
        to = draw(st.sampled_from(targets))
        ref = _quiet(lambda a, to=to: np.asarray(a).astype(to))
        return Node(f"cast(n{i}, {to})", (i,), lambda t, to=to: tf.cast(t, to), ref, ref(x.value))
    if kind == "matmul":
        m = _pick(draw, nodes, lambda n: n.value.ndim == 2 and _dt(n).startswith("float"))
        if m is None:
            return None
        i, x, dt, shape = m, nodes[m], _dt(nodes[m]), nodes[m].value.shape
        n_cols = draw(st.integers(1, 4))
        j = len(nodes)
        other = draw(leaf(dt, (shape[1], n_cols), j))
        nodes.append(other)
        ref = _quiet(lambda a, b: np.matmul(a, b))
        return Node(f"matmul(n{i}, n{j})", (i, j), tf.matmul, ref, ref(x.value, other.value))
    if kind == "add_n":
        same = [k for k, n in enumerate(nodes) if _dt(n) == dt and n.value.shape == shape]
        if dt == "bool":
            return None
        picked = draw(st.lists(st.sampled_from(same), min_size=1, max_size=3))
        ref = _quiet(lambda *xs, d=dt: np.asarray(sum(xs[1:], xs[0])).astype(d))
        value = ref(*[nodes[k].value for k in picked])
        text = ", ".join(f"n{k}" for k in picked)
        return Node(f"add_n([{text}])", tuple(picked), lambda *ts: tf.add_n(list(ts)), ref, value)
    return draw(array_op(nodes, i))


def _reduce(name: str, ref: Callable[..., Any], a: np.ndarray, axis: Any, keep: bool) -> Any:
    """The catalogue's reference, plus TensorFlow's answers over no elements: max is the
    lowest value, min the highest, a float mean NaN and an integer mean 0."""
    dt = a.dtype
    axes = range(a.ndim) if axis is None else np.atleast_1d(axis).tolist()
    if a.size and all(a.shape[i] for i in axes):
        return np.asarray(ref(a, axis, keep)).astype(dt)
    lo, hi = (-np.inf, np.inf) if dt.kind == "f" else (np.iinfo(dt).min, np.iinfo(dt).max)
    if name in ("reduce_max", "reduce_min"):
        start = lo if name == "reduce_max" else hi
        fn = np.max if name == "reduce_max" else np.min
        return np.asarray(fn(a, axis=axis, keepdims=keep, initial=start)).astype(dt)
    if name == "reduce_mean":
        shape = np.sum(a, axis=axis, keepdims=keep).shape
        return np.full(shape, np.nan if dt.kind == "f" else 0, dtype=dt)
    return np.asarray(ref(a, axis, keep)).astype(dt)


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


@st.composite
def array_op(draw: Any, nodes: list[Node], i: int) -> Node | None:
    x = nodes[i]
    shape, rank = x.value.shape, x.value.ndim
    op = draw(
        st.sampled_from(
            ["transpose", "reshape", "expand_dims", "squeeze", "concat", "stack", "tile"]
            + ["reverse", "slice"]
        )
    )
    unary: tuple[str, Callable[..., Any], Callable[..., Any]] | None = None
    if op == "transpose":
        perm = draw(st.permutations(range(rank)))  # [] for a scalar
        unary = (
            f"transpose(n{i}, {perm})",
            lambda t: tf.transpose(t, perm=perm),
            lambda a: np.transpose(a, perm),
        )
    elif op == "reshape":
        target = draw(st.sampled_from([[-1], list(shape[::-1]), [1, *shape], [x.value.size]]))
        unary = (
            f"reshape(n{i}, {target})",
            lambda t: tf.reshape(t, target),
            lambda a: np.reshape(a, target),
        )
    elif op == "expand_dims":
        axis = draw(st.integers(-rank - 1, rank))
        unary = (
            f"expand_dims(n{i}, {axis})",
            lambda t: tf.expand_dims(t, axis),
            lambda a: np.expand_dims(a, axis),
        )
    elif op == "squeeze":
        ones = [d for d in range(rank) if shape[d] == 1]
        axes = draw(st.lists(st.sampled_from(ones), unique=True)) if ones else []
        unary = (
            f"squeeze(n{i}, {axes or None})",
            lambda t: tf.squeeze(t, axis=axes or None),
            lambda a: np.squeeze(a, axis=tuple(axes) if axes else None),
        )
    elif op == "tile" and rank:
        reps = draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank))
        unary = (f"tile(n{i}, {reps})", lambda t: tf.tile(t, reps), lambda a: np.tile(a, reps))
    elif op == "reverse" and rank:
        axes = draw(st.lists(st.integers(0, rank - 1), unique=True, min_size=1))
        unary = (
            f"reverse(n{i}, {axes})",
            lambda t: tf.reverse(t, axes),
            lambda a: np.flip(a, tuple(axes)),
        )
    elif op == "slice" and rank:
        spec = draw(st.sampled_from(["0", "1:", "::-1", "::2"]))
        index: Any = {"0": 0, "1:": slice(1, None), "::-1": slice(None, None, -1)}.get(
            spec, slice(None, None, 2)
        )
        unary = (f"n{i}[{spec}]", lambda t: t[index], lambda a: a[index])
    elif op in ("concat", "stack"):
        j = _pick(draw, nodes, lambda n: _dt(n) == _dt(x) and n.value.shape == shape)
        assert j is not None  # x itself qualifies
        if op == "concat" and rank:
            axis = draw(st.integers(-rank, rank - 1))
            ref = _quiet(lambda a, b: np.concatenate([a, b], axis))
            return Node(
                f"concat([n{i}, n{j}], {axis})",
                (i, j),
                lambda a, b: tf.concat([a, b], axis),
                ref,
                ref(x.value, nodes[j].value),
            )
        axis = draw(st.integers(-rank - 1, rank))
        ref = _quiet(lambda a, b: np.stack([a, b], axis))
        return Node(
            f"stack([n{i}, n{j}], {axis})",
            (i, j),
            lambda a, b: tf.stack([a, b], axis),
            ref,
            ref(x.value, nodes[j].value),
        )
    if unary is None:
        return None
    text, build, fn = unary
    ref = _quiet(fn)
    return Node(text, (i,), build, ref, np.asarray(ref(x.value)))


@st.composite
def programs(draw: Any) -> Program:
    dtype = draw(st.sampled_from(DTYPES))
    base = draw(shapes(min_dims=0, max_dims=3, max_side=4))
    prog = Program()
    for _ in range(draw(st.integers(1, 3))):
        shape = draw(hnp.broadcastable_shapes(base, min_dims=0, max_dims=3, max_side=4))
        prog.nodes.append(draw(leaf(dtype, shape, len(prog.nodes))))
    for _ in range(draw(st.integers(1, 12))):
        node = draw(op_node(prog.nodes))
        if node is not None and node.value.size <= 4096:
            prog.nodes.append(node)
    for n in prog.nodes:
        ins = [prog.nodes[j] for j in n.inputs]
        name = n.text.split("(")[0]
        n.coarse = n.value.dtype == np.float32 or any(x.coarse for x in ins)
        rounds = name in INEXACT and any(x.value.dtype.kind == "f" for x in [n, *ins])
        n.exact = not rounds and all(x.exact for x in ins)
        n.tipped = any(x.tipped for x in ins) or (n.value.dtype.kind != "f" and not n.exact)
    count = len(prog.nodes)
    prog.fetches = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=4))
    placeholders = [i for i, n in enumerate(prog.nodes) if n.leaf == "placeholder"]
    overridden = draw(st.lists(st.integers(0, count - 1), unique=True, max_size=2))
    for i in placeholders:
        prog.feeds[i] = prog.nodes[i].value
    for i in overridden:
        v = prog.nodes[i].value
        prog.feeds[i] = draw(arrays(v.dtype.name, v.shape)) if v.dtype != bool else ~v
    return prog


# -- the reference and the comparison -------------------------------------------------------------


def reference(prog: Program, tensors: list[tf.Tensor]) -> tuple[list[np.ndarray], bool]:
    """numpy values of the fetches, pruned like a Session; and whether an integer division by
    zero happens on the way (TensorFlow refuses it).

    Nodes that built the very same tensor (``tf.cast`` to its own dtype returns its input, as
    in TensorFlow) are one tensor: feeding either feeds both, the last value winning as in the
    feed_dict."""
    fed = {tensors[i]: v for i, v in prog.feeds.items()}
    memo: dict[int, np.ndarray] = {}
    divides_by_zero = False

    def value(i: int) -> np.ndarray:
        nonlocal divides_by_zero
        if tensors[i] in fed:
            return fed[tensors[i]]
        if i not in memo:
            n = prog.nodes[i]
            args = [value(j) for j in n.inputs]
            if n.int_division and not np.all(args[1]):
                divides_by_zero = True
            memo[i] = np.asarray(n.ref(*args))
        return memo[i]

    return [value(i) for i in prog.fetches], divides_by_zero


def build(prog: Program) -> tuple[tf.Graph, list[tf.Tensor]]:
    g = tf.Graph()
    tensors: list[tf.Tensor] = []
    with g.as_default():
        for n in prog.nodes:
            tensors.append(n.build(*[tensors[j] for j in n.inputs]))
    return g, tensors


def assert_agrees(got: Any, want: np.ndarray, tensor: tf.Tensor, node: Node, what: str) -> None:
    got = np.asarray(got)
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, numpy says {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, numpy says {want.shape}"
    assert tensor.dtype.name == want.dtype.name, f"{what}: static dtype {tensor.dtype}"
    assert tensor.shape.is_compatible_with(got.shape), f"{what}: static shape {tensor.shape}"
    if node.tipped:
        return  # a comparison of last-bit-different values may have gone either way
    if got.dtype.kind == "f":
        finite = want[np.isfinite(want)]
        scale = float(np.max(np.abs(finite))) if finite.size else 1.0
        tol = 1e-4 if node.coarse else 1e-9
        np.testing.assert_allclose(
            got, want, rtol=tol, atol=tol * max(scale, 1.0), equal_nan=True, err_msg=what
        )
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


def run_both_ways(prog: Program, g: tf.Graph, tensors: list[tf.Tensor]) -> tuple[Any, Any]:
    """sess.run, and the same run stepped op by op."""
    fetches = [tensors[i] for i in prog.fetches]
    feed = {tensors[i]: v for i, v in prog.feeds.items()}
    with tf.Session(graph=g) as sess, warnings.catch_warnings():
        # numpy's floating-point warnings must never escape a run
        warnings.simplefilter("error", RuntimeWarning)
        ran = sess.run(fetches, feed)
        stepped = sess.stepper(fetches, feed)
        while not stepped.done:
            stepped.step()
        return ran, stepped.results


@BUDGET
@given(programs())
def test_random_graphs_agree_with_numpy(prog: Program) -> None:
    g, tensors = build(prog)
    want, divides_by_zero = reference(prog, tensors)
    if divides_by_zero:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            run_both_ways(prog, g, tensors)
        return
    ran, stepped = run_both_ways(prog, g, tensors)
    for k, (i, w) in enumerate(zip(prog.fetches, want)):
        n = prog.nodes[i]
        assert_agrees(ran[k], w, tensors[i], n, f"fetch n{i} ({n.text})")
        assert_agrees(stepped[k], w, tensors[i], n, f"stepped fetch n{i} ({n.text})")


@BUDGET
@given(programs(), st.data())
def test_feeding_the_wrong_shape_or_dtype_is_a_clear_error(prog: Program, data: Any) -> None:
    """A fed value of another shape or an unconvertible value: ValueError/TypeError naming the
    tensor, from teachflow, never from deep inside; the session works afterwards."""
    g, tensors = build(prog)
    fed = [i for i in prog.feeds if tensors[i].shape.ndims is not None]
    if not fed:
        return
    i = data.draw(st.sampled_from(fed))
    t = tensors[i]
    # one more dimension than declared, or a value no number can be made of
    wrong_rank = np.zeros([d or 1 for d in t.shape.as_list()] + [2], dtype=t.dtype.name)
    # (numpy, like TensorFlow, makes True of any non-empty string for a bool tensor)
    bad = data.draw(st.sampled_from([wrong_rank] + ([] if t.dtype == tf.bool else ["text"])))
    feed = {tensors[j]: v for j, v in prog.feeds.items()}
    feed[t] = bad
    with tf.Session(graph=g) as sess:
        with pytest.raises((ValueError, TypeError)) as info:
            sess.run([tensors[j] for j in prog.fetches], feed)
        assert t.name in str(info.value).splitlines()[0]
        assert "Hint:" in str(info.value)
        fetches = [tensors[j] for j in prog.fetches]
        good = {tensors[j]: v for j, v in prog.feeds.items()}
        want, divides_by_zero = reference(prog, tensors)
        if not divides_by_zero:
            for got, w, j in zip(sess.run(fetches, good), want, prog.fetches):
                assert_agrees(got, w, tensors[j], prog.nodes[j], f"after the error, n{j}")


def test_empty_lists_are_integer_args() -> None:
    # found by fuzzing: Python lists for integer arguments prefer int32, so [] is int32
    with tf.Graph().as_default():
        c, v = tf.constant(0.0), tf.constant([1.0, 2.0])
        fetches = [tf.transpose(c, perm=[]), tf.reshape(c, []), tf.tile(c, []), tf.reverse(v, [])]
        fetches += [tf.fill([], 1.0), tf.transpose(c)]
        with tf.Session() as sess:
            assert [np.asarray(r).tolist() for r in sess.run(fetches)] == [
                0.0,
                0.0,
                0.0,
                [1.0, 2.0],
                1.0,
                0.0,
            ]
