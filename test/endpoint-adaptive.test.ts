import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "../src/endpoint/adaptive.js";

function limiter(max: number, opts: { initial?: number; cooldownMs?: number } = {}) {
  const clock = { t: 0 };
  const l = new AdaptiveLimiter(max, { ...opts, now: () => clock.t });
  return { l, clock };
}

describe("AdaptiveLimiter", () => {
  it.each([
    { max: 16, overloads: 1, limit: 8 },
    { max: 16, overloads: 2, limit: 4 },
    { max: 5, overloads: 1, limit: 2 },
    { max: 3, overloads: 5, limit: 1 }, // floor 1
  ])("halves on overload once per cooldown: max $max, $overloads spaced overloads → $limit", ({ max, overloads, limit }) => {
    const { l, clock } = limiter(max, { cooldownMs: 1000 });
    for (let i = 0; i < overloads; i++) {
      l.onOverload();
      clock.t += 1000;
    }
    expect(l.limit).toBe(limit);
  });

  it("ignores overloads inside the cooldown (one burst of 429s = one decrease)", () => {
    const { l, clock } = limiter(16, { cooldownMs: 5000 });
    l.onOverload();
    clock.t += 4999;
    l.onOverload();
    l.onOverload();
    expect(l.limit).toBe(8);
    clock.t += 1;
    l.onOverload();
    expect(l.limit).toBe(4);
  });

  it("adds one slot per `limit` successes and never exceeds max", () => {
    const { l } = limiter(4, { initial: 2 });
    l.onSuccess();
    expect(l.limit).toBe(2);
    l.onSuccess();
    expect(l.limit).toBe(3);
    for (let i = 0; i < 3; i++) l.onSuccess();
    expect(l.limit).toBe(4);
    for (let i = 0; i < 50; i++) l.onSuccess();
    expect(l.limit).toBe(4);
  });

  it("records every change with its time", () => {
    const { l, clock } = limiter(4, { cooldownMs: 0 });
    clock.t = 100;
    l.onOverload();
    clock.t = 250;
    l.onSuccess();
    l.onSuccess();
    expect(l.history).toEqual([
      { t_ms: 0, limit: 4 },
      { t_ms: 100, limit: 2 },
      { t_ms: 250, limit: 3 },
    ]);
  });

  it("hands out at most `limit` slots, FIFO, and follows a shrinking then growing limit", async () => {
    const { l } = limiter(2, { cooldownMs: 0 });
    const r1 = await l.acquire();
    const r2 = await l.acquire();
    const order: number[] = [];
    const p3 = l.acquire().then((r) => (order.push(3), r));
    const p4 = l.acquire().then((r) => (order.push(4), r));
    await Promise.resolve();
    expect([l.inFlight, l.waiting]).toEqual([2, 2]);

    l.onOverload(); // limit 1: releasing one slot must not admit a waiter yet
    r1();
    r1(); // idempotent
    await Promise.resolve();
    expect([l.inFlight, l.waiting]).toEqual([1, 2]);

    r2();
    const r3 = await p3;
    expect(order).toEqual([3]);
    expect(l.inFlight).toBe(1);

    l.onSuccess(); // 1 success at limit 1 → limit 2 → admits #4
    const r4 = await p4;
    expect(order).toEqual([3, 4]);
    expect(l.inFlight).toBe(2);
    r3();
    r4();
    expect(l.inFlight).toBe(0);
  });

  it("rejects a nonsensical max", () => {
    expect(() => new AdaptiveLimiter(0)).toThrow(RangeError);
  });
});
