"""The tutorial notebooks: each one runs top to bottom in a fresh kernel, and is stored clean.

A notebook "runs" when every code cell executes without an error, exercises' check cells
included. The kernel is ``python3``; jupyter_client starts it with this interpreter (the venv's),
so the notebooks import the teachflow under test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

EXPECTED = [
    "01_graph_and_session",
    "02_tensors_nodes_edges",
    "03_variables_and_initialization",
    "04_placeholders_and_feeds",
    "05_name_scopes",
    "06_tensorboard",
    "07_training_linear_regression",
    "08_neural_network",
    "09_saving_and_restoring",
    "10_graduating_to_tensorflow",
    "11_when_training_goes_wrong",
    "12_convolutional_network",
]
# Japanese versions: the same code, Japanese prose (tests/test_notebook_parity.py checks that).
EXPECTED_JA = EXPECTED

CELL_TIMEOUT = 120  # seconds per cell


def _all_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _id(path: Path) -> str:
    return str(path.relative_to(NOTEBOOKS))


ALL = _all_notebooks()


def _code_cells(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_the_set_is_complete() -> None:
    names = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert names == EXPECTED
    assert sorted(p.stem for p in (NOTEBOOKS / "ja").glob("*.ipynb")) == EXPECTED_JA


def test_the_notebooks_readme_links_every_notebook() -> None:
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([^)]+\.ipynb)\)", readme))
    assert {_id(p) for p in ALL} <= links, "notebooks/README.md must link every notebook"
    assert all((NOTEBOOKS / link).exists() for link in links), "a README link is broken"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, (
        f"{_id(path)}: cells {dirty} have outputs; clear them with "
        "`jupyter nbconvert --clear-output --inplace notebooks/*.ipynb notebooks/ja/*.ipynb`"
    )
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=_id)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The notebooks keep logs and checkpoints in tempfile.mkdtemp() folders (their paths are
    # printed for `tensorboard --logdir`); under the test they land in tmp_path.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    try:
        client.execute(env=env)
    except CellExecutionError as e:
        pytest.fail(f"{_id(path)} failed:\n{e}", pytrace=False)
    ran = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    assert len(ran) == len(_code_cells(nb)), "not every code cell ran"
    # every exercise's check cell printed its confirmation
    checks = [c for c in ran if c.source.lstrip().startswith("# check")]
    assert checks, f"{_id(path)} has no exercise check cell"
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "Correct!" in text, f"{_id(path)}: a check cell did not pass:\n{cell.source}"
