import { open, readFile, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { CaseRecord } from "../types.js";
import type { RunEvent, RunEventBody } from "./events.js";
import { CASES_FILE, EVENTS_FILE, parseJsonl } from "./read.js";

/**
 * Append-only JSONL file: one line per write, fsync'd before the write resolves, so a finished case
 * survives a crash. Writes are serialised through a promise chain (many workers, one file).
 */
export class JsonlAppender {
  private chain: Promise<void> = Promise.resolve();
  private constructor(private readonly fh: FileHandle) {}

  /** Opens for append, first cutting off a torn last line left by a crash (and adding a missing newline). */
  static async open(path: string): Promise<JsonlAppender> {
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const { validBytes, torn } = parseJsonl(text, path);
    if (torn) await truncate(path, validBytes);
    const kept = torn ? Buffer.from(text).subarray(0, validBytes).toString("utf8") : text;
    const fh = await open(path, "a");
    if (kept.length > 0 && !kept.endsWith("\n")) await fh.write("\n");
    return new JsonlAppender(fh);
  }

  append(record: unknown): Promise<void> {
    const line = JSON.stringify(record) + "\n";
    const next = this.chain.then(async () => {
      await this.fh.write(line);
      await this.fh.datasync();
    });
    // Keep the chain alive after a failure so later writes still run (and report their own errors).
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh.close();
  }
}

/** The run directory's two append-only journals. */
export class RunJournalWriter {
  private constructor(
    private readonly cases: JsonlAppender,
    private readonly events: JsonlAppender,
  ) {}

  static async open(dir: string): Promise<RunJournalWriter> {
    return new RunJournalWriter(await JsonlAppender.open(join(dir, CASES_FILE)), await JsonlAppender.open(join(dir, EVENTS_FILE)));
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
