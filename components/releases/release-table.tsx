import Link from "next/link";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import type { ReleaseStatus, Strategy } from "@/lib/generated/prisma/enums";
import { shortImage } from "@/lib/releases/image-reference";
import { STRATEGY_LABELS } from "@/lib/schemas/release";

export interface ReleaseTableRow {
  id: string;
  number: number;
  revision: number;
  imageRef: string;
  strategy: Strategy;
  status: ReleaseStatus;
  createdAt: Date;
  updatedAt: Date;
  deployedAt: Date | null;
  service: { displayName: string };
  environment: { displayName: string };
  createdBy: { name: string };
}

interface Props {
  releases: ReleaseTableRow[];
  showStrategy?: boolean;
  /** "created": when and by whom it was written; "finished": when it shipped (or ended). */
  time?: "created" | "finished";
}

/** The releases lists (Releases, Waiting for me, History) share this table. */
export function ReleaseTable({ releases, showStrategy = false, time = "created" }: Props) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Release</Th>
          <Th>Service</Th>
          <Th>Image</Th>
          {showStrategy ? <Th>Strategy</Th> : null}
          <Th>Status</Th>
          <Th>{time === "created" ? "Created" : "When"}</Th>
        </tr>
      </thead>
      <tbody>
        {releases.map((r) => (
          <tr key={r.id} className="hover:bg-muted/50">
            <Td>
              <Link href={`/releases/${r.id}`} className="font-medium text-primary hover:underline">
                R-{r.number}
              </Link>
              {r.revision > 1 ? <span className="ml-1 text-xs text-muted-foreground">rev {r.revision}</span> : null}
            </Td>
            <Td>
              {r.service.displayName} <span className="text-muted-foreground">→ {r.environment.displayName}</span>
            </Td>
            <Td className="font-mono text-xs" title={r.imageRef}>
              {shortImage(r.imageRef)}
            </Td>
            {showStrategy ? <Td>{STRATEGY_LABELS[r.strategy]}</Td> : null}
            <Td>
              <ReleaseStatusBadge status={r.status} />
            </Td>
            <Td className="text-muted-foreground">
              {time === "created" ? (
                <>
                  <Timestamp value={r.createdAt} /> by {r.createdBy.name}
                </>
              ) : (
                <Timestamp value={r.deployedAt ?? r.updatedAt} />
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
