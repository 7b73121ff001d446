// Ctrl-C during `wharf app deploy`: the first one cancels the deploy through its event
// and keeps relaying the stream until the server ends it (the old version keeps
// serving); a second one stops waiting. Before any deploy event exists (still
// uploading) the upload is simply aborted, so nothing is deployed.
import type { ApiClient } from "../client/http.js";
import { cancelEvent, findRunningDeploy } from "./cancel.js";

export type InterruptState = "none" | "canceling" | "canceled" | "cancel-failed" | "aborted";

export class DeployInterrupt {
  state: InterruptState = "none";
  /** A second Ctrl-C: the client stopped relaying; the server goes on. */
  stoppedWaiting = false;
  eventId: string | undefined;
  readonly controller = new AbortController();
  private pending: Promise<void> = Promise.resolve();
  private readonly handler = (): void => this.onInterrupt();

  constructor(
    private readonly api: ApiClient,
    private readonly app: string,
    private readonly say: (s: string) => void = (s) => process.stderr.write(s),
  ) {}

  install(): this {
    process.on("SIGINT", this.handler);
    return this;
  }

  /** Removes the handler once the cancel request (if any) has been answered. */
  async uninstall(): Promise<void> {
    process.off("SIGINT", this.handler);
    await this.pending;
  }

  private onInterrupt(): void {
    if (this.state !== "none") {
      this.stoppedWaiting = true;
      this.controller.abort();
      return;
    }
    this.state = "canceling";
    this.pending = this.cancel();
  }

  private async cancel(): Promise<void> {
    try {
      const id = this.eventId ?? (await findRunningDeploy(this.api, this.app));
      if (!id) {
        this.state = "aborted";
        this.say("\nInterrupted before the deploy started: the upload was stopped, nothing was deployed.\n");
        this.controller.abort();
        return;
      }
      this.say(`\nCanceling the deploy (event ${id})...\n`);
      await cancelEvent(this.api, id);
      if (this.state === "canceling") this.state = "canceled";
      this.say("Cancel requested: the version that was serving keeps serving.\n");
    } catch (err) {
      if (this.state === "canceling") this.state = "cancel-failed";
      this.say(
        `Could not cancel the deploy: ${err instanceof Error ? err.message : String(err)}\n` +
          "Press Ctrl-C again to stop waiting (the deploy then goes on in the background).\n",
      );
    }
  }
}
