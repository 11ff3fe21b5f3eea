import "server-only";
import pg from "pg";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * Who is told when a run changes. PostgreSQL NOTIFYs `run_changed` with the run id whenever a
 * run's events or displayed columns change (migration 20261203100000_run_change_notify); each app
 * process LISTENs on ONE dedicated connection and fans the notifications out to in-process
 * subscribers by run id, so a hundred open tabs cost a Set entry each, not a connection each.
 *
 * Subscribers are told "this run may have changed", never what changed: they reload. That keeps
 * the promise simple enough to hold through outages: while the connection is down (or not up
 * yet) every subscriber is told once a second (polling, server-side), and once more when it is
 * back, since notifications sent meanwhile are lost.
 */

export const RUN_CHANGED_CHANNEL = "run_changed";
const BLIND_TICK_MS = 1000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
const PING_MS = 30_000;

export type RunChangeListener = () => void;

/** One LISTEN connection, as the hub sees it. */
export interface ListenConnection {
  close(): void;
}

export interface ListenHandlers {
  onNotify(runId: string): void;
  /** Called at most once, only after the connection was established. */
  onLost(error: Error): void;
}

export type Connect = (handlers: ListenHandlers) => Promise<ListenConnection>;

export class RunChangeHub {
  private readonly subscribers = new Map<string, Set<RunChangeListener>>();
  private connection: ListenConnection | null = null;
  private state: "idle" | "connecting" | "listening" | "backoff" = "idle";
  private closed = false;
  private attempt = 0;
  private blindTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly connect: Connect,
    private readonly timing = {
      blindTickMs: BLIND_TICK_MS,
      backoffMinMs: BACKOFF_MIN_MS,
      backoffMaxMs: BACKOFF_MAX_MS,
    },
  ) {}

  /** Whether notifications are flowing right now (false while connecting or reconnecting). */
  get listening(): boolean {
    return this.state === "listening";
  }

  /** Calls `listener` whenever run `runId` may have changed; returns the unsubscribe function. */
  subscribe(runId: string, listener: RunChangeListener): () => void {
    let set = this.subscribers.get(runId);
    if (!set) this.subscribers.set(runId, (set = new Set()));
    set.add(listener);
    if (this.closed) return () => {};
    if (this.state === "idle") void this.open();
    else if (!this.listening) this.startBlindTicks();
    return () => {
      const current = this.subscribers.get(runId);
      current?.delete(listener);
      if (current?.size === 0) this.subscribers.delete(runId);
      if (this.subscribers.size === 0) this.stopBlindTicks();
    };
  }

  /** Number of subscribed runs and listeners, for tests and diagnostics. */
  get size(): { runs: number; listeners: number } {
    let listeners = 0;
    for (const set of this.subscribers.values()) listeners += set.size;
    return { runs: this.subscribers.size, listeners };
  }

  /** Stops listening for good (tests; a server process simply exits). */
  close(): void {
    this.closed = true;
    this.stopBlindTicks();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.connection?.close();
    this.connection = null;
  }

  private async open(): Promise<void> {
    this.state = "connecting";
    this.startBlindTicks();
    try {
      const connection = await this.connect({
        onNotify: (runId) => this.tell(runId),
        onLost: (error) => this.lost(error),
      });
      if (this.closed) {
        connection.close();
        return;
      }
      this.connection = connection;
      this.state = "listening";
      if (this.attempt > 0) log.info({ attempts: this.attempt }, "run change notifications are back");
      this.attempt = 0;
      this.stopBlindTicks();
      // Whatever changed before LISTEN took effect was not notified: everyone reloads once.
      this.tellEveryone();
    } catch (error) {
      this.lost(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private lost(error: Error): void {
    if (this.closed) return;
    this.connection = null;
    this.state = "backoff";
    const delay =
      Math.min(this.timing.backoffMaxMs, this.timing.backoffMinMs * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    // Said once per outage, not once per attempt: a database down for an hour is one story.
    if (this.attempt === 0)
      log.warn(
        { err: error.message },
        "run change notifications interrupted; open run pages reload every second until they are back",
      );
    else
      log.debug(
        { err: error.message, attempt: this.attempt, retryInMs: Math.round(delay) },
        "run change notifications: reconnect failed",
      );
    this.attempt += 1;
    this.startBlindTicks();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === "backoff") void this.open();
    }, delay);
    this.retryTimer.unref?.();
  }

  private startBlindTicks(): void {
    if (this.blindTimer || this.subscribers.size === 0) return;
    this.blindTimer = setInterval(() => this.tellEveryone(), this.timing.blindTickMs);
    this.blindTimer.unref?.();
  }

  private stopBlindTicks(): void {
    if (this.blindTimer) clearInterval(this.blindTimer);
    this.blindTimer = null;
  }

  private tell(runId: string): void {
    const set = this.subscribers.get(runId);
    if (set) for (const listener of [...set]) safely(listener);
  }

  private tellEveryone(): void {
    for (const set of [...this.subscribers.values()]) for (const listener of [...set]) safely(listener);
  }
}

function safely(listener: RunChangeListener): void {
  try {
    listener();
  } catch (error) {
    log.error({ err: error }, "a run change subscriber threw");
  }
}

/** The real connection: a `pg` client of its own (never one of the Prisma pool's). */
export function pgListen(connectionString: string): Connect {
  return async ({ onNotify, onLost }) => {
    const client = new pg.Client({ connectionString, keepAlive: true, application_name: "greenlight run changes" });
    let established = false;
    let done = false;
    let ping: ReturnType<typeof setInterval> | undefined;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      if (ping) clearInterval(ping);
      client.end().catch(() => {});
      if (error && established) onLost(error);
    };
    client.on("error", (error) => finish(error));
    client.on("end", () => finish(new Error("the connection closed")));
    client.on("notification", (message) => {
      if (message.channel === RUN_CHANGED_CHANNEL && message.payload) onNotify(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${RUN_CHANGED_CHANNEL}`);
    } catch (error) {
      finish(null);
      throw error;
    }
    established = true;
    // A connection that died without a FIN (a NAT or a failover) only shows itself when used.
    ping = setInterval(() => {
      client
        .query("select 1")
        .catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
    }, PING_MS);
    ping.unref?.();
    return { close: () => finish(null) };
  };
}

const globalForHub = globalThis as unknown as { greenlightRunChanges?: RunChangeHub };

/** The process's hub, connected on first subscription. */
export function runChanges(): RunChangeHub {
  if (!globalForHub.greenlightRunChanges) {
    const connectionString = env().DATABASE_URL ?? process.env.DATABASE_URL;
    if (!connectionString)
      throw new Error(
        "DATABASE_URL is not set. Start the app with `npm start`, which provides an embedded PostgreSQL.",
      );
    globalForHub.greenlightRunChanges = new RunChangeHub(pgListen(connectionString));
  }
  return globalForHub.greenlightRunChanges;
}

/**
 * Wraps a reload so that at most one runs at a time: a call while one is in flight asks for
 * exactly one more after it (a burst of ten notifications costs two loads, and the last one
 * started after the last change).
 */
export function coalesce(work: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await work().catch((error: unknown) => log.warn({ err: error }, "a coalesced reload failed"));
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}
