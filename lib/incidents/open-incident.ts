import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Severity } from "@/lib/generated/prisma/client";
import { CAUSE_WINDOW_MINUTES, causeDeploy } from "@/lib/incidents/rules";
import { addTimelineEntry, linkRun } from "@/lib/incidents/timeline";
import { can, forbiddenMessage } from "@/lib/rbac";

export interface OpenIncidentInput {
  title: string;
  severity: Severity;
  summary: string;
  serviceId?: string | null;
  environmentId?: string | null;
  releaseId?: string | null;
  /** Link the service's deploy that finished within the last hour as the suspected cause. */
  linkLastDeploy?: boolean;
}

export function assertMayManage(person: CurrentUser, verb = "work on incidents"): void {
  if (!can(person, "incident:manage")) throw new AppError("FORBIDDEN", forbiddenMessage("incident:manage", verb));
}

/** A person declares an incident: it opens investigating, with a DETECT entry in their name. */
export async function openIncident(person: CurrentUser, input: OpenIncidentInput) {
  assertMayManage(person, "declare an incident");
  const serviceId = input.serviceId || null;
  const environmentId = input.environmentId || null;
  if (environmentId && !serviceId)
    throw new AppError("INVALID", "Choose the service too, or leave the environment empty.", {
      serviceId: ["Choose the service the environment belongs to."],
    });
  if (input.linkLastDeploy && (!serviceId || !environmentId))
    throw new AppError("INVALID", "Choose a service and an environment to link their last deploy.", {
      linkLastDeploy: ["Needs a service and an environment."],
    });
  return db.$transaction(async (tx) => {
    const service = serviceId
      ? await tx.service.findUnique({ where: { id: serviceId }, select: { displayName: true } })
      : null;
    const environment = environmentId
      ? await tx.environment.findUnique({ where: { id: environmentId }, select: { displayName: true } })
      : null;
    const release = input.releaseId
      ? await tx.release.findUnique({
          where: { id: input.releaseId },
          select: { id: true, number: true, serviceId: true, environmentId: true },
        })
      : null;
    if (serviceId && !service) throw new AppError("NOT_FOUND", "That service does not exist.");
    if (environmentId && !environment) throw new AppError("NOT_FOUND", "That environment does not exist.");
    if (input.releaseId && !release) throw new AppError("NOT_FOUND", "That release does not exist.");
    if (release && serviceId && release.serviceId !== serviceId)
      throw new AppError("INVALID", `Release R-${release.number} belongs to another service.`, {
        releaseId: ["Choose a release of the chosen service."],
      });
    const now = new Date();
    const cause =
      input.linkLastDeploy && serviceId && environmentId
        ? causeDeploy(
            await tx.deploymentRun.findMany({
              where: {
                serviceId,
                environmentId,
                kind: "DEPLOY",
                dryRun: false,
                finishedAt: { gte: new Date(now.getTime() - CAUSE_WINDOW_MINUTES * 60_000) },
              },
              orderBy: { finishedAt: "desc" },
              take: 5,
            }),
            now,
          )
        : null;
    if (input.linkLastDeploy && !cause)
      throw new AppError(
        "INVALID",
        `No deploy of that service to that environment finished in the last ${CAUSE_WINDOW_MINUTES} minutes; untick "link the last deploy".`,
        { linkLastDeploy: ["No deploy finished there in the last hour."] },
      );
    const incident = await tx.incident.create({
      data: {
        title: input.title,
        summary: input.summary,
        severity: input.severity,
        source: "MANUAL",
        serviceId,
        environmentId,
        releaseId: release?.id ?? cause?.releaseId ?? null,
        openedById: person.id,
        openedAt: now,
      },
    });
    const where = service ? ` on ${service.displayName}${environment ? ` in ${environment.displayName}` : ""}` : "";
    await addTimelineEntry(tx, {
      incidentId: incident.id,
      kind: "DETECT",
      message: `${person.name} declared a ${input.severity} incident${where}${input.summary ? `: ${input.summary}` : ""}`,
      actorId: person.id,
      data: { severity: input.severity },
      at: now,
    });
    if (cause) {
      await linkRun(tx, { incidentId: incident.id, runId: cause.id, relation: "cause", linkedById: person.id });
      await addTimelineEntry(tx, {
        incidentId: incident.id,
        kind: "LINK",
        message: `Linked the deploy of ${cause.toImage ?? "the last version"} (${cause.status.toLowerCase()}) as the suspected cause`,
        actorId: person.id,
        runId: cause.id,
        data: { relation: "cause" },
        at: now,
      });
    }
    await recordAudit(tx, actorOf(person), {
      action: "incident.open",
      targetType: "incident",
      targetId: incident.id,
      after: {
        number: incident.number,
        title: incident.title,
        severity: incident.severity,
        serviceId,
        environmentId,
        releaseId: incident.releaseId,
        causeRunId: cause?.id ?? null,
      },
    });
    return incident;
  });
}
