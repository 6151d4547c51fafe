"""Stacks (``StackV2``, ``StackPushV2``, ``StackPopV2``): how a gradient through a
``tf.while_loop`` gets the forward values of each iteration, as TensorFlow 1.x does it.

The forward loop pushes a value at every iteration; the backward loop pops them, last
iteration first. A stack is made afresh in each run (like a TensorArray).

>>> import teachflow as tf
>>> from teachflow.ops import loop_stack_ops as s
>>> h = s.stack(tf.float32)
>>> with tf.control_dependencies([s.push(h, 1.0), s.push(h, 2.0)]):
...     top = s.pop(h, tf.float32)
>>> float(tf.Session().run(top))
2.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.handles import resource
from teachflow.tensor_shape import TensorShape

Outs = list[tuple[dtypes.DType, TensorShape]]


class StackValue:
    """The values pushed on one stack in one run."""

    __slots__ = ("name", "items")

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Any] = []

    def __repr__(self) -> str:
        return f"<Stack {self.name}: {len(self.items)} values>"


def _stack_infer(op: Operation) -> Outs:
    return [(resource, TensorShape([2]))]  # as TensorFlow (a two-element handle)


@registry.define("StackV2", infer=_stack_infer, ctx=True, stateful=True)
def _stack_kernel(ctx: registry.KernelContext, max_size: Any) -> StackValue:
    """f() = a new, empty stack"""
    return StackValue(ctx.attrs.get("stack_name") or ctx.op.name)


def _push_infer(op: Operation) -> Outs:
    t = op.inputs[1]
    return [(t.dtype.base_dtype, t.shape)]


@registry.define("StackPushV2", infer=_push_infer, ctx=True, stateful=True)
def _push_kernel(ctx: registry.KernelContext, handle: Any, elem: Any) -> Any:
    """stack.append(elem); f = elem"""
    if handle is registry.DEAD:  # the whole loop is on a cond's untaken branch
        return handle
    if not isinstance(handle, StackValue):
        raise ValueError("'StackPushV2' needs a stack handle.")
    handle.items.append(np.array(elem, copy=True) if isinstance(elem, np.ndarray) else elem)
    return elem


def _pop_infer(op: Operation) -> Outs:
    return [(op.attrs["elem_type"], TensorShape(op.attrs.get("_element_shape")))]


@registry.define("StackPopV2", infer=_pop_infer, ctx=True, stateful=True)
def _pop_kernel(ctx: registry.KernelContext, handle: Any) -> Any:
    """f = stack.pop()"""
    if not isinstance(handle, StackValue):
        raise ValueError("'StackPopV2' needs a stack handle.")
    if not handle.items:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Stack[{handle.name}] is empty.",
            "every pop needs a push before it (a gradient loop ran more often than its loop).",
        )
    return handle.items.pop()


def stack(elem_type: Any, name: str = "Stack", stack_name: str = "") -> Tensor:
    """A new stack of ``elem_type`` values (``StackV2``, max_size -1: unbounded)."""
    dt = dtypes.as_dtype(elem_type).base_dtype
    size = constant(-1, dtype=dtypes.int32, name="Const")
    attrs = {"elem_type": dt, "stack_name": stack_name}
    return registry.make1("StackV2", [size], attrs, name)


def push(handle: Tensor, elem: Any, name: str = "StackPushV2") -> Tensor:
    t = convert_to_tensor(elem)
    attrs = {"T": t.dtype.base_dtype, "swap_memory": False}
    return registry.make1("StackPushV2", [handle, t], attrs, name)


def pop(handle: Tensor, elem_type: Any, shape: Any = None, name: str = "StackPopV2") -> Tensor:
    dt = dtypes.as_dtype(elem_type).base_dtype
    shp = TensorShape(shape)
    attrs: dict[str, Any] = {"elem_type": dt}
    if shp.ndims is not None:
        attrs["_element_shape"] = shp.as_list()
    return registry.make1("StackPopV2", [handle], attrs, name)
