"""``GradientFlow``: each layer's gradient norm and relative update, live while training.

A view of a :class:`teachflow.debug.GradientRecorder` (it listens to it): every
``recorder.run(sess, train_op, feed)`` adds a point, sent to the browser as it happens (a few
messages a second at most), so vanishing gradients (the first layers' norms orders of magnitude
below the last's) and exploding ones are seen at a glance.

>>> import teachflow as tf
>>> from teachflow.widgets import GradientFlow
>>> tf.reset_default_graph()
>>> x = tf.constant([[1.0, 2.0]])
>>> with tf.variable_scope("layer1"):
...     w = tf.get_variable("w", initializer=[[0.5], [0.5]])
>>> loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
>>> train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
>>> rec = tf.debug.GradientRecorder(loss)
>>> flow = GradientFlow(rec)
>>> sess = tf.Session(); sess.run(tf.global_variables_initializer())
>>> _ = rec.run(sess, train)
>>> flow.latest()["layer1"]["grad_norm"]
6.708...
"""

from __future__ import annotations

import math
import time
import weakref
from typing import Any

import anywidget
import traitlets

from teachflow.widgets import _bundle, _lifecycle

LANGS = ("en", "ja")
SEND_EVERY = 0.25  # seconds: at most this often a message while training runs


def _num(x: float) -> float | None:
    """JSON has no inf or NaN: they travel as None (a gap in the line)."""
    return x if math.isfinite(x) else None


class GradientFlow(anywidget.AnyWidget):  # type: ignore[misc]
    """Gradient norms and ``|update| / |value|`` per layer (or variable), step by step.

    ``GradientFlow(recorder, lang="en")``: the recorder's ``run`` updates the view live;
    ``update()`` sends what was recorded otherwise.
    """

    _esm = _bundle.path("gradientflow.js")
    _css = _bundle.path("gradientflow.css")

    title = traitlets.Unicode("").tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    # [{"layer", "variables": [names]}] in the order the layers were built (input side first)
    layers = traitlets.List(traitlets.Any()).tag(sync=True)
    # "layer" (one line per layer: the norm over its variables) or "variable"
    group = traitlets.Unicode("layer").tag(sync=True)
    n_steps = traitlets.Int(0).tag(sync=True)

    def __init__(self, recorder: Any, *, lang: str = "en", **kwargs: Any) -> None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {lang!r}.")
        if not all(hasattr(recorder, a) for a in ("grad_norm", "layers", "listeners")):
            raise TypeError(
                f"GradientFlow needs a tf.debug.GradientRecorder, got {type(recorder).__name__}."
                "\n  Hint: rec = tf.debug.GradientRecorder(loss); GradientFlow(rec); then "
                "rec.run(sess, train_op, feed_dict) in the training loop."
            )
        if not kwargs.get("title"):
            kwargs["title"] = "勾配の流れ" if lang == "ja" else "Gradient flow"
        super().__init__(lang=lang, **kwargs)
        self._recorder = recorder
        self._sent = 0
        self._last_send = 0.0
        self.messages_sent = 0
        self.layers = [{"layer": k, "variables": list(v)} for k, v in recorder.layers.items()]
        self.n_steps = len(recorder.steps)
        self._hook(recorder)
        self.on_msg(self._on_custom_msg)
        _lifecycle.adopt(self)

    # -- public ------------------------------------------------------------------------------
    @property
    def recorder(self) -> Any:
        return self._recorder

    def update(self) -> None:
        """Sends the steps recorded since the last message."""
        self._send_new(force=True)

    def latest(self) -> dict[str, dict[str, float]]:
        """Per layer, the last step's gradient norm and largest relative update."""
        rec = self._recorder
        if not rec.steps:
            return {}
        norms = rec.layer_grad_norm()
        return {
            layer: {
                "grad_norm": norms[layer][-1],
                "update_ratio": max(rec.update_ratio[n][-1] for n in names),
            }
            for layer, names in rec.layers.items()
        }

    # -- data ----------------------------------------------------------------------------------
    def _series(self, start: int) -> dict[str, Any]:
        rec = self._recorder
        steps = rec.steps[start:]
        norms = rec.layer_grad_norm()
        layer_ratio = {
            layer: [
                max(rec.update_ratio[n][i] for n in names) for i in range(start, len(rec.steps))
            ]
            for layer, names in rec.layers.items()
        }
        return {
            "start": start,
            "steps": list(steps),
            "layer_grad": {k: [_num(x) for x in v[start:]] for k, v in norms.items()},
            "layer_ratio": {k: [_num(x) for x in v] for k, v in layer_ratio.items()},
            "var_grad": {k: [_num(x) for x in v[start:]] for k, v in rec.grad_norm.items()},
            "var_ratio": {k: [_num(x) for x in v[start:]] for k, v in rec.update_ratio.items()},
        }

    def _send_new(self, force: bool = False) -> None:
        n = len(self._recorder.steps)
        self.n_steps = n
        if n <= self._sent:
            return
        now = time.monotonic()
        if not force and now - self._last_send < SEND_EVERY:
            return
        message = {"event": "points", **self._series(self._sent)}
        self._sent = n
        self._last_send = now
        self.messages_sent += 1
        self.send(message)

    def _hook(self, recorder: Any) -> None:
        """Listens to the recorder: each recorded training step reaches the view."""
        me = weakref.ref(self)

        def on_step(rec: Any) -> None:
            view = me()
            if view is None:  # the widget is gone: stop listening
                rec.listeners.remove(on_step)
            else:
                view._send_new()

        recorder.listeners.append(on_step)

    def _on_custom_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("event") == "sync":
            # a new view (or a page reload): everything from the start
            self.messages_sent += 1
            self.send({"event": "points", "reset": True, **self._series(0)})
            self._sent = len(self._recorder.steps)
        elif content.get("event") == "flush":
            self._send_new(force=True)
