// One node (GET /node/{address}): health and its checks, metadata, the units it runs and
// what they reserve against its size, the node agent's last report, and enabling or
// disabling it (PUT /node) or changing its metadata. Polled: health changes in the background.
import { useState } from "preact/hooks";
import { api, errorText } from "../api/client";
import { can, type Me } from "../api/me";
import type { NodeCheck, NodeInfo } from "../api/types";
import { Form } from "../components/form";
import { Badge, Empty, ErrorText, Facts, Loading, Section, Table } from "../components/ui";
import { ago, bytes, dateTime } from "../lib/format";
import { href } from "../lib/router";
import { useResource } from "../lib/use-resource";
import { NodeState } from "./nodes";

/** Metadata Wharf keeps itself (not the operator's to edit). */
const OWN_METADATA = new Set(["pool", "LastSuccess"]);

function Checks({ checks }: { checks: readonly NodeCheck[] }) {
  if (checks.length === 0) return <p class="muted">No checks reported.</p>;
  return (
    <ul class="plain">
      {checks.map((c) => (
        <li key={c.Name}>
          <Badge status={c.Successful ? "ok" : "failed"} label={c.Successful ? "ok" : "failing"} /> {c.Name}
          {c.Err ? <span class="muted">: {c.Err}</span> : null}
        </li>
      ))}
    </ul>
  );
}

function Reserved({ info }: { info: NodeInfo }) {
  const r = info.reserved;
  if (!r) return null;
  const total = info.node.Memory;
  const share = total > 0 ? Math.min(1, r.memory / total) : 0;
  return (
    <div>
      <p>
        {r.units} unit{r.units === 1 ? " reserves" : "s reserve"} {bytes(r.memory)} of{" "}
        {total ? bytes(total) : "unknown"} memory
        {r.cpushare ? ` and ${r.cpushare} CPU shares` : ""}.
      </p>
      {total > 0 ? (
        <meter class="meter" min={0} max={1} value={share} aria-label="Memory reserved by units">
          {Math.round(share * 100)}%
        </meter>
      ) : null}
    </div>
  );
}

export function NodePage({ me, address }: { me: Me; address: string }) {
  const path = `/node/${encodeURIComponent(address)}`;
  const info = useResource(
    async (signal) => (await api<NodeInfo>("GET", path, undefined, { signal }))!,
    [address],
    4000,
    true,
  );
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  if (info.loading && !info.data) return <Loading what={`node ${address}`} />;
  if (!info.data)
    return (
      <div>
        <h1>{address}</h1>
        <ErrorText error={info.error} />
        <p>
          <a href={href("/nodes")}>Back to the nodes</a>
        </p>
      </div>
    );
  const { node, status, units, agent } = info.data;
  const mayUpdate = can(me, "node.update", { type: "pool", value: node.Pool });
  const toggle = async () => {
    setBusy(node.Disabled ? "Enabling…" : "Disabling…");
    setError("");
    try {
      await api("PUT", "/node", {
        Address: node.Address,
        ...(node.Disabled ? { Enable: true } : { Disable: true }),
      });
    } catch (e) {
      setError(errorText(e));
    }
    // The page shows the API's answer, never the state it asked for.
    await info.reload();
    setBusy("");
  };
  const metadata = Object.entries(node.Metadata ?? {}).filter(([k]) => !OWN_METADATA.has(k));
  const checks = status?.Checks?.[0]?.Checks ?? [];
  return (
    <div>
      <div class="page-title">
        <h1>
          {node.Name || node.Address} <NodeState node={node} />
        </h1>
        {mayUpdate ? (
          <button
            type="button"
            class={node.Disabled ? "primary" : "danger"}
            onClick={toggle}
            disabled={!!busy}
            aria-busy={!!busy}
          >
            {busy || (node.Disabled ? "Enable node" : "Disable node")}
          </button>
        ) : null}
      </div>
      <p class="muted" id="node-state-text" role="status">
        {node.Disabled
          ? "Disabled: it takes no new units, and its units move to the pool's other nodes."
          : "Enabled: it takes new units."}{" "}
        Health: {node.Health?.State || "unknown"}
        {node.Health?.Since ? ` since ${dateTime(node.Health.Since)}` : ""}.
      </p>
      <ErrorText error={error} />
      <ErrorText error={info.error} />
      <Facts
        items={[
          ["Address", <code>{node.Address}</code>],
          ["Pool", node.Pool],
          ["Provisioner", node.Provisioner],
          ["Status", node.Status],
          ["CPUs", node.Cpus ? String(node.Cpus) : ""],
          ["Memory", node.Memory ? bytes(node.Memory) : ""],
          ["Last success", ago(node.Health?.LastSuccess)],
          ["Failures", String(node.Health?.Failures ?? 0)],
        ]}
      />
      {node.Health?.LastError ? (
        <p class="warning">
          Last error {ago(node.Health.LastErrorAt)}: {node.Health.LastError}
        </p>
      ) : null}
      <Section title="Reservations" id="reservations">
        <Reserved info={info.data} />
      </Section>
      <Section title={`Units (${units.length})`} id="node-units">
        {units.length === 0 ? (
          <Empty title="No units on this node." />
        ) : (
          <Table caption="Units on this node" head={["Unit", "App", "Process", "Status", "Address"]}>
            {units.map((u) => (
              <tr key={u.ID || u.Name}>
                <th scope="row">{u.Name || u.ID}</th>
                <td>
                  <a href={href(`/apps/${encodeURIComponent(u.AppName)}`)}>{u.AppName}</a>
                </td>
                <td>{u.ProcessName}</td>
                <td>
                  <Badge status={u.Status} />
                </td>
                <td>{u.Address?.Host ?? "—"}</td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section title="Health checks" id="checks">
        <p class="muted">Last update {ago(status?.LastUpdate)}.</p>
        <Checks checks={checks} />
      </Section>
      <Section title="Node agent" id="agent">
        {agent ? (
          <>
            <Facts
              items={[
                ["Container", agent.Container],
                ["Last report", ago(agent.LastReport)],
                ["Units reported", String(agent.Units)],
              ]}
            />
            <Checks checks={agent.Checks ?? []} />
          </>
        ) : (
          <Empty title="No agent reports from this node.">
            <p>
              Run <code>wharf node container add wharf-agent</code> to have an agent report its units and
              checks.
            </p>
          </Empty>
        )}
      </Section>
      <Section title="Metadata" id="metadata">
        {metadata.length === 0 ? <p class="muted">No metadata.</p> : null}
        {metadata.length ? <Facts items={metadata.map(([k, v]): [string, string] => [k, v])} /> : null}
        {mayUpdate ? (
          <Form
            id="node-metadata"
            inline
            submit="Set"
            busy="Setting…"
            fields={[
              { name: "key", label: "Key", required: true, match: /key|metadata/i },
              { name: "value", label: "Value (empty removes it)", match: /value/i },
            ]}
            onSubmit={async (v) => {
              await api("PUT", "/node", {
                Address: node.Address,
                [`Metadata.${String(v.key ?? "").trim()}`]: String(v.value ?? ""),
              });
              await info.reload();
            }}
          />
        ) : null}
      </Section>
    </div>
  );
}
