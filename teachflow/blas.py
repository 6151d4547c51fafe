"""How many threads teachflow's matrix products use (MatMul, convolutions).

numpy hands products to a BLAS library (OpenBLAS) that by default starts a thread per core
for every product above a tiny size. On a laptop that also runs a browser and a Jupyter
server, those threads wait on each other and on everything else: a classroom MLP step can
take 10x longer than with one thread. teachflow therefore decides per product:

- one thread when the product is small (fewer than :data:`SMALL_PRODUCT` multiply-adds,
  which is about a millisecond of one core's work): waking threads costs more than they
  save, and a busy machine makes them wait;
- the machine's physical cores (never more than the BLAS library's own setting) for larger
  ones, such as a convolution's patch matrix times its filter, but only the cores that other
  programs leave idle: on Linux, the CPU time other processes used over the last half second
  (``/proc/stat`` minus this process's own) is read at most twice a second, and a product
  gets one thread less per core they keep busy. BLAS threads that must wait for a core
  (they spin after each product) would slow down everything else in the step.

The setting is changed only around teachflow's own product calls and restored right after,
so numpy code of the user's (and ``threadpoolctl.threadpool_limits`` around it) is never
affected. (threadpoolctl lets one Python thread at a time change it, the first to do so:
sessions run from other threads meanwhile keep the library's setting.)

To override, set the environment variable ``TEACHFLOW_BLAS_THREADS`` before the
import, or call :func:`set_threads`: a positive number makes every product use that many
threads; 0 leaves the BLAS library's setting alone.

>>> import numpy as np
>>> from teachflow import blas
>>> blas.matmul(np.ones((2, 3)), np.ones((3, 2))).tolist()
[[3.0, 3.0], [3.0, 3.0]]
>>> blas.set_threads(1); blas.get_threads()
1
>>> blas.set_threads(None)  # back to the policy above
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

# products smaller than this many multiply-adds run on one thread
SMALL_PRODUCT = 1 << 24

# None: the policy; 0: leave BLAS alone; n > 0: n threads for every product
_override: int | None = None
_libs: list[Any] | None = None  # threadpoolctl's controllers of the BLAS libraries numpy uses
_large = 1  # threads for large products: physical cores (set with the controllers)
_lock = threading.Lock()


def _parse_env() -> int | None:
    text = os.environ.get("TEACHFLOW_BLAS_THREADS", "").strip()
    if not text:
        return None
    try:
        n = int(text)
    except ValueError:
        # a typo in the environment must not stop ``import teachflow``: say so, use the policy
        warnings.warn(
            f"TEACHFLOW_BLAS_THREADS must be a whole number, not {text!r}; ignored.\n  Hint: 0 "
            "leaves the BLAS library's own setting alone; 1, 2... fix the thread count.",
            stacklevel=2,
        )
        return None
    return max(n, 0)


_override = _parse_env()


def set_threads(n: int | None) -> None:
    """Threads for every product teachflow makes: ``n`` > 0 fixes the count, 0 leaves the BLAS
    library's setting alone, None returns to the policy (one thread for small products, the
    physical cores for large ones)."""
    global _override
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 0):
        raise ValueError(f"set_threads takes None or a whole number >= 0, not {n!r}")
    _override = None if n is None else int(n)


def get_threads() -> int | None:
    """The override :func:`set_threads` (or ``TEACHFLOW_BLAS_THREADS``) set; None: the policy."""
    return _override


def physical_cores() -> int:
    """Cores this process may run on, counting hyper-threads of one core once."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return max(1, (os.cpu_count() or 2) // 2)
    seen = set()
    for c in cpus:
        path = f"/sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list"
        try:
            with open(path) as f:
                seen.add(f.read().strip())
        except OSError:
            seen.add(str(c))
    return max(1, len(seen))


class _Idle:
    """Cores other processes leave idle, measured from ``/proc/stat`` (Linux) at most every
    :data:`EVERY` seconds: the busy time of this process's CPUs minus its own CPU time."""

    EVERY = 0.5

    def __init__(self) -> None:
        try:
            self.cpus = {f"cpu{c}" for c in os.sched_getaffinity(0)}
        except AttributeError:
            self.cpus = set()
        self.at = 0.0
        self.busy = 0.0
        self.own = 0.0
        self.cores = float(len(self.cpus))
        self.idle = self.cores

    def _busy_seconds(self) -> float | None:
        try:
            with open("/proc/stat", "rb") as f:
                lines = f.read().split(b"\n")
        except OSError:
            return None
        ticks = 0
        for line in lines:
            fields = line.split()
            if fields and fields[0].decode() in self.cpus:
                # user nice system idle iowait irq softirq steal: all but idle and iowait
                v = [int(x) for x in fields[1:9]]
                ticks += sum(v) - v[3] - v[4]
        return ticks / _TICKS

    def now(self) -> float:
        t = time.monotonic()
        if t - self.at < self.EVERY or not self.cpus:
            return self.idle
        busy, own = self._busy_seconds(), time.process_time()
        if busy is None:
            self.cpus = set()
            return self.idle
        if self.at:
            others = (busy - self.busy) - (own - self.own)
            self.idle = min(self.cores, max(0.0, self.cores - others / (t - self.at)))
        self.at, self.busy, self.own = t, busy, own
        return self.idle


try:
    _TICKS = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):
    _TICKS = 100.0
_idle = _Idle()


def _controllers() -> list[Any]:
    global _libs, _large
    with _lock:
        if _libs is None:
            try:
                from threadpoolctl import ThreadpoolController

                found = ThreadpoolController().select(user_api="blas").lib_controllers
            except Exception:  # noqa: BLE001 - no control over BLAS threads: run as numpy does
                found = []
            _large = physical_cores()
            _libs = list(found)
    return _libs


def threads_for(macs: int) -> int:
    """The threads a product of ``macs`` multiply-adds gets (0: the library's own setting)."""
    if _override is not None:
        return _override
    if macs < SMALL_PRODUCT:
        return 1
    if _libs is None:
        _controllers()
    if _large == 1:
        return 1
    return max(1, min(_large, int(_idle.now() + 0.5)))


def call(macs: int, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with the BLAS thread count a product of ``macs`` multiply-adds
    gets, the library's own setting restored afterwards."""
    want = threads_for(macs)
    if want == 0:
        return fn(*args, **kwargs)
    libs = _libs if _libs is not None else _controllers()
    changed = []
    for lib in libs:
        have = lib.get_num_threads()
        # the policy never takes more threads than the library's (the user's) own setting;
        # an explicit count (set_threads, TEACHFLOW_BLAS_THREADS) is used as given
        if have is not None and want != have and (want < have or _override is not None):
            lib.set_num_threads(want)
            changed.append((lib, have))
    if not changed:
        return fn(*args, **kwargs)
    try:
        return fn(*args, **kwargs)
    finally:
        for lib, have in changed:
            lib.set_num_threads(have)


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``np.matmul(a, b)`` on the threads :func:`threads_for` gives its size."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim < 2 or b.ndim < 2:
        return np.matmul(a, b) if out is None else np.matmul(a, b, out=out)  # type: ignore[no-any-return]
    batch = max(int(np.prod(a.shape[:-2])), int(np.prod(b.shape[:-2])))
    macs = batch * a.shape[-2] * a.shape[-1] * b.shape[-1]
    if out is None:
        return call(macs, np.matmul, a, b)  # type: ignore[no-any-return]
    return call(macs, np.matmul, a, b, out=out)  # type: ignore[no-any-return]
