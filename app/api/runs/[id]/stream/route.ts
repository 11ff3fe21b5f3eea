import { z } from "zod";
import { getCurrentUser, loadUser } from "@/lib/auth/current-user";
import { runProgress, type RunProgress } from "@/lib/deploy/queries";
import { coalesce, runChanges } from "@/lib/deploy/live/run-stream";
import { isActiveRunStatus } from "@/lib/deploy/run-status";
import { can } from "@/lib/rbac";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().regex(/^[a-z0-9]{1,64}$/i) });

// Comments every 15 s keep proxies and load balancers from closing an idle stream (most cut at
// 30–60 s), and are when a revoked role is noticed.
const HEARTBEAT_MS = 15_000;
// How soon a browser reconnects after the stream broke (a restart of this server, say).
const RETRY_MS = 2000;

/** Nothing more will change on the page: final, and no verification window still running. */
function settled(run: RunProgress): boolean {
  return !isActiveRunStatus(run.status) && run.verification !== "VERIFYING";
}

/**
 * A run's progress as server-sent events: the current state at once, then a fresh one each time
 * PostgreSQL says the run changed (lib/deploy/live/run-stream.ts), until the run is settled or the
 * viewer leaves. Each message is exactly what GET /api/runs/[id] answers (step bodies by role, as
 * of the last heartbeat); that route stays as the page's fallback when the stream cannot be used.
 */
export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (!can(user, "dashboard:read"))
    return Response.json({ error: "You have no role in Greenlight yet." }, { status: 403 });
  const parsed = params.safeParse(await context.params);
  if (!parsed.success) return Response.json({ error: "Not a run id." }, { status: 400 });
  const id = parsed.data.id;

  // Subscribed before the first load, so a change between that load and the stream starting is
  // not lost: it is remembered and loaded once the stream is running.
  let missed = false;
  let onChange: () => void = () => void (missed = true);
  const unsubscribe = runChanges().subscribe(id, () => onChange());
  let first: RunProgress | null;
  try {
    first = await runProgress(id, user);
  } catch (error) {
    unsubscribe();
    throw error;
  }
  if (!first) {
    unsubscribe();
    return Response.json({ error: "No such run." }, { status: 404 });
  }
  const initial = first;
  let viewer = user;

  const encoder = new TextEncoder();
  let finish = () => unsubscribe();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          finish(); // the viewer went away between two checks
        }
      };
      const send = (run: RunProgress) => {
        write(`data: ${JSON.stringify(run)}\n\n`);
        if (settled(run)) finish();
      };
      const heartbeat = setInterval(() => {
        void loadUser(user.id).then(
          (current) => {
            if (!current || !can(current, "dashboard:read")) return finish();
            viewer = current; // a role taken away meanwhile also takes the step bodies away
            write(": heartbeat\n\n");
          },
          () => write(": heartbeat\n\n"), // the database is away; the role check waits for the next beat
        );
      }, HEARTBEAT_MS);
      finish = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        request.signal.removeEventListener("abort", finish);
        try {
          controller.close();
        } catch {
          // already closed by the viewer
        }
      };
      request.signal.addEventListener("abort", finish);

      // One load in flight per viewer; a burst of notifications meanwhile costs one more.
      onChange = coalesce(async () => {
        if (closed) return;
        const run = await runProgress(id, viewer);
        if (!run) finish();
        else send(run);
      });

      write(`retry: ${RETRY_MS}\n\n`);
      send(initial);
      if (missed) onChange();
      if (request.signal.aborted) finish();
    },
    cancel() {
      finish();
    },
  });

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform also keeps Next's gzip (and proxies') off the stream, which would buffer it.
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}
