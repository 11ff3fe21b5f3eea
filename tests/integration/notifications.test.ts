import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signRelease } from "@/lib/approvals/sign";
import { createRelease } from "@/lib/releases/create-release";
import { seedDemo } from "@/tests/support/fixtures";
import { waitFor } from "@/tests/support/workloads";

let f: Awaited<ReturnType<typeof seedDemo>>;
const received: string[] = [];
let failing = false;
const webhook = http.createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    received.push((JSON.parse(body) as { text: string }).text);
    response.writeHead(failing ? 500 : 200).end(failing ? "boom" : "ok");
  });
});

beforeAll(async () => {
  f = await seedDemo();
  await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  process.env.SLACK_WEBHOOK_URL = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
});
afterAll(() => {
  delete process.env.SLACK_WEBHOOK_URL;
  webhook.close();
});

async function cto() {
  const { loadUser } = await import("@/lib/auth/current-user");
  return (await loadUser((await f.db.user.findUniqueOrThrow({ where: { email: "cto@greenlight.local" } })).id))!;
}

describe("Slack notifications", () => {
  it("tells approvers a production release awaits sign-off, and who approved or rejected it", async () => {
    const release = await createRelease(f.releaseManager, {
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      imageRef: "registry.greenlight.local/shop/checkout:11.0.0",
      strategy: "ROLLING",
      changeSummary: "Notified release.",
      links: [],
    });
    await waitFor(async () => received.some((t) => t.includes("awaits sign-off")), 5000);
    await signRelease(await cto(), {
      releaseId: release.id,
      revision: 1,
      role: "CTO",
      decision: "REJECTED",
      comment: "too risky on a Friday",
    });
    await waitFor(
      async () => received.some((t) => t.includes("rejected") && t.includes("too risky on a Friday")),
      5000,
    );
    expect(received.find((t) => t.includes("awaits"))).toContain(`R-${release.number} Checkout → Production`);
  });

  it("never blocks the gate when the webhook fails, or is not there at all", async () => {
    failing = true;
    const release = await createRelease(f.releaseManager, {
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      imageRef: "registry.greenlight.local/shop/checkout:11.1.0",
      strategy: "ROLLING",
      changeSummary: "Webhook is down.",
      links: [],
    });
    await expect(
      signRelease(await cto(), { releaseId: release.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" }),
    ).resolves.toBeTruthy();
    process.env.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/unreachable";
    const second = await createRelease(f.releaseManager, {
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      imageRef: "registry.greenlight.local/shop/checkout:11.2.0",
      strategy: "ROLLING",
      changeSummary: "Webhook unreachable.",
      links: [],
    });
    await expect(
      signRelease(await cto(), { releaseId: second.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" }),
    ).resolves.toBeTruthy();
    expect(await f.db.approval.count({ where: { releaseId: { in: [release.id, second.id] } } })).toBe(2);
    // Let the (failing) background notifications finish before the database closes.
    await new Promise((r) => setTimeout(r, 500));
  });
});
