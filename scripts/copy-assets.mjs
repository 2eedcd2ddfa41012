// Copies non-TS assets (prompt templates, JSON schemas, HTML templates) from src/ to dist/ so the
// compiled CLI finds them next to the modules that load them via import.meta.url.
import { cpSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { join, extname, dirname } from "node:path";

const ASSET_EXT = new Set([".md", ".json", ".html", ".txt", ".css", ".yaml"]);
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (ASSET_EXT.has(extname(name))) {
      const dest = join("dist", p.slice("src/".length));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(p, dest);
    }
  }
}
walk("src");
