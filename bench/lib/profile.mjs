// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file, top N.
// Usage: node bench/lib/profile.mjs FILE.cpuprofile [N]   (also imported by bench/run.mjs)
import { readFileSync } from "node:fs";

/** Where a frame comes from: "node:internal", a package name, or a repo-relative file. */
export function origin(url) {
  if (!url) return "(native/V8)";
  if (url.startsWith("node:")) return "node:internal";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

export function summarizeProfile(file, n = 15) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const self = new Map();
  const dts = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (dts[i] ?? 0));
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map();
  const org = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    const cf = node.callFrame;
    const name = cf.functionName || "(anonymous)";
    if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") {
      fn.set(name, (fn.get(name) ?? 0) + us);
      org.set(name, (org.get(name) ?? 0) + us);
      continue;
    }
    const key = `${name} ${origin(cf.url)}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const o = origin(cf.url);
    org.set(o, (org.get(o) ?? 0) + us);
  }
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => ({ frame: k, ms: us / 1000, share: us / totalUs }));
  const idle = (fn.get("(idle)") ?? 0) / 1000;
  return { total_ms: totalUs / 1000, busy_ms: totalUs / 1000 - idle, functions: top(fn), origins: top(org) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = summarizeProfile(process.argv[2], Number(process.argv[3] ?? 15));
  console.log(`total ${s.total_ms.toFixed(0)} ms, busy ${s.busy_ms.toFixed(0)} ms`);
  console.log("-- by origin (self time)");
  for (const r of s.origins) console.log(`${r.ms.toFixed(1).padStart(8)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.frame}`);
  console.log("-- by function (self time)");
  for (const r of s.functions) console.log(`${r.ms.toFixed(1).padStart(8)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.frame}`);
}
