import { open, readFile, truncate } from "node:fs/promises";
import { join } from "node:path";
import { redactSecrets } from "../config/redact.js";
import type { CaseRecord } from "../types.js";
import type { RunEvent, RunEventBody } from "./events.js";
import { CASES_FILE, EVENTS_FILE, parseJsonl } from "./read.js";

/**
 * Append-only JSONL file: a write resolves only after its line is on disk (fsync'd), so a finished case
 * survives a crash. Group commit: lines queued while a sync is under way go out together in one write and
 * one datasync, so many workers cost one sync per batch, not one each.
 */
/** What an appender writes through: a FileHandle, or a test double that fails like a full disk. */
export interface AppendTarget {
  write(data: string): Promise<unknown>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** Wraps the file an appender writes to (tests inject ENOSPC here). */
export type AppendWrap = (target: AppendTarget, path: string) => AppendTarget;

/** A target that fails with ENOSPC once `okLines` lines are written; a batch that would pass it fails whole (tests). */
export function failingAfter(okLines: number): AppendWrap {
  let left = okLines;
  return (t, path) => ({
    write: (data) => {
      const lines = data.split("\n").length - 1;
      if (lines <= left) {
        left -= lines;
        return t.write(data);
      }
      left = 0;
      return Promise.reject(Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: "ENOSPC", syscall: "write", path }));
    },
    datasync: () => t.datasync(),
    close: () => t.close(),
  });
}

export class JsonlAppender {
  private pending: Array<{ line: string; done: (err?: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;
  private constructor(private readonly fh: AppendTarget) {}

  /** Opens for append, first cutting off a torn last line left by a crash (and adding a missing newline). */
  static async open(path: string, wrap?: AppendWrap): Promise<JsonlAppender> {
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const { validBytes, torn } = parseJsonl(text, path);
    if (torn) await truncate(path, validBytes);
    const kept = torn ? Buffer.from(text).subarray(0, validBytes).toString("utf8") : text;
    const handle = await open(path, "a");
    const fh: AppendTarget = wrap ? wrap(handle, path) : handle;
    if (kept.length > 0 && !kept.endsWith("\n")) await fh.write("\n");
    return new JsonlAppender(fh);
  }

  append(record: unknown): Promise<void> {
    const line = redactSecrets(JSON.stringify(record)) + "\n";
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, done: (err) => (err ? reject(err) : resolve()) });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.fh.write(batch.map((b) => b.line).join(""));
        await this.fh.datasync();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.fh.close();
  }
}

/** The run directory's two append-only journals. */
export class RunJournalWriter {
  private constructor(
    private readonly cases: JsonlAppender,
    private readonly events: JsonlAppender,
  ) {}

  /** `casesWrap` wraps cases.jsonl's file (tests simulate a full disk with failingAfter). */
  static async open(dir: string, opts: { casesWrap?: AppendWrap } = {}): Promise<RunJournalWriter> {
    return new RunJournalWriter(await JsonlAppender.open(join(dir, CASES_FILE), opts.casesWrap), await JsonlAppender.open(join(dir, EVENTS_FILE)));
  }

  appendCase(rec: CaseRecord): Promise<void> {
    return this.cases.append(rec);
  }

  event(body: RunEventBody): Promise<void> {
    return this.events.append({ t: new Date().toISOString(), ...body } as RunEvent);
  }

  async close(): Promise<void> {
    await Promise.all([this.cases.close(), this.events.close()]);
  }
}
