// Node health as a state machine, with no I/O and no clock of its own (times are passed in),
// so the rules are testable as vectors. Like classic Swarm's engine: consecutive failures
// (from polls and from ordinary requests alike) turn a node Unhealthy at a threshold; any
// success turns it back.

export type NodeHealthState = "pending" | "healthy" | "unhealthy";

export interface NodeHealth {
  state: NodeHealthState;
  consecutiveFailures: number;
  lastSuccess?: Date;
  lastError?: string;
  lastErrorAt?: Date;
  /** When the state last changed. */
  since: Date;
}

export interface HealthTransition {
  node: string;
  from: NodeHealthState;
  to: NodeHealthState;
  at: Date;
  /** The error that caused a move to unhealthy. */
  error?: string;
}

export interface HealthPolicy {
  /** Consecutive failures that make a healthy node unhealthy (Swarm's --engine-failure-retry). */
  failureThreshold: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { failureThreshold: 3 };

export class HealthTracker {
  private readonly nodes = new Map<string, NodeHealth>();

  constructor(private readonly policy: HealthPolicy = DEFAULT_HEALTH_POLICY) {
    if (!Number.isInteger(policy.failureThreshold) || policy.failureThreshold < 1) {
      throw new Error(
        `failure threshold must be a whole number of at least 1, got ${policy.failureThreshold}`,
      );
    }
  }

  track(node: string, now: Date): void {
    if (!this.nodes.has(node)) this.nodes.set(node, { state: "pending", consecutiveFailures: 0, since: now });
  }

  forget(node: string): void {
    this.nodes.delete(node);
  }

  get(node: string): Readonly<NodeHealth> | undefined {
    return this.nodes.get(node);
  }

  all(): ReadonlyMap<string, Readonly<NodeHealth>> {
    return this.nodes;
  }

  /** A health indicator in 0..100, as Swarm's scheduler weighs it. */
  indicator(node: string): number {
    const h = this.nodes.get(node);
    if (!h || h.state !== "healthy") return 0;
    return 100 - Math.floor((h.consecutiveFailures * 100) / this.policy.failureThreshold);
  }

  recordSuccess(node: string, now: Date): HealthTransition | undefined {
    this.track(node, now);
    const h = this.nodes.get(node)!;
    h.consecutiveFailures = 0;
    h.lastSuccess = now;
    if (h.state === "healthy") return undefined;
    const t: HealthTransition = { node, from: h.state, to: "healthy", at: now };
    h.state = "healthy";
    h.since = now;
    return t;
  }

  recordFailure(node: string, error: string, now: Date): HealthTransition | undefined {
    this.track(node, now);
    const h = this.nodes.get(node)!;
    h.consecutiveFailures++;
    h.lastError = error;
    h.lastErrorAt = now;
    if (h.state === "unhealthy" || h.consecutiveFailures < this.policy.failureThreshold) return undefined;
    const t: HealthTransition = { node, from: h.state, to: "unhealthy", at: now, error };
    h.state = "unhealthy";
    h.since = now;
    return t;
  }
}
