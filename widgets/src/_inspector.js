// Why training goes wrong, beside the graph: the tensor inspector (click an edge), the watch
// list, where a NaN was born, and the legend of "colour by". Built from the plain data the
// Python half sends (model.inspector, model.watched, model.nan_info, model.heat).
import { h, s } from "./_dom.js";

// the colour ramp of "colour by": light (small) to dark red (large), on a log scale
const RAMP = [[254, 249, 195], [251, 146, 60], [185, 28, 28]];

export function rampColor(x) {
  const t = Math.max(0, Math.min(1, x)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  const f = t - i;
  const c = RAMP[i].map((a, k) => Math.round(a + (RAMP[i + 1][k] - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

// {box: value} -> {box: position 0..1 on a log scale}, and the scale's ends
export function heatScale(values) {
  const pos = Object.values(values).filter((v) => v > 0);
  if (!pos.length) return { lo: 0, hi: 0, at: () => 0 };
  const lo = Math.min(...pos), hi = Math.max(...pos);
  const l0 = Math.log10(lo), l1 = Math.log10(hi);
  const at = (v) => (v > 0 ? (l1 > l0 ? (Math.log10(v) - l0) / (l1 - l0) : 1) : 0);
  return { lo, hi, at };
}

export function fmtAmount(v, what) {
  if (what === "time") {
    if (v >= 1e6) return `${(v / 1e6).toPrecision(3)} s`;
    if (v >= 1e3) return `${(v / 1e3).toPrecision(3)} ms`;
    return `${v.toPrecision(3)} µs`;
  }
  if (what === "size") {
    if (v >= 1 << 20) return `${(v / (1 << 20)).toPrecision(3)} MB`;
    if (v >= 1024) return `${(v / 1024).toPrecision(3)} kB`;
    return `${Math.round(v)} B`;
  }
  return v === 0 ? "0" : v >= 1e-3 && v < 1e4 ? v.toPrecision(3) : v.toExponential(2);
}

export function heatLegend(heat, t) {
  if (!heat || !heat.what) return [];
  const sc = heatScale(heat.values || {});
  const stops = [0, 0.5, 1].map((x) => `${rampColor(x)} ${x * 100}%`).join(", ");
  return [h("div", { class: "tf-heat-legend" },
    h("span", { class: "tf-heat-title", text: t.heatBy[heat.what] || heat.what }),
    h("span", { class: "tf-heat-lo", text: fmtAmount(sc.lo, heat.what) }),
    h("span", { class: "tf-heat-bar", style: `background: linear-gradient(to right, ${stops})` }),
    h("span", { class: "tf-heat-hi", text: fmtAmount(sc.hi, heat.what) }),
    h("span", { class: "tf-dim", text: t.heatLog }))];
}

// -- the tensor inspector ----------------------------------------------------------------------
function tableNodes(rows) {
  return h("table", { class: "tf-tensor-table" },
    ...rows.map((r) => h("tr", {}, ...r.map((x) => h("td", { text: x })))));
}

function histogramNode(hist, t) {
  const W = 300, H = 110, P = 4;
  const counts = hist.counts || [];
  const top = Math.max(1, ...counts);
  const bw = (W - 2 * P) / Math.max(1, counts.length);
  const bars = counts.map((c, i) => s("rect", {
    class: "tf-hist-bar", x: P + i * bw + 0.5, width: Math.max(1, bw - 1),
    y: H - P - ((H - 2 * P) * c) / top, height: ((H - 2 * P) * c) / top,
  }, s("title", {}, `${hist.edges[i].toPrecision(3)} … ${hist.edges[i + 1].toPrecision(3)}: ${c}`)));
  const svg = s("svg", { class: "tf-hist", width: W, height: H, viewBox: `0 0 ${W} ${H}` }, ...bars);
  const fmt = (v) => fmtAmount(v, "");
  const out = [svg];
  if (hist.min != null) {
    out.push(h("div", { class: "tf-hist-axis" }, h("span", { text: fmt(hist.min) }), h("span", { text: fmt(hist.max) })));
    out.push(h("div", { class: "tf-dim", text: t.histStats(fmt(hist.mean), fmt(hist.std), hist.n) }));
  }
  if (hist.nonfinite) out.push(h("div", { class: "tf-bad", text: t.nonFinite(hist.nonfinite, hist.n) }));
  return out;
}

function tileCanvas(pixels, w, ht) {
  const c = h("canvas", { class: "tf-tile", width: w, height: ht });
  const ctx = c.getContext("2d");
  if (ctx) {
    const img = ctx.createImageData(w, ht);
    for (let i = 0; i < pixels.length; i += 1) {
      const v = pixels[i];
      img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  const size = Math.max(24, Math.min(64, 4 * Math.max(w, ht)));
  c.style.width = `${size}px`;
  c.style.height = `${Math.round((size * ht) / w)}px`;
  return c;
}

function imagesNode(im, t) {
  const grid = h("div", { class: "tf-tiles", style: `grid-template-columns: repeat(${im.cols}, auto)` });
  im.tiles.forEach((row, r) => row.forEach((px, c) => {
    const cv = tileCanvas(px, im.w, im.h);
    cv.title = im.layout === "HWIO" ? t.tileFilter(r, c) : t.tileMap(r, c);
    grid.append(cv);
  }));
  return [
    h("div", { class: "tf-dim", text: im.layout === "HWIO" ? t.gridFilter(im) : t.gridMap(im) }),
    grid,
  ];
}

export function inspectorNodes(d, t) {
  if (!d || !d.tensor) return [];
  const out = [h("div", { class: "tf-info-head" },
    h("a", { class: "tf-link", "data-select": d.op || "", text: d.tensor }), " ", h("code", { text: d.type || "" }))];
  const src = d.source;
  if (d.shape) {
    const where = src === "step" ? t.srcStep(d.step) : t.src[src] || src;
    out.push(h("div", { class: "tf-insp-meta" }, h("b", { text: d.dtype }), ` (${d.shape.join(", ")}${d.shape.length === 1 ? "," : ""}) · `, h("span", { class: "tf-dim", text: where })));
  } else {
    const why = t.noValue[src] || src;
    out.push(h("div", { class: "tf-insp-meta" }, h("span", { class: "tf-dim", text: `${d.static_dtype || ""} ${d.static_shape || ""}` })));
    out.push(h("p", { class: src === "error" ? "tf-bad" : "tf-insp-why", text: src === "error" ? d.error : why + (d.names ? ` ${d.names.join(", ")}` : "") }));
  }
  if (d.nonfinite && d.kind !== "histogram" && d.kind !== "images") out.push(h("div", { class: "tf-bad", text: t.nonFinite(d.nonfinite, d.shape.reduce((a, b) => a * b, 1)) }));
  if (d.kind === "table") out.push(tableNodes(d.table));
  else if (d.kind === "histogram") out.push(...histogramNode(d.hist, t));
  else if (d.kind === "images") out.push(...imagesNode(d.images, t), h("details", {}, h("summary", { text: t.histogram }), ...histogramNode(d.hist, t)));
  else if (d.kind === "text") out.push(h("pre", { class: "tf-value", text: d.text }));
  out.push(h("div", { class: "tf-insp-actions" },
    h("button", { class: "tf-btn tf-small", "data-watch": d.tensor, text: t.watchIt }),
    h("button", { class: "tf-btn tf-small", "data-uninspect": "", text: t.closeIt })));
  return out;
}

export function watchNodes(items, t) {
  if (!items || !items.length) return [];
  return [h("ul", { class: "tf-watch" }, ...items.map((w) => h("li", {},
    h("div", { class: "tf-watch-head" },
      h("a", { class: "tf-link", "data-inspect": w.tensor, text: w.tensor }), " ",
      h("span", { class: w.now == null ? "tf-dim" : "tf-watch-now", text: w.now == null ? t.notYetComputed : `= ${w.now}` }),
      h("button", { class: "tf-unwatch", "data-unwatch": w.tensor, title: t.unwatch, "aria-label": t.unwatch, text: "×" })),
    w.history.length ? h("table", { class: "tf-watch-hist" }, ...w.history.map(([label, text]) =>
      h("tr", {}, h("th", { text: t.runLabel(label) }), h("td", { text }))) ) : null)))];
}

export function nanNodes(n, t) {
  if (!n || !n.op) return [];
  const out = [
    h("div", { class: "tf-nan-title" }, t.nanBorn(n.kind), h("b", { text: n.op }), ` (${n.type})`),
    h("div", { class: "tf-dim" }, h("code", { text: n.tensor }), n.where ? ` · ${t.createdAt} ${t.place(n.where)}` : ""),
  ];
  if (n.src) out.push(h("pre", { class: "tf-nan-src", text: n.src }));
  if (n.inputs.length) {
    out.push(h("div", { class: "tf-nan-sub", text: t.nanInputs }));
    for (const i of n.inputs) out.push(h("code", { text: i.name }), h("pre", { class: "tf-value", text: i.text }));
  }
  out.push(h("div", { class: "tf-error-hint tf-nan-hint", text: t.hint + n.hint }));
  if (n.downstream.length) {
    const links = [];
    n.downstream.forEach((d, i) => links.push(...(i ? [", "] : []), h("a", { class: "tf-link", "data-select": d, text: d })));
    if (n.more) links.push(` … (+${n.more})`);
    out.push(h("div", { class: "tf-nan-reach" }, t.nanReached, ...links));
  }
  return out;
}
