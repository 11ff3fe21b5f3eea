import { describe, expect, it } from "vitest";
import { addJob, deployRunJob } from "@/lib/jobs/registry";
import { withRequestId } from "@/lib/telemetry/request-context";

const payloadOf = (sql: ReturnType<typeof addJob>) => JSON.parse(String(sql.values[1])) as Record<string, unknown>;

describe("addJob", () => {
  it("carries the request that queued the job", () => {
    const sql = withRequestId("4bf92f3577b34da6a3ce929d0e0e4736", () =>
      addJob(deployRunJob, { runId: "r1" }, { key: "run:r1" }),
    );
    expect(payloadOf(sql)).toEqual({ runId: "r1", requestId: "4bf92f3577b34da6a3ce929d0e0e4736" });
  });

  it("queues no request id outside a request", () => {
    expect(payloadOf(addJob(deployRunJob, { runId: "r1" }, { key: "run:r1" }))).toEqual({ runId: "r1" });
  });

  it("refuses a request id that is not one of ours (it would land in every log line)", () => {
    expect(() => addJob(deployRunJob, { runId: "r1", requestId: "x\ny" }, { key: "run:r1" })).toThrow();
  });
});
