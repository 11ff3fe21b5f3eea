import { afterEach, describe, expect, it, vi } from "vitest";
import { coalesce, RunChangeHub, type ListenHandlers } from "@/lib/deploy/live/run-stream";

/** A fake LISTEN connection the test drives by hand. */
function fakeDatabase() {
  const opened: ListenHandlers[] = [];
  let failNext = 0;
  let closed = 0;
  return {
    opened,
    get closed() {
      return closed;
    },
    failNextConnects(n: number) {
      failNext = n;
    },
    connect: async (handlers: ListenHandlers) => {
      if (failNext > 0) {
        failNext -= 1;
        throw new Error("connection refused");
      }
      opened.push(handlers);
      return { close: () => void (closed += 1) };
    },
  };
}

const timing = { blindTickMs: 1000, backoffMinMs: 100, backoffMaxMs: 400 };

afterEach(() => {
  vi.useRealTimers();
});

describe("RunChangeHub", () => {
  it("opens one connection however many subscribe, and tells only the run's subscribers", async () => {
    const database = fakeDatabase();
    const hub = new RunChangeHub(database.connect, timing);
    const a1 = vi.fn();
    const a2 = vi.fn();
    const b = vi.fn();
    hub.subscribe("run-a", a1);
    hub.subscribe("run-a", a2);
    const unsubscribeB = hub.subscribe("run-b", b);
    await vi.waitFor(() => expect(hub.listening).toBe(true));
    expect(database.opened).toHaveLength(1);
    // On connect everyone reloads once (changes before LISTEN took effect were not notified).
    expect([a1.mock.calls.length, a2.mock.calls.length, b.mock.calls.length]).toEqual([1, 1, 1]);

    database.opened[0].onNotify("run-a");
    expect([a1.mock.calls.length, a2.mock.calls.length, b.mock.calls.length]).toEqual([2, 2, 1]);
    database.opened[0].onNotify("run-unknown");
    unsubscribeB();
    database.opened[0].onNotify("run-b");
    expect(b).toHaveBeenCalledTimes(1);
    expect(hub.size).toEqual({ runs: 1, listeners: 2 });
    hub.close();
    expect(database.closed).toBe(1);
  });

  it("while the connection is down, tells everyone every second, reconnects with backoff, and tells everyone once back", async () => {
    vi.useFakeTimers();
    const database = fakeDatabase();
    const hub = new RunChangeHub(database.connect, timing);
    const listener = vi.fn();
    hub.subscribe("run-a", listener);
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.listening).toBe(true);
    listener.mockClear();

    database.failNextConnects(2);
    database.opened[0].onLost(new Error("terminating connection due to administrator command"));
    expect(hub.listening).toBe(false);
    // Backoff 100 ms, then 200 ms (±25 %): two failed attempts, then the third one connects.
    await vi.advanceTimersByTimeAsync(1000);
    expect(hub.listening).toBe(true);
    expect(database.opened).toHaveLength(2);
    const duringOutage = listener.mock.calls.length;
    // One blind tick at 1000 ms may or may not have fired before the reconnect; the reconnect itself tells once.
    expect(duringOutage).toBeGreaterThanOrEqual(1);
    listener.mockClear();
    // Healthy again: no more ticks.
    await vi.advanceTimersByTimeAsync(5000);
    expect(listener).not.toHaveBeenCalled();
    database.opened[1].onNotify("run-a");
    expect(listener).toHaveBeenCalledTimes(1);
    hub.close();
  });

  it("ticks every second while it cannot connect at all", async () => {
    vi.useFakeTimers();
    const database = fakeDatabase();
    database.failNextConnects(1000);
    const hub = new RunChangeHub(database.connect, timing);
    const listener = vi.fn();
    hub.subscribe("run-a", listener);
    await vi.advanceTimersByTimeAsync(3500);
    expect(listener).toHaveBeenCalledTimes(3);
    hub.close();
  });
});

describe("coalesce", () => {
  it("runs at most one load at a time and exactly one more after a burst", async () => {
    const releases: (() => void)[] = [];
    let started = 0;
    const reload = coalesce(() => {
      started += 1;
      return new Promise<void>((resolve) => releases.push(resolve));
    });
    reload();
    for (let i = 0; i < 10; i++) reload();
    expect(started).toBe(1);
    releases.shift()!();
    await vi.waitFor(() => expect(started).toBe(2));
    releases.shift()!();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(2);
    reload();
    expect(started).toBe(3);
    releases.shift()!();
  });

  it("keeps going after a failed load", async () => {
    let calls = 0;
    const reload = coalesce(async () => {
      calls += 1;
      if (calls === 1) throw new Error("database restarting");
    });
    reload();
    await new Promise((r) => setTimeout(r, 10));
    reload();
    await vi.waitFor(() => expect(calls).toBe(2));
  });
});
