// GraphView (browser half): the graph in its own viewport, search, the selected node's details
// and a run preview. All of it is drawn from the plain data the Python half syncs.
import { createView } from "./_view.js";

function render({ model, el }) {
  const view = createView(model, el);
  return view.cleanup;
}

export default { render };
