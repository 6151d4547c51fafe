"""The whole chain in one test: venv, npm bundle, JupyterLab, Chromium, anywidget, wasm Graphviz."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "teachflow" / "widgets" / "static"
BUNDLE = STATIC / "graphview.js"  # the small ESM: it imports CODE once per page
CODE = STATIC / "graphlib.js"

CELL = f"""
import pathlib

import anywidget
import traitlets


CODE = pathlib.Path({str(CODE)!r}).read_text()


class Smoke(anywidget.AnyWidget):
    _esm = pathlib.Path({str(BUNDLE)!r})
    _code_key = traitlets.Unicode("smoke").tag(sync=True)
    dot = traitlets.Unicode("digraph {{ a -> b }}").tag(sync=True)

    def __init__(self):
        super().__init__()
        self.on_msg(lambda w, c, b: self.send({{"event": "code", "code": CODE}}))


w = Smoke()
w
"""

# A second cell changes the trait: the view must redraw on change:dot.
CHANGE = 'w.dot = "digraph { a -> b -> c }"'


def test_graphview_bundle_renders_in_jupyterlab(
    page, jupyter_server, open_and_run_notebook, output_dir
):
    assert BUNDLE.exists(), "widget bundle missing: run `make bundle` (npm run build in widgets/)"
    jupyter_server.write_notebook("smoke.ipynb", CELL, CHANGE)
    open_and_run_notebook(page, jupyter_server, "smoke.ipynb")
    title = page.locator("svg g.node title").filter(has_text=re.compile(r"^c$"))
    title.wait_for(state="attached", timeout=60_000)
    page.locator("svg g.node").first.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "graphview.png"))
    assert page.locator("svg g.node title").all_text_contents() == ["a", "b", "c"]
