// What domain services need from the running side (deploy/, reconcile/, build/) without
// importing it: set on the Ctx by the server when a cluster is configured.
export interface RuntimePort {
  /** Builds and pushes a platform image; returns its reference. */
  buildPlatform(name: string, dockerfile: string, out: (line: string) => void): Promise<string>;
  /** Replaces the app's units so they see new env (no-op for an app never deployed). */
  restartApp(app: string, out: (line: string) => void): Promise<void>;
  /** Removes every unit of the app from the nodes (app remove). */
  removeAppUnits(app: string): Promise<void>;
  /**
   * Dry run before `node remove` moves a node's units: throws a 503 saying why when some
   * have no room on the pool's other nodes. Returns how many units the node has.
   */
  checkDrain(address: string): Promise<number>;
  /** Moves every unit off a disabled node (started elsewhere, routed, then drained). */
  drainNode(address: string, out: (line: string) => void): Promise<void>;
  /** The provisioners pools may name (`pool add --provisioner`). */
  provisioners?(): string[];
  /** A node was disabled or enabled: the healer looks at once (set by the server when it heals). */
  nodesChanged?: () => void;
}
