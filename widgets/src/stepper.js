// Stepper's ESM: the shared widget code (graphlib.js) does the work.
import { loader } from "./_loader.js";

export default loader("stepper");
