"""The checkpoint files: what ``SaveV2`` writes and ``RestoreV2`` reads (TensorFlow's tensor
bundle, kept readable with numpy alone).

A checkpoint is named by a *prefix* (what ``Saver.save`` returns, e.g. ``/tmp/model.ckpt`` or
``ckpt/model-2`` with ``global_step=2``) and is two files, as in TensorFlow:

* ``<prefix>.data-00000-of-00001``: the values, a numpy ``.npz`` archive (an uncompressed zip
  of ``.npy`` files) with one array per variable, keyed by its checkpoint name (the variable's
  op name, e.g. ``layer1/W``, or the key of a ``Saver({name: var})`` dict). String variables
  are stored as fixed-width bytes. Read it without teachflow:
  ``np.load("model.ckpt.data-00000-of-00001", allow_pickle=False)["layer1/W"]``.
* ``<prefix>.index``: a small JSON text file naming the data file and listing each tensor's
  dtype and shape. A checkpoint exists when its index exists.

Each file is written atomically (``teachflow.file_io``), data file first, index next: a crash
in the middle of a save leaves the previous checkpoint intact. The index marks that the
checkpoint exists; the data file alone decides which values are restored (zip checksums catch
damaged ones). Reading checks every value's name, dtype and shape, from the file headers,
before any value is read, and never allocates more than a header declares.
teachflow cannot read checkpoints written by TensorFlow (nor TensorFlow teachflow's).

>>> import os, tempfile
>>> prefix = os.path.join(tempfile.mkdtemp(), "model.ckpt")
>>> write_checkpoint(prefix, [("w", np.array([1.0, 2.0], np.float32))])
>>> sorted(os.listdir(os.path.dirname(prefix)))
['model.ckpt.data-00000-of-00001', 'model.ckpt.index']
>>> read_checkpoint(prefix, ["w"], [dtypes.float32], [[2]])
[array([1., 2.], dtype=float32)]
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zipfile
from collections.abc import Sequence
from typing import IO, Any

import numpy as np

from teachflow import dtypes, errors, paths
from teachflow.file_io import atomic_write, clean_stale_temps
from teachflow.ops import registry

_FORMAT = "teachflow-checkpoint"
DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"
# the index and ``checkpoint`` files are small text: larger ones are not read
MAX_SMALL_FILE = 64 * 2**20


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
    data_path, index_path = prefix + DATA_SUFFIX, prefix + INDEX_SUFFIX
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
    index_path = prefix + INDEX_SUFFIX
    if not os.path.exists(index_path):
        raise errors.NotFoundError(
            None,
            None,
            f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for "
            f"{prefix}",
            "pass the prefix that saver.save returned (or tf.train.latest_checkpoint(dir)).",
        )
    try:
        index = json.loads(paths.read_small(index_path, MAX_SMALL_FILE).decode())
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


def open_checkpoint(prefix: str) -> Any:
    """The checkpoint's data file as an ``np.load`` archive (its index checked first), with the
    index's tensor table as ``archive.index``."""
    index = _read_index(prefix)
    data_path = prefix + DATA_SUFFIX
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


class Header:
    """What a stored array's ``.npy`` header and zip entry say, read before its values."""

    def __init__(self, shape: list[int], dtype: np.dtype[Any]) -> None:
        self.shape = shape
        self.dtype = dtype


def read_header(archive: Any, prefix: str, name: str) -> Header:
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
    return Header(list(shape), dtype)


def read_value(archive: Any, prefix: str, name: str) -> np.ndarray:
    """A stored array's value (strings as bytes objects), its header checked first."""
    header = read_header(archive, prefix, name)
    registry.check_alloc(header.shape, _as_dtype(header.dtype))
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
    archive = open_checkpoint(prefix)
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
            header = read_header(archive, prefix, name)
            try:
                have = _as_dtype(header.dtype)
            except TypeError:
                raise _data_loss(prefix, f"{name} has the unknown dtype {header.dtype}") from None
            if have != dt.base_dtype:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    f"tensor_name = {name}; expected dtype {dtypes.numpy_name(dt.base_dtype)} does "
                    f"not equal original dtype {dtypes.numpy_name(have)}",
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
        return [read_value(archive, prefix, name) for name in names]
