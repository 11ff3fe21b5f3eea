import { describe, expect, it } from "vitest";
import { ApiError, GreenlightClient, problemMessage, retryAfterSeconds } from "@/lib/cli/client";
import { createRelease, deploy, EXIT, gate, rollback, runStatus, waitForRun, type Output } from "@/lib/cli/pipeline";

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };

/** A fetch that answers each "METHOD /path" from a queue of replies and records the requests. */
function fakeApi(routes: Record<string, Reply[]>) {
  const calls: { method: string; path: string; headers: Headers; body: unknown }[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const key = `${method} ${url.pathname}`;
    calls.push({
      method,
      path: url.pathname,
      headers: new Headers(init?.headers),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const queue = routes[key];
    if (!queue?.length) throw new Error(`unexpected ${key}`);
    const reply = queue.length > 1 ? queue.shift()! : queue[0];
    const isProblem = (reply.status ?? 200) >= 400;
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { "content-type": isProblem ? "application/problem+json" : "application/json", ...reply.headers },
    });
  }) as typeof fetch;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
  };
  const client = new GreenlightClient({
    baseUrl: "https://gl.example.com/",
    token: "glt_secret",
    fetch: fetchImpl,
    sleep,
  });
  return { client, calls, slept, sleep };
}

function capture(): Output & { results: string[]; infos: string[] } {
  const results: string[] = [];
  const infos: string[] = [];
  return { results, infos, result: (l) => results.push(l), info: (l) => infos.push(l) };
}

/** A clock the fake sleep moves forward, so waits time out without real time passing. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe("GreenlightClient", () => {
  it("sends the token as a bearer and JSON bodies under /api/v1", async () => {
    const api = fakeApi({ "POST /api/v1/releases": [{ status: 201, body: { id: "rel1" } }] });
    const out = capture();
    const id = await createRelease(
      api.client,
      {
        serviceId: "svc",
        environmentId: "env",
        imageRef: "r/app:1",
        strategy: "ROLLING",
        changeSummary: "Adds the thing",
        commitSha: undefined,
      },
      out,
    );
    expect(id).toBe("rel1");
    expect(out.results).toEqual(["rel1"]);
    expect(api.calls[0].headers.get("authorization")).toBe("Bearer glt_secret");
    expect(api.calls[0].headers.get("content-type")).toBe("application/json");
    // Options left out are not sent as null.
    expect(api.calls[0].body).toEqual({
      serviceId: "svc",
      environmentId: "env",
      imageRef: "r/app:1",
      strategy: "ROLLING",
      changeSummary: "Adds the thing",
    });
  });

  it("turns problem+json into an ApiError carrying the server's sentence", async () => {
    const api = fakeApi({
      "POST /api/v1/releases/r1/deploy": [
        {
          status: 409,
          body: { type: "about:blank", title: "Conflict", status: 409, detail: "The gate is not green: 2 sign-offs." },
        },
      ],
    });
    const error = await deploy(api.client, "r1", capture()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect((error as ApiError).message).toBe("Conflict: The gate is not green: 2 sign-offs. (HTTP 409)");
  });

  it("waits out 429 as Retry-After says, then gives up after its retries", async () => {
    const limited = { status: 429, body: { title: "Too many requests", status: 429 }, headers: { "retry-after": "7" } };
    const api = fakeApi({ "GET /api/v1/runs/x": [limited, { body: { id: "x", status: "SUCCEEDED" } }] });
    expect(await runStatus(api.client, "x", capture())).toBe(EXIT.OK);
    expect(api.slept).toEqual([7000]);

    const always = fakeApi({ "GET /api/v1/runs/x": [limited] });
    const error = (await runStatus(always.client, "x", capture()).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(7);
    expect(always.slept).toHaveLength(5);
  });

  it("refuses a missing token and a non-http URL before any request", () => {
    expect(() => new GreenlightClient({ baseUrl: "https://x", token: " " })).toThrow(/GREENLIGHT_TOKEN/);
    expect(() => new GreenlightClient({ baseUrl: "file:///etc", token: "t" })).toThrow(/http/);
    expect(() => new GreenlightClient({ baseUrl: "nope", token: "t" })).toThrow(/Not a URL/);
  });

  it("reads Retry-After as seconds or a date, and words bodies that are not problems", () => {
    expect(retryAfterSeconds("12")).toBe(12);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds(new Date(Date.now() - 1000).toUTCString())).toBe(0);
    expect(problemMessage(502, null, "<html>Bad gateway</html>")).toBe("HTTP 502: <html>Bad gateway</html>");
    expect(problemMessage(404, { title: "Not found", detail: "Not found" }, "")).toBe("Not found (HTTP 404)");
  });
});

describe("gate", () => {
  const notGreen = { green: false, unmet: [{ kind: "approval", message: "Needs a sign-off from QA" }] };

  it("without --wait, answers once and fails when the gate is not green", async () => {
    const api = fakeApi({ "GET /api/v1/releases/r1/gate": [{ body: notGreen }] });
    const out = capture();
    expect(await gate(api.client, "r1", out)).toBe(EXIT.FAILED);
    expect(out.results).toEqual(["not-green"]);
    expect(out.infos.join("\n")).toContain("Needs a sign-off from QA");
  });

  it("with --wait, polls until green and prints each state once", async () => {
    const api = fakeApi({
      "GET /api/v1/releases/r1/gate": [{ body: notGreen }, { body: notGreen }, { body: { green: true, unmet: [] } }],
    });
    const out = capture();
    const c = clock();
    expect(await gate(api.client, "r1", out, { wait: true, intervalMs: 1000, ...c })).toBe(EXIT.OK);
    expect(api.calls).toHaveLength(3);
    expect(out.infos).toEqual([expect.stringContaining("QA"), "The gate is green."]);
    expect(out.results).toEqual(["green"]);
  });

  it("stops waiting at a rejection, and times out with its own exit code", async () => {
    const rejected = fakeApi({
      "GET /api/v1/releases/r1/gate": [
        { body: { green: false, unmet: [{ kind: "rejection", message: "QA said no" }] } },
      ],
    });
    expect(await gate(rejected.client, "r1", capture(), { wait: true, ...clock() })).toBe(EXIT.FAILED);
    expect(rejected.calls).toHaveLength(1);

    const stuck = fakeApi({ "GET /api/v1/releases/r1/gate": [{ body: notGreen }] });
    const out = capture();
    expect(await gate(stuck.client, "r1", out, { wait: true, intervalMs: 10_000, timeoutMs: 60_000, ...clock() })).toBe(
      EXIT.TIMEOUT,
    );
    // Reads at 0, 10 … 60 s.
    expect(stuck.calls.length).toBe(7);
    expect(out.results).toEqual(["timeout"]);
  });
});

describe("deploy --wait", () => {
  it("follows the run, printing new events once, and succeeds with it", async () => {
    const api = fakeApi({
      "POST /api/v1/releases/r1/deploy": [{ status: 202, body: { id: "run1", status: "QUEUED" } }],
      "GET /api/v1/runs/run1": [
        { body: { id: "run1", status: "RUNNING", events: [{ seq: 1, step: "apply", message: "Applied" }] } },
        {
          body: {
            id: "run1",
            status: "SUCCEEDED",
            events: [
              { seq: 1, step: "apply", message: "Applied" },
              { seq: 2, step: "wait", message: "3/3 ready" },
            ],
          },
        },
      ],
    });
    const out = capture();
    expect(await deploy(api.client, "r1", out, { wait: true, ...clock() })).toBe(EXIT.OK);
    expect(out.infos.filter((l) => l.includes("Applied"))).toHaveLength(1);
    expect(out.infos).toContain("  [wait] 3/3 ready");
    expect(out.results).toEqual(["SUCCEEDED"]);
  });

  for (const status of ["FAILED", "ABORTED", "ROLLED_BACK"]) {
    it(`exits non-zero when the run ends ${status}`, async () => {
      const api = fakeApi({
        "GET /api/v1/runs/run1": [{ body: { id: "run1", status, outcome: "Pods never became ready" } }],
      });
      const out = capture();
      expect(await waitForRun(api.client, "run1", out, clock())).toBe(EXIT.FAILED);
      expect(out.infos).toContain("Outcome: Pods never became ready");
    });
  }

  it("without --wait prints the run id and leaves", async () => {
    const api = fakeApi({ "POST /api/v1/releases/r1/deploy": [{ status: 202, body: { run: { id: "run9" } } }] });
    const out = capture();
    expect(await deploy(api.client, "r1", out)).toBe(EXIT.OK);
    expect(out.results).toEqual(["run9"]);
  });
});

describe("rollback", () => {
  it("posts the environment and reason to the service's rollback and can wait for the run", async () => {
    const api = fakeApi({
      "POST /api/v1/services/checkout/rollback": [{ status: 202, body: { id: "rb1", status: "QUEUED" } }],
      "GET /api/v1/runs/rb1": [{ body: { id: "rb1", status: "SUCCEEDED" } }],
    });
    const out = capture();
    const input = { service: "checkout", environment: "production", environmentId: undefined, reason: "5xx spike" };
    expect(await rollback(api.client, input, out, { wait: true, ...clock() })).toBe(EXIT.OK);
    expect(api.calls[0].body).toEqual({ environment: "production", reason: "5xx spike" });
    expect(out.results).toEqual(["SUCCEEDED"]);
  });
});
