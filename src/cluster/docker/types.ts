// The Engine API's shapes as the engine adapter hands them out. They are dockerode's type
// definitions of the Engine API's JSON, re-exported here so that no file outside this
// adapter imports dockerode, even for a type.
import type Docker from "dockerode";

export type ContainerCreateOptions = Docker.ContainerCreateOptions;
export type ContainerInspect = Docker.ContainerInspectInfo;
export type ContainerSummary = Docker.ContainerInfo;
export type HostConfig = Docker.HostConfig;
export type ImageInspect = Docker.ImageInspectInfo;
export type ImageSummary = Docker.ImageInfo;
export type NetworkInspect = Docker.NetworkInspectInfo;
export type VolumeInspect = Docker.VolumeInspectInfo;
export type ImageBuildOptions = Omit<
  Docker.ImageBuildOptions,
  "abortSignal" | "authconfig" | "registryconfig"
>;
export type EngineInfo = Record<string, unknown>;

/** One line of a pull, push or build progress stream. */
export interface ProgressEvent {
  id?: string;
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Digest?: string };
}

/** Engine errors carry the HTTP status the engine answered (404 no such container, ...). */
export function engineStatus(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

export const isNotFound = (err: unknown): boolean => engineStatus(err) === 404;
