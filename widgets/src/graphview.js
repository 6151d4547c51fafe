// GraphView and Stepper (browser half): lay out model.dot with Graphviz (wasm), then only
// restyle nodes from model.node_states; a new layout happens only when model.dot changes
// (a scope expanded or collapsed).
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { debounce, h, listen, setHtml } from "./_dom.js";

let graphvizPromise = null;
function loadGraphviz() {
  if (!graphvizPromise) graphvizPromise = Graphviz.load();
  return graphvizPromise;
}

// must match teachflow.drawing.VALUE_SLOT_COLOR
const VALUE_SLOT_COLOR = "#0b7a35";

const STATE_CLASSES = [
  "done", "current", "pending", "error", "uninit", "warn", "skip", "run", "fed", "partial",
  "selected", "match",
];

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

// The horizontal middle of a node's outline, from its attributes (works while hidden).
function centerX(g) {
  let lo = Infinity, hi = -Infinity;
  for (const el of g.querySelectorAll(":scope > ellipse, :scope > polygon, :scope > path")) {
    if (el.tagName === "ellipse") return +el.getAttribute("cx");
    const nums = (el.getAttribute("points") || el.getAttribute("d") || "").match(/-?\d+(\.\d+)?/g) || [];
    for (let i = 0; i < nums.length; i += 2) { lo = Math.min(lo, +nums[i]); hi = Math.max(hi, +nums[i]); }
  }
  return lo === Infinity ? null : (lo + hi) / 2;
}

class GraphPane {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.el = h("div", { class: "tf-graph" });
    this.svg = null;
    this.boxes = new Map(); // box id -> g.node
    this.edgeEls = []; // [g.edge, index]
    this.zoom = "auto";
    this.natural = null;
    this.layouts = 0;
    this.seq = 0;
    this.el.addEventListener("click", (ev) => this.onClick(ev));
  }

  async layout() {
    const dot = this.model.get("dot");
    const seq = ++this.seq;
    if (!dot) {
      this.el.replaceChildren(h("div", { class: "tf-empty", text: "(empty graph)" }));
      return;
    }
    const t0 = performance.now();
    const gv = await loadGraphviz();
    if (seq !== this.seq) return; // a newer layout was asked for meanwhile
    let svg;
    try {
      const t1 = performance.now();
      const text = gv.dot(dot);
      this.root.dataset.dotMs = (performance.now() - t1).toFixed(1);
      svg = parseSvg(text);
    } catch (err) {
      this.el.replaceChildren(h("div", { class: "tf-bad", text: `Graphviz could not draw this graph: ${err}` }));
      return;
    }
    this.svg = svg;
    this.boxes.clear();
    this.edgeEls = [];
    const nodes = this.model.get("nodes") || {};
    for (const g of svg.querySelectorAll("g.node")) {
      const id = titleOf(g);
      this.boxes.set(id, g);
      g.dataset.box = id;
      // odd names get a synthetic DOT id: the tooltip (<title>) shows the real name, as text
      const info = nodes[id];
      const t = g.querySelector(":scope > title");
      if (info && t) t.textContent = info.name;
    }
    for (const g of svg.querySelectorAll("g.edge")) {
      const m = /(?:^|\s)tfe-(\d+)(?:\s|$)/.exec(g.getAttribute("class") || "");
      if (m) this.edgeEls.push([g, +m[1]]);
    }
    for (const g of svg.querySelectorAll("g.cluster")) {
      const scope = (this.model.get("clusters") || {})[titleOf(g)];
      if (scope !== undefined) g.classList.add("tf-collapsible");
    }
    const vb = (svg.getAttribute("viewBox") || "0 0 100 100").split(/[\s,]+/).map(Number);
    this.natural = { w: vb[2], h: vb[3], vb };
    this.el.replaceChildren(svg);
    this.restyle();
    this.applyZoom();
    this.layouts += 1;
    this.root.dataset.layouts = String(this.layouts);
    this.root.dataset.layoutMs = (performance.now() - t0).toFixed(1);
  }

  restyle() {
    if (!this.svg) return;
    const states = this.model.get("node_states") || {};
    const values = this.model.get("node_values") || {};
    const matches = new Set(this.model.get("matches") || []);
    const nodes = this.model.get("nodes") || {};
    for (const [id, g] of this.boxes) {
      for (const c of STATE_CLASSES) g.classList.remove(`tf-${c}`);
      for (const c of (states[id] || "").split(/\s+/)) if (c) g.classList.add(`tf-${c}`);
      if (matches.has(id)) g.classList.add("tf-match");
      const kind = nodes[id] && nodes[id].kind;
      g.classList.toggle("tf-scope-box", kind === "scope");
      // the value goes into the empty line the DOT label reserved for it (no re-layout)
      const slot = g.querySelector(`:scope > text[fill="${VALUE_SLOT_COLOR}"]`);
      if (slot) {
        if (!slot.classList.contains("tf-value-text")) {
          const cx = centerX(g);
          if (cx != null) {
            slot.setAttribute("x", cx);
            slot.setAttribute("text-anchor", "middle");
          }
          slot.classList.add("tf-value-text");
        }
        slot.textContent = values[id] || "\u00a0";
      }
    }
    const edges = this.model.get("edges") || [];
    for (const [g, i] of this.edgeEls) {
      const e = edges[i];
      g.classList.remove("tf-e-skip", "tf-e-live");
      if (!e) continue;
      const a = states[e[0]] || "", b = states[e[1]] || "";
      if (/\bskip\b/.test(a) || /\bskip\b/.test(b)) g.classList.add("tf-e-skip");
      else if (/\b(done|fed)\b/.test(a) && /\b(done|current|error|pending|partial)\b/.test(b)) g.classList.add("tf-e-live");
    }
  }

  applyZoom() {
    if (!this.svg || !this.natural) return;
    const { w, h: ht } = this.natural;
    let mode = this.zoom;
    const avail = (this.el.clientWidth || 800) - 16;
    if (mode === "auto") {
      // small graphs are drawn bigger (a projector in a classroom), big ones fit the width
      const up = Math.min(1.5, avail / (w * (4 / 3)), 520 / (ht * (4 / 3)));
      mode = w * (4 / 3) > avail ? "fit" : Math.max(1, up);
    }
    this.svg.removeAttribute("width");
    this.svg.removeAttribute("height");
    if (mode === "fit") {
      this.svg.style.width = "100%";
      this.svg.style.height = "auto";
    } else {
      this.svg.style.width = `${w * mode}pt`;
      this.svg.style.height = `${ht * mode}pt`;
    }
  }

  setZoom(z) {
    const cur = this.zoom === "auto" || this.zoom === "fit" ? this.currentScale() : this.zoom;
    if (z === "fit") this.zoom = this.zoom === "fit" ? 1 : "fit";
    else this.zoom = Math.min(4, Math.max(0.2, cur * z));
    this.applyZoom();
  }

  currentScale() {
    if (!this.svg || !this.natural) return 1;
    const px = this.svg.getBoundingClientRect().width;
    return px ? px / (this.natural.w * (4 / 3)) : 1;
  }

  onClick(ev) {
    const node = ev.target.closest("g.node");
    const nodes = this.model.get("nodes") || {};
    if (node) {
      const info = nodes[node.dataset.box];
      if (!info) return;
      if (info.kind === "scope") this.setCollapsed(info.name, false);
      else this.select(info.name);
      return;
    }
    const cluster = ev.target.closest("g.cluster");
    if (cluster && ev.target.tagName === "text") {
      const scope = (this.model.get("clusters") || {})[titleOf(cluster)];
      if (scope !== undefined) this.setCollapsed(scope, true);
    }
  }

  select(name) {
    this.model.set("selected", name);
    this.model.save_changes();
  }

  setCollapsed(scope, collapse) {
    const cur = (this.model.get("collapsed") || []).filter((x) => x !== scope);
    if (collapse) cur.push(scope);
    cur.sort();
    this.model.set("collapsed", cur);
    this.model.save_changes();
  }
}

function section(title, cls) {
  const body = h("div", { class: `tf-section-body ${cls}` });
  const el = h("section", { class: "tf-section", hidden: true }, h("h4", { text: title }), body);
  return { el, body };
}

function legend(model) {
  const el = h("div", { class: "tf-legend" });
  const draw = () => {
    el.replaceChildren(
      ...(model.get("legend") || []).map((k) =>
        h("span", { class: "tf-legend-item" },
          h("span", { class: `tf-swatch tf-swatch-${k.shape}`, style: `background:${k.fill};border-color:${k.border}` }),
          k.label)),
      h("span", { class: "tf-legend-item" }, h("span", { class: "tf-swatch-line" }), "tensor (dtype shape)"),
      h("span", { class: "tf-legend-item" }, h("span", { class: "tf-swatch-line tf-dotted" }), "runs after (control)"),
    );
  };
  draw();
  return { el, draw };
}

function render({ model, el }) {
  const root = h("div", { class: "tf-widget tf-graphview", tabindex: "0", "data-lm-suppress-shortcuts": "true" });
  const pane = new GraphPane(model, root);

  // -- header: title, search, zoom
  const title = h("div", { class: "tf-title" });
  const searchBox = h("input", { class: "tf-search", type: "search", placeholder: "Search nodes by name…", "aria-label": "search nodes" });
  const results = h("ul", { class: "tf-results", hidden: true });
  const zoom = h("div", { class: "tf-zoom" },
    h("button", { title: "zoom out", onclick: () => pane.setZoom(1 / 1.25), text: "−" }),
    h("button", { title: "fit to width / actual size", onclick: () => pane.setZoom("fit"), text: "fit" }),
    h("button", { title: "zoom in", onclick: () => pane.setZoom(1.25), text: "+" }));
  const header = h("div", { class: "tf-header" }, title, h("div", { class: "tf-searchwrap" }, searchBox, results), zoom);

  // -- stepper controls
  const btn = (label, event, key, cls = "") => h("button", { class: `tf-btn ${cls}`, "data-event": event, title: key ? `${label} (key: ${key})` : label, text: label, onclick: () => send(event) });
  const nextBtn = btn("▶ Next", "next", "n or space", "tf-primary");
  const endBtn = btn("Run to end ▶▶", "run_to_end", "e");
  const resetBtn = btn("↺ Reset", "reset", "r");
  const initBtn = btn("Initialize variables", "init", "", "tf-init");
  const status = h("div", { class: "tf-status" });
  const controls = h("div", { class: "tf-controls", hidden: true }, nextBtn, endBtn, resetBtn, initBtn, status);

  // -- side panel
  const notice = section("Preview", "tf-sec-notice");
  const error = section("Error", "tf-sec-error");
  const plan = section("Run plan · ops in the order they run", "tf-plan-wrap");
  const info = section("Selected node", "tf-sec-info");
  const timeline = section("Variables across runs", "tf-timeline-wrap");
  const side = h("div", { class: "tf-side" }, notice.el, error.el, plan.el, info.el, timeline.el);
  const hint = h("div", { class: "tf-hint" });
  const leg = legend(model);
  const main = h("div", { class: "tf-main" }, h("div", { class: "tf-graph-col" }, pane.el, hint, leg.el), side);
  root.append(header, controls, main);
  el.replaceChildren(root);

  function send(event, extra = {}) {
    model.send({ event, ...extra });
    root.focus({ preventScroll: true });
  }

  function fillSection(sec, html) {
    setHtml(sec.body, html);
    sec.el.hidden = !html;
  }

  const updatePanels = () => {
    title.textContent = model.get("title") || "";
    const stepper = !!model.get("stepper");
    controls.hidden = !stepper;
    root.classList.toggle("tf-is-stepper", stepper);
    fillSection(notice, model.get("notice_html"));
    fillSection(error, model.get("error_html"));
    fillSection(info, model.get("info_html"));
    fillSection(timeline, model.get("timeline_html"));
    fillSection(plan, model.get("plan_html"));
    setHtml(status, model.get("status_html"));
    status.hidden = false;
    const done = !!model.get("done");
    nextBtn.disabled = done;
    endBtn.disabled = done;
    resetBtn.textContent = done ? "↻ Run again" : "↺ Reset";
    initBtn.hidden = !model.get("can_init");
    const hidden = model.get("hidden") || 0;
    const hasScopes = Object.keys(model.get("clusters") || {}).length > 0
      || Object.values(model.get("nodes") || {}).some((n) => n.kind === "scope");
    hint.textContent = (hasScopes ? "Click a grey scope box to open it, a scope's title to close it. " : "")
      + "Click a node for details."
      + (hidden ? ` ${hidden} ops are not drawn.` : "");
    // keep the current op of the plan in view (scrolling the list only, not the page)
    const cur = plan.body.querySelector(".tf-plan-current, .tf-plan-error");
    if (cur) {
      const top = cur.offsetTop - plan.body.offsetTop;
      if (top < plan.body.scrollTop || top > plan.body.scrollTop + plan.body.clientHeight - cur.offsetHeight) {
        plan.body.scrollTop = Math.max(0, top - plan.body.clientHeight / 3);
      }
    }
  };

  const updateResults = () => {
    const items = model.get("search_results") || [];
    results.replaceChildren(...items.map((r) => {
      if (r.more) return h("li", { class: "tf-dim", text: `… ${r.more} more` });
      return h("li", { onclick: () => { send("reveal", { name: r.name }); } },
        h("span", { class: `tf-kind tf-kind-${r.kind}`, text: r.type }), " ", h("span", { text: r.name }));
    }));
    results.hidden = items.length === 0 || !searchBox.value;
  };

  // clicks inside Python-built HTML: links carry the op name in data-select / data-expand
  side.addEventListener("click", (ev) => {
    const t = ev.target.closest("[data-select], [data-expand], [data-collapse]");
    if (!t) return;
    if (t.dataset.select !== undefined) pane.select(t.dataset.select);
    else if (t.dataset.expand !== undefined) pane.setCollapsed(t.dataset.expand, false);
    else pane.setCollapsed(t.dataset.collapse, true);
  });

  const pushSearch = debounce(() => {
    model.set("search", searchBox.value);
    model.save_changes();
  }, 200);
  searchBox.addEventListener("input", pushSearch);
  searchBox.value = model.get("search") || "";

  root.addEventListener("keydown", (ev) => {
    if (ev.target instanceof HTMLInputElement || !model.get("stepper")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const event = { n: "next", " ": "next", e: "run_to_end", r: "reset" }[ev.key];
    if (!event) return;
    ev.preventDefault();
    ev.stopPropagation(); // JupyterLab must not treat n / r / e as notebook shortcuts
    if ((event === "next" || event === "run_to_end") && model.get("done")) return;
    send(event);
  });

  const offs = [
    listen(model, ["dot"], () => pane.layout()),
    listen(model, ["node_states", "node_values", "matches"], () => pane.restyle()),
    listen(model, ["title", "notice_html", "error_html", "info_html", "timeline_html", "plan_html",
      "status_html", "done", "can_init", "stepper", "hidden"], updatePanels),
    listen(model, ["search_results"], updateResults),
    listen(model, ["legend"], leg.draw),
  ];
  updatePanels();
  updateResults();
  pane.layout();
  return () => offs.forEach((off) => off());
}

export default { render };
