import type { z } from "zod";
import type { Permission } from "@/lib/rbac";
import { overrideSchema, signSchema, tickSchema, withdrawSchema } from "@/lib/schemas/approvals";
import {
  actionItemSchema,
  commanderSchema,
  completeActionItemSchema,
  incidentIdSchema,
  linkRunSchema,
  noteSchema,
  openIncidentSchema,
  postmortemSchema,
  resolveSchema,
  severitySchema,
  statusSchema,
} from "@/lib/schemas/incidents";
import { createApiTokenSchema, revokeApiTokenSchema } from "@/lib/schemas/api-tokens";
import { gateChangeDecisionSchema } from "@/lib/schemas/gate-changes";
import { roleChangeSchema } from "@/lib/schemas/people";
import { createReleaseSchema, updateReleaseSchema } from "@/lib/schemas/release";
import { canaryControlSchema, releaseIdSchema, rollbackSchema } from "@/lib/schemas/runs";
import {
  checklistItemSchema,
  environmentSettingsSchema,
  freezeWindowSchema,
  removeChecklistItemSchema,
  removeFreezeSchema,
} from "@/lib/schemas/settings";
import { serviceTargetSettingsSchema } from "@/lib/schemas/service-targets";
import { removeSmokeCheckSchema, smokeCheckSchema } from "@/lib/schemas/smoke-checks";
import {
  followUpTemplateItemSchema,
  followUpTimeZoneSchema,
  removeFollowUpTemplateItemSchema,
  tickFollowUpSchema,
} from "@/lib/schemas/follow-ups";

/**
 * Every server action, as the browser reaches it: the exported function of a "use server" module
 * under lib/actions, the name and permission its `authorizedAction` definition gives, and the
 * schema it parses. tests/integration/authorization-matrix.test.ts calls each one as every role
 * (and as a person with no role, and signed out) and expects exactly the roles of
 * PERMISSIONS[permission] to get past the permission check; tests/integration/bad-input.test.ts
 * sends each one malformed input. Both fail when an exported action is missing here, or when an
 * entry disagrees with the action's own definition, so a new action cannot ship untested.
 */
export interface RegisteredAction {
  /** The `authorizedAction` name: "release.create". */
  name: string;
  /** The module under the repository root, without extension: "lib/actions/releases/create-release". */
  module: string;
  /** The exported async function the browser calls. */
  exportName: string;
  permission: Permission;
  schema: z.ZodType;
}

const approvals = "lib/actions/approvals/sign";
const openIncident = "lib/actions/incidents/open-incident";
const postmortem = "lib/actions/incidents/postmortem";
const respond = "lib/actions/incidents/respond";
const people = "lib/actions/people/change-role";
const environments = "lib/actions/settings/environments";
const followUps = "lib/actions/settings/follow-ups";

export const ACTIONS: readonly RegisteredAction[] = [
  {
    name: "release.sign",
    module: approvals,
    exportName: "signReleaseAction",
    permission: "release:sign",
    schema: signSchema,
  },
  {
    name: "release.withdraw",
    module: approvals,
    exportName: "withdrawSignOffAction",
    permission: "release:sign",
    schema: withdrawSchema,
  },
  {
    name: "checklist.tick",
    module: approvals,
    exportName: "tickChecklistAction",
    permission: "checklist:tick",
    schema: tickSchema,
  },
  {
    name: "gate.override",
    module: approvals,
    exportName: "overrideGateAction",
    permission: "gate:override",
    schema: overrideSchema,
  },
  {
    name: "incident.open",
    module: openIncident,
    exportName: "openIncidentAction",
    permission: "incident:manage",
    schema: openIncidentSchema,
  },
  {
    name: "incident.postmortem",
    module: postmortem,
    exportName: "savePostmortemAction",
    permission: "incident:manage",
    schema: postmortemSchema,
  },
  {
    name: "incident.action_item.add",
    module: postmortem,
    exportName: "addActionItemAction",
    permission: "incident:manage",
    schema: actionItemSchema,
  },
  {
    name: "incident.action_item.done",
    module: postmortem,
    exportName: "completeActionItemAction",
    permission: "incident:manage",
    schema: completeActionItemSchema,
  },
  {
    name: "incident.acknowledge",
    module: respond,
    exportName: "acknowledgeIncidentAction",
    permission: "incident:manage",
    schema: incidentIdSchema,
  },
  {
    name: "incident.status",
    module: respond,
    exportName: "changeIncidentStatusAction",
    permission: "incident:manage",
    schema: statusSchema,
  },
  {
    name: "incident.severity",
    module: respond,
    exportName: "changeIncidentSeverityAction",
    permission: "incident:manage",
    schema: severitySchema,
  },
  {
    name: "incident.commander",
    module: respond,
    exportName: "setIncidentCommanderAction",
    permission: "incident:manage",
    schema: commanderSchema,
  },
  {
    name: "incident.note",
    module: respond,
    exportName: "addIncidentNoteAction",
    permission: "incident:manage",
    schema: noteSchema,
  },
  {
    name: "incident.link_run",
    module: respond,
    exportName: "linkIncidentRunAction",
    permission: "incident:manage",
    schema: linkRunSchema,
  },
  {
    name: "incident.resolve",
    module: respond,
    exportName: "resolveIncidentAction",
    permission: "incident:manage",
    schema: resolveSchema,
  },
  {
    name: "incident.reopen",
    module: respond,
    exportName: "reopenIncidentAction",
    permission: "incident:manage",
    schema: incidentIdSchema,
  },
  {
    name: "role.assign",
    module: people,
    exportName: "assignRoleAction",
    permission: "people:manage",
    schema: roleChangeSchema,
  },
  {
    name: "role.remove",
    module: people,
    exportName: "removeRoleAction",
    permission: "people:manage",
    schema: roleChangeSchema,
  },
  {
    name: "release.create",
    module: "lib/actions/releases/create-release",
    exportName: "createReleaseAction",
    permission: "release:create",
    schema: createReleaseSchema,
  },
  {
    name: "release.update",
    module: "lib/actions/releases/update-release",
    exportName: "updateReleaseAction",
    permission: "release:edit",
    schema: updateReleaseSchema,
  },
  {
    name: "release.deploy",
    module: "lib/actions/runs/deploy",
    exportName: "deployReleaseAction",
    permission: "release:deploy",
    schema: releaseIdSchema,
  },
  {
    name: "release.dry-run",
    module: "lib/actions/runs/deploy",
    exportName: "dryRunReleaseAction",
    permission: "release:deploy",
    schema: releaseIdSchema,
  },
  {
    name: "service.rollback",
    module: "lib/actions/runs/rollback",
    exportName: "rollbackServiceAction",
    permission: "service:rollback",
    schema: rollbackSchema,
  },
  {
    name: "run.promote",
    module: "lib/actions/runs/canary",
    exportName: "promoteCanaryAction",
    permission: "release:deploy",
    schema: canaryControlSchema,
  },
  {
    name: "run.abort",
    module: "lib/actions/runs/canary",
    exportName: "abortCanaryAction",
    permission: "run:control",
    schema: canaryControlSchema,
  },
  {
    name: "gate_change.confirm",
    module: "lib/actions/gate-changes",
    exportName: "confirmGateChangeAction",
    permission: "gate:confirm",
    schema: gateChangeDecisionSchema,
  },
  {
    name: "gate_change.decline",
    module: "lib/actions/gate-changes",
    exportName: "declineGateChangeAction",
    permission: "gate:confirm",
    schema: gateChangeDecisionSchema,
  },
  {
    name: "environment.update",
    module: environments,
    exportName: "updateEnvironmentAction",
    permission: "settings:manage",
    schema: environmentSettingsSchema,
  },
  {
    name: "checklist_template.add",
    module: environments,
    exportName: "addChecklistItemAction",
    permission: "settings:manage",
    schema: checklistItemSchema,
  },
  {
    name: "checklist_template.remove",
    module: environments,
    exportName: "removeChecklistItemAction",
    permission: "settings:manage",
    schema: removeChecklistItemSchema,
  },
  {
    name: "freeze.add",
    module: environments,
    exportName: "addFreezeWindowAction",
    permission: "settings:manage",
    schema: freezeWindowSchema,
  },
  {
    name: "freeze.remove",
    module: environments,
    exportName: "removeFreezeWindowAction",
    permission: "settings:manage",
    schema: removeFreezeSchema,
  },
  {
    name: "follow_up.tick",
    module: "lib/actions/follow-ups",
    exportName: "tickFollowUpAction",
    permission: "followup:tick",
    schema: tickFollowUpSchema,
  },
  {
    name: "follow_up_template.add",
    module: followUps,
    exportName: "addFollowUpTemplateItemAction",
    permission: "settings:manage",
    schema: followUpTemplateItemSchema,
  },
  {
    name: "follow_up_template.remove",
    module: followUps,
    exportName: "removeFollowUpTemplateItemAction",
    permission: "settings:manage",
    schema: removeFollowUpTemplateItemSchema,
  },
  {
    name: "follow_up_template.time_zone",
    module: followUps,
    exportName: "setFollowUpTimeZoneAction",
    permission: "settings:manage",
    schema: followUpTimeZoneSchema,
  },
  {
    name: "smoke_check.add",
    module: "lib/actions/settings/smoke-checks",
    exportName: "addSmokeCheckAction",
    permission: "settings:manage",
    schema: smokeCheckSchema,
  },
  {
    name: "smoke_check.remove",
    module: "lib/actions/settings/smoke-checks",
    exportName: "removeSmokeCheckAction",
    permission: "settings:manage",
    schema: removeSmokeCheckSchema,
  },
  {
    name: "service_target.update",
    module: "lib/actions/settings/service-targets",
    exportName: "updateServiceTargetAction",
    permission: "settings:manage",
    schema: serviceTargetSettingsSchema,
  },
  {
    name: "api_token.create",
    module: "lib/actions/api-tokens/tokens",
    exportName: "createApiTokenAction",
    permission: "dashboard:read",
    schema: createApiTokenSchema,
  },
  {
    name: "api_token.revoke",
    module: "lib/actions/api-tokens/tokens",
    exportName: "revokeApiTokenAction",
    permission: "dashboard:read",
    schema: revokeApiTokenSchema,
  },
];
