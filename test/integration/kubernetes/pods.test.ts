// Pods through the adapter against the stand-in: log follow, the API server's 400 for
// a container not started yet, exec with a TTY (size, resize, output, exit code),
// exec with stdin and separate stderr, attach to a process, secrets as env.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import { startStandIn, waitFor, webDeployment } from "../../support/kube/fixture.js";

let env: Awaited<ReturnType<typeof startStandIn>>;
const ns = "pods";
let pod = "";

before(async () => {
  env = await startStandIn();
  await env.cluster.namespaces.ensure(ns, "wharf-test");
  await env.cluster.deployments.apply(ns, webDeployment("app", "img:v1", { replicas: 1 }));
  assert.equal((await env.cluster.deployments.rollout(ns, "app", { timeoutMs: 60_000 })).phase, "complete");
  pod = (await env.cluster.pods.list(ns, "tsuru.io/app-name=app"))[0]!.metadata!.name!;
});
after(() => env.stop());

function collect() {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d.toString()));
  return { out, text: () => text };
}

test("log follow streams lines as the container writes them and ends when the pod goes", async () => {
  const { cluster } = env;
  const [p] = await cluster.pods.list(ns, "tsuru.io/app-name=app");
  const stream = await cluster.pods.logs(ns, pod, { follow: true });
  let text = "";
  stream.on("data", (d: Buffer) => (text += d.toString()));
  const ended = new Promise<void>((r) => stream.on("end", () => r()));
  await waitFor("the startup line", () => text.includes(`serving HTTP on ${p!.status!.podIP}:8888`));
  await fetch(`http://${p!.status!.podIP}:8888/followed-${Date.now()}`);
  await waitFor("the request's line", () => /GET \/followed-\d+ 200/.test(text));
  const tail = await cluster.pods.logs(ns, pod, { tailLines: 1 });
  let last = "";
  for await (const c of tail) last += c;
  assert.match(last, /^GET \/followed-\d+ 200\n$/, "tailLines 1 gives the last line only");
  await cluster.pods.remove(ns, pod, 0);
  await ended;
  await waitFor("the replacement pod", async () => {
    const ps = await cluster.pods.summaries(ns, "tsuru.io/app-name=app");
    return ps.length === 1 && ps[0]!.name !== pod && ps[0]!.ready && (pod = ps[0]!.name);
  });
});

test("logs of a container that has not started are a 400 with the API server's reason", async () => {
  const { cluster, standIn } = env;
  standIn.images.set("img:never", { pull: "not-found" });
  await cluster.deployments.apply(ns, webDeployment("stuck", "img:never", { replicas: 1 }));
  const p = await waitFor(
    "the stuck pod",
    async () => (await cluster.pods.list(ns, "tsuru.io/app-name=stuck"))[0]?.metadata?.name,
  );
  await waitFor("a pull failure", async () =>
    (await cluster.pods.summaries(ns, "tsuru.io/app-name=stuck"))[0]?.reason?.includes("Image"),
  );
  await assert.rejects(cluster.pods.logs(ns, p), (e: Error & { status?: number }) => {
    assert.equal(e.status, 400);
    assert.match(e.message, /is waiting to start: trying and failing to pull image/);
    return true;
  });
  await cluster.deployments.remove(ns, "stuck");
});

test("exec with a TTY: the program sees the terminal and its size, a resize reaches it, the exit code comes back", async () => {
  const { cluster } = env;
  const { out, text } = collect();
  const stdin = new PassThrough();
  const s = await cluster.execs.exec({
    namespace: ns,
    pod,
    container: "app-web",
    command: ["sh", "-c", "tty -s && echo on-a-tty; stty size; read line; stty size; exit 3"],
    stdin,
    stdout: out,
    tty: true,
    size: { cols: 100, rows: 30 },
  });
  await waitFor("the first size", () => text().includes("30 100"));
  assert.match(text(), /on-a-tty/);
  s.resize({ cols: 132, rows: 43 });
  stdin.write("go\r");
  assert.equal(await s.exitCode, 3);
  assert.match(text(), /43 132/);
});

test("exec without a TTY: stdin in, stdout and stderr apart, exit code 0, the container's env", async () => {
  const { cluster } = env;
  const o = collect();
  const e = collect();
  const stdin = new PassThrough();
  const s = await cluster.execs.exec({
    namespace: ns,
    pod,
    container: "app-web",
    command: ["sh", "-c", 'read x; echo "got:$x host:$HOSTNAME"; echo oops >&2'],
    stdin,
    stdout: o.out,
    stderr: e.out,
  });
  stdin.end("hello\n");
  assert.equal(await s.exitCode, 0);
  assert.equal(o.text(), `got:hello host:${pod}\n`);
  assert.equal(e.text(), "oops\n");
});

test("exec of a missing program is an error that says so, not an exit code", async () => {
  const s = await env.cluster.execs.exec({
    namespace: ns,
    pod,
    container: "app-web",
    command: ["no-such-program"],
    stdout: collect().out,
  });
  await assert.rejects(s.exitCode, /executable file not found in \$PATH/);
});

test("attach to a run-once pod's process: stdin reaches it, its output and exit code come back", async () => {
  const { cluster, standIn } = env;
  standIn.images.set("img:runner", { run: "command" });
  await cluster.secrets.apply(ns, "run-env", { TOKEN: "s3cret" });
  standIn.registry.create((await import("../../support/kube/resources.js")).resourceOfKind("Pod"), ns, {
    metadata: { name: "isolated-run" },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: "run",
          image: "img:runner",
          stdin: true,
          stdinOnce: true,
          command: ["sh", "-c", 'read x; echo "got:$x token:$TOKEN"; exit 4'],
          env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "run-env", key: "TOKEN" } } }],
        },
      ],
    },
  });
  await waitFor(
    "running",
    async () =>
      (await cluster.pods.summaries(ns)).find((p) => p.name === "isolated-run")?.phase === "Running",
  );
  const o = collect();
  const stdin = new PassThrough();
  const s = await cluster.execs.attach({
    namespace: ns,
    pod: "isolated-run",
    container: "run",
    stdin,
    stdout: o.out,
    stderr: collect().out,
  });
  stdin.write("hi\n");
  assert.equal(await s.exitCode, 4);
  assert.match(o.text(), /got:hi token:s3cret/, "the secret reached the process as env");
});
