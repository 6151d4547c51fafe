"""``tensorflow.python.client``: :mod:`timeline`, the Chrome trace of a traced run."""
