// Dataset bytes must be UTF-8: a bad byte would otherwise become U+FFFD and be sent to the model as if it
// were the question. This pass-through checks the stream (fatal TextDecoder, chunk boundaries handled) and
// fails with the file and the 1-based line of the first bad sequence.
import { isUtf8 } from "node:buffer";
import { Transform } from "node:stream";
import { DataError } from "./errors.js";

/** Bytes kept from the current line to locate a bad sequence; past this only the line number matters. */
const TAIL_MAX = 64 * 1024;

export function invalidUtf8Error(file: string, line: number): DataError {
  return new DataError(
    { file, line, field: "(encoding)", expected: "UTF-8 text", got: "an invalid UTF-8 byte sequence" },
    `${file}:${line}: not valid UTF-8 (an invalid byte sequence); re-save the file as UTF-8`,
  );
}

/** The line (1-based, counting `linesBefore` complete lines first) of the first bad sequence in `bytes`. */
export function lineOfInvalid(bytes: Buffer, linesBefore: number): number {
  let line = linesBefore;
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    line++;
    if (nl === -1 || !isUtf8(bytes.subarray(start, nl))) return line;
    start = nl + 1;
  }
}

export function utf8Guard(file: string): Transform {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lines = 0; // complete lines before `tail`
  let tail = Buffer.alloc(0); // bytes of the current, unfinished line
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        done(invalidUtf8Error(file, lineOfInvalid(Buffer.concat([tail, chunk]), lines)));
        return;
      }
      const last = chunk.lastIndexOf(0x0a);
      if (last === -1) {
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > TAIL_MAX) tail = Buffer.from(tail.subarray(tail.length - 4));
      } else {
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
        tail = Buffer.from(chunk.subarray(last + 1));
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        decoder.decode();
        done();
      } catch {
        done(invalidUtf8Error(file, lines + 1)); // the file ends inside a multi-byte sequence
      }
    },
  });
}
