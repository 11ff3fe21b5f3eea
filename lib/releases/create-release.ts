import { actorOf, recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { notifyRelease } from "@/lib/notifications/slack";
import { parseImageReference } from "@/lib/releases/image-reference";
import { can, forbiddenMessage } from "@/lib/rbac";
import type { CreateReleaseInput } from "@/lib/schemas/release";
import type { CurrentUser } from "@/lib/auth/current-user";

export function releaseSnapshot(r: {
  imageRef: string;
  imageDigest: string | null;
  strategy: string;
  changeSummary: string;
  links: unknown;
  revision: number;
  status: string;
}) {
  return {
    imageRef: r.imageRef,
    imageDigest: r.imageDigest,
    strategy: r.strategy,
    changeSummary: r.changeSummary,
    links: r.links,
    revision: r.revision,
    status: r.status,
  };
}

/** Creates a release at revision 1 with its own copy of the environment's checklist. */
export async function createRelease(user: CurrentUser, input: CreateReleaseInput) {
  if (!can(user, "release:create"))
    throw new AppError("FORBIDDEN", forbiddenMessage("release:create", "create a release"));
  const image = parseImageReference(input.imageRef);
  if (!image.ok) throw new AppError("INVALID", image.reason, { imageRef: [image.reason] });

  const release = await db.$transaction(async (tx) => {
    const service = await tx.service.findUnique({ where: { id: input.serviceId } });
    if (!service) throw new AppError("NOT_FOUND", "That service does not exist.", { serviceId: ["Unknown service."] });
    const environment = await tx.environment.findUnique({
      where: { id: input.environmentId },
      include: { checklistTemplate: { orderBy: { position: "asc" } } },
    });
    if (!environment)
      throw new AppError("NOT_FOUND", "That environment does not exist.", { environmentId: ["Unknown environment."] });
    const target = await tx.serviceTarget.findUnique({
      where: { serviceId_environmentId: { serviceId: service.id, environmentId: environment.id } },
    });
    if (!target) {
      const message = `${service.displayName} is not set up for ${environment.displayName}.`;
      throw new AppError("INVALID", message, { environmentId: [message] });
    }

    const release = await tx.release.create({
      data: {
        serviceId: service.id,
        environmentId: environment.id,
        imageRef: image.value.ref,
        imageRepository: image.value.repository,
        imageTag: image.value.tag ?? null,
        imageDigest: image.value.digest ?? null,
        strategy: input.strategy,
        changeSummary: input.changeSummary,
        links: input.links,
        createdById: user.id,
        revisions: {
          create: {
            revision: 1,
            imageRef: image.value.ref,
            imageDigest: image.value.digest ?? null,
            strategy: input.strategy,
            environmentId: environment.id,
            changeSummary: input.changeSummary,
            links: input.links,
            createdById: user.id,
          },
        },
        checklist: {
          create: environment.checklistTemplate.map((item) => ({
            label: item.label,
            required: item.required,
            evidenceRequired: item.evidenceRequired,
            position: item.position,
          })),
        },
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "release.create",
      targetType: "release",
      targetId: release.id,
      after: { ...releaseSnapshot(release), service: service.name, environment: environment.name },
    });
    return { ...release, requiresApproval: environment.requiresApproval };
  });
  if (release.requiresApproval) void notifyRelease(release.id, "awaiting");
  return release;
}
