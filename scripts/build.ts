/**
 * `next build`, as `npm start` makes it, unless the build is already current for these sources.
 * `npm test` runs it beside ESLint, which keeps one core busy on its own, so the end-to-end
 * step's `npm start` finds the build made instead of making it there.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { buildUnlessCurrent } from "@/lib/runtime/build-stamp";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const build = await buildUnlessCurrent(root, () =>
  spawn(process.execPath, [nextBin, "build"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "inherit", "inherit"],
  }),
);
process.stdout.write(build.built ? `[build] built in ${build.seconds.toFixed(1)} s\n` : "[build] already current\n");
