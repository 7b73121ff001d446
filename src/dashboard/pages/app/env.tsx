// The app's environment: variables as the API shows them (private values masked by the API,
// never sent to the browser), set (optionally private, optionally without a restart) and unset.
import { useState } from "preact/hooks";
import { list, query } from "../../api/client";
import { runStream } from "../../api/streams";
import type { EnvVar } from "../../api/types";
import { Form } from "../../components/form";
import { OperationView, useOperation } from "../../components/operation";
import { Empty, ErrorText, Loading, Section, Table } from "../../components/ui";
import { useResource } from "../../lib/use-resource";
import type { AppTabProps } from "../app";

export function EnvTab({ app, info }: AppTabProps) {
  const path = `/apps/${encodeURIComponent(app.name)}/env`;
  const env = useResource((signal) => list<EnvVar>(path, signal), [app.name], 0, true);
  const op = useOperation(() => Promise.all([env.reload(), info.reload()]));
  const [editing, setEditing] = useState<{ name: string; private: boolean; n: number }>({
    name: "",
    private: false,
    n: 0,
  });
  // Wharf's own variables (WHARF_*, TSURU_*, PORT) are set by the platform, not by the team.
  const own = (env.data ?? []).filter((e) => !/^(WHARF_|TSURU_)/.test(e.name) && e.name !== "PORT");
  const system = (env.data ?? []).filter((e) => !own.includes(e));
  return (
    <div>
      <Section title="Set a variable" id="env-set">
        <Form
          key={editing.n}
          id="env-form"
          submit="Set variable"
          busy="Setting…"
          fields={[
            { name: "name", label: "Name", required: true, initial: editing.name, match: /name/i },
            { name: "value", label: "Value", type: "textarea", match: /value/i },
            {
              name: "private",
              label: "Private (the value is never shown again)",
              type: "checkbox",
              initial: editing.private,
            },
            { name: "noRestart", label: "Don't restart the units now", type: "checkbox" },
          ]}
          onSubmit={async (v) => {
            const body = {
              "Envs.0.Name": String(v.name ?? "").trim(),
              "Envs.0.Value": String(v.value ?? ""),
              Private: v.private === true,
              NoRestart: v.noRestart === true,
            };
            // Refusals come before any output, so they reach the form; progress shows below.
            let failure: unknown = null;
            await op.run(
              `Setting ${body["Envs.0.Name"]}`,
              async (say) => {
                try {
                  await runStream("POST", path, body, say);
                } catch (e) {
                  failure = e;
                  throw e;
                }
              },
              "env-form",
            );
            if (failure) throw failure;
          }}
        />
        <OperationView op={op} />
      </Section>
      <Section title="Variables" id="env-list">
        {env.loading && !env.data ? <Loading what="environment variables" /> : null}
        <ErrorText error={env.error} />
        {env.data && own.length === 0 ? <Empty title="No variables set by your team yet." /> : null}
        {own.length ? (
          <Table caption="Environment variables" head={["Name", "Value", "Actions"]}>
            {own.map((e) => (
              <tr key={e.name} data-env={e.name}>
                <th scope="row">{e.name}</th>
                <td>
                  <code class={e.public ? "" : "masked"}>{e.value}</code>
                </td>
                <td class="actions">
                  <button
                    type="button"
                    onClick={() => setEditing({ name: e.name, private: !e.public, n: editing.n + 1 })}
                  >
                    Edit<span class="sr-only"> {e.name}</span>
                  </button>
                  <button
                    type="button"
                    class="danger"
                    disabled={op.state === "running"}
                    onClick={() => {
                      if (confirm(`Unset ${e.name}? The units restart without it.`))
                        void op.run(`Unsetting ${e.name}`, (say) =>
                          runStream("DELETE", `${path}${query({ env: e.name })}`, undefined, say),
                        );
                    }}
                  >
                    Unset<span class="sr-only"> {e.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
        {system.length ? (
          <details>
            <summary>Variables Wharf sets ({system.length})</summary>
            <ul class="plain">
              {system.map((e) => (
                <li key={e.name}>
                  <code>{e.name}</code>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </Section>
    </div>
  );
}
