import { open, rename, unlink } from "node:fs/promises";
import { redactSecrets } from "../config/redact.js";

/** Write a file so that readers see either the old or the new content, never a torn one. Secrets are masked. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(redactSecrets(data), "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
