// Teams the user belongs to (GET /teams), each with its members, pools and apps
// (GET /teams/{team}) on demand; creating and removing teams.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { api, errorText, list } from "../api/client";
import { can, type Me } from "../api/me";
import type { Pool, Team } from "../api/types";
import { Form } from "../components/form";
import { Empty, ErrorText, Loading, PageTitle, Section, Table } from "../components/ui";
import { href } from "../lib/router";
import { useResource } from "../lib/use-resource";

interface TeamInfo {
  name: string;
  users: Array<{ Email: string; Roles: Array<{ Name: string; ContextType: string; ContextValue: string }> }>;
  pools: Pool[];
  apps: Array<{ name: string }>;
}

function TeamDetails({ name }: { name: string }) {
  const info = useResource(
    async (signal) =>
      (await api<TeamInfo>("GET", `/teams/${encodeURIComponent(name)}`, undefined, { signal }))!,
    [name],
  );
  if (info.loading) return <Loading what={`team ${name}`} />;
  if (!info.data) return <ErrorText error={info.error} />;
  const t = info.data;
  return (
    <dl class="facts">
      <div>
        <dt>Members</dt>
        <dd>{t.users.length ? t.users.map((u) => u.Email).join(", ") : "none"}</dd>
      </div>
      <div>
        <dt>Pools</dt>
        <dd>{t.pools.length ? t.pools.map((p) => p.name).join(", ") : "none"}</dd>
      </div>
      <div>
        <dt>Apps</dt>
        <dd>
          {t.apps.length
            ? t.apps.map((a, i) => (
                <span key={a.name}>
                  {i ? ", " : ""}
                  <a href={href(`/apps/${encodeURIComponent(a.name)}`)}>{a.name}</a>
                </span>
              ))
            : "none"}
        </dd>
      </div>
    </dl>
  );
}

export function TeamsPage({ me }: { me: Me }) {
  const teams = useResource((signal) => list<Team>("/teams", signal), [], 0, true);
  const [open, setOpen] = useState("");
  const [error, setError] = useState("");
  const remove = async (name: string) => {
    if (!confirm(`Remove team ${name}? Only a team with no apps or instances can go.`)) return;
    setError("");
    try {
      await api("DELETE", `/teams/${encodeURIComponent(name)}`);
    } catch (e) {
      setError(errorText(e));
    }
    await teams.reload();
  };
  return (
    <div>
      <PageTitle title="Teams" />
      {teams.loading && !teams.data ? <Loading what="teams" /> : null}
      <ErrorText error={teams.error || error} />
      {teams.data?.length === 0 ? (
        <Empty title="You are in no team yet.">
          <p>Create one below; apps and service instances belong to teams.</p>
        </Empty>
      ) : null}
      {teams.data?.length ? (
        <Table caption="Teams" head={["Team", "Tags", "Actions"]}>
          {teams.data.map((t) => (
            <Fragment key={t.name}>
              <tr>
                <th scope="row">{t.name}</th>
                <td>{t.tags.length ? t.tags.join(", ") : "—"}</td>
                <td class="actions">
                  <button
                    type="button"
                    aria-expanded={open === t.name}
                    onClick={() => setOpen(open === t.name ? "" : t.name)}
                  >
                    {open === t.name ? "Hide" : "Members, pools and apps"}
                    <span class="sr-only"> of {t.name}</span>
                  </button>
                  {can(me, "team.delete", { type: "team", value: t.name }) ? (
                    <button type="button" class="danger" onClick={() => remove(t.name)}>
                      Remove<span class="sr-only"> team {t.name}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
              {open === t.name ? (
                <tr>
                  <td colSpan={3}>
                    <TeamDetails name={t.name} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </Table>
      ) : null}
      {can(me, "team.create") ? (
        <Section title="Create a team" id="add-team">
          <Form
            id="team-form"
            inline
            submit="Create team"
            busy="Creating…"
            fields={[{ name: "name", label: "Name", required: true, match: /team|name/i }]}
            onSubmit={async (v) => {
              await api("POST", "/teams", { name: String(v.name ?? "").trim() });
              await teams.reload();
            }}
          />
        </Section>
      ) : null}
    </div>
  );
}
