// Build containers trust the configured CA bundle. The cluster registry's certificate comes
// from Wharf's private CA, just as a TLS-inspecting proxy's would: an HTTPS fetch to it from
// inside a build fails without the bundle and succeeds with it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { buildContextTar } from "../../../src/build/context.js";
import {
  buildCaBundlePath,
  caBundleContextFile,
  DEFAULT_BUILD_CA_BUNDLE,
  injectCaBundle,
  loadCaBundle,
} from "../../../src/build/ca-bundle.js";
import { followProgress, pullImage } from "../../support/engines.js";
import { nodeClient, testLayout } from "../../support/dev-cluster.js";

const l = testLayout();

describe("build CA bundle", () => {
  let info: DevClusterInfo;
  let dir: string;

  before(async () => {
    info = await up(1, l);
    dir = mkdtempSync(join(tmpdir(), "wharf-ca-"));
    await pullImage(nodeClient(info, 0), info.baseImage!);
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await down(l);
  });

  async function build(dockerfile: string, bundle?: Buffer): Promise<string> {
    const files = [{ name: "Dockerfile", content: bundle ? injectCaBundle(dockerfile) : dockerfile }];
    if (bundle) files.push(caBundleContextFile(bundle) as { name: string; content: string });
    const docker = nodeClient(info, 0);
    const out: string[] = [];
    const stream = await docker.buildImage(Readable.from([await buildContextTar(files)]), {
      t: `wharf-test/ca:${Date.now()}`,
      rm: true,
      forcerm: true,
    });
    try {
      await followProgress(docker, stream, (line) => out.push(line));
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${out.join("\n")}`);
    }
    return out.join("\n");
  }

  const fetchThroughTls = () =>
    `FROM ${info.baseImage}\nRUN /usr/lib/apt/apt-helper download-file https://${info.registry}/v2/ /tmp/v2 && cat /tmp/v2\n`;

  test("defaults to the host's system bundle and is overridable by WHARF_BUILD_CA_BUNDLE", () => {
    assert.equal(buildCaBundlePath({}), DEFAULT_BUILD_CA_BUNDLE);
    assert.equal(buildCaBundlePath({ WHARF_BUILD_CA_BUNDLE: "/etc/wharf/ca.pem" }), "/etc/wharf/ca.pem");
  });

  test("an HTTPS fetch to a server signed by a private CA fails in a build without the bundle", async () => {
    await assert.rejects(build(fetchThroughTls()), /Certificate verification failed|not trusted/i);
  });

  test("the same fetch succeeds when the configured bundle includes that CA", async () => {
    const bundlePath = join(dir, "bundle.pem");
    writeFileSync(
      bundlePath,
      Buffer.concat([readFileSync(DEFAULT_BUILD_CA_BUNDLE), readFileSync(info.tls.ca)]),
    );
    const bundle = await loadCaBundle(buildCaBundlePath({ WHARF_BUILD_CA_BUNDLE: bundlePath }));
    const log = await build(fetchThroughTls(), bundle);
    assert.match(log, /\{\}/, "the registry's /v2/ answer must be printed by the build step");
  });

  test("a bundle path that is missing or holds no certificate is refused with a sentence saying what to set", async () => {
    await assert.rejects(loadCaBundle(join(dir, "absent.pem")), /set WHARF_BUILD_CA_BUNDLE/);
    writeFileSync(join(dir, "empty.pem"), "not a certificate");
    await assert.rejects(loadCaBundle(join(dir, "empty.pem")), /holds no PEM certificate/);
  });
});
