"""Run TensorFlow 1.x code unchanged: ``import tensorflow`` meaning teachflow, on request only.

``python -m teachflow lab.py [args]`` runs a script, and ``%load_ext teachflow`` a notebook
kernel, with an import hook that answers ``import tensorflow`` (``tensorflow.compat.v1``,
``tensorflow.examples.tutorials.mnist``, ``tensorflow.python.framework.ops``,
``tensorflow.contrib``...) with teachflow's modules. Nothing else ever installs it: a plain
``import tensorflow`` is never touched.

>>> from teachflow.as_tensorflow import TensorFlowAlias
>>> spec = TensorFlowAlias().find_spec("tensorflow.compat.v1")
>>> spec.name, spec.loader.module.__name__
('tensorflow.compat.v1', 'teachflow')
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

NOTICE = "teachflow: `import tensorflow` means teachflow here (TensorFlow 1.x API, run on numpy)"


class _Loader(importlib.abc.Loader):
    """Hands back an already imported teachflow module under the ``tensorflow...`` name."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the alias spec on the module: give teachflow's back
        if self.spec is not None:
            module.__spec__ = self.spec


class TensorFlowAlias(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` and ``tensorflow.X.Y`` as ``teachflow`` and ``teachflow.X.Y``."""

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow" and not fullname.startswith("tensorflow."):
            return None
        real = "teachflow" + fullname[len("tensorflow") :]
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name is not None and not e.name.startswith("teachflow"):
                raise  # a dependency is missing: say which
            raise ModuleNotFoundError(
                f"No module named '{fullname}': teachflow, standing in for TensorFlow in this "
                f"run, has no '{real}'.\n  Hint: run this program with TensorFlow 1.x itself, "
                "or see 'Bring your TF1 code' in teachflow's README for what runs.",
                name=fullname,
            ) from None
        return importlib.machinery.ModuleSpec(fullname, _Loader(module))


_finder: TensorFlowAlias | None = None


def install(announce: bool = True) -> None:
    """Makes ``import tensorflow`` import teachflow in this process (until :func:`uninstall`)."""
    global _finder
    loaded = sys.modules.get("tensorflow")
    if loaded is not None and not loaded.__name__.startswith("teachflow"):
        raise RuntimeError(
            "TensorFlow itself is already imported in this process, so `import tensorflow` "
            "cannot mean teachflow.\n  Hint: restart the kernel and run `%load_ext teachflow` "
            "before `import tensorflow`."
        )
    if _finder is None:
        _finder = TensorFlowAlias()
        sys.meta_path.insert(0, _finder)
    if announce:
        print(NOTICE, file=sys.stderr)


def uninstall() -> None:
    """Removes the hook and forgets the ``tensorflow`` names it gave out."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in [n for n in sys.modules if n == "tensorflow" or n.startswith("tensorflow.")]:
        if getattr(sys.modules[name], "__name__", "").startswith("teachflow"):
            del sys.modules[name]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext teachflow``: ``import tensorflow`` means teachflow in this kernel."""
    install()


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext teachflow``: ``import tensorflow`` finds TensorFlow again."""
    uninstall()
