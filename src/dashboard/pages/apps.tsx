// Apps the user may read (GET /apps) with their units' status, address and last deploy
// (the newest app.deploy events), a search box and team/pool filters, and the create form.
import { useState } from "preact/hooks";
import { api, list, query } from "../api/client";
import { can, type Me } from "../api/me";
import type { AppSummary, EventRecord, Plan, Platform, Pool, Team } from "../api/types";
import { Form } from "../components/form";
import { Badge, Empty, ErrorText, Loading, PageTitle, Section, Table } from "../components/ui";
import { ago } from "../lib/format";
import { href, navigate } from "../lib/router";
import { useResource } from "../lib/use-resource";
import { appStatus, unitSummary } from "../lib/app-status";

interface Choices {
  platforms: Platform[];
  teams: Team[];
  pools: Pool[];
  plans: Plan[];
}

function CreateApp({ onCreated }: { onCreated(name: string): void }) {
  const c = useResource<Choices>(async (signal) => {
    const [platforms, teams, pools, plans] = await Promise.all([
      list<Platform>("/platforms", signal),
      list<Team>("/teams", signal),
      list<Pool>("/pools", signal),
      list<Plan>("/plans", signal),
    ]);
    return { platforms, teams, pools, plans };
  }, []);
  if (c.loading) return <Loading what="platforms, teams and pools" />;
  if (c.error) return <ErrorText error={c.error} />;
  const ch = c.data!;
  return (
    <Form
      id="create-app"
      submit="Create app"
      busy="Creating…"
      fields={[
        {
          name: "name",
          label: "Name",
          required: true,
          hint: "Lowercase letters, digits and dashes; it becomes part of the app's address.",
          match: /app name|name/i,
        },
        {
          name: "platform",
          label: "Platform",
          type: "select",
          options: ch.platforms.filter((p) => !p.Disabled).map((p) => p.Name),
          initial: ch.platforms.find((p) => !p.Disabled)?.Name ?? "",
        },
        {
          name: "teamOwner",
          label: "Team",
          type: "select",
          options: ch.teams.map((t) => t.name),
          initial: ch.teams[0]?.name ?? "",
          match: /team/i,
        },
        {
          name: "pool",
          label: "Pool",
          type: "select",
          options: [["", "default pool"], ...ch.pools.map((p): [string, string] => [p.name, p.name])],
        },
        {
          name: "plan",
          label: "Plan",
          type: "select",
          options: [["", "default plan"], ...ch.plans.map((p): [string, string] => [p.name, p.name])],
        },
        { name: "description", label: "Description" },
      ]}
      onSubmit={async (v) => {
        const name = String(v.name ?? "").trim();
        await api("POST", "/apps", {
          name,
          platform: String(v.platform ?? ""),
          teamOwner: String(v.teamOwner ?? ""),
          pool: String(v.pool ?? ""),
          plan: String(v.plan ?? ""),
          description: String(v.description ?? ""),
        });
        onCreated(name);
      }}
    />
  );
}

/** The list's GETs for a search and team filter (sent early with the user on a cold load). */
export function appsRequests(search = "", team = "") {
  return {
    apps: `/apps${query({ name: search || undefined, teamOwner: team || undefined })}`,
    deploys: `/events${query({ kindname: "app.deploy", "target.type": "app", limit: 200 })}`,
    teams: "/teams",
  };
}

export function AppsPage({ me }: { me: Me }) {
  const [search, setSearch] = useState("");
  const [team, setTeam] = useState("");
  const [creating, setCreating] = useState(false);
  const apps = useResource(
    async (signal) => {
      const paths = appsRequests(search, team);
      const [items, deploys] = await Promise.all([
        list<AppSummary>(paths.apps, signal),
        list<EventRecord>(paths.deploys, signal),
      ]);
      const last = new Map<string, EventRecord>();
      for (const e of deploys) if (!last.has(e.Target.Value)) last.set(e.Target.Value, e);
      return { items, last };
    },
    [search, team],
    5000,
    true,
  );
  const teams = useResource((signal) => list<Team>(appsRequests().teams, signal), []);
  const mayCreate = can(me, "app.create");

  return (
    <div>
      <PageTitle title="Apps">
        {mayCreate ? (
          <button
            type="button"
            class="primary"
            aria-expanded={creating}
            onClick={() => setCreating(!creating)}
          >
            {creating ? "Close" : "New app"}
          </button>
        ) : null}
      </PageTitle>
      {creating ? (
        <Section title="New app" id="new-app">
          <CreateApp onCreated={(name) => navigate(`/apps/${encodeURIComponent(name)}`)} />
        </Section>
      ) : null}
      <div class="filters" role="search">
        <label>
          Search
          <input
            type="search"
            value={search}
            placeholder="app name"
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Team
          <select value={team} onChange={(e) => setTeam((e.target as HTMLSelectElement).value)}>
            <option value="">all teams</option>
            {(teams.data ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {apps.loading && !apps.data ? <Loading what="apps" /> : null}
      <ErrorText error={apps.error} />
      {apps.data && apps.data.items.length === 0 ? (
        <Empty title={search || team ? "No app matches these filters." : "No apps yet."}>
          {mayCreate && !search && !team ? <p>Create one with “New app”, then deploy code to it.</p> : null}
        </Empty>
      ) : null}
      {apps.data && apps.data.items.length > 0 ? (
        <Table caption="Apps" head={["App", "Status", "Units", "Address", "Team", "Pool", "Last deploy"]}>
          {apps.data.items.map((a) => {
            const d = apps.data!.last.get(a.name);
            return (
              <tr key={a.name}>
                <th scope="row">
                  <a href={href(`/apps/${encodeURIComponent(a.name)}`)}>{a.name}</a>
                </th>
                <td>
                  <Badge status={appStatus(a)} />
                </td>
                <td>{unitSummary(a.units)}</td>
                <td>{a.ip || "—"}</td>
                <td>{a.teamowner}</td>
                <td>{a.pool}</td>
                <td>
                  {d
                    ? d.Error
                      ? `failed ${ago(d.StartTime)}`
                      : d.Running
                        ? "running now"
                        : ago(d.StartTime)
                    : "never"}
                </td>
              </tr>
            );
          })}
        </Table>
      ) : null}
    </div>
  );
}
