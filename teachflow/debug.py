"""``tf.debug``: why training goes wrong — where a NaN was born, and which gradients vanish.

``find_non_finite`` steps a run and stops at the first op whose output holds NaN or Inf;
``watch_non_finite`` makes ``sess.run`` (or a stepped execution) raise there;
``GradientRecorder`` keeps each variable's gradient norm and relative update, step by step.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, name="x")
>>> loss = -tf.reduce_sum(tf.log(x))
>>> report = tf.debug.find_non_finite(tf.Session(), loss, {x: [0.5, 0.0]})
>>> report.op.name, report.kind
('Log', 'Inf')
>>> report.downstream
['Sum', 'Neg']
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from teachflow import errors
from teachflow.graph import Operation, Tensor

__all__ = [
    "GradientRecorder",
    "NonFiniteError",
    "NonFiniteReport",
    "NonFiniteWatch",
    "find_non_finite",
    "hint_for",
    "is_non_finite",
    "watch_non_finite",
]


def is_non_finite(value: Any) -> bool:
    """Whether ``value`` is a float (or complex) array holding NaN or Inf."""
    if isinstance(value, (float, np.floating, np.complexfloating)):
        return not np.isfinite(value)
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind in "fc"
        and not bool(np.isfinite(value).all())
    )


def _kind(values: list[Any]) -> str:
    """ "NaN", "Inf" or "Inf and NaN" (TensorFlow's words) for the non-finite values."""
    nan = any(np.isnan(v).any() for v in values if is_non_finite(v))
    inf = any(np.isinf(v).any() for v in values if is_non_finite(v))
    return "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"


class NonFiniteReport:
    """The first op of a run whose output held NaN or Inf.

    Attributes:
      op: the Operation; ``kind``: "NaN", "Inf" or "Inf and NaN".
      inputs: ``[(tensor, value)]`` as the op received them; ``outputs``: ``[(tensor, value)]``.
      place: where the user's code built the op (``notebook cell 3, line 2 (...)``), or None.
      hint: what usually causes this at this kind of op, and the fix.
      downstream: names of the ops of this run that consume its output (directly or not): the
        ones its NaN would reach.
      index: the op's position in the run's plan.
    """

    def __init__(
        self, op: Operation, index: int, inputs: list[Any], outputs: list[Any], plan: Any
    ) -> None:
        self.op = op
        self.index = index
        self.inputs = list(zip(op.inputs, inputs))
        self.outputs = [(t, v) for t, v in zip(op.outputs, outputs)]
        self.kind = _kind([v for _, v in self.outputs])
        self.place = errors.created_at(op)
        self.hint = hint_for(op, inputs, outputs)
        self.downstream = _downstream(op, plan)

    @property
    def tensor(self) -> Tensor:
        """The first non-finite output."""
        return next(t for t, v in self.outputs if is_non_finite(v))

    def __str__(self) -> str:
        op = self.op
        lines = [f"{self.tensor.name} : Tensor had {self.kind} values (op '{op.name}', {op.type})"]
        if self.place:
            lines.append(f"  '{self.op.name}' was created at {self.place}")
        for t, v in self.inputs:
            lines.append(f"  input {t.name}: {_brief(v)}")
        if self.downstream:
            more = "" if len(self.downstream) <= 6 else f" ... ({len(self.downstream)} ops)"
            lines.append(f"  reaches: {', '.join(self.downstream[:6])}{more}")
        lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)

    __repr__ = __str__


def _brief(v: Any) -> str:
    arr = np.asarray(v) if v is not None else None
    if arr is None or arr.dtype == object:
        return repr(v)
    text = np.array2string(arr, precision=4, threshold=8, edgeitems=3).replace("\n", " ")
    return f"{text} (shape {list(arr.shape)}, {arr.dtype})"


_SHAPE_READERS = {"Shape", "ShapeN", "Rank", "Size", "ZerosLike", "OnesLike"}


def _downstream(op: Operation, plan: Any) -> list[str]:
    in_plan = set(plan.ops) if plan is not None else None
    seen: set[Operation] = set()
    stack = [op]
    while stack:
        for t in stack.pop().outputs:
            for user in op.graph._consumers.get(t, []):
                # ops reading only the shape (Rank, Shape...) do not carry the values on
                if user.type in _SHAPE_READERS:
                    continue
                if user not in seen and (in_plan is None or user in in_plan):
                    seen.add(user)
                    stack.append(user)
    return [o.name for o in sorted(seen, key=lambda o: o._id)]


_LOG_HINT = (
    "log(0) = -inf (and log of a negative number is NaN). For a cross-entropy, give the logits "
    "to tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits) instead of "
    "-tf.reduce_sum(y_ * tf.log(y)); otherwise keep the input away from 0: "
    "tf.log(tf.clip_by_value(y, 1e-10, 1.0)) or tf.log(y + 1e-10)."
)
_OVERFLOW_HINT = (
    "values grew beyond float32's range (about 3.4e38): the weights are diverging. Lower the "
    "learning rate, clip gradients (tf.clip_by_global_norm), or normalise the inputs."
)


def hint_for(op: Operation, inputs: list[Any], outputs: list[Any]) -> str:
    """A one-line cause and fix for ``op`` making NaN or Inf from ``inputs``."""
    t = op.type
    bad_in = [i for i, v in enumerate(inputs) if is_non_finite(v)]
    if bad_in:
        src = op.inputs[bad_in[0]].op
        return (
            f"its input {op.inputs[bad_in[0]].name} already held NaN or Inf ({src.type} "
            f"'{src.name}' made it before this run, or it was fed): check the data fed "
            "(np.isfinite(batch).all()) and re-initialise variables that hold NaN."
        )
    arrs = [np.asarray(v) if v is not None else None for v in inputs]

    def has(i: int, test: Any) -> bool:
        a = arrs[i] if i < len(arrs) else None
        return a is not None and a.dtype.kind in "fciu" and bool(np.any(test(a)))

    if t in ("Log", "Log1p", "Xlogy"):
        return _LOG_HINT
    if t in ("Div", "RealDiv", "TrueDiv", "FloorDiv", "FloorMod", "Reciprocal", "Inv"):
        if has(len(arrs) - 1, lambda a: a == 0):
            return (
                "division by zero: the denominator holds 0. Add a small epsilon (x / (y + 1e-8)), "
                "or use tf.div_no_nan(x, y) where 0/0 should be 0."
            )
    if t in ("Sqrt", "Rsqrt"):
        if has(0, lambda a: a < 0):
            return (
                "the square root of a negative number is NaN: check the sign of its input "
                "(tf.maximum(x, 0.0))."
            )
        return "rsqrt(0) = inf: add a small epsilon to its input (tf.rsqrt(x + 1e-8))."
    if t in ("Exp", "Expm1", "Pow", "Square"):
        return (
            f"{t} overflowed: its input is too large (exp(x) is inf from x > 88 in float32). Lower "
            "the learning rate; for a softmax use tf.nn.softmax, which subtracts the maximum first."
        )
    if t in ("Softmax", "LogSoftmax", "SoftmaxCrossEntropyWithLogits"):
        return "the logits reached inf: " + _OVERFLOW_HINT
    if t in ("MatMul", "BatchMatMul", "BatchMatMulV2", "Mul", "Add", "AddV2", "Sum", "Conv2D"):
        return _OVERFLOW_HINT
    if t in ("Sub",) and any(
        a is not None and np.isinf(a).any() for a in arrs if a is not None and a.dtype.kind == "f"
    ):
        return "inf - inf is NaN: " + _OVERFLOW_HINT
    return (
        f"{t} made NaN or Inf from finite inputs: look at the input values above for zeros, "
        "negative or very large numbers."
    )


class NonFiniteError(errors.InvalidArgumentError):
    """Raised by a watched run at the first op whose output holds NaN or Inf (``.report``)."""

    def __init__(self, report: NonFiniteReport) -> None:
        self.report = report
        message = (
            f"{report.tensor.name} : Tensor had {report.kind} values"
            f"\n\t [[{{{{node {report.op.name}}}}}]]"
        )
        super().__init__(None, report.op, message, report.hint)

    def __reduce__(self) -> Any:
        return errors.InvalidArgumentError, (None, None, self.message, self.hint)

    def __str__(self) -> str:
        head = self.message
        details = [line for line in str(self.report).splitlines()[1:]]
        return "\n".join([head, *details])


class NonFiniteWatch:
    """An execution observer (``execution.observers.append(watch)``) that raises
    :class:`NonFiniteError` after the first step whose output holds NaN or Inf; the ops after
    it do not run, so variables are not updated with NaN. ``.report`` keeps what it found."""

    def __init__(self) -> None:
        self.report: NonFiniteReport | None = None
        self._plan: Any = None

    def attach(self, execution: Any) -> None:
        """Watches ``execution`` (an :class:`~teachflow.execution.Execution`)."""
        self._plan = execution.plan
        execution.observers.append(self)

    def __call__(self, event: str, rec: Any) -> None:
        if event != "finished":
            return
        if any(is_non_finite(v) for v in rec.outputs):
            self.report = NonFiniteReport(rec.op, rec.index, rec.inputs, rec.outputs, self._plan)
            raise NonFiniteError(self.report)


def _execution(sess: Any, fetches: Any, feed_dict: Any) -> Any:
    if not hasattr(sess, "stepper"):
        raise TypeError(
            f"expected a tf.Session, got {type(sess).__name__}.\n  Hint: "
            "tf.debug.find_non_finite(sess, loss, feed_dict={x: batch})."
        )
    return sess.stepper(fetches, feed_dict)


def find_non_finite(sess: Any, fetches: Any, feed_dict: Any = None) -> NonFiniteReport | None:
    """Runs ``fetches`` op by op and stops at the first op whose output holds NaN or Inf.

    Returns a :class:`NonFiniteReport` (the op, its inputs' values, where it was built, a hint,
    the ops downstream), or None when every value was finite. The ops after the NaN's origin do
    not run: a training step stops before it writes NaN into the variables.
    """
    execution = _execution(sess, fetches, feed_dict)
    watch = NonFiniteWatch()
    watch.attach(execution)
    try:
        execution.run_to_end()
    except NonFiniteError as e:
        return e.report
    return None


@contextlib.contextmanager
def watch_non_finite(target: Any) -> Iterator[NonFiniteWatch]:
    """Within the block, ``target.run(...)`` (a session) or stepping ``target`` (an execution
    from ``sess.stepper``) raises :class:`NonFiniteError` at the first op making NaN or Inf.

    >>> import teachflow as tf
    >>> x = tf.placeholder(tf.float32)
    >>> y = tf.sqrt(x) * 2.0
    >>> sess = tf.Session()
    >>> with tf.debug.watch_non_finite(sess):
    ...     try:
    ...         sess.run(y, {x: -1.0})
    ...     except tf.debug.NonFiniteError as e:
    ...         print(e.report.op.type, e.report.kind)
    Sqrt NaN
    """
    watch = NonFiniteWatch()
    if hasattr(target, "observers"):  # an Execution being stepped
        watch.attach(target)
        try:
            yield watch
        finally:
            target.observers.remove(watch)
        return
    if not hasattr(target, "_run_observers"):
        raise TypeError(
            f"watch_non_finite expects a tf.Session or an execution (sess.stepper(...)), got "
            f"{type(target).__name__}."
        )
    target._run_observers.append(watch)
    try:
        yield watch
    finally:
        target._run_observers.remove(watch)


class GradientRecorder:
    """Each trainable variable's gradient norm and relative update, step by step.

    ``run(sess, train_op, feed_dict)`` runs one training step and records, for each variable
    ``v`` with gradient ``g``: ``grad_norm = ||g||`` and ``update_ratio = ||v_after - v_before|| /
    ||v_before||``. Variables are grouped by layer: the first part of their name scope.

    >>> import teachflow as tf
    >>> x = tf.constant([[1.0, 2.0]])
    >>> with tf.variable_scope("layer1"):
    ...     w = tf.get_variable("w", initializer=[[0.5], [0.5]])
    >>> loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
    >>> train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    >>> rec = tf.debug.GradientRecorder(loss)
    >>> sess = tf.Session(); sess.run(tf.global_variables_initializer())
    >>> _ = rec.run(sess, train)
    >>> rec.layers, [round(v, 3) for v in rec.grad_norm["layer1/w:0"]]
    ({'layer1': ['layer1/w:0']}, [6.708])
    """

    def __init__(self, loss: Any, var_list: Any = None) -> None:
        from teachflow.gradients import gradients
        from teachflow.variables import trainable_variables

        variables = list(var_list) if var_list is not None else trainable_variables()
        if not variables:
            raise ValueError(
                "No variables to record.\n  Hint: build the model (its tf.Variable or "
                "tf.get_variable calls) before the GradientRecorder."
            )
        grads = gradients(loss, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        self.variables = [v for _, v in pairs]
        self._grads = [g for g, _ in pairs]
        self.names = [v.name for v in self.variables]
        self.steps: list[int] = []
        self.grad_norm: dict[str, list[float]] = {n: [] for n in self.names}
        self.update_ratio: dict[str, list[float]] = {n: [] for n in self.names}
        self.layers: dict[str, list[str]] = {}
        # called as listener(recorder) after each recorded step (live views of the training)
        self.listeners: list[Callable[[GradientRecorder], None]] = []
        for n in self.names:
            self.layers.setdefault(n.split("/")[0].split(":")[0], []).append(n)

    def run(self, sess: Any, train_op: Any, feed_dict: Any = None, step: int | None = None) -> Any:
        """One training step: records the gradients before it, the update it made, and returns
        ``sess.run(train_op, feed_dict)``."""
        before, grads = sess.run([self.variables, self._grads], feed_dict)
        before = [np.array(b, copy=True) for b in before]
        result = sess.run(train_op, feed_dict)
        after = sess.run(self.variables)
        self.steps.append(len(self.steps) if step is None else step)
        for n, g, b, a in zip(self.names, grads, before, after):
            g = getattr(g, "values", g)  # IndexedSlices from a gather
            self.grad_norm[n].append(float(np.linalg.norm(np.asarray(g, dtype=np.float64))))
            size = float(np.linalg.norm(b.astype(np.float64)))
            change = float(np.linalg.norm((np.asarray(a) - b).astype(np.float64)))
            self.update_ratio[n].append(change / size if size else float("inf") if change else 0.0)
        for listener in list(self.listeners):
            listener(self)
        return result

    def layer_grad_norm(self) -> dict[str, list[float]]:
        """Per layer, the gradient norm over all its variables at each recorded step."""
        return {
            layer: [
                float(np.sqrt(sum(self.grad_norm[n][i] ** 2 for n in names)))
                for i in range(len(self.steps))
            ]
            for layer, names in self.layers.items()
        }

    def plot(self, ax: Any = None, what: str = "grad_norm") -> Any:
        """A matplotlib plot of each layer's gradient norm (``what="update_ratio"``: each
        variable's relative update) against the step, on a log scale."""
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(6, 3.5))[1]
        series = self.layer_grad_norm() if what == "grad_norm" else self.update_ratio
        colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, max(len(series), 1)))
        for colour, (name, values) in zip(colours, series.items()):  # first layer dark
            ax.plot(self.steps, values, label=name, color=colour)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("gradient norm" if what == "grad_norm" else "|update| / |value|")
        ax.legend(fontsize="small", ncol=2)
        return ax
