// Stepper (browser half): the GraphView picture plus Next / Run to end / Reset, the run plan,
// the error, the variables across runs. With "follow" on, the view keeps the current op in
// sight (the Python half opens the scopes on its path; this side pans and zooms).
import { batched, h, listen } from "./_dom.js";
import { createView, section } from "./_view.js";

const STATES = ["current", "done", "pending", "skip", "error", "fed"];

function statusNodes(st, t) {
  if (!st || !st.state) return [];
  const op = () => [h("b", { text: st.op }), ` (${st.type})`];
  if (st.state === "stopped") {
    return [h("span", { class: "tf-bad" }, st.op ? t.stoppedAt : t.stopped, ...(st.op ? [h("b", { text: st.op })] : []), `: ${st.error}`)];
  }
  if (st.state === "done") return [t.doneAll(st.n), h("code", { text: st.result }), t.runN(st.runs)];
  if (st.state === "ready") return [t.ready(st.n), ...op()];
  return [t.stepOf(st.pos + 1, st.n), ...op()];
}

function errorNodes(e, t) {
  if (!e || !e.cls) return [];
  const out = [h("div", { class: "tf-error-title", text: `${e.cls}: ${e.first}` })];
  if (e.op) {
    out.push(h("div", { class: "tf-error-node" }, t.atNode, h("b", { text: e.op }), ` (${e.type})`,
      e.where ? `, ${t.createdAt} ${t.place(e.where)}` : "", e.src ? h("pre", { text: e.src }) : null));
  }
  // a NaN stop: the hint is in the NaN panel above
  if (e.hint && e.cls !== "NonFiniteError") out.push(h("div", { class: "tf-error-hint", text: t.hint + e.hint }));
  if (e.bad) {
    const [a, b, c, , d, f, g] = t.pressInit(e.bad);
    out.push(h("div", { class: "tf-error-hint" }, a, h("b", { text: b }), c, h("b", { text: e.bad }), d, h("b", { text: f }), g));
  }
  return out;
}

const MARK = { done: "✓", error: "✗", current: "▶", pending: "" };

function planNodes(p, t) {
  if (!p || !p.rows) return [];
  const items = [];
  if (p.start) items.push(h("li", { class: "tf-plan-more", text: t.earlier(p.start) }));
  for (const r of p.rows) {
    const value = r.value != null ? r.value : r.state === "error" ? r.error : t.notYetComputed;
    items.push(h("li", { class: `tf-plan-${r.state}`, "data-select": r.name },
      h("span", { class: "tf-plan-mark", text: MARK[r.state] || "" }),
      h("span", { class: "tf-plan-i", text: String(r.i + 1) }),
      h("span", { class: "tf-plan-name", text: r.name }),
      h("span", { class: "tf-plan-type", text: r.type }),
      h("span", { class: "tf-plan-value", text: value })));
  }
  if (p.after) items.push(h("li", { class: "tf-plan-more", text: t.later(p.after) }));
  return [h("ol", { class: "tf-plan" }, ...items)];
}

function timelineNodes(tl, t) {
  if (!tl || !tl.labels || !tl.labels.length) return [];
  const cell = (v) => (v == null ? h("td", { class: "tf-dim", text: "—" }) : h("td", { text: v }));
  const rows = [h("tr", {}, h("th"), ...tl.labels.map((l) => h("th", { text: t.runLabel(l) })))];
  for (const r of tl.rows) rows.push(h("tr", {}, h("th", { text: r.name }), ...r.cells.map(cell)));
  rows.push(h("tr", { class: "tf-result-row" }, h("th", { text: t.runReturned }),
    ...tl.results.map((v) => (v == null ? h("td", { class: "tf-dim" }) : h("td", { text: v })))));
  return [h("table", { class: "tf-timeline" }, ...rows), h("p", { class: "tf-dim", text: t.timelineNote })];
}

function render({ model, el }) {
  // built first: the shared view places them
  const error = section("", "tf-sec-error");
  const plan = section("", "tf-plan-wrap");
  const timeline = section("", "tf-timeline-wrap");
  let send = null;
  const btn = (label, event, key, cls = "") => h("button", {
    class: `tf-btn ${cls}`, "data-event": event, title: key ? `${label} (key: ${key})` : label, text: label,
    onclick: () => act(event),
  });
  const nextBtn = btn("", "next", "n / space", "tf-primary");
  const endBtn = btn("", "run_to_end", "e");
  const resetBtn = btn("", "reset", "r");
  const initBtn = btn("", "init", "", "tf-init");
  const follow = h("input", { type: "checkbox", class: "tf-follow" });
  const followLabel = h("label", { class: "tf-follow-label" }, follow, h("span"));
  const status = h("div", { class: "tf-status" });
  // colour the graph by what this run measured (the Python half reads the run's records)
  const colorBy = h("select", { class: "tf-color-by" });
  const colorLabel = h("label", { class: "tf-follow-label" }, h("span"), colorBy);
  colorBy.addEventListener("change", () => send && send("color_by", { what: colorBy.value }));
  const stale = h("div", { class: "tf-stale", role: "status", hidden: true });
  const controls = h("div", { class: "tf-controls" }, nextBtn, endBtn, resetBtn, initBtn, followLabel, colorLabel, status);
  const view = createView(model, el, {
    controls: h("div", {}, controls, stale),
    sections: [error, plan, timeline],
    legendStates: () => STATES,
  });
  const { t, root, pane, fill } = view;
  send = view.send;
  root.classList.add("tf-is-stepper");
  error.head.textContent = t.error;
  plan.head.textContent = t.plan;
  timeline.head.textContent = t.timeline;
  nextBtn.textContent = t.next;
  endBtn.textContent = t.runToEnd;
  initBtn.textContent = t.init;
  followLabel.lastChild.textContent = t.follow;
  followLabel.title = t.followTitle;
  stale.textContent = t.stale;
  colorLabel.firstChild.textContent = t.colorBy;
  for (const [v, label] of Object.entries(t.colorChoices)) colorBy.append(h("option", { value: v, text: label }));

  function act(event) {
    if (model.get("closed")) return;
    if ((event === "next" || event === "run_to_end") && model.get("done")) return;
    if (model.get("follow")) pane.want = { kind: "current" };
    send(event);
  }

  const onFollow = () => {
    model.set("follow", follow.checked);
    model.save_changes();
    pane.want = follow.checked ? { kind: "current" } : null;
    if (follow.checked) pane.bringWanted();
  };
  follow.addEventListener("change", onFollow);

  const update = () => {
    const isClosed = !!model.get("closed");
    const done = !!model.get("done");
    nextBtn.disabled = done || isClosed;
    endBtn.disabled = done || isClosed;
    resetBtn.disabled = isClosed;
    resetBtn.textContent = done ? t.runAgain : t.reset;
    initBtn.hidden = !model.get("can_init") || isClosed;
    follow.checked = !!model.get("follow");
    stale.hidden = !model.get("stale");
    colorBy.value = (model.get("heat") || {}).what || "";
    status.replaceChildren(...statusNodes(model.get("status"), t));
    fill(error, errorNodes(model.get("error_info"), t));
    fill(timeline, timelineNodes(model.get("timeline_view"), t));
    fill(plan, planNodes(model.get("plan"), t));
    // keep the current op of the plan in view (scrolling the list only, not the page); read
    // positions in the next frame, when the browser lays the page out anyway
    requestAnimationFrame(() => {
      const cur = plan.body.querySelector(".tf-plan-current, .tf-plan-error");
      if (!cur) return;
      const top = cur.offsetTop - plan.body.offsetTop;
      if (top < plan.body.scrollTop || top > plan.body.scrollTop + plan.body.clientHeight - cur.offsetHeight) {
        plan.body.scrollTop = Math.max(0, top - plan.body.clientHeight / 3);
      }
    });
  };

  const onKey = (ev) => {
    if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const event = { n: "next", " ": "next", e: "run_to_end", r: "reset" }[ev.key];
    if (!event) return;
    ev.preventDefault();
    ev.stopPropagation(); // JupyterLab must not treat n / r / e as notebook shortcuts
    act(event);
  };
  root.addEventListener("keydown", onKey);

  const off = listen(model, ["status", "error_info", "plan", "timeline_view", "done", "can_init", "closed", "follow", "stale", "heat"], batched(update));
  update();
  if (model.get("follow")) pane.want = { kind: "current" };
  return () => {
    off();
    follow.removeEventListener("change", onFollow);
    root.removeEventListener("keydown", onKey);
    view.cleanup();
  };
}

export default { render };
