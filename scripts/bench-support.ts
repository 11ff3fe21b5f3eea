/**
 * What the benchmarks share: a throwaway embedded PostgreSQL with the demo data, and the sandbox
 * cluster in its own process (as a cluster is: its pods do not share the worker's event loop).
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { seed } from "@/lib/seed/seed";

export async function startBenchDatabase(name: string) {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `greenlight-${name}-`));
  await fs.chmod(tmp, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(tmp, "pg"),
    port: await freePort(),
    database: "greenlight",
  });
  process.env.DATABASE_URL = pg.url;
  process.env.LOG_LEVEL ??= "warn";
  await migrate(pg.url);
  await migrateJobQueue(pg.url);
  // Imported after DATABASE_URL is set: the client reads it when first used.
  const { getDb } = await import("@/lib/db");
  const db = getDb();
  await seed(db, { demo: true });
  return {
    tmp,
    url: pg.url,
    db,
    async stop() {
      await db.$disconnect();
      await pg.stop();
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}

/** `npm run sandbox` in a child process, its state in `dataDir`; resolves once it printed its kubeconfig. */
export async function spawnSandbox(dataDir: string, env: Record<string, string>) {
  const child = spawn(path.join("node_modules", ".bin", "tsx"), ["scripts/sandbox.ts"], {
    env: { ...process.env, GREENLIGHT_DATA_DIR: dataDir, SANDBOX_PORT: String(await freePort()), ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const printed = await new Promise<{ kubeconfigPath: string; targetsUrl: string }>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const kubeconfig = /kubeconfig: (\S+)/.exec(out);
      const targets = /targets: +(\S+)/.exec(out);
      if (kubeconfig && targets) resolve({ kubeconfigPath: kubeconfig[1], targetsUrl: targets[1] });
    });
    child.once("exit", (code) => reject(new Error(`the sandbox exited with code ${code}`)));
  });
  return { ...printed, stop: () => void child.kill("SIGTERM") };
}
