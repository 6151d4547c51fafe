"""The dtypes of handles: ``resource`` (an iterator, a TensorArray) and ``variant`` (a dataset).

Their values are Python objects living in one run or one session; they are never fetched as
numbers. TensorFlow's DataType enums: DT_RESOURCE = 20, DT_VARIANT = 21.
"""

from __future__ import annotations

import numpy as np

from teachflow import dtypes

resource = dtypes.DType("resource", np.object_, 20)
variant = dtypes.DType("variant", np.object_, 21)
