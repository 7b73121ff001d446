// The error a unit that cannot serve produces, for createUnit and waitHealthy alike: it names
// the unit and carries its last log lines, which is what the person deploying needs to see.
import { WharfError } from "../../domain/errors.js";

export class UnitUnhealthyError extends WharfError {
  constructor(
    readonly unitId: string,
    readonly reason: string,
    readonly logLines: string[],
    readonly containerId?: string,
  ) {
    const tail = logLines.length
      ? `\nlast log lines of unit ${unitId}:\n${logLines.map((l) => `  ${l}`).join("\n")}`
      : `\nunit ${unitId} wrote no log lines`;
    // The app failing to start is the app's (client's) problem, not a Wharf fault.
    super(400, `unit ${unitId} did not become healthy: ${reason}${tail}`);
  }
}
