// Image reference authorization: cluster-registry images only of deployable apps and
// platforms (403 naming the repository otherwise), external images subject to the pool's
// allow-list, and every image a Dockerfile pulls found (FROM, ARG, stages, COPY --from).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  authorizeImage,
  parseImageReference,
  validateAllowPattern,
  type ImagePolicy,
} from "../../../src/domain/image-refs.js";
import { dockerfileImages } from "../../../src/domain/dockerfile-images.js";
import { BadRequestError, ForbiddenError } from "../../../src/domain/errors.js";

const REG = "10.213.7.1:5000";
const policy = (over: Partial<ImagePolicy> = {}): ImagePolicy => ({
  clusterRegistries: [REG, "registry.wharf.internal:5000"],
  mayDeploy: (app) => app === "app-b",
  ...over,
});

test("references normalize as Docker's: hub names, ports, tags and digests", () => {
  assert.deepEqual(parseImageReference("node:20"), {
    domain: "docker.io",
    repository: "library/node",
    tag: "20",
  });
  assert.deepEqual(parseImageReference(`${REG}/app-a:v1`), { domain: REG, repository: "app-a", tag: "v1" });
  assert.deepEqual(parseImageReference("localhost/x"), { domain: "localhost", repository: "x" });
  assert.equal(
    parseImageReference(`Registry.Wharf.Internal:5000/app-a@sha256:${"a".repeat(64)}`).domain,
    "registry.wharf.internal:5000",
  );
  for (const bad of ["", "a b", "UPPER", "x:", "x@sha256:zz", `${REG}/`]) {
    assert.throws(() => parseImageReference(bad), BadRequestError, bad);
  }
});

test("another team's app image in the cluster registry is refused with a 403 naming the repository", () => {
  for (const ref of [
    `${REG}/app-a:v1`,
    `${REG}/app-a`,
    `registry.wharf.internal:5000/app-a@sha256:${"b".repeat(64)}`,
  ]) {
    assert.throws(
      () => authorizeImage(ref, policy()),
      (e: unknown) => e instanceof ForbiddenError && e.status === 403 && /repository "app-a"/.test(e.message),
      ref,
    );
  }
});

test("own apps and platform images pass; Wharf's internal images and nested paths do not", () => {
  assert.equal(authorizeImage(`${REG}/app-b:v3`, policy()), "app");
  assert.equal(authorizeImage(`${REG}/wharf/platform-node:v2`, policy()), "platform");
  assert.equal(authorizeImage(`${REG}/wharf/base:bookworm`, policy()), "platform");
  for (const ref of [`${REG}/wharf/agent:1`, `${REG}/wharf/service-postgresql:1`, `${REG}/app-b/x:1`]) {
    assert.throws(() => authorizeImage(ref, policy()), ForbiddenError, ref);
  }
});

test("external images are allowed, unless the pool's allow-list matches none of them", () => {
  assert.equal(authorizeImage("node:20", policy()), "external");
  const p = policy({ externalAllowList: ["docker.io/library/*", "quay.io/acme/api"] });
  assert.equal(authorizeImage("node:20", p), "external");
  assert.equal(authorizeImage("quay.io/acme/api:1", p), "external");
  assert.throws(
    () => authorizeImage("quay.io/acme/other:1", p),
    /quay\.io\/acme\/other.*not in this pool's list/,
  );
  assert.throws(() => authorizeImage("evil.example/library/node", p), ForbiddenError);
});

test("allow-list patterns are validated", () => {
  assert.equal(validateAllowPattern("Quay.io/acme/*"), "quay.io/acme/*");
  assert.equal(validateAllowPattern("docker.io/library/node"), "docker.io/library/node");
  for (const bad of ["node", "*", "docker.io/", "a b/c", "docker.io//x"])
    assert.throws(() => validateAllowPattern(bad), BadRequestError, bad);
});

test("every FROM of a multi-stage Dockerfile is found, with ARG values and --platform skipped", () => {
  const df = [
    "# syntax=docker/dockerfile:1",
    "ARG REG=10.213.7.1:5000",
    "ARG APP",
    "FROM --platform=$BUILDPLATFORM ${REG}/wharf/platform-node:v1 AS build",
    "RUN echo hi",
    "FROM ${REG}/${APP:-app-a}:v1",
    "FROM build AS again",
    "FROM scratch",
    "FROM \\",
    "  $REG/app-c",
  ].join("\n");
  assert.deepEqual(
    dockerfileImages(df).map((i) => [i.ref, i.line]),
    [
      ["10.213.7.1:5000/wharf/platform-node:v1", 4],
      ["10.213.7.1:5000/app-a:v1", 6],
      ["10.213.7.1:5000/app-c", 9],
    ],
  );
  assert.equal(
    dockerfileImages(df, { APP: "app-b" })[1]!.ref,
    "10.213.7.1:5000/app-b:v1",
    "build args override defaults",
  );
});

test("COPY --from and RUN --mount from= count when they name an image, not a stage", () => {
  const df = [
    "FROM node:20 AS deps",
    "FROM node:20",
    "COPY --from=deps /a /a",
    "COPY --from=0 /b /b",
    "COPY --chown=1 --from=10.213.7.1:5000/app-a:v1 /app /app",
    "RUN --mount=type=bind,from=10.213.7.1:5000/app-d,target=/x true",
    "ADD --from=deps /c /c",
  ].join("\n");
  assert.deepEqual(
    dockerfileImages(df).map((i) => `${i.instruction} ${i.ref}`),
    [
      "FROM node:20",
      "FROM node:20",
      "COPY --from 10.213.7.1:5000/app-a:v1",
      "RUN --mount 10.213.7.1:5000/app-d",
    ],
  );
});

test("the escape directive and CRLF line ends are honoured; a FROM without image is a 400", () => {
  const df = "# escape=`\r\nFROM `\r\n 10.213.7.1:5000/app-a\r\n";
  assert.deepEqual(
    dockerfileImages(df).map((i) => i.ref),
    ["10.213.7.1:5000/app-a"],
  );
  assert.throws(() => dockerfileImages("FROM $NOTHING\n"), BadRequestError);
});
