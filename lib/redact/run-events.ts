import { can, type HasRoles } from "@/lib/rbac";
import { redactSecrets, redactString } from "@/lib/redact/secrets";

/**
 * Who may read a run's raw step bodies (the patches sent, the cluster's answers, pod templates):
 * the people who can act on a run, the ones who need them to judge a deploy or a rollback —
 * release managers and admins (release:deploy), on-call engineers (service:rollback,
 * run:control). Viewers and the approver roles (CTO, leads, head of support) read the step
 * summaries: what happened, not what was sent.
 */
export function mayReadStepBodies(person: HasRoles | null | undefined): boolean {
  return can(person, "release:deploy") || can(person, "service:rollback") || can(person, "run:control");
}

interface BodiedEvent {
  message?: string;
  request?: unknown;
  response?: unknown;
}

/**
 * A run's events as `person` may see them: bodies redacted (events written before redaction
 * existed are stored in clear), or left out entirely for those who only read summaries.
 */
export function eventsFor<E extends BodiedEvent>(
  person: HasRoles | null | undefined,
  events: readonly E[],
): (Omit<E, "request" | "response"> & { request?: E["request"]; response?: E["response"] })[] {
  const bodies = mayReadStepBodies(person);
  return events.map(({ request, response, ...rest }) => {
    // Messages are shown to everyone; events stored before redaction may quote a credential.
    const shown = rest.message === undefined ? rest : { ...rest, message: redactString(rest.message) };
    return bodies ? { ...shown, request: redactSecrets(request), response: redactSecrets(response) } : shown;
  });
}
