// One writer per run folder: `run.lock` (pid, host, start time) is created atomically (O_EXCL) before a run or a
// resume touches the journal, so a second `--resume` of a running folder is refused instead of paying for the
// same cases twice. A lock left by a dead process on this host is taken over (and said so); one held by a live
// process, or by another host (whose pids we cannot check), is a LockError: exit 2 naming the holder.
import { readFileSync, unlinkSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

export const LOCK_FILE = "run.lock";

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
}

export class LockError extends Error {
  override name = "LockError";
}

export interface LockOptions {
  /** Told when a stale lock is taken over. */
  say?: (s: string) => void;
  pid?: number;
  host?: string;
  now?: () => Date;
  /** Whether a pid on this host is running (default: signal 0). */
  isAlive?: (pid: number) => boolean;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

export interface RunLock {
  readonly path: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

async function readLock(path: string): Promise<{ text: string; info: LockInfo | null } | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === "number" && typeof v.host === "string" && typeof v.started_at === "string") return { text, info: v as LockInfo };
  } catch {
    /* half-written or foreign: reported below */
  }
  return { text, info: null };
}

/** Creates the lock file only if none exists; false when one does. */
async function tryCreate(path: string, body: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    await fh.writeFile(body, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

export const describeHolder = (h: LockInfo): string => `pid ${h.pid} on ${h.host} (since ${h.started_at})`;

export async function acquireRunLock(dir: string, opts: LockOptions = {}): Promise<RunLock> {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = { pid: opts.pid ?? process.pid, host: opts.host ?? hostname(), started_at: (opts.now?.() ?? new Date()).toISOString() };
  const body = JSON.stringify(info) + "\n";
  const alive = opts.isAlive ?? pidAlive;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, body)) return makeLock(path, info, body);
    const held = await readLock(path);
    if (held === null) continue; // released between our create and read: try again
    if (held.info === null) {
      throw new LockError(`${dir} is locked (${path} exists but is unreadable); if no run is using this folder, delete ${path}`);
    }
    const h = held.info;
    const stale = h.host === info.host && (h.pid === info.pid || !alive(h.pid));
    if (!stale) {
      throw new LockError(
        `${dir} is in use by another run-validation process: ${describeHolder(h)}. Wait for it to finish` +
          (h.host === info.host ? "" : `, or if it is no longer running on ${h.host}, delete ${path}`),
      );
    }
    // Take over under a second lock so two processes finding the same stale lock cannot both win.
    const guard = `${path}.takeover`;
    if (!(await tryCreate(guard, body))) throw new LockError(`${dir} is being taken over by another process (${guard} exists); try again`);
    try {
      const again = await readLock(path);
      if (again && again.text === held.text) await unlink(path);
    } finally {
      await unlink(guard).catch(() => undefined);
    }
    opts.say?.(`took over the lock of ${dir}: its holder, ${describeHolder(h)}, is no longer running`);
  }
  throw new LockError(`${dir}: could not take ${path} (it keeps changing); is another process starting on this folder?`);
}

function makeLock(path: string, info: LockInfo, body: string): RunLock {
  let released = false;
  // An exit without release (process.exit on a second SIGINT) must not leave our lock behind.
  const onExit = () => {
    if (!released) {
      try {
        if (readFileSync(path, "utf8") === body) unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  };
  process.once("exit", onExit);
  return {
    path,
    info,
    async release() {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      const cur = await readLock(path).catch(() => null);
      if (cur && cur.text === body) await unlink(path).catch(() => undefined);
    },
  };
}
