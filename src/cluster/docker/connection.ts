// One node's dockerode clients, as the concern clients share them. Calls that legitimately
// stay quiet for long (a stop's grace period, waiting for a container, following output, a
// build step, a slow pull) would trip the idle timeout the ordinary client has; they go
// through a copy of it (same address and TLS material, same request accounting) without
// that timeout, bounded by the caller's AbortSignal instead.
import Docker from "dockerode";

/** X-Registry-Auth for a pull or push of `ref` (src/registry decides it; undefined = none). */
export type RegistryAuthFor = (
  ref: string,
  action: "pull" | "push",
) => Promise<Record<string, unknown> | undefined>;

export interface Connection {
  /** Ordinary request/response calls, with the idle timeout. */
  readonly docker: Docker;
  /** Long, quiet calls: no idle timeout. */
  readonly quiet: Docker;
  readonly authFor: RegistryAuthFor;
}

const noAuth: RegistryAuthFor = async () => undefined;

export function connection(docker: Docker, authFor: RegistryAuthFor = noAuth): Connection {
  // A shallow copy of the modem keeps its protocol, host, socket, TLS fields and its dial
  // (wrapped for health accounting, see onTransport); only the idle timeout is dropped.
  const modem = Object.assign(
    Object.create(Object.getPrototypeOf(docker.modem) as object) as object,
    docker.modem,
    { timeout: undefined },
  ) as Docker["modem"];
  return { docker, quiet: new Docker({ modem } as Docker.DockerOptions), authFor };
}

/** Calls `report` after every request's transport outcome (null = the engine answered). */
export function onTransport(docker: Docker, report: (err: unknown) => void): void {
  const modem = docker.modem as unknown as {
    dial: (o: unknown, cb: (err: unknown, data: unknown) => void) => void;
  };
  const dial = modem.dial.bind(modem);
  modem.dial = (o, cb) =>
    dial(o, (err, data) => {
      report(err);
      cb(err, data);
    });
}
