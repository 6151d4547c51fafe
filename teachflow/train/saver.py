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

Checkpoint format
-----------------
A checkpoint is named by a *prefix* (what ``save`` returns, e.g. ``/tmp/model.ckpt`` or
``ckpt/model-2`` with ``global_step=2``) and is two files, as in TensorFlow:

* ``<prefix>.data-00000-of-00001``: the values, a numpy ``.npz`` archive (an uncompressed zip
  of ``.npy`` files) with one array per variable, keyed by its checkpoint name (the variable's
  op name, e.g. ``layer1/W``, or the key of a ``Saver({name: var})`` dict). String variables
  are stored as fixed-width bytes. Read it without teachflow:
  ``np.load("model.ckpt.data-00000-of-00001", allow_pickle=False)["layer1/W"]``.
* ``<prefix>.index``: a small JSON text file naming the data file and listing each tensor's
  dtype and shape. A checkpoint exists when its index exists.

and the directory's ``checkpoint`` file records the latest checkpoints in TensorFlow's text
format (paths relative to the directory when the save path was relative)::

    model_checkpoint_path: "model-2"
    all_model_checkpoint_paths: "model-1"
    all_model_checkpoint_paths: "model-2"

Every file is written to a temporary file in the same directory, flushed to disk and renamed
over the old one, data file first, index next, ``checkpoint`` file last: a crash in the middle
of a save leaves the previous checkpoint (and the ``checkpoint`` file pointing at it) intact
(and may leave a hidden ``.<file name>.<pid>-<random>.tmp`` file, deleted by the next save of
the same prefix once its process has ended).
The index marks that the checkpoint exists; the data file alone decides which values are
restored (zip checksums catch damaged ones). Restoring
reads and checks every value (names, dtypes, shapes) before assigning any variable.

``save`` also writes ``<prefix>.meta``, TensorFlow's ``MetaGraphDef`` of the graph (real
TensorFlow's ``tf.train.import_meta_graph`` loads it; teachflow builds graphs from Python code
only). teachflow cannot read checkpoints written by TensorFlow (nor TensorFlow teachflow's).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import stat
import time
import zipfile
from collections.abc import Callable, Sequence
from typing import IO, Any

import numpy as np

from teachflow import dtypes, errors, paths
from teachflow.gradients import not_differentiable
from teachflow.graph import Graph, GraphKeys, Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.tensor_shape import TensorShape
from teachflow.variables import Variable

_log = logging.getLogger("teachflow")
_FORMAT = "teachflow-checkpoint"
_DATA_SUFFIX = ".data-00000-of-00001"
_INDEX_SUFFIX = ".index"
# the index and ``checkpoint`` files are small text: larger ones are not read
_MAX_SMALL_FILE = 64 * 2**20


# -- writing files atomically -------------------------------------------------------------------


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path or ".", os.O_RDONLY)
    except OSError:
        return  # some platforms cannot open directories; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temp(path: str) -> tuple[int, str]:
    """A new hidden temporary file next to ``path``, named after it and this process.

    Created with mode 0o666 so that the process's umask *now* decides its permissions, as for
    any file a program creates (the umask may change after import).
    """
    parent, base = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(parent, f".{base}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {path}")  # pragma: no cover


def _process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError, OverflowError):
        return False  # it exists (another user's), or the pid is odd: keep its file
    return False


def clean_stale_temps(directory: str, name_prefix: str) -> None:
    """Deletes temporary files left by crashed saves of files starting with ``name_prefix`` in
    ``directory``: those whose writing process has ended (files of running saves stay)."""
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return
    start = "." + name_prefix
    for name in names:
        if not (name.startswith(start) and name.endswith(".tmp")):
            continue
        owner = name[: -len(".tmp")].rpartition(".")[2].partition("-")[0]
        if owner.isdigit() and int(owner) != os.getpid() and _process_is_gone(int(owner)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))


def atomic_write(path: str, write: Callable[[IO[bytes]], Any]) -> None:
    """Writes ``path`` so that readers see either the old file or the whole new one."""
    parent = os.path.dirname(path) or "."
    try:
        fd, tmp = _create_temp(path)
    except OSError as e:
        raise paths.os_error(e, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise paths.os_error(e, path) from None
        raise
    _fsync_dir(parent)


def _tf_type_name(dt: dtypes.DType) -> str:
    """TensorFlow's C++ name of a dtype, as its error messages print it."""
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dt.name, dt.name)


# -- the checkpoint files -----------------------------------------------------------------------


def _to_storable(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object:  # tf.string: bytes objects -> fixed-width bytes, no pickling
        items = [x.encode() if isinstance(x, str) else bytes(x) for x in arr.reshape(-1)]
        if any(x.endswith(b"\0") for x in items):
            raise NotImplementedError(
                f"teachflow cannot save the string variable {name}: a value ends with a NUL byte."
            )
        return np.array(items, dtype=bytes).reshape(arr.shape)
    return arr


def _dtype_name(value: Any) -> str:
    dt = np.asarray(value).dtype
    return "string" if dt.kind == "O" else str(dt)


def write_checkpoint(prefix: str, tensors: Sequence[tuple[str, Any]]) -> None:
    """Writes ``<prefix>.data-00000-of-00001`` then ``<prefix>.index`` (see the module doc)."""
    data_path, index_path = prefix + _DATA_SUFFIX, prefix + _INDEX_SUFFIX
    parent = os.path.dirname(prefix) or "."
    try:  # as TensorFlow's SaveV2: a missing directory (one level, not its parents) is created
        if not os.path.isdir(parent):
            with contextlib.suppress(FileExistsError):  # made meanwhile by another saver: fine
                os.mkdir(parent)
        if not os.path.isdir(parent):
            raise NotADirectoryError(parent)
    except OSError:
        raise errors.NotFoundError(
            None,
            None,
            f"Failed to create a NewWriteableFile: {data_path} : No such file or directory",
            "save into a directory that exists or can be created.",
        ) from None
    arrays = [(name, _to_storable(name, value)) for name, value in tensors]

    def write_data(f: IO[bytes]) -> None:
        with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, arr in arrays:
                with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                    np.lib.format.write_array(member, arr, allow_pickle=False)

    index = {
        "format": _FORMAT,
        "version": 1,
        "data": os.path.basename(data_path),
        "tensors": {
            name: {"dtype": _dtype_name(value), "shape": list(np.shape(value))}
            for name, value in tensors
        },
    }
    index_bytes = (json.dumps(index, indent=1) + "\n").encode()
    clean_stale_temps(parent, os.path.basename(prefix))
    atomic_write(data_path, write_data)
    atomic_write(index_path, lambda f: f.write(index_bytes))


def _data_loss(prefix: str, why: str) -> errors.OpError:
    return errors.DataLossError(
        None,
        None,
        f"Unable to read checkpoint {prefix}: {why}",
        "the checkpoint is damaged or was not written by teachflow's Saver; restore another "
        "one (tf.train.get_checkpoint_state(dir).all_model_checkpoint_paths lists them).",
    )


def _read_index(prefix: str) -> dict[str, Any]:
    """The checkpoint's index (bounded read), checked to be a teachflow index."""
    index_path = prefix + _INDEX_SUFFIX
    if not os.path.exists(index_path):
        raise errors.NotFoundError(
            None,
            None,
            f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for "
            f"{prefix}",
            "pass the prefix that saver.save returned (or tf.train.latest_checkpoint(dir)).",
        )
    try:
        index = json.loads(paths.read_small(index_path, _MAX_SMALL_FILE).decode())
    except (OSError, ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        index = None
    tensors = index.get("tensors") if isinstance(index, dict) else None
    if (
        not isinstance(index, dict)
        or index.get("format") != _FORMAT
        or not isinstance(tensors, dict)
        or not all(_is_entry(e) for e in tensors.values())
    ):
        raise _data_loss(prefix, f"{index_path} is not a teachflow checkpoint index")
    return index


def _is_entry(entry: Any) -> bool:
    shape = entry.get("shape") if isinstance(entry, dict) else None
    return (
        isinstance(shape, list)
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        and isinstance(entry.get("dtype"), str)
    )


def _open_checkpoint(prefix: str) -> Any:
    """The checkpoint's data file as an ``np.load`` archive (its index checked first), with the
    index's tensor table as ``archive.index``."""
    index = _read_index(prefix)
    data_path = prefix + _DATA_SUFFIX
    try:
        with open(data_path, "rb") as f:
            regular = stat.S_ISREG(os.fstat(f.fileno()).st_mode)
        if not regular:
            raise ValueError(f"{data_path} is not a regular file")
        archive = np.load(data_path, allow_pickle=False)
    except FileNotFoundError:
        raise _data_loss(prefix, f"its data file {data_path} is missing") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise _data_loss(prefix, f"{data_path} is not a numpy .npz archive ({e})") from None
    if not hasattr(archive, "zip"):  # a plain .npy file
        raise _data_loss(prefix, f"{data_path} is not a numpy .npz archive")
    archive.index = index["tensors"]
    return archive


class _Stored:
    """What a stored array's ``.npy`` header and zip entry say, read before its values."""

    def __init__(self, shape: list[int], dtype: np.dtype[Any]) -> None:
        self.shape = shape
        self.dtype = dtype


def _stored(archive: Any, prefix: str, name: str) -> _Stored:
    """The shape and dtype of a stored array, from its headers, after checking that the zip
    entry holds exactly that many bytes and that the index agrees: a small damaged or hostile
    file cannot make a reader allocate more than it declares."""
    member = name + ".npy"
    try:
        info = archive.zip.getinfo(member)
        with archive.zip.open(member) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
            header_end = f.tell()
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise _data_loss(prefix, f"the header of {name} cannot be read ({e})") from None
    if dtype.hasobject:
        raise _data_loss(prefix, f"{name} is stored as Python objects")
    n = 1
    for d in shape:
        n *= int(d)
    if info.file_size != header_end + n * dtype.itemsize:
        raise _data_loss(
            prefix,
            f"the entry of {name} holds {info.file_size} bytes, not the "
            f"{header_end + n * dtype.itemsize} its header declares",
        )
    entry = archive.index.get(name)
    if entry is not None and entry["shape"] != list(shape):
        raise _data_loss(
            prefix,
            f"{name} has shape {list(shape)} in the data file, {entry['shape']} in the index",
        )
    return _Stored(list(shape), dtype)


def _load(archive: Any, prefix: str, name: str) -> np.ndarray:
    stored = _stored(archive, prefix, name)
    registry.check_alloc(stored.shape, _as_dtype(stored.dtype))
    try:
        arr = archive[name]
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise _data_loss(prefix, f"the value of {name} cannot be read ({e})") from None
    if arr.dtype.kind == "S":
        arr = arr.astype(object)
    return np.asarray(arr)


def _as_dtype(dt: np.dtype[Any]) -> dtypes.DType:
    return dtypes.string if dt.kind == "S" else dtypes.as_dtype(dt)


def read_checkpoint(
    prefix: str,
    names: Sequence[str],
    want_dtypes: Sequence[dtypes.DType],
    want_shapes: Sequence[Any],
) -> list[np.ndarray]:
    """The values of ``names``, each checked against its dtype and shape (None: any shape)
    from the file headers before any value is read."""
    archive = _open_checkpoint(prefix)
    with archive:
        stored = set(archive.files)
        for name in names:
            if name not in stored:
                raise errors.NotFoundError(
                    None,
                    None,
                    f"Key {name} not found in checkpoint",
                    "the graph has a variable the checkpoint lacks: restore with a Saver over "
                    "the variables that were saved (Saver(var_list=...)).",
                )
        for name, dt, shape in zip(names, want_dtypes, want_shapes):
            header = _stored(archive, prefix, name)
            try:
                have = _as_dtype(header.dtype)
            except TypeError:
                raise _data_loss(prefix, f"{name} has the unknown dtype {header.dtype}") from None
            if have != dt.base_dtype:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"tensor_name = {name}; expected dtype {_tf_type_name(dt.base_dtype)} does "
                    f"not equal original dtype {_tf_type_name(have)}",
                    "create the variable with the dtype it was saved with.",
                )
            if shape is not None and header.shape != list(shape):
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    "Assign requires shapes of both tensors to match. lhs shape= "
                    f"{list(shape)} rhs shape= {header.shape}",
                    f"the variable {name} has another shape than the one saved.",
                )
        return [_load(archive, prefix, name) for name in names]


def _as_str(x: Any) -> str:
    x = x[()] if isinstance(x, np.ndarray) else x
    return x.decode() if isinstance(x, bytes) else str(x)


@registry.define("SaveV2", infer=registry.no_outputs, stateful=True, grad=not_differentiable)
def _save_v2_kernel(prefix: Any, tensor_names: Any, shape_and_slices: Any, *tensors: Any) -> None:
    """writes tensors[i] under tensor_names[i] to the checkpoint <prefix>"""
    names = [_as_str(n) for n in np.asarray(tensor_names).reshape(-1)]
    write_checkpoint(_as_str(prefix), list(zip(names, tensors)))


def _restore_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    shapes = op.attrs.get("_shapes") or [None] * len(op.attrs["dtypes"])
    return [(dt, TensorShape(s)) for dt, s in zip(op.attrs["dtypes"], shapes)]


@registry.define(
    "RestoreV2", infer=_restore_infer, ctx=True, stateful=True, grad=not_differentiable
)
def _restore_v2_kernel(
    ctx: registry.KernelContext, prefix: Any, tensor_names: Any, shape_and_slices: Any
) -> Any:
    """reads tensor_names from the checkpoint <prefix>, all checked before any is returned"""
    names = [_as_str(n) for n in np.asarray(tensor_names).reshape(-1)]
    shapes = ctx.attrs.get("_shapes") or [None] * len(names)
    values = read_checkpoint(_as_str(prefix), names, ctx.attrs["dtypes"], shapes)
    return values[0] if len(values) == 1 else tuple(values)


# -- Saver --------------------------------------------------------------------------------------


class SaverDef:
    """The names of a Saver's graph ops (``saver.saver_def``)."""

    V1 = 1
    V2 = 2

    def __init__(self, filename_tensor_name: str, save_tensor_name: str, restore_op_name: str,
                 max_to_keep: int, keep_checkpoint_every_n_hours: float) -> None:  # fmt: skip
        self.filename_tensor_name = filename_tensor_name
        self.save_tensor_name = save_tensor_name
        self.restore_op_name = restore_op_name
        self.max_to_keep = max_to_keep
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.version = SaverDef.V2
        self.sharded = False

    def __str__(self) -> str:
        hours = self.keep_checkpoint_every_n_hours
        return (
            f'filename_tensor_name: "{self.filename_tensor_name}"\n'
            f'save_tensor_name: "{self.save_tensor_name}"\n'
            f'restore_op_name: "{self.restore_op_name}"\n'
            f"max_to_keep: {self.max_to_keep}\n"
            + ("sharded: true\n" if self.sharded else "")
            + f"keep_checkpoint_every_n_hours: {int(hours) if hours == int(hours) else hours}\n"
            "version: V2\n"
        )

    __repr__ = __str__


def _is_variable_ref(t: Any) -> bool:
    return isinstance(t, Tensor) and t.dtype.is_ref and t.op.type == "VariableV2"


def _names_to_variables(var_list: Any) -> dict[str, Tensor]:
    """{checkpoint name: variable ref}, checked as TensorFlow's ``op_list_to_dict`` checks."""
    from teachflow.ops.constant_op import convert_to_tensor

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
        from teachflow.ops.array_ops import identity
        from teachflow.ops.constant_op import constant
        from teachflow.ops.control_ops import group
        from teachflow.ops.state_ops import assign

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
                save = registry.make(
                    "SaveV2",
                    [filename, tensor_names, slices, *refs],
                    {"dtypes": var_dtypes},
                    sscope,
                )
            with g.name_scope("control_dependency") as cscope, g.control_dependencies([save]):
                save_tensor = identity(filename, name=cscope)
            with g.name_scope("RestoreV2") as rscope:
                tensor_names = constant(names, name="tensor_names")
                slices = constant([""] * len(names), name="shape_and_slices")
                restore = registry.make(
                    "RestoreV2",
                    [filename, tensor_names, slices],
                    {"dtypes": var_dtypes, "_shapes": shapes},
                    rscope,
                )
            assigns = [
                assign(ref, value, validate_shape=shape is not None)
                for ref, value, shape in zip(refs, restore.outputs, shapes)
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
        from teachflow.session import BaseSession

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
            path = _as_str(
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
                stamps.append((p, os.path.getmtime(p + _INDEX_SUFFIX)))
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


def _saver_def_proto(saver_def: Any) -> Any:
    from tensorboard.compat.proto import saver_pb2

    if hasattr(saver_def, "SerializeToString"):
        return saver_pb2.SaverDef.FromString(saver_def.SerializeToString())
    if not isinstance(saver_def, SaverDef):
        raise TypeError(
            f"saver_def must be a SaverDef, got {saver_def!r}.\n  Hint: pass saver.saver_def "
            "or saver.as_saver_def() of a tf.train.Saver."
        )
    hours = float(saver_def.keep_checkpoint_every_n_hours)
    return saver_pb2.SaverDef(
        filename_tensor_name=saver_def.filename_tensor_name,
        save_tensor_name=saver_def.save_tensor_name,
        restore_op_name=saver_def.restore_op_name,
        max_to_keep=int(saver_def.max_to_keep),
        sharded=bool(saver_def.sharded),
        keep_checkpoint_every_n_hours=hours,
        version=saver_pb2.SaverDef.V2,
    )


def _add_collection(meta: Any, key: str, items: list[Any]) -> None:
    """One collection as TensorFlow exports it: variables as VariableDefs, graph elements by
    name, numbers and strings as values; collections of anything else are left out."""
    from tensorboard.compat.proto import variable_pb2

    if all(isinstance(v, Variable) for v in items):
        defs = [
            variable_pb2.VariableDef(
                variable_name=v.name,
                initial_value_name=v.initial_value.name,
                initializer_name=v.initializer.name,
                snapshot_name=v.value().name,
                trainable=v.trainable,
            ).SerializeToString()
            for v in items
        ]
        meta.collection_def[key].bytes_list.value.extend(defs)
    elif all(isinstance(v, (Tensor, Operation)) for v in items):
        meta.collection_def[key].node_list.value.extend(v.name for v in items)
    elif all(isinstance(v, (bool, int, np.integer)) for v in items):
        meta.collection_def[key].int64_list.value.extend(int(v) for v in items)
    elif all(isinstance(v, (float, np.floating)) for v in items):
        meta.collection_def[key].float_list.value.extend(float(v) for v in items)
    elif all(isinstance(v, (str, bytes)) for v in items):
        meta.collection_def[key].bytes_list.value.extend(
            v.encode() if isinstance(v, str) else v for v in items
        )


def _have_protos() -> bool:
    """Whether TensorFlow's protos (the ``tensorboard`` package) are here to write a ``.meta``
    file; checkpoints themselves need numpy alone, so without them ``save`` skips it, saying so
    once."""
    import importlib.util
    import warnings

    if importlib.util.find_spec("tensorboard") is not None:
        return True
    warnings.warn(
        "teachflow: Saver.save wrote no .meta file: it needs the tensorboard package "
        "(pip install 'teachflow[tensorboard]'). The checkpoint itself is complete.",
        stacklevel=3,
    )
    return False


def export_meta_graph(
    filename: Any = None,
    meta_info_def: Any = None,
    graph_def: Any = None,
    saver_def: Any = None,
    collection_list: Any = None,
    as_text: bool = False,
    graph: Any = None,
    export_scope: str | None = None,
    clear_devices: bool = False,
    clear_extraneous_savers: bool = False,
    strip_default_attrs: bool = False,
    save_debug_info: bool = False,
    **kwargs: Any,
) -> Any:
    """The graph as TensorFlow's ``MetaGraphDef`` (GraphDef with shapes, SaverDef,
    collections), written to ``filename`` (binary, or text with ``as_text``) if given.

    Real TensorFlow can load the file with ``tf.train.import_meta_graph``; teachflow itself
    cannot (it builds graphs from Python code only).

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     v = tf.Variable(1.0, name="v")
    ...     meta = export_meta_graph(graph=g)
    >>> [n.name for n in meta.graph_def.node][:2], sorted(meta.collection_def)
    (['v/initial_value', 'v'], ['trainable_variables', 'variables'])
    """
    from tensorboard.compat.proto import meta_graph_pb2

    from teachflow.export import graph_to_graph_def

    if export_scope:
        raise NotImplementedError("teachflow's export_meta_graph does not take export_scope.")
    graph = graph if graph is not None else get_default_graph()
    if not isinstance(graph, Graph):
        raise TypeError(
            f"graph must be a tf.Graph, got {graph!r}.\n  Hint: pass the graph whose ops to "
            "export, or leave graph=None for the default graph."
        )
    if graph_def is not None and not hasattr(graph_def, "SerializeToString"):
        raise TypeError(
            f"graph_def must be a GraphDef proto, got {graph_def!r}.\n  Hint: pass "
            "g.as_graph_def(), or leave graph_def=None to export the graph itself."
        )
    meta = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    if graph_def is not None:
        meta.graph_def.ParseFromString(graph_def.SerializeToString())
    else:
        meta.graph_def.CopyFrom(graph_to_graph_def(graph, add_shapes=True))
    if clear_devices:
        for node in meta.graph_def.node:
            node.device = ""
    if saver_def is not None:
        meta.saver_def.CopyFrom(_saver_def_proto(saver_def))
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in sorted(k for k in keys if isinstance(k, str)):
        items = graph.get_collection(key)
        if items:
            _add_collection(meta, key, items)
    if filename is not None:
        path = paths.as_path(filename, "filename")
        if as_text:
            from google.protobuf import text_format

            data = text_format.MessageToString(meta).encode()
        else:
            data = meta.SerializeToString(deterministic=True)
        atomic_write(path, lambda f: f.write(data))
    return meta


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


# -- the checkpoint state file ------------------------------------------------------------------


class CheckpointState:
    """The ``checkpoint`` file: the latest checkpoint and the ones kept, oldest first."""

    def __init__(
        self, model_checkpoint_path: str = "", all_model_checkpoint_paths: Any = None
    ) -> None:
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths or [])

    def __str__(self) -> str:
        lines = [f'model_checkpoint_path: "{_escape(self.model_checkpoint_path)}"']
        lines += [
            f'all_model_checkpoint_paths: "{_escape(p)}"' for p in self.all_model_checkpoint_paths
        ]
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _escape(text: str) -> str:
    """Text-format string escaping (TensorFlow's CEscape: octal for non-ASCII bytes)."""
    special = {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 39: "\\'", 92: "\\\\"}
    return "".join(
        special.get(b) or (chr(b) if 32 <= b < 127 else f"\\{b:03o}") for b in text.encode()
    )


def _unescape(text: str) -> str:
    out = bytearray()
    i = 0
    simple = {
        "n": 10,
        "r": 13,
        "t": 9,
        '"': 34,
        "'": 39,
        "\\": 92,
        "a": 7,
        "b": 8,
        "f": 12,
        "v": 11,
    }
    raw = text.encode()
    while i < len(raw):
        c = raw[i]
        if c == 92 and i + 1 < len(raw):
            nxt = chr(raw[i + 1])
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if nxt in "01234567":
                j = i + 1
                while j < min(i + 4, len(raw)) and chr(raw[j]) in "01234567":
                    j += 1
                out.append(int(raw[i + 1 : j], 8) & 0xFF)
                i = j
                continue
            if nxt == "x":
                j = i + 2
                while j < min(i + 4, len(raw)) and chr(raw[j]) in "0123456789abcdefABCDEF":
                    j += 1
                out.append(int(raw[i + 2 : j], 16))
                i = j
                continue
        out.append(c)
        i += 1
    return out.decode(errors="replace")


def _parse_state(content: str) -> CheckpointState:
    state = CheckpointState()
    for line in content.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        value = value.strip()
        if not sep:
            raise ValueError(f"cannot parse line {line!r}")
        if key.strip() in ("all_model_checkpoint_timestamps", "last_preserved_timestamp"):
            continue
        if len(value) < 2 or value[0] != value[-1] or value[0] not in "\"'":
            raise ValueError(f"expected a quoted string in {line!r}")
        if key.strip() == "model_checkpoint_path":
            state.model_checkpoint_path = _unescape(value[1:-1])
        elif key.strip() == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unescape(value[1:-1]))
        else:
            raise ValueError(f"unknown field {key.strip()!r}")
    return state


def _state_file(checkpoint_dir: str, latest_filename: str | None) -> str:
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def update_checkpoint_state(
    save_dir: str,
    model_checkpoint_path: str,
    all_model_checkpoint_paths: Any = None,
    latest_filename: str | None = None,
    save_relative_paths: bool = False,
) -> None:
    """Writes the ``checkpoint`` state file of ``save_dir`` (atomically)."""
    save_dir = paths.as_path(save_dir, "save_dir")
    latest = paths.as_path(model_checkpoint_path, "model_checkpoint_path")
    kept = [
        paths.as_path(p, "all_model_checkpoint_paths") for p in all_model_checkpoint_paths or []
    ]
    if save_relative_paths:
        latest = os.path.relpath(latest, save_dir) if os.path.isabs(latest) else latest
        kept = [os.path.relpath(p, save_dir) if os.path.isabs(p) else p for p in kept]
    if not kept or kept[-1] != latest:
        kept.append(latest)
    if not os.path.isabs(save_dir):
        if not os.path.isabs(latest):
            latest = os.path.relpath(latest, save_dir or ".")
        kept = [p if os.path.isabs(p) else os.path.relpath(p, save_dir or ".") for p in kept]
    state_path = _state_file(save_dir, latest_filename)
    if state_path == latest:
        raise RuntimeError(
            f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint state. "
            " Please use a different save path."
        )
    text = str(CheckpointState(latest, kept)).encode()
    atomic_write(state_path, lambda f: f.write(text))


def get_checkpoint_state(
    checkpoint_dir: Any, latest_filename: str | None = None
) -> CheckpointState | None:
    """The ``checkpoint`` file of ``checkpoint_dir`` (paths joined to the dir), or None.

    >>> import tempfile, teachflow as tf
    >>> tf.train.get_checkpoint_state(tempfile.mkdtemp()) is None
    True
    """
    checkpoint_dir = paths.as_path(checkpoint_dir, "checkpoint_dir")
    path = _state_file(checkpoint_dir, latest_filename)
    if not os.path.exists(path):
        return None
    try:
        state = _parse_state(
            paths.read_small(path, _MAX_SMALL_FILE).decode("utf-8", errors="replace")
        )
    except (OSError, ValueError) as e:
        _log.warning("%s: %s", type(e).__name__, e)
        _log.warning("%s: Checkpoint ignored", path)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [
        p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
        for p in state.all_model_checkpoint_paths
    ]
    return state


def checkpoint_exists(checkpoint_prefix: Any) -> bool:
    """Whether a checkpoint with this prefix exists (its ``.index`` file does)."""
    return os.path.exists(paths.as_path(checkpoint_prefix, "checkpoint_prefix") + _INDEX_SUFFIX)


def latest_checkpoint(checkpoint_dir: Any, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint in ``checkpoint_dir`` (from its state file), or None.

    >>> import tempfile, teachflow as tf
    >>> print(tf.train.latest_checkpoint(tempfile.mkdtemp()))
    None
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: int = 2,
                      meta_graph_suffix: str = "meta") -> None:  # fmt: skip
    """Deletes the files of a checkpoint (index first, so it stops existing at once)."""
    checkpoint_prefix = paths.as_path(checkpoint_prefix, "checkpoint_prefix")
    meta_graph_suffix = paths.as_path(meta_graph_suffix, "meta_graph_suffix")
    for suffix in (_INDEX_SUFFIX, _DATA_SUFFIX, "." + meta_graph_suffix):
        with contextlib.suppress(FileNotFoundError):
            os.remove(checkpoint_prefix + suffix)


def list_variables(ckpt_dir_or_file: Any) -> list[tuple[str, list[int]]]:
    """``[(name, shape), ...]`` of a checkpoint (a prefix, or a directory: its latest one)."""
    prefix = _resolve(ckpt_dir_or_file)
    with _open_checkpoint(prefix) as archive:
        return [(name, _stored_shape(archive, prefix, name)) for name in sorted(archive.files)]


def _stored_shape(archive: Any, prefix: str, name: str) -> list[int]:
    """The shape from a stored array's ``.npy`` header, without reading its values."""
    return _stored(archive, prefix, name).shape


def load_variable(ckpt_dir_or_file: Any, name: str) -> np.ndarray:
    """The saved value of ``name`` as a numpy array."""
    prefix = _resolve(ckpt_dir_or_file)
    with _open_checkpoint(prefix) as archive:
        if name.endswith(":0"):
            name = name[:-2]
        if name not in archive.files:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return _load(archive, prefix, name)


def _resolve(ckpt_dir_or_file: Any) -> str:
    path = paths.as_path(ckpt_dir_or_file, "ckpt_dir_or_file")
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(
                f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}"
            )
        return latest
    return path
