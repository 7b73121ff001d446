// meta/v1 Status bodies exactly as the Kubernetes API server words them, so clients
// (and Wharf's error mapping) see the real reasons, codes and messages.
// Part of the stand-in (see server.ts).
import { qualifiedName, type ResourceType } from "./resources.js";

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function failure(code: number, reason: string, message: string, details?: Status["details"]): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

const det = (r: ResourceType, name?: string) => ({
  ...(name !== undefined ? { name } : {}),
  ...(r.group ? { group: r.group } : {}),
  kind: r.plural,
});

export const notFound = (r: ResourceType, name: string) =>
  failure(404, "NotFound", `${qualifiedName(r)} "${name}" not found`, det(r, name));
export const alreadyExists = (r: ResourceType, name: string) =>
  failure(409, "AlreadyExists", `${qualifiedName(r)} "${name}" already exists`, det(r, name));
export const conflict = (r: ResourceType, name: string) =>
  failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    det(r, name),
  );
export const gone = (message: string) => failure(410, "Expired", message);
export const badRequest = (message: string) => failure(400, "BadRequest", message);
export const unauthorized = () => failure(401, "Unauthorized", "Unauthorized");
export const methodNotAllowed = () =>
  failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
export const unsupportedMediaType = (type: string) =>
  failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (the stand-in serves no protobuf, CBOR or server-side apply; got ${type})`,
  );
export const pathNotFound = () =>
  failure(404, "NotFound", "the server could not find the requested resource");
export const namespaceTerminating = (ns: string) =>
  failure(403, "Forbidden", `unable to create new content in namespace ${ns} because it is being terminated`);

export function invalid(
  r: ResourceType,
  name: string,
  causes: { field: string; message: string }[],
): ApiError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return failure(422, "Invalid", `${r.kind}${r.group ? "." + r.group : ""} "${name}" is invalid: ${text}`, {
    ...det(r, name),
    kind: r.kind,
    causes: causes.map((c) => ({ reason: "FieldValueInvalid", message: c.message, field: c.field })),
  });
}

export function forbidden(
  user: string,
  verb: string,
  r: ResourceType,
  sub: string | undefined,
  ns: string | undefined,
  name: string | undefined,
): ApiError {
  const res = sub ? `${r.plural}/${sub}` : r.plural;
  const subject = name !== undefined ? `${qualifiedName(r)} "${name}"` : qualifiedName(r);
  const scope = ns ? `in the namespace "${ns}"` : "at the cluster scope";
  return failure(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${r.group}" ${scope}`,
    det(r, name),
  );
}

export function success(r: ResourceType, name: string, uid: string): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { ...det(r, name), uid },
    code: 200,
  };
}
