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


def _check_shape(ctx: registry.KernelContext, ref: Any, old: Any, value: Any) -> None:
    if not isinstance(ref, Ref):
        raise ValueError(f"'{ctx.op.name}' needs a variable to assign to, got a plain value.")
    if ctx.attrs.get("validate_shape", True) and old is not None and old.shape != np.shape(value):
        from teachflow import errors

        raise errors.InvalidArgumentError(
            None,
            None,
            "Assign requires shapes of both tensors to match. lhs shape= "
            f"{list(old.shape)} rhs shape= {list(np.shape(value))}",
            "give the new value the variable's shape, or pass validate_shape=False.",
        )


@registry.define("Assign", infer=_assign_infer, ctx=True, stateful=True, ref_inputs=(0,))
def _assign_kernel(ctx: registry.KernelContext, ref: Any, value: Any) -> Any:
    """ref <- value (into the same buffer when the sizes match, as in TensorFlow)"""
    dt = ctx.op.inputs[0].dtype.base_dtype.np
    _check_shape(ctx, ref, ref.peek() if isinstance(ref, Ref) else None, value)
    ref.assign(np.asarray(value, dtype=dt))
    return ref


def _read_for_update(ctx: registry.KernelContext, ref: Any) -> np.ndarray:
    if not isinstance(ref, Ref):
        raise ValueError(f"'{ctx.op.name}' needs a variable to update, got a plain value.")
    return ref.read(ctx.op)


@registry.define("AssignAdd", infer=_assign_infer, ctx=True, stateful=True, ref_inputs=(0,))
def _assign_add_kernel(ctx: registry.KernelContext, ref: Any, value: Any) -> Any:
    """ref <- ref + value (in place: earlier reads of the variable see it)"""
    old = _read_for_update(ctx, ref)
    _check_shape(ctx, ref, old, value)
    np.add(old, value, out=old, casting="unsafe")
    ref.changed()
    return ref


@registry.define("AssignSub", infer=_assign_infer, ctx=True, stateful=True, ref_inputs=(0,))
def _assign_sub_kernel(ctx: registry.KernelContext, ref: Any, value: Any) -> Any:
    """ref <- ref - value (in place: earlier reads of the variable see it)"""
    old = _read_for_update(ctx, ref)
    _check_shape(ctx, ref, old, value)
    np.subtract(old, value, out=old, casting="unsafe")
    ref.changed()
    return ref


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


def _ref_and_value(
    ref: Any, value: Any, name: str, op_type: str, arg: str = "value"
) -> tuple[Any, Any, Any]:
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
                f"Expected {dt.name} passed to parameter '{arg}' of op '{op_type}', got {value!r} "
                f"of type '{type(value).__name__}' instead.\n  Hint: a variable keeps the dtype "
                f"it was created with ({dt.name}); create it from a {dt.name} value, or pass one."
            ) from None
    v = convert_to_tensor(value, dtype=dt, name=arg, _arg=arg, _op=op_type, _from="ref")
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
    g = registry.graph_for(refs)
    with g.as_default(), g.name_scope(name):
        if not refs:
            from teachflow.ops.constant_op import constant

            return constant(np.array([], dtype=object), dtype=dtypes.string)
        # TensorFlow masks the names with tf.boolean_mask: the result is boolean_mask/GatherV2
        return registry.make1(
            "ReportUninitializedVariables", refs, {"N": len(refs)}, "boolean_mask/GatherV2"
        )


def assert_variables_initialized(var_list: Any = None) -> Any:
    """A tensor that fails with FailedPreconditionError if any variable is uninitialized.

    As in TensorFlow, it reads each variable's rank (one int32 per variable, stacked).

    >>> import teachflow as tf
    >>> v = tf.Variable([1.0, 2.0])
    >>> check = tf.assert_variables_initialized()
    >>> with tf.Session() as sess:
    ...     _ = sess.run(v.initializer)
    ...     print(sess.run(check))
    1
    """
    from teachflow.ops.stack_ops import stack
    from teachflow.variables import global_variables, local_variables

    if var_list is None:
        var_list = global_variables() + local_variables()
        if not var_list:
            return None
    var_list = _variables(var_list, "assert_variables_initialized")
    ranks = []
    for v in var_list:
        with v.graph.as_default():
            value = v.value()
            ranks.append(registry.make1("Rank", [value], {"T": value.dtype.base_dtype}, "Rank"))
    return ranks[0] if len(ranks) == 1 else stack(ranks)


# -- counting and scattered updates ------------------------------------------------------------


@registry.define(
    "CountUpTo",
    infer=lambda op: [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)],
    ctx=True,
    stateful=True,
    ref_inputs=(0,),
)
def _count_up_to_kernel(ctx: registry.KernelContext, ref: Any) -> np.ndarray:
    """f(v) = v, then v <- v + 1; OutOfRange once v reaches limit"""
    old = _read_for_update(ctx, ref)
    limit = ctx.attrs["limit"]
    if old >= limit:
        from teachflow import errors

        raise errors.OutOfRangeError(
            None, None, f"Reached limit of {limit}", "the counter has reached its limit."
        )
    before = old.copy()
    np.add(old, 1, out=old, casting="unsafe")
    ref.changed()
    return before


def count_up_to(ref: Any, limit: int, name: str | None = None) -> Any:
    """Increments ``ref`` until it reaches ``limit``; returns the value before the increment.

    >>> import teachflow as tf
    >>> v = tf.Variable(0)
    >>> nxt = tf.count_up_to(v, 2)
    >>> with tf.Session() as sess:
    ...     _ = sess.run(v.initializer)
    ...     print([int(sess.run(nxt)) for _ in range(2)])
    [0, 1]
    """
    r = ref._as_tensor(as_ref=True) if hasattr(ref, "_as_tensor") else ref
    dt = getattr(r, "dtype", None)
    ints = (dtypes.int32, dtypes.int64)
    if not isinstance(dt, dtypes.DType) or not dt.is_ref or dt.base_dtype not in ints:
        raise TypeError(
            f"count_up_to needs an int32 or int64 tf.Variable, got {ref!r}.\n  Hint: create "
            "the counter with tf.Variable(0)."
        )
    with r.graph.as_default():
        return registry.make1(
            "CountUpTo", [r], {"T": dt.base_dtype, "limit": int(limit)}, name or "CountUpTo"
        )


def _scatter_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    ref, indices, updates = (t.shape for t in op.inputs)
    if ref.ndims is not None and indices.ndims is not None and updates.ndims is not None:
        want = TensorShape(indices.as_list() + ref.as_list()[1:])
        if len(want) != updates.ndims:
            raise registry.shape_error(
                op, f"Shapes must be equal rank, but are {updates.ndims} and {len(want)}"
            )
        for i, (a, b) in enumerate(zip(updates.as_list(), want.as_list(), strict=True)):
            if a is not None and b is not None and a != b:
                raise registry.shape_error(
                    op,
                    f"Dimension {i} in both shapes must be equal, but are {a} and {b}. "
                    f"Shapes are {bracket(updates)} and {bracket(want)}.",
                )
    return [(op.inputs[0].dtype, ref)]


def _scatter_kernel(fn: Any) -> Any:
    def kernel(ctx: registry.KernelContext, ref: Any, indices: Any, updates: Any) -> Any:
        old = _read_for_update(ctx, ref)
        idx = np.asarray(indices)
        bad = (idx < 0) | (idx >= old.shape[0])
        if np.any(bad):
            pos = np.unravel_index(int(np.argmax(bad)), idx.shape)
            where = "".join(f"[{p}]" for p in pos) if pos else "[0]"
            raise ValueError(f"indices{where} = {idx[pos]} is not in [0, {old.shape[0]})")
        rows = np.broadcast_to(updates, idx.shape + old.shape[1:]).astype(old.dtype, copy=False)
        fn(old, idx, rows)  # in place, as in TensorFlow: earlier reads see the new rows
        ref.changed()
        return ref

    return kernel


_SCATTERS = {
    "ScatterUpdate": (np.ndarray.__setitem__, "ref[indices] = updates"),
    "ScatterAdd": (np.add.at, "ref[indices] += updates"),
    "ScatterSub": (np.subtract.at, "ref[indices] -= updates"),
    "ScatterMul": (np.multiply.at, "ref[indices] *= updates"),
    "ScatterDiv": (np.divide.at, "ref[indices] /= updates"),
    "ScatterMax": (np.maximum.at, "ref[indices] = max(ref[indices], updates)"),
    "ScatterMin": (np.minimum.at, "ref[indices] = min(ref[indices], updates)"),
}
for _type, (_fn, _formula) in _SCATTERS.items():
    _k = _scatter_kernel(_fn)
    _k.__doc__ = _formula
    registry.define(_type, infer=_scatter_infer, ctx=True, stateful=True, ref_inputs=(0,))(_k)


def _scatter(
    op_type: str, ref: Any, indices: Any, updates: Any, use_locking: bool, name: str | None
) -> Any:
    from teachflow.ops.constant_op import convert_to_tensor

    g = registry.graph_for([ref, indices, updates])
    with g.as_default(), g.name_scope(name or op_type) as scope:
        idx = convert_to_tensor(indices, name="indices")
        if idx.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(
                f"Value passed to parameter 'indices' has DataType {idx.dtype.base_dtype.name} "
                "not in list of allowed values: int32, int64"
            )
        r, v, dt = _ref_and_value(ref, updates, name or op_type, op_type, arg="updates")
        attrs = {"T": dt, "Tindices": idx.dtype.base_dtype, "use_locking": bool(use_locking)}
        return registry.make1(op_type, [r, idx, v], attrs, scope)


def scatter_update(
    ref: Any, indices: Any, updates: Any, use_locking: bool = True, name: str | None = None
) -> Any:
    """ref[indices] = updates (rows of a variable); running it returns the new value.

    >>> import teachflow as tf
    >>> v = tf.Variable([1.0, 2.0, 3.0])
    >>> up = tf.scatter_update(v, [0, 2], [5.0, 6.0])
    >>> with tf.Session() as sess:
    ...     _ = sess.run(v.initializer)
    ...     print(sess.run(up))
    [5. 2. 6.]
    """
    return _scatter("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(
    ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: str | None = None
) -> Any:
    """ref[indices] += updates (repeated indices add up); returns the new value."""
    return _scatter("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(
    ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: str | None = None
) -> Any:
    """ref[indices] -= updates (repeated indices add up); returns the new value."""
    return _scatter("ScatterSub", ref, indices, updates, use_locking, name)


def scatter_mul(
    ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: str | None = None
) -> Any:
    """ref[indices] *= updates; returns the new value."""
    return _scatter("ScatterMul", ref, indices, updates, use_locking, name)


def scatter_div(
    ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: str | None = None
) -> Any:
    """ref[indices] /= updates; returns the new value."""
    return _scatter("ScatterDiv", ref, indices, updates, use_locking, name)


def scatter_max(
    ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: str | None = None
) -> Any:
    """ref[indices] = max(ref[indices], updates); returns the new value."""
    return _scatter("ScatterMax", ref, indices, updates, use_locking, name)


def scatter_min(
    ref: Any, indices: Any, updates: Any, use_locking: bool = False, name: str | None = None
) -> Any:
    """ref[indices] = min(ref[indices], updates); returns the new value."""
    return _scatter("ScatterMin", ref, indices, updates, use_locking, name)
