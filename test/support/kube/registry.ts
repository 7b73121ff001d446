// The API server's per-verb semantics over the store: create (defaults, validation,
// namespace checks), update of the main resource vs its status and scale subresources,
// the three patch types, and deletion (graceful for pods, namespaces finalized by their
// controller, dependents garbage-collected by owner reference). The HTTP layer and the
// simulated controllers both write through here, so both obey the same rules.
// Part of the stand-in (see server.ts).
import { applyDefaults } from "./defaults.js";
import { jsonMergePatch, jsonPatch, PatchError, strategicMerge } from "./patch.js";
import { RESOURCES, apiVersionOf, resourceOfKind, type ResourceType } from "./resources.js";
import {
  ApiError,
  badRequest,
  invalid,
  namespaceTerminating,
  notFound,
  unsupportedMediaType,
} from "./status.js";
import type { Any, KObject, Store } from "./store.js";
import { immutableChanges, validate } from "./validate.js";

const NAMESPACES = resourceOfKind("Namespace");

export type PatchType =
  "application/merge-patch+json" | "application/strategic-merge-patch+json" | "application/json-patch+json";

export interface DeleteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export class Registry {
  constructor(readonly store: Store) {}

  private checkNamespace(r: ResourceType, ns: string | undefined): void {
    if (!r.namespaced) return;
    const n = this.store.get(NAMESPACES, undefined, ns!);
    if (!n) throw notFound(NAMESPACES, ns!);
    if (n.status?.phase === "Terminating") throw namespaceTerminating(ns!);
  }

  private shape(r: ResourceType, ns: string | undefined, body: Any, name?: string): KObject {
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw badRequest("the request body must be a JSON object");
    const obj = structuredClone(body) as KObject;
    if (obj.kind !== undefined && obj.kind !== r.kind)
      throw badRequest(
        `the kind of the provided object (${obj.kind}) does not match the resource (${r.kind})`,
      );
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(r))
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(r)})`,
      );
    obj.kind = r.kind;
    obj.apiVersion = apiVersionOf(r);
    obj.metadata ??= {} as KObject["metadata"];
    if (r.namespaced) {
      if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== ns)
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      obj.metadata.namespace = ns;
    } else delete obj.metadata.namespace;
    if (name !== undefined && obj.metadata.name !== undefined && obj.metadata.name !== name)
      throw badRequest(
        "the name of the object (" +
          obj.metadata.name +
          ") does not match the name on the URL (" +
          name +
          ")",
      );
    if (name !== undefined) obj.metadata.name = name;
    if (!obj.metadata.name && !obj.metadata.generateName)
      throw invalid(r, "", [
        { field: "metadata.name", message: "Required value: name or generateName is required" },
      ]);
    return obj;
  }

  private check(r: ResourceType, obj: KObject, prev?: KObject): void {
    const causes = validate(obj);
    if (prev) causes.push(...immutableChanges(prev, obj));
    if (causes.length) throw invalid(r, obj.metadata.name || obj.metadata.generateName || "", causes);
  }

  create(r: ResourceType, ns: string | undefined, body: Any): KObject {
    this.checkNamespace(r, ns);
    const obj = this.shape(r, ns, body);
    // Status is the controllers' to write: a create ignores it, as the real strategies do.
    if (r.subresources.includes("status") && r.kind !== "Namespace") delete obj.status;
    (obj.metadata as Partial<KObject["metadata"]>).resourceVersion = undefined;
    applyDefaults(obj);
    const probe = obj.metadata.name
      ? obj
      : { ...obj, metadata: { ...obj.metadata, name: obj.metadata.generateName + "x" } };
    this.check(r, probe);
    return this.store.create(r, obj);
  }

  /** PUT on the main resource: keeps status when the resource has a status subresource. */
  update(r: ResourceType, ns: string | undefined, name: string, body: Any): KObject {
    const prev = this.store.mustGet(r, ns, name);
    const obj = this.shape(r, ns, body, name);
    if (r.subresources.includes("status")) obj.status = prev.status;
    if (obj.kind === "Service") keepAllocated(prev, obj);
    obj.metadata.deletionTimestamp = prev.metadata.deletionTimestamp;
    applyDefaults(obj);
    this.check(r, obj, prev);
    return this.store.update(r, obj, obj.metadata.resourceVersion);
  }

  /** PUT on /status: only the status changes. */
  updateStatus(r: ResourceType, ns: string | undefined, name: string, body: Any): KObject {
    const prev = this.store.mustGet(r, ns, name);
    const obj = this.shape(r, ns, body, name);
    const next = { ...prev, status: obj.status };
    return this.store.update(r, next, obj.metadata.resourceVersion);
  }

  scaleOf(r: ResourceType, obj: KObject): KObject {
    const sel = obj.spec?.selector?.matchLabels ?? {};
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 0 },
      status: {
        replicas: obj.status?.replicas ?? 0,
        selector: Object.entries(sel)
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      },
    };
  }

  /** PUT on /scale with an autoscaling/v1 Scale. */
  updateScale(r: ResourceType, ns: string | undefined, name: string, body: Any): KObject {
    const prev = this.store.mustGet(r, ns, name);
    const replicas = body?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw invalid(r, name, [
        { field: "spec.replicas", message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
      ]);
    const next = structuredClone(prev);
    next.spec.replicas = replicas;
    return this.scaleOf(r, this.store.update(r, next, body?.metadata?.resourceVersion));
  }

  patch(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    type: string,
    body: Any,
    sub?: string,
  ): KObject {
    const prev = this.store.mustGet(r, ns, name);
    const base = sub === "scale" ? this.scaleOf(r, prev) : prev;
    let patched: Any;
    try {
      const t = type.split(";")[0]!.trim();
      if (t === "application/merge-patch+json") patched = jsonMergePatch(base, body);
      else if (t === "application/strategic-merge-patch+json")
        patched = strategicMerge(base, body, [], r.kind);
      else if (t === "application/json-patch+json") patched = jsonPatch(base, body);
      else throw unsupportedMediaType(t);
    } catch (e) {
      if (e instanceof PatchError) throw badRequest(e.message);
      throw e;
    }
    // A patch that names a resourceVersion is a precondition on it; otherwise it applies to the latest.
    const expect =
      patched?.metadata?.resourceVersion && body?.metadata?.resourceVersion
        ? String(patched.metadata.resourceVersion)
        : prev.metadata.resourceVersion;
    patched.metadata = { ...patched.metadata, resourceVersion: expect };
    if (sub === "scale") return this.updateScale(r, ns, name, patched);
    if (sub === "status") return this.updateStatus(r, ns, name, patched);
    return this.update(r, ns, name, patched);
  }

  /** DELETE; returns the object as it is after the call (still present while terminating). */
  delete(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): { object: KObject; gone: boolean } {
    const obj = this.store.mustGet(r, ns, name);
    const pre = opts.preconditions;
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw new ApiError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
        reason: "Conflict",
        code: 409,
      });
    }
    if (opts.preconditions?.uid && opts.preconditions.uid !== obj.metadata.uid) {
      throw new ApiError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${obj.metadata.uid}`,
        reason: "Conflict",
        code: 409,
      });
    }
    if (r.kind === "Namespace") {
      if (obj.status?.phase === "Terminating") return { object: obj, gone: false };
      obj.status = { ...obj.status, phase: "Terminating" };
      obj.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      return { object: this.store.update(r, obj), gone: false };
    }
    const grace = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    if (
      r.kind === "Pod" &&
      grace > 0 &&
      obj.spec?.nodeName &&
      obj.status?.phase !== "Succeeded" &&
      obj.status?.phase !== "Failed"
    ) {
      if (obj.metadata.deletionTimestamp) return { object: obj, gone: false };
      obj.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, "Z");
      obj.metadata.deletionGracePeriodSeconds = grace;
      return { object: this.store.update(r, obj), gone: false };
    }
    const removed = this.store.remove(r, ns, name);
    this.collectDependents(removed, opts.propagationPolicy ?? "Background");
    return { object: removed, gone: true };
  }

  /** The garbage collector: dependents of a deleted owner are deleted, or orphaned. */
  private collectDependents(owner: KObject, policy: string): void {
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      for (const o of this.store.list(r, owner.metadata.namespace)) {
        const refs = o.metadata.ownerReferences ?? [];
        if (!refs.some((ref) => ref.uid === owner.metadata.uid)) continue;
        if (policy === "Orphan") {
          o.metadata.ownerReferences = refs.filter((ref) => ref.uid !== owner.metadata.uid);
          this.store.update(r, o);
        } else if (refs.length === 1)
          this.delete(r, o.metadata.namespace, o.metadata.name, { propagationPolicy: "Background" });
      }
    }
  }

  /** Deletes every object of `r` in `ns` that `keep` rejects (DELETE on a collection). */
  deleteCollection(r: ResourceType, ns: string | undefined, keep: (o: KObject) => boolean): KObject[] {
    return this.store
      .list(r, ns)
      .filter((o) => !keep(o))
      .map((o) => this.delete(r, o.metadata.namespace, o.metadata.name).object);
  }
}

/** A PUT that omits allocated values (clusterIP, nodePorts) keeps them, as since Kubernetes 1.20. */
function keepAllocated(prev: KObject, obj: KObject): void {
  obj.spec ??= {};
  if (obj.spec.clusterIP === undefined || obj.spec.clusterIP === "") {
    obj.spec.clusterIP = prev.spec?.clusterIP;
    obj.spec.clusterIPs = prev.spec?.clusterIPs;
  }
  for (const p of obj.spec.ports ?? []) {
    if (p.nodePort === undefined) {
      const old = (prev.spec?.ports ?? []).find((q: Any) => q.port === p.port && q.nodePort !== undefined);
      if (old && obj.spec.type === prev.spec?.type) p.nodePort = old.nodePort;
    }
  }
}
