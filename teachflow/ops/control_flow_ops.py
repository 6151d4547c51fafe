"""``tf.cond``: run one of two subgraphs, picked by a boolean tensor at run time.

As in TensorFlow 1.x, ``cond`` builds both branches into the graph. A ``Switch`` passes each
value a branch reads to that branch only; the other branch gets a *dead* value, and an op with a
dead input (or a dead control input) does not run. ``Merge`` forwards whichever input is live.
Stepping a cond shows exactly that: the untaken branch's ops are skipped.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [], name="x")
>>> y = tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0)
>>> print(y)
Tensor("cond/Merge:0", shape=(), dtype=float32)
>>> sess = tf.Session()
>>> float(sess.run(y, {x: 3.0})), float(sess.run(y, {x: -3.0}))
(6.0, -4.0)
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Graph, Operation, Tensor
from teachflow.ops import array_ops, registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.registry import DEAD
from teachflow.tensor_shape import TensorShape

Outs = list[tuple[dtypes.DType, TensorShape]]
# each cond's Merge -> its predicate, for the Merge's gradient (a Switch on the same predicate)
_MERGE_PRED: weakref.WeakKeyDictionary[Operation, Tensor] = weakref.WeakKeyDictionary()


# -- Switch and Merge ---------------------------------------------------------------------------


def _switch_infer(op: Operation) -> Outs:
    data, pred = op.inputs
    if pred.dtype.base_dtype != dtypes.bool_:
        raise TypeError(
            f"Input 'pred' of 'Switch' Op has type {pred.dtype.base_dtype.name} that does not "
            "match expected type of bool.\n  Hint: compare first, e.g. tf.cond(x > 0, ...)."
        )
    if pred.shape.ndims not in (None, 0):
        raise registry.shape_error(
            op, f"Shape must be rank 0 but is rank {pred.shape.ndims}", "the predicate is one bool."
        )
    dt = data.dtype if op.type == "RefSwitch" else data.dtype.base_dtype
    return [(dt, data.shape), (dt, data.shape)]


def _switch_grad(op: Operation, g_false: Tensor | None, g_true: Tensor | None) -> list[Any]:
    """The data's gradient is the live branch's. (tf.gradients gives a Switch output that no
    op used zeros made from that output, so they are dead when its branch is.)"""
    if g_false is None or g_true is None:  # a dtype without gradients
        return [None, None]
    return [merge([g_false, g_true], name="cond_grad")[0], None]


@registry.define("RefSwitch", infer=_switch_infer, grad=_switch_grad, ref_inputs=(0,))
@registry.define("Switch", infer=_switch_infer, grad=_switch_grad)
def _switch_kernel(data: Any, pred: Any) -> tuple[Any, Any]:
    """f(data, pred) = (dead, data) if pred else (data, dead)"""
    if np.shape(pred) != ():
        raise ValueError(
            f"The second input must be a scalar, but it has shape {list(np.shape(pred))}"
        )
    return (DEAD, data) if bool(pred) else (data, DEAD)


def _merge_infer(op: Operation) -> Outs:
    first = op.inputs[0]
    shape = first.shape
    for t in op.inputs[1:]:
        shape = shape.most_specific_compatible_shape(t.shape)
    dt = first.dtype if op.type == "RefMerge" else first.dtype.base_dtype
    return [(dt, shape), (dtypes.int32, TensorShape([]))]


def _merge_grad(op: Operation, grad: Tensor | None, _index_grad: Any = None) -> list[Any]:
    """Each input gets the gradient on its own branch: a Switch on the cond's predicate."""
    if grad is None:
        return [None] * len(op.inputs)
    pred = _MERGE_PRED.get(op)
    if pred is None:
        raise LookupError("No gradient defined for a Merge that no tf.cond built.")
    out = switch(grad, pred, name="cond_grad")
    return [out[0], out[1]]


@registry.define("RefMerge", infer=_merge_infer, grad=_merge_grad, ref_inputs=registry.ALL_INPUTS)
@registry.define("Merge", infer=_merge_infer, grad=_merge_grad)
def _merge_kernel(*inputs: Any) -> tuple[Any, Any]:
    """f(inputs) = (the live input, its index)"""
    for i, v in enumerate(inputs):
        if v is not DEAD:
            return v, np.int32(i)
    return DEAD, DEAD


def switch(data: Tensor, pred: Tensor, name: str | None = None) -> tuple[Tensor, Tensor]:
    """(output_false, output_true): ``data`` goes to the output ``pred`` selects."""
    g = data.graph
    kind = "RefSwitch" if data.dtype.is_ref else "Switch"  # a variable stays a variable
    op = g._create_op(
        registry.get(kind), [data, pred], {"T": data.dtype.base_dtype}, name or "Switch"
    )
    return op.outputs[0], op.outputs[1]


def merge(inputs: list[Tensor], name: str | None = None) -> tuple[Tensor, Tensor]:
    """(output, value_index): the one live input, and which it was."""
    g = inputs[0].graph
    refs = all(t.dtype.is_ref for t in inputs)  # variables stay variables (TensorFlow's RefMerge)
    op = g._create_op(
        registry.get("RefMerge" if refs else "Merge"),
        list(inputs),
        {"T": inputs[0].dtype.base_dtype, "N": len(inputs)},
        name or "Merge",
    )
    return op.outputs[0], op.outputs[1]


# -- the branch being built ---------------------------------------------------------------------


class CondContext:
    """One branch of a cond while it is built: ops created in it read outside values through
    a Switch on the predicate, and ops with no inputs wait for the branch's pivot."""

    def __init__(self, graph: Graph, pred: Tensor, pivot: Tensor, branch: int) -> None:
        self.graph = graph
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.outer: CondContext | None = graph._cond_context
        self.ops: set[Operation] = set()
        self.entered: dict[Tensor, Tensor] = {}

    def inside(self, t: Tensor) -> bool:
        return t.op in self.ops or t is self.pivot

    def enter(self, t: Tensor, name: str) -> Tensor:
        """``t`` as seen inside the branch (a Switch output, made once per outside value)."""
        if self.inside(t):
            return t
        if t not in self.entered:
            g = self.graph
            g._cond_context = self.outer  # the Switch belongs to the enclosing context
            try:
                with g.name_scope(None):  # ``name`` is a full name, e.g. "cond/mul/Switch"
                    self.entered[t] = switch(t, self.pred, name=name)[self.branch]
            finally:
                g._cond_context = self
        return self.entered[t]

    def enter_inputs(self, op_name: str, inputs: list[Tensor]) -> list[Tensor]:
        return [self.enter(t, f"{op_name}/Switch") for t in inputs]

    def added(self, op: Operation) -> None:
        self.ops.add(op)
        # an op with no inputs (a constant) belongs to the branch through its pivot, unless it
        # already waits on an op of the branch
        pivot = self.pivot.op
        if not op.inputs and not any(c is pivot or c in self.ops for c in op._control_inputs):
            op._control_inputs.append(self.pivot.op)

    def build(self, fn: Callable[[], Any]) -> tuple[Any, list[Tensor]]:
        """Calls ``fn`` inside the branch: (its result, that result's tensors seen inside)."""
        g = self.graph
        g._cond_context = self
        try:
            result = fn()
            flat = _flatten(result)
            out = []
            for v in flat:
                if isinstance(v, Operation):
                    with g.control_dependencies([v]):
                        out.append(array_ops.identity(self.pivot))
                else:
                    t = convert_to_tensor(v)
                    scope = g.get_name_scope()  # an outside value returned as is: cond/Switch_1
                    out.append(self.enter(t, f"{scope}/Switch" if scope else "Switch"))
        finally:
            g._cond_context = self.outer
        return result, out


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flatten(item)]
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flatten(x[k])]
    return [x]


def _pack_like(structure: Any, flat: list[Tensor]) -> Any:
    it = iter(flat)

    def pack(x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            items = [pack(v) for v in x]
            return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
        if isinstance(x, dict):
            return {k: pack(x[k]) for k in sorted(x)}
        return next(it)

    return pack(structure)


def cond(
    pred: Any,
    true_fn: Callable[[], Any] | None = None,
    false_fn: Callable[[], Any] | None = None,
    strict: bool = False,
    name: str | None = None,
    fn1: Callable[[], Any] | None = None,
    fn2: Callable[[], Any] | None = None,
) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``, decided when the graph runs.

    Both functions are called once, now, to build their branch; at run time only the ops of
    the taken branch execute (values from outside enter each branch through a ``Switch``, and
    a ``Merge`` returns the taken branch's result).
    """
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if true_fn is None or not callable(true_fn):
        raise TypeError("true_fn must be callable.\n  Hint: pass a function: lambda: x * 2.")
    if false_fn is None or not callable(false_fn):
        raise TypeError("false_fn must be callable.\n  Hint: pass a function: lambda: x - 1.")
    g = registry.graph_for([pred])
    with g.as_default(), g.name_scope(name or "cond"):
        p = convert_to_tensor(pred)
        p_false, p_true = switch(p, p)
        pivot_t = array_ops.identity(p_true, name="switch_t")
        pivot_f = array_ops.identity(p_false, name="switch_f")
        pred_id = array_ops.identity(p, name="pred_id")
        shape_t, res_t = CondContext(g, pred_id, pivot_t, 1).build(true_fn)
        shape_f, res_f = CondContext(g, pred_id, pivot_f, 0).build(false_fn)
        if len(res_t) != len(res_f):
            raise ValueError(
                "Outputs of true_fn and false_fn must have the same structure: "
                f"{len(res_t)} values from 'true_fn', {len(res_f)} from 'false_fn'.\n  Hint: "
                "return the same kind of value from both branches."
            )
        for a, b in zip(res_t, res_f):
            if a.dtype.base_dtype != b.dtype.base_dtype:
                raise ValueError(
                    "Outputs of 'true_fn' and 'false_fn' must have the same type(s). Received "
                    f"{a.dtype.base_dtype.name} from 'true_fn' and {b.dtype.base_dtype.name} from "
                    "'false_fn'.\n  Hint: tf.cast one of them, or write 1.0 instead of 1."
                )
        merged = []
        for f_val, t_val in zip(res_f, res_t):
            out, _ = merge([f_val, t_val])
            _MERGE_PRED[out.op] = pred_id
            merged.append(out)
        if len(merged) == 1 and not isinstance(shape_t, (list, tuple, dict)):
            return merged[0]
        return _pack_like(shape_t, merged)
