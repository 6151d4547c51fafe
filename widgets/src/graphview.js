// Minimal graph view: lays out model.dot with Graphviz (wasm) and shows the SVG.
import { Graphviz } from "@hpcc-js/wasm-graphviz";

let graphviz = null;
function loadGraphviz() {
  if (!graphviz) graphviz = Graphviz.load();
  return graphviz;
}

async function draw(model, el) {
  const gv = await loadGraphviz();
  try {
    el.innerHTML = gv.dot(model.get("dot"));
  } catch (err) {
    el.textContent = `Graphviz error: ${err}`;
  }
}

export default {
  render({ model, el }) {
    el.classList.add("teachflow-graphview");
    const onChange = () => draw(model, el);
    model.on("change:dot", onChange);
    draw(model, el);
    return () => model.off("change:dot", onChange);
  },
};
