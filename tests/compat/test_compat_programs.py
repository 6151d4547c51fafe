"""The TF1 programs of tests/programs print the same under TensorFlow and under teachflow.

TensorFlow runs them through tests/compat/tf1_runner.py (``import tensorflow`` as TensorFlow
1.x had it); teachflow through ``python -m teachflow``. Seeded programs draw the same random
numbers in both, so the whole printout must agree (numbers to 4 significant digits: the two
libraries may sum in different orders).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from teachflow.examples.tutorials.mnist import digits

HERE = Path(__file__).parent
PROGRAMS = sorted((HERE.parent / "programs").glob("*.py"))
# TensorFlow 2 has no tf.contrib: that program is checked on teachflow only (tests/test_programs.py)
TEACHFLOW_ONLY = {"contrib_xavier_mlp"}
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("programs")
    digits.write_idx_files(str(d / "MNIST_data"))
    return d


def run(argv: list[str], cwd: Path) -> str:
    env = dict(os.environ, TEACHFLOW_MNIST_SOURCE="builtin")
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent.parent), env.get("PYTHONPATH", "")])
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def same_printout(ours: str, theirs: str) -> None:
    a, b = ours.splitlines(), theirs.splitlines()
    assert len(a) == len(b), (ours, theirs)
    for la, lb in zip(a, b):
        assert NUMBER.sub("#", la) == NUMBER.sub("#", lb), (la, lb)
        for x, y in zip(NUMBER.findall(la), NUMBER.findall(lb)):
            assert float(x) == pytest.approx(float(y), rel=1e-3, abs=2e-4), (la, lb)


@pytest.fixture(scope="module")
def tensorflow_printouts(
    tf1: object, workdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Every program's printout under TensorFlow, from one process (one TensorFlow import)."""
    out = tmp_path_factory.mktemp("tensorflow_printouts")
    scripts = [str(p) for p in PROGRAMS if p.stem not in TEACHFLOW_ONLY]
    run([sys.executable, str(HERE / "tf1_runner.py"), "--many", str(out), *scripts], workdir)
    return out


@pytest.mark.parametrize(
    "program", [p for p in PROGRAMS if p.stem not in TEACHFLOW_ONLY], ids=lambda p: p.stem
)
def test_same_printout_as_tensorflow(
    program: Path, workdir: Path, tensorflow_printouts: Path
) -> None:
    error = tensorflow_printouts / f"{program.stem}.err"
    assert not error.exists(), error.read_text()
    theirs = (tensorflow_printouts / f"{program.stem}.txt").read_text()
    ours = run([sys.executable, "-m", "teachflow", str(program)], workdir)
    same_printout(ours, theirs)
