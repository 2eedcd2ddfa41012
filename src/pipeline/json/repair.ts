// Repair truncated or sloppy JSON from a model in one linear pass. The pass re-emits the value token by token,
// tracking the open containers, so it can close them in order at the end, drop a dangling key, and leave out
// trailing commas; JSON.parse has the final word.
import { closesSingleQuoted, isSpace, skipComment } from "./lex.js";

type ObjectState = "key" | "colon" | "value" | "after";
type ArrayState = "value" | "after";

interface ObjectFrame {
  kind: "object";
  state: ObjectState;
  count: number;
  /** Output length before the current member's comma and key: truncating to it drops a dangling key. */
  memberStart: number;
}
interface ArrayFrame {
  kind: "array";
  state: ArrayState;
  count: number;
}
type Frame = ObjectFrame | ArrayFrame;

const LITERALS: Record<string, string> = {
  true: "true",
  false: "false",
  null: "null",
  True: "true",
  False: "false",
  None: "null",
  undefined: "null",
  NaN: "null",
};

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The repaired JSON text, or null when there is no object/array to repair or the result still does not parse. */
export function repairJson(text: string): string | null {
  const out: string[] = [];
  const stack: Frame[] = [];
  let started = false;
  let i = 0;
  const n = text.length;

  // Open containers per kind: lets a closer find its match without searching the stack.
  const openCount = { object: 0, array: 0 };
  const top = (): Frame | undefined => stack[stack.length - 1];

  /** Emit the separator before a new array item / object member; returns the output length before it. */
  const beginItem = (): number => {
    const f = top();
    const mark = out.length;
    if (f && f.count > 0) out.push(",");
    if (f) f.count++;
    return mark;
  };
  /** Called when a complete value has been emitted (or a container opened) in the current frame. */
  const valueDone = (): void => {
    const f = top();
    if (f) f.state = "after";
  };
  /** Whether the current position expects a value (opening a missing comma if needed). */
  const expectValue = (): boolean => {
    const f = top();
    if (!f) return !started;
    if (f.kind === "array") {
      if (f.state === "after") f.state = "value"; // missing comma between items
      return true;
    }
    if (f.state === "colon") f.state = "value"; // missing colon
    return f.state === "value";
  };
  /** Emit what precedes a value: the colon an object member lacks, or an array item's comma. */
  const prepareValue = (f: Frame | undefined): number => {
    if (f?.kind === "array") return beginItem();
    if (f?.kind === "object" && out[out.length - 1] !== ":") out.push(":");
    return out.length;
  };
  const dropDanglingKey = (f: ObjectFrame): void => {
    out.length = f.memberStart;
    f.count--;
    f.state = "after";
  };
  const closeTop = (): void => {
    const f = stack.pop()!;
    openCount[f.kind]--;
    if (f.kind === "object" && (f.state === "colon" || f.state === "value")) dropDanglingKey(f);
    out.push(f.kind === "object" ? "}" : "]");
    valueDone();
  };

  while (i < n) {
    const c = text[i]!;
    if (started && stack.length === 0) break; // ignore prose after the root value
    if (!started && c !== "{" && c !== "[") {
      i++;
      continue;
    }
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const afterComment = skipComment(text, i);
    if (afterComment >= 0) {
      i = afterComment;
      continue;
    }
    const f = top();
    if (c === "{" || c === "[") {
      if (!expectValue()) {
        i++;
        continue;
      }
      prepareValue(f);
      valueDone(); // the parent's value is this container, even if it is cut off
      out.push(c);
      openCount[c === "{" ? "object" : "array"]++;
      stack.push(c === "{" ? { kind: "object", state: "key", count: 0, memberStart: out.length } : { kind: "array", state: "value", count: 0 });
      started = true;
      i++;
      continue;
    }
    if (c === "}" || c === "]") {
      const want = c === "}" ? "object" : "array";
      if (openCount[want] > 0) {
        // Close inner containers the model forgot, up to the matching one.
        while (top()!.kind !== want) closeTop();
        closeTop();
      }
      i++;
      continue;
    }
    if (c === ",") {
      if (f?.kind === "object" && f.state === "after") f.state = "key";
      else if (f?.kind === "array" && f.state === "after") f.state = "value";
      i++;
      continue;
    }
    if (c === ":") {
      if (f?.kind === "object" && f.state === "colon") {
        out.push(":");
        f.state = "value";
      }
      i++;
      continue;
    }
    // Object key.
    if (f?.kind === "object" && (f.state === "key" || f.state === "after")) {
      const key = readKey(text, i);
      if (key === null) {
        i++;
        continue;
      }
      f.memberStart = beginItem();
      out.push(key.json);
      i = key.end;
      if (key.truncated) {
        dropDanglingKey(f);
        break;
      }
      f.state = "colon";
      continue;
    }
    if (!expectValue()) {
      i++;
      continue;
    }
    const value = readScalar(text, i);
    if (value === null) {
      i++;
      continue;
    }
    const mark = prepareValue(f);
    if (value.json === null) {
      // A value cut off beyond saving (e.g. a lone "-"): drop the whole member or item.
      if (f?.kind === "object") dropDanglingKey(f);
      else if (f) {
        out.length = mark;
        f.count--;
        f.state = "after";
      }
      i = value.end;
      continue;
    }
    out.push(value.json);
    valueDone();
    i = value.end;
  }

  while (stack.length > 0) closeTop();
  if (!started) return null;
  const repaired = out.join("");
  try {
    JSON.parse(repaired);
    return repaired;
  } catch {
    return null;
  }
}

interface Token {
  /** JSON text of the token, or null when it was cut off beyond repair. */
  json: string | null;
  end: number;
  truncated: boolean;
}

function readKey(text: string, i: number): (Token & { json: string }) | null {
  const c = text[i]!;
  if (c === '"' || c === "'") return readString(text, i, c);
  const m = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i, i + 200));
  if (!m) return null;
  // An unquoted identifier key ({answer: "B"}).
  return { json: JSON.stringify(m[0]), end: i + m[0].length, truncated: i + m[0].length >= text.length };
}

function readScalar(text: string, i: number): Token | null {
  const c = text[i]!;
  if (c === '"' || c === "'") return readString(text, i, c);
  if (c === "-" || c === "+" || c === "." || (c >= "0" && c <= "9")) return readNumber(text, i);
  if (/[A-Za-z_]/.test(c)) return readBareWord(text, i);
  return null;
}

/** A double- or single-quoted string re-emitted as valid JSON; closed if the text ends inside it. */
function readString(text: string, i: number, quote: string): Token & { json: string } {
  let s = '"';
  let j = i + 1;
  const n = text.length;
  while (j < n) {
    const c = text[j]!;
    if (c === "\\") {
      const e = text[j + 1];
      if (e === undefined) {
        j++; // a lone trailing backslash: drop it
        break;
      }
      if (e === "u") {
        const hex = text.slice(j + 2, j + 6);
        if (/^[0-9a-fA-F]{4}$/.test(hex)) {
          s += "\\u" + hex;
          j += 6;
        } else if (j + 6 > n && /^[0-9a-fA-F]*$/.test(hex)) {
          j = n; // an escape cut off by truncation: drop it
          break;
        } else {
          s += "\\\\u"; // not an escape: keep the backslash literally
          j += 2;
        }
        continue;
      }
      if (e === "'") s += "'";
      else if ('"\\/bfnrt'.includes(e)) s += "\\" + e;
      else s += "\\\\" + e; // an invalid escape such as \x: keep both characters
      j += 2;
      continue;
    }
    if (c === quote && (quote === '"' || closesSingleQuoted(text, j))) {
      return { json: s + '"', end: j + 1, truncated: false };
    }
    if (c === '"') s += '\\"';
    else if (c === "\n") s += "\\n";
    else if (c === "\r") s += "\\r";
    else if (c === "\t") s += "\\t";
    else if (c.charCodeAt(0) < 0x20) s += "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
    else s += c;
    j++;
  }
  return { json: s + '"', end: n, truncated: true };
}

function readNumber(text: string, i: number): Token {
  const m = /^[-+0-9.eE]+/.exec(text.slice(i, i + 64))!;
  let raw = m[0].replace(/^\+/, "");
  if (raw.startsWith(".")) raw = "0" + raw;
  if (raw.startsWith("-.")) raw = "-0" + raw.slice(1);
  // A number cut off after ".", "e" or a sign: drop the incomplete tail.
  raw = raw.replace(/(?:[eE][+-]?|\.)$/, "").replace(/\.(?=[eE]|$)/, "");
  const end = i + m[0].length;
  const truncated = end >= text.length;
  if (NUMBER.test(raw)) return { json: raw, end, truncated };
  // "5-10" is a range, not a number: keep it as text; a lone "-" cut off at the end is dropped.
  return { json: truncated ? null : JSON.stringify(m[0]), end, truncated };
}

/** true/false/null, Python's True/False/None, a literal cut off at the end ("tru"), or an unquoted word. */
function readBareWord(text: string, i: number): Token {
  const m = /^[A-Za-z_][\w$]*/.exec(text.slice(i, i + 200))!;
  const word = m[0];
  const end = i + word.length;
  const literal = LITERALS[word];
  if (literal !== undefined) return { json: literal, end, truncated: false };
  if (end >= text.length) {
    const completed = ["true", "false", "null"].find((l) => l.startsWith(word));
    if (completed) return { json: completed, end, truncated: true };
  }
  // An unquoted string value ({"answer": B}): take the rest up to a delimiter.
  let j = end;
  while (j < text.length && !",}]\n".includes(text[j]!)) j++;
  return { json: JSON.stringify(text.slice(i, j).trim()), end: j, truncated: j >= text.length };
}
