// Nodes the user may read (GET /node): health, pool, status, size and whether they take new
// units, polled so a node going unhealthy shows without a reload; a pool filter.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Me } from "../api/me";
import type { NodeView } from "../api/types";
import { Badge, Empty, ErrorText, Loading, PageTitle, Table } from "../components/ui";
import { ago, bytes } from "../lib/format";
import { href } from "../lib/router";
import { useResource } from "../lib/use-resource";

export async function loadNodes(signal?: AbortSignal): Promise<NodeView[]> {
  const body = await api<{ nodes?: NodeView[] }>("GET", "/node", undefined, signal ? { signal } : {});
  return body?.nodes ?? [];
}

export const nodeHref = (address: string) => href(`/nodes/${encodeURIComponent(address)}`);

/** "healthy", "unhealthy", ... and "disabled" when it takes no new units. */
export function NodeState({ node }: { node: NodeView }) {
  return (
    <>
      <Badge status={node.Health?.State || node.Status || "unknown"} />{" "}
      {node.Disabled ? <Badge status="disabled" /> : null}
    </>
  );
}

export function NodesPage(_: { me: Me }) {
  const [pool, setPool] = useState("");
  const nodes = useResource(loadNodes, [], 5000, true);
  const pools = [...new Set((nodes.data ?? []).map((n) => n.Pool))].sort();
  const shown = (nodes.data ?? []).filter((n) => !pool || n.Pool === pool);
  return (
    <div>
      <PageTitle title="Nodes" />
      {pools.length > 1 ? (
        <div class="filters">
          <label>
            Pool
            <select value={pool} onChange={(e) => setPool((e.target as HTMLSelectElement).value)}>
              <option value="">all pools</option>
              {pools.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
        </div>
      ) : null}
      {nodes.loading && !nodes.data ? <Loading what="nodes" /> : null}
      <ErrorText error={nodes.error} />
      {nodes.data && shown.length === 0 ? (
        <Empty title="No nodes.">
          <p>
            Register a Docker engine with{" "}
            <code>wharf node add address=https://HOST:2376 pool=POOL --register</code>.
          </p>
        </Empty>
      ) : null}
      {shown.length ? (
        <Table caption="Nodes" head={["Node", "State", "Pool", "Address", "CPUs", "Memory", "Last seen"]}>
          {shown.map((n) => (
            <tr key={n.Address} data-node={n.Address}>
              <th scope="row">
                <a href={nodeHref(n.Address)}>{n.Name || n.Address}</a>
              </th>
              <td>
                <NodeState node={n} />
              </td>
              <td>{n.Pool}</td>
              <td>
                <code>{n.Address}</code>
              </td>
              <td>{n.Cpus || "—"}</td>
              <td>{n.Memory ? bytes(n.Memory) : "—"}</td>
              <td>{ago(n.Health?.LastSuccess)}</td>
            </tr>
          ))}
        </Table>
      ) : null}
    </div>
  );
}
