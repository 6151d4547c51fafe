// anywidget imports a widget's ESM anew for every model (a fresh module each time a cell runs),
// so a module holding Graphviz's wasm would be kept once per run of a cell. The ESM of each
// widget is this small loader instead: it asks the kernel for the widgets' code (graphlib.js)
// once per page, imports it, and shares it among all views. (The code travels as a message,
// not as widget state: the page keeps a copy of the state of every widget ever shown.)
const CACHE = Symbol.for("teachflow.widgets.code");

function fetchCode(model) {
  return new Promise((resolve) => {
    const onMsg = (msg) => {
      if (!msg || msg.event !== "code") return;
      model.off("msg:custom", onMsg);
      resolve(msg.code);
    };
    model.on("msg:custom", onMsg);
    model.send({ event: "code" });
  });
}

function load(model) {
  const cache = (globalThis[CACHE] ??= new Map());
  const key = model.get("_code_key");
  let mod = cache.get(key);
  if (!mod) {
    mod = fetchCode(model).then((code) => {
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      return import(/* @vite-ignore */ url).finally(() => URL.revokeObjectURL(url));
    });
    cache.set(key, mod);
    mod.catch(() => cache.delete(key));
  }
  return mod;
}

export function loader(which) {
  return {
    async render({ model, el }) {
      const mod = await load(model);
      return mod[which].render({ model, el });
    },
  };
}
