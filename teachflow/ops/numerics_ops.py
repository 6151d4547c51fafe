"""``tf.check_numerics`` and ``tf.add_check_numerics_ops``: stop a run where NaN or Inf appears.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32)
>>> y = tf.check_numerics(tf.log(x), "log of x")
>>> try:
...     tf.Session().run(y, {x: [1.0, 0.0]})
... except tf.errors.InvalidArgumentError as e:
...     print(e.message.splitlines()[0])
log of x : Tensor had Inf values
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachflow import errors
from teachflow.graph import Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.control_ops import group
from teachflow.ops.nn_ops import make_op

_CONTROL_FLOW = {"Switch", "RefSwitch", "Merge", "RefMerge", "Enter", "Exit", "NextIteration"}


def _infer(op: Operation) -> Any:
    dt = op.inputs[0].dtype.base_dtype
    if not dt.is_floating:  # TensorFlow lists CheckNumerics' dtypes in this order
        raise TypeError(
            f"Value passed to parameter 'tensor' has DataType {dt.name} not in list of allowed "
            "values: bfloat16, float16, float32, float64\n  Hint: only floats can hold NaN or "
            "Inf: an integer tensor needs no check (or cast it first: tf.cast(t, tf.float32))."
        )
    return [(dt, op.inputs[0].shape)]


def _grad(op: Operation, grad: Tensor) -> list[Tensor]:
    # the gradient passes through, checked too (TensorFlow's message)
    message = op.attrs["message"]
    text = f"Not a number (NaN) or infinity (Inf) values detected in gradient. {message}"
    return [check_numerics(grad, text)]


@registry.define("CheckNumerics", infer=_infer, grad=_grad, ctx=True, view=True)
def _check_numerics_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """f(x) = x, or InvalidArgumentError when x holds NaN or Inf"""
    finite = np.isfinite(x)
    if finite.all():
        return x
    bad = x[~finite]
    nan, inf = bool(np.isnan(bad).any()), bool(np.isinf(bad).any())
    what = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
    raise errors.InvalidArgumentError(
        None,
        None,
        f"{ctx.attrs['message']} : Tensor had {what} values",
        "step the run with tf.debug.find_non_finite(sess, fetches, feed_dict) to see the first "
        "op whose output is not finite, its inputs and a fix.",
    )


def check_numerics(tensor: Any, message: str, name: str | None = None) -> Tensor:
    """``tensor`` unchanged, with a check: a run where it holds NaN or Inf fails with
    InvalidArgumentError ``"<message> : Tensor had NaN values"``.

    Args:
      tensor: a float tensor.
      message: the start of the error message.
      name: the op's name (default ``CheckNumerics``).
    """
    if not isinstance(message, (str, bytes)):
        raise TypeError(
            f"Expected string for argument 'message' not {message!r}.\n  Hint: "
            "tf.check_numerics(t, 'what t is') names the tensor in the error."
        )
    text = message.decode() if isinstance(message, bytes) else message
    g = registry.graph_for([tensor])
    with g.as_default():
        x = convert_to_tensor(tensor, name="tensor")
        return make_op("CheckNumerics", [x], name or "CheckNumerics", message=text)


def add_check_numerics_ops() -> Operation:
    """One op checking every float tensor of the default graph (``check_numerics`` on each,
    named ``"<op>:<index>"``), the checks chained one after the other as in TensorFlow.

    Run it with the training step: ``sess.run([train_op, check_op])``.
    """
    g = get_default_graph()
    check: list[Any] = []
    for op in list(g.get_operations()):
        if op.type in _CONTROL_FLOW:
            raise ValueError(
                "`tf.add_check_numerics_ops() is not compatible with TensorFlow control flow "
                "operations such as `tf.cond()` or `tf.while_loop()`.\n  Hint: wrap the tensors "
                "you suspect in tf.check_numerics(t, 'what t is') instead."
            )
        for out in op.outputs:
            if out.dtype.base_dtype.is_floating:
                with g.control_dependencies(check):
                    check = [check_numerics(out, f"{op.name}:{out.value_index}")]
    return group(*check)
