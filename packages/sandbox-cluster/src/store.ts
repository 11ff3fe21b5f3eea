/**
 * The sandbox's "etcd": objects by resource type, a global resourceVersion counter, a
 * bounded event history so watches can resume from a resourceVersion, and optional
 * persistence to a JSON file (debounced, written atomically with a rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { ResourceType } from "./resources";
import { clone, type KubeObject } from "./types";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  typeId: string;
  resourceVersion: number;
  object: KubeObject;
  /** The object before the change, so filtered watches can turn a label change into ADDED/DELETED. */
  previous?: KubeObject;
}

export function typeIdOf(type: Pick<ResourceType, "group" | "resource">): string {
  return `${type.group}/${type.resource}`;
}

interface PersistedState {
  resourceVersion: number;
  objects: { typeId: string; object: KubeObject }[];
}

const HISTORY_LIMIT = 20_000;

export class Store {
  private revision = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stateFile?: string,
    private readonly saveDebounceMs = 200,
  ) {}

  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can resume from without a 410 Gone. */
  get oldestWatchableVersion(): number {
    return this.history.length > 0 ? this.history[0].resourceVersion - 1 : this.revision;
  }

  private bucket(typeId: string): Map<string, KubeObject> {
    let bucket = this.objects.get(typeId);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(typeId, bucket);
    }
    return bucket;
  }

  private static key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ""}/${name}`;
  }

  get(typeId: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(typeId).get(Store.key(namespace, name));
    return found ? clone(found) : undefined;
  }

  list(typeId: string, namespace?: string): KubeObject[] {
    const items = [...this.bucket(typeId).values()].filter(
      (o) => namespace === undefined || o.metadata.namespace === namespace,
    );
    items.sort((a, b) =>
      Store.key(a.metadata.namespace, a.metadata.name).localeCompare(Store.key(b.metadata.namespace, b.metadata.name)),
    );
    return items.map((o) => clone(o));
  }

  /** Stores a new or changed object, giving it the next resourceVersion. Returns the stored copy. */
  put(typeId: string, object: KubeObject): KubeObject {
    const bucket = this.bucket(typeId);
    const key = Store.key(object.metadata.namespace, object.metadata.name);
    const previous = bucket.get(key);
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(key, stored);
    this.emit({
      type: previous ? "MODIFIED" : "ADDED",
      typeId,
      resourceVersion: this.revision,
      object: clone(stored),
      previous: previous && clone(previous),
    });
    return clone(stored);
  }

  remove(typeId: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.bucket(typeId);
    const key = Store.key(namespace, name);
    const previous = bucket.get(key);
    if (!previous) return undefined;
    bucket.delete(key);
    // Like etcd, a deletion is itself a revision; the DELETED event carries it.
    const deleted = clone(previous);
    deleted.metadata.resourceVersion = String(++this.revision);
    this.emit({
      type: "DELETED",
      typeId,
      resourceVersion: this.revision,
      object: clone(deleted),
      previous: clone(previous),
    });
    return deleted;
  }

  /** Events after `resourceVersion`, or undefined when they are no longer in the history. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestWatchableVersion) return undefined;
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const listener of this.listeners) listener(event);
    this.scheduleSave();
  }

  private scheduleSave(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveNow();
    }, this.saveDebounceMs);
    this.saveTimer.unref();
  }

  saveNow(): void {
    if (!this.stateFile) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const state: PersistedState = { resourceVersion: this.revision, objects: [] };
    for (const [typeId, bucket] of this.objects)
      for (const object of bucket.values()) state.objects.push({ typeId, object });
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, this.stateFile);
  }

  /** Loads a state file written by saveNow; a missing file is an empty cluster. */
  load(): boolean {
    if (!this.stateFile || !existsSync(this.stateFile)) return false;
    const state = JSON.parse(readFileSync(this.stateFile, "utf8")) as PersistedState;
    this.revision = state.resourceVersion;
    for (const { typeId, object } of state.objects)
      this.bucket(typeId).set(Store.key(object.metadata.namespace, object.metadata.name), object);
    return true;
  }
}
