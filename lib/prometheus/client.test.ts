import { describe, expect, it } from "vitest";
import { PrometheusGateway } from "@/lib/prometheus/client";

// Unit tests of the gateway's own logic (coalescing, caching, error values); the integration
// suite talks to a real Prometheus.
function counting(body: unknown, status = 200, delayMs = 5) {
  const calls: string[] = [];
  const fetcher = (async (url: string) => {
    calls.push(url);
    await new Promise((r) => setTimeout(r, delayMs));
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  }) as unknown as typeof fetch;
  return { calls, fetcher };
}

const vector = {
  status: "success",
  data: { resultType: "vector", result: [{ metric: { app: "checkout" }, value: [1, "0.25"] }] },
};

describe("PrometheusGateway", () => {
  it("sends one upstream request for 200 identical concurrent queries", async () => {
    const { calls, fetcher } = counting(vector);
    const gateway = new PrometheusGateway("http://prometheus", { fetch: fetcher, now: () => 1_000_000 });
    const results = await Promise.all(Array.from({ length: 200 }, () => gateway.scalar("sum(rate(x[1m]))")));
    expect(results.every((r) => r.ok && r.value === 0.25)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it("reuses an answer until its interval on the clock ends, then asks again", async () => {
    let now = 990_000;
    const { calls, fetcher } = counting(vector);
    const gateway = new PrometheusGateway("http://prometheus", { fetch: fetcher, now: () => now, cacheTtlMs: 15_000 });
    await gateway.scalar("up", 1_000_000);
    now += 14_000;
    await gateway.scalar("up", 1_000_000);
    expect(calls).toHaveLength(1);
    now += 2_000;
    await gateway.scalar("up", 1_000_000);
    expect(calls).toHaveLength(2);
  });

  it("costs one query per interval however many viewers refresh, at whatever moments", async () => {
    let now = 0;
    const { calls, fetcher } = counting(vector, 200, 0);
    const gateway = new PrometheusGateway("http://prometheus", { fetch: fetcher, now: () => now, cacheTtlMs: 15_000 });
    // 200 viewers each refreshing every 15 s from a random moment, for one minute.
    const refreshes = Array.from({ length: 200 }, () => Math.random() * 15_000)
      .flatMap((phase) => [0, 1, 2, 3].map((i) => phase + i * 15_000))
      .sort((a, b) => a - b);
    for (const at of refreshes) {
      now = at;
      await gateway.queryRange("sum(rate(http_requests_total[1m]))", at - 3_600_000, at, 30);
    }
    // Four intervals in the minute, and the range query's end moves every 30 s: four queries.
    expect(calls).toHaveLength(4);
  });

  it("aligns range queries to the step so panels opened seconds apart share them", async () => {
    const { calls, fetcher } = counting({
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          {
            metric: {},
            values: [
              [60, "1"],
              [75, "2"],
            ],
          },
        ],
      },
    });
    const gateway = new PrometheusGateway("http://prometheus", { fetch: fetcher, now: () => 0 });
    const a = await gateway.queryRange("up", 60_000, 120_003, 15);
    await gateway.queryRange("up", 60_004, 120_011, 15);
    expect(calls).toHaveLength(1);
    expect(a.ok && a.value[0].points).toEqual([
      [60_000, 1],
      [75_000, 2],
    ]);
  });

  it("answers errors as values and does not cache them", async () => {
    const { calls, fetcher } = counting(
      { status: "error", errorType: "bad_data", error: "parse error at char 5" },
      400,
    );
    const gateway = new PrometheusGateway("http://prometheus", { fetch: fetcher, now: () => 0 });
    expect(await gateway.query("sum(")).toEqual({
      ok: false,
      error: { type: "bad_query", message: "parse error at char 5" },
    });
    await new Promise((r) => setTimeout(r, 10));
    await gateway.query("sum(");
    expect(calls).toHaveLength(2);
  });

  it("says when Prometheus is down or slow", async () => {
    const down = new PrometheusGateway("http://127.0.0.1:1", { timeoutMs: 1000 });
    const result = await down.query("up");
    expect(result).toMatchObject({ ok: false, error: { type: "unavailable" } });
    const slow = new PrometheusGateway("http://prometheus", {
      timeoutMs: 20,
      fetch: ((_: string, init: RequestInit) =>
        new Promise((_r, reject) =>
          init.signal?.addEventListener("abort", () => reject(init.signal!.reason)),
        )) as unknown as typeof fetch,
    });
    expect(await slow.query("up")).toMatchObject({ ok: false, error: { type: "timeout" } });
  });
});
