/**
 * Canary replicas for a traffic share when the Service spreads requests evenly over the pods of
 * both Deployments: canary / (stable + canary) ≈ percent. Coarse with few replicas (one canary
 * pod beside three stable ones is 25 %), which is why an ingress-nginx canary weight is exact.
 */
export function canaryReplicasForShare(stableReplicas: number, percent: number): number {
  if (percent <= 0) return 0;
  if (percent >= 100) return Math.max(1, stableReplicas);
  return Math.max(1, Math.round((stableReplicas * percent) / (100 - percent)));
}

/** The share the replica ratio really gives, to tell people what they get. */
export function effectiveShare(stableReplicas: number, canaryReplicas: number): number {
  const total = stableReplicas + canaryReplicas;
  return total === 0 ? 0 : Math.round((canaryReplicas / total) * 100);
}

/** Replicas the canary Deployment needs to serve its share when an Ingress weight routes traffic. */
export function canaryReplicasForWeight(stableReplicas: number, percent: number): number {
  if (percent <= 0) return 0;
  return Math.max(1, Math.ceil((stableReplicas * percent) / 100));
}
