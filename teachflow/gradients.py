"""``tf.gradients``: reverse-mode differentiation that builds gradient ops into the graph.

Each op's gradient is defined beside its kernel (``grad=`` in :func:`registry.define`) and is
written with teachflow ops, so gradients are ordinary nodes under ``gradients/`` that can be
drawn, stepped and differentiated again.

The walk is TensorFlow's (``gradients_util._GradientsHelper``), so the same program gets the same
op names: ops on a path from some ``x`` to some ``y`` are visited in reverse, each once all the
ops that consume its outputs are done; several gradients reaching one tensor are summed by an
``AddN`` in ``gradients/``; an op's gradient ops live in ``gradients/<op name>_grad/``.

>>> import teachflow as tf
>>> x = tf.constant(3.0)
>>> (dx,) = tf.gradients(x * x, [x])
>>> dx.op.name
'gradients/AddN'
"""

from __future__ import annotations

import collections
import enum
from collections.abc import Sequence
from typing import Any

from teachflow.graph import Graph, Operation, Tensor
from teachflow.indexed_slices import IndexedSlices, to_dense
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor


class AggregationMethod:
    """How gradients reaching one tensor are summed (``tf.AggregationMethod``)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients(enum.Enum):
    """What tf.gradients returns for an x that ys do not depend on (``tf.UnconnectedGradients``).

    >>> import teachflow as tf
    >>> tf.UnconnectedGradients.ZERO.value
    'zero'
    """

    NONE = "none"
    ZERO = "zero"


def not_differentiable(op: Operation, *grads: Any) -> list[None]:
    """Gradient of ops with no gradient (comparisons, shapes, argmax...): None for every input."""
    return [None] * len(op.inputs)


def _trainable(t: Tensor) -> bool:
    dt = t.dtype.base_dtype
    return dt.is_floating or dt.is_complex


def _as_list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def gradients(
    ys: Any,
    xs: Any,
    grad_ys: Any = None,
    name: str = "gradients",
    colocate_gradients_with_ops: bool = False,
    gate_gradients: bool = False,
    aggregation_method: Any = None,
    stop_gradients: Any = None,
    unconnected_gradients: Any = "none",
) -> list[Any]:
    """Symbolic d(sum(ys))/dx for each x in ``xs``: a list with None where x does not affect ys
    (an IndexedSlices where only some rows of x get a gradient, as through ``tf.gather``).

    Args:
      ys: a tensor or list of tensors to differentiate.
      xs: a tensor, variable or list of them.
      grad_ys: optional initial gradients for ``ys``, one per y (default: ones).
      name: the name scope of the gradient ops (made unique: ``gradients_1``...).
      gate_gradients: if True, an op's input gradients are all computed before any is used.
      aggregation_method: a :class:`AggregationMethod` value.
      stop_gradients: tensors treated as constants (no gradient flows through them).
      unconnected_gradients: "none" (None for unconnected xs) or "zero" (zeros).

    >>> import teachflow as tf
    >>> x = tf.constant([1.0, 2.0])
    >>> tf.Session().run(tf.gradients(tf.reduce_sum(x * x), x))
    [array([2., 4.], dtype=float32)]
    """
    ys_l = _as_list(ys)
    xs_l = _as_list(xs)
    gys: list[Any] = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys_l)
    stops = _as_list(stop_gradients) if stop_gradients is not None else []
    unconnected = getattr(unconnected_gradients, "value", unconnected_gradients)
    if unconnected not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: '{unconnected_gradients}'")
    if aggregation_method is None:
        aggregation_method = AggregationMethod.DEFAULT
    if aggregation_method not in (0, 1, 2):
        raise ValueError(
            f"Invalid `aggregation_method` specified {aggregation_method}. Accepted values are "
            "[0, 1, 2]."
        )
    _check_one_graph(ys_l + xs_l + stops + gys)
    g = registry.graph_for(ys_l + xs_l + stops + gys)
    with g.as_default(), g.name_scope(name or "gradients"):
        g.unique_name("uid")  # TensorFlow reserves this name in every gradients scope
        ys_t = [convert_to_tensor(y, name="y") for y in ys_l]
        xs_t = [convert_to_tensor(x, name="x", as_ref=True) for x in xs_l]
        stop_ops = {s.op if hasattr(s, "op") else convert_to_tensor(s).op for s in stops}
        gys_t = _default_grad_ys(gys, ys_t)

        grads = _walk(g, ys_t, gys_t, xs_t, stop_ops, gate_gradients, aggregation_method)

    # outside the gradients scope, as in TensorFlow: zeros for unconnected xs are "zeros_like"
    with g.as_default():
        return [_get_grad(grads, x, unconnected) for x in xs_t]


def _walk(
    g: Graph,
    ys_t: list[Tensor],
    gys_t: list[Tensor],
    xs_t: list[Tensor],
    stop_ops: set[Operation],
    gate_gradients: bool,
    aggregation_method: int,
    boundary: bool = False,
) -> dict[Operation, list[Any]]:
    """The gradients of ``ys_t`` (seeded with ``gys_t``) flowing back to the ``xs_t``.

    A tf.while_loop on the way is one step: once all its Exits have their gradients, a backward
    loop gives those of its inputs (:mod:`teachflow.while_gradients`). ``boundary``: the walk
    stops at the xs (a loop's body, differentiated inside the backward loop).
    """
    to_ops = [y.op for y in ys_t]
    from_ops = [x.op for x in xs_t]
    loops: dict[Operation, Any] = {}
    reachable, pending = _pending_count(to_ops, from_ops, loops, boundary)
    grads: dict[Operation, list[Any]] = {}
    for y, gy in zip(ys_t, gys_t):
        _set_grad(grads, y, gy)

    queue: collections.deque[Operation] = collections.deque()
    seen: set[Operation] = set()
    for op in to_ops:
        if pending[op] == 0 and op not in seen and op in reachable:
            seen.add(op)
            queue.append(op)
    # an x whose inputs get no gradient ends the walk; so does a stop_gradients tensor
    stop_ops = set(stop_ops)
    stop_ops |= {op for op in from_ops if all(pending[t.op] <= 0 for t in op.inputs)}
    if boundary:
        stop_ops |= set(from_ops)
    waiting = {id(lp): sum(1 for e in lp.exits if e in loops) for lp in set(loops.values())}
    exit_grads: dict[int, list[Any]] = {}

    while queue:
        op = queue.popleft()
        out_grads = _aggregated_grads(grads, op, aggregation_method)
        if op in loops and op not in from_ops:
            _loop_exit(
                g,
                op,
                loops[op],
                out_grads[0],
                op in stop_ops,
                waiting,
                exit_grads,
                grads,
                pending,
                queue,
                aggregation_method,
            )
            continue
        has_out_grads = any(gr is not None for gr in out_grads)
        fn = None
        if has_out_grads and op not in stop_ops:
            fn = op.opdef.grad
            if fn is None:
                raise LookupError(
                    f"No gradient defined for operation '{op.name}' (op type: {op.type}).\n"
                    "  Hint: wrap its output in tf.stop_gradient(...) if no gradient should "
                    "flow through it."
                )
        if fn is not None and has_out_grads:
            for i, gr in enumerate(out_grads):
                if gr is None and _trainable(op._outputs[i]):
                    from teachflow.ops.fill_ops import zeros_like

                    out = op._outputs[i]
                    # a cond's Switch: zeros computed from the branch's own output, so
                    # that they are dead, like it, when the branch is not taken
                    out_grads[i] = (
                        registry.make1("ZerosLike", [out], {"T": out.dtype.base_dtype})
                        if op.type in ("Switch", "RefSwitch")
                        else zeros_like(out)
                    )
            with g.name_scope(op.name + "_grad"):
                in_grads = _as_list(fn(op, *out_grads))
                if len(in_grads) != len(op.inputs):
                    raise ValueError(
                        f"Num gradients {len(in_grads)} generated for op {op.node_def} do "
                        f"not match num inputs {len(op.inputs)}"
                    )
                if gate_gradients and sum(x is not None for x in in_grads) > 1:
                    in_grads = tuple_(in_grads)
        else:
            in_grads = [None] * len(op.inputs)
        for i, (t_in, gr) in enumerate(zip(op.inputs, in_grads)):
            if gr is None:
                continue
            if isinstance(gr, IndexedSlices):  # rows of a gradient (tf.gather's): kept
                _set_grad(grads, t_in, gr)
                continue
            gr = convert_to_tensor(gr)
            try:
                gr.set_shape(t_in.shape)
            except ValueError:
                raise ValueError(
                    "Incompatible shapes between op input and calculated input gradient. "
                    f"Forward operation: {op.name}. Input index: {i}. Original input shape: "
                    f"{t_in.shape}. Calculated input gradient shape: {gr.shape}"
                ) from None
            _set_grad(grads, t_in, gr)
        for t_in in op.inputs:
            pending[t_in.op] -= 1
            if pending[t_in.op] == 0:
                queue.append(t_in.op)
    return grads


def _loop_exit(
    g: Graph,
    op: Operation,
    loop: Any,
    grad: Any,
    stopped: bool,
    waiting: dict[int, int],
    exit_grads: dict[int, list[Any]],
    grads: dict[Operation, list[Any]],
    pending: collections.defaultdict[Operation, int],
    queue: collections.deque[Operation],
    aggregation_method: int,
) -> None:
    """An Exit of a while loop reached: once all of them are, the backward loop is built."""
    from teachflow import while_gradients as while_grad

    got = exit_grads.setdefault(id(loop), [None] * len(loop.exits))
    got[loop.exits.index(op)] = None if stopped else grad
    waiting[id(loop)] -= 1
    if waiting[id(loop)] > 0:
        return
    externals = loop.externals()
    if any(gr is not None for gr in got):

        def walk(ys: list[Tensor], gys: list[Tensor], xs: list[Tensor]) -> list[Any]:
            inner = _walk(g, ys, gys, xs, set(), False, aggregation_method, boundary=True)
            return [_get_grad(inner, x, "none") for x in xs]

        for t, gr in zip(externals, while_grad.loop_gradients(loop, got, walk)):
            if gr is not None:
                _set_grad(grads, t, gr)
    for t in externals:
        pending[t.op] -= 1
        if pending[t.op] == 0:
            queue.append(t.op)


def hessians(
    ys: Any,
    xs: Any,
    name: str = "hessians",
    colocate_gradients_with_ops: bool = False,
    gate_gradients: bool = False,
    aggregation_method: Any = None,
) -> list[Tensor]:
    """The second derivatives d^2 sum(ys) / dx dx for each x: shape ``x.shape + x.shape``.

    Row j is tf.gradients of the j-th element of the (flattened) gradient. NOTE: TensorFlow
    builds one while_loop over the elements; teachflow unrolls it (one gradient subgraph per
    element), so x's size must be known while building.

    >>> import teachflow as tf
    >>> x = tf.constant([1.0, 2.0])
    >>> (h,) = tf.hessians(tf.reduce_sum(x * x * x), x)
    >>> tf.Session().run(h).tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    """
    from teachflow.ops.array_ops import reshape, shape
    from teachflow.ops.concat_ops import concat
    from teachflow.ops.stack_ops import stack

    xs_l = _as_list(xs)
    kwargs = {
        "colocate_gradients_with_ops": colocate_gradients_with_ops,
        "gate_gradients": gate_gradients,
        "aggregation_method": aggregation_method,
    }
    out = []
    for grad, x in zip(gradients(ys, xs_l, name=name, **kwargs), xs_l):
        if grad is None:
            raise ValueError(_NO_SECOND_DERIVATIVE)
        flat = reshape(convert_to_tensor(grad), [-1])
        n = x.get_shape().num_elements()
        if n is None:
            raise ValueError(
                f"teachflow's tf.hessians needs the size of {x} known while building (it builds "
                "one gradient per element).\n  Hint: give the placeholder a full shape."
            )
        rows = []
        for j in range(n):
            (row,) = gradients(flat[j], x, name=name, **kwargs)
            if row is None:
                raise ValueError(_NO_SECOND_DERIVATIVE)
            rows.append(convert_to_tensor(row))
        x_shape = shape(x)
        out.append(reshape(stack(rows), concat([x_shape, x_shape], 0)))
    return out


_NO_SECOND_DERIVATIVE = (
    "None values not supported.\n  Hint: a gradient is None: ys does not depend on this x (or "
    "depends on it linearly, so the second derivative is not connected); tf.hessians needs "
    "both."
)


def _check_one_graph(values: list[Any]) -> None:
    """TensorFlow's ValueError when ys, xs, grad_ys and stop_gradients are not all in one graph."""
    first: Any = None
    for v in values:
        g = getattr(v, "graph", None)
        if not isinstance(g, Graph):
            continue
        if first is None:
            first = v
        elif g is not first.graph:
            raise ValueError(
                f"{v} must be from the same graph as {first}.\n  Hint: tf.gradients "
                "differentiates within one graph; build the ys and the xs inside the same "
                "`with graph.as_default():`."
            )


def _default_grad_ys(grad_ys: list[Any], ys: list[Tensor]) -> list[Tensor]:
    """Ones shaped like each y (``gradients/grad_ys_0``...), or the given grad_ys, checked."""
    from teachflow.ops.array_ops import identity, shape
    from teachflow.ops.fill_ops import ones

    if len(grad_ys) != len(ys):
        raise ValueError(f"Length mismatch. Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    given = [None if gy is None else convert_to_tensor(gy, name="grad_y") for gy in grad_ys]
    out = []
    for i, (y, gy) in enumerate(zip(ys, given)):
        dt = y.dtype.base_dtype
        if gy is None:
            if dt.is_complex:
                raise TypeError(
                    f"Gradients of complex tensors ({y}) must set grad_ys (y.dtype = {dt.name})"
                )
            out.append(ones(shape(y), dtype=dt, name=f"grad_ys_{i}"))
            continue
        gdt = gy.dtype.base_dtype
        if (dt.is_floating or dt.is_integer) and not (gdt.is_floating or gdt.is_integer):
            raise TypeError(
                f"Gradient type {gdt.name} generated for real or integer-valued tensor {y} with "
                f"type {dt.name} must be real or integer"
            )
        if dt.is_complex and not gdt.is_complex:
            raise TypeError(
                f"Gradient type {gdt.name} generated for complex-valued tensor {y} with type "
                f"{dt.name} must be real"
            )
        out.append(identity(gy, name=f"grad_ys_{i}"))
    return out


def _pending_count(
    to_ops: list[Operation],
    from_ops: list[Operation],
    loops: dict[Operation, Any] | None = None,
    boundary: bool = False,
) -> tuple[set[Operation], collections.defaultdict[Operation, int]]:
    """Ops between xs and ys, and for each how many of them consume its outputs.

    A while loop's Exit counts as consuming the loop's inputs (filled into ``loops``: Exit ->
    its loop); ``boundary``: the xs' own inputs are not visited.
    """
    if loops is None:
        loops = {}
    stops = set(from_ops) if boundary else set()
    reached: set[Operation] = set()
    queue = collections.deque(from_ops)
    while queue:
        op = queue.popleft()
        if op not in reached:
            reached.add(op)
            for t in op._outputs:
                if _trainable(t):
                    queue.extend(op.graph._consumers.get(t, ()))
    reachable_to = {op for op in to_ops if op in reached}
    between: list[Operation] = []
    between_set: set[Operation] = set()
    queue = collections.deque(to_ops)
    while queue:
        op = queue.popleft()
        if op in reached:
            between.append(op)
            between_set.add(op)
            reached.remove(op)
            if op in stops:
                continue
            if op.type == "Exit" and op not in from_ops:
                loop = _loop_of(op, loops)
                queue.extend(t.op for t in loop.externals())
                continue
            queue.extend(t.op for t in op.inputs)
    pending: collections.defaultdict[Operation, int] = collections.defaultdict(int)
    counted: set[int] = set()
    for op in between:
        if op in loops:
            if id(loops[op]) not in counted:  # a loop's inputs wait for the loop (once)
                counted.add(id(loops[op]))
                for t in loops[op].externals():
                    if t.op in between_set:
                        pending[t.op] += 1
            continue
        if op in stops:
            continue
        for t in op.inputs:
            if t.op in between_set:
                pending[t.op] += 1
    return reachable_to, pending


def _loop_of(exit_op: Operation, loops: dict[Operation, Any]) -> Any:
    """The while loop ``exit_op`` leaves (one object per loop, shared by its Exits)."""
    from teachflow.while_gradients import ForwardLoop

    if exit_op not in loops:
        cache = exit_op.graph.__dict__.setdefault("_while_loops", {})
        sw = exit_op.inputs[0].op
        frame_op = sw.inputs[1].op if len(sw.inputs) == 2 else sw  # the loop's LoopCond
        if sw.type != "Switch" or frame_op.type != "LoopCond":
            from teachflow.while_gradients import unsupported

            raise unsupported(f"a tf.while_loop built inside a tf.cond branch ('{exit_op.name}')")
        loop = cache.get(frame_op)
        if loop is None:
            loop = cache[frame_op] = ForwardLoop(exit_op)
        loops[exit_op] = loop
    return loops[exit_op]


def _set_grad(grads: dict[Operation, list[Any]], t: Tensor, grad: Any) -> None:
    op_grads = grads.get(t.op)
    if op_grads is None:
        op_grads = grads[t.op] = [[] for _ in t.op._outputs]
    op_grads[t.value_index].append(grad)


def _aggregated_grads(grads: dict[Operation, list[Any]], op: Operation, method: int) -> list[Any]:
    """Sums the gradients received by each output of ``op`` (AddN), in place in ``grads``.

    IndexedSlices only: their rows are concatenated (still an IndexedSlices); mixed with dense
    gradients, they are densified as AddN's inputs (``AddN/inputs_2``), as in TensorFlow.
    """
    from teachflow.ops.matmul_ops import add_n

    op_grads = grads.get(op)
    if op_grads is None:
        return [None] * len(op._outputs)
    for i, parts in enumerate(op_grads):
        if not parts:
            op_grads[i] = None
        elif len(parts) == 1:
            op_grads[i] = parts[0]
        elif any(isinstance(p, IndexedSlices) for p in parts):
            op_grads[i] = _aggregate_indexed_slices(op.graph, parts)
        elif method == AggregationMethod.ADD_N:
            op_grads[i] = add_n(parts)
        else:
            with op.graph.name_scope(op.name + "_gradient_sum"):
                total = parts[0]
                for part in parts[1:]:
                    total = add_n([total, part])
            op_grads[i] = total
    return list(op_grads)


def _aggregate_indexed_slices(g: Graph, parts: list[Any]) -> Any:
    from teachflow.ops.concat_ops import concat
    from teachflow.ops.matmul_ops import add_n

    if all(isinstance(p, IndexedSlices) for p in parts):
        return IndexedSlices(
            concat([p.values for p in parts], axis=0),
            concat([p.indices for p in parts], axis=0),
            parts[0].dense_shape,
        )
    with g.name_scope("AddN") as scope:
        dense = [
            to_dense(p, name=f"inputs_{i}") if isinstance(p, IndexedSlices) else p
            for i, p in enumerate(parts)
        ]
        return add_n(dense, name=scope)


def _get_grad(grads: dict[Operation, list[Any]], x: Tensor, unconnected: str) -> Any:
    op_grads = grads.get(x.op)
    gr = None if op_grads is None else op_grads[x.value_index]
    if isinstance(gr, list):  # x's op was never visited: x is not between xs and ys
        gr = None
    if gr is None and unconnected == "zero":
        from teachflow.ops.fill_ops import zeros_like

        return zeros_like(x)
    return gr


def tuple_(tensors: Sequence[Any], name: str | None = None) -> list[Any]:
    """The tensors, each gated (an Identity with a control input) on all of them being computed.

    Like ``tf.tuple``: ops ``tuple/group_deps`` and ``tuple/control_dependency``, ``..._1``...
    """
    from teachflow.ops.array_ops import identity
    from teachflow.ops.control_ops import group

    g = registry.graph_for([t for t in tensors if t is not None])
    with g.as_default(), g.name_scope(name or "tuple"):
        gating = sorted(
            {t if isinstance(t, Operation) else t.op for t in tensors if t is not None},
            key=lambda o: o._id,
        )
        if not gating:
            raise ValueError(f"'tensors' must have at least one Tensor, but got {tensors}")
        gate = group(*gating)
        out: list[Any] = []
        for t in tensors:
            if t is None:
                out.append(None)
            elif isinstance(t, Operation):
                with g.control_dependencies([gate]):
                    out.append(group(t))
            elif isinstance(t, IndexedSlices):
                with g.name_scope("control_dependency") as scope, g.control_dependencies([gate]):
                    values = identity(t.values, name=scope)
                    out.append(IndexedSlices(values, identity(t.indices), t.dense_shape))
            else:
                with g.name_scope("control_dependency") as scope, g.control_dependencies([gate]):
                    out.append(identity(t, name=scope))
        return out


@registry.define(
    "StopGradient", infer=registry.same_as_input(0), view=True, grad=not_differentiable
)
def _stop_gradient_kernel(x: Any) -> Any:
    """f(x) = x, with zero gradient"""
    return x


def stop_gradient(input: Any, name: str | None = None) -> Tensor:
    """f(x) = x, but gradients do not flow through it.

    >>> import teachflow as tf
    >>> x = tf.constant(2.0)
    >>> tf.gradients(tf.stop_gradient(x) * x, x)[0].eval(session=tf.Session())
    np.float32(2.0)
    """
    g = registry.graph_for([input])
    with g.as_default():
        t = convert_to_tensor(input)
        return registry.make1(
            "StopGradient", [t], {"T": t.dtype.base_dtype}, name or "StopGradient"
        )
