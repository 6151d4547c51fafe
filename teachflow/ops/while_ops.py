"""``tf.while_loop``: a loop in the graph, built from TensorFlow 1.x's frame ops.

Each loop variable enters the loop's frame (``Enter``), meets the value of the previous
iteration in a ``Merge``, and a ``Switch`` on ``LoopCond`` sends it either into the body (its
``Identity``) or out of the loop (``Exit``). The body's result goes back to the Merge through
``NextIteration``. Stepping a loop shows every iteration: after the last ``NextIteration`` the run
jumps back to the loop's first Merge while the condition holds (see
:class:`teachflow.execution.Execution`).

>>> import teachflow as tf
>>> i = tf.constant(0)
>>> total = tf.constant(0)
>>> _, s = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [i, total])
>>> print(s)
Tensor("while/Exit_1:0", shape=(), dtype=int32)
>>> int(tf.Session().run(s))
10
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teachflow import dtypes
from teachflow.graph import Graph, Operation, Tensor
from teachflow.ops import array_ops, registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.control_flow_ops import _flatten, _pack_like, merge, switch
from teachflow.ops.tensor_array_ops import TensorArray
from teachflow.tensor_shape import TensorShape

Outs = list[tuple[dtypes.DType, TensorShape]]


def _same(op: Operation) -> Outs:
    t = op.inputs[0]
    return [(t.dtype.base_dtype, t.shape)]


def _no_loop_gradient(op: Operation, *grads: Any) -> list[Any]:
    from teachflow.unsupported import UnsupportedFeatureError

    raise UnsupportedFeatureError(
        f"teachflow differentiates a tf.while_loop from its results (its Exit ops), not from a "
        f"value inside it ('{op.name}', {op.type}). Hint: take tf.gradients of what the loop "
        "returns, or stop the gradient there with tf.stop_gradient."
    )


@registry.define("Enter", infer=_same, grad=_no_loop_gradient)
def _enter_kernel(x: Any) -> Any:
    """f(x) = x, inside the loop's frame"""
    return x


@registry.define("Exit", infer=_same, grad=_no_loop_gradient)
def _exit_kernel(x: Any) -> Any:
    """f(x) = x, out of the loop's frame (after its last iteration)"""
    return x


@registry.define("NextIteration", infer=_same, grad=_no_loop_gradient)
def _next_iteration_kernel(x: Any) -> Any:
    """f(x) = x, the loop variable's value for the next iteration"""
    return x


def _loop_cond_infer(op: Operation) -> Outs:
    t = op.inputs[0]
    if t.dtype.base_dtype != dtypes.bool_:
        raise TypeError(
            f"Input 'input' of 'LoopCond' Op has type {t.dtype.base_dtype.name} that does not "
            "match expected type of bool.\n  Hint: the loop's cond must return a bool, e.g. "
            "lambda i: i < 10."
        )
    if t.shape.ndims not in (None, 0):
        raise registry.shape_error(
            op, f"Shape must be rank 0 but is rank {t.shape.ndims}", "cond returns one bool."
        )
    return [(dtypes.bool_, TensorShape([]))]


@registry.define("LoopCond", infer=_loop_cond_infer, grad=_no_loop_gradient)
def _loop_cond_kernel(pred: Any) -> Any:
    """f(pred) = pred: whether the loop runs another iteration"""
    return pred


# -- the loop being built ------------------------------------------------------------------------


class WhileContext:
    """The loop while it is built: outside values read in it enter its frame (``Enter`` with
    ``is_constant``), and ops with no inputs wait for the loop's pivot."""

    def __init__(self, graph: Graph, frame: str, parallel_iterations: int) -> None:
        self.graph = graph
        self.frame = frame
        self.parallel_iterations = parallel_iterations
        self.outer: Any = graph._cond_context
        self.entered: dict[Tensor, Tensor] = {}
        self.pivot: Tensor | None = None
        # every op made from here on belongs to the loop (also those of a cond or a loop
        # nested in it); anything older is an outside value, read through an Enter
        self.first_id = len(graph.get_operations()) + 1

    def inside(self, t: Tensor) -> bool:
        # (a variable made in the body is made outside: tf.Variable lifts it out)
        return t.op._id >= self.first_id and t.op not in self.graph.__dict__.get("_lifted_ops", ())

    def enter(self, t: Tensor, name: str) -> Tensor:
        if self.inside(t):
            return t
        if t not in self.entered:
            g = self.graph
            g._cond_context = self.outer
            try:
                with g.name_scope(None):
                    outer_t = self.outer.enter(t, name) if self.outer is not None else t
                    self.entered[t] = _enter(outer_t, self, True, name)
            finally:
                g._cond_context = self
        return self.entered[t]

    def enter_inputs(self, op_name: str, inputs: list[Tensor]) -> list[Tensor]:
        return [self.enter(t, f"{op_name}/Enter") for t in inputs]

    def added(self, op: Operation) -> None:
        pivot = self.pivot.op if self.pivot is not None else None
        if (
            pivot is not None
            and not op.inputs
            and not any(c._id >= self.first_id for c in op._control_inputs)
        ):
            op._control_inputs.append(pivot)


def _enter(t: Tensor, ctx: WhileContext, is_constant: bool, name: str) -> Tensor:
    attrs = {
        "T": t.dtype.base_dtype,
        "frame_name": ctx.frame,
        "is_constant": is_constant,
        "parallel_iterations": ctx.parallel_iterations,
    }
    return registry.make1("Enter", [t], attrs, name, graph=ctx.graph)


def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    shape_invariants: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
    maximum_iterations: Any = None,
    return_same_structure: bool = False,
) -> Any:
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``; returns the final
    ``loop_vars`` (one tensor if there is one loop variable, as TensorFlow 1.x).

    ``tf.gradients`` through the loop builds a backward loop (:mod:`teachflow.while_gradients`).
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple, dict)) and not loop_vars):
        raise ValueError("No loop variables provided")
    from teachflow.graph import get_default_graph

    pack_one = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1
    pack_one = pack_one and not return_same_structure
    structure = loop_vars
    g = registry.graph_for(_flatten(loop_vars)) or get_default_graph()
    with g.as_default(), g.name_scope(name or "while") as scope:
        if maximum_iterations is not None:
            # a counter runs alongside, as TensorFlow adds one
            limit = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if limit.shape.ndims != 0:
                raise ValueError(f"maximum_iterations must be a scalar, saw shape: {limit.shape}")
            from teachflow.ops.constant_op import constant

            counter = constant(0, dtype=limit.dtype, name="iteration_counter")
            user_cond, user_body = cond, body
            inner = loop_vars[0] if pack_one else loop_vars
            structure = (counter, inner)
            unpack = not pack_one

            def cond(n: Any, rest: Any) -> Any:
                from teachflow.ops.math_ops import logical_and

                return logical_and(n < limit, _call(user_cond, rest) if unpack else user_cond(rest))

            def body(n: Any, rest: Any) -> Any:
                nxt = n + 1
                return (nxt, _call(user_body, rest) if unpack else user_body(rest))

        # a TensorArray travels through the loop as its flow (its handle is read inside)
        arrays = [v if isinstance(v, TensorArray) else None for v in _flatten(structure)]
        flat_in = [
            v.flow if ta is not None else convert_to_tensor(v)
            for v, ta in zip(_flatten(structure), arrays)
        ]
        frame = g.unique_name("while_context")  # "while/while_context", as TensorFlow names it
        ctx = WhileContext(g, frame, parallel_iterations)
        if ctx.outer is not None:  # a loop inside a cond branch or another loop
            flat_in = ctx.outer.enter_inputs(f"{scope}Enter", flat_in)
        ctx.first_id = len(g.get_operations()) + 1
        enters = [_enter(t, ctx, False, "Enter") for t in flat_in]
        g._cond_context = ctx
        try:
            merges = [merge([t, t], name="Merge")[0] for t in enters]
            invariants = _invariants(shape_invariants, structure, len(merges))
            for m, inv in zip(merges, invariants):
                if inv is not None:
                    m._shape = inv
            ctx.pivot = merges[0]
            c = _call(cond, _pack_like(structure, _with_arrays(arrays, merges)))
            c = convert_to_tensor(c)
            pred = registry.make1("LoopCond", [c], {}, "LoopCond")
            switches = [switch(m, pred, name="Switch") for m in merges]
            idents = [array_ops.identity(s[1], name="Identity") for s in switches]
            ctx.pivot = idents[0]
            result = _call(body, _pack_like(structure, _with_arrays(arrays, idents)))
            flat_out = [
                v.flow if isinstance(v, TensorArray) else convert_to_tensor(v)
                for v in _flatten(_as_structure(result))
            ]
            if len(flat_out) != len(merges):
                raise ValueError(
                    "The two structures don't have the same number of elements.\n\nFirst "
                    f"structure: {len(merges)} loop variables\n\nSecond structure: "
                    f"{len(flat_out)} values returned by body"
                )
            nexts = []
            for m, t, inv in zip(merges, flat_out, invariants):
                t = ctx.enter(t, f"{t.op.name}/Enter") if not ctx.inside(t) else t
                _check_invariant(m, t, inv)
                if t.dtype.base_dtype != m.dtype.base_dtype:
                    raise TypeError(
                        f"Loop variable {m.op.inputs[0].op.inputs[0].name} enters the loop with "
                        f"type {m.dtype.base_dtype.name}, but has type {t.dtype.base_dtype.name} "
                        "after one iteration."
                    )
                nexts.append(
                    registry.make1("NextIteration", [t], {"T": t.dtype.base_dtype}, "NextIteration")
                )
        finally:
            g._cond_context = ctx.outer
        for m, n in zip(merges, nexts):
            _close_loop(m.op, n)
        _run_lifted_first(g, ctx.first_id)
        exits = [
            registry.make1("Exit", [s[0]], {"T": s[0].dtype.base_dtype}, "Exit") for s in switches
        ]
        for e, inv in zip(exits, invariants):
            if inv is not None:
                e._shape = inv
    finals = _with_arrays(arrays, exits)
    if len(finals) == 1 and not return_same_structure:
        return finals[0]
    # packed like what body returned (a tuple body gives a tuple), as TensorFlow 1.x does
    out = _pack_like(_as_structure(result), finals)
    return out[1] if maximum_iterations is not None else out


def _run_lifted_first(g: Graph, first_id: int) -> None:
    """Variables the body made (lifted out of the loop by tf.Variable) run before the loop in a
    session's plan, not at each iteration."""
    lifted = g.__dict__.get("_lifted_ops")
    if not lifted:
        return
    made = [op for op in g._ops_list[first_id - 1 :] if op in lifted]
    order: dict[Operation, float] = g.__dict__.setdefault("_plan_order", {})
    for k, op in enumerate(made):
        order.setdefault(op, first_id - 1 + (k + 1) / (len(made) + 1))


def _with_arrays(arrays: list[Any], flows: list[Tensor]) -> list[Any]:
    """Loop values as the user passed them: a TensorArray where one went in."""
    return [t if ta is None else ta._with_flow(t) for ta, t in zip(arrays, flows)]


def _call(fn: Callable[..., Any], args: Any) -> Any:
    return fn(*args) if isinstance(args, (list, tuple)) else fn(args)


def _as_structure(result: Any) -> Any:
    return result if isinstance(result, (list, tuple, dict)) else [result]


def _invariants(shape_invariants: Any, structure: Any, n: int) -> list[TensorShape | None]:
    if shape_invariants is None:
        return [None] * n
    # a TensorShape (or a list of dims) is one leaf
    leaves: list[TensorShape | None] = [TensorShape(s) for s in _shape_leaves(shape_invariants)]
    if len(leaves) != n:
        raise ValueError(
            "The two structures don't have the same number of elements: loop_vars has "
            f"{n}, shape_invariants has {len(leaves)}."
        )
    return leaves


def _shape_leaves(s: Any) -> list[Any]:
    if isinstance(s, TensorShape) or s is None:
        return [s]
    if isinstance(s, dict):
        return [v for k in sorted(s) for v in _shape_leaves(s[k])]
    if isinstance(s, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in s):
        return [s]
    if isinstance(s, (list, tuple)):
        return [v for item in s for v in _shape_leaves(item)]
    return [s]


def _check_invariant(m: Tensor, t: Tensor, inv: TensorShape | None) -> None:
    enter = m.op.inputs[0]
    want = inv if inv is not None else enter.shape
    if not _more_specific_or_equal(t.shape, want):
        raise ValueError(
            f"Input tensor '{enter.op.inputs[0].name}' enters the loop with shape {want}, but "
            f"has shape {t.shape} after one iteration. To allow the shape to vary across "
            "iterations, use the `shape_invariants` argument of tf.while_loop to specify a "
            "less-specific shape."
        )


def _more_specific_or_equal(shape: TensorShape, invariant: TensorShape) -> bool:
    if invariant.ndims is None:
        return True
    if shape.ndims != invariant.ndims:
        return False
    return all(
        want is None or got == want for got, want in zip(shape.as_list(), invariant.as_list())
    )


def _close_loop(merge_op: Operation, next_value: Tensor) -> None:
    """Makes ``next_value`` the Merge's second input: the edge back to the loop's start."""
    g = merge_op.graph
    old = merge_op._inputs[1]
    merge_op._inputs = (merge_op._inputs[0], next_value)
    users = g._consumers.get(old)
    if users is not None and merge_op in users:
        users.remove(merge_op)
    g._consumers.setdefault(next_value, []).append(merge_op)
