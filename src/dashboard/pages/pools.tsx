// Pools the user's teams may use (GET /pools): their teams, provisioner and allowed
// plans/routers/services, their nodes (for node readers), and for operators adding and
// removing pools and the teams allowed on them.
import { api, errorText, list, query } from "../api/client";
import { can, canGlobally, type Me } from "../api/me";
import type { NodeView, Pool } from "../api/types";
import { Form } from "../components/form";
import { Badge, Empty, ErrorText, Loading, PageTitle, Section } from "../components/ui";
import { useResource } from "../lib/use-resource";
import { useState } from "preact/hooks";
import { loadNodes, nodeHref, NodeState } from "./nodes";

function PoolCard({
  pool,
  nodes,
  me,
  reload,
}: {
  pool: Pool;
  nodes: NodeView[] | null;
  me: Me;
  reload(): Promise<void>;
}) {
  const [error, setError] = useState("");
  const mayUpdate = can(me, "pool.update", { type: "pool", value: pool.name });
  const act = async (fn: () => Promise<unknown>) => {
    setError("");
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    }
    await reload();
  };
  const base = `/pools/${encodeURIComponent(pool.name)}`;
  const allowed = Object.entries(pool.allowed ?? {}).filter(([k]) => k !== "team");
  return (
    <Section
      title={pool.name}
      id={`pool-${pool.name}`}
      actions={
        <>
          {pool.default ? <Badge status="ok" label="default" /> : null}{" "}
          {pool.public ? <Badge status="info" label="public" /> : null}
        </>
      }
    >
      <dl class="facts">
        <div>
          <dt>Provisioner</dt>
          <dd>{pool.provisioner || "docker"}</dd>
        </div>
        <div>
          <dt>Teams</dt>
          <dd>{pool.public ? "every team (public)" : pool.teams.length ? pool.teams.join(", ") : "none"}</dd>
        </div>
        {allowed.map(([k, v]) => (
          <div key={k}>
            <dt>Allowed {k}s</dt>
            <dd>{v.length ? v.join(", ") : "any"}</dd>
          </div>
        ))}
      </dl>
      {nodes ? (
        nodes.length ? (
          <ul class="plain" aria-label={`Nodes of ${pool.name}`}>
            {nodes.map((n) => (
              <li key={n.Address}>
                <a href={nodeHref(n.Address)}>{n.Name || n.Address}</a> <NodeState node={n} />
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No nodes in this pool.</p>
        )
      ) : null}
      <ErrorText error={error} />
      {mayUpdate ? (
        <div class="button-row">
          {pool.teams.map((t) => (
            <button
              type="button"
              key={t}
              onClick={() => act(() => api("DELETE", `${base}/team${query({ team: t })}`))}
            >
              Remove team {t}
            </button>
          ))}
          <button
            type="button"
            class="danger"
            onClick={() => {
              if (confirm(`Remove pool ${pool.name}?`)) void act(() => api("DELETE", base));
            }}
          >
            Remove pool<span class="sr-only"> {pool.name}</span>
          </button>
        </div>
      ) : null}
      {mayUpdate ? (
        <Form
          id={`pool-team-${pool.name}`}
          inline
          submit="Allow team"
          busy="Adding…"
          fields={[{ name: "team", label: "Team", required: true, match: /team/i }]}
          onSubmit={async (v) => {
            await api("POST", `${base}/team`, { team: [String(v.team ?? "").trim()] });
            await reload();
          }}
        />
      ) : null}
    </Section>
  );
}

export function PoolsPage({ me }: { me: Me }) {
  const readsNodes = can(me, "node.read");
  const data = useResource(
    async (signal) => {
      const [pools, nodes] = await Promise.all([
        list<Pool>("/pools", signal),
        readsNodes ? loadNodes(signal).catch(() => null) : Promise.resolve(null),
      ]);
      return { pools, nodes };
    },
    [readsNodes],
    10_000,
    true,
  );
  const mayCreate = canGlobally(me, "pool.create");
  return (
    <div>
      <PageTitle title="Pools" />
      {data.loading && !data.data ? <Loading what="pools" /> : null}
      <ErrorText error={data.error} />
      {data.data && data.data.pools.length === 0 ? <Empty title="No pools your teams may use." /> : null}
      {data.data?.pools.map((p) => (
        <PoolCard
          key={p.name}
          pool={p}
          me={me}
          reload={data.reload}
          nodes={data.data!.nodes ? data.data!.nodes.filter((n) => n.Pool === p.name) : null}
        />
      ))}
      {mayCreate ? (
        <Section title="Add a pool" id="add-pool">
          <Form
            id="pool-form"
            submit="Add pool"
            busy="Adding…"
            fields={[
              { name: "name", label: "Name", required: true, match: /name|pool/i },
              {
                name: "provisioner",
                label: "Provisioner",
                type: "select",
                options: [
                  ["", "docker (default)"],
                  ["swarm", "swarm"],
                  ["kubernetes", "kubernetes"],
                ],
                match: /provisioner/i,
              },
              { name: "public", label: "Public (every team may use it)", type: "checkbox" },
              { name: "default", label: "Default pool", type: "checkbox" },
              { name: "force", label: "Replace the current default", type: "checkbox" },
            ]}
            onSubmit={async (v) => {
              await api("POST", "/pools", {
                name: String(v.name ?? "").trim(),
                provisioner: String(v.provisioner ?? "") || undefined,
                public: v.public === true,
                default: v.default === true,
                force: v.force === true,
              });
              await data.reload();
            }}
          />
        </Section>
      ) : null}
    </div>
  );
}
