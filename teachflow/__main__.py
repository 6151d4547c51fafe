"""``python -m teachflow lab.py [args]``: runs a TensorFlow 1.x script with teachflow.

The script's ``import tensorflow`` (``as tf``, ``.compat.v1``, ``.examples...``, ``.contrib``...)
imports teachflow for this run only; one line on stderr says so. ``sys.argv`` is the script's
path and its arguments, as if it had been run with ``python lab.py [args]``.
"""

from __future__ import annotations

import os
import runpy
import sys

USAGE = (
    "usage: python -m teachflow SCRIPT.py [ARGS...]\n"
    "  Runs a TensorFlow 1.x script with teachflow standing in for TensorFlow."
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    script = argv[0]
    if not os.path.isfile(script):
        print(f"teachflow: can't open file '{script}': no such file.\n{USAGE}", file=sys.stderr)
        return 2
    from teachflow import as_tensorflow

    as_tensorflow.install()
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
