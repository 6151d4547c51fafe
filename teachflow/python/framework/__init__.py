"""``tensorflow.python.framework``: ``ops`` (the graph functions), ``dtypes``, ``tensor_shape``,
``errors`` and ``graph_util``, as tutorials import them (``from tensorflow.python.framework
import ops; ops.reset_default_graph()``)."""

from __future__ import annotations

import sys

# ruff: noqa: F401 - the names tutorials import from here
from teachflow import dtypes, errors, graph_util, tensor_shape
from teachflow.python.framework import ops

# `import tensorflow.python.framework.dtypes` finds the same modules
for _name, _module in {"dtypes": dtypes, "errors": errors, "tensor_shape": tensor_shape,
                       "graph_util": graph_util}.items():  # fmt: skip
    sys.modules.setdefault(f"{__name__}.{_name}", _module)
