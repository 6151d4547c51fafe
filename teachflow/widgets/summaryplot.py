"""``SummaryPlot``: what a FileWriter logged, drawn in the notebook (TensorBoard-style).

Scalars become line charts, histograms distributions over steps, images a picture with a step
slider. What goes to the browser is bounded whatever was logged: long series are downsampled,
histograms are sent as percentile bands and 30 bins, images as one PNG at most 256 px wide.
"""

from __future__ import annotations

import base64
import io
import threading
import time
from typing import Any

import anywidget
import numpy as np
import traitlets

from teachflow.widgets import _bundle
from teachflow.widgets._format import clip

MAX_POINTS = 400  # per scalar series (min and max of each bucket are kept: spikes stay)
MAX_HIST_STEPS = 60
HIST_BINS = 30
MAX_IMAGE_SIDE = 256
MAX_IMAGE_STEPS = 500
MAX_TEXT = 2000
# the fractions TensorBoard's distribution view draws as bands
PERCENTILES = (0.0, 0.0668, 0.1587, 0.3085, 0.5, 0.6915, 0.8413, 0.9332, 1.0)


def downsample(points: list[tuple[int, float]], limit: int = MAX_POINTS) -> list[list[float]]:
    """At most ``limit`` points of a series, keeping each bucket's lowest and highest value."""
    if len(points) <= limit:
        return [[s, v] for s, v in points]
    per = -(-len(points) * 2 // limit)  # two points kept per bucket
    out: list[list[float]] = []
    for i in range(0, len(points), per):
        chunk = points[i : i + per]
        lo = min(range(len(chunk)), key=lambda j: chunk[j][1])
        hi = max(range(len(chunk)), key=lambda j: chunk[j][1])
        for j in sorted({lo, hi}):
            out.append([chunk[j][0], chunk[j][1]])
    last = points[-1]
    if out[-1][0] != last[0]:
        out.append([last[0], last[1]])
    return out


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _bucket_edges(h: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, right, count) of each non-empty bucket, clamped to the data's min and max."""
    limits = np.asarray(h.get("bucket_limit", []), dtype=np.float64)
    counts = np.asarray(h.get("bucket", []), dtype=np.float64)
    lo, hi = float(h.get("min", 0.0)), float(h.get("max", 0.0))
    if limits.size == 0 or counts.size != limits.size:
        return np.array([lo]), np.array([hi]), np.array([float(h.get("num", 0.0))])
    left = np.concatenate([[lo], limits[:-1]])
    left = np.clip(left, lo, hi)
    right = np.clip(limits, lo, hi)
    keep = counts > 0
    return left[keep], right[keep], counts[keep]


def percentiles(h: dict[str, Any]) -> list[float | None]:
    """The :data:`PERCENTILES` of a histogram summary (linear inside each bucket)."""
    left, right, counts = _bucket_edges(h)
    total = counts.sum()
    if total <= 0:
        return [None] * len(PERCENTILES)
    cum = np.cumsum(counts)
    out: list[float | None] = []
    for p in PERCENTILES:
        target = p * total
        i = int(np.searchsorted(cum, target, side="left"))
        i = min(i, len(counts) - 1)
        before = cum[i] - counts[i]
        frac = 0.0 if counts[i] == 0 else (target - before) / counts[i]
        out.append(_finite(left[i] + (right[i] - left[i]) * min(max(frac, 0.0), 1.0)))
    return out


def rebin(h: dict[str, Any], bins: int = HIST_BINS) -> dict[str, Any]:
    """The histogram as ``bins`` equal bins from min to max (counts spread inside buckets)."""
    left, right, counts = _bucket_edges(h)
    lo, hi = float(h.get("min", 0.0)), float(h.get("max", 0.0))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return {"edges": [], "counts": []}
    if hi <= lo:
        return {"edges": [lo, lo], "counts": [float(counts.sum())]}
    edges = np.linspace(lo, hi, bins + 1)
    out = np.zeros(bins)
    for a, b, c in zip(left, right, counts):
        if b <= a:  # a bucket of one value
            k = min(int((a - lo) / (hi - lo) * bins), bins - 1)
            out[k] += c
            continue
        overlap = np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, None)
        out += c * overlap / (b - a)
    return {"edges": [float(e) for e in edges], "counts": [float(c) for c in out]}


def thumbnail_png(data: bytes, side: int = MAX_IMAGE_SIDE) -> tuple[str, int, int] | None:
    """(base64 PNG, width, height) no bigger than ``side``; None if it is not an image."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow comes with tensorboard
        return None
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            w, h = im.size
            if max(w, h) <= side and im.format == "PNG":
                return base64.b64encode(data).decode("ascii"), w, h
            im.thumbnail((side, side))
            if im.mode not in ("RGB", "RGBA", "L", "LA"):
                im = im.convert("RGBA")
            buf = io.BytesIO()
            im.save(buf, format="PNG", optimize=True)
            return base64.b64encode(buf.getvalue()).decode("ascii"), im.size[0], im.size[1]
    except Exception:  # noqa: BLE001 - a corrupt or foreign image is skipped, not fatal
        return None


class SummaryPlot(anywidget.AnyWidget):  # type: ignore[misc]
    """Scalars, histograms, images and text a FileWriter logged, updating while training runs.

    >>> import tempfile, teachflow as tf
    >>> from teachflow.widgets import SummaryPlot
    >>> logdir = tempfile.mkdtemp()
    >>> with tf.Graph().as_default(), tf.Session() as sess:
    ...     loss = tf.summary.scalar("loss", tf.constant(0.5))
    ...     with tf.summary.FileWriter(logdir) as writer:
    ...         writer.add_summary(sess.run(loss), 1)
    >>> [s["tag"] for s in SummaryPlot(logdir).scalars]
    ['loss']
    """

    _esm = _bundle.path("summaryplot.js")
    _css = _bundle.path("graphview.css")

    title = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    scalars = traitlets.List(traitlets.Any()).tag(sync=True)
    histograms = traitlets.List(traitlets.Any()).tag(sync=True)
    images = traitlets.List(traitlets.Any()).tag(sync=True)
    texts = traitlets.List(traitlets.Any()).tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Float(2.0).tag(sync=True)

    def __init__(
        self, logdir_or_writer: Any, *, live: bool = False, interval: float = 2.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._source = logdir_or_writer
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._image_records: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
        self._image_index: dict[tuple[str, str], int] = {}
        get_logdir = getattr(logdir_or_writer, "get_logdir", None)
        logdir = get_logdir() if callable(get_logdir) else logdir_or_writer
        if not self.title:
            self.title = f"Summaries in {clip(str(logdir), 70)}"
        self.interval = interval
        self.on_msg(self._on_custom_msg)
        self.refresh()
        self.live = live

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reads the event files again and updates the plots (call it from a training loop)."""
        from teachflow.summary import read_events

        with self._lock:
            try:
                records = read_events(self._source)
            except FileNotFoundError:
                records = []
            self._update(records)

    def _update(self, records: list[Any]) -> None:
        scalars: dict[tuple[str, str], list[tuple[int, float]]] = {}
        hists: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        images: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
        texts: dict[tuple[str, str], tuple[int, str]] = {}
        for r in records:
            key = (str(r.run), str(r.tag))
            if r.kind == "scalar":
                scalars.setdefault(key, []).append((int(r.step), float(r.value)))
            elif r.kind == "histogram":
                hists.setdefault(key, []).append((int(r.step), r.value))
            elif r.kind == "image":
                images.setdefault(key, []).append((int(r.step), bytes(r.value)))
            elif r.kind == "text":
                value = r.value
                text = value if isinstance(value, str) else " | ".join(np.ravel(value)[:20])
                texts[key] = (int(r.step), clip(str(text), MAX_TEXT))
        with self.hold_sync():
            self.scalars = [self._scalar(k, pts) for k, pts in sorted(scalars.items())]
            self.histograms = [self._histogram(k, hs) for k, hs in sorted(hists.items())]
            self._image_records = {k: v[-MAX_IMAGE_STEPS:] for k, v in images.items()}
            self.images = [self._image(k) for k in sorted(self._image_records)]
            self.texts = [
                {"run": k[0], "tag": k[1], "step": s, "text": t}
                for k, (s, t) in sorted(texts.items())
            ]
            n = len(self.scalars) + len(self.histograms) + len(self.images) + len(self.texts)
            when = time.strftime("%H:%M:%S")
            self.status = (
                f"{n} tags · {len(records)} records · read at {when}"
                if records
                else f"no summaries yet (read at {when})"
            )

    @staticmethod
    def _scalar(key: tuple[str, str], pts: list[tuple[int, float]]) -> dict[str, Any]:
        pts.sort(key=lambda p: p[0])
        clean = [(s, v) for s, v in pts if np.isfinite(v)]
        return {
            "run": key[0],
            "tag": key[1],
            "n": len(pts),
            "points": downsample(clean),
            "last": [pts[-1][0], _finite(pts[-1][1])],
            "nonfinite": len(pts) - len(clean),
        }

    @staticmethod
    def _histogram(key: tuple[str, str], hs: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
        hs.sort(key=lambda p: p[0])
        idx = np.unique(np.linspace(0, len(hs) - 1, min(len(hs), MAX_HIST_STEPS)).astype(int))
        steps = [{"step": hs[i][0], "q": percentiles(hs[i][1])} for i in idx]
        step, last = hs[-1]
        return {
            "run": key[0],
            "tag": key[1],
            "n": len(hs),
            "steps": steps,
            "last": {"step": step, "num": float(last.get("num", 0)), **rebin(last)},
        }

    def _image(self, key: tuple[str, str]) -> dict[str, Any]:
        recs = self._image_records[key]
        # the newest image unless the slider was moved back to an older one
        index = min(self._image_index.get(key, len(recs) - 1), len(recs) - 1)
        step, data = recs[index]
        thumb = thumbnail_png(data)
        return {
            "run": key[0],
            "tag": key[1],
            "steps": [s for s, _ in recs],
            "index": index,
            "step": step,
            "png": thumb[0] if thumb else "",
            "width": thumb[1] if thumb else 0,
            "height": thumb[2] if thumb else 0,
        }

    def show_image(self, run: str, tag: str, index: int) -> None:
        """Shows the ``index``-th logged image of ``tag`` (what the step slider does)."""
        key = (run, tag)
        if key not in self._image_records:
            return
        n = len(self._image_records[key])
        index = max(0, int(index))
        if index >= n - 1:
            self._image_index.pop(key, None)
        else:
            self._image_index[key] = index
        self.images = [self._image(k) for k in sorted(self._image_records)]

    # -- live mode ----------------------------------------------------------------------------
    @traitlets.observe("live")
    def _on_live(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.start()
        else:
            self.stop()

    def start(self) -> None:
        """Re-reads the logs every ``interval`` seconds in a background thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._poll, name="SummaryPlot", daemon=True)
        self._thread.start()
        if not self.live:
            self.live = True

    def stop(self) -> None:
        self._stop.set()
        if self.live:
            self.live = False

    def _poll(self) -> None:
        while not self._stop.wait(max(0.2, float(self.interval))):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a half-written file: try again next tick
                continue

    def close(self) -> None:
        self._stop.set()
        super().close()

    # -- messages --------------------------------------------------------------------------------
    def _on_custom_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("event") == "refresh":
            self.refresh()
        elif content.get("event") == "image":
            self.show_image(
                str(content.get("run")), str(content.get("tag")), content.get("index", 0)
            )
