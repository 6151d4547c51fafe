"""The TF1 programs in tests/programs run unchanged through ``python -m teachflow``.

They are written in the style of the classic course labs and tutorials (``import tensorflow as
tf``, ``tensorflow.examples.tutorials.mnist``, ``tf.layers``, ``tf.app``, ``tf.contrib``...);
tests/compat/test_compat_programs.py checks that TensorFlow prints the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from teachflow.as_tensorflow import NOTICE
from teachflow.examples.tutorials.mnist import digits

PROGRAMS = sorted(Path(__file__).parent.joinpath("programs").glob("*.py"))


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory whose MNIST_data/ holds the built-in digits (written once)."""
    d = tmp_path_factory.mktemp("programs")
    digits.write_idx_files(str(d / "MNIST_data"))
    return d


def run_with_teachflow(program: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TEACHFLOW_MNIST_SOURCE="builtin")
    return subprocess.run(
        [sys.executable, "-m", "teachflow", str(program), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program_runs_unchanged(program: Path, workdir: Path) -> None:
    done = run_with_teachflow(program, workdir)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == NOTICE
    assert "import tensorflow" in program.read_text()
    assert done.stdout.strip()


def test_flags_and_unparsed_arguments_reach_main(workdir: Path) -> None:
    program = Path(__file__).parent / "programs" / "app_flags_mnist_deep.py"
    done = run_with_teachflow(program, workdir, "--max_steps=3", "--verbose", "extra", "--lr=2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "unparsed: ['extra', '--lr=2']"
    assert lines[1] == "flags: MNIST_data 3 0.5 True"
    assert [ln.split(" loss")[0] for ln in lines if ln.startswith("step")] == [
        "step 0", "step 1", "step 2"
    ]  # fmt: skip
    bad = run_with_teachflow(program, workdir, "--max_steps=many")
    assert bad.returncode == 2 and "argument --max_steps: invalid int value: 'many'" in bad.stderr


def test_contrib_program_prints_what_it_should(workdir: Path) -> None:
    done = run_with_teachflow(Path(__file__).parent / "programs" / "contrib_xavier_mlp.py", workdir)
    assert done.stdout.splitlines() == [
        "['W1:0', 'Variable:0', 'fully_connected/weights:0', 'fully_connected/biases:0', "
        "'fully_connected_1/weights:0', 'fully_connected_1/biases:0']",
        "cost went down: True",
        "Accuracy above 0.8: True",
    ]


def test_errors_of_the_runner(tmp_path: Path) -> None:
    missing = subprocess.run(
        [sys.executable, "-m", "teachflow", str(tmp_path / "nope.py")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "can't open file" in missing.stderr
    script = tmp_path / "lab.py"
    script.write_text("import tensorflow.keras\n")
    done = subprocess.run(
        [sys.executable, "-m", "teachflow", str(script)], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "ModuleNotFoundError: No module named 'tensorflow.keras': teachflow" in done.stderr
    script.write_text("import tensorflow as tf\nprint(tf.contrib.slim)\n")
    done = subprocess.run(
        [sys.executable, "-m", "teachflow", str(script)], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert "UnsupportedFeatureError: teachflow does not implement tf.contrib.slim" in done.stderr


def test_import_tensorflow_is_untouched_by_default() -> None:
    code = (
        "import importlib.util, sys, teachflow\n"
        "spec = importlib.util.find_spec('tensorflow')\n"
        "print(spec is None or 'teachflow' not in (spec.origin or ''))\n"
        "print(any(type(f).__name__ == 'TensorFlowAlias' for f in sys.meta_path))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "False"]


def test_load_ext_in_an_ipython_shell() -> None:
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shell.run_line_magic('load_ext', 'teachflow')\n"
        "shell.run_cell('import tensorflow as tf; from tensorflow.python.framework import ops')\n"
        "print(shell.user_ns['tf'].__name__, shell.user_ns['ops'].__name__)\n"
        "shell.run_line_magic('unload_ext', 'teachflow')\n"
        "import sys; print('tensorflow' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["teachflow", "teachflow.python.framework.ops", "False"]
    assert NOTICE in out.stderr
