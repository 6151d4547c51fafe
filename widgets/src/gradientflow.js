// GradientFlow (browser half): each layer's gradient norm and |update| / |value| per training
// step (uPlot, log scale), and the last step as one bar per layer, input side first, so a
// vanishing gradient (the first layers' bars orders of magnitude shorter) shows at a glance.
// Points arrive as messages ({event: "points", start, steps, layer_grad, ...}) while training
// runs; a new view asks for everything ({event: "sync"}).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./_gradientflow.css";
import { h, listen, s } from "./_dom.js";

const TEXT = {
  en: {
    grad: "gradient norm ‖∂loss/∂w‖",
    ratio: "update / value  ‖Δw‖ / ‖w‖",
    last: (step) => `last step (${step}): gradient norm per layer, input side at the top`,
    byLayer: "per layer",
    byVar: "per variable",
    step: "step",
    empty: "No steps recorded yet: call recorder.run(sess, train_op, feed_dict) in the training loop.",
    spread: (f) => `the first layer's gradient is ${f} times smaller than the last layer's`,
    spreadUp: (f) => `the first layer's gradient is ${f} times larger than the last layer's`,
    steps: (n) => `${n} steps`,
    note: "Lines coloured as the bars above. Log scales. A healthy network keeps every layer within a few decades; a vanishing gradient leaves the first layers orders of magnitude below the last.",
  },
  ja: {
    grad: "勾配のノルム ‖∂loss/∂w‖",
    ratio: "更新量 / 値  ‖Δw‖ / ‖w‖",
    last: (step) => `最後のステップ (${step}): 層ごとの勾配のノルム（上が入力側）`,
    byLayer: "層ごと",
    byVar: "変数ごと",
    step: "ステップ",
    empty: "まだ記録がありません: 学習ループで recorder.run(sess, train_op, feed_dict) を呼んでください。",
    spread: (f) => `最初の層の勾配は最後の層の ${f} 分の 1 です`,
    spreadUp: (f) => `最初の層の勾配は最後の層の ${f} 倍です`,
    steps: (n) => `${n} ステップ`,
    note: "線の色は上の棒と同じです。対数スケール。健全なネットワークでは各層が数桁以内に収まります。勾配消失では最初の層が最後の層より何桁も小さくなります。",
  },
};

// viridis-like: the input side dark blue, the output side yellow-green
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [200, 210, 30]];
function color(i, n) {
  const t = n <= 1 ? 0 : i / (n - 1);
  const x = t * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - k;
  const c = STOPS[k].map((a, j) => Math.round(a + (STOPS[k + 1][j] - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

function sup(n) {
  return String(n).split("").map((c) => "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"["0123456789-".indexOf(c)] || c).join("");
}

function fmt(v) {
  if (v == null) return "—";
  if (v === 0) return "0";
  return v >= 1e-3 && v < 1e4 ? v.toPrecision(3) : v.toExponential(2);
}

function logTick(v) {
  const e = Math.round(Math.log10(v));
  return Math.abs(Math.log10(v) - e) < 1e-6 ? (e >= -2 && e <= 3 ? String(+v.toPrecision(3)) : `10${sup(e)}`) : "";
}

// The last step as horizontal bars on a log axis (SVG): what the test and the eye read.
function barsNode(names, values, width) {
  const rowH = 20, left = 120, right = 70, top = 6, axisH = 22;
  const W = Math.max(320, width), H = top + rowH * names.length + axisH;
  const pos = values.filter((v) => v != null && v > 0);
  const svg = s("svg", { class: "tf-gf-bars", width: W, height: H, viewBox: `0 0 ${W} ${H}` });
  if (!pos.length) return svg;
  let lo = Math.floor(Math.log10(Math.min(...pos)));
  let hi = Math.ceil(Math.log10(Math.max(...pos)));
  if (hi === lo) hi += 1;
  lo -= 1; // the smallest bar still shows
  const x = (v) => left + ((Math.log10(v) - lo) / (hi - lo)) * (W - left - right);
  for (let e = lo; e <= hi; e += Math.max(1, Math.round((hi - lo) / 8))) {
    const xx = x(10 ** e);
    svg.append(s("line", { class: "tf-gf-grid", x1: xx, x2: xx, y1: top, y2: H - axisH + 4, "data-decade": e }),
      s("text", { class: "tf-gf-tick", x: xx, y: H - 6, "text-anchor": "middle" }, e >= -2 && e <= 3 ? String(10 ** e) : `10${sup(e)}`));
  }
  names.forEach((name, i) => {
    const y = top + i * rowH;
    const v = values[i];
    svg.append(s("text", { class: "tf-gf-name", x: left - 6, y: y + rowH / 2 + 4, "text-anchor": "end" }, name));
    if (v != null && v > 0) {
      const w = Math.max(1, x(v) - left);
      svg.append(s("rect", { class: "tf-gf-bar", x: left, y: y + 3, width: w, height: rowH - 6, fill: color(i, names.length), "data-name": name, "data-value": String(v) },
        s("title", {}, `${name}: ${fmt(v)}`)),
      s("text", { class: "tf-gf-val", x: left + w + 4, y: y + rowH / 2 + 4 }, fmt(v)));
    } else {
      svg.append(s("text", { class: "tf-gf-val", x: left + 4, y: y + rowH / 2 + 4 }, v == null ? "NaN / inf" : "0"));
    }
  });
  return svg;
}

const decades = (u, splits) => splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-6 ? v : null));

function chart(host, title, steps, names, series, width, L) {
  const data = [steps, ...names.map((n) => series[n].map((v) => (v != null && v > 0 ? v : null)))];
  return new uPlot({
    width, height: 200, title,
    scales: { x: { time: false }, y: { distr: 3, log: 10 } },
    axes: [
      { label: L.step, stroke: "#475569", grid: { stroke: "#eef2f7" } },
      {
        // only the decades: grid lines at 2, 3, ... 9 would band the plot
        stroke: "#475569", size: 60, values: (u, ticks) => ticks.map(logTick), filter: decades,
        grid: { stroke: "#e2e8f0", filter: decades }, ticks: { filter: decades },
      },
    ],
    series: [{ label: L.step }, ...names.map((n, i) => ({ label: n, stroke: color(i, names.length), width: 2, spanGaps: false, value: (u, v) => fmt(v) }))],
    legend: { show: names.length <= 4 },
  }, data, host);
}

function render({ model, el }) {
  const L = () => TEXT[model.get("lang")] || TEXT.en;
  const data = { steps: [], layer_grad: {}, layer_ratio: {}, var_grad: {}, var_ratio: {} };
  const title = h("div", { class: "tf-gf-title" });
  const count = h("span", { class: "tf-gf-count" });
  const byLayer = h("button", { class: "tf-gf-toggle", "data-group": "layer" });
  const byVar = h("button", { class: "tf-gf-toggle", "data-group": "variable" });
  const head = h("div", { class: "tf-gf-head" }, title, count, h("span", { class: "tf-gf-group" }, byLayer, byVar));
  const verdict = h("div", { class: "tf-gf-verdict" });
  const lastTitle = h("div", { class: "tf-gf-sub" });
  const bars = h("div", { class: "tf-gf-barwrap" });
  const charts = h("div", { class: "tf-gf-charts" });
  const note = h("div", { class: "tf-gf-note" });
  const empty = h("div", { class: "tf-gf-empty" });
  const root = h("div", { class: "tf-gradflow", lang: model.get("lang") || "en" }, head, empty, verdict, lastTitle, bars, charts, note);
  el.replaceChildren(root);
  let plots = [];

  const names = () => {
    const layers = model.get("layers") || [];
    return model.get("group") === "variable" ? layers.flatMap((l) => l.variables) : layers.map((l) => l.layer);
  };

  const draw = () => {
    const t = L();
    title.textContent = model.get("title") || "";
    byLayer.textContent = t.byLayer;
    byVar.textContent = t.byVar;
    const group = model.get("group");
    byLayer.classList.toggle("tf-on", group !== "variable");
    byVar.classList.toggle("tf-on", group === "variable");
    note.textContent = t.note;
    const n = data.steps.length;
    count.textContent = t.steps(n);
    empty.textContent = t.empty;
    empty.hidden = n > 0;
    plots.forEach((p) => p.destroy());
    plots = [];
    charts.replaceChildren();
    if (!n) {
      bars.replaceChildren();
      verdict.textContent = lastTitle.textContent = "";
      return;
    }
    const ns = names();
    const grad = group === "variable" ? data.var_grad : data.layer_grad;
    const ratio = group === "variable" ? data.var_ratio : data.layer_ratio;
    const last = ns.map((k) => (grad[k] || [])[n - 1]);
    const width = Math.max(320, (root.clientWidth || 700) - 28); // inside the padding
    lastTitle.textContent = t.last(data.steps[n - 1]);
    bars.replaceChildren(barsNode(ns, last, Math.min(width, 720)));
    const first = last[0], end = last[last.length - 1];
    verdict.textContent = "";
    verdict.classList.remove("tf-gf-bad");
    if (ns.length > 1 && first > 0 && end > 0) {
      const f = end / first;
      if (f >= 10) verdict.textContent = t.spread(f >= 1e4 ? f.toExponential(1) : Math.round(f).toLocaleString());
      else if (f <= 0.1) verdict.textContent = t.spreadUp(1 / f >= 1e4 ? (1 / f).toExponential(1) : Math.round(1 / f).toLocaleString());
      verdict.classList.toggle("tf-gf-bad", f >= 100 || f <= 0.01);
    }
    const half = Math.max(300, Math.floor((width - 12) / 2));
    const a = h("div", { class: "tf-gf-chart" }), b = h("div", { class: "tf-gf-chart" });
    charts.append(a, b);
    plots.push(chart(a, t.grad, data.steps, ns, fill(grad, ns, n), half, t));
    plots.push(chart(b, t.ratio, data.steps, ns, fill(ratio, ns, n), half, t));
    root.dataset.steps = String(n);
  };
  const fill = (series, ns, n) => Object.fromEntries(ns.map((k) => [k, series[k] || new Array(n).fill(null)]));

  let queued = false;
  const redraw = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; draw(); });
  };

  const onMsg = (msg) => {
    if (!msg || msg.event !== "points") return;
    if (msg.reset) for (const k of Object.keys(data)) data[k] = k === "steps" ? [] : {};
    data.steps.length = msg.start;
    data.steps.push(...msg.steps);
    for (const k of ["layer_grad", "layer_ratio", "var_grad", "var_ratio"]) {
      for (const [name, vals] of Object.entries(msg[k] || {})) {
        const arr = (data[k][name] ||= []);
        arr.length = msg.start;
        arr.push(...vals);
      }
    }
    redraw();
  };
  model.on("msg:custom", onMsg);
  const onGroup = (ev) => {
    const b = ev.target.closest("[data-group]");
    if (!b) return;
    model.set("group", b.dataset.group);
    model.save_changes();
  };
  head.addEventListener("click", onGroup);
  const off = listen(model, ["group", "title", "layers", "lang"], redraw);
  // steps recorded faster than the messages: ask for the rest now and then
  const timer = setInterval(() => {
    if (root.isConnected && !document.hidden && (model.get("n_steps") || 0) > data.steps.length) model.send({ event: "flush" });
  }, 1000);
  let lastWidth = 0;
  const resize = new ResizeObserver(() => {
    const w = root.clientWidth;
    if (Math.abs(w - lastWidth) > 8) { lastWidth = w; redraw(); }
  });
  resize.observe(root);
  model.send({ event: "sync" });
  draw();
  return () => {
    off();
    clearInterval(timer);
    resize.disconnect();
    model.off("msg:custom", onMsg);
    head.removeEventListener("click", onGroup);
    plots.forEach((p) => p.destroy());
    root.remove();
  };
}

export default { render };
