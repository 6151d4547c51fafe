"""The optimizers' update ops: each reads a variable (and its slots) and writes new values.

Like ``Assign``, an ``Apply*`` op takes its variables as refs and outputs the variable's ref.
As in TensorFlow, kernels update the variable's and its slots' buffers in place (``out=``
arithmetic, the order of TensorFlow's formulas), so a consumer of the variable's read later in
the run sees the new value; fetched values are copies and never change. The only temporaries
are the one or two the formula needs (for Adam: the denominator and the step), and only of a
block's size: the formula runs block by block (:data:`BLOCK` elements), each block's slices
staying in the CPU's cache through all of its passes.

>>> import teachflow as tf
>>> from teachflow.ops import training_ops
>>> w = tf.Variable([1.0, 2.0])
>>> step = training_ops.apply_gradient_descent(w, 0.5, [2.0, 2.0])
>>> sess = tf.Session(); sess.run(w.initializer)
>>> sess.run(step)
array([0., 1.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.state import Ref
from teachflow.tensor_shape import TensorShape

# op type -> (argument names, how many leading arguments are variables/slots, scalar arguments)
SIGNATURES: dict[str, tuple[tuple[str, ...], int, tuple[str, ...]]] = {
    "ApplyGradientDescent": (("var", "alpha", "delta"), 1, ("alpha",)),
    "ApplyMomentum": (("var", "accum", "lr", "grad", "momentum"), 2, ("lr", "momentum")),
    "ApplyAdagrad": (("var", "accum", "lr", "grad"), 2, ("lr",)),
    "ApplyRMSProp": (
        ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"),
        3,
        ("lr", "rho", "momentum", "epsilon"),
    ),
    "ApplyCenteredRMSProp": (
        ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"),
        4,
        ("lr", "rho", "momentum", "epsilon"),
    ),
    "ApplyAdam": (
        (
            "var",
            "m",
            "v",
            "beta1_power",
            "beta2_power",
            "lr",
            "beta1",
            "beta2",
            "epsilon",
            "grad",
        ),
        3,
        ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon"),
    ),
}


def _apply_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    """Scalars must be rank 0; slots and the gradient must have the variable's shape."""
    names, n_refs, scalars = SIGNATURES[op.type]
    var = op.inputs[0]
    shape = var.shape
    for arg, t in zip(names, op.inputs):
        if arg in scalars:
            if t.shape.ndims not in (None, 0):
                raise registry.shape_error(op, f"Shape must be rank 0 but is rank {t.shape.ndims}")
        elif t is not var:
            if not shape.is_compatible_with(t.shape):
                a, b = shape.as_tuple(), t.shape.as_tuple()
                if a is not None and b is not None and len(a) != len(b):
                    msg = f"Shapes must be equal rank, but are {len(a)} and {len(b)}"
                else:
                    i, x, y = next(
                        (i, x, y)
                        for i, (x, y) in enumerate(zip(a or (), b or ()))
                        if x is not None and y is not None and x != y
                    )
                    msg = (
                        f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                        f"Shapes are {_bracket(shape)} and {_bracket(t.shape)}."
                    )
                raise registry.shape_error(op, msg)
            shape = shape.merge_with(t.shape)
    return [(var.dtype.base_dtype._as_ref, shape)]


def _bracket(shape: TensorShape) -> str:
    from teachflow.tensor_shape import bracket

    return bracket(shape)


def _read(ref: Any) -> np.ndarray:
    """The variable's buffer, to update in place (made writeable first if it is not)."""
    if ref.__class__ is not Ref:
        raise ValueError(
            "an Apply* op needs variables to update, got a plain value (was the variable fed?)"
        )
    buf = ref.read()
    if not (buf.flags.writeable and buf.flags.c_contiguous):
        buf = np.array(buf, copy=True)  # e.g. a value restored from a read-only file
        ref.write(buf)
    return buf


def _check_grad(var: np.ndarray, grad: np.ndarray, arg: str = "grad") -> None:
    if var.shape != np.shape(grad):
        raise ValueError(
            f"var and {arg} do not have the same shape{list(var.shape)} {list(np.shape(grad))}"
        )


def _changed(*refs: Ref) -> None:
    refs[0].changed()  # one session state: one new version for the whole update


# elements per block: the block's slices of the variable, its slots, the gradient and the
# scratch stay in the CPU's cache through all of the formula's passes (half the time of whole
# arrays on a 3136x1024 layer's Adam update)
BLOCK = 1 << 15


def _blockwise(
    update: Callable[..., None], arrays: list[np.ndarray], grad: Any, scratch: int = 1
) -> None:
    """``update(*arrays, grad, *tmp)`` on each block of the flattened (contiguous) ``arrays``
    and ``grad``, with ``scratch`` temporaries of the block's size."""
    g = np.asarray(grad)
    if not g.flags.c_contiguous:
        g = np.array(g, order="C")  # (np.ascontiguousarray would make a scalar 1-d)
    n = arrays[0].size
    size = min(n, BLOCK)
    tmp = [np.empty(size, dtype=arrays[0].dtype) for _ in range(scratch)]
    if n <= BLOCK:
        shape = arrays[0].shape
        update(*arrays, g, *(t.reshape(shape) for t in tmp))
        return
    flat = [a.reshape(-1) for a in arrays]
    gf = g.reshape(-1)
    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        k = hi - lo
        update(*(a[lo:hi] for a in flat), gf[lo:hi], *(t[:k] for t in tmp))


@registry.define("ApplyGradientDescent", infer=_apply_infer, stateful=True, ref_inputs=(0,))
def _apply_gradient_descent(var: Ref, alpha: Any, delta: Any) -> Ref:
    """var <- var - alpha * delta"""
    v = _read(var)
    _check_grad(v, delta, "delta")

    def update(x: np.ndarray, d: np.ndarray, step: np.ndarray) -> None:
        x -= np.multiply(d, alpha, out=step)

    _blockwise(update, [v], delta)
    _changed(var)
    return var


@registry.define("ApplyMomentum", infer=_apply_infer, ctx=True, stateful=True, ref_inputs=(0, 1))
def _apply_momentum(
    ctx: registry.KernelContext, var: Ref, accum: Ref, lr: Any, grad: Any, momentum: Any
) -> Ref:
    """accum <- momentum * accum + grad; var <- var - lr * accum
    (nesterov: var <- var - lr * grad - lr * momentum * accum)"""
    v, a = _read(var), _read(accum)
    _check_grad(v, grad)
    nesterov = ctx.attrs.get("use_nesterov")

    def update(x: np.ndarray, acc: np.ndarray, g: np.ndarray, step: np.ndarray) -> None:
        acc *= momentum
        acc += g
        np.multiply(acc, lr, out=step)
        if nesterov:
            step *= momentum
            step += np.multiply(g, lr)
        x -= step

    _blockwise(update, [v, a], grad)
    _changed(var, accum)
    return var


@registry.define("ApplyAdagrad", infer=_apply_infer, ctx=True, stateful=True, ref_inputs=(0, 1))
def _apply_adagrad(ctx: registry.KernelContext, var: Ref, accum: Ref, lr: Any, grad: Any) -> Ref:
    """accum <- accum + grad^2; var <- var - lr * grad / sqrt(accum)"""
    v, a = _read(var), _read(accum)
    _check_grad(v, grad)
    update_slots = ctx.attrs.get("update_slots", True)

    def update(
        x: np.ndarray, acc: np.ndarray, g: np.ndarray, root: np.ndarray, step: np.ndarray
    ) -> None:
        if update_slots:
            acc += np.square(g, out=root)
        np.sqrt(acc, out=root)
        np.multiply(g, lr, out=step)
        step /= root
        x -= step

    _blockwise(update, [v, a], grad, scratch=2)
    _changed(var, accum)
    return var


def _moving_average(avg: np.ndarray, x: np.ndarray, rate: Any, tmp: np.ndarray) -> None:
    """avg <- avg + (x - avg) * rate, in place (``tmp``: scratch of avg's shape)"""
    np.subtract(x, avg, out=tmp)
    tmp *= rate
    avg += tmp


@registry.define("ApplyRMSProp", infer=_apply_infer, stateful=True, ref_inputs=(0, 1, 2))
def _apply_rms_prop(
    var: Ref,
    ms: Ref,
    mom: Ref,
    lr: Any,
    rho: Any,
    momentum: Any,
    epsilon: Any,
    grad: Any,
) -> Ref:
    """ms <- rho * ms + (1 - rho) * grad^2; mom <- momentum * mom + lr * grad / sqrt(ms + eps);
    var <- var - mom"""
    v, s, m = _read(var), _read(ms), _read(mom)
    _check_grad(v, grad)

    def update(
        x: np.ndarray,
        ms_: np.ndarray,
        mom_: np.ndarray,
        g: np.ndarray,
        denom: np.ndarray,
        step: np.ndarray,
    ) -> None:
        np.square(g, out=denom)
        _moving_average(ms_, denom, 1 - rho, denom)
        np.add(ms_, epsilon, out=denom)
        np.sqrt(denom, out=denom)
        np.multiply(g, lr, out=step)
        step /= denom
        mom_ *= momentum
        mom_ += step
        x -= mom_

    _blockwise(update, [v, s, m], grad, scratch=2)
    _changed(var, ms, mom)
    return var


@registry.define("ApplyCenteredRMSProp", infer=_apply_infer, stateful=True, ref_inputs=(0, 1, 2, 3))
def _apply_centered_rms_prop(
    var: Ref,
    mg: Ref,
    ms: Ref,
    mom: Ref,
    lr: Any,
    rho: Any,
    momentum: Any,
    epsilon: Any,
    grad: Any,
) -> Ref:
    """mg <- rho * mg + (1 - rho) * grad; ms <- rho * ms + (1 - rho) * grad^2;
    mom <- momentum * mom + lr * grad / sqrt(ms - mg^2 + eps); var <- var - mom"""
    v, g_, s, m = _read(var), _read(mg), _read(ms), _read(mom)
    _check_grad(v, grad)

    def update(
        x: np.ndarray,
        mg_: np.ndarray,
        ms_: np.ndarray,
        mom_: np.ndarray,
        g: np.ndarray,
        denom: np.ndarray,
        step: np.ndarray,
    ) -> None:
        np.square(g, out=denom)
        _moving_average(ms_, denom, 1 - rho, denom)
        _moving_average(mg_, g, 1 - rho, denom)
        np.square(mg_, out=denom)
        np.subtract(ms_, denom, out=denom)
        denom += epsilon
        np.sqrt(denom, out=denom)
        np.multiply(g, lr, out=step)
        step /= denom
        mom_ *= momentum
        mom_ += step
        x -= mom_

    _blockwise(update, [v, g_, s, m], grad, scratch=2)
    _changed(var, mg, ms, mom)
    return var


@registry.define("ApplyAdam", infer=_apply_infer, ctx=True, stateful=True, ref_inputs=(0, 1, 2))
def _apply_adam(
    ctx: registry.KernelContext,
    var: Ref,
    m: Ref,
    v: Ref,
    beta1_power: Any,
    beta2_power: Any,
    lr: Any,
    beta1: Any,
    beta2: Any,
    epsilon: Any,
    grad: Any,
) -> Ref:
    """m <- beta1 * m + (1 - beta1) * grad; v <- beta2 * v + (1 - beta2) * grad^2;
    var <- var - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)"""
    x, m1, v1 = _read(var), _read(m), _read(v)
    _check_grad(x, grad)
    alpha = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
    nesterov = ctx.attrs.get("use_nesterov")

    def update(
        x_: np.ndarray,
        m_: np.ndarray,
        v_: np.ndarray,
        g: np.ndarray,
        denom: np.ndarray,
        step: np.ndarray,
    ) -> None:
        _moving_average(m_, g, 1 - beta1, denom)
        _moving_average(v_, np.square(g, out=denom), 1 - beta2, denom)
        np.sqrt(v_, out=denom)
        denom += epsilon
        if nesterov:
            np.multiply(g, 1 - beta1, out=step)
            step += np.multiply(m_, beta1)
            step *= alpha
        else:
            np.multiply(m_, alpha, out=step)
        step /= denom
        x_ -= step

    _blockwise(update, [x, m1, v1], grad, scratch=2)
    _changed(var, m, v)
    return var


# -- public API (tf.raw_ops-style; the optimizers call these) ---------------------------------


def _as_ref(x: Any, arg: str, op_type: str) -> Tensor:
    t = x._ref() if hasattr(x, "_ref") else x
    if not isinstance(t, Tensor) or not t.dtype.is_ref:
        raise TypeError(
            f"Input '{arg}' of '{op_type}' Op requires l-value input\n  Hint: pass a "
            "tf.Variable (the op writes the new value into it)."
        )
    return t


def _apply(op_type: str, args: dict[str, Any], attrs: dict[str, Any], name: str | None) -> Tensor:
    names, n_refs, _ = SIGNATURES[op_type]
    g = registry.graph_for(list(args.values()))
    with g.as_default(), g.name_scope(name or op_type) as scope:
        var = _as_ref(args["var"], "var", op_type)
        dt = var.dtype.base_dtype
        inputs = [var]
        for arg in names[1:]:
            value = args[arg]
            if names.index(arg) < n_refs:
                t = _as_ref(value, arg, op_type)
            elif isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
                t = convert_to_tensor(value)
            else:
                t = convert_to_tensor(value, dtype=dt, name=arg)
            if t.dtype.base_dtype != dt:
                raise TypeError(
                    f"Input '{arg}' of '{op_type}' Op has type {t.dtype.base_dtype.name} that "
                    f"does not match type {dt.name} of argument 'var'.\n  Hint: tf.cast it to "
                    f"{dt.name}."
                )
            inputs.append(t)
        return registry.make1(op_type, inputs, {"T": dt, **attrs}, scope, graph=g)


def apply_gradient_descent(
    var: Any, alpha: Any, delta: Any, use_locking: bool = False, name: str | None = None
) -> Tensor:
    """var <- var - alpha * delta; returns the variable's ref."""
    return _apply(
        "ApplyGradientDescent",
        {"var": var, "alpha": alpha, "delta": delta},
        {"use_locking": use_locking},
        name,
    )


def apply_momentum(
    var: Any,
    accum: Any,
    lr: Any,
    grad: Any,
    momentum: Any,
    use_locking: bool = False,
    use_nesterov: bool = False,
    name: str | None = None,
) -> Tensor:
    """accum <- momentum * accum + grad; var <- var - lr * accum."""
    return _apply(
        "ApplyMomentum",
        {"var": var, "accum": accum, "lr": lr, "grad": grad, "momentum": momentum},
        {"use_locking": use_locking, "use_nesterov": use_nesterov},
        name,
    )


def apply_adagrad(
    var: Any,
    accum: Any,
    lr: Any,
    grad: Any,
    use_locking: bool = False,
    update_slots: bool = True,
    name: str | None = None,
) -> Tensor:
    """accum <- accum + grad^2; var <- var - lr * grad / sqrt(accum)."""
    return _apply(
        "ApplyAdagrad",
        {"var": var, "accum": accum, "lr": lr, "grad": grad},
        {"use_locking": use_locking, "update_slots": update_slots},
        name,
    )


def apply_rms_prop(
    var: Any,
    ms: Any,
    mom: Any,
    lr: Any,
    rho: Any,
    momentum: Any,
    epsilon: Any,
    grad: Any,
    use_locking: bool = False,
    name: str | None = None,
) -> Tensor:
    """ms <- rho ms + (1-rho) grad^2; mom <- momentum mom + lr grad/sqrt(ms+eps); var -= mom."""
    args = {"var": var, "ms": ms, "mom": mom, "lr": lr, "rho": rho}
    args.update({"momentum": momentum, "epsilon": epsilon, "grad": grad})
    return _apply("ApplyRMSProp", args, {"use_locking": use_locking}, name)


def apply_centered_rms_prop(
    var: Any,
    mg: Any,
    ms: Any,
    mom: Any,
    lr: Any,
    rho: Any,
    momentum: Any,
    epsilon: Any,
    grad: Any,
    use_locking: bool = False,
    name: str | None = None,
) -> Tensor:
    """RMSProp normalised by the variance estimate ms - mg^2 instead of ms."""
    args = {"var": var, "mg": mg, "ms": ms, "mom": mom, "lr": lr, "rho": rho}
    args.update({"momentum": momentum, "epsilon": epsilon, "grad": grad})
    return _apply("ApplyCenteredRMSProp", args, {"use_locking": use_locking}, name)


def apply_adam(
    var: Any,
    m: Any,
    v: Any,
    beta1_power: Any,
    beta2_power: Any,
    lr: Any,
    beta1: Any,
    beta2: Any,
    epsilon: Any,
    grad: Any,
    use_locking: bool = False,
    use_nesterov: bool = False,
    name: str | None = None,
) -> Tensor:
    """Adam: m, v moving averages of grad and grad^2; var -= lr_t * m / (sqrt(v) + eps)."""
    args = {"var": var, "m": m, "v": v, "beta1_power": beta1_power}
    args.update({"beta2_power": beta2_power, "lr": lr, "beta1": beta1, "beta2": beta2})
    args.update({"epsilon": epsilon, "grad": grad})
    return _apply(
        "ApplyAdam", args, {"use_locking": use_locking, "use_nesterov": use_nesterov}, name
    )
