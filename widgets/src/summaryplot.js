// SummaryPlot (browser half): what a FileWriter logged, drawn as TensorBoard draws it, with
// uPlot (canvas charts: small, and fast on 10k-point series). Python sends plain JSON: a
// "snapshot" when this view says "ready", then "append" messages with only the new points.
// Every node is built here with DOM APIs; tags and values reach the page only as text.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./_summaryplot.css";
import { h, listen } from "./_dom.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f"];
const CHART_H = 220;

const LABELS = {
  en: {
    refresh: "↻ Refresh", live: "live", smoothing: "Smoothing", xaxis: "Horizontal axis",
    step: "step", relative: "relative", wall: "wall", log: "log scale",
    filter: "Filter tags (regular expression)", badRegex: "not a valid regular expression",
    value: "value", count: "count", relTitle: "relative time", wallTitle: "wall time",
    empty: "Nothing logged yet: write summaries with tf.summary.FileWriter, then refresh.",
    noMatch: "No tag matches the filter.", raw: "raw", smoothed: "smoothed",
    kinds: { scalar: "scalar", histogram: "histogram", image: "image", text: "text" },
    histSub: (n, step) => `${n} steps · bands: min–max, ±1σ, ±2σ, ±3σ, median · bars: step ${step}`,
    imageSub: (step, i, n) => `step ${step} (${i} of ${n})`,
    textSub: (step) => `step ${step}`,
    lastAt: (v, step) => `${v} at step ${step}`, nonfinite: "some values are NaN/inf",
    tags: (n) => `${n} ${n === 1 ? "tag" : "tags"}`,
  },
  ja: {
    refresh: "↻ 更新", live: "自動更新", smoothing: "平滑化", xaxis: "横軸",
    step: "ステップ", relative: "経過時間", wall: "時刻", log: "対数スケール",
    filter: "タグを絞り込む (正規表現)", badRegex: "正規表現として正しくありません",
    value: "値", count: "個数", relTitle: "経過時間", wallTitle: "時刻",
    empty: "まだ何も記録されていません。tf.summary.FileWriter で要約を書いてから更新してください。",
    noMatch: "絞り込みに合うタグがありません。", raw: "元の値", smoothed: "平滑化",
    kinds: { scalar: "スカラー", histogram: "ヒストグラム", image: "画像", text: "テキスト" },
    histSub: (n, step) => `${n} ステップ · 帯: 最小–最大, ±1σ, ±2σ, ±3σ, 中央値 · 棒: ステップ ${step}`,
    imageSub: (step, i, n) => `ステップ ${step} (${n} 枚中 ${i} 枚目)`,
    textSub: (step) => `ステップ ${step}`,
    lastAt: (v, step) => `ステップ ${step} で ${v}`, nonfinite: "NaN/inf を含みます",
    tags: (n) => `タグ ${n} 個`,
  },
};

// ----------------------------------------------------------------------------- numbers

// TensorBoard's scalar smoothing: an exponential moving average, debiased so the first points
// are not pulled towards 0. A constant series, and NaN/inf points, are left as they are.
export function smooth(values, weight) {
  const out = new Array(values.length);
  const finite = values.filter((v) => v != null && Number.isFinite(v));
  const constant = finite.every((v) => v === finite[0]);
  let last = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (constant || v == null || !Number.isFinite(v)) { out[i] = v; continue; }
    last = last * weight + (1 - weight) * v;
    n += 1;
    out[i] = weight === 1 ? last : last / (1 - weight ** n);
  }
  return out;
}

// One format for all ticks of an axis: fixed decimals when the numbers are of ordinary size
// (0.0009 and 0.0010, never 9.00e-4 next to 0.001), exponents otherwise; float noise such as
// 2.78e-17 around zero prints as 0.
export function formatTicks(splits) {
  const vals = splits.filter((v) => v != null && Number.isFinite(v));
  if (!vals.length) return splits.map(() => "");
  let step = Infinity;
  for (let i = 1; i < vals.length; i++) step = Math.min(step, Math.abs(vals[i] - vals[i - 1]));
  if (!Number.isFinite(step) || step === 0) step = Math.abs(vals[0]) || 1;
  const clean = splits.map((v) => (v != null && Math.abs(v) < step * 1e-6 ? 0 : v));
  const big = Math.max(...clean.map((v) => Math.abs(v ?? 0)));
  const finite = clean.filter((v) => v != null && Number.isFinite(v));
  // the fewest digits that write every tick exactly (to a millionth of the tick spacing)
  const digits = (fmt, most) => {
    let d = 0;
    while (d < most && finite.some((v) => Math.abs(+fmt(v, d) - v) > step * 1e-6)) d++;
    return d;
  };
  if (big >= 1e5 || big < 1e-3) {
    const d = digits((v, k) => v.toExponential(k), 6);
    return clean.map((v) => (v == null ? "" : v === 0 ? "0" : v.toExponential(d)));
  }
  const d = digits((v, k) => v.toFixed(k), 10);
  return clean.map((v) => (v == null ? "" : v.toFixed(d)));
}

// a log axis has ticks of several decades (0.01, 0.1, 1, 10): each in its shortest exact form
function formatLogTick(v) {
  if (v == null) return "";
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential().replace(/\.?0+e/, "e") : String(+v.toPrecision(6));
}

export function formatValue(v) {
  if (v == null || !Number.isFinite(v)) return v == null ? "–" : String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(3);
  return String(+v.toPrecision(5));
}

function formatDuration(sec) {
  if (sec == null) return "";
  const a = Math.abs(sec);
  if (a < 120) return `${+sec.toFixed(a < 10 ? 1 : 0)} s`;
  if (a < 7200) return `${+(sec / 60).toFixed(1)} min`;
  return `${+(sec / 3600).toFixed(1)} h`;
}

const INT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 5e4,
  1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 1e9, 1e10];

// ----------------------------------------------------------------------------- charts

function axisStyle(label, extra = {}) {
  return { label, labelSize: 16, size: 34, labelFont: "12px system-ui, sans-serif", font: "11px system-ui, sans-serif",
    stroke: "#475569", grid: { stroke: "#e2e8f0", width: 1 }, ticks: { stroke: "#cbd5e1", width: 1, size: 4 },
    ...extra };
}

// x values of one run under the chosen axis
function xsOf(series, mode) {
  if (mode === "relative") { const t0 = series.walls[0] ?? 0; return series.walls.map((t) => t - t0); }
  if (mode === "wall") return series.walls;
  return series.steps;
}

function sortedTable(xs, ys) {
  const idx = xs.map((_, i) => i);
  let sorted = true;
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) { sorted = false; break; }
  if (!sorted) idx.sort((a, b) => xs[a] - xs[b]);
  return [idx.map((i) => xs[i]), idx.map((i) => ys[i])];
}

// The aligned data of a scalar card: [x, raw run 1, smoothed run 1, raw run 2, ...]
function scalarData(runs, opts) {
  const tables = runs.map((r) => {
    const [xs, ys0] = sortedTable(xsOf(r, opts.xmode), r.values);
    const ys = opts.log ? ys0.map((v) => (v != null && v > 0 ? v : null)) : ys0;
    return [xs, ys, smooth(ys, opts.smoothing)];
  });
  return tables.length === 1 ? tables[0] : uPlot.join(tables);
}

function scalarChart(host, runs, opts, L) {
  const xTitle = { step: L.step, relative: L.relTitle, wall: L.wallTitle }[opts.xmode];
  const series = [{ label: xTitle, value: (u, v) => (v == null ? "–" : opts.xmode === "wall"
    ? new Date(v * 1000).toLocaleString() : opts.xmode === "relative" ? formatDuration(v) : String(v)) }];
  runs.forEach((r) => {
    const color = opts.color(r.run);
    const name = r.run === "." ? "" : `${r.run} `;
    series.push({ label: `${name}${L.raw}`, stroke: color + "55", width: 1, spanGaps: true,
      points: { show: false }, value: (u, v) => formatValue(v), class: "tf-raw" });
    series.push({ label: `${name}${L.smoothed}`, stroke: color, width: 2, spanGaps: true,
      points: { show: runs[0].steps.length === 1 }, value: (u, v) => formatValue(v) });
  });
  const xAxis = opts.xmode === "step"
    ? axisStyle(xTitle, { incrs: INT_INCRS, values: (u, s) => formatTicks(s) })
    : opts.xmode === "relative"
      ? axisStyle(xTitle, { values: (u, s) => s.map(formatDuration) })
      : axisStyle(xTitle);
  const u = new uPlot({
    width: opts.width, height: CHART_H,
    scales: { x: { time: opts.xmode === "wall" }, y: opts.log ? { distr: 3, log: 10 } : {} },
    axes: [xAxis, axisStyle(L.value, { size: 64, values: (u, s) => (opts.log ? s.map(formatLogTick) : formatTicks(s)) })],
    series, legend: { show: true, live: true }, cursor: { drag: { x: true, y: false } },
  }, scalarData(runs, opts), host);
  return u;
}

function distributionChart(host, hist, opts, L) {
  const rows = hist.rows.filter((r) => r.q.every((v) => v != null));
  const data = [rows.map((r) => r.step)];
  for (let k = 0; k < 9; k++) data.push(rows.map((r) => r.q[k]));
  const color = opts.color(hist.run);
  const series = [{}];
  for (let k = 0; k < 9; k++) {
    series.push({ label: k === 4 ? L.value : `q${k}`, stroke: k === 4 ? color : "transparent",
      width: k === 4 ? 2 : 0, points: { show: rows.length === 1 && k === 4 }, value: (u, v) => formatValue(v) });
  }
  const bands = [[9, 1, "22"], [8, 2, "33"], [7, 3, "44"], [6, 4, "55"]]
    .map(([hi, lo, a]) => ({ series: [hi, lo], fill: color + a }));
  return new uPlot({
    width: opts.width, height: CHART_H, bands,
    scales: { x: { time: false }, y: { range: (u, lo, hi) => padRange(lo, hi) } },
    axes: [axisStyle(L.step, { incrs: INT_INCRS, values: (u, s) => formatTicks(s) }),
      axisStyle(L.value, { size: 64, values: (u, s) => formatTicks(s) })],
    series, legend: { show: false }, cursor: { drag: { x: true, y: false } },
  }, data, host);
}

function padRange(lo, hi) {
  if (lo == null || hi == null) return [0, 1];
  if (hi === lo) { const d = Math.abs(lo) * 0.1 || 1; return [lo - d, hi + d]; }
  const d = (hi - lo) * 0.05;
  return [lo - d, hi + d];
}

// The newest step's histogram as bars: the value axis spans exactly the data (min to max),
// the count axis has whole numbers only.
function barChart(host, hist, opts, L) {
  const { edges, counts } = hist.last;
  const color = opts.color(hist.run);
  let xs = edges.slice(), ys = counts.concat([counts[counts.length - 1]]);
  if (xs.length === 2 && xs[0] === xs[1]) { xs = [xs[0] - 0.5, xs[0] + 0.5]; }
  const top = Math.max(1, ...counts);
  return new uPlot({
    width: opts.width, height: 150,
    scales: { x: { time: false, range: () => [xs[0], xs[xs.length - 1]] }, y: { range: () => [0, top * 1.05] } },
    axes: [axisStyle(L.value, { values: (u, s) => formatTicks(s) }),
      axisStyle(L.count, { size: 64, incrs: INT_INCRS, values: (u, s) => s.map((v) => String(Math.round(v))) })],
    series: [{}, { label: L.count, stroke: color, fill: color + "99", width: 1,
      paths: uPlot.paths.stepped({ align: 1 }), points: { show: false }, value: (u, v) => (v == null ? "–" : String(v)) }],
    legend: { show: false }, cursor: { show: true, drag: { x: false, y: false } },
  }, [xs, ys], host);
}

// ----------------------------------------------------------------------------- the view

function groupOf(tag) {
  const i = tag.indexOf("/");
  return i < 0 ? tag : tag.slice(0, i);
}

function render({ model, el }) {
  const state = { scalars: new Map(), hists: new Map(), images: new Map(), texts: new Map() };
  const cards = new Map(); // card key -> {el, kind, tag, update(), destroy()}
  const collapsed = new Map(); // section name -> bool (the user's choice)
  const observers = [];
  const runColors = new Map();
  const color = (run) => {
    if (!runColors.has(run)) runColors.set(run, COLORS[runColors.size % COLORS.length]);
    return runColors.get(run);
  };
  const view = { xmode: "step", log: false, filter: null };
  const L = () => LABELS[model.get("lang")] || LABELS.en;

  const root = h("div", { class: "tf-widget tf-summary" });
  const title = h("div", { class: "tf-title" });
  const status = h("span", { class: "tf-dim tf-status" });
  const refresh = h("button", { class: "tf-btn tf-refresh" });
  refresh.addEventListener("click", () => model.send({ event: "refresh" }));
  const live = h("input", { type: "checkbox", class: "tf-live" });
  live.addEventListener("change", () => { model.set("live", live.checked); model.save_changes(); });
  const liveLabel = h("span");
  const smoothLabel = h("span");
  const slider = h("input", { class: "tf-smoothing", type: "range", min: 0, max: 0.99, step: 0.01 });
  const smoothValue = h("span", { class: "tf-smoothing-value" });
  let smoothTimer = null;
  slider.addEventListener("input", () => {
    smoothValue.textContent = (+slider.value).toFixed(2);
    clearTimeout(smoothTimer);
    smoothTimer = setTimeout(() => { model.set("smoothing", +slider.value); model.save_changes(); }, 60);
  });
  const xLabel = h("span");
  const xSelect = h("select", { class: "tf-xaxis" });
  xSelect.addEventListener("change", () => { view.xmode = xSelect.value; rebuildScalars(); });
  const logBox = h("input", { type: "checkbox", class: "tf-log" });
  const logLabel = h("span");
  logBox.addEventListener("change", () => { view.log = logBox.checked; rebuildScalars(); });
  const filter = h("input", { class: "tf-filter", type: "search", spellcheck: "false" });
  const filterNote = h("span", { class: "tf-filter-note" });
  filter.addEventListener("input", () => applyFilter());
  const toolbar = h("div", { class: "tf-toolbar" }, refresh, h("label", {}, live, liveLabel), status);
  const settings = h("div", { class: "tf-settings" },
    h("label", {}, smoothLabel, slider, smoothValue),
    h("label", {}, xLabel, xSelect),
    h("label", {}, logBox, logLabel),
    h("span", { class: "tf-filter-box" }, filter, filterNote));
  const body = h("div", { class: "tf-summary-body" });
  root.append(h("div", { class: "tf-header" }, title, toolbar, settings), body);
  el.replaceChildren(root);

  function applyLabels() {
    const l = L();
    refresh.textContent = l.refresh;
    liveLabel.textContent = l.live;
    smoothLabel.textContent = l.smoothing;
    xLabel.textContent = l.xaxis;
    logLabel.textContent = l.log;
    filter.placeholder = l.filter;
    xSelect.replaceChildren(...["step", "relative", "wall"].map((m) => {
      const o = h("option", { value: m, text: l[m] });
      o.selected = m === view.xmode;
      return o;
    }));
  }

  function syncTraits() {
    title.textContent = model.get("title") || "";
    status.textContent = model.get("status") || "";
    live.checked = !!model.get("live");
    const w = model.get("smoothing");
    if (document.activeElement !== slider) { slider.value = w; smoothValue.textContent = (+w).toFixed(2); }
  }

  // --- cards
  function chartHost(make) {
    // a chart is made when its host first has a width (sections start collapsed or hidden)
    const host = h("div", { class: "tf-chart-host" });
    let chart = null;
    const ro = new ResizeObserver(() => {
      const width = Math.floor(host.clientWidth);
      if (width < 40) return;
      if (!chart) { chart = make(width); host.tfChart = chart; }
      else if (Math.abs(chart.width - width) > 1) chart.setSize({ width, height: chart.height });
    });
    ro.observe(host);
    observers.push(ro);
    return {
      host,
      get chart() { return chart; },
      remake() { if (chart) { const w = chart.width; chart.destroy(); chart = make(w); host.tfChart = chart; } },
      destroy() { ro.disconnect(); if (chart) chart.destroy(); chart = null; host.tfChart = null; },
    };
  }

  function card(kind, tag, sub, ...content) {
    const l = L();
    const c = h("div", { class: "tf-card" },
      h("div", { class: "tf-card-title" }, h("span", { class: "tf-kind", text: l.kinds[kind] }), " ", h("span", { text: tag })),
      sub, ...content);
    c.dataset.kind = kind;
    c.dataset.tag = tag;
    return c;
  }

  function scalarCard(tag) {
    const sub = h("div", { class: "tf-card-sub" });
    const runs = () => [...state.scalars.values()].filter((s) => s.tag === tag);
    const opts = (width) => ({ width, xmode: view.xmode, log: view.log, smoothing: +model.get("smoothing"), color });
    const chart = chartHost((width) => scalarChart(chart.host, runs(), opts(width), L()));
    const c = card("scalar", tag, sub, chart.host);
    const update = () => {
      const rs = runs();
      const l = L();
      sub.textContent = rs.map((r) => {
        const i = r.steps.length - 1;
        return `${r.run === "." ? "" : r.run + ": "}${l.lastAt(formatValue(r.values[i]), r.steps[i])}`;
      }).join(" · ") + (rs.some((r) => r.values.some((v) => v == null)) ? ` · ${l.nonfinite}` : "");
      const u = chart.chart;
      if (!u) return;
      if (u.series.length !== 1 + 2 * rs.length) chart.remake();
      else u.setData(scalarData(rs, opts(u.width)));
    };
    update();
    return { el: c, kind: "scalar", tag, update, remake: () => chart.remake(), destroy: () => chart.destroy() };
  }

  function histCard(key) {
    const hist = () => state.hists.get(key);
    const hs = hist();
    const sub = h("div", { class: "tf-card-sub" });
    const opts = (width) => ({ width, color });
    const dist = chartHost((width) => distributionChart(dist.host, hist(), opts(width), L()));
    const bars = chartHost((width) => barChart(bars.host, hist(), opts(width), L()));
    dist.host.classList.add("tf-distribution");
    bars.host.classList.add("tf-bars");
    const c = card("histogram", hs.tag, sub, dist.host, bars.host);
    const update = () => {
      const x = hist();
      sub.textContent = `${x.run === "." ? "" : x.run + " · "}${L().histSub(x.n, x.last.step)}`;
      dist.remake();
      bars.remake();
    };
    update();
    return { el: c, kind: "histogram", tag: hs.tag, update, remake: update, destroy: () => { dist.destroy(); bars.destroy(); } };
  }

  function imageCard(key) {
    const img = h("img", { class: "tf-image" });
    const label = h("div", { class: "tf-card-sub" });
    const slider = h("input", { class: "tf-slider", type: "range", min: 0 });
    const im0 = state.images.get(key);
    const c = card("image", im0.tag, h("div", { class: "tf-card-sub", text: im0.run === "." ? "" : im0.run }),
      h("div", { class: "tf-image-frame" }, img), label, slider);
    slider.addEventListener("input", () => {
      const im = state.images.get(key);
      label.textContent = L().imageSub(im.steps[+slider.value], +slider.value + 1, im.steps.length);
    });
    slider.addEventListener("change", () => {
      const im = state.images.get(key);
      model.send({ event: "image", run: im.run, tag: im.tag, index: +slider.value });
    });
    const update = () => {
      const im = state.images.get(key);
      img.alt = im.tag;
      img.width = Math.max(160, im.width);
      img.title = `${im.width}×${im.height}`;
      if (im.png && /^[A-Za-z0-9+/=]*$/.test(im.png)) img.src = `data:image/png;base64,${im.png}`;
      label.textContent = L().imageSub(im.step, im.index + 1, im.steps.length);
      slider.max = im.steps.length - 1;
      slider.value = im.index;
      slider.hidden = im.steps.length < 2;
    };
    update();
    return { el: c, kind: "image", tag: im0.tag, update, remake: update, destroy: () => {} };
  }

  function textCard(key) {
    const t0 = state.texts.get(key);
    const sub = h("div", { class: "tf-card-sub" });
    const text = h("div", { class: "tf-text" });
    const c = card("text", t0.tag, sub, text);
    const update = () => {
      const t = state.texts.get(key);
      sub.textContent = `${t.run === "." ? "" : t.run + " · "}${L().textSub(t.step)}`;
      text.textContent = t.text;
    };
    update();
    return { el: c, kind: "text", tag: t0.tag, update, remake: update, destroy: () => {} };
  }

  // every (kind, tag) that has data, in display order
  function wantedCards() {
    const out = [];
    const tags = new Set([...state.scalars.values()].map((s) => s.tag));
    for (const tag of [...tags].sort()) out.push([`scalar\u0000${tag}`, () => scalarCard(tag)]);
    for (const key of [...state.hists.keys()].sort()) out.push([`histogram\u0000${key}`, () => histCard(key)]);
    for (const key of [...state.images.keys()].sort()) out.push([`image\u0000${key}`, () => imageCard(key)]);
    for (const key of [...state.texts.keys()].sort()) out.push([`text\u0000${key}`, () => textCard(key)]);
    return out;
  }

  // (re)builds the sections around the cards, keeping existing cards (and their charts)
  function layout() {
    const wanted = wantedCards();
    const keep = new Set(wanted.map(([k]) => k));
    for (const [k, c] of cards) if (!keep.has(k)) { c.destroy(); cards.delete(k); }
    if (!wanted.length) {
      body.replaceChildren(h("div", { class: "tf-empty", text: L().empty }));
      return;
    }
    const groups = new Map();
    for (const [k, make] of wanted) {
      if (!cards.has(k)) cards.set(k, make());
      const c = cards.get(k);
      const g = groupOf(c.tag);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(c);
    }
    const names = [...groups.keys()].sort();
    const many = wanted.length > 12;
    const sections = names.map((name, i) => {
      if (!collapsed.has(name)) collapsed.set(name, many && i >= 2);
      const grid = h("div", { class: "tf-grid" }, groups.get(name).map((c) => c.el));
      const caret = h("span", { class: "tf-caret" });
      const count = h("span", { class: "tf-count" });
      const head = h("button", { class: "tf-section-head", type: "button" }, caret, h("span", { class: "tf-section-name", text: name }), count);
      const sec = h("section", { class: "tf-group" }, head, grid);
      sec.dataset.group = name;
      const show = () => {
        const closed = collapsed.get(name);
        grid.hidden = closed;
        caret.textContent = closed ? "▸" : "▾";
        head.setAttribute("aria-expanded", String(!closed));
      };
      head.addEventListener("click", () => { collapsed.set(name, !collapsed.get(name)); show(); });
      show();
      sec.tfCount = count;
      return sec;
    });
    body.replaceChildren(h("div", { class: "tf-no-match", hidden: true, text: L().noMatch }), ...sections);
    applyFilter();
  }

  function applyFilter() {
    const text = filter.value.trim();
    let re = null;
    filterNote.textContent = "";
    filter.classList.remove("tf-invalid");
    if (text) {
      try { re = new RegExp(text, "i"); } catch (err) {
        filter.classList.add("tf-invalid");
        filterNote.textContent = L().badRegex;
        re = view.filter; // keep the last valid filter while the user types
      }
    }
    view.filter = re;
    let shown = 0;
    for (const sec of body.querySelectorAll("section.tf-group")) {
      let n = 0;
      for (const c of sec.querySelectorAll(".tf-card")) {
        const ok = !re || re.test(c.dataset.tag);
        c.hidden = !ok;
        if (ok) n++;
      }
      sec.hidden = n === 0;
      sec.tfCount.textContent = L().tags(n);
      shown += n;
    }
    const none = body.querySelector(".tf-no-match");
    if (none) none.hidden = shown > 0 || cards.size === 0;
  }

  function redrawScalars() {
    for (const c of cards.values()) if (c.kind === "scalar") c.update();
  }
  function rebuildScalars() {
    for (const c of cards.values()) if (c.kind === "scalar") c.remake();
  }

  // --- data from Python
  const keyOf = (x) => `${x.run}\u0000${x.tag}`;
  function take(msg, replace) {
    if (replace) { for (const m of Object.values(state)) m.clear(); }
    const touched = new Set();
    for (const s of msg.scalars || []) {
      const k = keyOf(s);
      const old = state.scalars.get(k);
      if (old && !replace) { old.steps.push(...s.steps); old.values.push(...s.values); old.walls.push(...s.walls); }
      else state.scalars.set(k, { run: s.run, tag: s.tag, steps: s.steps, values: s.values, walls: s.walls });
      color(s.run);
      touched.add(`scalar\u0000${s.tag}`);
    }
    for (const hs of msg.hists || []) {
      const k = keyOf(hs);
      const old = state.hists.get(k);
      if (old && !replace) { old.rows.push(...hs.rows); old.n = hs.n; old.last = hs.last; }
      else state.hists.set(k, { run: hs.run, tag: hs.tag, n: hs.n, rows: hs.rows, last: hs.last });
      color(hs.run);
      touched.add(`histogram\u0000${k}`);
    }
    for (const im of msg.images || []) { state.images.set(keyOf(im), im); touched.add(`image\u0000${keyOf(im)}`); }
    for (const t of msg.texts || []) { state.texts.set(keyOf(t), t); touched.add(`text\u0000${keyOf(t)}`); }
    if (replace) { for (const c of cards.values()) c.destroy(); cards.clear(); }
    const fresh = [...touched].some((k) => !cards.has(k));
    for (const k of touched) if (cards.has(k)) cards.get(k).update();
    if (fresh || replace) layout();
    root.dataset.points = String([...state.scalars.values()].reduce((n, s) => n + s.steps.length, 0));
  }

  const onMsg = (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.event === "snapshot") take(msg, true);
    else if (msg.event === "append") take(msg, false);
  };
  model.on("msg:custom", onMsg);
  const relabel = () => { applyLabels(); for (const c of cards.values()) c.destroy(); cards.clear(); layout(); };
  const offTraits = listen(model, ["title", "status", "live", "smoothing"], syncTraits);
  model.on("change:lang", relabel);
  model.on("change:smoothing", redrawScalars);
  applyLabels();
  syncTraits();
  layout();
  model.send({ event: "ready" });

  return () => {
    model.send({ event: "gone" });
    model.off("msg:custom", onMsg);
    model.off("change:lang", relabel);
    model.off("change:smoothing", redrawScalars);
    offTraits();
    clearTimeout(smoothTimer);
    for (const ro of observers) ro.disconnect();
    for (const c of cards.values()) c.destroy();
    cards.clear();
    el.replaceChildren();
  };
}

export default { render };
