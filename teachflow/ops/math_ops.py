"""Elementwise arithmetic, comparison and logical ops, with their gradients, division and the
Python operators on tensors.

Elementwise ops are rows of tables (``UNARY``, ``BINARY``, ``COMPARISONS``): TF type, numpy
kernel, public names, default op name, the one-line formula and the gradient. Gradients are
written with teachflow ops, so ``tf.gradients`` adds them to the graph as ordinary nodes.
The other math families are ``cast_ops``, ``matmul_ops`` (matmul, add_n), ``reduction_ops``
(reduce_*, argmax, count_nonzero), ``scan_ops`` (cumsum, cumprod) and ``math_grad_ops`` (the
ops only gradients build); ``math_rules`` holds what they share.

>>> import teachflow as tf
>>> tf.Session().run(tf.add(tf.constant([1, 2]), 3)).tolist()
[4, 5]
>>> x = tf.constant([[1.0, -2.0]])
>>> tf.Session().run([tf.abs(x), x < 0, x / 2.0])
[array([[1., 2.]], dtype=float32), array([[False,  True]]), array([[ 0.5, -1. ]], dtype=float32)]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.gradients import not_differentiable
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.cast_ops import cast
from teachflow.ops.constant_op import constant, convert_inputs, convert_to_tensor
from teachflow.ops.math_grad_ops import fused_grad, unbroadcast
from teachflow.ops.math_rules import (
    BOOL,
    COMPLEX,
    FLOAT,
    NUMBER,
    REAL,
    SIGNED,
    UNSIGNED,
    Grad,
    binary_kernel,
    check_dtype,
    real_only,
)
from teachflow.tensor_shape import TensorShape

# which dtypes each op accepts (TensorFlow's type constraints); comparisons with == and != take
# any dtype
_ALLOWED = {
    **dict.fromkeys(["Floor", "Ceil", "IsNan", "IsInf", "IsFinite"], FLOAT),
    **dict.fromkeys(
        ["Sqrt", "Rsqrt", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos", "Tan", "Tanh", "Sigmoid"]
        + ["Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "DivNoNan"],
        FLOAT | COMPLEX,
    ),
    **dict.fromkeys(["Erf", "Erfc", "Lgamma", "Digamma", "Rint", "Atan2"], FLOAT),
    "TruncateDiv": NUMBER,
    "TruncateMod": FLOAT | {"int32", "int64"},
    # NOTE: TensorFlow builds integer Reciprocal and RealDiv and fails when they run (it has
    # no such kernel); failing while building is the kinder place to say so.
    **dict.fromkeys(["Reciprocal", "RealDiv", "Div"], FLOAT | COMPLEX),
    "Abs": FLOAT | SIGNED,
    **dict.fromkeys(["Neg", "Sign", "Round", "Pow"], FLOAT | SIGNED | COMPLEX),
    **dict.fromkeys(["Square", "AddV2", "Sub", "Mul", "FloorDiv"], NUMBER),
    "Add": NUMBER | {"string"},
    **dict.fromkeys(["FloorMod", "Maximum", "Minimum"], REAL),
    **dict.fromkeys(["Less", "LessEqual", "Greater", "GreaterEqual"], REAL),
    "SquaredDifference": FLOAT | COMPLEX | {"int32", "int64"},
    **dict.fromkeys(["LogicalNot", "LogicalAnd", "LogicalOr"], BOOL),
    **dict.fromkeys(
        ["Invert", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "LeftShift", "RightShift"],
        SIGNED | UNSIGNED,
    ),
}


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


def _float_function(fn: Callable[[float], float]) -> Callable[[Any], Any]:
    """A scalar ``math`` function (erf, lgamma...) applied to every element, in float64."""

    def kernel(x: Any) -> Any:
        x = np.asarray(x)
        out = np.frompyfunc(fn, 1, 1)(x.astype(np.float64))
        return np.asarray(out, dtype=np.float64).astype(x.dtype)

    return kernel


def _lgamma(v: float) -> float:
    try:
        return math.lgamma(v)
    except ValueError:  # a pole (0, -1, -2...): TensorFlow gives inf
        return math.inf


def _digamma(x: Any) -> Any:
    """psi(x) = d/dx ln(Gamma(x)): recurrence up to x >= 6, then the asymptotic series."""
    x = np.asarray(x)
    v = x.astype(np.float64)
    reflect = v < 0.5
    z = np.where(reflect, 1.0 - v, v)
    acc = np.zeros_like(z)
    for _ in range(6):
        small = z < 6.0
        acc -= np.where(small, 1.0 / z, 0.0)
        z = np.where(small, z + 1.0, z)
    z2 = 1.0 / (z * z)
    series = z2 * (1 / 12 - z2 * (1 / 120 - z2 * (1 / 252 - z2 * (1 / 240 - z2 / 132))))
    out = acc + np.log(z) - 0.5 / z - series
    # psi(x) = psi(1 - x) - pi / tan(pi x): poles (x = 0, -1, ...) come out nan, as TensorFlow
    out = np.where(reflect, out - np.pi / np.tan(np.pi * v), out)
    out = np.where(reflect & (v == np.floor(v)), np.nan, out)
    return out.astype(x.dtype)


def _truncatediv(x: Any, y: Any) -> Any:
    if _is_int(y):
        if np.any(np.asarray(y) == 0):
            raise ZeroDivisionError("Integer division by zero")
        q = np.floor_divide(np.abs(x), np.abs(y))
        return (np.sign(x) * np.sign(y) * q).astype(np.result_type(x, y))
    return np.trunc(np.true_divide(x, y))


def _div_no_nan(x: Any, y: Any) -> Any:
    safe = np.where(y == 0, np.ones_like(y), y)
    return np.where(y == 0, np.zeros_like(np.true_divide(x, safe)), np.true_divide(x, safe))


def _unary_kernel(fn: Callable[..., Any]) -> Callable[..., Any]:
    # the execution runs kernels under np.errstate(all="ignore"): inf and nan, as TensorFlow
    return fn


# -- binary gradients (x, y = op.inputs, z = op.outputs[0]) ------------------------------------


def _add_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    return unbroadcast(op, dz, dz)


def _sub_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    return unbroadcast(op, dz, -dz)


def _mul_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return unbroadcast(op, multiply(dz, y), multiply(x, dz))


def _div_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return unbroadcast(op, realdiv(dz, y), dz * realdiv(realdiv(-x, y), y))


def _floormod_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return unbroadcast(op, dz, dz * -floor_div(x, y))


def _pow_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    """dz/dx = y x^(y-1); dz/dy = z ln(x), taken as 0 where x <= 0 (as TensorFlow)."""
    x, y = op.inputs
    z = op.outputs[0]
    from teachflow.ops.fill_ops import ones_like, zeros_like
    from teachflow.ops.where_ops import where

    mask = x > 0
    safe_x = where(mask, x, ones_like(x))
    log_x = where(mask, log(safe_x), zeros_like(x))
    return unbroadcast(op, dz * y * pow(x, y - 1), dz * z * log_x)


def _selector_grad(select_x: Callable[[Tensor, Tensor], Tensor]) -> Grad:
    """Maximum/Minimum: the gradient goes to the input that was selected (ties: to x)."""

    def grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
        x, y = op.inputs
        from teachflow.ops.fill_ops import zeros_like
        from teachflow.ops.where_ops import where_v2

        zeros = zeros_like(dz)
        x_wins = select_x(x, y)
        return unbroadcast(op, where_v2(x_wins, dz, zeros), where_v2(x_wins, zeros, dz))

    return grad


def _squared_difference_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    d = scalar_mul(2.0, dz) * (x - y)
    return unbroadcast(op, d, -d)


def _one_minus_or_plus_x2(op: Operation, dy: Tensor, plus: bool) -> Tensor:
    x2 = square(_x(op))
    one = constant(1, dtype=dy.dtype)
    return add(one, x2) if plus else subtract(one, x2)


def _erf_grad(scale: float) -> Grad:
    def grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
        c = constant(scale, dtype=dy.dtype)
        return [dy * c * exp(-square(_x(op)))]

    return grad


def _digamma_grad(op: Operation, dy: Tensor) -> list[Tensor | None]:
    raise NotImplementedError(
        f"teachflow has no gradient for digamma yet ('{op.name}'): TensorFlow uses polygamma."
    )


def _atan2_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    y, x = op.inputs
    inv = dz / (square(y) + square(x))
    return unbroadcast(op, x * inv, -y * inv)


def _div_no_nan_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    x, y = op.inputs
    return unbroadcast(op, div_no_nan(dz, y), dz * div_no_nan(div_no_nan(-x, y), y))


# -- the tables ----------------------------------------------------------------------------


def _x(op: Operation) -> Tensor:
    return op.inputs[0]


def _y(op: Operation) -> Tensor:
    return op.outputs[0]


_NO_GRAD = not_differentiable
_floordiv = _int_safe(np.floor_divide)
_floormod = _int_safe(np.mod)


def _squared_difference(x: Any, y: Any) -> Any:
    return np.square(np.subtract(x, y))


def _shift(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A shift whose count is clamped to [0, bits - 1], as TensorFlow's kernels do."""

    def kernel(x: Any, y: Any) -> Any:
        x = np.asarray(x)
        bits = x.dtype.itemsize * 8
        return fn(x, np.clip(y, 0, bits - 1).astype(x.dtype))

    return kernel


# the tables are laid out by hand, one op per row
# fmt: off
# (TF type, kernel, public names, formula, gradient (op, dy) -> [dx])
UNARY: list[tuple[str, Callable[..., Any], tuple[str, ...], str, Grad | None]] = [
    ("Neg", np.negative, ("negative", "neg"), "f(x) = -x", lambda op, dy: [-dy]),
    ("Abs", np.abs, ("abs",), "f(x) = |x|", lambda op, dy: [dy * sign(_x(op))]),
    ("Square", np.square, ("square",), "f(x) = x^2",
     lambda op, dy: [multiply(dy, multiply(_x(op), constant(2, _x(op).dtype)))]),
    ("Sqrt", np.sqrt, ("sqrt",), "f(x) = sqrt(x)",
     lambda op, dy: [fused_grad("SqrtGrad", op, dy)]),
    ("Rsqrt", lambda x: 1 / np.sqrt(x), ("rsqrt",), "f(x) = 1/sqrt(x)",
     lambda op, dy: [fused_grad("RsqrtGrad", op, dy)]),
    ("Exp", np.exp, ("exp",), "f(x) = e^x", lambda op, dy: [dy * _y(op)]),
    ("Log", np.log, ("log",), "f(x) = ln(x)", lambda op, dy: [dy * reciprocal(_x(op))]),
    ("Log1p", np.log1p, ("log1p",), "f(x) = ln(1 + x)",
     lambda op, dy: [dy * reciprocal(1.0 + _x(op))]),
    ("Sin", np.sin, ("sin",), "f(x) = sin(x)", lambda op, dy: [dy * cos(_x(op))]),
    ("Cos", np.cos, ("cos",), "f(x) = cos(x)", lambda op, dy: [-dy * sin(_x(op))]),
    ("Tan", np.tan, ("tan",), "f(x) = tan(x)",
     lambda op, dy: [dy * square(reciprocal(cos(_x(op))))]),
    ("Tanh", np.tanh, ("tanh",), "f(x) = tanh(x)",
     lambda op, dy: [fused_grad("TanhGrad", op, dy)]),
    ("Sigmoid", _sigmoid, ("sigmoid",), "f(x) = 1/(1 + e^-x)",
     lambda op, dy: [fused_grad("SigmoidGrad", op, dy)]),
    ("Reciprocal", np.reciprocal, ("reciprocal", "inv"), "f(x) = 1/x",
     lambda op, dy: [fused_grad("ReciprocalGrad", op, dy)]),
    # TensorFlow: Sign has a zero gradient; Floor, Ceil and Round have none
    ("Expm1", np.expm1, ("expm1",), "f(x) = e^x - 1", lambda op, dy: [dy * exp(_x(op))]),
    ("Asin", np.arcsin, ("asin",), "f(x) = arcsin(x)",
     lambda op, dy: [dy * reciprocal(sqrt(_one_minus_or_plus_x2(op, dy, False)))]),
    ("Acos", np.arccos, ("acos",), "f(x) = arccos(x)",
     lambda op, dy: [-dy * reciprocal(sqrt(_one_minus_or_plus_x2(op, dy, False)))]),
    ("Atan", np.arctan, ("atan",), "f(x) = arctan(x)",
     lambda op, dy: [dy * reciprocal(_one_minus_or_plus_x2(op, dy, True))]),
    ("Sinh", np.sinh, ("sinh",), "f(x) = sinh(x)", lambda op, dy: [dy * cosh(_x(op))]),
    ("Cosh", np.cosh, ("cosh",), "f(x) = cosh(x)", lambda op, dy: [dy * sinh(_x(op))]),
    ("Asinh", np.arcsinh, ("asinh",), "f(x) = arsinh(x)", lambda op, dy: [dy / cosh(_y(op))]),
    ("Acosh", np.arccosh, ("acosh",), "f(x) = arcosh(x)", lambda op, dy: [dy / sinh(_y(op))]),
    ("Atanh", np.arctanh, ("atanh",), "f(x) = artanh(x)",
     lambda op, dy: [dy * reciprocal(_one_minus_or_plus_x2(op, dy, False))]),
    ("Erf", _float_function(math.erf), ("erf",), "f(x) = 2/sqrt(pi) * integral_0^x e^-t^2 dt",
     _erf_grad(2 / math.sqrt(math.pi))),
    ("Erfc", _float_function(math.erfc), ("erfc",), "f(x) = 1 - erf(x)",
     _erf_grad(-2 / math.sqrt(math.pi))),
    ("Lgamma", _float_function(_lgamma), ("lgamma",), "f(x) = ln|Gamma(x)|",
     lambda op, dy: [dy * digamma(_x(op))]),
    ("Digamma", _digamma, ("digamma",), "f(x) = d/dx ln(Gamma(x))", _digamma_grad),
    ("Rint", np.rint, ("rint",), "f(x) = x rounded half to even", _NO_GRAD),
    ("Sign", np.sign, ("sign",), "f(x) = sign(x)",
     lambda op, dy: [_fill_ops().zeros_like(_x(op))]),
    ("Floor", np.floor, ("floor",), "f(x) = floor(x)", _NO_GRAD),
    ("Ceil", np.ceil, ("ceil",), "f(x) = ceil(x)", _NO_GRAD),
    ("Round", np.round, (), "f(x) = x rounded half to even", _NO_GRAD),
    ("LogicalNot", np.logical_not, ("logical_not",), "f(x) = not x", _NO_GRAD),
    # no gradient registered at all in TensorFlow: tf.gradients through them is a LookupError
    ("Invert", np.invert, ("invert",), "f(x) = ~x (every bit flipped)", _NO_GRAD),
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
    ("Atan2", np.arctan2, ("atan2",), "Atan2", "f(y, x) = arctan(y / x) in (-pi, pi]",
     _atan2_grad),
    ("TruncateDiv", _truncatediv, ("truncatediv",), "TruncateDiv",
     "f(x, y) = x / y rounded toward zero", _NO_GRAD),
    ("TruncateMod", _int_safe(np.fmod), ("truncatemod",), "TruncateMod",
     "f(x, y) = x - y * truncate(x / y)", _NO_GRAD),
    ("DivNoNan", _div_no_nan, (), "div_no_nan", "f(x, y) = 0 if y == 0 else x / y",
     _div_no_nan_grad),
    ("Maximum", np.maximum, ("maximum",), "Maximum", "f(x, y) = max(x, y)",
     _selector_grad(lambda x, y: greater_equal(x, y))),
    ("Minimum", np.minimum, ("minimum",), "Minimum", "f(x, y) = min(x, y)",
     _selector_grad(lambda x, y: less_equal(x, y))),
    ("SquaredDifference", _squared_difference, ("squared_difference",), "SquaredDifference",
     "f(x, y) = (x - y)^2", _squared_difference_grad),
    ("LogicalAnd", np.logical_and, ("logical_and",), "LogicalAnd", "f(x, y) = x and y",
     _NO_GRAD),
    ("LogicalOr", np.logical_or, ("logical_or",), "LogicalOr", "f(x, y) = x or y", _NO_GRAD),
    ("BitwiseAnd", np.bitwise_and, ("bitwise_and",), "BitwiseAnd", "f(x, y) = x & y", _NO_GRAD),
    ("BitwiseOr", np.bitwise_or, ("bitwise_or",), "BitwiseOr", "f(x, y) = x | y", _NO_GRAD),
    ("BitwiseXor", np.bitwise_xor, ("bitwise_xor",), "BitwiseXor", "f(x, y) = x ^ y", _NO_GRAD),
    ("LeftShift", _shift(np.left_shift), ("left_shift",), "LeftShift",
     "f(x, y) = x << y (y clamped to [0, bits - 1])", _NO_GRAD),
    ("RightShift", _shift(np.right_shift), ("right_shift",), "RightShift",
     "f(x, y) = x >> y (arithmetic for signed x; y clamped to [0, bits - 1])", _NO_GRAD),
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
    check_dtype(op, _ALLOWED)
    t = op.inputs[0]
    return [(dtypes.bool_ if op.type in _OUT_BOOL else t.dtype.base_dtype, t.shape)]


def _binary_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    check_dtype(op, _ALLOWED)
    return registry.broadcast_binary()(op)


def _compare_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    check_dtype(op, _ALLOWED)
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
    _k = _unary_kernel(_kernel)  # often numpy's own ufunc: its docstring is numpy's, not ours
    registry.define(_type, infer=_unary_infer, grad=_grad and real_only(_grad))(_k)
    for _n in _names:
        _API[_n] = _unary_api(_type, _type, _formula, _n)
for _type, _kernel, _names, _default, _formula, _grad in BINARY:
    _k = binary_kernel(_kernel)
    _k.__doc__ = _formula
    registry.define(_type, infer=_binary_infer, grad=real_only(_grad))(_k)
    for _n in _names:
        _API[_n] = _binary_api(_type, _default, _formula, _n)
for _type, _kernel, _names, _formula in COMPARISONS:
    _k = binary_kernel(_kernel)
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
expm1: Callable[..., Tensor] = _API["expm1"]
asin: Callable[..., Tensor] = _API["asin"]
acos: Callable[..., Tensor] = _API["acos"]
atan: Callable[..., Tensor] = _API["atan"]
sinh: Callable[..., Tensor] = _API["sinh"]
cosh: Callable[..., Tensor] = _API["cosh"]
asinh: Callable[..., Tensor] = _API["asinh"]
acosh: Callable[..., Tensor] = _API["acosh"]
atanh: Callable[..., Tensor] = _API["atanh"]
erf: Callable[..., Tensor] = _API["erf"]
erfc: Callable[..., Tensor] = _API["erfc"]
lgamma: Callable[..., Tensor] = _API["lgamma"]
digamma: Callable[..., Tensor] = _API["digamma"]
rint: Callable[..., Tensor] = _API["rint"]
atan2: Callable[..., Tensor] = _API["atan2"]
truncatediv: Callable[..., Tensor] = _API["truncatediv"]
truncatemod: Callable[..., Tensor] = _API["truncatemod"]
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
invert: Callable[..., Tensor] = _API["invert"]
bitwise_and: Callable[..., Tensor] = _API["bitwise_and"]
bitwise_or: Callable[..., Tensor] = _API["bitwise_or"]
bitwise_xor: Callable[..., Tensor] = _API["bitwise_xor"]
left_shift: Callable[..., Tensor] = _API["left_shift"]
right_shift: Callable[..., Tensor] = _API["right_shift"]
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


def div_no_nan(x: Any, y: Any, name: str | None = None) -> Tensor:
    """f(x, y) = 0 where y == 0, else x / y (integers are cast to float first, as truediv).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.div_no_nan([1.0, 2.0], [0.0, 4.0])).tolist()
    [0.0, 0.5]
    """
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name or "div_no_nan") as scope:
        xt, yt = convert_inputs("DivNoNan", [("x", x), ("y", y)], any_tensor_decides=True)
        target = _TRUEDIV.get(xt.dtype.base_dtype)
        if target is not None:
            xt, yt = cast(xt, target), cast(yt, target)
        return registry.make1("DivNoNan", [xt, yt], {"T": xt.dtype.base_dtype}, scope)


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


def _is_bool_operand(x: Any, y: Any) -> bool:
    """Whether ``x & y`` (and |, ^) means logic: TensorFlow decides by the tensor's dtype."""
    for v in (x, y):
        if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
            return bool(convert_to_tensor(v).dtype.base_dtype.is_bool)
    return True


def _bitwise_operator(type: str, x: Any, y: Any, name: str) -> Tensor:
    """``a & b`` on integers: TensorFlow opens scope ``and`` and makes ``and/BitwiseAnd`` in
    it, converting a Python ``y`` inside the op's own scope (``and/BitwiseAnd/y``)."""
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name):
        if not (isinstance(x, Tensor) or hasattr(x, "_as_tensor")):
            x = convert_to_tensor(x, dtype=convert_to_tensor(y).dtype.base_dtype, name="x")
        return binary_op(type, x, y, type, operator=True)


def operator_and(x: Any, y: Any) -> Tensor:
    if not _is_bool_operand(x, y):
        return _bitwise_operator("BitwiseAnd", x, y, "and")
    return binary_op("LogicalAnd", x, y, "and", operator=True)


def operator_or(x: Any, y: Any) -> Tensor:
    if not _is_bool_operand(x, y):
        return _bitwise_operator("BitwiseOr", x, y, "or")
    return binary_op("LogicalOr", x, y, "or", operator=True)


def operator_xor(x: Any, y: Any) -> Tensor:
    if not _is_bool_operand(x, y):
        return _bitwise_operator("BitwiseXor", x, y, "xor")
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope("xor") as scope:
        return logical_xor(x, y, name=scope)


def operator_invert(x: Any) -> Tensor:
    """``~t``: LogicalNot for booleans, Invert (bitwise not) for integers."""
    if convert_to_tensor(x).dtype.base_dtype.is_bool:
        return logical_not(x)
    return invert(x)


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


# -- saturate_cast: clamp, then cast -----------------------------------------------------------


def _clip_by_value_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.inputs[0].dtype.base_dtype, op.inputs[0].shape)]


def _clip_by_value_grad(op: Operation, dz: Tensor) -> list[Tensor | None]:
    """dz goes to t where it was inside [lo, hi], else to the bound that clipped it."""
    from teachflow.ops import array_ops
    from teachflow.ops.fill_ops import zeros_like
    from teachflow.ops.reduction_ops import reduce_sum
    from teachflow.ops.where_ops import where

    x, lo, hi = op.inputs
    zeros = zeros_like(dz)
    below, above = less(x, lo), greater(x, hi)
    sx = array_ops.shape(x)
    out: list[Tensor | None] = [where(logical_or(below, above), zeros, dz)]
    for bound, mask in ((lo, below), (hi, above)):
        sb = array_ops.shape(bound)
        _, rb = registry.make(
            "BroadcastGradientArgs", [sx, sb], {"T": dtypes.int32}, "BroadcastGradientArgs"
        ).outputs
        out.append(array_ops.reshape(reduce_sum(where(mask, dz, zeros), rb), sb))
    return out


@registry.define("ClipByValue", infer=_clip_by_value_infer, grad=_clip_by_value_grad)
def _clip_by_value_kernel(t: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """f(t, lo, hi) = min(max(t, lo), hi)"""
    return np.asarray(np.minimum(np.maximum(t, lo), hi), dtype=np.asarray(t).dtype)


def _limits(src: dtypes.DType, dst: dtypes.DType) -> tuple[Any, Any]:
    """dst's range in src's numbers, nudged toward 0 where src cannot hold dst's bounds."""
    np_src = src.np.type
    try:
        promoted = np.promote_types(src.np, dst.np)
    except TypeError:
        promoted = np.dtype(np.float64)
    lo = np_src(np.maximum(src.min, dst.min))
    if np.array([lo, dst.min], dtype=promoted)[0] < np.array([dst.min], dtype=promoted)[0]:
        lo = np.nextafter(lo, np_src(0), dtype=np_src)
    hi = np_src(np.minimum(float(src.max), float(dst.max)))
    if np.array([hi], dtype=promoted)[0] > np.array([dst.max], dtype=promoted)[0]:
        hi = np.nextafter(hi, np_src(0), dtype=np_src)
    return lo, hi


def saturate_cast(value: Any, dtype: Any, name: str | None = None) -> Tensor:
    """f(x) = cast(clamp(x, dtype.min, dtype.max), dtype): a cast that cannot overflow.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.saturate_cast([-5.0, 300.0], tf.uint8)).tolist()
    [0, 255]
    """
    g = registry.graph_for([value])
    with g.as_default(), g.name_scope(name or "saturate_cast") as scope:
        x = convert_to_tensor(value, name="value")
        dst = dtypes.as_dtype(dtype).base_dtype
        src = x.dtype.base_dtype
        if src.is_complex:
            raise NotImplementedError("teachflow's saturate_cast takes real inputs only.")
        lo, hi = _limits(src, dst.real_dtype)
        clamped = registry.make1(
            "ClipByValue",
            [x, constant(lo, dtype=src), constant(hi, dtype=src)],
            {"T": src},
            "clamp",
        )
        return cast(clamped, dst, name=scope)
