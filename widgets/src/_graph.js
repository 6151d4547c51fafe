// The drawn graph: Graphviz (wasm) lays model.dot out once; afterwards nodes are only restyled
// (CSS classes from model.node_states). The picture sits in its own viewport (d3-zoom): drag to
// pan, wheel / pinch / buttons to zoom, "fit" for the whole graph. Automatic moves (following
// the Stepper, revealing a search result) never go below MIN_SCALE: a big graph pans instead
// of shrinking its labels to dots.
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { select } from "d3-selection";
import { zoom as d3zoom, zoomIdentity } from "d3-zoom";
import css from "./graphview.css";
import { h, s, SVG_NS } from "./_dom.js";
import { heatScale, rampColor } from "./_inspector.js";

let graphvizPromise = null;
function loadGraphviz() {
  if (!graphvizPromise) graphvizPromise = Graphviz.load();
  return graphvizPromise;
}

// node names are 14 pt in the DOT source: at this scale they are 9 px on screen
export const LABEL_PT = 14;
export const MIN_SCALE = 9 / LABEL_PT;
// automatic moves (following the run, a search result) show names at least this big
const READABLE = 10.5 / LABEL_PT;
const MAX_AUTO_SCALE = 1.5;
const PAD = 16;

// Graphviz's SVG, parsed as XML (nothing in it runs), stripped of anything active.
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.nodeName !== "svg") throw new Error("Graphviz returned no SVG");
  for (const el of root.querySelectorAll("script, foreignObject, a")) {
    if (el.nodeName === "a") el.replaceWith(...el.childNodes);
    else el.remove();
  }
  for (const el of root.querySelectorAll("*")) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || /href$/i.test(attr.name)) el.removeAttribute(attr.name);
    }
  }
  return document.importNode(root, true);
}

function titleOf(g) {
  const t = g.querySelector(":scope > title");
  return t ? t.textContent : "";
}

// A shape's box from its attributes (works while the cell is hidden, unlike getBBox).
function boxOf(g) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const el of g.querySelectorAll(":scope > ellipse, :scope > polygon, :scope > path")) {
    if (el.tagName === "ellipse") {
      const cx = +el.getAttribute("cx"), cy = +el.getAttribute("cy");
      const rx = +el.getAttribute("rx"), ry = +el.getAttribute("ry");
      x0 = Math.min(x0, cx - rx); x1 = Math.max(x1, cx + rx);
      y0 = Math.min(y0, cy - ry); y1 = Math.max(y1, cy + ry);
      continue;
    }
    const nums = (el.getAttribute("points") || el.getAttribute("d") || "").match(/-?\d+(\.\d+)?/g) || [];
    for (let i = 0; i + 1 < nums.length; i += 2) {
      x0 = Math.min(x0, +nums[i]); x1 = Math.max(x1, +nums[i]);
      y0 = Math.min(y0, +nums[i + 1]); y1 = Math.max(y1, +nums[i + 1]);
    }
  }
  return x0 === Infinity ? null : { x0, y0, x1, y1 };
}

export class GraphPane {
  constructor(model, root, t) {
    this.model = model;
    this.root = root;
    this.t = t;
    this.el = h("div", { class: "tf-graph" });
    this.alert = h("div", { class: "tf-alert", role: "status", hidden: true });
    this.svg = null;
    this.viewport = null;
    this.offset = [0, 0]; // Graphviz's translate of its top group
    this.boxes = new Map(); // box id -> g.node
    this.edgeEls = []; // [g.edge, index]
    this.applied = new Map(); // g.node -> state classes set by restyle
    this.natural = null;
    this.layouts = 0;
    this.seq = 0;
    this.want = null; // what to bring into view after the next restyle / layout
    this.transform = zoomIdentity;
    this.zoomActive = false;
    this.zoom = d3zoom()
      .scaleExtent([0.05, 4])
      .clickDistance(4)
      .filter((ev) => {
        if (ev.type === "wheel") return this.zoomActive || ev.ctrlKey;
        return (!ev.ctrlKey || ev.type === "wheel") && !ev.button;
      })
      .on("zoom", (ev) => {
        this.transform = ev.transform;
        if (this.viewport) this.viewport.setAttribute("transform", ev.transform.toString());
        this.root.dataset.scale = ev.transform.k.toFixed(3);
        this.drawMinimapView();
      });
    this.minimap = s("svg", { class: "tf-minimap" });
    this.minimapView = null;
    this.el.append(this.minimap);
    this.onClick = (ev) => this.click(ev);
    this.onDown = () => { this.zoomActive = true; };
    this.onLeave = () => { this.zoomActive = false; };
    this.el.addEventListener("click", this.onClick);
    this.el.addEventListener("pointerdown", this.onDown);
    this.el.addEventListener("pointerleave", this.onLeave);
    this.resize = new ResizeObserver(() => this.onResize());
    this.resize.observe(this.el);
    this.size = [0, 0];
    this.minimap.addEventListener("pointerdown", (ev) => this.minimapPan(ev));
    this.minimap.addEventListener("pointermove", (ev) => { if (ev.buttons & 1) this.minimapPan(ev); });
  }

  destroy() {
    this.seq += 1;
    this.resize.disconnect();
    this.el.removeEventListener("click", this.onClick);
    this.el.removeEventListener("pointerdown", this.onDown);
    this.el.removeEventListener("pointerleave", this.onLeave);
    if (this.svg) select(this.svg).on(".zoom", null);
    this.boxes.clear();
    this.applied = new Map();
    this.edgeEls = [];
    this.svg = this.viewport = null;
    this.el.replaceChildren();
  }

  async layout() {
    const dot = this.model.get("dot");
    const seq = ++this.seq;
    if (!dot) {
      this.clearSvg();
      this.el.append(h("div", { class: "tf-empty", text: this.t.empty }));
      this.el.style.height = "";
      this.root.dataset.layouts = String(++this.layouts);
      return;
    }
    const t0 = performance.now();
    const gv = await loadGraphviz();
    if (seq !== this.seq) return; // a newer layout was asked for meanwhile (or destroyed)
    let svg;
    try {
      const t1 = performance.now();
      const text = gv.dot(dot);
      this.root.dataset.dotMs = (performance.now() - t1).toFixed(1);
      svg = parseSvg(text);
    } catch (err) {
      this.clearSvg();
      this.el.append(h("div", { class: "tf-bad", text: `Graphviz could not draw this graph: ${err}` }));
      return;
    }
    const first = !this.svg;
    const keepCenter = first ? null : this.centerInGraph();
    this.clearSvg();
    this.boxes.clear();
    this.applied = new Map();
    this.edgeEls = [];
    const nodes = this.model.get("nodes") || {};
    const graph0 = svg.querySelector(":scope > g");
    const m = /translate\(\s*(-?[\d.]+)[ ,]+(-?[\d.]+)\s*\)/.exec(graph0?.getAttribute("transform") || "");
    this.offset = m ? [+m[1], +m[2]] : [0, 0];
    for (const g of svg.querySelectorAll("g.node")) {
      const id = titleOf(g);
      this.boxes.set(id, g);
      g.dataset.box = id;
      // odd names get a synthetic DOT id: the tooltip (<title>) shows the real name, as text
      const info = nodes[id];
      const t = g.querySelector(":scope > title");
      if (info && t) t.textContent = info.name;
      const texts = g.querySelectorAll(":scope > text");
      if (texts.length) texts[0].classList.add("tf-name-text");
      if (info && info.slot && texts.length > 1) {
        // the last label line is the value's room (reserved in the DOT: no re-layout later)
        const slot = texts[texts.length - 1];
        const b = boxOf(g);
        if (b) {
          slot.setAttribute("x", (b.x0 + b.x1) / 2);
          slot.setAttribute("text-anchor", "middle");
        }
        slot.classList.add("tf-value-text");
      }
    }
    const edgeData = this.model.get("edges") || [];
    for (const g of svg.querySelectorAll("g.edge")) {
      const em = /(?:^|\s)tfe-(\d+)(?:\s|$)/.exec(g.getAttribute("class") || "");
      if (!em) continue;
      this.edgeEls.push([g, +em[1]]);
      const e = edgeData[+em[1]];
      const path = g.querySelector(":scope > path");
      if (e && e[3] && path) {
        // a wide transparent copy of the line: a thin edge is easy to click
        g.dataset.tensor = e[3];
        g.classList.add("tf-edge-clickable");
        const hit = path.cloneNode(false);
        hit.setAttribute("class", "tf-edge-hit");
        g.append(hit);
        const tip = g.querySelector(":scope > title");
        if (tip) tip.textContent = e[3];
      }
    }
    const clusters = this.model.get("clusters") || {};
    for (const g of svg.querySelectorAll("g.cluster")) {
      const scope = clusters[titleOf(g)];
      if (scope !== undefined) {
        g.classList.add("tf-collapsible");
        g.dataset.scope = scope;
      }
    }
    const vb = (svg.getAttribute("viewBox") || "0 0 100 100").split(/[\s,]+/).map(Number);
    this.natural = { w: vb[2], h: vb[3] };
    // the picture goes into a viewport group; the svg element fills the pane
    svg.removeAttribute("viewBox");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("class", "tf-canvas");
    const vp = s("g", { class: "tf-viewport" });
    if (graph0) vp.append(graph0);
    svg.append(vp);
    this.svg = svg;
    this.viewport = vp;
    this.el.prepend(svg);
    this.sizePane(first);
    this.size = this.viewSize(); // the new height is not a resize to make up for
    select(svg).call(this.zoom).on("dblclick.zoom", null);
    this.buildMinimap(graph0);
    this.restyle();
    if (first || !keepCenter) this.home();
    else this.centerOn(keepCenter, this.transform.k, false);
    this.bringWanted();
    this.layouts += 1;
    this.root.dataset.layouts = String(this.layouts);
    this.root.dataset.layoutMs = (performance.now() - t0).toFixed(1);
  }

  clearSvg() {
    if (this.svg) select(this.svg).on(".zoom", null);
    for (const c of [...this.el.children]) if (c !== this.minimap) c.remove();
    this.svg = this.viewport = null;
  }

  // The pane's height: a small graph gets the room it needs at a comfortable scale, a big one
  // a fixed window (it pans inside).
  sizePane(first) {
    const maxH = Math.max(320, Math.min(640, (window.innerHeight || 900) * 0.62));
    const { w, h: ht } = this.natural;
    const avail = Math.max(200, (this.el.clientWidth || 800) - 2 * PAD);
    const k = Math.min(MAX_AUTO_SCALE, avail / w, (maxH - 2 * PAD) / ht);
    const want = Math.min(maxH, Math.max(140, ht * Math.max(k, MIN_SCALE) + 2 * PAD));
    const cur = this.el.clientHeight;
    // never shrink once shown (the page would jump under the reader's eyes)
    if (first || want > cur) this.el.style.height = `${Math.round(want)}px`;
  }

  fitScale() {
    const [W, H] = this.viewSize();
    return Math.min(MAX_AUTO_SCALE, (W - 2 * PAD) / this.natural.w, (H - 2 * PAD) / this.natural.h);
  }

  viewSize() {
    return [this.el.clientWidth || 800, this.el.clientHeight || 400];
  }

  // Graph coordinates (the viewport's) of the point at the pane's centre.
  centerInGraph() {
    if (!this.svg) return null;
    const [W, H] = this.viewSize();
    return this.transform.invert([W / 2, H / 2]);
  }

  setTransform(t) {
    if (!this.svg) return;
    select(this.svg).call(this.zoom.transform, t);
  }

  centerOn([x, y], k, clampPan = true) {
    const [W, H] = this.viewSize();
    let tx = W / 2 - x * k, ty = H / 2 - y * k;
    if (clampPan) {
      // do not scroll past the picture's edges more than needed
      const gw = this.natural.w * k, gh = this.natural.h * k;
      tx = gw + 2 * PAD <= W ? (W - gw) / 2 : Math.min(PAD, Math.max(W - gw - PAD, tx));
      ty = gh + 2 * PAD <= H ? (H - gh) / 2 : Math.min(PAD, Math.max(H - gh - PAD, ty));
    }
    this.setTransform(zoomIdentity.translate(tx, ty).scale(k));
  }

  // The first view: the whole graph when it can be read, else its top at a readable size.
  home() {
    if (!this.natural) return;
    const fit = this.fitScale();
    const k = fit >= MIN_SCALE ? fit : READABLE;
    const [W] = this.viewSize();
    // wider than the pane: its middle (dot centres the graph's main line)
    const tx = (W - this.natural.w * k) / 2;
    this.setTransform(zoomIdentity.translate(tx, PAD).scale(k));
  }

  fit() {
    if (!this.natural) return;
    const k = Math.min(MAX_AUTO_SCALE, this.fitScale());
    this.centerOn([this.natural.w / 2, this.natural.h / 2], k, false);
  }

  // The whole picture as a standalone SVG file, looking as it does now (states included).
  downloadSvg(name = "graph.svg") {
    if (!this.svg || !this.natural) return;
    const { w, h: ht } = this.natural;
    const out = s("svg", { xmlns: SVG_NS, width: w, height: ht, viewBox: `0 0 ${w} ${ht}`, class: "tf-widget tf-graph" });
    out.append(s("style", {}, css), this.viewport.firstElementChild.cloneNode(true));
    const blob = new Blob([new XMLSerializer().serializeToString(out)], { type: "image/svg+xml" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: name });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  zoomBy(f) {
    if (this.svg) select(this.svg).call(this.zoom.scaleBy, f);
  }

  readable() {
    const c = this.centerInGraph();
    if (c) this.centerOn(c, 1, false);
  }

  // A node's box in viewport coordinates.
  boxInGraph(g) {
    const b = boxOf(g);
    if (!b) return null;
    const [ox, oy] = this.offset;
    return { x0: b.x0 + ox, y0: b.y0 + oy, x1: b.x1 + ox, y1: b.y1 + oy };
  }

  // Bring a node into view at a readable size; moves only when it is not already.
  reveal(g, always = false) {
    const b = this.boxInGraph(g);
    if (!b) return;
    const [W, H] = this.viewSize();
    const t = this.transform;
    const k = t.k >= MIN_SCALE ? t.k : READABLE;
    const [sx0, sy0] = t.apply([b.x0, b.y0]);
    const [sx1, sy1] = t.apply([b.x1, b.y1]);
    const m = 4;
    const inside = sx0 >= m && sy0 >= m && sx1 <= W - m && sy1 <= H - m;
    if (inside && !this.underMinimap([sx0, sy0, sx1, sy1]) && t.k >= MIN_SCALE
      && (!always || t.k >= READABLE)) return;
    // centred, but not past the picture's edges (a small graph stays whole in view); in the
    // middle when the edge would put it under the minimap
    const c = [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2];
    const kk = Math.min(Math.max(k, always ? READABLE : k), 2);
    this.centerOn(c, kk, true);
    const u = this.transform;
    const [a0, a1] = [u.apply([b.x0, b.y0]), u.apply([b.x1, b.y1])];
    if (this.underMinimap([a0[0], a0[1], a1[0], a1[1]])) this.centerOn(c, kk, false);
  }

  // Whether a box (pane pixels) is hidden by the minimap in the pane's corner.
  underMinimap([x0, y0, x1, y1]) {
    this.drawMinimapView();
    if (!this.minimapView || this.minimap.classList.contains("tf-hidden")) return false;
    const [W, H] = this.viewSize();
    const w = +this.minimap.getAttribute("width") + 8, h = +this.minimap.getAttribute("height") + 8;
    return x1 > W - w && y1 > H - h && x0 < W && y0 < H;
  }

  // want: {kind: "current"} | {kind: "selected"} | {kind: "scope", name}
  bringWanted() {
    const want = this.want;
    if (!want || !this.svg) return;
    let g = null;
    if (want.kind === "current") g = this.el.querySelector("g.node.tf-current, g.node.tf-error");
    else if (want.kind === "selected") g = this.el.querySelector("g.node.tf-selected");
    else if (want.kind === "scope") {
      g = [...this.el.querySelectorAll("g.cluster")].find((c) => c.dataset.scope === want.name)
        || [...this.boxes.values()].find((n) => (this.model.get("nodes")[n.dataset.box] || {}).name === want.name);
    }
    if (!g) return;
    if (want.kind !== "current") this.want = null;
    this.reveal(g, want.kind === "selected");
  }

  onResize() {
    const size = this.viewSize();
    if (!this.svg || (size[0] === this.size[0] && size[1] === this.size[1])) {
      this.size = size;
      return;
    }
    // keep what was in the middle in the middle
    const [W0, H0] = this.size;
    this.size = size;
    if (W0 && H0) {
      const c = this.transform.invert([W0 / 2, H0 / 2]);
      this.centerOn(c, this.transform.k, false);
    }
    this.bringWanted();
  }

  restyle() {
    if (!this.svg) return;
    const states = this.model.get("node_states") || {};
    const values = this.model.get("node_values") || {};
    const matches = new Set(this.model.get("matches") || []);
    const nodes = this.model.get("nodes") || {};
    for (const [id, g] of this.boxes) {
      const want = new Set((states[id] || "").split(/\s+/).filter(Boolean).map((c) => `tf-${c}`));
      if (matches.has(id)) want.add("tf-match");
      const had = this.applied.get(g);
      if (had) for (const c of had) if (!want.has(c)) g.classList.remove(c);
      for (const c of want) g.classList.add(c);
      this.applied.set(g, want);
      const kind = nodes[id] && nodes[id].kind;
      g.classList.toggle("tf-scope-box", kind === "scope");
      const slot = g.querySelector(":scope > text.tf-value-text");
      if (slot) slot.textContent = values[id] || "\u00a0";
    }
    const heat = this.model.get("heat") || {};
    const hv = heat.values || {};
    const sc = heatScale(hv);
    for (const [id, g] of this.boxes) {
      const v = heat.what ? hv[id] : undefined;
      const color = v === undefined ? "" : rampColor(sc.at(v));
      for (const shape of g.querySelectorAll(":scope > ellipse, :scope > polygon, :scope > path")) shape.style.fill = color;
      g.classList.toggle("tf-heated", v !== undefined);
      g.classList.toggle("tf-heat-dark", v !== undefined && sc.at(v) > 0.75);
    }
    const inspected = this.model.get("inspected") || "";
    const edges = this.model.get("edges") || [];
    const ew = heat.edges || {};
    const esc = heatScale(ew);
    for (const [g, i] of this.edgeEls) {
      g.classList.toggle("tf-e-inspected", !!inspected && g.dataset.tensor === inspected);
      // gradient magnitude along the backward pass: thicker lines carry bigger gradients
      const w = ew[i];
      const line = g.querySelector(":scope > path:not(.tf-edge-hit)");
      if (line) line.style.strokeWidth = w === undefined ? "" : `${(1 + 6 * esc.at(w)).toFixed(2)}px`;
      g.classList.toggle("tf-e-weighted", w !== undefined);
      const e = edges[i];
      let cls = "";
      if (e) {
        const a = states[e[0]] || "", b = states[e[1]] || "";
        if (/\bskip\b/.test(a) || /\bskip\b/.test(b)) cls = "tf-e-skip";
        else if (/\b(done|fed)\b/.test(a) && /\b(done|current|error|pending|partial)\b/.test(b)) cls = "tf-e-live";
      }
      g.classList.toggle("tf-e-skip", cls === "tf-e-skip");
      g.classList.toggle("tf-e-live", cls === "tf-e-live");
    }
    this.bringWanted();
  }

  // -- minimap: the whole picture, small, with the visible part outlined (for big graphs)
  buildMinimap(graph0) {
    const mm = this.minimap;
    mm.replaceChildren();
    this.minimapView = null;
    if (!graph0 || !this.natural) return;
    const { w, h: ht } = this.natural;
    const side = 120;
    const k = Math.min(side / w, side / ht);
    mm.setAttribute("width", Math.max(30, w * k));
    mm.setAttribute("height", Math.max(30, ht * k));
    mm.setAttribute("viewBox", `0 0 ${w} ${ht}`);
    const copy = graph0.cloneNode(true);
    for (const el of copy.querySelectorAll("text, title")) el.remove();
    // a picture only: no ids, no classes (selectors for nodes must not find the copies)
    for (const el of [copy, ...copy.querySelectorAll("*")]) {
      el.removeAttribute("id");
      el.removeAttribute("class");
    }
    mm.append(copy);
    this.minimapView = s("rect", { class: "tf-minimap-view" });
    mm.append(this.minimapView);
    this.mmScale = k;
    this.drawMinimapView();
  }

  drawMinimapView() {
    if (!this.minimapView || !this.natural) return;
    const [W, H] = this.viewSize();
    const [x0, y0] = this.transform.invert([0, 0]);
    const [x1, y1] = this.transform.invert([W, H]);
    const { w, h: ht } = this.natural;
    const all = x0 <= 0 && y0 <= 0 && x1 >= w && y1 >= ht;
    this.minimap.classList.toggle("tf-hidden", all);
    this.minimapView.setAttribute("x", x0);
    this.minimapView.setAttribute("y", y0);
    this.minimapView.setAttribute("width", Math.max(1, x1 - x0));
    this.minimapView.setAttribute("height", Math.max(1, y1 - y0));
  }

  minimapPan(ev) {
    if (!this.natural) return;
    ev.stopPropagation();
    ev.preventDefault();
    const r = this.minimap.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * this.natural.w;
    const y = ((ev.clientY - r.top) / r.height) * this.natural.h;
    this.centerOn([x, y], this.transform.k, false);
  }

  click(ev) {
    if (ev.target.closest(".tf-minimap")) return;
    const edge = ev.target.closest("g.edge");
    if (edge && edge.dataset.tensor) {
      this.model.set("inspected", edge.dataset.tensor);
      this.model.save_changes();
      return;
    }
    const node = ev.target.closest("g.node");
    const nodes = this.model.get("nodes") || {};
    if (node) {
      const info = nodes[node.dataset.box];
      if (!info) return;
      if (info.kind === "scope") {
        this.want = { kind: "scope", name: info.name };
        this.setCollapsed(info.name, false);
      } else this.select(info.name);
      return;
    }
    const cluster = ev.target.closest("g.cluster");
    if (cluster && ev.target.tagName === "text" && cluster.dataset.scope !== undefined) {
      this.want = { kind: "scope", name: cluster.dataset.scope };
      this.setCollapsed(cluster.dataset.scope, true);
    }
  }

  select(name) {
    this.model.set("selected", name);
    this.model.save_changes();
  }

  setCollapsed(scope, collapse) {
    this.model.send({ event: collapse ? "collapse" : "expand", scope });
  }
}
