"""``teachflow.compat.v1``: the same namespace as ``teachflow`` (TensorFlow 1.x names).

Code written for ``import tensorflow.compat.v1 as tf`` runs with
``import teachflow.compat.v1 as tf``.
"""

from __future__ import annotations

import sys

import teachflow

v1 = teachflow
# `import teachflow.compat.v1 as tf` finds the module here
sys.modules[__name__ + ".v1"] = teachflow
