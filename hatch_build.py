"""Hatch build hook: make sure the widget bundle exists before the wheel is assembled.

The browser halves of the widgets live in ``widgets/src`` and are bundled by
``widgets/build.mjs`` (esbuild) into ``teachflow/widgets/static`` (gitignored,
listed as wheel ``artifacts``). ``make`` builds the bundle itself; this hook only
covers a plain ``pip install .`` / ``pip install -e .`` from a checkout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class WidgetBundleHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        js = root / "widgets"
        static = root / "teachflow" / "widgets" / "static"
        if not (js / "package.json").exists():  # building from an sdist with the bundle inside
            return
        entries = [p for p in (js / "src").glob("*.js") if not p.name.startswith("_")]
        bundles = [static / p.name for p in entries]
        sources = [*(js / "src").iterdir(), js / "build.mjs", js / "package-lock.json"]
        newest_source = max((p.stat().st_mtime for p in sources if p.exists()), default=0.0)
        if bundles and all(b.exists() and b.stat().st_mtime >= newest_source for b in bundles):
            return

        npm = shutil.which("npm")
        if npm is None:
            message = "npm not found: cannot build the widget bundle (install Node.js and npm)"
            if version == "editable":
                self.app.display_warning(message + "; widgets will not load until it is built")
                return
            raise RuntimeError(message)
        self.app.display_info("building the widget bundle in widgets/ (npm)")
        if not (js / "node_modules").exists():
            lock = (js / "package-lock.json").exists()
            subprocess.run(
                [npm, "ci" if lock else "install", "--no-audit", "--no-fund"], cwd=js, check=True
            )
        subprocess.run([npm, "run", "build"], cwd=js, check=True)
