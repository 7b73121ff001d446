// Every error leaves as tsuru does it: plain text, status code, message + "\n".
// Client mistakes (bad bodies, oversize, bad names) are always 4xx with a sentence;
// only genuine faults are 5xx, and those never echo internals to the client.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { WharfError, TooManyRequestsError, ServiceUnavailableError } from "../domain/errors.js";
import { fromStoreError } from "../domain/services/store-errors.js";

/** Socket errors: a node, registry or broker did not answer (any HTTP status is an answer). */
const TRANSPORT =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ESOCKETTIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/;

/**
 * An adapter's failure to reach the machine it talks to, as a 503 with a sentence: not the
 * client's mistake, and not an internal fault either. Addresses stay out of the sentence.
 */
export function fromTransportError(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !TRANSPORT.test(code)) return e;
  return new ServiceUnavailableError(
    `A node or service this request needs did not answer (${code}): check "wharf node list" and try again.`,
  );
}

export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  const body = message.endsWith("\n") ? message : `${message}\n`;
  return reply.code(status).type("text/plain; charset=utf-8").send(body);
}

function fastifyClientError(
  err: FastifyError,
  req: FastifyRequest,
  bodyLimit: number,
): [number, string] | null {
  const code = err.code ?? "";
  if (
    code === "FST_ERR_CTP_BODY_TOO_LARGE" ||
    code === "FST_REQ_FILE_TOO_LARGE" ||
    code === "FST_FILES_LIMIT" ||
    code === "FST_FIELDS_LIMIT" ||
    code === "FST_PARTS_LIMIT"
  )
    return [413, `Request body is too large (limit ${bodyLimit} bytes for this request): send less data.`];
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    return [
      415,
      `Unsupported Content-Type "${String(req.headers["content-type"] ?? "").slice(0, 80)}": send application/x-www-form-urlencoded, multipart/form-data or application/json.`,
    ];
  if (code === "FST_ERR_CTP_EMPTY_JSON_BODY")
    return [400, "Empty JSON body: send a JSON object, or drop the Content-Type: application/json header."];
  if (code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH")
    return [400, "Content-Length does not match the body sent: fix the request's Content-Length."];
  if (code === "FST_INVALID_MULTIPART_CONTENT_TYPE")
    return [400, "Malformed multipart body: send multipart/form-data with a boundary."];
  if (err instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON_BODY")
    return [400, "Malformed JSON body: send a valid JSON object (check quotes and commas)."];
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500)
    return [err.statusCode, `Bad request: ${err.message.slice(0, 200)}`];
  return null;
}

export function errorHandler(bodyLimit: number) {
  return (error: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const stored = fromStoreError(error);
    const e = fromTransportError(stored);
    if (e !== stored) req.log.warn({ err: stored }, "a node or service did not answer");
    if (e instanceof TooManyRequestsError) reply.header("retry-after", String(e.retryAfterSeconds));
    if (e instanceof WharfError) {
      // Routes with another scheme (git's Basic) set their own challenge first.
      if (e.status === 401 && !reply.hasHeader("www-authenticate"))
        reply.header("www-authenticate", 'Bearer realm="tsuru" scope="tsuru"');
      return sendError(reply, e.status, e.message);
    }
    const fe = e as FastifyError;
    const mapped = fastifyClientError(fe, req, bodyLimit);
    if (mapped) return sendError(reply, mapped[0], mapped[1]);
    // Failures while parsing the body (e.g. a truncated multipart stream) happen before
    // the handler runs: those are the client's malformed input, not our fault.
    if (!(req as { handlerStarted?: boolean }).handlerStarted)
      return sendError(reply, 400, "Malformed request body: check its Content-Type and encoding.");
    req.log.error({ err: e }, "request failed");
    return sendError(
      reply,
      500,
      "Internal server error: the failure was logged; please report it if it persists.",
    );
  };
}
