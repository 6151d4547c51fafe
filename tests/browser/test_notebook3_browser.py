"""Notebook 3 in JupyterLab: its graph and two steppers render, showing the error and the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "03_variables_and_initialization.ipynb"

# The ops of the memo's counter, as the widgets title their boxes.
COUNTER_OPS = {"counter", "counter/read", "Const", "Add", "Assign"}


def _titles(widget: Any) -> set[str]:
    return set(widget.locator("svg g.node > title").all_text_contents())


def test_notebook3_widgets_render(page, jupyter_server, open_and_run_notebook, output_dir):
    jupyter_server.copy_notebook(NOTEBOOK)
    open_and_run_notebook(page, jupyter_server, NOTEBOOK.name, timeout=180)

    widgets = page.locator(".tf-widget.tf-graphview")
    steppers = page.locator(".tf-widget.tf-is-stepper")
    # one GraphView and two Steppers, each laid out as an SVG graph
    steppers.nth(1).locator("svg g.node").first.wait_for(state="attached", timeout=60_000)
    assert widgets.count() == 3
    assert steppers.count() == 2
    for i in range(3):
        widgets.nth(i).locator("svg g.node").first.wait_for(state="attached", timeout=60_000)

    graph = widgets.nth(0)
    assert COUNTER_OPS <= _titles(graph), _titles(graph)

    # The first stepper ran sess.run(new_value) before initialization: the read of counter
    # failed, it is drawn as the error node, and the error panel explains it.
    failed = steppers.nth(0)
    failed.scroll_into_view_if_needed()
    error_nodes = failed.locator("svg g.node.tf-error > title").all_text_contents()
    assert error_nodes and all(n.startswith("counter") for n in error_nodes), error_nodes
    # textContent, not innerText: JupyterLab skips rendering cells scrolled out of view
    panels = failed.locator("section:not([hidden])").all_text_contents()
    assert any(
        "Attempting to use uninitialized value counter" in text and "Hint" in text
        for text in panels
    ), panels
    failed.screenshot(path=str(output_dir / "stepper_error.png"))

    # The second stepper stepped sess.run(update) to its end: every op of the plan is done.
    stepped = steppers.nth(1)
    stepped.scroll_into_view_if_needed()
    assert COUNTER_OPS <= _titles(stepped)
    done = set(stepped.locator("svg g.node.tf-done > title").all_text_contents())
    assert {"Add", "Assign"} <= done, done
    assert not stepped.locator("svg g.node.tf-error").count()
    assert stepped.locator("button[data-event='next']").is_disabled()
    stepped.screenshot(path=str(output_dir / "stepper_done.png"))
    page.screenshot(path=str(output_dir / "notebook3.png"))
