"""Arithmetic, comparison, logical, matmul and reduction ops.

Elementwise ops are rows of two tables (``UNARY``, ``BINARY``): TF type, numpy kernel,
public names, and the one-line formula.

>>> import teachflow as tf
>>> tf.Session().run(tf.add(tf.constant([1, 2]), 3)).tolist()
[4, 5]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_inputs, convert_to_tensor
from teachflow.tensor_shape import TensorShape


def _unary_api(type: str, default_name: str, doc: str) -> Callable[..., Tensor]:
    def api(x: Any, name: str | None = None) -> Tensor:
        g = registry.graph_for([x])
        with g.as_default(), g.name_scope(name or default_name) as scope:
            (xt,) = convert_inputs(type, [("x", x)])
            return registry.make1(type, [xt], {"T": xt.dtype.base_dtype}, scope)

    api.__doc__ = doc
    return api


def binary_op(type: str, x: Any, y: Any, name: str, operator: bool = False) -> Tensor:
    """Converts ``x`` and ``y`` to one dtype inside scope ``name`` and applies ``type``.

    ``operator=True`` for Python operators, where the tensor operand fixes the dtype (``1 + x``).
    """
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name) as scope:
        xt, yt = convert_inputs(type, [("x", x), ("y", y)], any_tensor_decides=operator)
        return registry.make1(type, [xt, yt], {"T": xt.dtype.base_dtype}, scope)


def _binary_api(type: str, default_name: str, doc: str) -> Callable[..., Tensor]:
    def api(x: Any, y: Any, name: str | None = None) -> Tensor:
        return binary_op(type, x, y, name or default_name)

    api.__doc__ = doc
    return api


# -- elementwise kernels -------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # numerically stable: never exponentiates a large positive number
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _int_safe(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def kernel(x: Any, y: Any) -> Any:
        if np.asarray(y).dtype.kind in "iu" and np.any(np.asarray(y) == 0):
            raise ZeroDivisionError("Integer division by zero")
        return fn(x, y)

    return kernel


def _pow(x: Any, y: Any) -> Any:
    if np.asarray(y).dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise ValueError("Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _with_errstate(fn: Callable[..., Any]) -> Callable[..., Any]:
    def kernel(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args)

    kernel.__name__ = getattr(fn, "__name__", "kernel")
    return kernel


# (TF type, kernel, public names, default op name, formula)
UNARY: list[tuple[str, Callable[..., Any], tuple[str, ...], str, str]] = [
    ("Neg", np.negative, ("negative", "neg"), "Neg", "f(x) = -x"),
    ("Abs", np.abs, ("abs",), "Abs", "f(x) = |x|"),
    ("Square", np.square, ("square",), "Square", "f(x) = x^2"),
    ("Sqrt", _with_errstate(np.sqrt), ("sqrt",), "Sqrt", "f(x) = sqrt(x)"),
    ("Rsqrt", _with_errstate(lambda x: 1 / np.sqrt(x)), ("rsqrt",), "Rsqrt", "f(x) = 1/sqrt(x)"),
    ("Exp", _with_errstate(np.exp), ("exp",), "Exp", "f(x) = e^x"),
    ("Log", _with_errstate(np.log), ("log",), "Log", "f(x) = ln(x)"),
    ("Log1p", _with_errstate(np.log1p), ("log1p",), "Log1p", "f(x) = ln(1 + x)"),
    ("Sin", np.sin, ("sin",), "Sin", "f(x) = sin(x)"),
    ("Cos", np.cos, ("cos",), "Cos", "f(x) = cos(x)"),
    ("Tan", np.tan, ("tan",), "Tan", "f(x) = tan(x)"),
    ("Tanh", np.tanh, ("tanh",), "Tanh", "f(x) = tanh(x)"),
    ("Sigmoid", _with_errstate(_sigmoid), ("sigmoid",), "Sigmoid", "f(x) = 1/(1 + e^-x)"),
    ("Sign", np.sign, ("sign",), "Sign", "f(x) = sign(x)"),
    ("Floor", np.floor, ("floor",), "Floor", "f(x) = floor(x)"),
    ("Ceil", np.ceil, ("ceil",), "Ceil", "f(x) = ceil(x)"),
    ("Round", np.round, ("round",), "Round", "f(x) = x rounded half to even"),
    ("Reciprocal", _with_errstate(np.reciprocal), ("reciprocal",), "Reciprocal", "f(x) = 1/x"),
    ("LogicalNot", np.logical_not, ("logical_not",), "LogicalNot", "f(x) = not x"),
    ("IsNan", np.isnan, ("is_nan",), "IsNan", "f(x) = x is NaN"),
    ("IsInf", np.isinf, ("is_inf",), "IsInf", "f(x) = x is +-inf"),
    ("IsFinite", np.isfinite, ("is_finite",), "IsFinite", "f(x) = x is finite"),
]

BINARY: list[tuple[str, Callable[..., Any], tuple[str, ...], str, str]] = [
    ("AddV2", np.add, ("add",), "Add", "f(x, y) = x + y"),
    ("Sub", np.subtract, ("subtract", "sub"), "Sub", "f(x, y) = x - y"),
    ("Mul", np.multiply, ("multiply", "mul"), "Mul", "f(x, y) = x * y"),
    ("RealDiv", _with_errstate(np.true_divide), ("realdiv",), "RealDiv", "f(x, y) = x / y"),
    ("Div", _with_errstate(np.true_divide), (), "Div", "f(x, y) = x / y"),
    (
        "FloorDiv",
        _with_errstate(_int_safe(np.floor_divide)),
        (),
        "FloorDiv",
        "f(x, y) = floor(x / y)",
    ),
    (
        "FloorMod",
        _with_errstate(_int_safe(np.mod)),
        ("floormod",),
        "FloorMod",
        "f(x, y) = x - y*floor(x/y)",
    ),
    ("Pow", _with_errstate(_pow), ("pow",), "Pow", "f(x, y) = x^y"),
    ("Maximum", np.maximum, ("maximum",), "Maximum", "f(x, y) = max(x, y)"),
    ("Minimum", np.minimum, ("minimum",), "Minimum", "f(x, y) = min(x, y)"),
    (
        "SquaredDifference",
        lambda x, y: np.square(np.subtract(x, y)),
        ("squared_difference",),
        "SquaredDifference",
        "f(x, y) = (x - y)^2",
    ),
    ("LogicalAnd", np.logical_and, ("logical_and",), "LogicalAnd", "f(x, y) = x and y"),
    ("LogicalOr", np.logical_or, ("logical_or",), "LogicalOr", "f(x, y) = x or y"),
]

COMPARISONS: list[tuple[str, Callable[..., Any], tuple[str, ...], str]] = [
    ("Equal", np.equal, ("equal",), "f(x, y) = x == y"),
    ("NotEqual", np.not_equal, ("not_equal",), "f(x, y) = x != y"),
    ("Less", np.less, ("less",), "f(x, y) = x < y"),
    ("LessEqual", np.less_equal, ("less_equal",), "f(x, y) = x <= y"),
    ("Greater", np.greater, ("greater",), "f(x, y) = x > y"),
    ("GreaterEqual", np.greater_equal, ("greater_equal",), "f(x, y) = x >= y"),
]

_FLOAT_ONLY = {
    "Sqrt",
    "Rsqrt",
    "Exp",
    "Log",
    "Log1p",
    "Sin",
    "Cos",
    "Tan",
    "Tanh",
    "Sigmoid",
    "Reciprocal",
    "RealDiv",
    "IsNan",
    "IsInf",
    "IsFinite",
}
_BOOL_ONLY = {"LogicalNot", "LogicalAnd", "LogicalOr"}
_OUT_BOOL = {"IsNan", "IsInf", "IsFinite"}


def _check_dtype(op: Operation) -> None:
    dt = op.inputs[0].dtype.base_dtype
    ok = True
    if op.type in _FLOAT_ONLY:
        ok = dt.is_floating or dt.is_complex
    elif op.type in _BOOL_ONLY:
        ok = dt.is_bool
    elif dt == dtypes.string:
        ok = op.type in ("AddV2", "Equal", "NotEqual")
    elif dt.is_bool:
        ok = op.type in ("Equal", "NotEqual")
    if not ok:
        raise TypeError(
            f"Value passed to parameter 'x' has DataType {dt.name} not in list of allowed values "
            f"for op '{op.name}' ({op.type}).\n  Hint: tf.cast the input to a supported dtype "
            f"(e.g. tf.cast(x, tf.float32))."
        )


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


_API: dict[str, Callable[..., Tensor]] = {}
for _type, _kernel, _names, _default, _formula in UNARY:
    registry.define(_type, infer=_unary_infer)(_kernel)
    for _n in _names:
        _API[_n] = _unary_api(_type, _default, _formula)
for _type, _kernel, _names, _default, _formula in BINARY:
    registry.define(_type, infer=_binary_infer)(_kernel)
    for _n in _names:
        _API[_n] = _binary_api(_type, _default, _formula)
for _type, _kernel, _names, _formula in COMPARISONS:
    registry.define(_type, infer=_compare_infer)(_kernel)
    for _n in _names:
        _API[_n] = _binary_api(_type, _type, _formula)

negative = _API["negative"]
neg = _API["neg"]
abs = _API["abs"]  # noqa: A001 - TensorFlow's public name
square = _API["square"]
sqrt = _API["sqrt"]
rsqrt = _API["rsqrt"]
exp = _API["exp"]
log = _API["log"]
log1p = _API["log1p"]
sin = _API["sin"]
cos = _API["cos"]
tan = _API["tan"]
tanh = _API["tanh"]
sigmoid = _API["sigmoid"]
sign = _API["sign"]
floor = _API["floor"]
ceil = _API["ceil"]
round = _API["round"]  # noqa: A001 - TensorFlow's public name
reciprocal = _API["reciprocal"]
logical_not = _API["logical_not"]
is_nan = _API["is_nan"]
is_inf = _API["is_inf"]
is_finite = _API["is_finite"]
add = _API["add"]
subtract = _API["subtract"]
sub = _API["sub"]
multiply = _API["multiply"]
mul = _API["mul"]
realdiv = _API["realdiv"]
floormod = _API["floormod"]
pow = _API["pow"]  # noqa: A001 - TensorFlow's public name
maximum = _API["maximum"]
minimum = _API["minimum"]
squared_difference = _API["squared_difference"]
logical_and = _API["logical_and"]
logical_or = _API["logical_or"]
equal = _API["equal"]
not_equal = _API["not_equal"]
less = _API["less"]
less_equal = _API["less_equal"]
greater = _API["greater"]
greater_equal = _API["greater_equal"]


def mod(x: Any, y: Any, name: str | None = None) -> Tensor:
    """f(x, y) = x - y*floor(x/y) (the sign of y, like Python's %)"""
    return binary_op("FloorMod", x, y, name or "FloorMod")


def floordiv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """f(x, y) = floor(x / y)"""
    return binary_op("FloorDiv", x, y, name or "floordiv")


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Tensor:
    """f(x, y) = (x or y) and not (x and y)"""
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name) as scope:
        return binary_op("LogicalAnd", logical_or(x, y), logical_not(logical_and(x, y)), scope)


_TRUEDIV = {
    dtypes.uint8: dtypes.float32,
    dtypes.int8: dtypes.float32,
    dtypes.uint16: dtypes.float32,
    dtypes.int16: dtypes.float32,
    dtypes.int32: dtypes.float64,
    dtypes.int64: dtypes.float64,
}


def truediv(x: Any, y: Any, name: str | None = None, _operator: bool = False) -> Tensor:
    """f(x, y) = x / y; integers are first cast to float (int32 -> float64, as TensorFlow)."""
    g = registry.graph_for([x, y])
    with g.as_default(), g.name_scope(name or "truediv") as scope:
        xt, yt = convert_inputs("RealDiv", [("x", x), ("y", y)], any_tensor_decides=_operator)
        target = _TRUEDIV.get(xt.dtype.base_dtype)
        if target is not None:
            xt, yt = cast(xt, target), cast(yt, target)
        if xt.dtype.base_dtype.is_bool:
            raise TypeError(f"Invalid dtype {xt.dtype.base_dtype!r} in __truediv__")
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


def operator_add(x: Any, y: Any) -> Tensor:
    return binary_op("AddV2", x, y, "add", operator=True)


def operator_sub(x: Any, y: Any) -> Tensor:
    return binary_op("Sub", x, y, "sub", operator=True)


def operator_mul(x: Any, y: Any) -> Tensor:
    return binary_op("Mul", x, y, "mul", operator=True)


def operator_truediv(x: Any, y: Any) -> Tensor:
    return truediv(x, y, "truediv", _operator=True)


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
    return logical_xor(x, y, name="xor")


# -- cast ----------------------------------------------------------------------------------


def _cast_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(op.attrs["DstT"], op.inputs[0].shape)]


@registry.define("Cast", infer=_cast_infer, ctx=True)
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
            raise registry.shape_error(op, f"Shape must be rank 2 but is rank {t.shape.ndims}")
    dt = a.dtype.base_dtype
    if not (dt.is_floating or dt.is_complex or dt in (dtypes.int32, dtypes.int64)):
        raise TypeError(
            f"Value passed to parameter 'a' has DataType {dt.name} not in list of allowed values: "
            "float16, float32, float64, int32, int64, complex64, complex128"
        )
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    da = a.shape.as_tuple() or (None, None)
    db = b.shape.as_tuple() or (None, None)
    m, k1 = (da[1], da[0]) if ta else (da[0], da[1])
    k2, n = (db[1], db[0]) if tb else (db[0], db[1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise registry.shape_error(op, f"Dimensions must be equal, but are {k1} and {k2}")
    return [(dt, TensorShape([m, n]))]


@registry.define("MatMul", infer=_matmul_infer, ctx=True)
def _matmul_kernel(ctx: registry.KernelContext, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """f(a, b) = a @ b (after optional transposes)"""
    if ctx.attrs["transpose_a"]:
        a = a.T
    if ctx.attrs["transpose_b"]:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)}"
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
            raise registry.shape_error(op, "Shapes must be equal rank, or dimensions must match")
        shape = shape.merge_with(t.shape)
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
