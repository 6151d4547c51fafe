"""Plans and executions: ``Session.run`` is an :class:`Execution` stepped to the end.

A :class:`Plan` is compiled once per (fetches, feeds) signature: the ops the fetches need, in
topological order, each with its kernel bound and its input/output slots resolved. An
:class:`Execution` is one run of a plan: a list of slot values filled step by step.

>>> import teachflow as tf
>>> a = tf.constant(2.0); b = a * 3.0
>>> ex = tf.Session().stepper(b)
>>> [op.name for op in ex.plan.ops]
['Const', 'mul/y', 'mul']
>>> ex.step().op.name
'Const'
>>> ex.run_to_end()
np.float32(6.0)
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from teachflow import errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.state import Ref, SessionState

if TYPE_CHECKING:
    from teachflow.compiled import Runner

Observer = Callable[[str, "StepRecord"], None]
# Session.run compiles a plan (teachflow.compiled) on this run of it: a plan run once is often
# never run again, and compiling a 100-op plan takes a few interpreted runs' time (~2 ms)
COMPILE_AT_RUN = 2
_NOT_COMPUTED = object()


class PlanStep:
    """One op of a plan: its bound kernel and where its inputs and outputs live."""

    __slots__ = ("op", "fn", "ins", "outs", "index", "ctrl")

    def __init__(self, op: Operation, fn: Callable[..., Any], ins: tuple[int, ...], outs: Any):
        self.op = op
        self.fn = fn
        self.ins = ins
        # an int for one output, a tuple for several (-1: fed, kept), None for none (or fed)
        self.outs = outs
        self.index = 0
        self.ctrl: tuple[int, ...] = ()  # plan indices of its control inputs (cond plans only)


class Plan:
    """The pruned, ordered program for one (fetches, feeds, targets) signature."""

    def __init__(
        self,
        fetches: Sequence[Tensor],
        targets: Sequence[Operation],
        feeds: Sequence[Tensor],
        state: SessionState,
    ) -> None:
        self.fetches = list(fetches)
        self.targets = list(targets)
        self.feeds = list(feeds)
        fed = set(feeds)
        needed: set[Operation] = set()
        stack: list[Operation] = [t.op for t in fetches if t not in fed] + list(targets)
        while stack:
            op = stack.pop()
            if op in needed:
                continue
            needed.add(op)
            stack.extend(t.op for t in op.inputs if t not in fed and t.op not in needed)
            stack.extend(c for c in op._control_inputs if c not in needed)
        self.ops: list[Operation] = _topological(needed)
        slot: dict[Tensor, int] = {}
        for t in feeds:
            slot.setdefault(t, len(slot))
        self.steps: list[PlanStep] = []
        for i, op in enumerate(self.ops):
            outs: Any
            for t in op._outputs:
                if t not in fed and t not in slot:  # (a loop's back edge got its slot early)
                    slot[t] = len(slot)
            # a fed output keeps its fed value (the op may still run for its other outputs)
            if not op._outputs:
                outs = None
            elif len(op._outputs) == 1:
                outs = None if op._outputs[0] in fed else slot[op._outputs[0]]
            else:
                outs = tuple(-1 if t in fed else slot.get(t, -1) for t in op._outputs)
            fn = _guard_size(op, _deref_wrapper(op, registry.bind(op, state)))
            # a Merge's NextIteration input comes later in the plan: its slot is made now
            ins = tuple(slot[t] if t in slot else slot.setdefault(t, len(slot)) for t in op.inputs)
            step = PlanStep(op, fn, ins, outs)
            step.index = i
            self.steps.append(step)
        # a plan through a tf.cond passes dead values: it steps, checking each op's inputs
        self.has_dead = any(op.type in ("Switch", "RefSwitch") for op in self.ops)
        # while loops: where each one jumps back (a plan with a loop steps, as one with a cond)
        self.loops = _loops(self.steps, slot) if self.has_dead else []
        self.loop_at_end = {lp.end: lp for lp in self.loops}
        self.frame_of: dict[int, Loop] = {}
        for lp in sorted(self.loops, key=lambda lp: lp.start - lp.end):  # innermost last
            for i in range(lp.start, lp.end + 1):
                self.frame_of[i] = lp
        if self.has_dead:
            at = {op: i for i, op in enumerate(self.ops)}
            for st in self.steps:
                st.ctrl = tuple(at[c] for c in st.op._control_inputs if c in at)
        self.slot = slot
        self.num_slots = len(slot)
        # slots whose value may be a variable's live buffer (or a view of it): in-place updates
        # later in the run change them, so a step record keeps a copy of what it saw
        self.aliases = _aliasing_slots(self.ops, slot)
        self.fetch_slots = [slot[t] for t in fetches]
        # fetched values that may share memory with state or constants are copied out
        self.copy_fetch = [t.op.opdef.view or t in fed for t in fetches]
        self.ref_fetch = [t.dtype.is_ref for t in fetches]
        self.feed_slots = [slot[t] for t in feeds]
        self.runs = 0
        self.runner: Runner | None = None


def _topological(needed: set[Operation]) -> list[Operation]:
    """The ops in an order where each comes after its inputs and control inputs.

    Creation order is one (an op's inputs exist before it), unless a control input was added
    to an existing op afterwards (``op._add_control_input``): then sort, still preferring
    creation order so that plans read like the program.
    """
    # ops added to a built while loop (a gradient's stacks) say where they run in it
    first = next(iter(needed), None)
    order: dict[Operation, float] = first.graph.__dict__.get("_plan_order", {}) if first else {}
    ops = sorted(needed, key=lambda o: (order.get(o, o._id), o._id))
    if not ops or not ops[0].graph._control_edges_added:
        return ops
    waiting = {op: 0 for op in ops}
    users: dict[Operation, list[Operation]] = {}
    for op in ops:
        for dep in {t.op for t in op.inputs if not _back_edge(op, t)} | set(op._control_inputs):
            if dep in waiting:
                waiting[op] += 1
                users.setdefault(dep, []).append(op)
    ready = [(order.get(op, op._id), op._id, op) for op in ops if waiting[op] == 0]
    heapq.heapify(ready)
    out: list[Operation] = []
    while ready:
        _, _, op = heapq.heappop(ready)
        out.append(op)
        for user in users.get(op, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, (order.get(user, user._id), user._id, user))
    if len(out) != len(ops):  # cannot happen: _add_control_input refuses cycles
        stuck = sorted((o.name for o in ops if waiting[o]), key=str)
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Graph is invalid, contains a cycle with {len(stuck)} nodes, including: "
            + ", ".join(stuck[:3]),
        )
    return out


def _back_edge(op: Operation, t: Tensor) -> bool:
    """A while loop's edge from NextIteration back to its Merge (the one cycle a graph has)."""
    return t.op.type == "NextIteration" and op.type in ("Merge", "RefMerge")


class Loop:
    """A tf.while_loop in a plan: the steps from its first Merge to its last NextIteration run
    again while the value of its LoopCond is true."""

    __slots__ = ("frame", "start", "end", "pred", "enters")

    def __init__(self, frame: str, start: int, end: int, pred: int, enters: list[int]) -> None:
        self.frame = frame
        self.start = start  # first Merge
        self.end = end  # last NextIteration
        self.pred = pred  # slot of the LoopCond's value
        self.enters = enters  # slots of the loop variables' Enter values (read once)


def _loops(steps: Sequence[PlanStep], slot: dict[Tensor, int]) -> list[Loop]:
    at = {st.op: st.index for st in steps}
    merges: dict[str, list[PlanStep]] = {}
    for st in steps:
        op = st.op
        if op.type in ("Merge", "RefMerge") and len(op.inputs) == 2:
            enter, nxt = op.inputs[0].op, op.inputs[1].op
            if enter.type == "Enter" and nxt.type == "NextIteration":
                merges.setdefault(enter.attrs["frame_name"], []).append(st)
    loops = []
    for frame, ms in merges.items():
        nexts = [at[m.op.inputs[1].op] for m in ms if m.op.inputs[1].op in at]
        preds = [
            c.inputs[1]
            for m in ms
            for t in m.op.outputs[:1]
            for c in m.op.graph._consumers.get(t, [])
            if c.type in ("Switch", "RefSwitch") and c in at and c.inputs[1].op.type == "LoopCond"
        ]
        if not nexts or not preds or preds[0] not in slot:
            continue
        enters = [slot[m.op.inputs[0]] for m in ms if m.op.inputs[0] in slot]
        loops.append(Loop(frame, min(m.index for m in ms), max(nexts), slot[preds[0]], enters))
    return loops


def _aliasing_slots(ops: Sequence[Operation], slot: dict[Tensor, int]) -> frozenset[int]:
    """Slots holding a ref, or the output of a view op (Identity, Reshape...) of a ref or of
    another such slot: values that share memory with a variable's buffer."""
    alias: set[int] = set()
    for op in ops:
        refs = [t for t in op._outputs if t.dtype.is_ref and t in slot]
        alias.update(slot[t] for t in refs)
        if op.opdef.view and any(t.dtype.is_ref or slot.get(t) in alias for t in op.inputs):
            alias.update(slot[t] for t in op._outputs if t in slot)
    return frozenset(alias)


def _guard_size(op: Operation, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, or a stand-in raising ResourceExhaustedError when a static output shape, or the
    kernel's static peak (outputs plus temporaries, ``registry.static_peak``), is larger than
    ``registry.MAX_TENSOR_BYTES``: a typo like tf.zeros([10**12]) must not freeze the kernel
    trying to allocate it."""
    big = [
        t
        for t in op._outputs
        if (n := t.shape.num_elements()) is not None
        and n * max(t.dtype.size, 1) > registry.MAX_TENSOR_BYTES
    ]
    if big:
        shape, dtype = big[0].shape.as_list(), big[0].dtype.base_dtype

        def too_large(*args: Any) -> Any:
            raise registry.oom_error(shape, dtype)

        return too_large
    peak = registry.static_peak(op)
    if peak is None or peak <= registry.MAX_TENSOR_BYTES:
        return fn

    def too_much_scratch(*args: Any) -> Any:
        registry.check_peak(peak, f"the temporaries of '{op.name}' (op: '{op.type}')")
        return fn(*args)  # the limit was raised since the plan was made

    return too_much_scratch


def _deref_wrapper(op: Operation, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Reading a variable's ref where a value is wanted (decided once, at plan time)."""
    keep = op.opdef.ref_inputs
    refs = [i for i, t in enumerate(op.inputs) if t.dtype.is_ref and i not in keep]
    if not refs or keep == registry.ALL_INPUTS:
        return fn

    def deref_then_call(*args: Any) -> Any:
        vals = list(args)
        for i in refs:
            if isinstance(vals[i], Ref):
                vals[i] = vals[i].read(op)
        return fn(*vals)

    return deref_then_call


class StepRecord:
    """What one step did: ``op``, its ``inputs`` and ``outputs`` values, ``error``, ``seconds``."""

    __slots__ = ("op", "index", "inputs", "outputs", "error", "seconds", "frame", "iteration")

    def __init__(self, op: Operation, index: int) -> None:
        self.op = op
        self.index = index
        # for an op inside a tf.while_loop: the loop's frame name and the iteration (from 0)
        self.frame: str | None = None
        self.iteration: int | None = None
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        self.error: BaseException | None = None
        self.seconds = 0.0

    def __repr__(self) -> str:
        status = "failed" if self.error else "done"
        return f"<StepRecord {self.index}: {self.op.name} ({self.op.type}) {status}>"


class Execution:
    """One run of a plan, driven step by step (``step``) or to the end (``run_to_end``).

    Observers receive ``(event, record)`` with event ``"started"``, ``"finished"`` or
    ``"failed"``.
    """

    def __init__(
        self,
        plan: Plan,
        feed_values: Sequence[Any],
        rebuild: Callable[[list[Any]], Any] | None = None,
        session: Any = None,
    ) -> None:
        self.plan = plan
        self.session = session
        self._rebuild = rebuild
        self._values: list[Any] = [_NOT_COMPUTED] * plan.num_slots
        for s, v in zip(plan.feed_slots, feed_values):
            self._values[s] = v
        self._pc = 0
        self._results: Any = _NOT_COMPUTED
        self.observers: list[Observer] = []
        self.records: list[StepRecord] = []
        self.error: BaseException | None = None
        self._dead: set[int] = set()  # steps skipped on a cond's untaken branch
        self.iterations: dict[str, int] = {}  # each running while loop's iteration count

    # -- state ------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self._pc >= len(self.plan.steps)

    @property
    def position(self) -> int:
        """Index of the next op to run (``len(plan.ops)`` when done)."""
        return self._pc

    @property
    def next_op(self) -> Operation | None:
        return None if self.done else self.plan.steps[self._pc].op

    def value(self, tensor: Tensor) -> Any:
        """The value of ``tensor`` so far in this run, or raises LookupError if not computed."""
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"Execution.value expects a tf.Tensor of this run, got {tensor!r}.\n  Hint: "
                "pass one of the tensors in .plan.ops[i].outputs."
            )
        s = self.plan.slot.get(tensor)
        if s is None:
            raise LookupError(
                f"{tensor.name} is not part of this run: the fetches do not need it.\n  Hint: "
                "fetch it (or something computed from it) to see its value."
            )
        v = self._values[s]
        if v is _NOT_COMPUTED:
            raise LookupError(f"{tensor.name} is not yet computed in this run.")
        if v is registry.DEAD:
            raise LookupError(
                f"{tensor.name} has no value in this run: it is on the branch of a tf.cond "
                "that was not taken."
            )
        return v.peek() if isinstance(v, Ref) else v

    def is_computed(self, tensor: Tensor) -> bool:
        s = self.plan.slot.get(tensor)
        return s is not None and self._values[s] is not _NOT_COMPUTED

    @property
    def results(self) -> Any:
        """The fetched values shaped like the fetches (after the last step)."""
        if self._results is _NOT_COMPUTED:
            if not self.done:
                raise RuntimeError(
                    f"The run is not finished: {len(self.plan.steps) - self._pc} ops left. "
                    "Hint: call .run_to_end() (or .step() until .done)."
                )
            self._results = self._collect()
        return self._results

    # -- running ----------------------------------------------------------------------------
    def step(self) -> StepRecord:
        """Runs the next op; returns its record (``.error`` set if it failed, then re-raises)."""
        if self.done:
            raise StopIteration("All ops of this run have been executed.")
        step = self.plan.steps[self._pc]
        rec = StepRecord(step.op, self._pc)
        loop = self.plan.frame_of.get(self._pc) if self.plan.loops else None
        if loop is not None:
            rec.frame, rec.iteration = loop.frame, self.iterations.get(loop.frame, 0)
        vals = self._values
        alias = self.plan.aliases
        rec.inputs = [_show(vals[i], i in alias) for i in step.ins]
        self._notify("started", rec)
        t0 = time.perf_counter()
        try:
            self._run_step(step)
        except BaseException as e:
            err = self._wrap_error(step, e)
            rec.error = err
            rec.seconds = time.perf_counter() - t0
            self.error = err
            self.records.append(rec)
            self._notify("failed", rec)
            raise err from (None if err is e else e)
        rec.seconds = time.perf_counter() - t0
        outs = step.outs
        if outs is not None:
            shown = outs if isinstance(outs, tuple) else (outs,)
            rec.outputs = [_show(vals[i], i in alias) if i >= 0 else None for i in shown]
        self._pc += 1
        if self.plan.loops:
            self._loop_step(step)
        self.records.append(rec)
        self._notify("finished", rec)
        return rec

    def _run_step(self, step: PlanStep) -> None:
        vals = self._values
        args = [vals[i] for i in step.ins]
        if self.plan.has_dead and self._is_dead(step, args):
            n = 1 if isinstance(step.outs, int) else len(step.outs or ())
            out: Any = registry.DEAD if n == 1 else (registry.DEAD,) * n
        else:
            with np.errstate(all="ignore"):  # inf and nan flow on silently, as in TensorFlow
                out = step.fn(*args)
        outs = step.outs
        if outs is None:
            return
        if isinstance(outs, int):
            vals[outs] = out
        else:
            for s, v in zip(outs, out):
                if s >= 0:
                    vals[s] = v

    def _loop_step(self, step: PlanStep) -> None:
        """At a loop's start, count from 0; after its last NextIteration, jump back to its first
        Merge while its condition holds (the Merges then take the NextIteration values)."""
        op = step.op
        if op.type == "Enter" and not op.attrs.get("is_constant", False):
            self.iterations[op.attrs["frame_name"]] = 0
        loop = self.plan.loop_at_end.get(step.index)
        if loop is None:
            return
        pred = self._values[loop.pred]
        if pred is registry.DEAD or pred is _NOT_COMPUTED or not bool(pred):
            return
        for s in loop.enters:
            self._values[s] = registry.DEAD
        self._dead.difference_update(range(loop.start, loop.end + 1))
        self.iterations[loop.frame] = self.iterations.get(loop.frame, 0) + 1
        self._pc = loop.start

    def _is_dead(self, step: PlanStep, args: list[Any]) -> bool:
        """Whether ``step`` is on a cond's untaken branch: a dead input (Merge takes those)
        or a dead control input. Records it, so that ops waiting on it are dead too."""
        # (a loop gradient's StackPushV2 pushes a dead value too: the pops stay in step)
        dead = any(c in self._dead for c in step.ctrl) or (
            step.op.type not in ("Merge", "RefMerge", "StackPushV2")
            and any(a is registry.DEAD for a in args)
        )
        if dead:
            self._dead.add(step.index)
        return dead

    def run_to_end(self) -> Any:
        """Runs every remaining op and returns :attr:`results`."""
        return self._finish(release=False)

    def _finish(self, release: bool) -> Any:
        """Runs the remaining ops. ``release``: drop each value after its last use (a run whose
        intermediate values nobody will ask for, as in ``Session.run``)."""
        if self.observers or self.plan.has_dead:
            while not self.done:
                self.step()
            return self.results
        plan = self.plan
        steps = plan.steps
        runner = plan.runner if release and self._pc == 0 else None
        if release and runner is None and self._pc == 0:
            plan.runs += 1
            if plan.runs >= COMPILE_AT_RUN:
                from teachflow.compiled import compile_runner

                runner = plan.runner = compile_runner(plan)
        vals = self._values
        i = self._pc
        try:
            # the hot loop of Session.run: everything else was decided at plan time;
            # inf and nan flow on silently, as in TensorFlow
            with np.errstate(all="ignore"):
                if runner is not None:
                    runner(vals)
                else:
                    for i in range(self._pc, len(steps)):
                        st = steps[i]
                        outs = st.outs
                        out = st.fn(*[vals[j] for j in st.ins])
                        if outs.__class__ is int:
                            vals[outs] = out
                        elif outs is not None:
                            for s, v in zip(outs, out):
                                if s >= 0:
                                    vals[s] = v
        except BaseException as e:
            self._pc = i if runner is None else runner.failed_step(e)
            err = self._wrap_error(steps[self._pc], e)
            self.error = err
            raise err from (None if err is e else e)
        self._pc = len(steps)
        return self.results

    def _collect(self) -> Any:
        plan, vals = self.plan, self._values
        out: list[Any] = []
        for s, copy, ref, t in zip(plan.fetch_slots, plan.copy_fetch, plan.ref_fetch, plan.fetches):
            v = vals[s]
            if v is registry.DEAD:
                raise errors.InvalidArgumentError(
                    None,
                    t.op,
                    f"Retval[{len(out)}] does not have value\n  Hint: '{t.op.name}' is on the "
                    "branch of a tf.cond this run did not take; fetch the cond's result instead.",
                )
            if ref and isinstance(v, Ref):
                try:
                    v = v.read(t.op)
                except BaseException as e:
                    raise self._wrap_error(None, e, t.op) from None
                copy = True
            out.append(_as_result(v, copy))
        return self._rebuild(out) if self._rebuild else out

    def _notify(self, event: str, rec: StepRecord) -> None:
        for obs in list(self.observers):
            obs(event, rec)

    def _wrap_error(
        self, step: PlanStep | None, e: BaseException, op: Operation | None = None
    ) -> BaseException:
        op = op if op is not None else step.op if step is not None else None
        if isinstance(e, errors.OpError):
            return e.at_node(op) if e.op is None and op is not None else e
        if isinstance(e, MemoryError) and op is not None:
            return registry.oom_error_from(e, op).at_node(op)
        if op is None or isinstance(e, (KeyboardInterrupt, SystemExit, MemoryError)):
            return e
        cls, msg, hint = _translate(e, op)
        return cls(op.node_def, op, f"{msg}\n\t [[{{{{node {op.name}}}}}]]", hint)


def _translate(e: BaseException, op: Operation) -> tuple[Callable[..., errors.OpError], str, str]:
    """A numpy failure inside a kernel, as the TensorFlow error it corresponds to."""
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    if isinstance(e, (ValueError, IndexError, TypeError, ArithmeticError)):
        return (
            errors.InvalidArgumentError,
            text,
            f"check the shapes and values reaching '{op.name}' ({op.type}).",
        )
    return errors.InternalError, f"{type(e).__name__}: {text}", "this is a bug in teachflow."


def _show(v: Any, alias: bool) -> Any:
    """A value for a step record: as it is now (a copy when the variable may change later)."""
    if v is _NOT_COMPUTED:
        return None
    if isinstance(v, Ref):
        v = v.peek()
    return v.copy() if alias and isinstance(v, np.ndarray) else v


def _as_result(v: Any, copy: bool) -> Any:
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v[()]
        return v.copy() if copy else v
    return v
