// Provisioners by name, and the one an app or a pool uses: the pool's `provisioner` field
// (tsuru's `pool add --provisioner`), "" meaning the default, docker.
import { BadRequestError } from "../domain/errors.js";
import { DEFAULT_PROVISIONER } from "../domain/pools.js";
import type { App, StoreOps } from "../store/types.js";
import type { Provisioner } from "./provisioner.js";

export { DEFAULT_PROVISIONER };

export class ProvisionerRegistry {
  private readonly byName = new Map<string, Provisioner>();

  register(p: Provisioner): this {
    if (this.byName.has(p.name)) throw new Error(`provisioner "${p.name}" is registered twice`);
    this.byName.set(p.name, p);
    return this;
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  all(): Provisioner[] {
    return [...this.byName.values()];
  }

  /** The provisioner called `name` ("" = the default); a 400 naming the known ones otherwise. */
  get(name: string): Provisioner {
    const p = this.byName.get(name || DEFAULT_PROVISIONER);
    if (!p)
      throw new BadRequestError(
        `Unknown provisioner "${name.slice(0, 64)}": use one of ${this.names().join(", ") || "(none)"}.`,
      );
    return p;
  }

  async forPool(store: Pick<StoreOps, "findPool">, pool: string): Promise<Provisioner> {
    return this.get((await store.findPool(pool))?.provisioner ?? "");
  }

  forApp(store: Pick<StoreOps, "findPool">, app: Pick<App, "pool">): Promise<Provisioner> {
    return this.forPool(store, app.pool);
  }
}
