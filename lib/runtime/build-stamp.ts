import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

// What `next build` reads. A change to any of these makes the next `npm start` build again.
const SOURCES = [
  "app",
  "components",
  "lib",
  "public",
  "types",
  "prisma/schema.prisma",
  "next.config.js",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];
const SKIP = new Set(["node_modules", ".next", "generated", ".data"]);
/** Where `next build` writes (next.config.js reads the same variable). */
export const distDir = () => process.env.NEXT_DIST_DIR || ".next";

async function collect(root: string, entry: string, out: string[]): Promise<void> {
  const full = path.join(root, entry);
  const stat = await fs.stat(full).catch(() => null);
  if (!stat) return;
  if (stat.isFile()) {
    out.push(entry);
    return;
  }
  for (const child of await fs.readdir(full)) {
    if (!SKIP.has(child) && !child.startsWith(".next") && !child.endsWith(".test.ts"))
      await collect(root, path.join(entry, child), out);
  }
}

export async function sourceHash(root: string): Promise<string> {
  const files: string[] = [];
  for (const entry of SOURCES) await collect(root, entry, files);
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    hash.update(file);
    hash.update(await fs.readFile(path.join(root, file)));
  }
  return hash.digest("hex");
}

export async function buildIsCurrent(root: string, hash: string): Promise<boolean> {
  const [stamp, buildId] = await Promise.all([
    fs.readFile(path.join(root, distDir(), "greenlight-source-hash"), "utf8").catch(() => null),
    fs.readFile(path.join(root, distDir(), "BUILD_ID"), "utf8").catch(() => null),
  ]);
  return Boolean(buildId) && stamp === hash;
}

export async function writeBuildStamp(root: string, hash: string): Promise<void> {
  await fs.writeFile(path.join(root, distDir(), "greenlight-source-hash"), hash);
}

/**
 * Runs `next build` (the callback) and puts tsconfig.json back as it was: a build into a
 * NEXT_DIST_DIR other than .next makes Next add `<dir>/types/**` to tsconfig's include list, which
 * would leave the checkout dirty after every e2e run or benchmark with a dist dir of its own.
 */
export async function keepingTsconfig<T>(root: string, build: () => Promise<T>): Promise<T> {
  const file = path.join(root, "tsconfig.json");
  const before = await fs.readFile(file, "utf8");
  try {
    return await build();
  } finally {
    if (distDir() !== ".next" && (await fs.readFile(file, "utf8").catch(() => before)) !== before)
      await fs.writeFile(file, before);
  }
}

/**
 * Makes the build unless the one in distDir() was made from these sources. `startBuild` spawns
 * `next build` with the caller's environment and output (and keeps hold of the child, to stop it
 * on Ctrl+C). Throws when the build fails.
 */
export async function buildUnlessCurrent(
  root: string,
  startBuild: () => ChildProcess,
): Promise<{ built: boolean; seconds: number }> {
  const hash = await sourceHash(root);
  if (await buildIsCurrent(root, hash)) return { built: false, seconds: 0 };
  const started = Date.now();
  const code = await keepingTsconfig(
    root,
    () =>
      new Promise<number>((resolve) =>
        startBuild().once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
      ),
  );
  if (code !== 0) throw new Error(`next build failed with code ${code}`);
  await writeBuildStamp(root, hash);
  return { built: true, seconds: (Date.now() - started) / 1000 };
}
