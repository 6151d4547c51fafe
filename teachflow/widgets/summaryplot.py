"""``SummaryPlot``: what a FileWriter logged, drawn in the notebook as TensorBoard draws it.

Scalars become line charts (smoothing slider, step / relative / wall-time axis, log scale),
histograms distributions over steps plus the newest step's bars, images a picture with a step
slider. Tags are grouped by their first name scope, with a filter box.

The Python half only reads and sends plain JSON: a view asks for a ``snapshot`` when it
appears, and each ``refresh()`` sends only what was logged since (``append``), so a refresh
costs O(new records) in the reader, on the wire and in the browser. What one message carries is
bounded whatever was logged: long series are downsampled, histograms are sent as percentile
bands and integer counts in 30 bins, images as one PNG at most 256 px wide.
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

MAX_POINTS = 5000  # per scalar series in a snapshot (min and max of each bucket are kept)
MAX_HIST_STEPS = 500
HIST_BINS = 30
MAX_IMAGE_SIDE = 256
MAX_IMAGE_STEPS = 500
MAX_TEXT = 2000
# the fractions TensorBoard's distribution view draws as bands
PERCENTILES = (0.0, 0.0668, 0.1587, 0.3085, 0.5, 0.6915, 0.8413, 0.9332, 1.0)

_TEXT = {
    "en": {
        "title": "Summaries in {}",
        "status": "{} tags · {} records · read at {}",
        "empty": "no summaries yet (read at {})",
        "skipped": " · {} corrupt records skipped",
    },
    "ja": {
        "title": "要約: {}",
        "status": "タグ {} 個 · レコード {} 件 · {} に読み込み",
        "empty": "まだ要約がありません ({} に読み込み)",
        "skipped": " · 壊れたレコード {} 件を読み飛ばしました",
    },
}


def downsample_indices(values: list[float], limit: int = MAX_POINTS) -> list[int]:
    """At most ``limit`` (+1) indices into ``values``, keeping each bucket's lowest and highest
    value and the last one (so spikes and the newest point survive)."""
    n = len(values)
    if n <= limit:
        return list(range(n))
    per = -(-n * 2 // limit)  # two points kept per bucket
    out: list[int] = []
    for i in range(0, n, per):
        chunk = values[i : i + per]
        lo = min(range(len(chunk)), key=lambda j: chunk[j])
        hi = max(range(len(chunk)), key=lambda j: chunk[j])
        out.extend(i + j for j in sorted({lo, hi}))
    if out[-1] != n - 1:
        out.append(n - 1)
    return out


def downsample(points: list[tuple[int, float]], limit: int = MAX_POINTS) -> list[list[float]]:
    """At most ``limit`` points of a series, keeping each bucket's lowest and highest value."""
    keep = downsample_indices([v for _, v in points], limit)
    return [[points[i][0], points[i][1]] for i in keep]


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _short(x: float) -> float | None:
    """A float32 summary value as JSON: 8 significant digits, None for NaN/inf."""
    return float(f"{x:.8g}") if np.isfinite(x) else None


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
    target = np.asarray(PERCENTILES) * total
    i = np.minimum(np.searchsorted(cum, target, side="left"), len(counts) - 1)
    before = cum[i] - counts[i]
    frac = np.clip((target - before) / np.where(counts[i] == 0, 1.0, counts[i]), 0.0, 1.0)
    return [_short(v) for v in (left[i] + (right[i] - left[i]) * frac).tolist()]


def _whole(counts: np.ndarray, total: float) -> np.ndarray:
    """``counts`` rounded to integers that still add up to ``total`` (largest remainders)."""
    floor = np.floor(counts)
    missing = int(round(total - floor.sum()))
    if missing > 0:
        order = np.argsort(-(counts - floor), kind="stable")[:missing]
        floor[order] += 1
    return floor


def rebin(h: dict[str, Any], bins: int = HIST_BINS) -> dict[str, Any]:
    """The histogram as ``bins`` equal bins from min to max, in whole counts adding up to
    ``num`` (a bucket's count is spread over the bins it overlaps, then rounded)."""
    left, right, counts = _bucket_edges(h)
    lo, hi = float(h.get("min", 0.0)), float(h.get("max", 0.0))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return {"edges": [], "counts": []}
    total = float(counts.sum())
    if hi <= lo:
        return {"edges": [lo, lo], "counts": [int(round(total))]}
    edges = np.linspace(lo, hi, bins + 1)
    out = np.zeros(bins)
    for a, b, c in zip(left, right, counts):
        if b <= a:  # a bucket of one value
            k = min(int((a - lo) / (hi - lo) * bins), bins - 1)
            out[k] += c
            continue
        overlap = np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, None)
        out += c * overlap / (b - a)
    return {
        "edges": [_short(e) for e in edges],
        "counts": [int(c) for c in _whole(out, total)],
    }


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


class _Series:
    """One scalar tag of one run: every logged point (the browser gets a bounded view)."""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.values: list[float] = []
        self.walls: list[float] = []

    def add(self, step: int, value: float, wall: float) -> None:
        self.steps.append(step)
        self.values.append(value)
        self.walls.append(wall)

    def json(self, run: str, tag: str, start: int = 0) -> dict[str, Any]:
        """Points from index ``start`` on (downsampled when many), in columns."""
        values = self.values[start:]
        keep = downsample_indices([v if np.isfinite(v) else 0.0 for v in values])
        return {
            "run": run,
            "tag": tag,
            "steps": [self.steps[start + i] for i in keep],
            "values": [_short(values[i]) for i in keep],
            "walls": [round(self.walls[start + i], 3) for i in keep],
        }


class _Hist:
    """One histogram tag of one run: percentiles per step and the newest histogram (rebinned
    only when it is sent: a refresh that reads 100 steps rebins one)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._newest: tuple[int, dict[str, Any]] | None = None
        self._last: dict[str, Any] = {}

    def add(self, step: int, value: dict[str, Any], wall: float) -> None:
        self.rows.append({"step": step, "wall": round(wall, 3), "q": percentiles(value)})
        if self._newest is None or step >= self._newest[0]:
            self._newest = (step, value)
            self._last = {}

    @property
    def last(self) -> dict[str, Any]:
        """The newest step's histogram: ``{step, num, edges, counts}`` (whole counts)."""
        if not self._last and self._newest is not None:
            step, value = self._newest
            self._last = {"step": step, "num": float(value.get("num", 0)), **rebin(value)}
        return self._last

    def json(self, run: str, tag: str, start: int = 0) -> dict[str, Any]:
        rows = self.rows[start:]
        if len(rows) > MAX_HIST_STEPS:
            idx = np.unique(np.linspace(0, len(rows) - 1, MAX_HIST_STEPS).astype(int))
            rows = [rows[i] for i in idx]
        return {"run": run, "tag": tag, "n": len(self.rows), "rows": rows, "last": self.last}


class SummaryPlot(anywidget.AnyWidget):  # type: ignore[misc]
    """Scalars, histograms, images and text a FileWriter logged, updating while training runs.

    Args:
      logdir_or_writer: a log directory or a ``tf.summary.FileWriter``.
      live: re-read the logs every ``interval`` seconds in the background.
      lang: ``"en"`` or ``"ja"`` (buttons, headings, axis titles).
      smoothing: the initial smoothing weight (TensorBoard's default 0.6).

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
    _css = _bundle.path("summaryplot.css")

    title = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Float(2.0).tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    smoothing = traitlets.Float(0.6, min=0.0, max=0.999).tag(sync=True)

    def __init__(
        self,
        logdir_or_writer: Any,
        *,
        live: bool = False,
        interval: float = 2.0,
        lang: str = "en",
        smoothing: float = 0.6,
        **kwargs: Any,
    ) -> None:
        from teachflow.summary.reader import LogReader

        if lang not in _TEXT:
            raise ValueError(f"lang must be one of {sorted(_TEXT)}, got {lang!r}")
        super().__init__(lang=lang, smoothing=smoothing, **kwargs)
        self._source = logdir_or_writer
        self._reader = LogReader(logdir_or_writer)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._scalars: dict[tuple[str, str], _Series] = {}
        self._hists: dict[tuple[str, str], _Hist] = {}
        self._image_records: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
        self._image_index: dict[tuple[str, str], int] = {}
        self._texts: dict[tuple[str, str], tuple[int, str]] = {}
        self._n_records = 0
        self._views = 0  # views that said hello and have not said goodbye
        self._had_view = False
        self.messages_sent = 0  # append/snapshot messages (what a refresh costs on the wire)
        get_logdir = getattr(logdir_or_writer, "get_logdir", None)
        logdir = get_logdir() if callable(get_logdir) else logdir_or_writer
        if not self.title:
            self.title = _TEXT[lang]["title"].format(clip(str(logdir), 70))
        self.interval = interval
        self.on_msg(self._on_custom_msg)
        self.refresh()
        self.live = live

    # -- what the browser is sent ------------------------------------------------------------
    @property
    def scalars(self) -> list[dict[str, Any]]:
        """Each scalar series as ``{run, tag, n, points: [[step, value]...], last, nonfinite}``
        (points downsampled to at most :data:`MAX_POINTS`, NaN/inf left out)."""
        out = []
        with self._lock:
            for (run, tag), s in sorted(self._scalars.items()):
                clean = [(st, v) for st, v in zip(s.steps, s.values) if np.isfinite(v)]
                out.append(
                    {
                        "run": run,
                        "tag": tag,
                        "n": len(s.steps),
                        "points": downsample(clean),
                        "last": [s.steps[-1], _finite(s.values[-1])],
                        "nonfinite": len(s.steps) - len(clean),
                    }
                )
        return out

    @property
    def histograms(self) -> list[dict[str, Any]]:
        """Each histogram tag as ``{run, tag, n, steps: [{step, q}], last: {edges, counts}}``."""
        with self._lock:
            return [
                {
                    "run": run,
                    "tag": tag,
                    "n": len(h.rows),
                    "steps": [{"step": r["step"], "q": r["q"]} for r in h.json(run, tag)["rows"]],
                    "last": h.last,
                }
                for (run, tag), h in sorted(self._hists.items())
            ]

    @property
    def images(self) -> list[dict[str, Any]]:
        """Each image tag as ``{run, tag, steps, index, step, png, width, height}``."""
        with self._lock:
            return [self._image(k) for k in sorted(self._image_records)]

    @property
    def texts(self) -> list[dict[str, Any]]:
        """The newest text of each text tag as ``{run, tag, step, text}``."""
        with self._lock:
            return [
                {"run": k[0], "tag": k[1], "step": s, "text": t}
                for k, (s, t) in sorted(self._texts.items())
            ]

    def snapshot(self) -> dict[str, Any]:
        """Everything a new view draws (what it is sent when it appears)."""
        with self._lock:
            return {
                "event": "snapshot",
                "scalars": [s.json(*k) for k, s in sorted(self._scalars.items())],
                "hists": [h.json(*k) for k, h in sorted(self._hists.items())],
                "images": self.images,
                "texts": self.texts,
            }

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reads what was logged since the last read and sends only that to the browser
        (call it from a training loop, or use ``live=True``)."""
        with self._lock:
            records = self._reader.read()
            purged = self._purge(self._reader.purges)
            message = self._ingest(records)
            self._n_records += len(records)
            self._set_status()
            if purged:
                self._post(self.snapshot())
            elif message:
                self._post({"event": "append", **message})

    def _purge(self, purges: list[Any]) -> bool:
        if not purges:
            return False
        for p in purges:
            for (run, tag), old in [*self._scalars.items(), *self._hists.items()]:
                if p.covers(run, tag):
                    _keep_rows(old, [i for i, st in enumerate(_steps_of(old)) if st < p.step])
            for (run, tag), recs in self._image_records.items():
                if p.covers(run, tag):
                    recs[:] = [(st, data) for st, data in recs if st < p.step]
        return True

    def _ingest(self, records: list[Any]) -> dict[str, Any]:
        """Adds ``records`` to the stores; returns the ``append`` message for them."""
        start_s = {k: len(s.steps) for k, s in self._scalars.items()}
        start_h = {k: len(h.rows) for k, h in self._hists.items()}
        new_images: set[tuple[str, str]] = set()
        new_texts: set[tuple[str, str]] = set()
        for r in records:
            key = (str(r.run), str(r.tag))
            if r.kind == "scalar":
                self._scalars.setdefault(key, _Series()).add(
                    int(r.step), float(r.value), r.wall_time
                )
            elif r.kind == "histogram":
                self._hists.setdefault(key, _Hist()).add(int(r.step), r.value, r.wall_time)
            elif r.kind == "image":
                recs = self._image_records.setdefault(key, [])
                recs.append((int(r.step), bytes(r.value)))
                if len(recs) > MAX_IMAGE_STEPS:
                    del recs[0]
                    if key in self._image_index:
                        self._image_index[key] = max(0, self._image_index[key] - 1)
                new_images.add(key)
            elif r.kind == "text":
                value = r.value
                text = value if isinstance(value, str) else " | ".join(np.ravel(value)[:20])
                self._texts[key] = (int(r.step), clip(str(text), MAX_TEXT))
                new_texts.add(key)
        message: dict[str, Any] = {}
        scalars = [
            s.json(*k, start=start_s.get(k, 0))
            for k, s in sorted(self._scalars.items())
            if len(s.steps) > start_s.get(k, 0)
        ]
        hists = [
            h.json(*k, start=start_h.get(k, 0))
            for k, h in sorted(self._hists.items())
            if len(h.rows) > start_h.get(k, 0)
        ]
        for name, items in (
            ("scalars", scalars),
            ("hists", hists),
            ("images", [self._image(k) for k in sorted(new_images)]),
            ("texts", [t for t in self.texts if (t["run"], t["tag"]) in new_texts]),
        ):
            if items:
                message[name] = items
        return message

    def _set_status(self) -> None:
        words = _TEXT.get(self.lang, _TEXT["en"])
        when = time.strftime("%H:%M:%S")
        n = len(self._scalars) + len(self._hists) + len(self._image_records) + len(self._texts)
        status = (
            words["status"].format(n, self._n_records, when)
            if self._n_records
            else words["empty"].format(when)
        )
        if self._reader.skipped:
            status += words["skipped"].format(self._reader.skipped)
        self.status = status

    def _post(self, message: dict[str, Any]) -> None:
        self.messages_sent += 1
        self.send(message)

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
        with self._lock:
            if key not in self._image_records:
                return
            n = len(self._image_records[key])
            index = max(0, int(index))
            if index >= n - 1:
                self._image_index.pop(key, None)
            else:
                self._image_index[key] = index
            self._post({"event": "append", "images": [self._image(key)]})

    # -- live mode ---------------------------------------------------------------------------
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
            if self._had_view and self._views <= 0:
                continue  # its cell was re-run or cleared: nobody is looking
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a file being replaced: try again next tick
                continue

    def close(self) -> None:
        stop = getattr(self, "_stop", None)  # None when __init__ refused its arguments
        if stop is not None:
            stop.set()
        super().close()

    # -- messages ----------------------------------------------------------------------------
    def _on_custom_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        event = content.get("event")
        if event == "ready":
            self._views += 1
            self._had_view = True
            self._post(self.snapshot())
        elif event == "gone":
            self._views -= 1
        elif event == "refresh":
            self.refresh()
        elif event == "image":
            try:
                index = int(content.get("index", 0))
            except (TypeError, ValueError):
                return
            self.show_image(str(content.get("run")), str(content.get("tag")), index)


def _steps_of(store: Any) -> list[int]:
    return store.steps if isinstance(store, _Series) else [r["step"] for r in store.rows]


def _keep_rows(store: Any, keep: list[int]) -> None:
    if isinstance(store, _Series):
        store.steps = [store.steps[i] for i in keep]
        store.values = [store.values[i] for i in keep]
        store.walls = [store.walls[i] for i in keep]
    else:
        store.rows = [store.rows[i] for i in keep]
