// What GraphView and Stepper share: header (title, search, zoom), the graph pane, the side
// panels (built here from the plain data the Python half sends), the legend, and teardown.
import { GraphPane } from "./_graph.js";
import { batched, debounce, h, listen } from "./_dom.js";
import { texts } from "./_i18n.js";
import { heatLegend, inspectorNodes, nanNodes, watchNodes } from "./_inspector.js";

const POLL_MS = 2000;

export function section(title, cls) {
  const body = h("div", { class: `tf-section-body ${cls}` });
  const head = h("h4", { text: title });
  const el = h("section", { class: "tf-section", hidden: true }, head, body);
  return { el, body, head };
}

export function link(name, text = name) {
  return h("a", { class: "tf-link", "data-select": name, text });
}

function kindTag(kind, text) {
  return h("span", { class: `tf-kind tf-kind-${kind}`, text });
}

function list(items) {
  return h("ul", {}, ...items.map((x) => h("li", {}, ...[x].flat())));
}

function row(th, ...td) {
  return h("tr", {}, h("th", { text: th }), h("td", {}, ...td));
}

// The selected node or scope (model.info).
function infoNodes(info, t) {
  if (!info || !info.what) return [];
  if (info.what === "scope") {
    const types = info.types.map(([ty, n]) => [h("code", { text: ty }), ` × ${n}`]);
    if (info.more) types.push("…");
    const verb = info.collapsed ? "expand" : "collapse";
    return [
      h("div", { class: "tf-info-head" }, kindTag("scope", t.nameScope), " ", h("b", { text: info.name })),
      h("p", { text: t.scopeOps(info.count) }),
      list(types),
      h("button", { class: "tf-link", [`data-${verb}`]: info.name, text: info.collapsed ? t.expandScope : t.collapseScope }),
    ];
  }
  const out = [
    h("div", { class: "tf-info-head" }, kindTag(info.kind, t.kinds[info.kind] || info.kind), " ",
      h("b", { text: info.name }), " ", h("code", { text: info.type })),
  ];
  if (info.where) {
    out.push(h("div", { class: "tf-where" }, `${t.createdAt} ${t.place(info.where)}`,
      info.src ? h("pre", { text: info.src }) : null));
  }
  const rows = [];
  if (info.inputs.length) {
    rows.push(row(t.inputs, list(info.inputs.map((i) => [link(i.op), i.suffix, " ", h("span", { class: "tf-dim", text: i.label })]))));
  }
  if (info.control.length) rows.push(row(t.runsAfter, list(info.control.map((c) => ["^", link(c)]))));
  if (info.outputs.length) {
    rows.push(row(t.outputs, list(info.outputs.map((o) => {
      const parts = [h("code", { text: o.name }), " ", h("span", { class: "tf-dim", text: o.label })];
      if (o.users.length) {
        parts.push(" → ");
        o.users.forEach((u, i) => parts.push(...(i ? [", "] : []), link(u)));
        if (o.more) parts.push(" …");
      }
      return parts;
    }))));
  }
  if (info.attrs.length) rows.push(row(t.attrs, list(info.attrs.map(([k, v]) => [`${k} = `, h("code", { text: v })]))));
  rows.push(row(t.value, ...valueNodes(info.value, t)));
  out.push(h("table", { class: "tf-info-table" }, ...rows));
  return out;
}

const VALUE_TEXT = {
  no_session: "noSession", uninit: "notInitialized", not_kept: "notKept", not_in_run: "notInRun",
  not_run: "notRunYet", ran: "ranNoOutputs",
};

function valueNodes(v, t) {
  if (!v) return [];
  if (v.state === "value") return [h("pre", { class: "tf-value", text: v.text })];
  if (v.state === "outputs") {
    const out = [];
    if (v.step != null) out.push(h("div", { class: "tf-dim", text: t.atStep(v.step) }));
    for (const it of v.items) {
      out.push(h("code", { text: it.name }));
      if (it.text == null) out.push(" ", h("span", { class: "tf-dim", text: t.notYetComputed }));
      else out.push(h("pre", { class: "tf-value", text: it.text }));
    }
    return out;
  }
  const cls = v.state === "uninit" ? "tf-bad" : "tf-dim";
  return [h("span", { class: cls, text: t[VALUE_TEXT[v.state]] || v.state })];
}

// What sess.run(fetches) would do (model.notice, from GraphView.preview).
function noticeNodes(p, t) {
  if (!p || p.n == null) return [];
  const [call, rest] = t.wouldRun(p.fetch, p.n, p.total);
  const out = [
    h("p", {}, h("b", { text: call }), rest),
    h("p", { class: "tf-order", text: p.ops.join(" → ") + (p.more ? " → …" : "") }),
  ];
  const names = (xs) => xs.flatMap((n, i) => [...(i ? [", "] : []), h("b", { text: n })]);
  if (p.fed.length) out.push(h("p", {}, t.fedBy, p.fed.join(", "), "."));
  if (p.unfed.length) out.push(h("p", { class: "tf-bad" }, t.notFed, ...names(p.unfed), t.notFedFix));
  if (p.uninit.length) out.push(h("p", { class: "tf-bad" }, t.notInit, ...names(p.uninit), t.notInitFix));
  return out;
}

function legendNodes(model, t, states) {
  const out = (model.get("legend") || []).map((k) =>
    h("span", { class: "tf-legend-item" },
      h("span", { class: `tf-swatch tf-swatch-${k.shape}`, style: `background:${k.fill};border-color:${k.border}` }),
      t.kinds[k.kind] || k.kind));
  if (out.length) {
    out.push(
      h("span", { class: "tf-legend-item" }, h("span", { class: "tf-swatch-line" }), t.tensorLine),
      h("span", { class: "tf-legend-item" }, h("span", { class: "tf-swatch-line tf-dotted" }), t.controlLine),
    );
  }
  for (const st of states) {
    out.push(h("span", { class: "tf-legend-item" }, h("span", { class: `tf-swatch tf-swatch-state tf-sw-${st}` }), t[`st_${st}`]));
  }
  return out;
}

export function alertText(a, t) {
  if (!a || !a.key) return "";
  if (a.key === "too_many") return t.tooMany(a.scope, a.n, a.max);
  if (a.key === "follow_limit") return t.followLimit(a.n, a.max);
  return a.text || "";
}

// Builds the shared view. extra: {controls, sections (list of section objects shown first),
// legendStates(): string[]}. Returns the pieces and a cleanup function.
export function createView(model, el, extra = {}) {
  const t = texts(model.get("lang"));
  const root = h("div", { class: "tf-widget tf-graphview", tabindex: "0", "data-lm-suppress-shortcuts": "true", lang: model.get("lang") || "en" });
  const pane = new GraphPane(model, root, t);

  const send = (event, more = {}) => {
    model.send({ event, ...more });
    root.focus({ preventScroll: true });
  };

  // -- header: title, search, zoom
  const title = h("div", { class: "tf-title" });
  const searchBox = h("input", { class: "tf-search", type: "search", placeholder: t.search, "aria-label": t.search });
  const results = h("ul", { class: "tf-results", hidden: true });
  const zoomBtn = (text, tip, fn) => h("button", { title: tip, "aria-label": tip, text, onclick: fn });
  const zoom = h("div", { class: "tf-zoom" },
    zoomBtn("−", t.zoomOut, () => pane.zoomBy(1 / 1.25)),
    zoomBtn(t.fit, t.fitTitle, () => pane.fit()),
    zoomBtn(t.readable, t.readableTitle, () => pane.readable()),
    zoomBtn("+", t.zoomIn, () => pane.zoomBy(1.25)),
    zoomBtn("SVG", t.download, () => pane.downloadSvg()));
  const header = h("div", { class: "tf-header" }, title, h("div", { class: "tf-searchwrap" }, searchBox, results), zoom);

  // -- side panels
  const notice = section(t.preview, "tf-sec-notice");
  const info = section(t.selected, "tf-sec-info");
  const nan = section(t.nanTitle, "tf-sec-nan");
  const insp = section(t.inspector, "tf-sec-inspector");
  const watch = section(t.watchTitle, "tf-sec-watch");
  const side = h("div", { class: "tf-side" }, nan.el, ...(extra.sections || []).map((x) => x.el), insp.el, watch.el, notice.el, info.el);
  const hint = h("div", { class: "tf-hint" });
  const leg = h("div", { class: "tf-legend" });
  const closed = h("div", { class: "tf-closed", role: "status", hidden: true, text: t.closed });
  const graphCol = h("div", { class: "tf-graph-col" }, pane.alert, pane.el, hint, leg);
  const main = h("div", { class: "tf-main" }, graphCol, side);
  root.append(header, closed, ...(extra.controls ? [extra.controls] : []), main);
  el.replaceChildren(root);

  const fill = (sec, nodes) => {
    sec.body.replaceChildren(...nodes);
    sec.el.hidden = nodes.length === 0;
    root.classList.toggle("tf-has-side", !!side.querySelector("section:not([hidden])"));
  };

  const updateInfo = () => fill(info, infoNodes(model.get("info"), t));
  const updateNotice = () => fill(notice, noticeNodes(model.get("notice"), t));
  const updateLegend = () => {
    const states = extra.legendStates ? extra.legendStates() : (model.get("notice") || {}).n != null ? ["run", "skip", "fed", "warn"] : [];
    if ((model.get("nan_info") || {}).op) states.push("nan", "nanreach");
    leg.replaceChildren(...heatLegend(model.get("heat"), t), ...legendNodes(model, t, states));
  };
  const updateInspector = () => fill(insp, inspectorNodes(model.get("inspector"), t));
  const updateWatch = () => fill(watch, watchNodes(model.get("watched"), t));
  const updateNan = () => fill(nan, nanNodes(model.get("nan_info"), t));
  const updateHead = () => {
    title.textContent = model.get("title") || "";
    const isClosed = !!model.get("closed");
    closed.hidden = !isClosed;
    root.classList.toggle("tf-is-closed", isClosed);
    const a = alertText(model.get("alert"), t);
    pane.alert.textContent = a;
    pane.alert.hidden = !a;
    const hidden = model.get("hidden") || 0;
    const hasScopes = Object.keys(model.get("clusters") || {}).length > 0
      || Object.values(model.get("nodes") || {}).some((n) => n.kind === "scope");
    hint.textContent = !model.get("dot") ? "" : (hasScopes ? t.hintScopes : "") + t.hintNodes + t.hintEdges + (hidden ? t.notDrawn(hidden) : "");
  };
  const updateResults = () => {
    const items = model.get("search_results") || [];
    results.replaceChildren(...items.map((r) => {
      if (r.more) return h("li", { class: "tf-dim", text: t.more(r.more) });
      return h("li", { "data-reveal": r.name },
        h("span", { class: `tf-kind tf-kind-${r.kind}`, text: r.type }), " ", h("span", { text: r.name }));
    }));
    results.hidden = items.length === 0 || !searchBox.value || resultsClosed;
  };
  let resultsClosed = false;
  const onResults = (ev) => {
    const li = ev.target.closest("[data-reveal]");
    if (!li) return;
    resultsClosed = true;
    results.hidden = true;
    pane.want = { kind: "selected" };
    send("reveal", { name: li.dataset.reveal });
  };
  results.addEventListener("click", onResults);

  // clicks on links inside the panels carry the op name in data-select / data-expand
  const setWatch = (list) => {
    model.set("watch", list);
    model.save_changes();
  };
  const onSide = (ev) => {
    const x = ev.target.closest("[data-select], [data-expand], [data-collapse], [data-inspect], [data-uninspect], [data-watch], [data-unwatch]");
    if (!x) return;
    const d = x.dataset;
    if (d.inspect !== undefined || d.uninspect !== undefined) {
      model.set("inspected", d.inspect || "");
      model.save_changes();
    } else if (d.watch !== undefined) {
      const w = model.get("watch") || [];
      if (!w.includes(d.watch)) setWatch([...w, d.watch]);
    } else if (d.unwatch !== undefined) {
      setWatch((model.get("watch") || []).filter((n) => n !== d.unwatch));
    } else if (x.dataset.select !== undefined) {
      pane.want = { kind: "selected" };
      send("reveal", { name: x.dataset.select });
    } else if (x.dataset.expand !== undefined) {
      pane.want = { kind: "scope", name: x.dataset.expand };
      pane.setCollapsed(x.dataset.expand, false);
    } else pane.setCollapsed(x.dataset.collapse, true);
  };
  side.addEventListener("click", onSide);

  const pushSearch = debounce(() => {
    resultsClosed = false;
    model.set("search", searchBox.value);
    model.save_changes();
  }, 200);
  searchBox.addEventListener("input", pushSearch);
  const onSearchKey = (ev) => {
    if (ev.key === "Escape") { resultsClosed = true; results.hidden = true; }
    if (ev.key === "Enter") {
      const first = results.querySelector("[data-reveal]");
      if (first) first.click();
    }
  };
  searchBox.addEventListener("keydown", onSearchKey);
  const onFocusSearch = () => { resultsClosed = false; updateResults(); };
  searchBox.addEventListener("focus", onFocusSearch);
  searchBox.value = model.get("search") || "";

  // values change from anywhere (another widget, sess.run in a cell): ask the kernel now and
  // then while the widget is on screen, and whenever the reader comes back to it
  let visible = true;
  const io = new IntersectionObserver((entries) => { visible = entries.some((e) => e.isIntersecting); });
  io.observe(root);
  const poll = () => {
    if (!root.isConnected || document.hidden || !visible || model.get("closed")) return;
    model.send({ event: "poll" });
  };
  const timer = setInterval(poll, POLL_MS);
  root.addEventListener("pointerenter", poll);

  const offs = [
    listen(model, ["dot"], () => { pane.layout(); updateHead(); }),
    listen(model, ["node_states", "node_values", "matches", "inspected"], batched(() => pane.restyle())),
    listen(model, ["title", "alert", "hidden", "closed"], updateHead),
    listen(model, ["info"], updateInfo),
    listen(model, ["notice"], () => { updateNotice(); updateLegend(); }),
    listen(model, ["search_results"], updateResults),
    listen(model, ["legend", "heat"], updateLegend),
    listen(model, ["heat"], batched(() => pane.restyle())),
    listen(model, ["inspector"], updateInspector),
    listen(model, ["watched"], updateWatch),
    listen(model, ["nan_info"], () => { updateNan(); updateLegend(); }),
  ];
  updateHead();
  updateInfo();
  updateNotice();
  updateLegend();
  updateInspector();
  updateWatch();
  updateNan();
  updateResults();
  pane.layout();

  const cleanup = () => {
    offs.forEach((off) => off());
    clearInterval(timer);
    io.disconnect();
    root.removeEventListener("pointerenter", poll);
    results.removeEventListener("click", onResults);
    side.removeEventListener("click", onSide);
    searchBox.removeEventListener("input", pushSearch);
    searchBox.removeEventListener("keydown", onSearchKey);
    searchBox.removeEventListener("focus", onFocusSearch);
    pane.destroy();
    root.remove();
  };
  return { t, root, pane, send, fill, updateLegend, side, cleanup, offs };
}
