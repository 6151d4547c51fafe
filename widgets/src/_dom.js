// Small DOM helpers shared by the widgets. User strings (node names, tags, values) only ever
// reach the page through textContent / setAttribute here, or through HTML the Python half
// built with every user string escaped (setHtml).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const SVG_NS = "http://www.w3.org/2000/svg";

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.setAttribute("class", v);
    else if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

// HTML produced by the Python half (teachflow.widgets._format.esc escapes every user string).
export function setHtml(el, html) {
  el.innerHTML = html || "";
  el.hidden = !html;
}

// Subscribe to several traits; returns the function that unsubscribes.
export function listen(model, names, fn) {
  for (const n of names) model.on(`change:${n}`, fn);
  return () => {
    for (const n of names) model.off(`change:${n}`, fn);
  };
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// fn once after the current batch of trait changes (a kernel message sets several traits in a
// row: the view redraws once, not once per trait).
export function batched(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      fn();
    });
  };
}
