/**
 * Prometheus HTTP service discovery (`http_sd_configs`) for the demo pods. The target
 * labels are the same identity labels the series carry (namespace, pod, app, version,
 * deployment, track, color), so `up{app="search"}` works too. Scrape with
 * `honor_labels: true`: the values are identical, and without it Prometheus would add
 * duplicate `exported_*` labels to every series.
 */
import type { ApiCore } from "./api";
import { isPodReady, POD_ADDRESS_ANNOTATION } from "./controller-utils";
import { typeByKind } from "./resources";
import type { Pod } from "./types";
import { identityLabels } from "./workload";

export interface HttpSdTarget {
  targets: string[];
  labels: Record<string, string>;
}

export function scrapeTargets(api: ApiCore, isRunning: (uid: string) => boolean): HttpSdTarget[] {
  return api
    .listAs<Pod>(typeByKind("Pod"))
    .filter(
      (p) =>
        isPodReady(p) &&
        !p.metadata.deletionTimestamp &&
        p.metadata.annotations?.[POD_ADDRESS_ANNOTATION] &&
        isRunning(p.metadata.uid),
    )
    .map((p) => {
      const labels: Record<string, string> = { __metrics_path__: "/metrics" };
      Object.assign(labels, identityLabels(p));
      return { targets: [p.metadata.annotations?.[POD_ADDRESS_ANNOTATION] ?? ""], labels };
    });
}
