// One node's dockerode clients, as the concern clients share them. The ordinary client has a
// short idle timeout, right for reads and for noticing a dead node. Calls that legitimately
// stay quiet for long (a stop's grace period, waiting for a container, following output, a
// build step, a slow pull) go through copies of it (same address, TLS material and request
// accounting) with a longer idle limit of their own; every call to a node still has one, so a
// node that dies mid-call cannot hold an operation for ever.
import Docker from "dockerode";

/** X-Registry-Auth for a pull or push of `ref` (src/registry decides it; undefined = none). */
export type RegistryAuthFor = (
  ref: string,
  action: "pull" | "push",
) => Promise<Record<string, unknown> | undefined>;

/** Streams and waits: five quiet minutes mean the node or the connection is gone. */
export const LONG_LIVED_IDLE_MS = 300_000;

export interface Connection {
  /** Ordinary request/response calls, with the short idle timeout. */
  readonly docker: Docker;
  /** Long, quiet calls (streams, waits): LONG_LIVED_IDLE_MS. */
  readonly quiet: Docker;
  /** The client with another idle limit (ms), e.g. a stop's grace period and some more. */
  idle(timeoutMs: number): Docker;
  readonly authFor: RegistryAuthFor;
}

const noAuth: RegistryAuthFor = async () => undefined;

export function connection(docker: Docker, authFor: RegistryAuthFor = noAuth): Connection {
  return {
    docker,
    quiet: withIdleTimeout(docker, LONG_LIVED_IDLE_MS),
    idle: (timeoutMs) => withIdleTimeout(docker, timeoutMs),
    authFor,
  };
}

const copies = new WeakMap<Docker, Map<number, Docker>>();

/** A copy of the client with another idle limit (ms), cached per client and limit. */
export function withIdleTimeout(docker: Docker, timeoutMs: number): Docker {
  let byTimeout = copies.get(docker);
  if (!byTimeout) copies.set(docker, (byTimeout = new Map()));
  let copy = byTimeout.get(timeoutMs);
  if (!copy) {
    // A shallow copy of the modem keeps its protocol, host, socket and TLS fields, and its dial
    // (wrapped for health accounting, see onTransport, which reads the timeout of the modem it
    // is called on); docker-modem reads the timeout as a plain property per request.
    const modem = Object.assign(
      Object.create(Object.getPrototypeOf(docker.modem) as object) as object,
      docker.modem,
      { timeout: timeoutMs },
    ) as Docker["modem"];
    copy = new Docker({ modem } as Docker.DockerOptions);
    byTimeout.set(timeoutMs, copy);
  }
  return copy;
}

/** Calls `report` after every request's transport outcome (null = the engine answered). */
export function onTransport(docker: Docker, report: (err: unknown) => void): void {
  type Dial = (this: unknown, o: unknown, cb: (err: unknown, data: unknown) => void) => void;
  const modem = docker.modem as unknown as { dial: Dial };
  const dial = modem.dial;
  // Not bound to this modem: the copies with another idle limit (withIdleTimeout) carry this
  // wrapper, and each call must read its own copy's timeout; bound, every copy would keep the
  // ordinary client's short one, and a slow engine's answer would come back as 'socket hang up'.
  modem.dial = function (this: unknown, o, cb) {
    dial.call(this, o, (err, data) => {
      report(err);
      cb(err, data);
    });
  };
}
