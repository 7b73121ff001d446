// The namespace lifecycle controller and the service-account controller: a namespace
// being deleted has its contents deleted and then goes; every active namespace has a
// "default" ServiceAccount. Part of the stand-in (see server.ts).
import type { Registry } from "../registry.js";
import { RESOURCES, resourceOfKind } from "../resources.js";

const NAMESPACES = resourceOfKind("Namespace");
const SA = resourceOfKind("ServiceAccount");

export function syncNamespaces(reg: Registry): void {
  for (const ns of reg.store.list(NAMESPACES)) {
    const name = ns.metadata.name;
    if (ns.status?.phase === "Terminating") {
      let left = 0;
      for (const r of RESOURCES) {
        if (!r.namespaced) continue;
        for (const o of reg.store.list(r, name)) {
          left++;
          if (!o.metadata.deletionTimestamp) reg.delete(r, name, o.metadata.name);
        }
      }
      if (left === 0) reg.store.remove(NAMESPACES, undefined, name);
    } else if (!reg.store.get(SA, name, "default")) {
      reg.create(SA, name, { metadata: { name: "default" } });
    }
  }
}
