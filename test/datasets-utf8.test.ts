// Issue #15 item 9: invalid UTF-8 in a dataset stops with file:line instead of U+FFFD reaching the model.
import { Readable } from "node:stream";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../src/datasets/load.js";
import { lineOfInvalid, utf8Guard } from "../src/datasets/utf8.js";
import { tempDir } from "./helpers/cli.js";

async function through(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(utf8Guard("f.jsonl"))) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe("utf8Guard", () => {
  const text = Buffer.from("a\nβγ\n€ ok 𝄞\n");
  it("passes valid UTF-8 unchanged, whatever the chunk boundaries (multi-byte characters split)", async () => {
    for (let cut = 1; cut < text.length; cut++) {
      expect(await through([text.subarray(0, cut), text.subarray(cut)])).toEqual(text);
    }
    expect(await through([...text].map((b) => Buffer.from([b])))).toEqual(text);
  });

  it.each([
    ["a lone continuation byte", Buffer.from([0x80])],
    ["an overlong encoding", Buffer.from([0xc0, 0xaf])],
    ["a surrogate", Buffer.from([0xed, 0xa0, 0x80])],
    ["0xFF", Buffer.from([0xff])],
  ])("%s on line 3 → file:3, wherever the chunks split", async (_n, bad) => {
    const file = Buffer.concat([Buffer.from("ok\nstill ok\nbad "), bad, Buffer.from(" here\nlast\n")]);
    for (let cut = 1; cut < file.length; cut += 3) {
      await expect(through([file.subarray(0, cut), file.subarray(cut)])).rejects.toThrow(/^f\.jsonl:3: not valid UTF-8/);
    }
  });

  it("a file ending inside a multi-byte sequence", async () => {
    await expect(through([Buffer.from("x\n"), Buffer.from([0xe2, 0x82])])).rejects.toThrow(/^f\.jsonl:2:/);
  });

  it("lineOfInvalid counts the lines before", () => {
    expect(lineOfInvalid(Buffer.from([0x61, 0x0a, 0xff]), 10)).toBe(12);
  });
});

describe("loadDataset", () => {
  it("refuses invalid UTF-8 in JSONL and CSV with file:line, even with --skip-invalid", async () => {
    const dir = tempDir("rv-utf8-load-");
    const rec = (q: string) => `{"question":"${q}","options":{"A":"x","B":"y"},"answer_idx":"A"}\n`;
    const jsonl = join(dir, "d.jsonl");
    writeFileSync(jsonl, Buffer.concat([Buffer.from(rec("fine")), Buffer.from(rec("bad \u0000").replace("\\u0000", "")), Buffer.from('{"question":"x'), Buffer.from([0xff]), Buffer.from('"}\n')]));
    await expect(loadDataset(jsonl, { skipInvalid: true })).rejects.toThrow(`${jsonl}:3: not valid UTF-8`);
    const csv = join(dir, "d.csv");
    writeFileSync(csv, Buffer.concat([Buffer.from("question,A,B,answer_idx\nq1,x,y,A\n"), Buffer.from("q2 "), Buffer.from([0xfe]), Buffer.from(",x,y,B\n")]));
    await expect(loadDataset(csv)).rejects.toThrow(`${csv}:3: not valid UTF-8`);
  });
});
