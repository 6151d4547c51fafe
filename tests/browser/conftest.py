"""Fixtures for tests that drive JupyterLab in headless Chromium.

- ``jupyter_server`` (session): JupyterLab on 127.0.0.1, a free port, a random token, throwaway
  config/workspaces/settings dirs; notebooks go into ``jupyter_server.root_dir``.
- ``browser`` (session) / ``page``: Debian's ``chromium`` driven by Playwright.
- ``open_and_run_notebook`` (fixture giving the helper ``f(page, server, nb_name)``): open a
  notebook, run all its cells, wait until the kernel is idle.

Every test in this folder is marked ``browser``. A missing chromium fails the tests under CI
(or as root, where ``make venv`` installs it) and skips them elsewhere.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import nbformat
import pytest

HERE = Path(__file__).parent
OUTPUT_ROOT = HERE.parent / "output"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

KERNEL_IDLE = (
    "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status"
    " === 'idle'"
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:  # read by the `page` fixture to save a screenshot
        item.stash[_FAILED] = True
    return report


# ---------------------------------------------------------------- JupyterLab


@dataclass
class LabServer:
    url: str  # ends with "/"
    token: str
    root_dir: Path
    log_path: Path

    def write_notebook(self, name: str, *sources: str) -> Path:
        """Write a notebook of code cells into the server's root dir."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
        path = self.root_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def copy_notebook(self, src: Path, name: str | None = None) -> Path:
        dest = self.root_dir / (name or src.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest)
        return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    settings_dir = base / "app-settings"
    for d in (root, settings_dir):
        d.mkdir()
    (settings_dir / "overrides.json").write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:notification": {
                    "fetchNews": "false",
                    "checkForUpdates": False,
                }
            }
        )
    )
    token = secrets.token_hex(16)
    port = _free_port()
    OUTPUT_ROOT.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one server per xdist worker
    log_path = OUTPUT_ROOT / f"jupyterlab{worker and '-' + worker}.log"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.allow_root=True",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--LabApp.app_settings_dir={settings_dir}",
        f"--ServerApp.root_dir={root}",
    ]
    url = f"http://127.0.0.1:{port}/"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{_log_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in 90 s:\n{_log_tail(log_path)}")
            time.sleep(0.2)
        yield LabServer(url=url, token=token, root_dir=root, log_path=log_path)
    finally:
        proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ---------------------------------------------------------------- Chromium


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = (
        "chromium not found on PATH: the browser tests need Debian's `chromium` package "
        "(`make venv` installs it when run as root; else `sudo apt-get install chromium`)."
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") or os.geteuid() == 0:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _page(
    browser: Any, output_dir: Path, request: pytest.FixtureRequest, size: tuple[int, int]
) -> Iterator[Any]:
    """A fresh page of ``size``; on failure its screenshot and console log go to output_dir."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    yield page
    if request.node.stash.get(_FAILED, False):
        try:
            page.screenshot(path=str(output_dir / "failure.png"), full_page=True)
        except Exception as err:  # the page may be gone
            console.append(f"(no failure screenshot: {err})")
    (output_dir / "console.log").write_text("\n".join(console) + "\n")
    context.close()


@pytest.fixture
def page(browser: Any, output_dir: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh 1280x900 browser page."""
    yield from _page(browser, output_dir, request, (1280, 900))


@pytest.fixture
def wide_page(browser: Any, output_dir: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page at 1400x1000, the size learners reported the widgets' problems at."""
    yield from _page(browser, output_dir, request, (1400, 1000))


def widget_shot(widget: Any, path: Path) -> None:
    """A screenshot of the widget's part inside the window (the top of it, scrolled to)."""
    widget.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    widget.page.wait_for_timeout(300)
    box = widget.bounding_box()
    view = widget.page.viewport_size
    top = max(0, box["y"])
    clip = {
        "x": max(0, box["x"]),
        "y": top,
        "width": min(box["width"], view["width"] - box["x"]),
        "height": min(box["height"], view["height"] - top),
    }
    widget.page.screenshot(path=str(path), clip=clip)


def _open_and_run_notebook(
    page: Any, server: LabServer, nb_name: str, *, timeout: float = 120.0
) -> None:
    """Open ``nb_name`` (relative to server.root_dir) in JupyterLab and run all its cells.

    Returns once every cell has run and the kernel is idle; raises AssertionError listing the
    error outputs when a cell failed.
    """
    ms = timeout * 1000
    # A fresh, reset workspace per call: otherwise JupyterLab restores the notebooks that an
    # earlier test left open, and one of those may become the current widget.
    workspace = f"test-{secrets.token_hex(4)}"
    page.goto(
        f"{server.url}lab/workspaces/{workspace}/tree/{quote(nb_name)}?reset&token={server.token}"
    )
    page.wait_for_function(
        f"() => window.jupyterapp?.shell?.currentWidget?.context?.path === {json.dumps(nb_name)}",
        timeout=ms,
    )
    page.wait_for_function(KERNEL_IDLE, timeout=ms)
    # The command's promise resolves when every cell has run: false if one raised.
    ok = page.evaluate(
        "async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')"
    )
    page.wait_for_function(KERNEL_IDLE, timeout=ms)
    if not ok:
        errors = page.evaluate(
            """() => {
              const nb = window.jupyterapp.shell.currentWidget.content;
              const out = [];
              for (const cell of nb.widgets) {
                if (cell.model.type !== 'code') continue;
                for (let i = 0; i < cell.model.outputs.length; i++) {
                  const o = cell.model.outputs.get(i).toJSON();
                  if (o.output_type === 'error') out.push(o.ename + ': ' + o.evalue);
                }
              }
              return out;
            }"""
        )
        raise AssertionError(f"{nb_name}: a cell failed: {errors or 'no error output'}")


@pytest.fixture(name="open_and_run_notebook")
def open_and_run_notebook_fixture() -> Any:
    """The helper ``open_and_run_notebook(page, server, nb_name, timeout=120.0)``, as a fixture
    (conftest modules cannot be imported by test modules)."""
    return _open_and_run_notebook
