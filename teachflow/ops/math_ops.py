"""Arithmetic, comparison, logical, matmul, reduction and scan ops, with their gradients.

Elementwise ops are rows of tables (``UNARY``, ``BINARY``, ``COMPARISONS``): TF type, numpy
kernel, public names, default op name, the one-line formula and the gradient. Gradients are
written with teachflow ops, so ``tf.gradients`` adds them to the graph as ordinary nodes.

>>> import teachflow as tf
>>> tf.Session().run(tf.add(tf.constant([1, 2]), 3)).tolist()
[4, 5]
>>> x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
>>> tf.Session().run([tf.reduce_sum(x, 1), tf.argmax(x, axis=0)])
[array([3., 7.], dtype=float32), array([1, 1])]
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_inputs, convert_to_tensor, to_numpy
from teachflow.tensor_shape import TensorShape

Grad = Callable[..., Any]

# -- which dtypes each op accepts (TensorFlow's type constraints) ------------------------------

_F = {"float16", "float32", "float64"}
_C = {"complex64", "complex128"}
_S = {"int8", "int16", "int32", "int64"}
_U = {"uint8", "uint16", "uint32", "uint64"}
_REAL = _F | _S | _U
_NUMBER = _REAL | _C
_ALLOWED: dict[str, set[str]] = {
    **dict.fromkeys(["Floor", "Ceil", "IsNan", "IsInf", "IsFinite"], _F),
    **dict.fromkeys(
        ["Sqrt", "Rsqrt", "Exp", "Log", "Log1p", "Sin", "Cos", "Tan", "Tanh", "Sigmoid"], _F | _C
    ),
    # NOTE: TensorFlow builds integer Reciprocal and RealDiv and fails when they run (it has
    # no such kernel); failing while building is the kinder place to say so.
    **dict.fromkeys(["Reciprocal", "RealDiv", "Div"], _F | _C),
    **dict.fromkeys(
        ["TanhGrad", "SigmoidGrad", "SqrtGrad", "RsqrtGrad", "ReciprocalGrad"], _F | _C
    ),
    "Abs": _F | _S,
    **dict.fromkeys(["Neg", "Sign", "Round", "Pow"], _F | _S | _C),
    **dict.fromkeys(["Square", "AddV2", "Sub", "Mul", "FloorDiv", "AddN"], _NUMBER),
    **dict.fromkeys(["Sum", "Mean", "Prod", "Cumsum", "Cumprod"], _NUMBER),
    "Add": _NUMBER | {"string"},
    **dict.fromkeys(["FloorMod", "Maximum", "Minimum", "Max", "Min"], _REAL),
    **dict.fromkeys(["Less", "LessEqual", "Greater", "GreaterEqual"], _REAL),
    **dict.fromkeys(["ArgMax", "ArgMin"], _REAL | {"bool"}),
    "SquaredDifference": _F | _C | {"int32", "int64"},
    "MatMul": _F | _C | _U | {"int32", "int64"},
}
_BOOL_INPUT = {"LogicalNot", "LogicalAnd", "LogicalOr", "Any", "All"}
_ORDER = (
    "float16 float32 float64 int8 int16 int32 int64 uint8 uint16 uint32 uint64 complex64 "
    "complex128 bool string"
).split()


def _allowed_list(names: set[str]) -> str:
    return ", ".join(sorted(names, key=_ORDER.index))


def _check_dtype(op: Operation, param: str = "x") -> None:
    """Raises TensorFlow's TypeError when the op's first input has a dtype the op rejects."""
    dt = op.inputs[0].dtype.base_dtype
    if op.type in _BOOL_INPUT:
        if not dt.is_bool:
            raise TypeError(
                f"Input '{param}' of '{op.type}' Op has type {dt.name} that does not match "
                f"expected type of bool.\n  Hint: compare first (e.g. tf.greater(x, 0)) or "
                f"tf.cast the input to tf.bool."
            )
        return
    allowed = _ALLOWED.get(op.type)
    if allowed is not None and dt.name not in allowed:
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            f"values: {_allowed_list(allowed)}\n  Hint: '{op.name}' ({op.type}) cannot take "
            f"{dt.name}; tf.cast the input to a supported dtype (e.g. tf.cast(x, tf.float32))."
        )


def _check_index(op: Operation, i: int, param: str) -> None:
    dt = op.inputs[i].dtype.base_dtype
    if dt not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            "values: int32, int64\n  Hint: axes are integers, e.g. axis=1 or axis=[0, 1]."
        )


def _shape_error_with_value(
    op: Operation, message: str, i: int, value: Any, hint: str
) -> ValueError:
    """TensorFlow's shape error that also shows the constant input it looked at, and a hint."""
    text = str(registry.shape_error(op, message))[:-1]
    shown = " ".join(str(v) for v in np.ravel(value).tolist())
    return ValueError(
        f"{text} and with computed input tensors: input[{i}] = <{shown}>.\n  Hint: {hint}"
    )


_AXIS_HINT = "axes count from 0 to rank - 1 (negative ones from the end); check the axis given."
_MATMUL_HINT = (
    "tf.matmul multiplies [m, k] by [k, n] matrices: the inner sizes must match (use "
    "transpose_a/transpose_b to flip one); for elementwise products use tf.multiply or *."
)


def _invalid(message: str) -> Exception:
    """A run-time InvalidArgumentError for a bad axis (the execution adds the node)."""
    return errors.InvalidArgumentError(None, None, message, _AXIS_HINT)


def _array_ops() -> Any:
    # imported when used: array_ops may import math_ops at module level
    from teachflow.ops import array_ops

    return array_ops


def _fill_ops() -> Any:
    from teachflow.ops import fill_ops

    return fill_ops


# -- elementwise kernels -------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # numerically stable: never exponentiates a large positive number
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _is_int(a: Any) -> bool:
    return np.asarray(a).dtype.kind in "iu"


def _int_safe(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def kernel(x: Any, y: Any) -> Any:
        if _is_int(y) and np.any(np.asarray(y) == 0):
            raise ZeroDivisionError("Integer division by zero")
        return fn(x, y)

    return kernel


def _pow(x: Any, y: Any) -> Any:
    if _is_int(y) and np.any(np.asarray(y) < 0):
        raise ValueError("Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _bracket(shape: Sequence[int]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _unary_kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    # the execution runs kernels under np.errstate(all="ignore"): inf and nan, as TensorFlow
    return fn


def _binary_kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(x: Any, y: Any) -> Any:
        try:
            return fn(x, y)
        except ValueError:
            sx, sy = np.shape(x), np.shape(y)
            try:
                np.broadcast_shapes(sx, sy)
            except ValueError:
                raise ValueError(
                    f"Incompatible shapes: {_bracket(sx)} vs. {_bracket(sy)}"
                ) from None
            raise

    kernel.__doc__ = fn.__doc__
    return kernel


# -- gradient helpers ------------------------------------------------------------------------


def _broadcast_axes(sx: Sequence[int], sy: Sequence[int]) -> tuple[list[int], list[int]]:
    """The axes each input was stretched along (TensorFlow's BroadcastGradientArgs)."""
    n = builtins.max(len(sx), len(sy))
    px = [1] * (n - len(sx)) + list(sx)
    py = [1] * (n - len(sy)) + list(sy)
    rx: list[int] = []
    ry: list[int] = []
    for i, (a, b) in enumerate(zip(px, py)):
        if a == b:
            if a == 1:
                rx.append(i)
                ry.append(i)
        elif a == 1:
            rx.append(i)
        elif b == 1:
            ry.append(i)
        else:
            raise ValueError(f"Incompatible shapes: {_bracket(sx)} vs. {_bracket(sy)}")
    return rx, ry


def _unbroadcast(op: Operation, gx: Tensor | None, gy: Tensor | None) -> list[Tensor | None]:
    """Sums each input's gradient over the axes broadcasting stretched, back to its shape."""
    x, y = op.inputs
    out = op.outputs[0].shape
    if x.shape.is_fully_defined() and y.shape.is_fully_defined():
        if x.shape == out and y.shape == out:
            return [gx, gy]
        rx, ry = _broadcast_axes(x.shape.as_list(), y.shape.as_list())  # type: ignore[arg-type]
        sx = constant(x.shape.as_list(), dtypes.int32, name="Shape")
        sy = constant(y.shape.as_list(), dtypes.int32, name="Shape")
        return [_sum_to(gx, rx, sx, x.shape == out), _sum_to(gy, ry, sy, y.shape == out)]
    # shapes known only at run time: the axes are computed by a BroadcastGradientArgs node
    aops = _array_ops()
    sx, sy = aops.shape(x), aops.shape(y)
    rx_t, ry_t = registry.make(
        "BroadcastGradientArgs", [sx, sy], {"T": dtypes.int32}, "BroadcastGradientArgs"
    ).outputs
    return [
        None if gx is None else aops.reshape(reduce_sum(gx, rx_t), sx),
        None if gy is None else aops.reshape(reduce_sum(gy, ry_t), sy),
    ]


def _sum_to(g: Tensor | None, axes: list[int], shape: Tensor, same: bool) -> Any:
    if g is None or same:
        return g
    return _array_ops().reshape(reduce_sum(g, axes), shape)


def _real_only(fn: Grad) -> Grad:
    if fn is not_differentiable:
        return fn

    def grad(op: Operation, *dys: Any) -> Any:
        if op.inputs[0].dtype.base_dtype.is_complex:
            raise NotImplementedError(
                f"teachflow has no gradient for complex inputs yet ('{op.name}', {op.type})."
            )
        return fn(op, *dys)

    grad.__name__ = getattr(fn, "__name__", "grad")
    return grad


# -- binary gradients (x, y = op.inputs, z = op.outputs[0]) ------------------------------------


def _add_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    return _unbroadcast(op, dz, dz)


def _sub_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    gx, gy = _unbroadcast(op, dz, dz)
    return [gx, -gy]  # type: ignore[operator]


def _mul_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return _unbroadcast(op, multiply(dz, y), multiply(x, dz))


def _div_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return _unbroadcast(op, realdiv(dz, y), dz * realdiv(realdiv(-x, y), y))


def _floormod_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return _unbroadcast(op, dz, dz * -floor_div(x, y))


def _pow_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    """dz/dx = y x^(y-1); dz/dy = z ln(x), taken as 0 where x <= 0 (as TensorFlow)."""
    x, y = op.inputs
    z = op.outputs[0]
    from teachflow.ops.fill_ops import ones_like, zeros_like
    from teachflow.ops.where_ops import where

    mask = x > 0
    safe_x = where(mask, x, ones_like(x))
    log_x = where(mask, log(safe_x), zeros_like(x))
    return _unbroadcast(op, dz * y * pow(x, y - 1), dz * z * log_x)


def _selector_grad(select_x: Callable[[Tensor, Tensor], Tensor]) -> Grad:
    """Maximum/Minimum: the gradient goes to the input that was selected (ties: to x)."""

    def grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
        x, y = op.inputs
        from teachflow.ops.fill_ops import zeros_like
        from teachflow.ops.where_ops import where

        zeros = zeros_like(dz)
        x_wins = select_x(x, y)
        return _unbroadcast(op, where(x_wins, dz, zeros), where(x_wins, zeros, dz))

    return grad


def _squared_difference_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    d = scalar_mul(2.0, dz) * (x - y)
    gx, gy = _unbroadcast(op, d, d)
    return [gx, -gy]  # type: ignore[operator]


# -- the tables ----------------------------------------------------------------------------


def _x(op: Operation) -> Tensor:
    return op.inputs[0]


def _y(op: Operation) -> Tensor:
    return op.outputs[0]


def _a(op: Operation) -> Tensor:
    return op.inputs[0]  # of a fused gradient op f(a, b): a = y, b = dy


def _b(op: Operation) -> Tensor:
    return op.inputs[1]


def _grad_op(type: str, y: Tensor, dy: Tensor) -> Tensor:
    return registry.make1(type, [y, dy], {"T": y.dtype.base_dtype}, type)


def _fused(type: str, op: Operation, dy: Tensor) -> Tensor:
    """The gradient of op (Tanh, Sigmoid...) as TensorFlow's one-node form, e.g. TanhGrad."""
    return _grad_op(type, op.outputs[0], dy)


_NO_GRAD = not_differentiable
_floordiv = _int_safe(np.floor_divide)
_floormod = _int_safe(np.mod)


def _squared_difference(x: Any, y: Any) -> Any:
    return np.square(np.subtract(x, y))


# the tables are laid out by hand, one op per row
# fmt: off
# (TF type, kernel, public names, formula, gradient (op, dy) -> [dx])
UNARY: list[tuple[str, Callable[..., Any], tuple[str, ...], str, Grad | None]] = [
    ("Neg", np.negative, ("negative", "neg"), "f(x) = -x", lambda op, dy: [-dy]),
    ("Abs", np.abs, ("abs",), "f(x) = |x|", lambda op, dy: [dy * sign(_x(op))]),
    ("Square", np.square, ("square",), "f(x) = x^2",
     lambda op, dy: [multiply(dy, multiply(_x(op), constant(2, _x(op).dtype)))]),
    ("Sqrt", np.sqrt, ("sqrt",), "f(x) = sqrt(x)", lambda op, dy: [_fused("SqrtGrad", op, dy)]),
    ("Rsqrt", lambda x: 1 / np.sqrt(x), ("rsqrt",), "f(x) = 1/sqrt(x)",
     lambda op, dy: [_fused("RsqrtGrad", op, dy)]),
    ("Exp", np.exp, ("exp",), "f(x) = e^x", lambda op, dy: [dy * _y(op)]),
    ("Log", np.log, ("log",), "f(x) = ln(x)", lambda op, dy: [dy * reciprocal(_x(op))]),
    ("Log1p", np.log1p, ("log1p",), "f(x) = ln(1 + x)",
     lambda op, dy: [dy * reciprocal(1.0 + _x(op))]),
    ("Sin", np.sin, ("sin",), "f(x) = sin(x)", lambda op, dy: [dy * cos(_x(op))]),
    ("Cos", np.cos, ("cos",), "f(x) = cos(x)", lambda op, dy: [-dy * sin(_x(op))]),
    ("Tan", np.tan, ("tan",), "f(x) = tan(x)",
     lambda op, dy: [dy * square(reciprocal(cos(_x(op))))]),
    ("Tanh", np.tanh, ("tanh",), "f(x) = tanh(x)", lambda op, dy: [_fused("TanhGrad", op, dy)]),
    ("Sigmoid", _sigmoid, ("sigmoid",), "f(x) = 1/(1 + e^-x)",
     lambda op, dy: [_fused("SigmoidGrad", op, dy)]),
    ("Reciprocal", np.reciprocal, ("reciprocal", "inv"), "f(x) = 1/x",
     lambda op, dy: [_fused("ReciprocalGrad", op, dy)]),
    # TensorFlow: Sign has a zero gradient; Floor, Ceil and Round have none
    ("Sign", np.sign, ("sign",), "f(x) = sign(x)",
     lambda op, dy: [_fill_ops().zeros_like(_x(op))]),
    ("Floor", np.floor, ("floor",), "f(x) = floor(x)", _NO_GRAD),
    ("Ceil", np.ceil, ("ceil",), "f(x) = ceil(x)", _NO_GRAD),
    ("Round", np.round, (), "f(x) = x rounded half to even", _NO_GRAD),
    ("LogicalNot", np.logical_not, ("logical_not",), "f(x) = not x", _NO_GRAD),
    # no gradient registered at all in TensorFlow: tf.gradients through them is a LookupError
    ("IsNan", np.isnan, ("is_nan",), "f(x) = x is NaN", None),
    ("IsInf", np.isinf, ("is_inf",), "f(x) = x is +-inf", None),
    ("IsFinite", np.isfinite, ("is_finite",), "f(x) = x is finite", None),
]

# (TF type, kernel, public names, default op name, formula, gradient (op, dz) -> [dx, dy])
BINARY: list[tuple[str, Callable[..., Any], tuple[str, ...], str, str, Grad]] = [
    ("AddV2", np.add, ("add",), "Add", "f(x, y) = x + y", _add_grad),
    ("Add", np.add, (), "Add", "f(x, y) = x + y (also joins strings)", _add_grad),
    ("Sub", np.subtract, ("subtract", "sub"), "Sub", "f(x, y) = x - y", _sub_grad),
    ("Mul", np.multiply, ("multiply", "mul"), "Mul", "f(x, y) = x * y", _mul_grad),
    ("RealDiv", np.true_divide, ("realdiv",), "RealDiv", "f(x, y) = x / y", _div_grad),
    ("Div", np.true_divide, (), "Div", "f(x, y) = x / y", _div_grad),
    ("FloorDiv", _floordiv, ("floor_div",), "FloorDiv", "f(x, y) = floor(x / y)", _NO_GRAD),
    ("FloorMod", _floormod, ("floormod", "mod"), "FloorMod", "f(x, y) = x - y*floor(x/y)",
     _floormod_grad),
    ("Pow", _pow, ("pow",), "Pow", "f(x, y) = x^y", _pow_grad),
    ("Maximum", np.maximum, ("maximum",), "Maximum", "f(x, y) = max(x, y)",
     _selector_grad(lambda x, y: greater_equal(x, y))),
    ("Minimum", np.minimum, ("minimum",), "Minimum", "f(x, y) = min(x, y)",
     _selector_grad(lambda x, y: less_equal(x, y))),
    ("SquaredDifference", _squared_difference, ("squared_difference",), "SquaredDifference",
     "f(x, y) = (x - y)^2", _squared_difference_grad),
    ("LogicalAnd", np.logical_and, ("logical_and",), "LogicalAnd", "f(x, y) = x and y",
     _NO_GRAD),
    ("LogicalOr", np.logical_or, ("logical_or",), "LogicalOr", "f(x, y) = x or y", _NO_GRAD),
]

# TensorFlow's fused gradient ops f(y, dy), y the output of Tanh, Sigmoid...: their own
# gradients (da, db for inputs a = y, b = dy) make second derivatives work.
# (TF type, kernel, formula, gradient (op, g) -> [da, db])
GRAD_OPS: list[tuple[str, Callable[..., Any], str, Grad]] = [
    ("TanhGrad", lambda y, dy: dy * (1 - y * y), "f(y, dy) = dy * (1 - y^2)",
     lambda op, g: [g * -2.0 * _b(op) * _a(op), _grad_op("TanhGrad", _a(op), g)]),
    ("SigmoidGrad", lambda y, dy: dy * y * (1 - y), "f(y, dy) = dy * y * (1 - y)",
     lambda op, g: [g * _b(op) - 2.0 * (g * _b(op)) * _a(op),
                    _grad_op("SigmoidGrad", _a(op), g)]),
    ("SqrtGrad", lambda y, dy: dy * 0.5 / y, "f(y, dy) = dy / (2y)",
     lambda op, g: [-(g / _a(op)) * _y(op), 0.5 * (g / _a(op))]),
    ("RsqrtGrad", lambda y, dy: dy * -0.5 * y * y * y, "f(y, dy) = -dy * y^3 / 2",
     lambda op, g: [-1.5 * g * _b(op) * square(_a(op)), _grad_op("RsqrtGrad", _a(op), g)]),
    ("ReciprocalGrad", lambda y, dy: -dy * y * y, "f(y, dy) = -dy * y^2",
     lambda op, g: [g * -2.0 * _b(op) * _a(op), _grad_op("ReciprocalGrad", _a(op), g)]),
]

# (TF type, kernel, public names, formula); comparisons have no gradient
COMPARISONS: list[tuple[str, Callable[..., Any], tuple[str, ...], str]] = [
    ("Equal", np.equal, ("equal",), "f(x, y) = x == y"),
    ("NotEqual", np.not_equal, ("not_equal",), "f(x, y) = x != y"),
    ("Less", np.less, ("less",), "f(x, y) = x < y"),
    ("LessEqual", np.less_equal, ("less_equal",), "f(x, y) = x <= y"),
    ("Greater", np.greater, ("greater",), "f(x, y) = x > y"),
    ("GreaterEqual", np.greater_equal, ("greater_equal",), "f(x, y) = x >= y"),
]
# fmt: on

_OUT_BOOL = {"IsNan", "IsInf", "IsFinite"}


def _unary_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_dtype(op)
    t = op.inputs[0]
    return [(dtypes.bool_ if op.type in _OUT_BOOL else t.dtype.base_dtype, t.shape)]


def _binary_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_dtype(op)
    return registry.broadcast_binary()(op)


def _compare_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_dtype(op)
    return registry.broadcast_binary(dtypes.bool_)(op)


def _named(api: Callable[..., Tensor], public: str, doc: str) -> Callable[..., Tensor]:
    api.__name__ = api.__qualname__ = public
    api.__doc__ = doc
    return api


def _unary_api(type: str, default_name: str, doc: str, public: str) -> Callable[..., Tensor]:
    def api(x: Any, name: str | None = None) -> Tensor:
        g = registry.graph_for([x])
        with g.as_default(), g.name_scope(name or default_name) as scope:
            (xt,) = convert_inputs(type, [("x", x)])
            return registry.make1(type, [xt], {"T": xt.dtype.base_dtype}, scope)

    return _named(api, public, doc)


def binary_op(type: str, x: Any, y: Any, name: str, operator: bool = False) -> Tensor:
    """Converts ``x`` and ``y`` to one dtype inside scope ``name`` and applies ``type``.

    The first input fixes the dtype (``tf.add(1, x_float)`` is an error, as in TensorFlow);
    for Python operators (``1 + x_float``) the tensor operand does.
    """
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name) as scope:
        xt, yt = convert_inputs(type, [("x", x), ("y", y)], any_tensor_decides=operator)
        if type == "AddV2" and xt.dtype.base_dtype == dtypes.string:
            type = "Add"  # AddV2 takes no strings; TensorFlow joins them with Add
        return registry.make1(type, [xt, yt], {"T": xt.dtype.base_dtype}, scope)


def _binary_api(type: str, default_name: str, doc: str, public: str) -> Callable[..., Tensor]:
    def api(x: Any, y: Any, name: str | None = None) -> Tensor:
        return binary_op(type, x, y, name or default_name)

    return _named(api, public, doc)


_API: dict[str, Callable[..., Tensor]] = {}
for _type, _kernel, _names, _formula, _grad in UNARY:
    _k = _unary_kernel(_kernel)
    _k.__doc__ = _formula
    registry.define(_type, infer=_unary_infer, grad=_grad and _real_only(_grad))(_k)
    for _n in _names:
        _API[_n] = _unary_api(_type, _type, _formula, _n)
for _type, _kernel, _names, _default, _formula, _grad in BINARY:
    _k = _binary_kernel(_kernel)
    _k.__doc__ = _formula
    registry.define(_type, infer=_binary_infer, grad=_real_only(_grad))(_k)
    for _n in _names:
        _API[_n] = _binary_api(_type, _default, _formula, _n)
for _type, _kernel, _formula, _grad in GRAD_OPS:
    _k = _binary_kernel(_kernel)
    _k.__doc__ = _formula
    registry.define(_type, infer=_binary_infer, grad=_real_only(_grad))(_k)
for _type, _kernel, _names, _formula in COMPARISONS:
    _k = _binary_kernel(_kernel)
    _k.__doc__ = _formula
    registry.define(_type, infer=_compare_infer, grad=not_differentiable)(_k)
    for _n in _names:
        _API[_n] = _binary_api(_type, _type, _formula, _n)

negative: Callable[..., Tensor] = _API["negative"]
neg: Callable[..., Tensor] = _API["neg"]
abs: Callable[..., Tensor] = _API["abs"]  # noqa: A001 - TensorFlow's public name
square: Callable[..., Tensor] = _API["square"]
sqrt: Callable[..., Tensor] = _API["sqrt"]
rsqrt: Callable[..., Tensor] = _API["rsqrt"]
exp: Callable[..., Tensor] = _API["exp"]
log: Callable[..., Tensor] = _API["log"]
log1p: Callable[..., Tensor] = _API["log1p"]
sin: Callable[..., Tensor] = _API["sin"]
cos: Callable[..., Tensor] = _API["cos"]
tan: Callable[..., Tensor] = _API["tan"]
tanh: Callable[..., Tensor] = _API["tanh"]
sigmoid: Callable[..., Tensor] = _API["sigmoid"]
sign: Callable[..., Tensor] = _API["sign"]
floor: Callable[..., Tensor] = _API["floor"]
ceil: Callable[..., Tensor] = _API["ceil"]
reciprocal: Callable[..., Tensor] = _API["reciprocal"]
inv: Callable[..., Tensor] = _API["inv"]
logical_not: Callable[..., Tensor] = _API["logical_not"]
is_nan: Callable[..., Tensor] = _API["is_nan"]
is_inf: Callable[..., Tensor] = _API["is_inf"]
is_finite: Callable[..., Tensor] = _API["is_finite"]
add: Callable[..., Tensor] = _API["add"]
subtract: Callable[..., Tensor] = _API["subtract"]
sub: Callable[..., Tensor] = _API["sub"]
multiply: Callable[..., Tensor] = _API["multiply"]
mul: Callable[..., Tensor] = _API["mul"]
realdiv: Callable[..., Tensor] = _API["realdiv"]
floor_div: Callable[..., Tensor] = _API["floor_div"]
floormod: Callable[..., Tensor] = _API["floormod"]
mod: Callable[..., Tensor] = _API["mod"]
pow: Callable[..., Tensor] = _API["pow"]  # noqa: A001 - TensorFlow's public name
maximum: Callable[..., Tensor] = _API["maximum"]
minimum: Callable[..., Tensor] = _API["minimum"]
squared_difference: Callable[..., Tensor] = _API["squared_difference"]
logical_and: Callable[..., Tensor] = _API["logical_and"]
logical_or: Callable[..., Tensor] = _API["logical_or"]
equal: Callable[..., Tensor] = _API["equal"]
not_equal: Callable[..., Tensor] = _API["not_equal"]
less: Callable[..., Tensor] = _API["less"]
less_equal: Callable[..., Tensor] = _API["less_equal"]
greater: Callable[..., Tensor] = _API["greater"]
greater_equal: Callable[..., Tensor] = _API["greater_equal"]


_round = _unary_api("Round", "Round", "f(x) = x rounded half to even", "round")


def round(x: Any, name: str | None = None) -> Tensor:  # noqa: A001 - TensorFlow's public name
    """f(x) = x rounded half to even; integers are returned unchanged (no new op)."""
    xt = convert_to_tensor(x, name="x")
    if xt.dtype.base_dtype.is_integer:
        return xt
    return _round(xt, name)


def log_sigmoid(x: Any, name: str | None = None) -> Tensor:
    """f(x) = ln(1/(1 + e^-x)) = -softplus(-x), stable for large |x|.

    >>> import teachflow as tf
    >>> print(f"{tf.Session().run(tf.log_sigmoid(0.0)):.4f}")
    -0.6931
    """
    from teachflow.ops.activation_ops import softplus

    g = registry.graph_for([x])
    with g.as_default(), g.name_scope(name or "LogSigmoid") as scope:
        xt = convert_to_tensor(x, name="x")
        return negative(softplus(-xt), name=scope)


def floordiv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """f(x, y) = floor(x / y)"""
    return binary_op("FloorDiv", x, y, name or "floordiv")


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Tensor:
    """f(x, y) = (x or y) and not (x and y)"""
    return binary_op("LogicalAnd", logical_or(x, y), logical_not(logical_and(x, y)), name)


def scalar_mul(scalar: Any, x: Any, name: str | None = None) -> Tensor:
    """f(a, x) = a * x for a scalar ``a`` (converted to x's dtype).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.scalar_mul(2, tf.constant([1, 2]))).tolist()
    [2, 4]
    """
    xt = convert_to_tensor(x, name="x")
    s = convert_to_tensor(scalar, dtype=xt.dtype.base_dtype, name="scalar")
    if s.shape.ndims != 0:
        raise ValueError(
            f"Only scalar multiply works, got shape {s.shape}\n  Hint: use tf.multiply(a, x) "
            "for elementwise products."
        )
    return binary_op("Mul", s, xt, name or "Mul")


# -- division ------------------------------------------------------------------------------

_TRUEDIV = {
    dtypes.uint8: dtypes.float32,
    dtypes.int8: dtypes.float32,
    dtypes.uint16: dtypes.float32,
    dtypes.int16: dtypes.float32,
    dtypes.uint32: dtypes.float64,
    dtypes.int32: dtypes.float64,
    dtypes.uint64: dtypes.float64,
    dtypes.int64: dtypes.float64,
}


def truediv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """f(x, y) = x / y; integers are first cast to float (int32 -> float64, as TensorFlow).

    >>> import teachflow as tf
    >>> tf.truediv(tf.constant(1), tf.constant(2)).dtype
    tf.float64
    """
    return _truediv(x, y, name or "truediv", operator=False)


def _truediv(x: Any, y: Any, name: str, operator: bool) -> Tensor:
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name) as scope:
        xt, yt = convert_inputs("RealDiv", [("x", x), ("y", y)], any_tensor_decides=operator)
        dt = xt.dtype.base_dtype
        target = _TRUEDIV.get(dt)
        if target is not None:
            xt, yt = cast(xt, target), cast(yt, target)
        elif not (dt.is_floating or dt.is_complex):
            raise TypeError(
                f"Invalid dtype {dt!r} in __truediv__\n  Hint: divide numbers; tf.cast "
                "booleans or strings first."
            )
        return registry.make1("RealDiv", [xt, yt], {"T": xt.dtype.base_dtype}, scope)


def divide(x: Any, y: Any, name: str | None = None) -> Tensor:
    """f(x, y) = x / y (true division)"""
    return truediv(x, y, name)


def div(x: Any, y: Any, name: str | None = None) -> Tensor:
    """Python 2 division: floor for integers, true division for floats (``tf.div``)."""
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name or "div") as scope:
        xt, yt = convert_inputs("Div", [("x", x), ("y", y)])
        kind = "FloorDiv" if xt.dtype.base_dtype.is_integer else "RealDiv"
        return registry.make1(kind, [xt, yt], {"T": xt.dtype.base_dtype}, scope)


# -- Python operators (default names as TensorFlow's operator overloads) ----------------------


def operator_add(x: Any, y: Any) -> Tensor:
    return binary_op("AddV2", x, y, "add", operator=True)


def operator_sub(x: Any, y: Any) -> Tensor:
    return binary_op("Sub", x, y, "sub", operator=True)


def operator_mul(x: Any, y: Any) -> Tensor:
    return binary_op("Mul", x, y, "mul", operator=True)


def operator_truediv(x: Any, y: Any) -> Tensor:
    return _truediv(x, y, "truediv", operator=True)


def operator_floordiv(x: Any, y: Any) -> Tensor:
    return binary_op("FloorDiv", x, y, "floordiv", operator=True)


def operator_mod(x: Any, y: Any) -> Tensor:
    return binary_op("FloorMod", x, y, "mod", operator=True)


def operator_pow(x: Any, y: Any) -> Tensor:
    return binary_op("Pow", x, y, "pow", operator=True)


def operator_matmul(x: Any, y: Any) -> Tensor:
    return matmul(x, y, name="matmul")


def operator_and(x: Any, y: Any) -> Tensor:
    return binary_op("LogicalAnd", x, y, "and", operator=True)


def operator_or(x: Any, y: Any) -> Tensor:
    return binary_op("LogicalOr", x, y, "or", operator=True)


def operator_xor(x: Any, y: Any) -> Tensor:
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope("xor") as scope:
        return logical_xor(x, y, name=scope)


# -- cast ----------------------------------------------------------------------------------


def _cast_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.attrs["DstT"], op.inputs[0].shape)]


def _cast_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """The gradient is cast back, between float types only."""
    src, dst = op.attrs["SrcT"], op.attrs["DstT"]
    if (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex):
        return [cast(dy, src)]
    return [None]


@registry.define("Cast", infer=_cast_infer, ctx=True, grad=_cast_grad)
def _cast_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """f(x) = x converted to DstT (floats to ints truncate toward zero)"""
    dst = ctx.attrs["DstT"].np
    with np.errstate(all="ignore"):
        return np.asarray(x).astype(dst)


def cast(x: Any, dtype: Any, name: str | None = None) -> Tensor:
    """Converts ``x`` to ``dtype``.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.cast(tf.constant([1.7, -1.7]), tf.int32)).tolist()
    [1, -1]
    """
    dt = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype == dt:
        return x  # as TensorFlow: no op and no name used up
    g = registry.graph_for([x])
    with g.as_default(), g.name_scope(name or "Cast") as scope:
        xt = convert_to_tensor(x, name="x")
        if xt.dtype.base_dtype == dt:
            return xt
        return registry.make1(
            "Cast", [xt], {"SrcT": xt.dtype.base_dtype, "DstT": dt, "Truncate": False}, scope
        )


def to_float(x: Any, name: str = "ToFloat") -> Tensor:
    return cast(x, dtypes.float32, name)


def to_int32(x: Any, name: str = "ToInt32") -> Tensor:
    return cast(x, dtypes.int32, name)


def to_int64(x: Any, name: str = "ToInt64") -> Tensor:
    return cast(x, dtypes.int64, name)


def to_double(x: Any, name: str = "ToDouble") -> Tensor:
    return cast(x, dtypes.float64, name)


# -- matmul ----------------------------------------------------------------------------------


def _matmul_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    a, b = op.inputs
    for t in (a, b):
        if t.shape.ndims is not None and t.shape.ndims != 2:
            raise registry.shape_error(
                op, f"Shape must be rank 2 but is rank {t.shape.ndims}", _MATMUL_HINT
            )
    _check_dtype(op, "a")
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    da = a.shape.as_tuple() or (None, None)
    db = b.shape.as_tuple() or (None, None)
    m, k1 = (da[1], da[0]) if ta else (da[0], da[1])
    k2, n = (db[1], db[0]) if tb else (db[0], db[1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise registry.shape_error(
            op, f"Dimensions must be equal, but are {k1} and {k2}", _MATMUL_HINT
        )
    return [(a.dtype.base_dtype, TensorShape([m, n]))]


@_real_only
def _matmul_grad(op: Operation, dz: Tensor) -> list[Tensor]:
    """For z = a @ b: da = dz @ b^T and db = a^T @ dz (transposes moved around as needed)."""
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        return [matmul(dz, b, transpose_b=True), matmul(a, dz, transpose_a=True)]
    if not ta and tb:
        return [matmul(dz, b), matmul(dz, a, transpose_a=True)]
    if ta and not tb:
        return [matmul(b, dz, transpose_b=True), matmul(a, dz)]
    return [
        matmul(b, dz, transpose_a=True, transpose_b=True),
        matmul(dz, a, transpose_a=True, transpose_b=True),
    ]


@registry.define("MatMul", infer=_matmul_infer, ctx=True, grad=_matmul_grad)
def _matmul_kernel(ctx: registry.KernelContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """f(a, b) = a @ b (after optional transposes)"""
    if ctx.attrs["transpose_a"]:
        a = a.T
    if ctx.attrs["transpose_b"]:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"Matrix size-incompatible: In[0]: {_bracket(a.shape)}, In[1]: {_bracket(b.shape)}"
        )
    return np.matmul(a, b)


def matmul(
    a: Any,
    b: Any,
    transpose_a: bool = False,
    transpose_b: bool = False,
    adjoint_a: bool = False,
    adjoint_b: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    name: str | None = None,
    output_type: Any = None,
) -> Tensor:
    """Matrix product of two rank-2 tensors: f(a, b) = a @ b.

    >>> import teachflow as tf
    >>> print(tf.matmul(tf.constant([[3., 3.]]), tf.constant([[2.], [2.]])))
    Tensor("MatMul:0", shape=(1, 1), dtype=float32)
    """
    g = registry.graph_for([a, b])
    with g.as_default(), g.name_scope(name or "MatMul") as scope:
        at, bt = convert_inputs("MatMul", [("a", a), ("b", b)])
        if any((t.shape.ndims or 0) > 2 for t in (at, bt)):
            raise NotImplementedError(
                "teachflow's matmul supports rank-2 tensors; batched matmul is not implemented yet."
            )
        return registry.make1(
            "MatMul",
            [at, bt],
            {
                "transpose_a": bool(transpose_a or adjoint_a),
                "transpose_b": bool(transpose_b or adjoint_b),
                "T": at.dtype.base_dtype,
            },
            scope,
        )


# -- add_n -------------------------------------------------------------------------------------


def _add_n_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    shape = TensorShape(None)
    for t in op.inputs:
        if not shape.is_compatible_with(t.shape):
            raise registry.shape_error(
                op,
                "Shapes must be equal rank, or dimensions must match",
                "tf.add_n adds tensors of one shape; tf.reshape or broadcast them first.",
            )
        shape = shape.merge_with(t.shape)
    _check_dtype(op, "inputs")
    return [(op.inputs[0].dtype.base_dtype, shape)]


def _add_n_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    return [grad] * len(op.inputs)


@registry.define("AddN", infer=_add_n_infer, grad=_add_n_grad)
def _add_n_kernel(*xs: np.ndarray) -> np.ndarray:
    """f(x1..xn) = x1 + ... + xn (same shapes)"""
    out = xs[0] + xs[1] if len(xs) > 1 else np.array(xs[0], copy=True)
    for x in xs[2:]:
        out += x
    return out


def add_n(inputs: Any, name: str | None = None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype: f(x1..xn) = x1 + ... + xn."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError(
            "inputs must be a list of at least one Tensor with the same dtype and shape"
        )
    g = registry.graph_for(inputs)
    with g.as_default():
        ts = convert_inputs("AddN", [(f"inputs_{i}", v) for i, v in enumerate(inputs)])
        if len(ts) == 1 and name is None:
            return ts[0]
        return registry.make1(
            "AddN", ts, {"N": len(ts), "T": ts[0].dtype.base_dtype}, name or "AddN"
        )


# -- shape arithmetic for gradients (integer outputs, no gradient) ---------------------------


@registry.define(
    "BroadcastGradientArgs",
    infer=lambda op: [(dtypes.int32, TensorShape([None]))] * 2,
    grad=not_differentiable,
)
def _broadcast_gradient_args_kernel(sx: np.ndarray, sy: np.ndarray) -> tuple[Any, Any]:
    """f(sx, sy) = the axes along which broadcasting stretched x, and those for y"""
    rx, ry = _broadcast_axes(np.asarray(sx).tolist(), np.asarray(sy).tolist())
    return np.array(rx, dtype=np.int32), np.array(ry, dtype=np.int32)


# NOTE: TensorFlow computes this with Range and DynamicStitch (math_ops.reduced_shape); one
# node says the same thing when the shape is known only at run time.
@registry.define(
    "ReducedShape",
    infer=lambda op: [(dtypes.int32, op.inputs[0].shape)],
    grad=not_differentiable,
)
def _reduced_shape_kernel(shape: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """f(shape, axes) = shape with the reduced axes set to 1"""
    out = np.array(shape, dtype=np.int32)
    if out.size:
        out[np.asarray(axes, dtype=np.int64).reshape(-1) % out.size] = 1
    return out


# -- reductions ------------------------------------------------------------------------------


def _static_axes(x: Tensor, axes: Tensor) -> list[int] | None:
    """The reduced axes, normalized and sorted, when known while building."""
    rank = x.shape.ndims
    known = registry.constant_value(axes)
    if rank is None or known is None:
        return None
    return sorted({int(a) % rank for a in np.ravel(known)}) if rank else []


def _reduce_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, axes = op.inputs
    _check_dtype(op, "input")
    _check_index(op, 1, "reduction_indices")
    dt, keep, rank = x.dtype.base_dtype, op.attrs["keep_dims"], x.shape.ndims
    known = registry.constant_value(axes)
    if rank is None or known is None:
        return [(dt, TensorShape([None] * rank if keep and rank is not None else None))]
    for a in np.ravel(known).tolist():
        if not -rank <= a < rank:
            raise _shape_error_with_value(
                op,
                f"Invalid reduction dimension {a} for input with {rank} dimensions.",
                1,
                known,
                _AXIS_HINT,
            )
    reduced = _static_axes(x, axes) or []
    dims = x.shape.as_list()
    out = [1 if i in reduced else d for i, d in enumerate(dims) if keep or i not in reduced]
    return [(dt, TensorShape(out))]


def _axes_at_run_time(x: np.ndarray, axes: Any) -> tuple[int, ...]:
    rank = x.ndim
    out: list[int] = []
    for a in np.ravel(axes).tolist():
        if not -rank <= a < rank:
            raise _invalid(f"Invalid reduction dimension ({a} for input with {rank} dimension(s)")
        a %= rank
        if a in out:
            raise ValueError(f"Invalid reduction arguments: Axes contains duplicate dimension: {a}")
        out.append(a)
    return tuple(out)


def _mean(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> Any:
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    if x.dtype.kind in "iu":
        # TensorFlow sums in a wider type, then divides truncating toward zero
        s = np.sum(
            x, axis=axes, keepdims=keep, dtype=np.int64 if x.dtype.kind == "i" else np.uint64
        )
        if n == 0:
            return np.zeros_like(s, dtype=x.dtype)
        q = s // n
        return (q + ((s % n != 0) & (s < 0))).astype(x.dtype)
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    return (np.sum(x, axis=axes, keepdims=keep, dtype=acc) / n).astype(x.dtype)


def _extreme(fn: Callable[..., Any], take_max: bool) -> Callable[..., Any]:
    """np.max/np.min that give the dtype's lowest/highest value on empty axes (as TensorFlow)."""

    def kernel(x: np.ndarray, axes: tuple[int, ...], keep: bool) -> Any:
        if x.dtype.kind == "f":
            initial: Any = -np.inf if take_max else np.inf
        elif x.dtype.kind in "iu":
            info = np.iinfo(x.dtype)
            initial = info.min if take_max else info.max
        else:
            return fn(x, axis=axes, keepdims=keep)
        return fn(x, axis=axes, keepdims=keep, initial=initial)

    return kernel


def _reduce_kernel(fn: Callable[..., Any], formula: str) -> Callable[..., Any]:
    """The kernel of a reduction op: ``fn(x, axes, keepdims)`` after checking the axes."""

    def kernel(ctx: registry.KernelContext, x: Any, axes: Any) -> np.ndarray:
        x = np.asarray(x)
        with np.errstate(all="ignore"):
            return np.asarray(fn(x, _axes_at_run_time(x, axes), ctx.attrs["keep_dims"]))

    kernel.__doc__ = formula
    return kernel


def _kept_shape(op: Operation) -> Any:
    """The shape of the reduction's result with the reduced axes kept as size 1."""
    x, axes_t = op.inputs
    axes = _static_axes(x, axes_t)
    if axes is not None and x.shape.is_fully_defined():
        return np.array([1 if i in axes else d for i, d in enumerate(x.shape.as_list())], np.int32)
    return registry.make1("ReducedShape", [_array_ops().shape(x), axes_t], {}, "ReducedShape")


def _expand_reduced(op: Operation, t: Tensor, kept: Any = None) -> Tensor:
    """``t`` (shaped like the reduction's output) with the reduced axes back as size 1."""
    if op.attrs["keep_dims"]:
        return t
    return _array_ops().reshape(t, _kept_shape(op) if kept is None else kept)  # type: ignore[no-any-return]


@_real_only
def _sum_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """Every element of x contributed once: dx = dy copied (tiled) over the reduced axes."""
    x = op.inputs[0]
    aops = _array_ops()
    kept = _kept_shape(op)
    dy = _expand_reduced(op, dy, kept)
    if isinstance(kept, np.ndarray):
        times = np.array(x.shape.as_list(), np.int32) // np.maximum(kept, 1)
        if (times == 1).all():
            return [dy, None]
        multiples: Any = constant(times, name="Const")
    else:
        multiples = aops.shape(x) // maximum(kept, 1)
    from teachflow.ops.concat_ops import tile

    return [tile(dy, multiples), None]


@_real_only
def _mean_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx = dy copied over the reduced axes, divided by how many elements each mean took."""
    (dx, _) = _sum_grad(op, dy)
    x, y = op.inputs[0], op.outputs[0]
    nx, ny = x.shape.num_elements(), y.shape.num_elements()
    if nx is not None and ny is not None:
        factor: Any = constant(nx // builtins.max(ny, 1), dy.dtype, name="Const")
    else:
        aops = _array_ops()
        n_in, n_out = reduce_prod(aops.shape(x)), reduce_prod(aops.shape(y))
        factor = cast(n_in // maximum(n_out, 1), dy.dtype)
    return [dx / factor, None]


@_real_only
def _min_or_max_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dy goes to the elements equal to the result, shared equally between ties."""
    x, axes = op.inputs
    kept = _kept_shape(op)
    y = _expand_reduced(op, op.outputs[0], kept)
    dy = _expand_reduced(op, dy, kept)
    indicators = cast(equal(y, x), dy.dtype)
    num_selected = _array_ops().reshape(reduce_sum(indicators, axes), kept)
    return [indicators / num_selected * dy, None]


def _others_product(x: Tensor, axes: list[int]) -> Tensor:
    """For each element, the product of the other elements it was multiplied with.

    Exact when x holds zeros (dividing y by x would not be): along one axis it is the
    product of the elements before times the product of those after.
    """
    a = axes[0]
    others = cumprod(x, a, exclusive=True) * cumprod(x, a, exclusive=True, reverse=True)
    if len(axes) > 1:
        others = others * _others_product(reduce_prod(x, a, keepdims=True), axes[1:])
    return others


@_real_only
def _prod_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx_i = dy * (product of the other elements in x_i's group)."""
    x, axes_t = op.inputs
    axes = _static_axes(x, axes_t)
    if axes is None:
        raise NotImplementedError(
            f"teachflow computes the gradient of reduce_prod ('{op.name}') only when the "
            "input's rank and the axes are known while building the graph."
        )
    dy = _expand_reduced(op, dy)
    if not axes:
        return [dy, None]
    return [dy * _others_product(x, axes), None]


# fmt: off
# (TF type, kernel (x, axes, keepdims), formula, gradient)
REDUCTIONS: list[tuple[str, Callable[..., Any], str, Grad]] = [
    ("Sum", lambda x, a, k: np.sum(x, axis=a, keepdims=k, dtype=x.dtype),
     "f(x) = sum of x over the axes", _sum_grad),
    ("Mean", _mean, "f(x) = mean of x over the axes (integers truncate)", _mean_grad),
    ("Max", _extreme(np.max, True), "f(x) = max of x over the axes", _min_or_max_grad),
    ("Min", _extreme(np.min, False), "f(x) = min of x over the axes", _min_or_max_grad),
    ("Prod", lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=x.dtype),
     "f(x) = product of x over the axes", _prod_grad),
    ("Any", lambda x, a, k: np.any(x, axis=a, keepdims=k),
     "f(x) = x_1 or x_2 or ... over the axes", not_differentiable),
    ("All", lambda x, a, k: np.all(x, axis=a, keepdims=k),
     "f(x) = x_1 and x_2 and ... over the axes", not_differentiable),
]
# fmt: on
for _type, _kernel, _formula, _grad in REDUCTIONS:
    registry.define(_type, infer=_reduce_infer, ctx=True, grad=_grad)(
        _reduce_kernel(_kernel, _formula)
    )


def _either(new: Any, new_name: str, old: Any, old_name: str) -> Any:
    """The value of an argument that has a deprecated 0.x/1.x name too."""
    if old is not None:
        if new is not None:
            raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'.")
        return old
    return new


def _is_tensor_like(x: Any) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _all_axes(x: Any) -> Tensor:
    """[0, 1, ..., rank-1]: a constant, or computed at run time when the rank is unknown."""
    if _is_tensor_like(x):
        x = convert_to_tensor(x)
        rank = x.shape.ndims
    else:
        rank = np.ndim(to_numpy(x))
    if rank is not None:
        return constant(np.arange(rank, dtype=np.int32))
    from teachflow.ops.sequence_ops import range_

    return range_(0, _array_ops().rank(x))  # type: ignore[no-any-return]


def _reduce(
    type: str,
    input_tensor: Any,
    axis: Any,
    keepdims: Any,
    name: str | None,
    reduction_indices: Any,
    keep_dims: Any,
) -> Tensor:
    axis = _either(axis, "axis", reduction_indices, "reduction_indices")
    keep = bool(_either(keepdims, "keepdims", keep_dims, "keep_dims"))
    g = registry.graph_for([input_tensor, axis])
    with g.as_default():
        # TensorFlow makes the all-axes constant before opening the op's scope: "Const"
        axes = _all_axes(input_tensor) if axis is None else axis
        with g.name_scope(name or type) as scope:
            x = convert_to_tensor(input_tensor, name="input")
            ax = convert_to_tensor(axes, name="reduction_indices", preferred_dtype=dtypes.int32)
            attrs: dict[str, Any] = {"keep_dims": keep, "Tidx": ax.dtype.base_dtype}
            if type not in ("Any", "All"):
                attrs["T"] = x.dtype.base_dtype
            out = registry.make1(type, [x, ax], attrs, scope)
    if axis is None and not keep:
        out.set_shape([])  # a full reduction is a scalar even when the rank is unknown
    return out


_REDUCE_DOC = """{formula}

    ``axis``: an int, a list (negative counts from the end) or None for all axes; ``keepdims``
    keeps the reduced axes as size 1. ``reduction_indices`` and ``keep_dims`` are older names.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.{public}({x}, axis=1)).tolist()
    {result}
    """


def _reduction_api(type: str, public: str, x: str, result: str) -> Callable[..., Tensor]:
    def api(
        input_tensor: Any,
        axis: Any = None,
        keepdims: Any = None,
        name: str | None = None,
        reduction_indices: Any = None,
        keep_dims: Any = None,
    ) -> Tensor:
        return _reduce(type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)

    formula = next(f for t, _, f, _ in REDUCTIONS if t == type)
    doc = _REDUCE_DOC.format(formula=formula, public=public, x=x, result=result)
    return _named(api, public, doc)


_NUMS, _BOOLS = "[[1, 2], [3, 4]]", "[[True, False], [True, True]]"
reduce_sum = _reduction_api("Sum", "reduce_sum", _NUMS, "[3, 7]")
reduce_mean = _reduction_api("Mean", "reduce_mean", _NUMS, "[1, 3]")
reduce_max = _reduction_api("Max", "reduce_max", _NUMS, "[2, 4]")
reduce_min = _reduction_api("Min", "reduce_min", _NUMS, "[1, 3]")
reduce_prod = _reduction_api("Prod", "reduce_prod", _NUMS, "[2, 12]")
reduce_any = _reduction_api("Any", "reduce_any", _BOOLS, "[True, True]")
reduce_all = _reduction_api("All", "reduce_all", _BOOLS, "[False, True]")


# -- argmax / argmin ---------------------------------------------------------------------------


def _arg_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, dim = op.inputs
    _check_dtype(op, "input")
    _check_index(op, 1, "dimension")
    out, rank = op.attrs["output_type"], x.shape.ndims
    if rank is None:
        return [(out, TensorShape(None))]
    if rank <= 1:
        return [(out, TensorShape([]))]  # a scalar or a vector reduces to a scalar
    known = registry.constant_value(dim)
    if known is None:
        return [(out, TensorShape([None] * (rank - 1)))]
    if np.size(known) != 1:
        raise registry.shape_error(
            op, f"Shape must be rank 0 but is rank {np.ndim(known)}", "pass one axis, an int."
        )
    a = int(np.ravel(known)[0])
    if not -rank <= a < rank:
        raise _shape_error_with_value(
            op,
            f"Dimension ({a}) must be in the range [{-rank}, {rank}), where {rank} is the "
            "number of dimensions in the input.",
            1,
            known,
            _AXIS_HINT,
        )
    dims = x.shape.as_list()
    del dims[a % rank]
    return [(out, TensorShape(dims))]


def _arg_kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(ctx: registry.KernelContext, x: Any, dim: Any) -> np.ndarray:
        x = np.asarray(x)
        rank, a = x.ndim, int(np.ravel(dim)[0])
        if not -rank <= a < rank:
            raise _invalid(f"Expected dimension in the range [{-rank}, {rank}), but got {a}")
        a %= rank
        if x.shape[a] == 0:
            raise ValueError(f"Reduction axis {a} is empty in shape {_bracket(x.shape)}")
        return np.asarray(fn(x, axis=a)).astype(ctx.attrs["output_type"].np)

    return kernel


registry.define("ArgMax", infer=_arg_infer, ctx=True, grad=not_differentiable)(
    _arg_kernel(np.argmax)
)
registry.define("ArgMin", infer=_arg_infer, ctx=True, grad=not_differentiable)(
    _arg_kernel(np.argmin)
)


def _arg(type: str, input: Any, axis: Any, name: Any, dimension: Any, output_type: Any) -> Tensor:
    axis = _either(axis, "axis", dimension, "dimension")
    if isinstance(axis, (list, tuple)):
        raise TypeError(
            f"axis must be int or Tensor with integer datatype, got {axis!r}\n  Hint: "
            "argmax and argmin reduce one axis; pass an int such as axis=1."
        )
    ot = dtypes.as_dtype(output_type).base_dtype
    if ot not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Value for attr 'output_type' of {ot.name} is not in the list of allowed values: "
            "int32, int64"
        )
    g = registry.graph_for([input, axis])
    with g.as_default(), g.name_scope(name or type) as scope:
        x = convert_to_tensor(input, name="input")
        d = convert_to_tensor(
            0 if axis is None else axis, name="dimension", preferred_dtype=dtypes.int32
        )
        return registry.make1(
            type,
            [x, d],
            {"T": x.dtype.base_dtype, "Tidx": d.dtype.base_dtype, "output_type": ot},
            scope,
        )


def argmax(
    input: Any,
    axis: Any = None,
    name: str | None = None,
    dimension: Any = None,
    output_type: Any = dtypes.int64,
) -> Tensor:
    """f(x) = index of the largest value along ``axis`` (default 0; first one on ties).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.argmax(tf.constant([[1, 9], [5, 2]]), axis=1)).tolist()
    [1, 0]
    """
    return _arg("ArgMax", input, axis, name, dimension, output_type)


def argmin(
    input: Any,
    axis: Any = None,
    name: str | None = None,
    dimension: Any = None,
    output_type: Any = dtypes.int64,
) -> Tensor:
    """f(x) = index of the smallest value along ``axis`` (default 0; first one on ties).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.argmin(tf.constant([[1, 9], [5, 2]]), axis=1)).tolist()
    [0, 1]
    """
    return _arg("ArgMin", input, axis, name, dimension, output_type)


def arg_max(
    input: Any, dimension: Any, output_type: Any = dtypes.int64, name: str | None = None
) -> Tensor:
    """Older name of :func:`argmax`."""
    return _arg("ArgMax", input, None, name, dimension, output_type)


def arg_min(
    input: Any, dimension: Any, output_type: Any = dtypes.int64, name: str | None = None
) -> Tensor:
    """Older name of :func:`argmin`."""
    return _arg("ArgMin", input, None, name, dimension, output_type)


# -- cumulative sums and products ----------------------------------------------------------------


def _scan_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    x, axis = op.inputs
    _check_dtype(op)
    _check_index(op, 1, "axis")
    if axis.shape.ndims not in (None, 0):
        raise registry.shape_error(
            op, f"Shape must be rank 0 but is rank {axis.shape.ndims}", "give one axis, an int."
        )
    return [(x.dtype.base_dtype, x.shape)]


def _scan_kernel(fn: Callable[..., Any], identity: int) -> Callable[..., Any]:
    def kernel(ctx: registry.KernelContext, x: Any, axis: Any) -> np.ndarray:
        x = np.asarray(x)
        rank, a = x.ndim, int(axis)
        if not -rank <= a < rank:
            raise _invalid(
                f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got {a}"
            )
        a %= rank
        reverse = ctx.attrs["reverse"]
        if reverse:
            x = np.flip(x, a)
        with np.errstate(all="ignore"):
            out = fn(x, axis=a, dtype=x.dtype)
        if ctx.attrs["exclusive"] and x.shape[a]:
            # shift by one along the axis: element i holds the result of elements before i
            first = np.full_like(np.take(out, [0], axis=a), identity)
            out = np.concatenate([first, np.take(out, range(x.shape[a] - 1), axis=a)], axis=a)
        return np.flip(out, a) if reverse else out  # type: ignore[no-any-return]

    return kernel


@_real_only
def _cumsum_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx = dy summed the other way along the axis."""
    ex, rev = op.attrs["exclusive"], op.attrs["reverse"]
    return [cumsum(dy, op.inputs[1], exclusive=ex, reverse=not rev), None]


@_real_only
def _cumprod_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    """dx = cumsum(y * dy, the other way) / x (as TensorFlow: not finite where x == 0)."""
    x, axis = op.inputs
    ex, rev = op.attrs["exclusive"], op.attrs["reverse"]
    prod = cumprod(x, axis, exclusive=ex, reverse=rev)
    return [cumsum(prod * dy, axis, exclusive=ex, reverse=not rev) / x, None]


registry.define("Cumsum", infer=_scan_infer, ctx=True, grad=_cumsum_grad)(
    _scan_kernel(np.cumsum, 0)
)
registry.define("Cumprod", infer=_scan_infer, ctx=True, grad=_cumprod_grad)(
    _scan_kernel(np.cumprod, 1)
)


def _scan(type: str, x: Any, axis: Any, exclusive: bool, reverse: bool, name: Any) -> Tensor:
    g = registry.graph_for([x, axis])
    with g.as_default(), g.name_scope(name or type) as scope:
        xt = convert_to_tensor(x, name="x")
        at = convert_to_tensor(axis, name="axis", preferred_dtype=dtypes.int32)
        attrs = {
            "exclusive": bool(exclusive),
            "reverse": bool(reverse),
            "T": xt.dtype.base_dtype,
            "Tidx": at.dtype.base_dtype,
        }
        return registry.make1(type, [xt, at], attrs, scope)


def cumsum(
    x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """f(x)_i = x_0 + ... + x_i along ``axis`` (``exclusive`` stops at x_(i-1)).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.cumsum([1, 2, 3])).tolist()
    [1, 3, 6]
    """
    return _scan("Cumsum", x, axis, exclusive, reverse, name)


def cumprod(
    x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None
) -> Tensor:
    """f(x)_i = x_0 * ... * x_i along ``axis`` (``exclusive`` stops at x_(i-1)).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.cumprod([1, 2, 3], exclusive=True)).tolist()
    [1, 1, 2]
    """
    return _scan("Cumprod", x, axis, exclusive, reverse, name)


# -- built from the ops above ------------------------------------------------------------------


def clip_by_value(
    t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None
) -> Tensor:
    """f(t) = min(max(t, lo), hi); the gradient flows only where t was inside [lo, hi].

    >>> import teachflow as tf
    >>> tf.Session().run(tf.clip_by_value([-1.0, 0.5, 2.0], 0.0, 1.0)).tolist()
    [0.0, 0.5, 1.0]
    """
    g = registry.graph_for([t, clip_value_min, clip_value_max])
    with g.as_default(), g.name_scope(name or "clip_by_value") as scope:
        values = convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        # the clip values may not broadcast t to a bigger shape
        values.shape.merge_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.merge_with(t_max.shape)
        return t_max


def count_nonzero(
    input_tensor: Any = None,
    axis: Any = None,
    keepdims: Any = None,
    dtype: Any = dtypes.int64,
    name: str | None = None,
    reduction_indices: Any = None,
    keep_dims: Any = None,
    input: Any = None,
) -> Tensor:
    """f(x) = how many elements of x are not zero (over ``axis``; all when None).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.count_nonzero([[0, 1], [2, 3]], axis=1)).tolist()
    [1, 2]
    """
    input_tensor = _either(input_tensor, "input_tensor", input, "input")
    if input_tensor is None:
        raise ValueError("count_nonzero needs a tensor: count_nonzero(input_tensor, ...)")
    axis = _either(axis, "axis", reduction_indices, "reduction_indices")
    keepdims = _either(keepdims, "keepdims", keep_dims, "keep_dims")
    g = registry.graph_for([input_tensor])
    with g.as_default(), g.name_scope(name or "count_nonzero"):
        t = convert_to_tensor(input_tensor, name="input")
        dt = t.dtype.base_dtype
        nonzero = t
        if not dt.is_bool:
            zero = constant("" if dt == dtypes.string else 0, dtype=dt, name="zeros")
            nonzero = not_equal(t, zero)
        counts = reduce_sum(cast(nonzero, dtypes.int64), axis=axis, keepdims=keepdims)
        return cast(counts, dtype)
