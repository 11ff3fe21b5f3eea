/**
 * Replays the statements `BENCH_EXPLAIN=1 npm run bench:pages` logged (auto_explain, slower than
 * 5 ms) against the scale database with EXPLAIN (ANALYZE, BUFFERS), each distinct statement with
 * the parameters of its slowest run, best of three, so an index can be judged before and after:
 *   tsx --conditions=react-server scripts/lib/explain-replay.ts [filter]
 * Needs the scale database running (DATABASE_URL) or starts .data/scale's.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { SCALE_DATA_DIR, SCALE_PG_PORT } from "./scale-seed";

const filter = process.argv[2] ?? "";
const log = fs.readFileSync(path.join(SCALE_DATA_DIR, "explain.log"), "utf8");
const slowest = new Map<string, { ms: number; text: string; params: string[] }>();
for (const block of log.split(/\n(?=\S.*LOG: {2}duration:)/)) {
  const head =
    /duration: ([\d.]+) ms\s+plan:\s*\n\s*Query Text:([\s\S]*?)\n\s*(?:Query Parameters: (.*)\n)?\s*(?:[A-Z][A-Za-z ]+ {2}\(cost=)/.exec(
      block,
    );
  if (!head) continue;
  const text = head[2].replace(/\n\t/g, "\n").trim();
  if (!/\blimit\b|LIMIT|count|COUNT|distinct|with deploys|group by/.test(text)) continue;
  const params = head[3] ? [...head[3].matchAll(/\$\d+ = '((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'")) : [];
  const key = text.replace(/\s+/g, " ");
  const ms = Number(head[1]);
  if (!key.includes(filter)) continue;
  if ((slowest.get(key)?.ms ?? -1) < ms) slowest.set(key, { ms, text, params });
}

let database: EmbeddedDatabase | undefined;
let url = process.env.DATABASE_URL;
if (!url) {
  database = await startEmbeddedPostgres({
    dataDir: path.join(SCALE_DATA_DIR, "postgres"),
    port: SCALE_PG_PORT,
    database: "greenlight",
  });
  url = database.url;
}
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query(`load 'auto_explain'`).catch(() => {});
await client.query(`set auto_explain.log_min_duration = -1`).catch(() => {});
try {
  for (const [key, { text, params }] of slowest) {
    let best = Infinity;
    let plan: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await client.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${text}`, params);
      const lines = result.rows.map((r) => r["QUERY PLAN"]);
      const ms = Number(/Execution Time: ([\d.]+)/.exec(lines.at(-1) ?? "")?.[1]);
      if (ms < best) [best, plan] = [ms, lines];
    }
    process.stdout.write(`\n=== ${best.toFixed(1)} ms  ${key.slice(0, 160)}\n`);
    process.stdout.write(
      plan
        .filter((l) => /Scan|Sort|Join|Aggregate|Unique|Loop|Execution|Planning|Window/.test(l))
        .slice(0, Number(process.env.PLAN_LINES ?? 14))
        .join("\n") + "\n",
    );
  }
} finally {
  await client.end();
  await database?.stop();
}
