import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test, type Page, type Request } from "@playwright/test";
import pg from "pg";
import type { ReplicaStack } from "../tests/support/replica-stack";
import { signIn, uniqueTag } from "./helpers";

// Greenlight as its Kubernetes manifests run it: two web processes and two run workers against
// one database, behind a round-robin balancer (tests/support/replica-stack.ts). Its own database
// and sandbox cluster, so nothing here touches the suite's app.
test.describe.configure({ mode: "serial" });

let stackProcess: ChildProcessWithoutNullStreams;
let stack: ReplicaStack;
let database: pg.Client;
// What the stack's processes printed (warnings and errors, e.g. safe-action's "action failed").
let output = "";

test.beforeAll(async () => {
  test.setTimeout(300_000);
  stackProcess = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "tests/support/replica-stack.ts"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  stack = await new Promise<ReplicaStack>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the replica stack did not start:\n${output}`)), 280_000);
    stackProcess.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^stack (.+)$/m.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line[1]) as ReplicaStack);
      }
    });
    stackProcess.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.REPLICAS_VERBOSE) process.stderr.write(chunk);
    });
    stackProcess.once("exit", (code) => reject(new Error(`the replica stack exited (${code}):\n${output}`)));
  });
  database = new pg.Client({ connectionString: stack.databaseUrl });
  await database.connect();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  await testInfo.attach("replica stack output", { body: output });
  // The errors the processes logged (pino level 50 and up) go to the CI log as well.
  const errors = output.split("\n").filter((line) => /"level":(50|60)/.test(line));
  if (errors.length > 0) process.stderr.write(`replica stack errors:\n${errors.join("\n")}\n`);
});

test.afterAll(async () => {
  await database?.end();
  if (stackProcess && stackProcess.exitCode === null) {
    const exited = new Promise((resolve) => stackProcess.once("exit", resolve));
    stackProcess.stdin.end();
    await exited;
  }
});

async function newRelease(page: Page, tag: string): Promise<string> {
  await page.goto("/releases/new");
  await page.getByLabel("Service").selectOption({ label: "Checkout" });
  await page.getByLabel("Environment").selectOption({ label: "Staging" });
  const image = `registry.greenlight.local/shop/checkout:1.6.0-${tag}`;
  await page.getByLabel("Image").fill(image);
  await page.getByRole("radio", { name: "Blue-green" }).check();
  await page.getByLabel("Change summary").fill("Two replicas, one run.");
  await page.getByRole("button", { name: "Create release" }).click();
  await expect(page.getByTestId("release-image")).toHaveText(image);
  return new URL(page.url()).pathname.split("/").pop()!;
}

async function runsOf(releaseId: string) {
  const { rows } = await database.query<{ id: string; status: string; lease_owner: string | null }>(
    "select id, status, lease_owner from deployment_runs where release_id = $1 order by created_at",
    [releaseId],
  );
  return rows;
}

function liveColor() {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.kubeconfig);
  return kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespacedService({ namespace: "shop-staging", name: "checkout" })
    .then((service) => service.spec?.selector?.color);
}

test("a session signed in through one web process is good on the other", async ({ browser }) => {
  const page = await (await browser.newContext({ baseURL: stack.url })).newPage();
  // Through the balancer the sign-in itself crosses processes: the form from one, the callback on the other.
  await signIn(page, "release.manager@greenlight.local");
  await page.goto("/services");
  await expect(page.getByRole("heading", { name: "Services" })).toBeVisible();
  // Request by request the balancer alternates: with the browser's cookie, each process serves
  // the signed-in page, not a redirect to the sign-in.
  const upstreams = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const answer = await page.request.get("/services", { maxRedirects: 0 });
    expect(answer.status()).toBe(200);
    expect(await answer.text()).toContain("Every service Greenlight ships");
    upstreams.add(answer.headers()["x-greenlight-upstream"]);
  }
  expect(upstreams.size).toBe(2);
  // And straight at each process, with the one cookie the browser holds.
  for (const web of stack.webUrls) {
    await page.goto(`${web}/releases`);
    await expect(page).toHaveURL(`${web}/releases`);
    await expect(page.getByRole("heading", { name: "Releases" })).toBeVisible();
  }
});

test("fifty deploy clicks spread over both web processes start one run", async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await (await browser.newContext({ baseURL: stack.url })).newPage();
  await signIn(page, "release.manager@greenlight.local");
  const releaseId = await newRelease(page, uniqueTag());
  const before = await liveColor();

  // The browser's own click is held at the network while 49 copies of the very request it sent
  // (the same server action, body and cookie) race each other on both processes, and let go once
  // they have answered: so the browser's click is refused, and its page must still show the run
  // that won (it follows the run someone else started).
  let clicked: Request | undefined;
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  await page.route("**/releases/**", async (route) => {
    const request = route.request();
    if (request.method() === "POST" && request.headers()["next-action"] && !clicked) {
      clicked = request;
      await held;
    }
    await route.continue();
  });
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect.poll(() => clicked !== undefined).toBe(true);
  const headers = { ...(await clicked!.allHeaders()) };
  for (const name of ["host", "origin", "content-length", "cookie", "connection"]) delete headers[name];
  const body = clicked!.postDataBuffer()!;
  const path = new URL(clicked!.url()).pathname;
  const copies = Array.from({ length: 49 }, (_, i) => {
    const web = stack.webUrls[i % 2];
    // Next refuses a server action whose Origin is not the host it arrived at (CSRF), as a browser on that pod would send.
    return page.request.post(`${web}${path}`, { headers: { ...headers, origin: web }, data: body });
  });
  const answers = await Promise.all(copies);
  letGo();
  expect(answers.map((a) => a.status())).toEqual(answers.map(() => 200));
  // Each copy reached the deploy action on its process: one started the run, the others were told
  // a run is already under way; none failed.
  const bodies = await Promise.all(answers.map((a) => a.text()));
  const refused = bodies.filter((b) => b.includes('"code":"CONFLICT"')).length;
  const started = bodies.filter((b) => b.includes('"ok":true')).length;
  const other = bodies.filter((b) => !b.includes('"code":"CONFLICT"') && !b.includes('"ok":true'));
  // The error code of each such answer (an RSC payload, whose tail says nothing), or its start.
  const described = other.map((b) => /"code":"[A-Z_]+"/.exec(b)?.[0] ?? b.slice(0, 400));
  expect([started, refused], `other answers: ${described.join("\n---\n")}`).toEqual([1, 48]);

  // The browser's click was refused, said so, and the page shows the run that won.
  await expect(page.getByText(/already in progress|is deploying/).first()).toBeVisible();
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });
  const runs = await runsOf(releaseId);
  expect(runs).toHaveLength(1);
  expect(runs[0].status).toBe("SUCCEEDED");
  // The switch happened once: a second run would have moved the selector back.
  expect(await liveColor()).toBe(before === "blue" ? "green" : "blue");
  const { rows } = await database.query<{ n: string }>(
    "select count(*) as n from run_events where run_id = $1 and step = 'switch-traffic' and phase = 'AFTER'",
    [runs[0].id],
  );
  expect(Number(rows[0].n)).toBe(1);
});

test("a worker killed mid-run: the other worker finishes the run", async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await (await browser.newContext({ baseURL: stack.url })).newPage();
  await signIn(page, "release.manager@greenlight.local");
  const releaseId = await newRelease(page, uniqueTag());
  const before = await liveColor();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();

  // The worker that holds the run's lease, once it is into the first deploy step (the idle
  // colour's pods take seconds to become ready, so the step is still going when it dies).
  let holder: number | undefined;
  await expect
    .poll(
      async () => {
        const { rows } = await database.query<{ status: string; lease_owner: string | null; in_step: boolean }>(
          `select r.status, r.lease_owner,
                  exists (select 1 from run_events e where e.run_id = r.id and e.step = 'prepare-idle-color') as in_step
             from deployment_runs r where r.release_id = $1`,
          [releaseId],
        );
        const pid = Number(rows[0]?.lease_owner?.split(":")[1]);
        if (rows[0]?.status === "RUNNING" && rows[0].in_step && stack.workers.some((w) => w.pid === pid)) holder = pid;
        return holder;
      },
      { timeout: 30_000, intervals: [50] },
    )
    .toBeDefined();
  process.kill(holder!, "SIGKILL");
  const survivor = stack.workers.find((w) => w.pid !== holder)!.pid;

  // The lease runs out (15 s), the survivor's sweeper requeues the run, and it resumes where it was.
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 120_000 });
  const [run] = await runsOf(releaseId);
  expect(run.status).toBe("SUCCEEDED");
  const { rows } = await database.query<{ message: string }>(
    "select message from run_events where run_id = $1 and message like 'resumed by worker %' order by seq",
    [run.id],
  );
  expect(rows.map((r) => r.message).join("\n")).toContain(`:${survivor}:`);
  expect(await liveColor()).toBe(before === "blue" ? "green" : "blue");
});
