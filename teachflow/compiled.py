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

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None])
>>> y = tf.reduce_mean(x * 2.0)
>>> sess = tf.Session()
>>> [float(sess.run(y, {x: [1.0, 2.0, 3.0]})) for _ in range(3)]  # compiled from the 2nd run
[4.0, 4.0, 4.0]
"""

from __future__ import annotations

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


def shape_only_steps(plan: Plan) -> set[int]:
    """Indices of the steps whose outputs are a function of input *shapes* alone.

    These are Shape/Size/Rank ops, and pure ops all of whose inputs are Consts or outputs of
    such steps: the bookkeeping that ``tf.gradients`` builds around reductions and
    broadcasting (Shape -> BroadcastGradientArgs, ReducedShape, Tile, Prod, floordiv...). When
    the shapes repeat, as they do run after run in a training loop, so do these values: the
    compiled runner computes them once and reuses them while their inputs are the same.
    """
    fed = set(plan.feed_slots)
    known: set[int] = set()  # slots holding shape-only values
    steps: set[int] = set()
    for k, st in enumerate(plan.steps):
        op = st.op
        if op.opdef.stateful or st.outs is None:
            continue
        if op.type in _SHAPE_OPS:
            ok = not any(t.dtype.is_ref for t in op.inputs)
        elif op.type == "Const":
            ok = True
        else:
            ok = bool(st.ins) and all(j in known and j not in fed for j in st.ins)
        if ok:
            steps.add(k)
            outs = st.outs if isinstance(st.outs, tuple) else (st.outs,)
            known.update(j for j in outs if j >= 0 and j not in fed)
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
    so it needs no bookkeeping of its own)."""

    def __init__(self, fn: Callable[[list[Any]], None], step_of_line: dict[int, int]) -> None:
        self.fn = fn
        self.step_of_line = step_of_line

    def __call__(self, values: list[Any]) -> None:
        self.fn(values)

    def failed_step(self, e: BaseException) -> int:
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code is self.fn.__code__:
                return self.step_of_line[tb.tb_lineno]
            tb = tb.tb_next
        return 0  # cannot happen: the exception passed through the runner


def compile_runner(plan: Plan) -> Runner:
    """The plan's steps as one generated function filling the slots ``v``.

    Fetched shape-only values are copied out (``plan.copy_fetch``), since the runner keeps
    them for the next run.
    """
    noop = registry.get("NoOp").kernel
    forwarders = {registry.get(t).kernel for t in _FORWARDERS}
    const = registry.get("Const").kernel
    remembered = shape_only_steps(plan)
    last_use: dict[int, int] = {}
    made_by: dict[int, int] = {}
    for k, st in enumerate(plan.steps):
        outs = st.outs if isinstance(st.outs, tuple) else () if st.outs is None else (st.outs,)
        for j in outs:
            last_use[j] = k
            made_by[j] = k
        for j in st.ins:
            last_use[j] = k
    for i, j in enumerate(plan.fetch_slots):
        if made_by.get(j) in remembered:
            plan.copy_fetch[i] = True
    keep = set(plan.fetch_slots) | set(plan.feed_slots) | {-1}
    dead: dict[int, list[int]] = {}
    for j, k in last_use.items():
        if j not in keep:
            dead.setdefault(k, []).append(j)
    env: list[Any] = []
    lines = ["    def runner(v):", "        pass"]
    step_of_line: dict[int, int] = {}
    for k, st in enumerate(plan.steps):
        args = ", ".join(f"v[{j}]" for j in st.ins)
        outs = st.outs
        if outs is None:
            target = ""
        elif isinstance(outs, int):
            target = f"v[{outs}] = " if outs >= 0 else ""
        else:
            target = ", ".join(f"v[{j}]" if j >= 0 else "_" for j in outs) + ", = "
        fn = st.fn
        if fn is noop:
            continue
        if target and fn in forwarders:
            line = f"{target}{args}"
        elif target and getattr(fn, "func", None) is const:
            env.append(st.op.attrs["value"])
            line = f"{target}f{len(env) - 1}"
        else:
            if k in remembered:
                memo = _remember_by_shape if st.op.type in _SHAPE_OPS else _remember_by_identity
                fn = memo(fn)
            env.append(fn)
            line = f"{target}f{len(env) - 1}({args})"
        if k in dead:
            line += "; " + " = ".join(f"v[{j}]" for j in sorted(dead[k])) + " = None"
        lines.append("        " + line)
        step_of_line[len(lines) + 1] = k  # +1: the line of ``def make`` comes first
    src = "\n".join(
        [
            "def make(" + ", ".join(f"f{n}" for n in range(len(env))) + "):",
            *lines,
            "    return runner",
        ]
    )
    namespace: dict[str, Any] = {}
    exec(compile(src, f"<teachflow plan of {len(plan.steps)} ops>", "exec"), namespace)
    return Runner(namespace["make"](*env), step_of_line)
