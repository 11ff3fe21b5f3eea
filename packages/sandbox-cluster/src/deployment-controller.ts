/**
 * The Deployment controller, transcribed from k8s.io/kubernetes/pkg/controller/deployment
 * (sync.go, rolling.go, recreate.go, progress.go) for the parts clients can observe: one
 * ReplicaSet per pod template, revisions, rolling and recreate rollouts, proportional
 * scaling, history cleanup, status and the Available/Progressing conditions.
 */
import { now, type ApiCore } from "./api";
import {
  computeTemplateHash,
  controllerRef,
  copyableAnnotation,
  DESIRED_REPLICAS_ANNOTATION,
  getCondition,
  isControlledBy,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  revisionOf,
  scaledValue,
  setCondition,
  templatesEqualIgnoringHash,
} from "./controller-utils";
import { typeByKind } from "./resources";
import { ApiError } from "./status";
import {
  clone,
  type Condition,
  type Deployment,
  type DeploymentStatus,
  type KubeObject,
  type ObjectBase,
  type Pod,
  type ReplicaSet,
} from "./types";

const DEPLOYMENTS = typeByKind("Deployment");
const REPLICA_SETS = typeByKind("ReplicaSet");
const PODS = typeByKind("Pod");
const MAX_INT32 = 2147483647;
const MAX_REV_HISTORY_LENGTH = 2000;

const replicasOf = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;
const byCreation = (a: ObjectBase, b: ObjectBase): number =>
  a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
  a.metadata.name.localeCompare(b.metadata.name);

function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down, and they are never both zero. */
function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const replicas = d.spec.replicas ?? 1;
  const surge = scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge, replicas, true);
  let unavailable = scaledValue(d.spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

function hasProgressDeadline(d: Deployment): boolean {
  const seconds = d.spec.progressDeadlineSeconds;
  return seconds !== undefined && seconds !== MAX_INT32;
}

function condition(type: string, status: Condition["status"], reason: string, message: string): Condition {
  const at = now();
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** Kubernetes omits zero-valued status counters (omitempty). */
function compactStatus(status: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [key, value] of Object.entries(status) as [
    keyof DeploymentStatus,
    DeploymentStatus[keyof DeploymentStatus],
  ][]) {
    if (value === undefined || value === 0) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = d.spec.replicas ?? 1;
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

export class DeploymentController {
  constructor(private readonly api: ApiCore) {}

  syncAll(): void {
    for (const d of this.api.list(DEPLOYMENTS) as Deployment[]) {
      try {
        this.sync(d);
      } catch (error) {
        // A failed step is retried on the next tick, as the workqueue would.
        if (!(error instanceof ApiError)) throw error;
      }
    }
  }

  private replicaSetsOf(d: Deployment): ReplicaSet[] {
    return (this.api.list(REPLICA_SETS, d.metadata.namespace) as ReplicaSet[])
      .filter((rs) => isControlledBy(rs, d))
      .sort(byCreation);
  }

  /** syncDeployment: one reconcile step; the controller manager calls it again on every change. */
  sync(d: Deployment): void {
    if (d.metadata.deletionTimestamp) return;
    const rsList = this.replicaSetsOf(d);
    // Bring revisions up to date first; every step below works on the deployment as written.
    const state = this.newAndOld(d, rsList, false);
    if (state.d.spec.paused || this.isScalingEvent(state.d, state.newRS, state.oldRSs)) {
      this.syncScaling(state.d, this.replicaSetsOf(d));
      return;
    }
    if (state.d.spec.strategy?.type === "Recreate") this.rolloutRecreate(state.d, this.replicaSetsOf(d));
    else this.rolloutRolling(state.d, this.replicaSetsOf(d));
  }

  // --- ReplicaSets and revisions -------------------------------------------------------

  /** getAllReplicaSetsAndSyncRevision: finds (or creates) the new RS and brings revisions up to date. */
  private newAndOld(
    d: Deployment,
    rsList: ReplicaSet[],
    createIfMissing: boolean,
  ): { d: Deployment; newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
    const newRS = rsList.find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template));
    const oldRSs = rsList.filter((rs) => rs !== newRS);
    const maxOldRevision = Math.max(0, ...oldRSs.map(revisionOf));
    const newRevision = maxOldRevision + 1;

    if (newRS) {
      let rs = clone(newRS);
      const annotationsChanged = this.setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        rs.spec.minReadySeconds = d.spec.minReadySeconds;
        rs = this.api.replace(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name, rs) as ReplicaSet;
      }
      const next = clone(d);
      let needsUpdate = this.setDeploymentRevision(next, rs.metadata.annotations?.[REVISION_ANNOTATION] ?? "");
      const progressing = getCondition(next.status?.conditions, "Progressing");
      if (hasProgressDeadline(next) && !progressing) {
        next.status = {
          ...(next.status ?? {}),
          conditions: setCondition(
            next.status?.conditions ?? [],
            condition("Progressing", "True", "FoundNewReplicaSet", `Found new replica set "${rs.metadata.name}"`),
          ),
        };
        needsUpdate = true;
      }
      const written = needsUpdate ? (this.api.controllerWrite(DEPLOYMENTS, next) as Deployment) : d;
      return { d: written, newRS: rs, oldRSs };
    }
    if (!createIfMissing) return { d, oldRSs };

    const collisionCount = d.status?.collisionCount ?? 0;
    const hash = computeTemplateHash(d.spec.template, collisionCount);
    const template = clone(d.spec.template ?? {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
    };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [controllerRef(DEPLOYMENTS, d)],
      } as KubeObject["metadata"],
      spec: {
        replicas: 0,
        minReadySeconds: d.spec.minReadySeconds,
        selector: {
          ...(d.spec.selector ?? {}),
          matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash },
        },
        template,
      },
    };
    if (rs.spec.minReadySeconds === undefined) delete rs.spec.minReadySeconds;
    rs.spec.replicas = this.newReplicaCount(d, rsList, undefined);
    this.setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    try {
      created = this.api.create(REPLICA_SETS, d.metadata.namespace, rs) as ReplicaSet;
    } catch (error) {
      if (error instanceof ApiError && error.reason === "AlreadyExists") {
        // A hash collision with a ReplicaSet we do not own, or with another template: bump
        // collisionCount so the next sync computes a different name.
        const next = clone(d);
        next.status = { ...(next.status ?? {}), collisionCount: collisionCount + 1 };
        this.api.controllerWrite(DEPLOYMENTS, next);
        return { d, oldRSs };
      }
      throw error;
    }
    const next = clone(d);
    if (hasProgressDeadline(next)) {
      next.status = {
        ...(next.status ?? {}),
        conditions: setCondition(
          next.status?.conditions ?? [],
          condition(
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            `Created new replica set "${created.metadata.name}"`,
          ),
        ),
      };
    }
    this.setDeploymentRevision(next, String(newRevision));
    const written = this.api.controllerWrite(DEPLOYMENTS, next) as Deployment;
    return { d: written, newRS: created, oldRSs };
  }

  private setDeploymentRevision(d: Deployment, revision: string): boolean {
    const annotations = (d.metadata.annotations ??= {});
    if (annotations[REVISION_ANNOTATION] === revision) return false;
    annotations[REVISION_ANNOTATION] = revision;
    return true;
  }

  /** setNewReplicaSetAnnotations of deployment/util. */
  private setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
    const annotations = (rs.metadata.annotations ??= {});
    let changed = false;
    for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
      if (!copyableAnnotation(key) || annotations[key] === value) continue;
      annotations[key] = value;
      changed = true;
    }
    const oldRevisionText = annotations[REVISION_ANNOTATION];
    const oldRevision = Number.parseInt(oldRevisionText ?? "0", 10) || 0;
    if (oldRevision < newRevision) {
      annotations[REVISION_ANNOTATION] = String(newRevision);
      changed = true;
      // An RS that already had a revision and gets a newer one is a rollback target coming back.
      if (oldRevisionText !== undefined) {
        const history = annotations[REVISION_HISTORY_ANNOTATION];
        const revisions = history ? history.split(",") : [];
        revisions.push(oldRevisionText);
        while (revisions.join(",").length > MAX_REV_HISTORY_LENGTH) revisions.shift();
        annotations[REVISION_HISTORY_ANNOTATION] = revisions.join(",");
      }
    }
    if (!exists)
      changed = this.setReplicasAnnotations(rs, d.spec.replicas ?? 1, (d.spec.replicas ?? 1) + maxSurge(d)) || changed;
    return changed;
  }

  private setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
    const annotations = (rs.metadata.annotations ??= {});
    if (
      annotations[DESIRED_REPLICAS_ANNOTATION] === String(desired) &&
      annotations[MAX_REPLICAS_ANNOTATION] === String(max)
    )
      return false;
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    return true;
  }

  /** NewRSNewReplicas. */
  private newReplicaCount(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): number {
    const replicas = d.spec.replicas ?? 1;
    if (!isRollingUpdate(d)) return replicas;
    const currentPodCount = allRSs.reduce((sum, rs) => sum + replicasOf(rs), 0);
    const maxTotalPods = replicas + maxSurge(d);
    if (currentPodCount >= maxTotalPods) return replicasOf(newRS);
    const scaleUpCount = Math.min(maxTotalPods - currentPodCount, replicas - replicasOf(newRS));
    return replicasOf(newRS) + scaleUpCount;
  }

  /** scaleReplicaSet: size and the desired/max annotations in one update. Returns the RS after. */
  private scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment): ReplicaSet {
    const next = clone(rs);
    const sizeChanged = replicasOf(rs) !== size;
    const annotationsChanged = this.setReplicasAnnotations(
      next,
      d.spec.replicas ?? 1,
      (d.spec.replicas ?? 1) + maxSurge(d),
    );
    if (!sizeChanged && !annotationsChanged) return rs;
    next.spec.replicas = size;
    return this.api.replace(REPLICA_SETS, next.metadata.namespace, next.metadata.name, next) as ReplicaSet;
  }

  // --- Scaling (sync.go) --------------------------------------------------------------

  private isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    const active = [newRS, ...oldRSs].filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);
    return active.some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      return desired !== undefined && desired !== String(d.spec.replicas ?? 1);
    });
  }

  private syncScaling(initial: Deployment, rsList: ReplicaSet[]): void {
    const { d, newRS, oldRSs } = this.newAndOld(initial, rsList, false);
    const { newRS: scaledNew, oldRSs: scaledOld } = this.scale(d, newRS, oldRSs);
    const allRSs = [...scaledOld, ...(scaledNew ? [scaledNew] : [])];
    if (deploymentComplete(d, d.status ?? {}) && !d.spec.paused) this.cleanup(d, scaledOld);
    this.writeStatus(d, this.calculateStatus(allRSs, scaledNew, d));
  }

  private scale(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
  ): { newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
    const replicas = d.spec.replicas ?? 1;
    const active = [newRS, ...oldRSs].filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);
    const replace = (rs: ReplicaSet, updated: ReplicaSet) => {
      if (newRS && rs.metadata.uid === newRS.metadata.uid) newRS = updated;
      oldRSs = oldRSs.map((o) => (o.metadata.uid === rs.metadata.uid ? updated : o));
    };
    // FindActiveOrLatest: one active RS (or none: the newest) takes the whole count.
    const activeOrLatest =
      active.length === 1
        ? active[0]
        : active.length === 0
          ? (newRS ?? [...oldRSs].sort(byCreation).at(-1))
          : undefined;
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== replicas)
        replace(activeOrLatest, this.scaleReplicaSet(activeOrLatest, replicas, d));
      return { newRS, oldRSs };
    }
    // The new RS is saturated: old ones go to zero.
    if (newRS && replicasOf(newRS) === replicas && (newRS.status?.availableReplicas ?? 0) === replicas) {
      for (const rs of oldRSs) if (replicasOf(rs) > 0) replace(rs, this.scaleReplicaSet(rs, 0, d));
      return { newRS, oldRSs };
    }
    if (!isRollingUpdate(d)) return { newRS, oldRSs };
    // Proportional scaling: spread the change over active RSes by their share of max-replicas.
    const allowedSize = replicas + maxSurge(d);
    const current = active.reduce((sum, rs) => sum + replicasOf(rs), 0);
    const toAdd = allowedSize - current;
    if (toAdd === 0) return { newRS, oldRSs };
    const ordered = [...active].sort((a, b) =>
      toAdd > 0 ? replicasOf(b) - replicasOf(a) || byCreation(b, a) : replicasOf(b) - replicasOf(a) || byCreation(a, b),
    );
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of ordered) {
      const proportion = this.proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.uid, replicasOf(rs) + proportion);
      added += proportion;
    }
    for (const [index, rs] of ordered.entries()) {
      let size = sizes.get(rs.metadata.uid) ?? replicasOf(rs);
      if (index === 0 && toAdd !== added) size = Math.max(0, size + toAdd - added);
      replace(rs, this.scaleReplicaSet(rs, size, d));
    }
    return { newRS, oldRSs };
  }

  private proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
    if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    const replicas = d.spec.replicas ?? 1;
    let fraction: number;
    if (replicas === 0) fraction = -replicasOf(rs);
    else {
      const deploymentReplicas = replicas + maxSurge(d);
      const annotated = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] ?? "", 10);
      const base = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0) || 1;
      fraction = Math.round((replicasOf(rs) * deploymentReplicas) / base) - replicasOf(rs);
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  // --- Rollouts -----------------------------------------------------------------------

  private rolloutRolling(initial: Deployment, rsList: ReplicaSet[]): void {
    const state = this.newAndOld(initial, rsList, true);
    const d = state.d;
    let newRS = state.newRS;
    let oldRSs = state.oldRSs;
    if (!newRS) return;
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])];

    // reconcileNewReplicaSet
    const replicas = d.spec.replicas ?? 1;
    if (replicasOf(newRS) !== replicas) {
      const target = replicasOf(newRS) > replicas ? replicas : this.newReplicaCount(d, all(), newRS);
      const scaled = this.scaleReplicaSet(newRS, target, d);
      if (replicasOf(scaled) !== replicasOf(newRS)) {
        newRS = scaled;
        this.syncRolloutStatus(d, all(), newRS);
        return;
      }
      newRS = scaled;
    }

    // reconcileOldReplicaSets
    const oldPodsCount = oldRSs.reduce((sum, rs) => sum + replicasOf(rs), 0);
    if (oldPodsCount > 0) {
      const allPodsCount = all().reduce((sum, rs) => sum + replicasOf(rs), 0);
      const minAvailable = replicas - maxUnavailable(d);
      const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
      const maxScaledDown = allPodsCount - minAvailable - newUnavailable;
      if (maxScaledDown > 0) {
        let scaledDown = 0;
        // cleanupUnhealthyReplicas: unavailable old pods go first, they serve nobody.
        oldRSs = [...oldRSs].sort(byCreation);
        for (const [i, rs] of oldRSs.entries()) {
          if (scaledDown >= maxScaledDown) break;
          const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
          if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
          const count = Math.min(maxScaledDown - scaledDown, unhealthy);
          oldRSs[i] = this.scaleReplicaSet(rs, replicasOf(rs) - count, d);
          scaledDown += count;
        }
        // scaleDownOldReplicaSetsForRollingUpdate: keep at least minAvailable available.
        const available = all().reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0);
        if (available > minAvailable) {
          const total = available - minAvailable;
          let done = 0;
          for (const [i, rs] of oldRSs.entries()) {
            if (done >= total) break;
            if (replicasOf(rs) === 0) continue;
            const count = Math.min(replicasOf(rs), total - done);
            oldRSs[i] = this.scaleReplicaSet(rs, replicasOf(rs) - count, d);
            done += count;
          }
          scaledDown += done;
        }
        if (scaledDown > 0) {
          this.syncRolloutStatus(d, all(), newRS);
          return;
        }
      }
    }
    if (deploymentComplete(d, d.status ?? {})) this.cleanup(d, oldRSs);
    this.syncRolloutStatus(d, all(), newRS);
  }

  private rolloutRecreate(initial: Deployment, rsList: ReplicaSet[]): void {
    let state = this.newAndOld(initial, rsList, false);
    let oldRSs = state.oldRSs;
    let scaledDown = false;
    oldRSs = oldRSs.map((rs) => {
      if (replicasOf(rs) === 0) return rs;
      scaledDown = true;
      return this.scaleReplicaSet(rs, 0, state.d);
    });
    const all = () => [...oldRSs, ...(state.newRS ? [state.newRS] : [])];
    if (scaledDown) {
      this.syncRolloutStatus(state.d, all(), state.newRS);
      return;
    }
    // Wait until every old pod is gone before starting new ones: that is the point of Recreate.
    const pods = this.api.listAs<Pod>(PODS, state.d.metadata.namespace);
    const oldRunning = pods.some(
      (pod) =>
        oldRSs.some((rs) => isControlledBy(pod, rs)) && !["Failed", "Succeeded"].includes(pod.status?.phase ?? ""),
    );
    if (oldRunning) {
      this.syncRolloutStatus(state.d, all(), state.newRS);
      return;
    }
    if (!state.newRS) {
      state = this.newAndOld(state.d, this.replicaSetsOf(state.d), true);
      oldRSs = state.oldRSs;
    }
    if (state.newRS) state.newRS = this.scaleReplicaSet(state.newRS, state.d.spec.replicas ?? 1, state.d);
    if (deploymentComplete(state.d, state.d.status ?? {})) this.cleanup(state.d, oldRSs);
    this.syncRolloutStatus(state.d, all(), state.newRS);
  }

  /** cleanupDeployment: keep revisionHistoryLimit old ReplicaSets, delete the oldest empty ones. */
  private cleanup(d: Deployment, oldRSs: ReplicaSet[]): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of byRevision.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.api.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name);
    }
  }

  // --- Status (sync.go calculateStatus, progress.go syncRolloutStatus) -----------------

  private calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
    const available = allRSs.reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0);
    const total = allRSs.reduce((sum, rs) => sum + replicasOf(rs), 0);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: allRSs.reduce((sum, rs) => sum + (rs.status?.replicas ?? 0), 0),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: allRSs.reduce((sum, rs) => sum + (rs.status?.readyReplicas ?? 0), 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions: clone(d.status?.conditions ?? []),
      collisionCount: d.status?.collisionCount,
    };
    const minimum = available >= (d.spec.replicas ?? 1) - maxUnavailable(d);
    status.conditions = setCondition(
      status.conditions ?? [],
      minimum
        ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        : condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
          ),
    );
    return status;
  }

  private syncRolloutStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): void {
    const status = this.calculateStatus(allRSs, newRS, d);
    let conditions = status.conditions ?? [];
    if (!hasProgressDeadline(d)) conditions = conditions.filter((c) => c.type !== "Progressing");
    const current = getCondition(d.status?.conditions, "Progressing");
    const complete = status.replicas === status.updatedReplicas && current?.reason === "NewReplicaSetAvailable";
    if (hasProgressDeadline(d) && !complete) {
      const rsName = newRS?.metadata.name;
      if (deploymentComplete(d, status)) {
        const message = rsName
          ? `ReplicaSet "${rsName}" has successfully progressed.`
          : `Deployment "${d.metadata.name}" has successfully progressed.`;
        conditions = setCondition(conditions, condition("Progressing", "True", "NewReplicaSetAvailable", message));
      } else if (this.progressing(d, status)) {
        const message = rsName
          ? `ReplicaSet "${rsName}" is progressing.`
          : `Deployment "${d.metadata.name}" is progressing.`;
        const next = condition("Progressing", "True", "ReplicaSetUpdated", message);
        // Progress refreshes lastUpdateTime even when the reason is unchanged: that is what
        // the progress deadline is measured from.
        if (current?.status === "True") next.lastTransitionTime = current.lastTransitionTime;
        conditions = [...conditions.filter((c) => c.type !== "Progressing"), next];
      } else if (this.timedOut(d, conditions)) {
        const message = rsName
          ? `ReplicaSet "${rsName}" has timed out progressing.`
          : `Deployment "${d.metadata.name}" has timed out progressing.`;
        conditions = setCondition(conditions, condition("Progressing", "False", "ProgressDeadlineExceeded", message));
      }
    }
    status.conditions = conditions;
    this.writeStatus(d, status);
  }

  private progressing(d: Deployment, next: DeploymentStatus): boolean {
    const old = d.status ?? {};
    const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
    const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
    return (
      (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      newOld < oldOld ||
      (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
      (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    );
  }

  private timedOut(d: Deployment, conditions: Condition[]): boolean {
    const progressing = getCondition(conditions, "Progressing");
    if (!progressing || progressing.reason === "NewReplicaSetAvailable") return false;
    if (progressing.reason === "ProgressDeadlineExceeded") return true;
    const from = Date.parse(progressing.lastUpdateTime ?? "");
    return Number.isFinite(from) && from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 < Date.now();
  }

  private writeStatus(d: Deployment, status: DeploymentStatus): void {
    const fresh = this.api.find(DEPLOYMENTS, d.metadata.namespace, d.metadata.name) as Deployment | undefined;
    if (!fresh || fresh.metadata.uid !== d.metadata.uid) return;
    // The status describes the spec we synced; a newer generation gets its own sync.
    if ((fresh.metadata.generation ?? 0) !== (d.metadata.generation ?? 0)) return;
    fresh.status = compactStatus(status);
    fresh.metadata.annotations = d.metadata.annotations;
    this.api.controllerWrite(DEPLOYMENTS, fresh);
  }
}
