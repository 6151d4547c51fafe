"""``tf.train.Saver``: save variables to a checkpoint and restore them, in any later session.

>>> import os, tempfile
>>> import teachflow as tf
>>> tf.reset_default_graph()
>>> v = tf.Variable([1.0, 2.0], name="v")
>>> saver = tf.train.Saver()
>>> folder = tempfile.mkdtemp()
>>> with tf.Session() as sess:
...     sess.run(v.initializer)
...     path = saver.save(sess, os.path.join(folder, "model.ckpt"))
>>> with tf.Session() as sess:   # no initialization needed before restore
...     saver.restore(sess, path)
...     print(sess.run(v))
[1. 2.]

A Saver adds ``SaveV2`` and ``RestoreV2`` ops to the graph (``train/io_ops.py``); running them
writes and reads the checkpoint files (``train/checkpoint_format.py``). ``save`` then writes
``<prefix>.meta``, TensorFlow's ``MetaGraphDef`` of the graph (``meta_graph.py``), and the
directory's ``checkpoint`` state file (``train/checkpoint_management.py``), last: a crash in the
middle of a save leaves the previous checkpoint, and the state file pointing at it, intact.
Restoring reads and checks every value (names, dtypes, shapes) before assigning any variable.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import time
import warnings
from typing import Any

import numpy as np

from teachflow import dtypes, errors, paths
from teachflow.file_io import clean_stale_temps
from teachflow.graph import GraphKeys, Tensor, get_default_graph
from teachflow.meta_graph import SaverDef, export_meta_graph
from teachflow.ops import registry
from teachflow.ops.array_ops import identity
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.control_ops import group
from teachflow.ops.state_ops import assign
from teachflow.session import BaseSession
from teachflow.train import io_ops
from teachflow.train.checkpoint_format import INDEX_SUFFIX
from teachflow.train.checkpoint_management import (
    checkpoint_exists,
    remove_checkpoint,
    update_checkpoint_state,
)
from teachflow.variables import Variable

_log = logging.getLogger("teachflow")


def _is_variable_ref(t: Any) -> bool:
    return isinstance(t, Tensor) and t.dtype.is_ref and t.op.type == "VariableV2"


def _names_to_variables(var_list: Any) -> dict[str, Tensor]:
    """{checkpoint name: variable ref}, checked as TensorFlow's ``op_list_to_dict`` checks."""
    out: dict[str, Tensor] = {}
    if isinstance(var_list, dict):
        for name in sorted(var_list):
            var = var_list[name]
            t = var._ref() if isinstance(var, Variable) else convert_to_tensor(var, as_ref=True)
            if not _is_variable_ref(t):
                raise TypeError(
                    "names_to_saveables must be a dict mapping string names to Tensors/Variables. "
                    f"Not a variable: {t}"
                )
            if any(t is other for other in out.values()):
                raise ValueError(f"The same saveable will be restored with two names: {name}")
            out[name] = t
        return out
    if isinstance(var_list, (set, frozenset)):
        var_list = sorted(var_list, key=lambda v: str(getattr(v, "name", "")))
    for var in var_list:
        t = var._ref() if isinstance(var, Variable) else var
        if not _is_variable_ref(t):
            raise TypeError(f"Variable to save is not a Variable: {var}")
        name = t.op.name
        if name in out:
            raise ValueError(f"At least two variables have the same name: {name}")
        out[name] = t
    return dict(sorted(out.items()))


def _checked_max_to_keep(value: Any) -> int | None:
    """``max_to_keep`` as TensorFlow's SaverDef takes it: None or a whole number (an int32)."""
    if value is None:
        return None
    if not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"'{type(value).__name__}' object cannot be interpreted as an integer\n  Hint: "
            "max_to_keep counts checkpoints: a whole number such as 5 (None or 0 keeps them all)."
        )
    if not -(2**31) <= int(value) < 2**31:
        raise ValueError(
            f"Value out of range: {int(value)}\n  Hint: max_to_keep counts checkpoints; "
            "None or 0 keeps them all."
        )
    if value < 0:
        _log.warning(
            "max_to_keep=%d: only the newest checkpoint is kept (None or 0 keeps all).", value
        )
    return int(value)


class Saver:
    """Saves and restores variables (all global variables, or ``var_list``).

    Args:
      var_list: None (every global variable), a list of variables, or a dict
        ``{checkpoint name: variable}``.
      max_to_keep: how many recent checkpoints to keep (older ones are deleted); None or 0
        keeps all; the checkpoint just written is never deleted.
      keep_checkpoint_every_n_hours: also keep one checkpoint per this many hours.
      allow_empty: with no variables, save and restore do nothing instead of raising.
    """

    def __init__(
        self,
        var_list: Any = None,
        reshape: bool = False,
        sharded: bool = False,
        max_to_keep: int | None = 5,
        keep_checkpoint_every_n_hours: float | None = 10000.0,
        name: str | None = None,
        restore_sequentially: bool = False,
        saver_def: Any = None,
        builder: Any = None,
        defer_build: bool = False,
        allow_empty: bool = False,
        write_version: int = SaverDef.V2,
        pad_step_number: bool = False,
        save_relative_paths: bool = False,
        filename: str | None = None,
    ) -> None:
        unsupported = [
            (reshape, "reshape=True"),
            (saver_def is not None, "saver_def"),
            (builder is not None, "builder"),
        ]
        for flag, feature in unsupported:
            if flag:
                raise NotImplementedError(f"teachflow's Saver does not implement {feature}.")
        if write_version != SaverDef.V2:
            raise NotImplementedError("teachflow's Saver writes only the V2 checkpoint layout.")
        if keep_checkpoint_every_n_hours is None:  # as in TensorFlow: the default
            keep_checkpoint_every_n_hours = 10000.0
        value = keep_checkpoint_every_n_hours
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(
                f"keep_checkpoint_every_n_hours must be a number, got {value!r} of type "
                f"{type(value).__name__}.\n  Hint: e.g. Saver(keep_checkpoint_every_n_hours=1.0)."
            )
        max_to_keep = _checked_max_to_keep(max_to_keep)
        self._var_list = var_list
        # one device: a sharded checkpoint is the same single data file
        self._sharded = bool(sharded)
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._filename = filename
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._last_checkpoints: list[tuple[str, float]] = []
        self._to_delete: list[tuple[str, float]] = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        self._is_built = False
        self._is_empty = False
        self.saver_def: SaverDef | None = None
        if not defer_build:
            self.build()

    def build(self) -> None:
        """Adds the save and restore ops (``save/SaveV2``, ``save/restore_all``...) to the graph."""
        if self._is_built:
            return
        var_list = self._var_list
        if var_list is None:
            g = get_default_graph()
            var_list = g.get_collection(GraphKeys.GLOBAL_VARIABLES) + g.get_collection(
                GraphKeys.SAVEABLE_OBJECTS
            )
        if not var_list:
            if self._allow_empty:
                self._is_empty = True
                self._is_built = True
                return
            raise ValueError("No variables to save")
        named = _names_to_variables(var_list)
        self._vars = named
        g = next(iter(named.values())).graph
        self._graph = g
        self.saver_def = self._build_ops(g, named)
        self.saver_def.sharded = self._sharded
        self._is_built = True

    def _build_ops(self, g: Any, named: dict[str, Tensor]) -> SaverDef:
        names = list(named)
        refs = list(named.values())
        var_dtypes = [t.dtype.base_dtype for t in refs]
        shapes = [t.shape.as_list() if t.shape.is_fully_defined() else None for t in refs]
        with g.as_default(), g.name_scope(self._name or "save"):
            with g.name_scope("filename") as fscope:
                default = constant(self._filename or "model", name="input")
                fname = registry.make1(
                    "PlaceholderWithDefault",
                    [default],
                    {"dtype": dtypes.string, "shape": []},
                    fscope,
                )
            filename = registry.make1(
                "PlaceholderWithDefault", [fname], {"dtype": dtypes.string, "shape": []}, "Const"
            )
            with g.name_scope("SaveV2") as sscope:
                tensor_names = constant(names, name="tensor_names")
                slices = constant([""] * len(names), name="shape_and_slices")
                save = io_ops.save_v2(filename, tensor_names, slices, refs, sscope)
            with g.name_scope("control_dependency") as cscope, g.control_dependencies([save]):
                save_tensor = identity(filename, name=cscope)
            with g.name_scope("RestoreV2") as rscope:
                tensor_names = constant(names, name="tensor_names")
                slices = constant([""] * len(names), name="shape_and_slices")
                restored = io_ops.restore_v2(
                    filename, tensor_names, slices, var_dtypes, shapes, rscope
                )
            assigns = [
                assign(ref, value, validate_shape=shape is not None)
                for ref, value, shape in zip(refs, restored, shapes)
            ]
            restore_all = group(*assigns, name="restore_all")
        return SaverDef(
            filename.name, save_tensor.name, restore_all.name, self._max_to_keep or 0,
            self._keep_hours,
        )  # fmt: skip

    # -- saving -------------------------------------------------------------------------
    def save(
        self,
        sess: Any,
        save_path: Any,
        global_step: Any = None,
        latest_filename: str | None = None,
        meta_graph_suffix: str = "meta",
        write_meta_graph: bool = True,
        write_state: bool = True,
        strip_default_attrs: bool = False,
        save_debug_info: bool = False,
    ) -> str | None:
        """Saves the variables' values in ``sess``; returns the checkpoint prefix.

        Args:
          sess: the session whose values are saved.
          save_path: the prefix, e.g. "/tmp/model.ckpt" (its directory must exist).
          global_step: an int or a variable/tensor; appended as ``<save_path>-<step>``.
          latest_filename: name of the state file (default "checkpoint").
          write_state: update the state file (and delete checkpoints beyond max_to_keep).
        """
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if not isinstance(sess, BaseSession):
            raise TypeError(f"'sess' must be a Session; {sess}")
        latest_filename = latest_filename or "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        save_path = paths.as_path(save_path, "save_path")
        if global_step is not None:
            if not isinstance(global_step, (int, np.integer)):
                global_step = int(sess.run(global_step))
            step = f"{int(global_step):08d}" if self._pad_step_number else str(int(global_step))
            checkpoint_file = f"{save_path}-{step}"
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename:
                raise ValueError(
                    f"'latest_filename' collides with 'save_path': '{latest_filename}' and "
                    f"'{save_path}'"
                )
        parent = os.path.dirname(save_path)
        if self._is_empty:
            return None
        # left by crashed saves of this prefix (any step) or of the state file
        clean_stale_temps(parent, os.path.basename(save_path))
        clean_stale_temps(parent, latest_filename)
        assert self.saver_def is not None
        try:
            path = io_ops.string_value(
                sess.run(
                    self.saver_def.save_tensor_name,
                    {self.saver_def.filename_tensor_name: checkpoint_file},
                )
            )
        except (errors.FailedPreconditionError, errors.NotFoundError) as e:
            if not os.path.isdir(parent or "."):
                raise ValueError(
                    f"Parent directory of {save_path} doesn't exist, can't save."
                ) from None
            raise e from None
        if write_meta_graph and _have_protos():
            self.export_meta_graph(f"{checkpoint_file}.{meta_graph_suffix}")
        if write_state:
            self._record(path)
            update_checkpoint_state(
                parent,
                path,
                [p for p, _ in self._last_checkpoints],
                latest_filename,
                self._save_relative_paths,
            )
            self._delete_old()
        return path

    def _record(self, path: str) -> None:
        if not self._max_to_keep:
            return
        self._last_checkpoints = [c for c in self._last_checkpoints if c[0] != path]
        self._last_checkpoints.append((path, time.time()))
        # a negative max_to_keep keeps the newest one (TensorFlow deletes even the one written)
        if len(self._last_checkpoints) > max(self._max_to_keep, 1):
            self._to_delete.append(self._last_checkpoints.pop(0))

    def _delete_old(self) -> None:
        if not self._to_delete:
            return
        path, stamp = self._to_delete.pop(0)
        if stamp > self._next_checkpoint_time:
            self._next_checkpoint_time += self._keep_hours * 3600
            return
        try:
            remove_checkpoint(path)
        except OSError as e:
            _log.warning("Ignoring: %s", e)

    @property
    def last_checkpoints(self) -> list[str]:
        """The checkpoints this Saver keeps, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints: list[str]) -> None:
        kept = _path_list(last_checkpoints, "last_checkpoints")
        self._last_checkpoints = [(p, time.time()) for p in kept]

    def recover_last_checkpoints(self, checkpoint_paths: list[str]) -> None:
        """Takes over existing checkpoints (e.g. after a restart) for ``max_to_keep``."""
        stamps = []
        for p in _path_list(checkpoint_paths, "checkpoint_paths"):
            with contextlib.suppress(OSError):
                stamps.append((p, os.path.getmtime(p + INDEX_SUFFIX)))
        self._last_checkpoints = sorted(stamps, key=lambda c: c[1])

    # -- restoring ----------------------------------------------------------------------
    def restore(self, sess: Any, save_path: Any) -> None:
        """Assigns the saved values to the variables in ``sess`` (no initialization needed).

        Raises:
          ValueError: ``save_path`` is not a checkpoint.
          NotFoundError: a variable is missing from the checkpoint.
          InvalidArgumentError: a dtype or shape differs from the saved one.
          DataLossError: the checkpoint files are damaged.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        prefix = paths.as_path(save_path, "save_path")
        if not checkpoint_exists(prefix):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {prefix}")
        assert self.saver_def is not None
        try:
            sess.run(self.saver_def.restore_op_name, {self.saver_def.filename_tensor_name: prefix})
        except errors.NotFoundError as e:
            raise _wrap_restore_error(
                e, "a Variable name or other graph key that is missing"
            ) from None
        except errors.InvalidArgumentError as e:
            raise _wrap_restore_error(
                e, "a mismatch between the current graph and the graph"
            ) from None

    def export_meta_graph(
        self,
        filename: Any = None,
        collection_list: Any = None,
        as_text: bool = False,
        export_scope: str | None = None,
        clear_devices: bool = False,
        clear_extraneous_savers: bool = False,
        strip_default_attrs: bool = False,
        save_debug_info: bool = False,
    ) -> Any:
        """The graph, this Saver's op names and the collections as a ``MetaGraphDef``, also
        written to ``filename`` if given (what ``save`` writes as ``<prefix>.meta``)."""
        return export_meta_graph(
            filename,
            saver_def=self.saver_def,
            collection_list=collection_list,
            as_text=as_text,
            graph=getattr(self, "_graph", None),
            export_scope=export_scope,
            clear_devices=clear_devices,
        )

    def as_saver_def(self) -> SaverDef | None:
        return self.saver_def


def _have_protos() -> bool:
    """Whether TensorFlow's protos (the ``tensorboard`` package) are here to write a ``.meta``
    file; checkpoints themselves need numpy alone, so without them ``save`` skips it, saying so
    once."""
    if importlib.util.find_spec("tensorboard") is not None:
        return True
    warnings.warn(
        "teachflow: Saver.save wrote no .meta file: it needs the tensorboard package "
        "(pip install 'teachflow[tensorboard]'). The checkpoint itself is complete.",
        stacklevel=3,
    )
    return False


def _path_list(values: Any, what: str) -> list[str]:
    """A list of checkpoint prefixes; a clear TypeError for anything else."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise TypeError(
            f"{what} must be a list of checkpoint paths, got {values!r}.\n  Hint: e.g. "
            "tf.train.get_checkpoint_state(folder).all_model_checkpoint_paths."
        )
    return [paths.as_path(p, what) for p in values]


def _wrap_restore_error(e: errors.OpError, what: str) -> errors.OpError:
    msg = (
        f"Restoring from checkpoint failed. This is most likely due to {what} from the "
        "checkpoint. Please ensure that you have not altered the graph expected based on the "
        f"checkpoint. Original error:\n\n{e.message}"
    )
    return type(e)(e.node_def, e.op, msg, e.hint)  # type: ignore[arg-type]
