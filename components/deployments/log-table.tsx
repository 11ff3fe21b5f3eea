import Link from "next/link";
import { RunStatusBadge } from "@/components/deployments/run-status-badge";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { durationSeconds, formatDuration, type LogEntry } from "@/lib/deploy/log";
import { shortImage } from "@/lib/releases/image-reference";
import { ROLE_LABELS } from "@/lib/roles";
import { STRATEGY_LABELS } from "@/lib/schemas/release";

/** "2026-12-04 10:30:15 UTC": the log is a record, so exact times rather than "3 hours ago". */
export function utc(value: Date | null): string {
  return value ? `${value.toISOString().slice(0, 19).replace("T", " ")} UTC` : "—";
}

export function UtcTime({ value }: { value: Date | null }) {
  if (!value) return <span className="text-muted-foreground">—</span>;
  return (
    <time dateTime={value.toISOString()} className="whitespace-nowrap">
      {utc(value)}
    </time>
  );
}

function Versions({ entry }: { entry: LogEntry }) {
  return (
    <span className="font-mono text-xs">
      <span title={entry.fromImage ?? undefined}>{entry.fromImage ? shortImage(entry.fromImage) : "—"}</span>
      <span aria-label="to"> → </span>
      <span title={entry.toImage ?? undefined}>{entry.toImage ? shortImage(entry.toImage) : "—"}</span>
    </span>
  );
}

export function Approvers({ entry }: { entry: LogEntry }) {
  if (!entry.approvers.length) return <span className="text-muted-foreground">—</span>;
  return (
    <ul className="space-y-0.5">
      {entry.approvers.map((a) => (
        <li key={`${a.role}-${a.name}`}>
          {a.name}{" "}
          <span className="text-xs text-muted-foreground">
            ({ROLE_LABELS[a.role as keyof typeof ROLE_LABELS] ?? a.role})
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Requester({ entry }: { entry: LogEntry }) {
  return entry.requestedBy ? (
    <>{entry.requestedBy.name}</>
  ) : (
    <span className="text-muted-foreground">Greenlight (automatic)</span>
  );
}

/** The log's rows: one per run, and one per promote/abort a person asked of a run. */
export function LogTable({ entries }: { entries: LogEntry[] }) {
  return (
    <Table aria-label="Deployment log">
      <thead>
        <tr>
          <Th>Kind</Th>
          <Th>Service</Th>
          <Th>Versions</Th>
          <Th>Strategy</Th>
          <Th>Requested by</Th>
          <Th>Approved by</Th>
          <Th>Start / end</Th>
          <Th>Duration</Th>
          <Th>Outcome</Th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id} className="hover:bg-muted/50" data-testid="log-entry" data-kind={e.kind} data-run={e.runId}>
            <Td>
              <Link href={`/deployments/${e.runId}`} className="font-medium text-primary capitalize hover:underline">
                {e.kind}
              </Link>
              {e.source === "control" ? <p className="text-xs text-muted-foreground">of the run</p> : null}
              {e.dryRun ? (
                <Badge tone="neutral" className="ml-1">
                  dry run
                </Badge>
              ) : null}
            </Td>
            <Td className="whitespace-nowrap">
              {e.service.displayName} <span className="text-muted-foreground">→ {e.environment.displayName}</span>
              {e.release ? (
                <p className="text-xs">
                  <Link href={`/releases/${e.release.id}`} className="text-primary hover:underline">
                    R-{e.release.number}
                  </Link>
                  {e.release.revision ? <span className="text-muted-foreground"> rev {e.release.revision}</span> : null}
                </p>
              ) : null}
            </Td>
            <Td>
              <Versions entry={e} />
            </Td>
            <Td>{STRATEGY_LABELS[e.strategy]}</Td>
            <Td>
              <Requester entry={e} />
              <p className="text-xs text-muted-foreground">
                <UtcTime value={e.at} />
              </p>
            </Td>
            <Td>
              <Approvers entry={e} />
            </Td>
            <Td className="text-xs text-muted-foreground">
              <UtcTime value={e.startedAt} />
              <br />
              <UtcTime value={e.finishedAt} />
            </Td>
            <Td className="tabular-nums">{formatDuration(durationSeconds(e.startedAt, e.finishedAt))}</Td>
            <Td className="max-w-sm">
              <RunStatusBadge status={e.status} />
              {e.reason ? <p className="mt-1 text-xs">Reason: {e.reason}</p> : null}
              {e.outcome ? <p className="mt-1 text-xs text-muted-foreground">{e.outcome}</p> : null}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
