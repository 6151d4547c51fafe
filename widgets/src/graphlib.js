// The code of GraphView and Stepper, loaded once per page by their small ESMs (_loader.js).
// GraphView: the graph in its own viewport, search, the selected node's details, a run
// preview. Stepper: the same picture plus the controls and panels of a stepped run.
import css from "./graphview.css";
import { createView } from "./_view.js";
import stepperWidget from "./_stepper.js";

// the widgets' style, once per page (as widget state it would be kept once per widget shown)
function ensureCss() {
  const id = "teachflow-graphview-css";
  let style = document.getElementById(id);
  if (!style) {
    style = document.createElement("style");
    style.id = id;
    document.head.append(style);
  }
  if (style.textContent !== css) style.textContent = css;
}

export const graphview = {
  render({ model, el }) {
    ensureCss();
    return createView(model, el).cleanup;
  },
};

export const stepper = {
  render(args) {
    ensureCss();
    return stepperWidget.render(args);
  },
};
