"""``tensorflow.examples.tutorials``: see :mod:`teachflow.examples.tutorials.mnist`."""
