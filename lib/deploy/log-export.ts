import "server-only";
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import pg from "pg";
import Cursor from "pg-cursor";
import { LOG_CSV_HEADER, logCsvRecord, type LogFilter } from "@/lib/deploy/log";
import { logSql, toLogEntry, type LogRow } from "@/lib/deploy/log-queries";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

export interface ExportOptions {
  /** Rows read from PostgreSQL at a time. */
  batchSize?: number;
  /** Ends the export (and frees its connection) when the person goes away. */
  signal?: AbortSignal;
  /** Told the size of each batch read (tests check that the export reads in batches). */
  onBatch?: (rows: number) => void;
  connectionString?: string;
}

/**
 * The whole filtered log as CSV, read through a server-side cursor on a connection of its own (not
 * the pool's: an export of a million rows may take a while and must not hold a pooled connection
 * others wait for). At most one batch is in memory: the next is read only when csv-stringify and
 * the response have taken the previous one (Readable.from pulls on demand). The connection is
 * closed when the rows run out, on an error, or when the request is aborted.
 */
export async function exportLogCsv(
  filter: LogFilter,
  options: ExportOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const { batchSize = 1000, signal, onBatch } = options;
  const connectionString = options.connectionString ?? env().DATABASE_URL ?? process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set.");
  const client = new pg.Client({
    connectionString,
    application_name: "greenlight log export",
    connectionTimeoutMillis: 10_000,
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    client.end().catch(() => undefined);
  };
  // A connection lost mid-export (PostgreSQL restarted, the backend terminated) is emitted as an
  // 'error' event; unheard, Node would take the whole web server down with it. The download is
  // failed directly: a cursor read pending on a dead connection may never settle, so an error
  // routed through the generator would never arrive.
  let fail: (error: Error) => void = () => undefined;
  client.on("error", (error) => {
    log.warn({ err: error }, "deployment log export lost its database connection");
    end();
    fail(error);
  });
  // Connected before the response starts, so a database that is down is an error status, not a cut file.
  await client.connect();
  const sql = logSql(filter);

  async function* records(): AsyncGenerator<string[]> {
    const cursor = client.query(new Cursor<LogRow>(sql.text, sql.values));
    try {
      yield [...LOG_CSV_HEADER];
      for (;;) {
        const batch = await cursor.read(batchSize);
        if (batch.length) onBatch?.(batch.length);
        for (const row of batch) yield logCsvRecord(toLogEntry(row));
        if (batch.length < batchSize) break;
      }
    } finally {
      await cursor.close().catch(() => undefined);
      end();
    }
  }

  const stream = Readable.from(records(), { objectMode: true, highWaterMark: batchSize });
  // A download cancelled before the first read destroys a generator that never started, so its
  // `finally` never runs: the connection is ended here as well.
  stream.once("close", end);
  const csv = stringify({ eof: true });
  stream.on("error", (error) => {
    log.error({ err: error }, "deployment log export failed");
    csv.destroy(error);
  });
  stream.pipe(csv);
  fail = (error) => {
    csv.destroy(error);
    stream.destroy();
  };
  const stop = () => {
    stream.destroy();
    csv.destroy();
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  csv.on("close", () => {
    signal?.removeEventListener("abort", stop);
    // A reader that went away (the web stream cancelled) ends the query too.
    if (!stream.destroyed) stream.destroy();
  });
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}
