import { db } from "@/lib/db";
import { formatDueTime } from "@/lib/follow-ups/due";
import { followUpsOverdueMessage, notifySlack } from "@/lib/notifications/slack";

interface ClaimedRow {
  id: string;
  label: string;
  due_at: Date;
  release_id: string;
  number: number;
  service: string;
  environment: string;
  time_zone: string;
}

/**
 * Sends Slack one message per release for the follow-ups that fell overdue since the last sweep.
 * Once per item, whatever the number of workers: the statement that marks an item is the claim,
 * and only the worker whose update returned the row sends it. Marked even without a webhook, so
 * configuring Slack later does not flood the channel with old items.
 */
export async function notifyOverdueFollowUps(now = new Date()): Promise<number> {
  const claimed = await db.$queryRaw<ClaimedRow[]>`
    with claimed as (
      update follow_up_items
         set overdue_notified_at = now()
       where due_at <= ${now} and checked_at is null and closed_at is null and overdue_notified_at is null
      returning id, label, due_at, release_id, position)
    select c.id, c.label, c.due_at, c.release_id, r.number, s.display_name as service,
           e.display_name as environment, e.follow_up_time_zone as time_zone
      from claimed c
      join releases r on r.id = c.release_id
      join services s on s.id = r.service_id
      join environments e on e.id = r.environment_id
     order by r.number, c.due_at, c.position`;
  const byRelease = new Map<string, ClaimedRow[]>();
  for (const row of claimed) byRelease.set(row.release_id, [...(byRelease.get(row.release_id) ?? []), row]);
  for (const [releaseId, rows] of byRelease) {
    const first = rows[0];
    await notifySlack(
      followUpsOverdueMessage(
        {
          id: releaseId,
          number: first.number,
          service: { displayName: first.service },
          environment: { displayName: first.environment },
        },
        rows.map((r) => ({ label: r.label, dueAt: formatDueTime(r.due_at, r.time_zone) })),
        process.env.APP_URL,
      ),
      { releaseId, event: "follow-ups-overdue" },
    );
  }
  return claimed.length;
}
