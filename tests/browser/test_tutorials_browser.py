"""The tutorials' pictures under Run All, in JupyterLab: what each notebook means to show is shown.

- notebook 02 draws its nodes-and-edges example alone (a fresh graph), not the cells before it;
- notebook 05's first scoped picture stays collapsed while the next one opens ``hidden``;
- the Japanese notebook 03 shows its Steppers in Japanese, TensorFlow's error line in English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
GRAPHVIEW = ".tf-widget.tf-graphview"


def _drawn(page: Any, timeout: float = 60_000) -> Any:
    widgets = page.locator(GRAPHVIEW)
    widgets.first.locator("svg g.node").first.wait_for(state="attached", timeout=timeout)
    for i in range(widgets.count()):
        widgets.nth(i).locator("svg g.node").first.wait_for(state="attached", timeout=timeout)
    return widgets


def _titles(widget: Any, selector: str = "svg g.node > title") -> set[str]:
    return set(widget.locator(selector).all_text_contents())


def test_notebook2_draws_only_its_example(page, jupyter_server, open_and_run_notebook):
    nb = NOTEBOOKS / "02_tensors_nodes_edges.ipynb"
    jupyter_server.copy_notebook(nb)
    open_and_run_notebook(page, jupyter_server, nb.name, timeout=180)
    widgets = _drawn(page)
    assert widgets.count() == 1
    assert _titles(widgets.nth(0)) == {"x", "w", "y"}


def test_notebook5_shows_the_collapsed_and_the_opened_picture(
    page, jupyter_server, open_and_run_notebook, output_dir
):
    nb = NOTEBOOKS / "05_name_scopes.ipynb"
    jupyter_server.copy_notebook(nb)
    open_and_run_notebook(page, jupyter_server, nb.name, timeout=180)
    widgets = _drawn(page)
    assert widgets.count() == 3  # flat, scoped (collapsed), scoped with `hidden` opened
    collapsed, opened = widgets.nth(1), widgets.nth(2)
    assert _titles(collapsed, "svg g.node.tf-scope-box > title") == {"hidden", "output"}
    assert not any(t.startswith("hidden/") for t in _titles(collapsed))
    assert _titles(opened, "svg g.node.tf-scope-box > title") == {"output"}
    assert "hidden/weights" in _titles(opened)
    page.screenshot(path=str(output_dir / "notebook5.png"))


def test_japanese_notebook3_steppers_speak_japanese(
    page, jupyter_server, open_and_run_notebook, output_dir
):
    name = "ja_03_variables_and_initialization.ipynb"
    jupyter_server.copy_notebook(NOTEBOOKS / "ja" / "03_variables_and_initialization.ipynb", name)
    open_and_run_notebook(page, jupyter_server, name, timeout=180)
    _drawn(page)
    steppers = page.locator(".tf-widget.tf-is-stepper")
    assert steppers.count() == 2
    for i in range(2):
        stepper = steppers.nth(i)
        assert stepper.get_attribute("lang") == "ja"
        assert "次へ" in stepper.locator("button[data-event='next']").text_content()
    failed = steppers.nth(0)
    failed.scroll_into_view_if_needed()
    panels = " ".join(failed.locator("section:not([hidden])").all_text_contents())
    # TensorFlow's line stays English (learners search for it); the widget's words are Japanese
    assert "Attempting to use uninitialized value counter" in panels, panels
    assert "ヒント" in panels and "変数を初期化" in panels, panels
    failed.screenshot(path=str(output_dir / "stepper_ja.png"))
