"""Runs a TensorFlow 1.x script on the installed TensorFlow 2 the way TensorFlow 1.x ran it.

``python tests/compat/tf1_runner.py lab.py [args]`` (or ``--many OUT_DIR lab1.py lab2.py ...``,
one printout file per script): ``import tensorflow`` gives
``tensorflow.compat.v1`` with v2 behaviour disabled, ``tf.layers`` is TensorFlow 1.x's own layers
(kept in ``tf_keras``), ``tensorflow.examples.tutorials.mnist`` is the pure-Python MNIST reader
TensorFlow 1.x shipped (teachflow's copy: TensorFlow 2 dropped it), ``tf.contrib.layers`` has
the initializers contrib defined as core ones. The compat suite compares what a script prints
here and under ``python -m teachflow``.
"""

from __future__ import annotations

import os
import runpy
import sys
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def install() -> None:
    import warnings

    import tensorflow as real
    import tensorflow.compat.v1 as v1

    warnings.filterwarnings("ignore")
    v1.disable_v2_behavior()
    v1.logging.set_verbosity(v1.logging.ERROR)
    import importlib.util

    from tf_keras.src.legacy_tf_layers import convolutional, core, normalization, pooling

    layers = types.SimpleNamespace(
        dense=core.dense, Dense=core.Dense, dropout=core.dropout, flatten=core.flatten,
        conv2d=convolutional.conv2d, max_pooling2d=pooling.max_pooling2d,
        average_pooling2d=pooling.average_pooling2d,
        batch_normalization=normalization.batch_normalization,
    )  # fmt: skip
    from tensorflow.python.ops import rnn
    from tf_keras.src.layers.rnn import legacy_cell_wrappers, legacy_cells

    rnn_cell = types.SimpleNamespace(
        BasicRNNCell=legacy_cells.BasicRNNCell, BasicLSTMCell=legacy_cells.BasicLSTMCell,
        LSTMCell=legacy_cells.LSTMCell, GRUCell=legacy_cells.GRUCell,
        MultiRNNCell=legacy_cells.MultiRNNCell, LSTMStateTuple=legacy_cells.LSTMStateTuple,
        DropoutWrapper=legacy_cell_wrappers.DropoutWrapper,
    )  # fmt: skip
    contrib_rnn = types.ModuleType("tensorflow.contrib.rnn")
    contrib_rnn.__dict__.update(vars(rnn_cell), static_rnn=rnn.static_rnn)
    contrib_layers = types.ModuleType("tensorflow.contrib.layers")
    contrib_layers.xavier_initializer = v1.glorot_uniform_initializer  # type: ignore[attr-defined]
    contrib = types.ModuleType("tensorflow.contrib")
    contrib.__dict__.update(rnn=contrib_rnn, layers=contrib_layers)
    for module in (contrib, contrib_rnn, contrib_layers):
        sys.modules[module.__name__] = module

    class NN(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            if name == "rnn_cell":
                return rnn_cell
            if name == "static_rnn":
                return rnn.static_rnn
            return getattr(v1.nn, name)

    nn = NN("tensorflow.nn")

    class TF1(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            if name == "layers":
                return layers
            if name == "contrib":
                return contrib
            if name == "nn":
                return nn
            return getattr(v1, name)

    shim = TF1("tensorflow")
    shim.__path__ = real.__path__  # type: ignore[attr-defined]
    sys.modules["tensorflow"] = shim
    for name in ("examples", "examples.tutorials", "examples.tutorials.mnist"):
        sys.modules["tensorflow." + name] = types.ModuleType("tensorflow." + name)
    mnist = sys.modules["tensorflow.examples.tutorials.mnist"]
    from teachflow.examples.tutorials.mnist import input_data

    # the Mechanics 101 model: teachflow's file, built with TensorFlow (TensorFlow 2 dropped it)
    spec = importlib.util.find_spec("teachflow.examples.tutorials.mnist.mnist")
    assert spec is not None and spec.origin is not None
    with open(spec.origin) as f:
        source = f.read().replace("import teachflow as tf", "import tensorflow as tf")
    model = types.ModuleType("tensorflow.examples.tutorials.mnist.mnist")
    exec(compile(source, spec.origin, "exec"), model.__dict__)  # noqa: S102 - our own file
    mnist.__dict__.update(input_data=input_data, mnist=model)
    sys.modules[model.__name__] = model
    sys.modules["tensorflow.examples.tutorials.mnist.input_data"] = input_data

    def numpy_seed(seed: int | None) -> int | None:
        # TensorFlow 1.x's reader took TensorFlow's graph seed (get_seed had no side effect then;
        # TensorFlow 2's counts calls, so it is not called here)
        if seed is not None:
            return seed
        graph_seed = v1.get_default_graph().seed
        return None if graph_seed is None else graph_seed % (2**31 - 1)

    input_data._numpy_seed = numpy_seed  # type: ignore[assignment]


def run_many(out_dir: str, scripts: list[str]) -> None:
    """Runs each script in turn (a fresh default graph each), writing its printout to
    ``out_dir/<name>.txt`` (or its error to ``<name>.err``): one TensorFlow import for all."""
    import contextlib
    import io
    import traceback

    import tensorflow.compat.v1 as v1

    for script in scripts:
        name = os.path.splitext(os.path.basename(script))[0]
        v1.reset_default_graph()
        sys.argv = [script]
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(script, run_name="__main__")
        except SystemExit as e:
            if e.code not in (None, 0):
                out.write(f"exit {e.code}\n")
        except Exception:  # noqa: BLE001 - reported to the test
            with open(os.path.join(out_dir, name + ".err"), "w") as f:
                f.write(traceback.format_exc())
        with open(os.path.join(out_dir, name + ".txt"), "w") as f:
            f.write(out.getvalue())


if __name__ == "__main__":
    install()
    if sys.argv[1] == "--many":
        run_many(sys.argv[2], sys.argv[3:])
    else:
        script, *args = sys.argv[1:]
        sys.argv = [script, *args]
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        runpy.run_path(script, run_name="__main__")
