// Errors are values with an HTTP status and a sentence that says what was wrong and
// what to do. The API layer turns them into tsuru-style plain-text bodies; anything
// that is not a WharfError is an internal fault (5xx) and must never be caused by
// client input.
export class WharfError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends WharfError {
  constructor(message: string) {
    super(400, message);
  }
}

/** 401 makes the tsuru client re-run login, so use it only for authentication failures. */
export class UnauthorizedError extends WharfError {
  constructor(message = "You must provide a valid Authorization header") {
    super(401, message);
  }
}

export class ForbiddenError extends WharfError {
  constructor(message = "You don't have permission to do this action") {
    super(403, message);
  }
}

export class NotFoundError extends WharfError {
  constructor(message: string) {
    super(404, message);
  }
}

export class ConflictError extends WharfError {
  constructor(message: string) {
    super(409, message);
  }
}

export class PreconditionFailedError extends WharfError {
  constructor(message: string) {
    super(412, message);
  }
}

export class PayloadTooLargeError extends WharfError {
  constructor(message: string) {
    super(413, message);
  }
}

export class TooManyRequestsError extends WharfError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message);
  }
}

/** The cluster cannot do it now (no node fits, no healthy node): not the client's mistake. */
export class ServiceUnavailableError extends WharfError {
  constructor(message: string) {
    super(503, message);
  }
}

/**
 * New units could not be started (a node failed a pull, a create or a start) and were removed
 * again: nothing changed. Not the client's mistake and not "no room" (which the healer treats
 * apart as ServiceUnavailableError), so a class of its own.
 */
export class UnitsNotStartedError extends WharfError {
  constructor(message: string) {
    super(503, message);
  }
}

export function isWharfError(e: unknown): e is WharfError {
  return e instanceof WharfError;
}
