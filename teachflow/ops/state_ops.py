"""Variable ops: the variable itself (``VariableV2``), assignment and initialization checks.

A variable op outputs a *ref* (``float32_ref``): a handle on the value kept by the session.
Ops that read it as a value get the value; ``Assign``-like ops write through it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation
from teachflow.ops import registry
from teachflow.state import Ref
from teachflow.tensor_shape import TensorShape, bracket


def _variable_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.attrs["dtype"]._as_ref, TensorShape(op.attrs["shape"]))]


@registry.define("VariableV2", infer=_variable_infer, ctx=True, stateful=True)
def _variable_kernel(ctx: registry.KernelContext) -> Ref:
    """f() = ref to this session's value"""
    return Ref(ctx.state, ctx.op.name)


_SHAPE_HINT = (
    "a variable keeps the shape it was created with; assign a value of that shape, or pass "
    "validate_shape=False to tf.assign to change it."
)


def _assign_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    ref, value = op.inputs
    shape = ref.shape
    if op.attrs.get("validate_shape", True):
        a, b = ref.shape.as_tuple(), value.shape.as_tuple()
        if a is not None and b is not None:
            if len(a) != len(b):
                raise registry.shape_error(
                    op, f"Shapes must be equal rank, but are {len(a)} and {len(b)}", _SHAPE_HINT
                )
            for i, (x, y) in enumerate(zip(a, b)):
                if x is not None and y is not None and x != y:
                    raise registry.shape_error(
                        op,
                        f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                        f"Shapes are {bracket(ref.shape)} and {bracket(value.shape)}.",
                        _SHAPE_HINT,
                    )
        shape = ref.shape.merge_with(value.shape) if a is not None else value.shape
    else:
        shape = value.shape
    return [(ref.dtype.base_dtype._as_ref, shape)]


def _write(ctx: registry.KernelContext, ref: Any, value: np.ndarray) -> Any:
    if not isinstance(ref, Ref):
        raise ValueError(f"'{ctx.op.name}' needs a variable to assign to, got a plain value.")
    old = ref.peek()
    if ctx.attrs.get("validate_shape", True) and old is not None and old.shape != np.shape(value):
        from teachflow import errors

        raise errors.InvalidArgumentError(
            None,
            None,
            "Assign requires shapes of both tensors to match. lhs shape= "
            f"{list(old.shape)} rhs shape= {list(np.shape(value))}",
            "give the new value the variable's shape, or pass validate_shape=False.",
        )
    ref.write(value)
    return ref


@registry.define("Assign", infer=_assign_infer, ctx=True, stateful=True, ref_inputs=(0,))
def _assign_kernel(ctx: registry.KernelContext, ref: Any, value: Any) -> Any:
    """ref <- value"""
    dt = ctx.op.inputs[0].dtype.base_dtype.np
    return _write(ctx, ref, np.array(value, dtype=dt, copy=True))


def _read_for_update(ctx: registry.KernelContext, ref: Any) -> np.ndarray:
    if not isinstance(ref, Ref):
        raise ValueError(f"'{ctx.op.name}' needs a variable to update, got a plain value.")
    return ref.read(ctx.op)


@registry.define("AssignAdd", infer=_assign_infer, ctx=True, stateful=True, ref_inputs=(0,))
def _assign_add_kernel(ctx: registry.KernelContext, ref: Any, value: Any) -> Any:
    """ref <- ref + value"""
    old = _read_for_update(ctx, ref)
    return _write(ctx, ref, (old + value).astype(old.dtype, copy=False))


@registry.define("AssignSub", infer=_assign_infer, ctx=True, stateful=True, ref_inputs=(0,))
def _assign_sub_kernel(ctx: registry.KernelContext, ref: Any, value: Any) -> Any:
    """ref <- ref - value"""
    old = _read_for_update(ctx, ref)
    return _write(ctx, ref, (old - value).astype(old.dtype, copy=False))


@registry.define(
    "IsVariableInitialized",
    infer=registry.fixed(dtypes.bool_, []),
    ctx=True,
    stateful=True,
    ref_inputs=(0,),
)
def _is_initialized_kernel(ctx: registry.KernelContext, ref: Any) -> np.ndarray:
    """f(v) = v has a value in this session"""
    return np.array(not isinstance(ref, Ref) or ref.initialized)


def _initialized_value_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.inputs[1].dtype.base_dtype, op.inputs[1].shape)]


@registry.define(
    "InitializedValue",
    infer=_initialized_value_infer,
    ctx=True,
    stateful=True,
    view=True,
    ref_inputs=(0,),
)
def _initialized_value_kernel(ctx: registry.KernelContext, ref: Any, initial: Any) -> Any:
    """f(v, v0) = v if v is initialized else v0 (no side effect)"""
    if isinstance(ref, Ref):
        value = ref.peek()
        return initial if value is None else value
    return ref


# -- public API --------------------------------------------------------------------------------


def _ref_and_value(ref: Any, value: Any, name: str, op_type: str) -> tuple[Any, Any, Any]:
    from teachflow.ops.constant_op import convert_to_tensor, to_numpy

    if hasattr(ref, "_as_tensor"):
        r = ref._as_tensor(as_ref=True)
    else:
        r = ref
    from teachflow.graph import Tensor

    if not isinstance(r, Tensor) or not r.dtype.is_ref:
        raise TypeError(
            f"'{op_type}' needs a tf.Variable as its first argument, got {ref!r}.\n  Hint: create "
            "the value with tf.Variable(...) to be able to assign to it."
        )
    dt = r.dtype.base_dtype
    if not isinstance(value, Tensor) and not hasattr(value, "_as_tensor"):
        try:
            to_numpy(value, dt)
        except TypeError:
            raise TypeError(
                f"Expected {dt.name} passed to parameter 'value' of op '{op_type}', got {value!r} "
                f"of type '{type(value).__name__}' instead.\n  Hint: a variable keeps the dtype "
                f"it was created with ({dt.name}); create it from a {dt.name} value, or pass one."
            ) from None
    v = convert_to_tensor(value, dtype=dt, name="value", _arg="value", _op=op_type)
    return r, v, dt


def _update(op_type: str, ref: Any, value: Any, name: str | None, **attrs: Any) -> Any:
    g = registry.graph_for([ref, value])
    with g.as_default(), g.name_scope(name or op_type) as scope:
        # a Python value becomes "<op>/value", as in TensorFlow
        r, v, dt = _ref_and_value(ref, value, name or op_type, op_type)
        return registry.make1(op_type, [r, v], {"T": dt, **attrs}, scope)


def assign(
    ref: Any,
    value: Any,
    validate_shape: bool | None = None,
    use_locking: bool | None = None,
    name: str | None = None,
) -> Any:
    """Writes ``value`` into the variable ``ref``; running it returns the new value."""
    vs = True if validate_shape is None else validate_shape
    return _update("Assign", ref, value, name, validate_shape=vs, use_locking=bool(use_locking))


def assign_add(
    ref: Any, value: Any, use_locking: bool | None = None, name: str | None = None
) -> Any:
    """ref <- ref + value; running it returns the new value."""
    return _update("AssignAdd", ref, value, name, use_locking=bool(use_locking))


def assign_sub(
    ref: Any, value: Any, use_locking: bool | None = None, name: str | None = None
) -> Any:
    """ref <- ref - value; running it returns the new value."""
    return _update("AssignSub", ref, value, name, use_locking=bool(use_locking))


def variables_initializer(var_list: Any, name: str = "init") -> Any:
    """One op running the initializers of ``var_list`` (a NoOp when the list is empty)."""
    from teachflow.ops.control_ops import group, no_op

    var_list = _variables(var_list, "variables_initializer")
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def _variables(var_list: Any, what: str) -> list[Any]:
    """``var_list`` as a list, each item checked to be a variable."""
    if isinstance(var_list, (str, bytes, dict)) or not hasattr(var_list, "__iter__"):
        raise TypeError(
            f"{what} expects a list of tf.Variable, got {var_list!r}.\n  Hint: pass e.g. "
            "[w, b] or tf.global_variables()."
        )
    out = list(var_list)
    for v in out:
        if not hasattr(v, "initializer") or not hasattr(v, "_as_tensor"):
            raise TypeError(
                f"{what} expects a list of tf.Variable, but the list holds {v!r} "
                f"({type(v).__name__}).\n  Hint: only variables made with tf.Variable or "
                "tf.get_variable have a value to initialize."
            )
    return out


def global_variables_initializer() -> Any:
    """An op that initializes every global variable: run it once in each session."""
    from teachflow.variables import global_variables

    return variables_initializer(global_variables())


def local_variables_initializer() -> Any:
    from teachflow.variables import local_variables

    return variables_initializer(local_variables())


def initialize_all_variables() -> Any:
    """0.x name of :func:`global_variables_initializer` (deprecated in TensorFlow 1.x)."""
    import warnings

    warnings.warn(
        "initialize_all_variables (from tensorflow.python.ops.variables) is deprecated and will "
        "be removed after 2017-03-02. Instructions for updating: Use "
        "`tf.global_variables_initializer` instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return global_variables_initializer()


def initialize_variables(var_list: Any, name: str = "init") -> Any:
    """0.x name of :func:`variables_initializer`."""
    return variables_initializer(var_list, name)


def is_variable_initialized(variable: Any) -> Any:
    """A bool tensor: is ``variable`` initialized in the session running it?"""
    if not hasattr(variable, "_as_tensor") or not hasattr(variable, "initializer"):
        raise TypeError(
            f"is_variable_initialized expects a tf.Variable, got {variable!r} "
            f"({type(variable).__name__})."
        )
    g = variable.graph
    with g.as_default():
        return registry.make1(
            "IsVariableInitialized",
            [variable._as_tensor(as_ref=True)],
            {"dtype": variable.dtype.base_dtype},
            "IsVariableInitialized",
        )


@registry.define(
    "ReportUninitializedVariables",
    infer=lambda op: [(dtypes.string, TensorShape([None]))],
    ctx=True,
    stateful=True,
    ref_inputs=registry.ALL_INPUTS,
)
def _report_kernel(ctx: registry.KernelContext, *refs: Any) -> np.ndarray:
    """f(v1..vn) = names of the uninitialized variables"""
    names = [r.name.encode() for r in refs if isinstance(r, Ref) and not r.initialized]
    return np.array(names, dtype=object).reshape(-1)


def report_uninitialized_variables(
    var_list: Any = None, name: str = "report_uninitialized_variables"
) -> Any:
    """A 1-D string tensor of the names of variables not initialized in the running session."""
    from teachflow.variables import global_variables, local_variables

    if var_list is None:
        var_list = global_variables() + local_variables()
    var_list = _variables(var_list, "report_uninitialized_variables")
    refs = [v._as_tensor(as_ref=True) for v in var_list]
    return registry.make1("ReportUninitializedVariables", refs, {"N": len(refs)}, name)


def assert_variables_initialized(var_list: Any = None) -> Any:
    raise NotImplementedError("teachflow does not implement assert_variables_initialized yet.")
