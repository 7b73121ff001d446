// One app: its header (status, address, team, platform), tabs for its units, deploys, live
// log, environment, domains and services. App info is polled so units changing in the
// background (healing, a deploy from the CLI) show up; every action reloads it at its end.
import { api } from "../api/client";
import type { Me } from "../api/me";
import type { AppInfo } from "../api/types";
import { Badge, ErrorText, Facts, Loading } from "../components/ui";
import { href } from "../lib/router";
import { useResource, type Resource } from "../lib/use-resource";
import { appStatus } from "../lib/app-status";
import { OverviewTab } from "./app/overview";
import { DeploysTab } from "./app/deploys";
import { LogsTab } from "./app/logs";
import { EnvTab } from "./app/env";
import { DomainsTab } from "./app/domains";
import { ServicesTab } from "./app/services";
import { useRouterAddress } from "./app/address";

const TABS: Array<[id: string, label: string]> = [
  ["overview", "Units & metrics"],
  ["deploys", "Deploys"],
  ["logs", "Live log"],
  ["env", "Environment"],
  ["domains", "Domains"],
  ["services", "Services"],
];

export interface AppTabProps {
  me: Me;
  app: AppInfo;
  info: Resource<AppInfo>;
}

/** The page's first GET (sent early with the user on a cold load). */
export const appRequest = (name: string) => `/apps/${encodeURIComponent(name)}`;

export function AppPage({ me, name, tab }: { me: Me; name: string; tab: string }) {
  const info = useResource(
    async (signal) => (await api<AppInfo>("GET", appRequest(name), undefined, { signal }))!,
    [name],
    4000,
    true,
  );
  const url = useRouterAddress(info.data);
  if (info.loading && !info.data) return <Loading what={`app ${name}`} />;
  if (!info.data)
    return (
      <div>
        <h1>{name}</h1>
        <ErrorText error={info.error} />
        <p>
          <a href={href("/apps")}>Back to the apps</a>
        </p>
      </div>
    );
  const app = info.data;
  const base = `/apps/${encodeURIComponent(app.name)}`;
  const props: AppTabProps = { me, app, info };
  return (
    <div>
      <div class="page-title">
        <h1>
          {app.name} <Badge status={appStatus(app)} />
        </h1>
        {url ? (
          <a class="button" href={url} target="_blank" rel="noopener noreferrer">
            Open {app.ip}
          </a>
        ) : null}
      </div>
      {app.description ? <p class="muted">{app.description}</p> : null}
      <Facts
        items={[
          [
            "Address",
            url ? (
              <a href={url} target="_blank" rel="noopener noreferrer">
                {url}
              </a>
            ) : (
              app.ip
            ),
          ],
          ["Platform", app.platform],
          ["Team", app.teamowner],
          ["Pool", app.pool],
          ["Plan", app.plan?.name],
          ["Deploys", String(app.deploys)],
        ]}
      />
      {app.capacity ? (
        <p class="warning" role="status">
          {app.capacity.missing} unit(s) are waiting for room in pool {app.pool}: {app.capacity.reason}
        </p>
      ) : null}
      {app.lock?.Locked ? (
        <p class="info" role="status">
          <span class="spinner" aria-hidden="true" /> {app.lock.Reason} by {app.lock.Owner} is running.
        </p>
      ) : null}
      <ErrorText error={info.error} />
      <nav class="tabs" aria-label={`Sections of ${app.name}`}>
        <ul>
          {TABS.map(([id, label]) => (
            <li key={id}>
              <a
                href={href(id === "overview" ? base : `${base}/${id}`)}
                aria-current={tab === id ? "page" : undefined}
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="tab-body">
        {tab === "overview" ? <OverviewTab {...props} routerUrl={url} /> : null}
        {tab === "deploys" ? <DeploysTab {...props} /> : null}
        {tab === "logs" ? <LogsTab {...props} /> : null}
        {tab === "env" ? <EnvTab {...props} /> : null}
        {tab === "domains" ? <DomainsTab {...props} /> : null}
        {tab === "services" ? <ServicesTab {...props} /> : null}
        {!TABS.some(([id]) => id === tab) ? <p>No such section: pick one above.</p> : null}
      </div>
    </div>
  );
}
