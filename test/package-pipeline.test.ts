// #18: the built-in pipeline is a file, so the package must ship it: default.yaml and every prompt it names are in
// dist/ (scripts/copy-assets.mjs) and in the npm package (`files`), next to each other as the file's relative paths say.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultPipelineFile } from "../src/pipeline/default.js";
import { REPO } from "./helpers/cli.js";

describe("package ships the built-in pipeline file", () => {
  const srcDir = join(REPO, "src", "pipeline");
  const assets = ["default.yaml", ...defaultPipelineFile().steps.map((s) => relative(srcDir, s.prompt!.path)), "direct/prompt.md"];

  it("dist/pipeline holds default.yaml and the prompts it names, byte for byte", () => {
    for (const a of assets) {
      const built = join(REPO, "dist", "pipeline", a);
      expect(existsSync(built), `${built} (npm run build copies it)`).toBe(true);
      expect(readFileSync(built, "utf8")).toBe(readFileSync(join(srcDir, a), "utf8"));
    }
  });

  it("npm pack includes them", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const files = new Set((JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    for (const a of assets) expect(files.has(`dist/pipeline/${a}`), a).toBe(true);
  }, 60_000);
});
