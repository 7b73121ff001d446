// Services and their instances the user may see (GET /services/instances): creating an
// instance for a team, removing one (its removal streams), and the apps each is bound to.
import { api, list, query } from "../api/client";
import { can, type Me } from "../api/me";
import { runStream } from "../api/streams";
import type { Team } from "../api/types";
import { Form } from "../components/form";
import { OperationView, useOperation } from "../components/operation";
import { Empty, ErrorText, Loading, PageTitle, Section, Table } from "../components/ui";
import { href } from "../lib/router";
import { useResource } from "../lib/use-resource";
import type { ServiceEntry } from "./app/services";

interface ServicePlan {
  Name: string;
  Description: string;
}

export function ServicesPage({ me }: { me: Me }) {
  const data = useResource(
    async (signal) => {
      const [services, teams] = await Promise.all([
        list<ServiceEntry>("/services/instances", signal),
        list<Team>("/teams", signal),
      ]);
      return { services, teams };
    },
    [],
    10_000,
    true,
  );
  const op = useOperation(() => data.reload());
  const services = data.data?.services ?? [];
  const instances = services.flatMap((s) => s.service_instances);
  const mayCreate = can(me, "service-instance.create");
  return (
    <div>
      <PageTitle title="Services" />
      <OperationView op={op} />
      {data.loading && !data.data ? <Loading what="services" /> : null}
      <ErrorText error={data.error} />
      {data.data && services.length === 0 ? <Empty title="No services are offered to your teams." /> : null}
      {services.length ? (
        <Section title="Instances" id="instances">
          {instances.length === 0 ? (
            <Empty title="No service instances yet.">
              <p>Create one below, then bind it to an app from the app's Services section.</p>
            </Empty>
          ) : (
            <Table
              caption="Service instances"
              head={["Instance", "Service", "Plan", "Team", "Bound apps", "Actions"]}
            >
              {instances.map((i) => (
                <tr key={`${i.ServiceName}/${i.Name}`}>
                  <th scope="row">{i.Name}</th>
                  <td>{i.ServiceName}</td>
                  <td>{i.PlanName || "—"}</td>
                  <td>{i.TeamOwner}</td>
                  <td>
                    {i.Apps.length
                      ? i.Apps.map((a, n) => (
                          <span key={a}>
                            {n ? ", " : ""}
                            <a href={href(`/apps/${encodeURIComponent(a)}/services`)}>{a}</a>
                          </span>
                        ))
                      : "none"}
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      class="danger"
                      disabled={op.state === "running"}
                      onClick={() => {
                        if (
                          confirm(
                            `Remove instance ${i.Name} of ${i.ServiceName}, unbinding it from its apps?`,
                          )
                        )
                          void op.run(`Removing ${i.Name}`, (say) =>
                            runStream(
                              "DELETE",
                              `/services/${encodeURIComponent(i.ServiceName)}/instances/${encodeURIComponent(i.Name)}${query({ unbindall: true })}`,
                              undefined,
                              say,
                            ),
                          );
                      }}
                    >
                      Remove<span class="sr-only"> {i.Name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </Section>
      ) : null}
      {mayCreate && services.length ? (
        <CreateInstance
          services={services.map((s) => s.service)}
          teams={data.data?.teams ?? []}
          reload={data.reload}
        />
      ) : null}
    </div>
  );
}

function CreateInstance({
  services,
  teams,
  reload,
}: {
  services: string[];
  teams: Team[];
  reload(): Promise<void>;
}) {
  const plans = useResource(
    async (signal) => {
      const out: Record<string, ServicePlan[]> = {};
      for (const s of services)
        out[s] =
          (await api<ServicePlan[]>("GET", `/services/${encodeURIComponent(s)}/plans`, undefined, {
            signal,
          }).catch(() => null)) ?? [];
      return out;
    },
    [services.join(",")],
  );
  const planOptions = Object.entries(plans.data ?? {}).flatMap(([s, ps]) =>
    ps.map((p): [string, string] => [p.Name, `${s}: ${p.Name}`]),
  );
  return (
    <Section title="Create an instance" id="add-instance">
      <Form
        id="instance-form"
        submit="Create instance"
        busy="Creating…"
        fields={[
          {
            name: "service",
            label: "Service",
            type: "select",
            options: services,
            initial: services[0] ?? "",
            match: /service\b/i,
          },
          { name: "name", label: "Name", required: true, match: /instance name|name/i },
          {
            name: "plan",
            label: "Plan",
            type: "select",
            options: [["", "the service's default"], ...planOptions],
            match: /plan/i,
          },
          {
            name: "owner",
            label: "Team",
            type: "select",
            options: teams.map((t) => t.name),
            initial: teams[0]?.name ?? "",
            match: /team/i,
          },
          { name: "description", label: "Description" },
        ]}
        onSubmit={async (v) => {
          await api("POST", `/services/${encodeURIComponent(String(v.service ?? ""))}/instances`, {
            name: String(v.name ?? "").trim(),
            plan: String(v.plan ?? "") || undefined,
            owner: String(v.owner ?? ""),
            description: String(v.description ?? "") || undefined,
          });
          await reload();
        }}
      />
    </Section>
  );
}
