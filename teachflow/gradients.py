"""``tf.gradients``: reverse-mode differentiation that builds gradient ops into the graph.

Each op's gradient is defined beside its kernel (``grad=`` in :func:`registry.define`) and is
written with teachflow ops, so gradients are ordinary nodes under ``gradients/`` that can be
drawn, stepped and differentiated again.

>>> import teachflow as tf
>>> x = tf.constant(3.0)
>>> (dx,) = tf.gradients(x * x, [x])
>>> dx.op.name, tf.Session().run(dx)
('gradients/mul_grad/AddN', np.float32(6.0))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor


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
    unconnected_gradients: str = "none",
) -> list[Tensor | None]:
    """Symbolic d(sum(ys))/dx for each x in ``xs``; None where x does not affect ys.

    Args:
      ys: a tensor or list of tensors to differentiate.
      xs: a tensor, variable or list of them.
      grad_ys: optional initial gradients for ``ys`` (default: ones).
      stop_gradients: tensors treated as constants.
    """
    ys_l = [convert_to_tensor(y) for y in _as_list(ys)]
    xs_l = [convert_to_tensor(x, as_ref=True) for x in _as_list(xs)]
    gys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys_l)
    if len(gys) != len(ys_l):
        raise ValueError(
            f"Passed {len(gys)} grad_ys for variable with {len(ys_l)} ys. "
            "Hint: give one grad_y per y."
        )
    stops = {id(convert_to_tensor(s)) for s in _as_list(stop_gradients or [])}
    g = registry.graph_for(ys_l + xs_l)
    from teachflow.ops.array_ops import fill, shape
    from teachflow.ops.constant_op import constant
    from teachflow.ops.math_ops import add_n

    with g.as_default(), g.name_scope(name):
        # ops on a path from some x to some y
        reach_fwd: set[Operation] = set()
        frontier = [c for x in xs_l for c in g._consumers.get(x, [])]
        while frontier:
            op = frontier.pop()
            if op in reach_fwd:
                continue
            reach_fwd.add(op)
            for t in op._outputs:
                frontier.extend(g._consumers.get(t, []))
        between: set[Operation] = set()
        frontier = [y.op for y in ys_l]
        while frontier:
            op = frontier.pop()
            if op in between or op not in reach_fwd:
                continue
            between.add(op)
            frontier.extend(t.op for t in op.inputs)

        grads: dict[Tensor, list[Tensor]] = {}
        for i, (y, gy) in enumerate(zip(ys_l, gys)):
            if gy is None:
                if not _trainable(y):
                    continue
                gy = fill(shape(y), constant(1, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}"))
            else:
                gy = convert_to_tensor(gy, dtype=y.dtype.base_dtype)
            grads.setdefault(y, []).append(gy)

        for op in sorted(between, key=lambda o: o._id, reverse=True):
            out_grads = [_aggregate(grads.get(t), add_n) for t in op._outputs]
            if all(gr is None for gr in out_grads):
                continue
            if any(id(t) in stops for t in op._outputs):
                continue
            fn = op.opdef.grad
            if fn is None:
                raise LookupError(
                    f"No gradient defined for operation '{op.name}' (op type: {op.type}).\n"
                    "  Hint: wrap its output in tf.stop_gradient(...) if no gradient should flow "
                    "through it."
                )
            from teachflow.ops.array_ops import zeros_like

            filled = [
                gr if gr is not None else zeros_like(t) if _trainable(t) else None
                for gr, t in zip(out_grads, op._outputs)
            ]
            with g.name_scope(op.name + "_grad"):
                in_grads = fn(op, *filled)
            in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
            if len(in_grads) != len(op.inputs):
                raise ValueError(
                    f"Num gradients {len(in_grads)} generated for op {op.node_def.name} do not "
                    f"match num inputs {len(op.inputs)}"
                )
            for t, gr in zip(op.inputs, in_grads):
                if gr is not None and _trainable(t) and id(t) not in stops:
                    grads.setdefault(t, []).append(gr)

        return [_aggregate(grads.get(x), add_n) if _trainable(x) else None for x in xs_l]


def _aggregate(parts: Sequence[Tensor] | None, add_n: Any) -> Tensor | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return add_n(list(parts))  # type: ignore[no-any-return]


@registry.define(
    "StopGradient", infer=registry.same_as_input(0), view=True, grad=not_differentiable
)
def _stop_gradient_kernel(x: Any) -> Any:
    """f(x) = x, with zero gradient"""
    return x


def stop_gradient(input: Any, name: str | None = None) -> Tensor:
    """f(x) = x, but gradients do not flow through it."""
    g = registry.graph_for([input])
    with g.as_default():
        t = convert_to_tensor(input)
        return registry.make1(
            "StopGradient", [t], {"T": t.dtype.base_dtype}, name or "StopGradient"
        )
