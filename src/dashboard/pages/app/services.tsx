// Service instances bound to the app, and binding or unbinding an instance its team may use.
import { list, query } from "../../api/client";
import { runStream } from "../../api/streams";
import { OperationView, useOperation } from "../../components/operation";
import { Empty, ErrorText, Loading, Section, Table } from "../../components/ui";
import { useResource } from "../../lib/use-resource";
import type { AppTabProps } from "../app";
import { useState } from "preact/hooks";

export interface ServiceEntry {
  service: string;
  service_instances: Array<{
    Name: string;
    ServiceName: string;
    PlanName: string;
    Apps: string[];
    TeamOwner: string;
  }>;
}

export function ServicesTab({ app }: AppTabProps) {
  const all = useResource((signal) => list<ServiceEntry>("/services/instances", signal), [app.name], 0, true);
  const op = useOperation(() => all.reload());
  const [choice, setChoice] = useState("");
  const instances = (all.data ?? []).flatMap((s) => s.service_instances);
  const bound = instances.filter((i) => i.Apps.includes(app.name));
  const free = instances.filter((i) => !i.Apps.includes(app.name));
  const path = (svc: string, inst: string) =>
    `/services/${encodeURIComponent(svc)}/instances/${encodeURIComponent(inst)}/${encodeURIComponent(app.name)}`;
  return (
    <div>
      <OperationView op={op} />
      <Section title="Bound services" id="bound">
        {all.loading && !all.data ? <Loading what="service instances" /> : null}
        <ErrorText error={all.error} />
        {all.data && bound.length === 0 ? (
          <Empty title="No service bound.">
            <p>Bind an instance below: its address and credentials reach the app as environment variables.</p>
          </Empty>
        ) : null}
        {bound.length ? (
          <Table caption="Bound service instances" head={["Instance", "Service", "Plan", "Actions"]}>
            {bound.map((i) => (
              <tr key={`${i.ServiceName}/${i.Name}`}>
                <th scope="row">{i.Name}</th>
                <td>{i.ServiceName}</td>
                <td>{i.PlanName || "—"}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    disabled={op.state === "running"}
                    onClick={() =>
                      op.run(`Unbinding ${i.Name}`, (say) =>
                        runStream(
                          "DELETE",
                          `${path(i.ServiceName, i.Name)}${query({ noRestart: false })}`,
                          undefined,
                          say,
                        ),
                      )
                    }
                  >
                    Unbind<span class="sr-only"> {i.Name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
      </Section>
      <Section title="Bind an instance" id="bind">
        {free.length === 0 ? (
          <p class="muted">No other instance you may use: create one on the Services page.</p>
        ) : (
          <form
            class="form-inline"
            onSubmit={(e) => {
              e.preventDefault();
              const i = free.find(
                (x) =>
                  `${x.ServiceName}/${x.Name}` === (choice || `${free[0]!.ServiceName}/${free[0]!.Name}`),
              );
              if (i)
                void op.run(`Binding ${i.Name}`, (say) =>
                  runStream("PUT", path(i.ServiceName, i.Name), { noRestart: false }, say),
                );
            }}
          >
            <label for="bind-choice">Instance</label>
            <select
              id="bind-choice"
              value={choice}
              onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}
            >
              {free.map((i) => (
                <option key={`${i.ServiceName}/${i.Name}`} value={`${i.ServiceName}/${i.Name}`}>
                  {i.ServiceName}/{i.Name}
                </option>
              ))}
            </select>
            <button type="submit" disabled={op.state === "running"}>
              Bind
            </button>
          </form>
        )}
      </Section>
    </div>
  );
}
