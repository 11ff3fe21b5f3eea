import Link from "next/link";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Table, Td, Th } from "@/components/ui/table";
import { humanize } from "@/lib/format/humanize";
import type { HistoryRelease } from "@/lib/history/queries";

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** Releases over time with who signed for each role and how each ended. */
export function ReleaseHistoryTable({ releases }: { releases: HistoryRelease[] }) {
  return (
    <Table data-testid="history-releases">
      <thead>
        <tr>
          <Th>Release</Th>
          <Th>Service</Th>
          <Th>Environment</Th>
          <Th>Image</Th>
          <Th>Created</Th>
          <Th>Signed by</Th>
          <Th>Outcome</Th>
        </tr>
      </thead>
      <tbody>
        {releases.map((r) => (
          <tr key={r.id}>
            <Td>
              <Link className="font-medium underline-offset-4 hover:underline" href={`/releases/${r.id}`}>
                R-{r.number}
              </Link>
            </Td>
            <Td>{r.service.displayName}</Td>
            <Td>{r.environment.displayName}</Td>
            <Td className="max-w-56 truncate font-mono text-xs" title={r.imageRef}>
              {r.imageRef.split("/").at(-1)}
              {r.commitSha ? <div className="text-muted-foreground">commit {r.commitSha.slice(0, 7)}</div> : null}
            </Td>
            <Td className="whitespace-nowrap text-xs">
              {utc(r.createdAt)}
              <div className="text-muted-foreground">by {r.createdBy.name}</div>
            </Td>
            <Td className="text-xs">
              {r.approvals.length === 0 ? (
                <span className="text-muted-foreground">no sign-offs</span>
              ) : (
                <ul className="space-y-0.5">
                  {r.approvals.map((a) => (
                    <li key={a.role}>
                      <span className="text-muted-foreground">{humanize(a.role)}:</span> {a.user.name}
                    </li>
                  ))}
                </ul>
              )}
            </Td>
            <Td className="whitespace-nowrap text-xs">
              <ReleaseStatusBadge status={r.status} />
              {r.deployedAt ? <div className="mt-1 text-muted-foreground">live {utc(r.deployedAt)}</div> : null}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
