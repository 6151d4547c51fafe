// Bundle every widgets/src/*.js entry point into teachflow/widgets/static/<name>.js
// as a self-contained ES module (dependencies and the Graphviz wasm inlined).
// Files whose names start with "_" are shared helpers, not entry points.
// *.css files in src/ are copied next to the bundles.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const out = join(here, "..", "teachflow", "widgets", "static");
const watch = process.argv.includes("--watch");

const files = readdirSync(src).filter((f) => !f.startsWith("_"));
const entries = files.filter((f) => f.endsWith(".js")).map((f) => join(src, f));
mkdirSync(out, { recursive: true });
for (const f of files.filter((f) => f.endsWith(".css"))) copyFileSync(join(src, f), join(out, f));

const options = (entry) => ({
  entryPoints: [entry],
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: !watch,
  legalComments: "eof",
  logLevel: "info",
  // the shared widget code carries its CSS as text (one <style> per page, not per widget)
  ...(entry.endsWith("graphlib.js") ? { loader: { ".css": "text" } } : {}),
});

if (watch) {
  for (const entry of entries) {
    const ctx = await esbuild.context(options(entry));
    await ctx.watch();
  }
} else {
  // one widget's broken source must not keep the others from building
  let failed = 0;
  for (const entry of entries) {
    try {
      await esbuild.build(options(entry));
    } catch {
      failed += 1;
    }
  }
  if (failed) process.exit(1);
}
