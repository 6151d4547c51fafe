"""``tf.train``: optimizers, the global step, and saving/restoring variables.

>>> import teachflow as tf
>>> W = tf.Variable(0.0)
>>> loss = tf.square(W - 3.0)
>>> train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
>>> with tf.Session() as sess:
...     sess.run(tf.global_variables_initializer())
...     for _ in range(20):
...         _ = sess.run(train)
...     print(round(float(sess.run(W)), 3))
3.0
"""

from __future__ import annotations

# ruff: noqa: F401 - this module is the public tf.train namespace
from typing import Any

from teachflow.meta_graph import SaverDef, export_meta_graph
from teachflow.train.checkpoint_management import (
    CheckpointState,
    checkpoint_exists,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from teachflow.train.checkpoint_utils import list_variables, load_variable
from teachflow.train.composite_optimizers import (
    AdadeltaOptimizer,
    FtrlOptimizer,
    ProximalGradientDescentOptimizer,
)
from teachflow.train.global_step import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)
from teachflow.train.learning_rate_decay import (
    cosine_decay,
    exponential_decay,
    inverse_time_decay,
    natural_exp_decay,
    piecewise_constant,
    polynomial_decay,
)
from teachflow.train.optimizer import Optimizer
from teachflow.train.optimizers import (
    AdagradOptimizer,
    AdamOptimizer,
    GradientDescentOptimizer,
    MomentumOptimizer,
    RMSPropOptimizer,
)
from teachflow.train.saver import Saver

# -- names owned by other modules, imported lazily -------------------------------------------
# ``tf.train.SummaryWriter`` (0.x) is ``tf.summary.FileWriter``; ``tf.train.write_graph`` is
# the GraphDef writer of ``teachflow.graph_def``. Both are looked up on first use so that
# ``import teachflow`` does not load the summary/export machinery.
_LAZY = {
    "SummaryWriter": ("teachflow.summary", "FileWriter"),
    "write_graph": ("teachflow.graph_def", "write_graph"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:
            raise AttributeError(
                f"tf.train.{name} is not available: {module}.{attr} could not be imported ({e})."
            ) from e
    if name in _KNOWN:
        from teachflow.unsupported import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.train.{name} (TensorFlow 1.x has it). "
            f"Hint: {_KNOWN[name]}."
        )
    raise AttributeError(f"module 'teachflow.train' has no attribute '{name}'")


_FEED_BATCHES = "load the data with numpy and feed batches with feed_dict"
# tf.train names learners meet in TensorFlow 1.x tutorials, with what to do instead here
_KNOWN = {
    "import_meta_graph": "rebuild the graph with the same Python code, then Saver.restore",
    "MonitoredTrainingSession": "use tf.Session and a Python training loop",
    "Coordinator": _FEED_BATCHES,
    "start_queue_runners": _FEED_BATCHES,
    "batch": _FEED_BATCHES,
    "shuffle_batch": _FEED_BATCHES,
    "string_input_producer": _FEED_BATCHES,
    "ExponentialMovingAverage": "keep the average with tf.assign in your training loop",
    "Checkpoint": "use tf.train.Saver",
}
