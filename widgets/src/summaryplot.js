// SummaryPlot (browser half): scalars as line charts, histograms as distributions over steps,
// images with a step slider, text. Everything is drawn as SVG / DOM here; tags and values
// reach the page only as text.
import { h, listen, s } from "./_dom.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f"];
const W = 360, H = 210, M = { l: 52, r: 14, t: 10, b: 28 };

function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) { const d = Math.abs(lo) || 1; lo -= d / 2; hi += d / 2; }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw) || raw;
  const a = Math.floor(lo / step) * step, b = Math.ceil(hi / step) * step;
  const out = [];
  for (let v = a; v <= b + step / 2; v += step) out.push(+v.toPrecision(12));
  return out;
}

function fmt(v) {
  if (v == null || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return String(+v.toPrecision(4));
}

function frame(xs, ys) {
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), 5);
  const yt = niceTicks(Math.min(...ys), Math.max(...ys), 4);
  const x0 = xt[0], x1 = xt[xt.length - 1], y0 = yt[0], y1 = yt[yt.length - 1];
  const X = (x) => M.l + ((x - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
  const Y = (y) => H - M.b - ((y - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
  const axis = s("g", { class: "tf-axis" });
  for (const v of yt) {
    axis.append(s("line", { x1: M.l, x2: W - M.r, y1: Y(v), y2: Y(v) }));
    axis.append(s("text", { x: M.l - 6, y: Y(v) + 4, "text-anchor": "end", text: fmt(v) }));
  }
  for (const v of xt) {
    axis.append(s("text", { x: X(v), y: H - 8, "text-anchor": "middle", text: fmt(v) }));
  }
  return { X, Y, axis };
}

function lineChart(series) {
  const pts = series.flatMap((r) => r.points);
  const svg = s("svg", { class: "tf-chart", viewBox: `0 0 ${W} ${H}`, role: "img" });
  if (!pts.length) {
    svg.append(s("text", { x: W / 2, y: H / 2, "text-anchor": "middle", text: "no finite values" }));
    return svg;
  }
  const { X, Y, axis } = frame(pts.map((p) => p[0]), pts.map((p) => p[1]));
  svg.append(axis);
  series.forEach((r, i) => {
    const color = COLORS[i % COLORS.length];
    const d = r.points.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: "tf-line", points: d, stroke: color }));
    const last = r.points[r.points.length - 1];
    svg.append(s("circle", { cx: X(last[0]), cy: Y(last[1]), r: 3.5, fill: color }));
  });
  // hover: the nearest logged step of the first run
  const hover = s("g", { class: "tf-hover", visibility: "hidden" });
  const vline = s("line", { y1: M.t, y2: H - M.b });
  const label = s("text", { y: M.t + 12 });
  hover.append(vline, label);
  svg.append(hover);
  svg.addEventListener("mousemove", (ev) => {
    const rect = svg.getBoundingClientRect();
    const x = ((ev.clientX - rect.left) / rect.width) * W;
    let best = null;
    for (const p of series[0].points) if (!best || Math.abs(X(p[0]) - x) < Math.abs(X(best[0]) - x)) best = p;
    if (!best) return;
    vline.setAttribute("x1", X(best[0])); vline.setAttribute("x2", X(best[0]));
    const right = X(best[0]) > W / 2;
    label.setAttribute("x", X(best[0]) + (right ? -6 : 6));
    label.setAttribute("text-anchor", right ? "end" : "start");
    label.textContent = `step ${best[0]}: ${fmt(best[1])}`;
    hover.setAttribute("visibility", "visible");
  });
  svg.addEventListener("mouseleave", () => hover.setAttribute("visibility", "hidden"));
  return svg;
}

function distributionChart(hist, color) {
  const steps = hist.steps.filter((st) => st.q.every((v) => v != null));
  const svg = s("svg", { class: "tf-chart", viewBox: `0 0 ${W} ${H}`, role: "img" });
  if (!steps.length) return svg;
  const { X, Y, axis } = frame(steps.map((st) => st.step), steps.flatMap((st) => [st.q[0], st.q[8]]));
  svg.append(axis);
  const band = (lo, hi, opacity) => {
    if (steps.length === 1) {
      const st = steps[0];
      return s("rect", { x: X(st.step) - 4, width: 8, y: Y(st.q[hi]), height: Math.max(1, Y(st.q[lo]) - Y(st.q[hi])), fill: color, "fill-opacity": opacity });
    }
    const top = steps.map((st) => `${X(st.step).toFixed(1)},${Y(st.q[hi]).toFixed(1)}`);
    const bottom = steps.slice().reverse().map((st) => `${X(st.step).toFixed(1)},${Y(st.q[lo]).toFixed(1)}`);
    return s("polygon", { points: top.concat(bottom).join(" "), fill: color, "fill-opacity": opacity, stroke: "none" });
  };
  svg.append(band(0, 8, 0.15), band(1, 7, 0.2), band(2, 6, 0.25), band(3, 5, 0.3));
  if (steps.length > 1) {
    svg.append(s("polyline", { class: "tf-line", stroke: color, points: steps.map((st) => `${X(st.step).toFixed(1)},${Y(st.q[4]).toFixed(1)}`).join(" ") }));
  }
  return svg;
}

function barChart(last, color) {
  const hgt = 90;
  const svg = s("svg", { class: "tf-chart", viewBox: `0 0 ${W} ${hgt}`, role: "img" });
  const { edges, counts } = last;
  if (!counts || !counts.length) return svg;
  const lo = edges[0], hi = edges[edges.length - 1];
  const top = Math.max(...counts) || 1;
  const X = (x) => M.l + ((x - lo) / (hi - lo || 1)) * (W - M.l - M.r);
  counts.forEach((c, i) => {
    const x = X(edges[i]), w = Math.max(1, X(edges[i + 1] ?? edges[i]) - x - 1);
    const bh = (c / top) * (hgt - 24);
    svg.append(s("rect", { x, y: hgt - 18 - bh, width: w, height: bh, fill: color, "fill-opacity": 0.7 }));
  });
  const axis = s("g", { class: "tf-axis" });
  axis.append(s("text", { x: M.l, y: hgt - 4, "text-anchor": "start", text: fmt(lo) }));
  axis.append(s("text", { x: W - M.r, y: hgt - 4, "text-anchor": "end", text: fmt(hi) }));
  axis.append(s("text", { x: M.l - 6, y: 12, "text-anchor": "end", text: fmt(top) }));
  svg.append(axis);
  return svg;
}

function card(kind, title, sub, ...body) {
  const c = h("div", { class: "tf-card" },
    h("div", { class: "tf-card-title" }, h("span", { class: "tf-kind", text: kind }), " ", h("span", { text: title })),
    sub ? h("div", { class: "tf-card-sub", text: sub }) : null, ...body);
  c.dataset.kind = kind;
  return c;
}

function render({ model, el }) {
  const root = h("div", { class: "tf-widget tf-summary" });
  const title = h("div", { class: "tf-title" });
  const status = h("span", { class: "tf-dim" });
  const refresh = h("button", { class: "tf-btn", text: "↻ Refresh", onclick: () => model.send({ event: "refresh" }) });
  const live = h("input", { type: "checkbox" });
  live.addEventListener("change", () => { model.set("live", live.checked); model.save_changes(); });
  const toolbar = h("div", { class: "tf-toolbar" }, refresh, h("label", {}, live, "live"), status);
  const body = h("div", { class: "tf-summary-body" });
  root.append(h("div", { class: "tf-header" }, title, toolbar), body);
  el.replaceChildren(root);

  const draw = () => {
    title.textContent = model.get("title") || "";
    status.textContent = model.get("status") || "";
    live.checked = !!model.get("live");
    const parts = [];
    // scalars: one chart per tag, one line per run
    const byTag = new Map();
    for (const sc of model.get("scalars") || []) {
      if (!byTag.has(sc.tag)) byTag.set(sc.tag, []);
      byTag.get(sc.tag).push(sc);
    }
    if (byTag.size) {
      const cards = [...byTag].map(([tag, runs]) => {
        const legend = runs.map((r) => `${r.run === "." ? "" : r.run + ": "}${fmt(r.last[1])} at step ${r.last[0]}`);
        const sub = legend.join(" · ") + (runs.some((r) => r.nonfinite) ? " · some values are NaN/inf" : "");
        return card("scalar", tag, sub, lineChart(runs));
      });
      parts.push(...cards);
    }
    const hists = model.get("histograms") || [];
    if (hists.length) {
      const cards = hists.map((hs, i) => {
        const color = COLORS[i % COLORS.length];
        return card("histogram", hs.tag, `${hs.run === "." ? "" : hs.run + " · "}${hs.n} steps · bands: min–max, ±1σ, ±2σ, median; bars: step ${hs.last.step}`,
          distributionChart(hs, color), barChart(hs.last, color));
      });
      parts.push(...cards);
    }
    const images = model.get("images") || [];
    if (images.length) {
      const cards = images.map((im) => {
        const img = h("img", { alt: im.tag, width: Math.max(160, im.width), title: `${im.width}×${im.height}` });
        if (/^[A-Za-z0-9+/=]*$/.test(im.png) && im.png) img.src = `data:image/png;base64,${im.png}`;
        const label = h("div", { class: "tf-card-sub", text: `step ${im.step} (${im.index + 1} of ${im.steps.length})` });
        const slider = h("input", { class: "tf-slider", type: "range", min: 0, max: im.steps.length - 1, value: im.index });
        slider.addEventListener("input", () => {
          label.textContent = `step ${im.steps[+slider.value]} (${+slider.value + 1} of ${im.steps.length})`;
        });
        slider.addEventListener("change", () => model.send({ event: "image", run: im.run, tag: im.tag, index: +slider.value }));
        return card("image", im.tag, im.run === "." ? "" : im.run, h("div", { class: "tf-image-frame" }, img), label, im.steps.length > 1 ? slider : null);
      });
      parts.push(...cards);
    }
    const texts = model.get("texts") || [];
    if (texts.length) {
      parts.push(...texts.map((t) => card("text", t.tag, `step ${t.step}`, h("div", { class: "tf-text", text: t.text }))));
    }
    if (!parts.length) {
      body.replaceChildren(h("div", { class: "tf-empty", text: "Nothing logged yet: write summaries with tf.summary.FileWriter, then refresh." }));
    } else {
      body.replaceChildren(h("div", { class: "tf-grid" }, parts));
    }
  };
  const off = listen(model, ["title", "status", "scalars", "histograms", "images", "texts", "live"], draw);
  draw();
  return off;
}

export default { render };
