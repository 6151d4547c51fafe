"""Session.run's fast path: a plan compiled into one Python function.

``Session.run`` of a plan that has run before calls a generated function instead of looping
over the plan's steps. It calls the same bound kernels, in the same order, as stepping does
(:meth:`~teachflow.execution.Execution.step`); what goes is the interpreter's work around them,
which is most of a run's time on classroom-sized tensors:

- one line per step, ``v[7] = f3(v[2], v[5])``: no loop, no argument lists;
- steps whose kernel only passes a value along (Identity of a value, StopGradient) become
  assignments; NoOps have nothing to do; a Const's value is bound directly;
- a value no later step reads and nobody fetched is dropped at once (``v[5] = None``), as
  TensorFlow frees a tensor after its last use: peak memory stays small, and numpy reuses
  freed blocks instead of faulting in fresh pages on every run;
- shape arithmetic is remembered between runs (see :func:`shape_only_steps`).

The generated text holds only integers and names made here, never anything of the user's.
Python compiles source at tens of microseconds a line, as long as a run of a few ops takes:
a plan longer than :data:`TEXT_STEPS` steps is instead made of one small closure per step
(the same assignments, bound kernels and releases), built and run in time proportional to
its length, so a 200,000-op plan compiles in about the time it runs once.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None])
>>> y = tf.reduce_mean(x * 2.0)
>>> sess = tf.Session()
>>> [float(sess.run(y, {x: [1.0, 2.0, 3.0]})) for _ in range(3)]  # compiled from the 2nd run
[4.0, 4.0, 4.0]
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from teachflow.ops import registry

if TYPE_CHECKING:
    from teachflow.execution import Plan

# steps the compiled runner does inline: their kernels only pass a value along
_FORWARDERS = ("Identity", "StopGradient")
# ops whose output depends only on the shapes of their inputs, never on the values
_SHAPE_OPS = ("Shape", "ShapeN", "Size", "Rank")
# a remembered value larger than this is recomputed each run rather than kept alive
MEMO_BYTES = 1 << 20
# plans up to this many steps become generated source; longer ones, a list of closures
TEXT_STEPS = 1000


def shape_only_steps(plan: Plan) -> set[int]:
    """Indices of the steps whose outputs are a function of input *shapes* alone.

    These are Shape/Size/Rank ops, and pure ops all of whose inputs are Consts or outputs of
    such steps: the bookkeeping that ``tf.gradients`` builds around reductions and
    broadcasting (Shape -> BroadcastGradientArgs, ReducedShape, Tile, Prod, floordiv...). When
    the shapes repeat, as they do run after run in a training loop, so do these values: the
    compiled runner computes them once and reuses them while their inputs are the same.
    """
    fed = set(plan.feed_slots)
    known = [False] * (plan.num_slots + 1)  # slots holding shape-only values (-1: the last)
    steps: set[int] = set()
    shape_ops = _SHAPE_OPS
    for k, st in enumerate(plan.steps):
        op, outs, ins = st.op, st.outs, st.ins
        if outs is None or op.opdef.stateful:
            continue
        kind = op.type
        if kind == "Const":
            ok = True
        elif kind in shape_ops:
            ok = not any(t.dtype.is_ref for t in op.inputs)
        else:
            ok = bool(ins)
            for j in ins:
                if not known[j]:
                    ok = False
                    break
        if ok:
            steps.add(k)
            for j in outs if outs.__class__ is tuple else (outs,):
                if j >= 0 and j not in fed:
                    known[j] = True
    return steps


# Two memos rather than one with a key function: they run on every step of Session.run's hot
# path, where an extra call per op is most of their cost.
def _remember_by_shape(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` for a Shape-like op: the same output object while the input shapes repeat."""
    last: tuple[Any, Any] = (None, None)

    def by_shape(*args: Any) -> Any:
        nonlocal last
        key = tuple(np.shape(a) for a in args)
        seen, out = last
        if key == seen:
            return out
        out = fn(*args)
        if _keepable(out, args):
            last = (key, out)
        return out

    return by_shape


def _remember_by_identity(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` for a pure op on shape-only values: the same output while the inputs are the same
    objects (they are: shape-only values are remembered, Consts are fixed, and the arguments
    are kept referenced, so an identical object is an identical value)."""
    last: tuple[Any, Any] = ((), None)

    def by_identity(*args: Any) -> Any:
        nonlocal last
        seen, out = last
        if len(seen) == len(args) and all(a is b for a, b in zip(args, seen)):
            return out
        out = fn(*args)
        if _keepable(out, args):
            last = (args, out)
        return out

    return by_identity


def _keepable(out: Any, args: tuple[Any, ...]) -> bool:
    """Whether ``out`` is small enough to keep; if so, the arrays it made are made read-only,
    so that a kernel trying to write into one fails loudly instead of changing the next run's
    result (an input passed through unchanged, such as a Const's value, is left as it is)."""
    arrays = list(out) if isinstance(out, (tuple, list)) else [out]
    if any(isinstance(a, np.ndarray) and a.nbytes > MEMO_BYTES for a in arrays):
        return False
    for a in arrays:
        if isinstance(a, np.ndarray) and not any(a is b for b in args):
            a.flags.writeable = False
    return True


class Runner:
    """A compiled plan: ``runner(values)`` fills the slots; :meth:`failed_step` says which
    step raised, from the exception's traceback (the generated function has one line per step,
    so it needs no bookkeeping of its own) or, for a plan of closures, from the step counter."""

    def __init__(
        self, fn: Callable[[list[Any]], Any], step_of_line: dict[int, int] | None = None
    ) -> None:
        self.fn = fn
        self.step_of_line = step_of_line or {}
        self.where = threading.local()  # a loop runner's failed step, per running thread

    def __call__(self, values: list[Any]) -> None:
        self.fn(values)

    def failed_step(self, e: BaseException) -> int:
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code is self.fn.__code__ and tb.tb_lineno in self.step_of_line:
                return self.step_of_line[tb.tb_lineno]
            tb = tb.tb_next
        return getattr(self.where, "step", 0)


_CALL, _CONST, _COPY = 0, 1, 2


class _Program:
    """The steps a compiled plan runs, as parallel lists (no object per step, so that a long
    plan costs the collector nothing): for each kept step its index in the plan, its kind
    (``_CALL`` ``fn`` on the input slots; ``_CONST``: ``fn`` is the value; ``_COPY``: the input
    passed along), input slots, output slots, and the slots it releases (or None)."""

    def __init__(self) -> None:
        self.step: list[int] = []
        self.kind: list[int] = []
        self.fn: list[Any] = []
        self.ins: list[tuple[int, ...]] = []
        self.outs: list[Any] = []
        self.dead: list[list[int] | None] = []


def compile_runner(plan: Plan) -> Runner:
    """The plan's steps as one generated function filling the slots ``v`` (or, past
    :data:`TEXT_STEPS` steps, one loop over them).

    Fetched shape-only values are copied out (``plan.copy_fetch``), since the runner keeps
    them for the next run.
    """
    # a long plan's compile makes many objects; the collector would walk the whole graph
    # each time their count crosses its threshold, for nothing (none of them is garbage)
    enabled = gc.isenabled()
    gc.disable()
    try:
        prog = _program(plan)
        if len(prog.step) > TEXT_STEPS:
            return _loop_runner(prog)
        return _text_runner(plan, prog)
    finally:
        if enabled:
            gc.enable()


def _program(plan: Plan) -> _Program:
    noop = registry.get("NoOp").kernel
    forwarders = {registry.get(t).kernel for t in _FORWARDERS}
    const = registry.get("Const").kernel
    remembered = shape_only_steps(plan)
    n = plan.num_slots + 1
    last_use = [-1] * n  # by slot: the last step reading or writing it (slot -1: the last)
    made_by = [-1] * n
    for k, st in enumerate(plan.steps):
        outs = st.outs
        if outs is not None:
            for j in outs if outs.__class__ is tuple else (outs,):
                last_use[j] = k
                made_by[j] = k
        for j in st.ins:
            last_use[j] = k
    for i, j in enumerate(plan.fetch_slots):
        if made_by[j] in remembered:
            plan.copy_fetch[i] = True
    keep = set(plan.fetch_slots) | set(plan.feed_slots)
    dead: list[list[int] | None] = [None] * len(plan.steps)
    for j in range(n - 1):  # not slot -1: outputs nobody reads
        k = last_use[j]
        if k >= 0 and j not in keep:
            released = dead[k]
            if released is None:
                dead[k] = [j]
            else:
                released.append(j)
    prog = _Program()
    for k, st in enumerate(plan.steps):
        fn: Any = st.fn
        outs = st.outs
        if fn is noop:
            continue
        has_target = outs is not None and (outs.__class__ is not int or outs >= 0)
        if has_target and fn in forwarders:
            kind, fn = _COPY, None
        elif has_target and getattr(fn, "func", None) is const:
            kind, fn = _CONST, st.op.attrs["value"]
        else:
            kind = _CALL
            if k in remembered:
                memo = _remember_by_shape if st.op.type in _SHAPE_OPS else _remember_by_identity
                fn = memo(fn)
        prog.step.append(k)
        prog.kind.append(kind)
        prog.fn.append(fn)
        prog.ins.append(st.ins)
        prog.outs.append(outs)
        prog.dead.append(dead[k])
    return prog


def _text_runner(plan: Plan, prog: _Program) -> Runner:
    env: list[Any] = []
    src = ["    def runner(v):", "        pass"]
    step_of_line: dict[int, int] = {}
    for step, kind, fn, ins, outs, dead in zip(
        prog.step, prog.kind, prog.fn, prog.ins, prog.outs, prog.dead
    ):
        args = ", ".join(f"v[{j}]" for j in ins)
        if outs is None:
            target = ""
        elif isinstance(outs, int):
            target = f"v[{outs}] = " if outs >= 0 else ""
        else:
            target = ", ".join(f"v[{j}]" if j >= 0 else "_" for j in outs) + ", = "
        if kind == _COPY:
            text = f"{target}{args}"
        else:
            env.append(fn)
            text = f"{target}f{len(env) - 1}" + ("" if kind == _CONST else f"({args})")
        if dead:
            text += "; " + " = ".join(f"v[{j}]" for j in sorted(dead)) + " = None"
        src.append("        " + text)
        step_of_line[len(src) + 1] = step  # +1: the line of ``def make`` comes first
    code = "\n".join(
        [
            "def make(" + ", ".join(f"f{n}" for n in range(len(env))) + "):",
            *src,
            "    return runner",
        ]
    )
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<teachflow plan of {len(plan.steps)} ops>", "exec"), namespace)
    return Runner(namespace["make"](*env), step_of_line)


def _loop_runner(prog: _Program) -> Runner:
    """A long plan's runner: one loop over the program's lists (the same work as the text,
    with the interpreter's dispatch per step, and nothing to compile)."""
    kinds, fns, inss, outss, deads = prog.kind, prog.fn, prog.ins, prog.outs, prog.dead
    steps = prog.step
    runner = Runner(lambda v: None)

    def run(v: list[Any]) -> None:
        k = 0
        try:
            rows = zip(kinds, fns, inss, outss, deads)
            for k, (kind, fn, ins, outs, dead) in enumerate(rows):  # noqa: B007
                if kind == _CALL:
                    out = fn(*[v[j] for j in ins])
                elif kind == _CONST:
                    out = fn
                else:
                    out = v[ins[0]]
                if outs.__class__ is int:
                    if outs >= 0:
                        v[outs] = out
                elif outs is not None:
                    for j, x in zip(outs, out):
                        if j >= 0:
                            v[j] = x
                if dead is not None:
                    for j in dead:
                        v[j] = None
        except BaseException:
            runner.where.step = steps[k]
            raise

    runner.fn = run
    return runner
