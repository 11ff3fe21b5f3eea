import { spawn } from "node:child_process";
import path from "node:path";

export interface TsxProcess {
  pid: number;
  /** What the process printed on stdout up to when it was ready. */
  output: string;
  /** Whether it is still running. */
  alive(): boolean;
  /** How it ended, once it has: exit code or signal, and the last lines it wrote on stderr. */
  ended(): string | null;
  /** SIGKILL by default: no graceful stop, as when a node dies. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Runs a TypeScript file of this repository in a process of its own, under the same Node with
 * tsx as the loader (so `@/` imports work), and waits until its stdout matches `ready`. What it
 * writes on stderr after that is passed on, prefixed with `name`. Its stdin is a pipe that is
 * never written to: it closes when this process ends, however it ends, so the child can follow.
 */
export async function startTsxProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<TsxProcess> {
  // react-server: the condition Next's server code resolves with, so `import "server-only"` in
  // the db client and the gateways lets this server-side process load them.
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let stderrTail: string[] = [];
  let ending: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      ending = `${signal ? `killed by ${signal}` : `exit code ${code}`}${stderrTail.length ? `; its last words: ${stderrTail.join(" ⏎ ")}` : ""}`;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  child.stderr.removeAllListeners("data");
  child.stderr.on("data", (chunk: Buffer) => {
    process.stderr.write(`[${name}] ${chunk.toString()}`);
    stderrTail = [
      ...stderrTail,
      ...chunk
        .toString()
        .split("\n")
        .filter((l) => l.trim()),
    ].slice(-6);
  });
  // Keep reading stdout, or a chatty child blocks on a full pipe.
  child.stdout.removeAllListeners("data");
  child.stdout.resume();
  return {
    pid: child.pid!,
    output,
    alive: () => child.exitCode === null && child.signalCode === null,
    ended: () => ending,
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
