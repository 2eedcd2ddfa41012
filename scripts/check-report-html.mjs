#!/usr/bin/env node
// Loads a report.html in headless Chromium and fails on any console error, uncaught exception, CSP violation or
// network request other than the file itself. Talks the DevTools protocol over --remote-debugging-pipe (fds 3/4,
// NUL-separated JSON), so it needs no npm package and no WebSocket.
//
//   node scripts/check-report-html.mjs runs/<id>/report.html
//
// Exit codes: 0 ok (or skipped: no Chromium), 1 problems found, 2 usage / browser failure.
// Chromium: $CHROMIUM if set, else /usr/bin/chromium; without it, prints how to install and exits 0 ("skipped"),
// or 2 when CI is set.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const TIMEOUT_MS = 60_000;
/** After the load event, wait this long for late errors (the report's script runs synchronously at load). */
const SETTLE_MS = 500;

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/check-report-html.mjs <report.html>");
  process.exit(2);
}
const path = resolve(file);
if (!existsSync(path)) {
  console.error(`check-report-html: ${path} does not exist`);
  process.exit(2);
}
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(chromium)) {
  // In CI the check must run (.ci/run installs Debian's chromium): a missing browser fails instead of skipping.
  if (process.env.CI) {
    console.error(`check-report-html: no Chromium at ${chromium} and CI is set (apt-get install -y chromium, or set CHROMIUM)`);
    process.exit(2);
  }
  console.log(`check-report-html: skipped (no Chromium at ${chromium}; install it with: apt-get install chromium)`);
  process.exit(0);
}

const problems = [];
const html = readFileSync(path, "utf8");
if (!/<meta http-equiv="Content-Security-Policy" content="default-src 'none'/.test(html)) {
  problems.push("no Content-Security-Policy meta tag with default-src 'none' (network attempts would not be blocked)");
}

const url = pathToFileURL(path).href;
const profile = mkdtempSync(join(tmpdir(), "check-report-html-"));
const browser = spawn(
  chromium,
  [
    "--headless=new", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
    "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
    "--disable-component-update", "--remote-debugging-pipe", `--user-data-dir=${profile}`, "about:blank",
  ],
  { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
);
let stderr = "";
browser.stderr.on("data", (d) => (stderr = (stderr + d).slice(-20_000)));
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
function send(method, params = {}, sessionId) {
  const id = nextId++;
  toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + "\0");
  return new Promise((res, rej) => pending.set(id, { res, rej, method }));
}
let buf = "";
fromBrowser.on("data", (chunk) => {
  buf += chunk.toString("utf8");
  let i;
  while ((i = buf.indexOf("\0")) >= 0) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p.rej(new Error(`${p.method}: ${msg.error.message}`));
      else p.res(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});
const waitFor = (pred) => new Promise((res) => listeners.push((m) => pred(m) && res(m)));

listeners.push((m) => {
  const p = m.params ?? {};
  switch (m.method) {
    case "Runtime.consoleAPICalled":
      if (p.type === "error" || p.type === "assert") {
        problems.push(`console.${p.type}: ${(p.args ?? []).map((a) => a.value ?? a.description ?? "").join(" ")}`);
      }
      break;
    case "Runtime.exceptionThrown":
      problems.push(`uncaught exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
      break;
    case "Log.entryAdded":
      if (p.entry?.level === "error") problems.push(`console error (${p.entry.source}): ${p.entry.text}`);
      break;
    case "Network.requestWillBeSent": {
      const u = p.request?.url ?? "";
      if (u !== url && !u.startsWith("data:")) problems.push(`network request: ${u}`);
      break;
    }
  }
});

const timer = setTimeout(() => void finish(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
let finished = false;
let browserExited = false;
async function finish(failure) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  let code = 0;
  if (failure) {
    console.error(`check-report-html: ${failure}\n${stderr.split("\n").filter((l) => !/dbus|^$/.test(l)).slice(-10).join("\n")}`);
    code = 2;
  } else if (problems.length > 0) {
    console.error(`check-report-html: ${path}: ${problems.length} problem(s)`);
    for (const p of problems) console.error(`  - ${p}`);
    code = 1;
  } else {
    console.log(`check-report-html: ok (${path}: no console errors, no network requests)`);
  }
  // Let Chromium die before removing its profile (its helpers write there until they exit); cleanup is best effort.
  if (!browserExited) {
    const exited = new Promise((r) => browser.once("exit", () => r(true)));
    const within = (ms) => Promise.race([exited, new Promise((r) => setTimeout(() => r(false), ms))]);
    try {
      toBrowser.write(JSON.stringify({ id: nextId++, method: "Browser.close", params: {} }) + "\0");
    } catch {
      // the pipe may already be gone
    }
    if (!(await within(3000))) {
      browser.kill("SIGKILL");
      await within(2000);
    }
  }
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    // a leftover temp profile is not a reason to change the verdict
  }
  process.exit(code);
}
browser.on("exit", (code) => {
  browserExited = true;
  void finish(`chromium exited early (code ${code})`);
});

try {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  for (const domain of ["Runtime", "Log", "Network", "Page"]) await send(`${domain}.enable`, {}, sessionId);
  // about:blank's own load event can arrive late: wait for the load that follows OUR navigation.
  let navigated = false;
  listeners.push((m) => {
    if (m.method === "Page.frameNavigated" && !m.params.frame.parentId && m.params.frame.url === url) navigated = true;
  });
  const loaded = waitFor((m) => m.method === "Page.loadEventFired" && m.sessionId === sessionId && navigated);
  const nav = await send("Page.navigate", { url }, sessionId);
  if (nav.errorText) problems.push(`navigation failed: ${nav.errorText}`);
  await loaded;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  // The filter script fills #f-count when it runs: proof that the inline script executed under the CSP.
  const probe = await send(
    "Runtime.evaluate",
    { expression: "[location.href, (document.getElementById('f-count') || {}).textContent || '']", returnByValue: true },
    sessionId,
  );
  const [href, count] = probe.result?.value ?? [];
  if (href !== url) problems.push(`the page is ${href}, not ${url}`);
  if (html.includes('id="f-count"') && !/rows$/.test(String(count ?? ""))) {
    problems.push("the report's inline script did not run (#f-count is empty)");
  }
  await finish();
} catch (err) {
  await finish(err.message);
}
