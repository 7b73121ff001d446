// A STAND-IN for the Kubernetes API server, for tests only. No kube-apiserver can be
// installed on this project's machines (Debian ships only kubectl, npm has none), so
// CI runs Wharf's Kubernetes adapter against this process; the acceptance check runs it
// against a real kube-apiserver 1.24 with etcd, and nothing here may be relied on that a
// real server would not do. It serves only the resources and verbs Wharf uses, with the
// real semantics where Wharf depends on them: HTTPS with a CA, client-certificate and
// bearer-token authentication, RBAC-style 403s, resourceVersion and 409 Conflict on a
// stale update, watches with bookmarks and 410 Gone, status and scale subresources,
// label and field selectors, strategic-merge / JSON merge / JSON patch (no server-side
// apply), namespaced and cluster-scoped resources, discovery answering as 1.24, and
// pods/log and pods/exec/attach (WebSocket v4.channel.k8s.io). It plays the controllers
// and kubelets only as far as tests need (controllers/): Deployments roll out through
// ReplicaSets, pods get loopback addresses (127.77.x.y) with real HTTP backends behind
// them, readiness probes are real HTTP requests, EndpointSlices follow pod readiness,
// image pull errors and crash loops come from a per-image table (images.ts).
// Files: store (objects and versions), watch (streams), registry (verb semantics),
// patch, selectors, http (routing), auth, discovery, exec, logs, runtime, controllers/.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { Authenticator, type Rule } from "./auth.js";
import { ControlPlane } from "./controllers/index.js";
import { ExecServer } from "./exec.js";
import { handleHttp, type HttpDeps } from "./http.js";
import { ImageTable } from "./images.js";
import { LogBook } from "./logs.js";
import { Registry } from "./registry.js";
import { resourceOfKind } from "./resources.js";
import { Store, type KObject } from "./store.js";
import { WatchHub } from "./watch.js";

export interface StandInOptions {
  host?: string;
  port?: number;
  /** Worker nodes to register (node-1 ... node-N), Ready, with kubernetes.io/hostname labels. */
  nodes?: number;
  bookmarkIntervalMs?: number;
  crashBackoffMs?: number;
  imagePullBackoffMs?: number;
  /** Where certificates and the kubeconfig go; a temporary directory by default. */
  dir?: string;
}

export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

export class KubeStandIn {
  readonly store = new Store();
  readonly registry = new Registry(this.store);
  readonly images = new ImageTable();
  readonly logs = new LogBook();
  readonly auth = new Authenticator();
  readonly watches: WatchHub;
  readonly control: ControlPlane;
  private server: Server | undefined;
  private exec: ExecServer | undefined;
  private readonly dir: string;
  private readonly ownsDir: boolean;
  url = "";
  credentials: ClientCredentials = { ca: "", cert: "", key: "" };
  /** A bearer token with every right (a cluster-admin service account's). */
  readonly adminToken = "stand-in-admin-" + Math.random().toString(36).slice(2);

  constructor(private readonly opts: StandInOptions = {}) {
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), "kube-stand-in-pki-"));
    this.ownsDir = opts.dir === undefined;
    this.watches = new WatchHub(this.store, opts.bookmarkIntervalMs ?? 1000);
    this.control = new ControlPlane(this.registry, this.images, this.logs, {
      crashBackoffMs: opts.crashBackoffMs ?? 10_000,
      imagePullBackoffMs: opts.imagePullBackoffMs ?? 1000,
    });
    this.auth.addToken(this.adminToken, {
      name: "system:serviceaccount:kube-system:admin",
      groups: ["system:serviceaccounts", "system:authenticated"],
    });
  }

  async start(): Promise<this> {
    const pki = new Pki(this.dir);
    const host = this.opts.host ?? "127.0.0.1";
    const server = await pki.issueServer("apiserver", {
      ips: [host, "127.0.0.1"],
      dns: ["localhost", "kubernetes.default.svc"],
    });
    const admin = await pki.issueClient("kubernetes-admin");
    this.credentials = {
      ca: readFileSync(pki.caCert, "utf8"),
      cert: readFileSync(admin.cert, "utf8"),
      key: readFileSync(admin.key, "utf8"),
    };
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"])
      this.registry.create(resourceOfKind("Namespace"), undefined, { metadata: { name: ns } });
    for (let i = 1; i <= (this.opts.nodes ?? 2); i++) this.addNode(`node-${i}`);
    const deps: HttpDeps = {
      record: (r) => this.requests.push(r),
      beforeServe: (method, t) => {
        const i = this.interferers.findIndex(
          (x) =>
            x.method === method &&
            x.resource === t.resource.plural &&
            x.name === t.name &&
            (x.subresource ?? undefined) === t.subresource,
        );
        if (i >= 0) this.interferers.splice(i, 1)[0]!.write();
      },
      registry: this.registry,
      auth: this.auth,
      watches: this.watches,
      logs: this.logs,
      serverAddress: () => new URL(this.url).host,
    };
    this.exec = new ExecServer(deps, this.control.kubelet);
    this.tls = {
      key: readFileSync(server.key),
      cert: readFileSync(server.cert),
      ca: readFileSync(pki.caCert),
    };
    this.deps = deps;
    await this.listen(this.opts.port ?? 0);
    this.control.start();
    return this;
  }

  private tls: { key: Buffer; cert: Buffer; ca: Buffer } | undefined;
  private deps: HttpDeps | undefined;

  private async listen(port: number): Promise<void> {
    const deps = this.deps!;
    const host = this.opts.host ?? "127.0.0.1";
    this.server = createServer({ ...this.tls!, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      void handleHttp(deps, req, res);
    });
    this.server.on("upgrade", (req, socket, head) => this.exec!.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address();
    this.url = `https://${host}:${typeof addr === "object" && addr ? addr.port : port}`;
  }

  /** Every request served so far (method, path, query, content type, status code). */
  readonly requests: import("./http.js").RequestRecord[] = [];
  private readonly interferers: {
    method: string;
    resource: string;
    name?: string;
    subresource?: string;
    write: () => void;
  }[] = [];

  /**
   * Test hook: before the next `method` request on `resource`/`name` is served, `write`
   * runs (another writer changing the object first), so that request meets a newer
   * resourceVersion, exactly as a concurrent update would make it. A create (POST to
   * the collection) has no name: pass undefined.
   */
  interfereOnce(
    method: string,
    resource: string,
    name: string | undefined,
    write: () => void,
    subresource?: string,
  ): void {
    this.interferers.push({
      method,
      resource,
      ...(name !== undefined ? { name } : {}),
      write,
      ...(subresource ? { subresource } : {}),
    });
  }

  /** The API server goes away (listener closed, connections cut); state is kept. */
  async disconnect(): Promise<void> {
    this.watches.cutAll();
    const s = this.server!;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.server = undefined;
  }

  /** The API server comes back on the same address with the same state. */
  async reconnect(): Promise<void> {
    await this.listen(Number(new URL(this.url).port));
  }

  /** Registers a Node as a kubelet would (Wharf never creates Nodes; it labels them). */
  addNode(name: string, labels: Record<string, string> = {}, address = "127.0.0.1"): KObject {
    const nodes = resourceOfKind("Node");
    // Created, then its status reported, as a kubelet registers itself.
    const { status, ...node } = {
      metadata: {
        name,
        labels: {
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          ...labels,
        },
      },
      spec: {},
      status: {
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            message: "kubelet is posting ready status",
            lastHeartbeatTime: new Date().toISOString(),
            lastTransitionTime: new Date().toISOString(),
          },
        ],
        addresses: [
          { type: "InternalIP", address },
          { type: "Hostname", address: name },
        ],
        nodeInfo: {
          kubeletVersion: "v1.24.17",
          containerRuntimeVersion: "stand-in://1",
          operatingSystem: "linux",
          architecture: "amd64",
        },
        capacity: { cpu: "2", memory: "8Gi", pods: "110" },
        allocatable: { cpu: "2", memory: "8Gi", pods: "110" },
      },
    };
    const created = this.registry.create(nodes, undefined, node);
    return this.registry.updateStatus(nodes, undefined, name, { ...created, status });
  }

  /** Adds a bearer token; with `rules` it may do only what they grant (RBAC-style). */
  addToken(token: string, name: string, rules?: Rule[]): void {
    this.auth.addToken(token, { name, groups: ["system:authenticated"], ...(rules ? { rules } : {}) });
  }

  /** Cuts every open watch connection, as a network failure between client and server would. */
  cutWatches(): number {
    return this.watches.cutAll();
  }

  /** Makes every open watch go silent while its connection stays open (a half-open connection). */
  stallWatches(): number {
    return this.watches.stallAll();
  }

  /** Compacts the history: resuming from any version before now answers 410 Gone. */
  compact(): number {
    return this.store.compact();
  }

  /** A kubeconfig for this server, with the admin client certificate or the given token. */
  kubeconfig(token?: string): string {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const user = token
      ? `    token: ${token}`
      : `    client-certificate-data: ${b64(this.credentials.cert)}\n    client-key-data: ${b64(this.credentials.key)}`;
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: stand-in",
      "  cluster:",
      `    server: ${this.url}`,
      `    certificate-authority-data: ${b64(this.credentials.ca)}`,
      "users:",
      "- name: stand-in-user",
      "  user:",
      user,
      "contexts:",
      "- name: stand-in",
      "  context:",
      "    cluster: stand-in",
      "    user: stand-in-user",
      "    namespace: default",
      "current-context: stand-in",
      "",
    ].join("\n");
  }

  async stop(): Promise<void> {
    this.watches.cutAll();
    this.exec?.close();
    await this.control.stop();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
