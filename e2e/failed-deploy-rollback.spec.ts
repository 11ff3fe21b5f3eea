import path from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test, type Page } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

// The sandbox cluster `npm start` runs for this suite (see playwright.config.ts).
const dataDir = process.env.E2E_DATA_DIR ?? ".data/e2e";
function clients() {
  const kc = new KubeConfig();
  kc.loadFromFile(path.join(dataDir, "sandbox", "kubeconfig"));
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}
const namespace = "shop-staging";
async function liveColor() {
  return (await clients().core.readNamespacedService({ namespace, name: "checkout" })).spec?.selector?.color;
}
async function colour(color: string) {
  const d = await clients().apps.readNamespacedDeployment({ namespace, name: `checkout-${color}` });
  return {
    image: d.spec?.template?.spec?.containers?.[0]?.image,
    replicas: d.spec?.replicas ?? 0,
    ready: d.status?.readyReplicas ?? 0,
  };
}

async function deploy(manager: Page, image: string, summary: string) {
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: "Checkout" });
  await manager.getByLabel("Environment").selectOption({ label: "Staging" });
  await manager.getByLabel("Image").fill(image);
  await manager.getByRole("radio", { name: "Blue-green" }).check();
  await manager.getByLabel("Change summary").fill(summary);
  await manager.getByRole("button", { name: "Create release" }).click();
  await expect(manager.getByTestId("release-image")).toHaveText(image);
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(manager.getByTestId("run-progress")).toBeVisible();
}

test("a blue-green deploy that never gets ready leaves traffic alone, and the rollback previews and restores the last good version", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const tag = uniqueTag();
  // This is about a deploy that fails, not about SLIs: on a busy test machine the demo's latency
  // can breach the P95 limit, and the verification window would roll 1.6.0 back by itself.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@greenlight.local");
  await admin.goto("/admin/services");
  const settings = admin.getByRole("form", { name: "Checkout · Staging SLI and analysis settings" });
  await settings.getByLabel("Verification window (seconds)").fill("0");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(admin.getByText("Checkout · Staging saved.")).toBeVisible();

  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "release.manager@greenlight.local");

  // A good version first, so there is a version before it to go back to.
  const good = `registry.greenlight.local/shop/checkout:1.6.0-${tag}`;
  await deploy(manager, good, "Saved cards for returning shoppers.");
  await expect(manager.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  const live = (await liveColor())!;
  const idle = live === "blue" ? "green" : "blue";
  const previous = (await colour(idle)).image!;
  expect(previous).not.toBe(good);

  // Then a version whose pods crash-loop: the idle colour never gets ready.
  const broken = `registry.greenlight.local/shop/checkout:9.0.0-crashloop-${tag}`;
  await deploy(manager, broken, "One-click checkout (the build is broken).");
  await expect(manager.getByTestId("run-status")).toHaveText("failed", { timeout: 120_000 });
  await expect(manager.getByTestId("run-outcome")).toContainText(
    "traffic stayed on the live colour; the new colour was scaled to zero",
  );
  await expect(manager.getByTestId("run-progress").getByText("retire-idle-color")).toBeVisible();
  // Checked through the Kubernetes API: traffic never moved, the failed colour holds nothing.
  expect(await liveColor()).toBe(live);
  expect(await colour(idle)).toMatchObject({ image: broken, replicas: 0 });

  // On-call sees, before clicking, exactly what the button will do: never the broken image.
  const onCall = await (await browser.newContext()).newPage();
  await signIn(onCall, "oncall@greenlight.local");
  await onCall.goto("/services/checkout");
  const staging = onCall.getByTestId("environment-staging");
  await expect(staging.getByTestId("live-image")).toHaveText(good);
  await expect(staging.getByTestId("rollback-readiness")).toContainText(
    `ready: put ${previous} on ${idle} × 2, wait until ready, then switch`,
  );
  await expect(staging.getByTestId("rollback-from")).toContainText(good);
  await expect(staging.getByTestId("rollback-from")).toContainText(`${live} (live)`);
  await expect(staging.getByTestId("rollback-to")).toContainText(previous);
  await expect(staging.getByTestId("rollback-to")).toContainText(`${idle} · 0/0 ready`);
  await expect(staging.getByTestId("rollback-to")).not.toContainText("crashloop");
  await expect(staging.getByTestId("rollback-readiness")).toContainText(`${idle} runs ${broken}, not a good version`);

  await staging.getByRole("button", { name: "Roll back Checkout in Staging" }).click();
  const dialog = onCall.getByRole("dialog");
  await expect(dialog).toContainText(`put ${previous} on ${idle}`);
  await dialog.getByLabel("Why?").fill("checkout errors since 1.6.0");
  await dialog.getByRole("button", { name: "Roll back now" }).click();
  await expect(staging.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(staging.getByTestId("run-outcome")).toContainText(`rolled back to ${previous}`);

  // The result, through the Kubernetes API: traffic on ready pods of the last good version.
  expect(await liveColor()).toBe(idle);
  const restored = await colour(idle);
  expect(restored.image).toBe(previous);
  expect(restored.ready).toBe(2);
  const pods = await clients().core.listNamespacedPod({ namespace, labelSelector: `app=checkout,color=${idle}` });
  const serving = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
  expect(serving.length).toBeGreaterThan(0);
  for (const pod of serving) {
    expect(pod.spec?.containers?.[0]?.image).toBe(previous);
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  }
});
