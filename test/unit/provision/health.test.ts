// waitHealthy's semantics (tsuru's deploy healthcheck) against real loopback servers: what
// passes, what is retried, what fails at once, and what the error carries.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { BadRequestError } from "../../../src/domain/errors.js";
import { healthcheckPath, UnitUnhealthyError, waitHealthy } from "../../../src/provision/docker/health.js";

/** An address nothing listens on (a port just freed). */
async function refusedAddress(): Promise<string> {
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return `127.0.0.1:${port}`;
}

type Handler = (req: IncomingMessage) => { status: number; body?: string; headers?: Record<string, string> };

describe("waitHealthy", () => {
  let server: Server;
  let address: string;
  let handler: Handler = () => ({ status: 200 });
  const seen: IncomingMessage[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      const a = handler(req);
      res.writeHead(a.status, a.headers);
      res.end(a.body ?? "");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const fast = { unitId: "shop-web-1", intervalMs: 20 };

  test("without a healthcheck path a TCP connect that stays open is healthy", async () => {
    const lines: string[] = [];
    await waitHealthy({ ...fast, address, timeoutMs: 2000, log: (l) => lines.push(l) });
    assert.deepEqual(lines, [" ---> healthcheck successful(shop-web-1)"]);
  });

  test("a port nothing listens on is retried until the deadline, then fails with the last connection error", async () => {
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    let checks = 0;
    await assert.rejects(
      waitHealthy({
        ...fast,
        address: `127.0.0.1:${port}`,
        timeoutMs: 300,
        containerExited: async () => (checks++, false),
      }),
      (e: unknown) =>
        e instanceof UnitUnhealthyError && /no healthy answer within .*ECONNREFUSED/.test(e.message),
    );
    assert.ok(checks > 1, "it retried");
  });

  test("attempts come every 10 ms at first while the container exit check runs at most every 200 ms", async () => {
    let attempts = 0;
    const closer = createTcpServer((s) => (attempts++, s.destroy()));
    await new Promise<void>((r) => closer.listen(0, "127.0.0.1", r));
    let checks = 0;
    await assert.rejects(
      waitHealthy({
        ...fast,
        address: `127.0.0.1:${(closer.address() as AddressInfo).port}`,
        timeoutMs: 600,
        containerExited: async () => (checks++, false),
      }),
      UnitUnhealthyError,
    );
    closer.close();
    assert.ok(checks >= 1 && checks <= 4, `exit checks: ${checks}`);
    assert.ok(attempts > 2 * checks, `attempts ${attempts} outnumber exit checks ${checks}`);
  });

  test("a listener that closes every connection at once (a proxy with no backend) is not healthy", async () => {
    const closer = createTcpServer((s) => s.destroy());
    await new Promise<void>((r) => closer.listen(0, "127.0.0.1", r));
    const addr = `127.0.0.1:${(closer.address() as AddressInfo).port}`;
    await assert.rejects(
      waitHealthy({ ...fast, address: addr, timeoutMs: 300 }),
      (e: unknown) => e instanceof UnitUnhealthyError && /closed the connection/.test(e.message),
    );
    closer.close();
  });

  test("the HTTP check requests the trimmed path with the method upper-cased and the given headers", async () => {
    seen.length = 0;
    handler = () => ({ status: 200 });
    await waitHealthy({
      ...fast,
      address,
      healthcheck: { path: "  //status/ready ", method: "head", headers: { "x-probe": "wharf" } },
      timeoutMs: 2000,
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, "/status/ready");
    assert.equal(seen[0]!.method, "HEAD");
    assert.equal(seen[0]!.headers["x-probe"], "wharf");
  });

  test("the expected status is 200 by default and exact: a redirect is not followed and fails at once", async () => {
    seen.length = 0;
    handler = () => ({ status: 302, headers: { location: "/elsewhere" } });
    await assert.rejects(
      waitHealthy({ ...fast, address, healthcheck: { path: "/" }, timeoutMs: 5000 }),
      /wrong status code, expected 200, got: 302/,
    );
    assert.equal(seen.length, 1, "no retry, no redirect followed");
    await waitHealthy({ ...fast, address, healthcheck: { path: "/", status: 302 }, timeoutMs: 2000 });
  });

  test("allowed_failures tolerates that many wrong answers and no more", async () => {
    let n = 0;
    handler = () => ({ status: n++ < 2 ? 500 : 200 });
    const retries: string[] = [];
    await waitHealthy({
      ...fast,
      address,
      healthcheck: { path: "/", allowedFailures: 2 },
      timeoutMs: 5000,
      log: (l) => retries.push(l),
    });
    assert.equal(n, 3);
    assert.match(
      retries[0]!,
      /healthcheck fail\(shop-web-1\): wrong status code, expected 200, got: 500\. Trying again/,
    );
    n = 0;
    await assert.rejects(
      waitHealthy({ ...fast, address, healthcheck: { path: "/", allowedFailures: 1 }, timeoutMs: 5000 }),
      /got: 500/,
    );
    assert.equal(n, 2);
  });

  test("match requires the body to match the expression, across lines", async () => {
    handler = () => ({ status: 200, body: "db: ok\nqueue: WORKING\n" });
    await waitHealthy({
      ...fast,
      address,
      healthcheck: { path: "/", match: "ok.*WORKING" },
      timeoutMs: 2000,
    });
    await assert.rejects(
      waitHealthy({ ...fast, address, healthcheck: { path: "/", match: "^ALL GOOD$" }, timeoutMs: 2000 }),
      /unexpected result, expected "\^ALL GOOD\$"/,
    );
  });

  test("an exited container fails at its first check, and the error names the unit and shows its last log lines", async () => {
    let attempts = 0;
    await assert.rejects(
      waitHealthy({
        ...fast,
        address: await refusedAddress(),
        healthcheck: { path: "/" },
        timeoutMs: 60_000,
        containerExited: async () => (attempts++, true),
        lastLogs: async () => ["listening on 8888", "Error: cannot find module 'express'"],
      }),
      (e: unknown) => {
        assert.ok(e instanceof UnitUnhealthyError);
        assert.equal(e.status, 400);
        assert.match(
          e.message,
          /^unit shop-web-1 did not become healthy: its container exited \(last check: .*ECONNREFUSED.*\)\n/,
        );
        assert.match(
          e.message,
          /last log lines of unit shop-web-1:\n {2}listening on 8888\n {2}Error: cannot find module 'express'$/,
        );
        return true;
      },
    );
    assert.equal(attempts, 1, "the first exit check ends the wait");
  });

  test("the first attempt comes before any exit check: a unit answering at once is healthy", async () => {
    let checks = 0;
    await waitHealthy({
      ...fast,
      address,
      healthcheck: { path: "/" },
      timeoutMs: 2000,
      containerExited: async () => (checks++, true),
    });
    assert.equal(checks, 0);
  });

  test("logs that cannot be read are reported as such instead of hiding the failure", async () => {
    await assert.rejects(
      waitHealthy({
        ...fast,
        address: await refusedAddress(),
        containerExited: async () => true,
        lastLogs: () => Promise.reject(new Error("node unreachable")),
      }),
      /its logs could not be read: node unreachable/,
    );
  });

  test("cancelling through the signal stops the wait with the signal's reason", async () => {
    const ac = new AbortController();
    const p = waitHealthy({ ...fast, address: "127.0.0.1:1", timeoutMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error("deploy cancelled")), 50);
    await assert.rejects(p, /deploy cancelled/);
  });

  test("invalid healthchecks and addresses are 400s that say what is wrong", async () => {
    const bad: Array<[object, RegExp]> = [
      [{ status: 42 }, /status must be an HTTP status/],
      [{ method: "GET /x" }, /not an HTTP method/],
      [{ scheme: "ftp" }, /scheme must be http or https/],
      [{ allowedFailures: -1 }, /allowed_failures/],
      [{ timeoutSeconds: 1.5 }, /timeout_seconds/],
      [{ match: "(" }, /not a valid regular expression/],
      [{ path: "/a b" }, /must not contain spaces/],
    ];
    for (const [hc, msg] of bad) {
      await assert.rejects(
        waitHealthy({ ...fast, address, healthcheck: hc }),
        (e: unknown) => e instanceof BadRequestError && msg.test(e.message),
        JSON.stringify(hc),
      );
    }
    await assert.rejects(waitHealthy({ ...fast, address: "nohost" }), /must be written as ip:port/);
  });
});

test("healthcheck paths: empty or blank means no HTTP check; leading slashes and spaces are trimmed", () => {
  assert.equal(healthcheckPath(undefined), null);
  assert.equal(healthcheckPath({}), null);
  assert.equal(healthcheckPath({ path: "   " }), null);
  assert.equal(healthcheckPath({ path: "/" }), "");
  assert.equal(healthcheckPath({ path: " /health " }), "health");
});
