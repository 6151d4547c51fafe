"""A busy machine for a benchmark: CPU-burning child processes, bounded in time and stopped
by the benchmark (a laptop running a browser and a Jupyter server next to the notebook).

>>> with Burners(1, seconds=5):
...     pass  # the machine is busy here
"""

from __future__ import annotations

import subprocess
import sys
from types import TracebackType

# each child spins until its own deadline, so a benchmark that dies cannot leave one behind
_BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


class Burners:
    """``n`` processes spinning on the CPU for at most ``seconds`` while the block runs."""

    def __init__(self, n: int, seconds: float = 120.0) -> None:
        self.n = n
        self.seconds = seconds
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Burners:
        code = _BURN.format(seconds=float(self.seconds))
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(self.n)]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(timeout=10)
        self.procs = []
