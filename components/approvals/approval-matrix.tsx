"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { signReleaseAction, withdrawSignOffAction } from "@/lib/actions/approvals/sign";
import type { ApproverRole } from "@/lib/roles";
import { signSchema } from "@/lib/schemas/approvals";

export interface MatrixRowView {
  role: ApproverRole;
  label: string;
  state: "waiting" | "approved" | "rejected" | "voided" | "expired" | "not required";
  by?: string;
  at?: string;
  comment?: string;
  note?: string;
  revision?: number;
  approvalId?: string;
  /** The signed-in person gave this sign-off (and may withdraw it). */
  mine?: boolean;
}

const TONE = {
  waiting: "neutral",
  approved: "success",
  rejected: "danger",
  voided: "warning",
  expired: "warning",
  "not required": "neutral",
} as const;

interface Props {
  releaseId: string;
  revision: number;
  rows: MatrixRowView[];
  /** Roles the signed-in person may sign for on this revision (empty for viewers). */
  signable: ApproverRole[];
  /** A finished release: its sign-offs are history, nothing can be withdrawn. */
  readOnly?: boolean;
}

export function ApprovalMatrix({ releaseId, revision, rows, signable, readOnly = false }: Props) {
  const sign = useAction(signReleaseAction, { schema: signSchema });
  const withdraw = useAction(withdrawSignOffAction);
  const [rejecting, setRejecting] = useState<ApproverRole | null>(null);
  const [comment, setComment] = useState("");
  const commentError = sign.fieldErrors.comment;

  return (
    <table className="w-full text-left text-sm" aria-label="Approvals">
      <thead>
        <tr className="text-xs uppercase tracking-wide text-muted-foreground">
          <th className="py-2 pr-2 font-medium">Role</th>
          <th className="py-2 pr-2 font-medium">State</th>
          <th className="py-2 font-medium">Sign-off</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.role} className="border-t border-border align-top" data-testid={`approval-${row.role}`}>
            <td className="py-2 pr-2 font-medium">{row.label}</td>
            <td className="py-2 pr-2">
              <Badge tone={TONE[row.state]} data-testid="approval-state">
                {row.state}
              </Badge>
            </td>
            <td className="space-y-1 py-2">
              {row.by ? (
                <p>
                  {row.by}
                  {row.revision ? <span className="text-muted-foreground"> · rev {row.revision}</span> : null}
                  {row.at ? (
                    <span className="text-muted-foreground">
                      {" "}
                      · {new Date(row.at).toISOString().slice(0, 16).replace("T", " ")} UTC
                    </span>
                  ) : null}
                </p>
              ) : null}
              {row.comment ? <p className="whitespace-pre-wrap text-muted-foreground">“{row.comment}”</p> : null}
              {row.note ? <p className="text-xs text-muted-foreground">{row.note}</p> : null}
              {signable.includes(row.role) ? (
                rejecting === row.role ? (
                  <form
                    id={sign.formId}
                    className="flex flex-wrap gap-2"
                    onSubmit={(e) => {
                      e.preventDefault();
                      sign.execute(
                        { releaseId, revision, role: row.role, decision: "REJECTED", comment },
                        {
                          success: "Rejected.",
                          onSuccess: () => {
                            setRejecting(null);
                            setComment("");
                          },
                        },
                      );
                    }}
                  >
                    <Input
                      className="h-8 w-64"
                      aria-label={`Why reject as ${row.label}?`}
                      aria-invalid={commentError ? true : undefined}
                      aria-describedby={commentError ? `reject-${row.role}-error` : undefined}
                      placeholder="Why? (required)"
                      value={comment}
                      onChange={(e) => setComment(e.target.value)}
                      autoFocus
                      required
                    />
                    <Button
                      size="sm"
                      variant="destructive"
                      type="submit"
                      disabled={sign.pending || comment.trim().length === 0}
                    >
                      Reject
                    </Button>
                    <Button size="sm" variant="ghost" type="button" onClick={() => setRejecting(null)}>
                      Cancel
                    </Button>
                    {commentError ? (
                      <p id={`reject-${row.role}-error`} role="alert" className="w-full text-xs text-destructive">
                        {commentError.join(" ")}
                      </p>
                    ) : null}
                  </form>
                ) : (
                  <div className="flex gap-2">
                    <Button
                      size="sm"
                      disabled={sign.pending}
                      onClick={() =>
                        sign.execute(
                          { releaseId, revision, role: row.role, decision: "APPROVED", comment: "" },
                          { success: `Approved as ${row.label}.` },
                        )
                      }
                    >
                      Approve as {row.label}
                    </Button>
                    <Button
                      size="sm"
                      variant="secondary"
                      disabled={sign.pending}
                      onClick={() => setRejecting(row.role)}
                    >
                      Reject
                    </Button>
                  </div>
                )
              ) : null}
              {!readOnly && row.mine && row.approvalId && (row.state === "approved" || row.state === "rejected") ? (
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={withdraw.pending}
                  onClick={() =>
                    withdraw.execute({ releaseId, approvalId: row.approvalId! }, { success: "Sign-off withdrawn." })
                  }
                >
                  Withdraw my {row.state === "rejected" ? "rejection" : "approval"}
                </Button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
