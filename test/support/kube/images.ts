// What a container of a given image does in the stand-in's simulated kubelet, so
// tests can make deploys fail the ways real ones do. Images not in the table serve HTTP.
// Part of the stand-in (see server.ts).

export interface ImageBehaviour {
  /** A pull failure: the image does not exist, or the registry refuses the credentials. */
  pull?: "ok" | "not-found" | "unauthorized";
  /**
   * serve: an HTTP backend on the pod IP at each containerPort (the default);
   * crash: the process exits at once with `exitCode` (a crash loop under restartPolicy Always);
   * command: the container's command and args run as a local process with PORT set.
   */
  run?: "serve" | "crash" | "command";
  /** For serve: whether the readiness probe path answers 200 (true, default) or 503. */
  ready?: boolean;
  exitCode?: number;
}

export class ImageTable {
  private readonly table = new Map<string, ImageBehaviour>();

  set(image: string, b: ImageBehaviour): void {
    this.table.set(image, b);
  }

  /** By exact reference, then by repository without the tag or digest. */
  lookup(image: string): ImageBehaviour {
    const repo = image.replace(/@.*$/, "").replace(/:[^/:]+$/, "");
    return this.table.get(image) ?? this.table.get(repo) ?? {};
  }
}
