"""``tensorflow.python``: the few internal modules TensorFlow 1.x tutorials import directly.

Only :mod:`teachflow.python.framework` (``ops``, ``dtypes``, ``tensor_shape``, ``errors``).
"""
