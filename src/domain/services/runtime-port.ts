// What domain services need from the running side (deploy/, reconcile/, build/) without
// importing it: set on the Ctx by the server when a cluster is configured.
export interface RuntimePort {
  /** Builds and pushes a platform image; returns its reference. */
  buildPlatform(name: string, dockerfile: string, out: (line: string) => void): Promise<string>;
  /** Replaces the app's units so they see new env (no-op for an app never deployed). */
  restartApp(app: string, out: (line: string) => void): Promise<void>;
  /** Removes every unit of the app from the nodes (app remove). */
  removeAppUnits(app: string): Promise<void>;
  /** Republishes the app's route (cnames changed). */
  publishRoute(app: string): Promise<void>;
}
