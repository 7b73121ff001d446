// Plans (GET /plans): memory, swap and CPU shares each unit gets; operators create and
// remove them.
import { useState } from "preact/hooks";
import { api, errorText, list } from "../api/client";
import { canGlobally, type Me } from "../api/me";
import type { Plan } from "../api/types";
import { Form } from "../components/form";
import { Badge, Empty, ErrorText, Loading, PageTitle, Section, Table } from "../components/ui";
import { bytes } from "../lib/format";
import { useResource } from "../lib/use-resource";

export function PlansPage({ me }: { me: Me }) {
  const plans = useResource((signal) => list<Plan>("/plans", signal), [], 0, true);
  const [error, setError] = useState("");
  const mayCreate = canGlobally(me, "plan.create");
  const mayDelete = canGlobally(me, "plan.delete");
  const remove = async (name: string) => {
    if (!confirm(`Remove plan ${name}?`)) return;
    setError("");
    try {
      await api("DELETE", `/plans/${encodeURIComponent(name)}`);
    } catch (e) {
      setError(errorText(e));
    }
    await plans.reload();
  };
  return (
    <div>
      <PageTitle title="Plans" />
      {plans.loading && !plans.data ? <Loading what="plans" /> : null}
      <ErrorText error={plans.error || error} />
      {plans.data?.length === 0 ? <Empty title="No plans yet." /> : null}
      {plans.data?.length ? (
        <Table
          caption="Plans"
          head={["Plan", "Memory", "Swap", "CPU shares", ...(mayDelete ? ["Actions"] : [])]}
        >
          {plans.data.map((p) => (
            <tr key={p.name}>
              <th scope="row">
                {p.name} {p.default ? <Badge status="ok" label="default" /> : null}
              </th>
              <td>{p.memory ? bytes(p.memory) : "unlimited"}</td>
              <td>{p.swap ? bytes(p.swap) : "none"}</td>
              <td>{p.cpushare || "—"}</td>
              {mayDelete ? (
                <td class="actions">
                  <button type="button" class="danger" onClick={() => remove(p.name)}>
                    Remove<span class="sr-only"> plan {p.name}</span>
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </Table>
      ) : null}
      {mayCreate ? (
        <Section title="Create a plan" id="add-plan">
          <Form
            id="plan-form"
            submit="Create plan"
            busy="Creating…"
            fields={[
              { name: "name", label: "Name", required: true, match: /plan name|name/i },
              {
                name: "memory",
                label: "Memory per unit",
                placeholder: "256M",
                hint: "Bytes, or with a unit: 128M, 1G.",
                match: /memory/i,
              },
              { name: "swap", label: "Swap per unit", placeholder: "0", match: /swap/i },
              { name: "cpushare", label: "CPU shares", placeholder: "1024", match: /cpu/i },
              { name: "default", label: "Default plan", type: "checkbox" },
            ]}
            onSubmit={async (v) => {
              await api("POST", "/plans", {
                name: String(v.name ?? "").trim(),
                memory: String(v.memory ?? "").trim() || undefined,
                swap: String(v.swap ?? "").trim() || undefined,
                cpushare: String(v.cpushare ?? "").trim() || undefined,
                default: v.default === true,
              });
              await plans.reload();
            }}
          />
        </Section>
      ) : null}
    </div>
  );
}
