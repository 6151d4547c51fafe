"""Gradients through a ``tf.while_loop``: a backward loop, as TensorFlow 1.x builds it.

The forward loop gets a counter (``f_count``) and, for each forward value a gradient needs, a
stack it pushes the value on at every iteration (``StackV2``/``StackPushV2``). The backward loop
(frame ``gradients/while/while_context``) runs as many iterations (``b_count`` counts down),
pops those values last iteration first (``StackPopV2``), and carries each loop variable's
gradient through the body's gradient ops; values read from outside the loop get their gradient
summed over the iterations (an accumulator loop variable). Its ``Exit`` values are the gradients
with respect to the loop's inputs.

>>> import teachflow as tf
>>> x = tf.constant(2.0)
>>> _, y = tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x), [0, 1.0])
>>> float(tf.Session().run(tf.gradients(y, x)[0]))   # d(x^3)/dx = 3 x^2
12.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teachflow import dtypes
from teachflow.graph import Graph, Operation, Tensor
from teachflow.ops import array_ops, loop_stack_ops, registry
from teachflow.ops.constant_op import constant
from teachflow.ops.control_flow_ops import merge, switch
from teachflow.ops.while_ops import _close_loop


def _trainable(t: Tensor) -> bool:
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex


def _placed(g: Graph, since: int, after: float) -> None:
    """Runs the ops made since ``since`` right after op id ``after`` in a session's plan (the
    plan runs a loop as the steps between its first Merge and its last NextIteration)."""
    order: dict[Operation, float] = g.__dict__.setdefault("_plan_order", {})
    made = g._ops_list[since:]
    for k, op in enumerate(made):
        order.setdefault(op, after + (k + 1) / (len(made) + 1))


class ForwardLoop:
    """A built tf.while_loop, found from one of its Exit ops."""

    def __init__(self, exit_op: Operation) -> None:
        g = exit_op.graph
        self.graph = g
        self.pred = exit_op.inputs[0].op.inputs[1]
        switches = sorted(
            (c for c in g._consumers.get(self.pred, []) if c.type == "Switch"),
            key=lambda o: o._id,
        )
        self.merges = [s.inputs[0].op for s in switches]
        self.enters = [m.inputs[0].op for m in self.merges]
        self.nexts = [m.inputs[1].op for m in self.merges]
        self.frame: str = self.enters[0].attrs["frame_name"]
        self.idents = [_consumer(s.outputs[1], "Identity") for s in switches]
        self.exits = [_consumer(s.outputs[0], "Exit") for s in switches]
        self.switches = switches
        self.first_id = min(e._id for e in self.enters)
        self.last_id = max(n._id for n in self.nexts)
        self.body_end = min(n._id for n in self.nexts) - 1
        self.const_enters = [
            op
            for op in g._ops_list[self.first_id - 1 : self.last_id]
            if op.type == "Enter"
            and op.attrs["frame_name"] == self.frame
            and op.attrs.get("is_constant", False)
        ]
        self.nested = any(e.inputs[0].op.type == "Enter" for e in self.enters) or any(
            op.type == "Enter" and not op.attrs.get("is_constant", False)
            for op in g._ops_list[self.first_id - 1 : self.last_id]
            if op.attrs.get("frame_name") != self.frame
        )
        self.count: Tensor | None = None  # the number of iterations (f_count's Exit)
        self.index_op: Operation | None = None  # f_count's Add, waits for every push
        self.scope = self.frame.rsplit("/", 1)[0] + "/"

    def inside(self, t: Tensor) -> bool:
        g = self.graph
        if t.op in g.__dict__.get("_lifted_ops", ()):
            return False
        at = g.__dict__.get("_plan_order", {}).get(t.op, t.op._id)  # where it runs
        return self.first_id <= at <= self.last_id

    def externals(self) -> list[Tensor]:
        """The tensors the loop reads from outside: its initial values, then captured values."""
        return [e.inputs[0] for e in self.enters + self.const_enters]

    def add_counter(self, prefix: str) -> Tensor:
        """``f_count``: a loop variable counting the iterations, its Exit the count."""
        g = self.graph
        if self.count is not None:
            return self.count
        with _outside(g), g.name_scope(None):
            since = len(g._ops_list)
            zero = constant(0, name=prefix + "f_count")
            enter = registry.make1(
                "Enter",
                [zero],
                _enter_attrs(zero, self.frame, False, self.enters[0]),
                prefix + "f_count_1",
            )
            _placed(g, since, self.first_id - 1)
            since = len(g._ops_list)
            m = merge([enter, enter], name=prefix + "f_count_2")[0]
            sw = switch(m, self.pred, name=self.scope + "Switch")
            one = constant(1, name=self.scope + "add/y")
            one.op._control_inputs.append(sw[1].op)  # in the loop's frame
            index = registry.make1("AddV2", [sw[1], one], {"T": dtypes.int32}, self.scope + "add")
            nxt = registry.make1(
                "NextIteration", [index], {"T": dtypes.int32}, self.scope + "NextIteration"
            )
            _close_loop(m.op, nxt)
            _placed(g, since, self.body_end)
            since = len(g._ops_list)
            self.count = registry.make1("Exit", [sw[0]], {"T": dtypes.int32}, prefix + "f_count_3")
            _placed(g, since, self.last_id)  # right after the loop (in an enclosing one)
        self.index_op = index.op
        return self.count

    def stacked(self, t: Tensor, name: str) -> Tensor:
        """A stack the forward loop pushes ``t`` on at every iteration (its handle)."""
        g = self.graph
        with _outside(g), g.name_scope(None):
            since = len(g._ops_list)
            handle = loop_stack_ops.stack(t.dtype, name=name + "f_acc", stack_name="")
            # made once per run, before any loop (an inner loop pushes all its iterations of
            # all the outer iterations on one stack; the backward loops pop them in reverse)
            _placed(g, since, 0)
            since = len(g._ops_list)
            inner = registry.make1(
                "Enter",
                [handle],
                _enter_attrs(handle, self.frame, True, self.enters[0]),
                self.scope + "f_acc/Enter",
            )
            push = loop_stack_ops.push(inner, t, name=self.scope + "StackPushV2")
            # a push runs at every iteration (not after the last): a value on a cond's untaken
            # branch is pushed as dead, and popped as dead in the backward loop's branch
            pivot = self.idents[0]
            if pivot is not None:
                push.op._control_inputs.append(pivot)
            _placed(g, since, self.body_end)
        assert self.index_op is not None
        # the next iteration waits for the push (TensorFlow runs iterations in parallel: the
        # values must be pushed in order); through the counter, the push is run at all
        for nxt in [self.index_op, *self.nexts]:
            nxt._control_inputs.append(push.op)
        g._control_edges_added = True
        return handle


def _consumer(t: Tensor, kind: str) -> Operation | None:
    return next((c for c in t.graph._consumers.get(t, []) if c.type == kind), None)


def _enter_attrs(t: Tensor, frame: str, constant_: bool, like: Operation) -> dict[str, Any]:
    return {
        "T": t.dtype.base_dtype,
        "frame_name": frame,
        "is_constant": constant_,
        "parallel_iterations": like.attrs.get("parallel_iterations", 10),
    }


class _outside:
    """Builds ops outside any loop or cond being built."""

    def __init__(self, g: Graph) -> None:
        self.g = g

    def __enter__(self) -> None:
        self.saved = self.g._cond_context
        self.g._cond_context = None

    def __exit__(self, *exc: Any) -> None:
        self.g._cond_context = self.saved


class GradLoopContext:
    """The backward loop while its body is built: forward values the gradient ops read come
    from stacks, outside values enter its frame, and ops with no inputs wait for its pivot."""

    def __init__(self, fwd: ForwardLoop, frame: str) -> None:
        self.fwd = fwd
        self.graph = fwd.graph
        self.frame = frame
        self.outer: GradLoopContext | None = fwd.graph._cond_context  # the enclosing one
        self.first_id = len(self.graph._ops_list) + 1
        self.popped: dict[Tensor, Tensor] = {}
        self.entered: dict[Tensor, Tensor] = {}
        self.pivot: Operation | None = None  # the b_count index: dead once the loop is over
        self.sync: Operation | None = None  # the b_count NextIteration: waits for the pops
        self.scope = "gradients/"

    def outside_enter(self, t: Tensor) -> Tensor:
        if t not in self.entered:
            g = self.graph
            if self.outer is not None:  # seen from the enclosing backward loop first,
                since = len(g._ops_list)  # where it runs once per outer iteration
                t = self.outer.value(t)
                _placed(g, since, self.first_id - 1)
            with _outside(g), g.name_scope(None):
                self.entered[t] = registry.make1(
                    "Enter",
                    [t],
                    _enter_attrs(t, self.frame, True, self.fwd.enters[0]),
                    self.scope + t.op.name + "/Enter",
                )
        return self.entered[t]

    def pop(self, t: Tensor) -> Tensor:
        if t not in self.popped:
            g = self.graph
            fwd = self.fwd
            handle = fwd.stacked(t, self.scope + t.op.name + "/")
            inner = self.outside_enter(handle)
            with _outside(g), g.name_scope(None):
                p = loop_stack_ops.pop(
                    inner, t.dtype, t.shape, name=self.scope + t.op.name + "/StackPopV2"
                )
                assert self.pivot is not None and self.sync is not None
                p.op._control_inputs.append(self.pivot)  # no pop once the loop is over
                # the next iteration pops after this one (TensorFlow's iterations overlap)
                self.sync._control_inputs.append(p.op)
                g._control_edges_added = True
            self.popped[t] = p
        return self.popped[t]

    def value(self, t: Tensor) -> Tensor:
        fwd = self.fwd
        if fwd.inside(t):  # (also a counter added to an inner loop later: where it runs)
            op = t.op
            if op.type == "Enter" and op.attrs.get("is_constant", False):
                return self.outside_enter(op.inputs[0])
            return self.pop(t)
        if t.op._id >= self.first_id:
            return t
        return self.outside_enter(t)

    def enter_inputs(self, op_name: str, inputs: list[Tensor]) -> list[Tensor]:
        return [self.value(t) for t in inputs]

    def added(self, op: Operation) -> None:
        if self.pivot is not None and not op.inputs and not op._control_inputs:
            op._control_inputs.append(self.pivot)


def unsupported(what: str) -> Exception:
    from teachflow.unsupported import UnsupportedFeatureError

    return UnsupportedFeatureError(
        f"teachflow does not implement gradients through {what} yet. Hint: build the loop "
        "outside the cond (tf.where can pick between results), or stop the gradient there "
        "with tf.stop_gradient."
    )


Walk = Callable[[list[Tensor], list[Tensor], list[Tensor]], list[Any]]


def loop_gradients(fwd: ForwardLoop, exit_grads: list[Any], walk: Walk) -> list[Any]:
    """Builds the backward loop; returns the gradients for :meth:`ForwardLoop.externals`.

    ``walk(ys, grad_ys, xs)`` differentiates the forward body (tf.gradients' walk, stopping
    at the xs).
    """
    from teachflow.indexed_slices import IndexedSlices, to_dense
    from teachflow.ops.fill_ops import zeros_like
    from teachflow.ops.math_ops import add, greater_equal, subtract

    g = fwd.graph
    enclosing = g._cond_context
    if enclosing is not None and not isinstance(enclosing, GradLoopContext):
        raise unsupported(f"a tf.while_loop built inside a tf.cond branch ('{fwd.frame}')")
    n = fwd.add_counter(g.get_name_scope() + "/")
    pa = fwd.enters[0].attrs.get("parallel_iterations", 10)
    var_ids = [k for k, e in enumerate(fwd.enters) if _trainable(e.outputs[0])]
    const_ids = [k for k, c in enumerate(fwd.const_enters) if _trainable(c.outputs[0])]
    with g.name_scope(fwd.scope[:-1]):
        starts = []
        for k in var_ids:
            gr = exit_grads[k]
            ex = fwd.exits[k]
            if isinstance(gr, IndexedSlices):
                gr = to_dense(gr)
            if gr is None:
                gr = zeros_like(ex.outputs[0] if ex is not None else fwd.enters[k].inputs[0])
            starts.append(gr)
        acc_starts = [zeros_like(fwd.const_enters[k].inputs[0]) for k in const_ids]
        one = constant(1, name="b_count")
        frame = g.unique_name("while_context")  # gradients/while/while_context
        ctx = GradLoopContext(fwd, frame)
        ctx.scope = g.get_name_scope().rsplit("/", 1)[0] + "/"

        def enter(t: Tensor, name: str, const: bool = False) -> Tensor:
            attrs = {"T": t.dtype.base_dtype, "frame_name": frame, "is_constant": const}
            attrs["parallel_iterations"] = pa
            return registry.make1("Enter", [t], attrs, name)

        count_in = enter(n, "b_count_1")
        ctx.first_id = count_in.op._id
        enters = [enter(t, "Enter") for t in starts + acc_starts]
        m_count = merge([count_in, count_in], name="b_count_2")[0]
        merges = [merge([e, e], name="Merge")[0] for e in enters]
        one_in = enter(one, "b_count/Enter", const=True)
        pred = greater_equal(m_count, one_in, name="GreaterEqual")
        cond = registry.make1("LoopCond", [pred], {}, "b_count_3")
        sw_count = switch(m_count, cond, name="b_count_4")
        switches = [switch(m, cond, name="Switch") for m in merges]
        index = subtract(sw_count[1], one_in, name="sub")
        idents = [array_ops.identity(s[1], name="Identity") for s in switches]
        ctx.pivot = index.op
        next_count = registry.make1("NextIteration", [index], {"T": dtypes.int32}, "b_count_5")
        ctx.sync = next_count.op
    var_idents = idents[: len(var_ids)]
    acc_idents = idents[len(var_ids) :]
    # the body: the forward body's gradient, in the backward frame
    g._cond_context = ctx
    try:
        ys = [fwd.nexts[k].inputs[0] for k in var_ids]
        xs = [fwd.idents[k].outputs[0] for k in var_ids]  # type: ignore[union-attr]
        xs += [fwd.const_enters[k].outputs[0] for k in const_ids]
        body_grads = walk(ys, list(var_idents), xs)
        outs = []
        for i, ident in enumerate(var_idents):
            gr = body_grads[i]
            if isinstance(gr, IndexedSlices):
                gr = to_dense(gr)
            outs.append(ident if gr is None else gr)
        with g.name_scope(fwd.scope[:-1]):
            for j, ident in enumerate(acc_idents):
                gr = body_grads[len(var_ids) + j]
                if isinstance(gr, IndexedSlices):
                    gr = to_dense(gr)
                outs.append(ident if gr is None else add(ident, gr, name="Add"))
            nexts = [
                registry.make1("NextIteration", [t], {"T": t.dtype.base_dtype}, "NextIteration")
                for t in outs
            ]
    finally:
        g._cond_context = enclosing
    _close_loop(m_count.op, next_count)
    for m, nx in zip(merges, nexts):
        _close_loop(m.op, nx)
    with g.name_scope(fwd.scope[:-1]):
        exits = [
            registry.make1("Exit", [s[0]], {"T": s[0].dtype.base_dtype}, "Exit") for s in switches
        ]
    out: list[Any] = [None] * (len(fwd.enters) + len(fwd.const_enters))
    for i, k in enumerate(var_ids):
        out[k] = exits[i]
    for j, k in enumerate(const_ids):
        out[len(fwd.enters) + k] = exits[len(var_ids) + j]
    return out
