// Platforms (GET /platforms): the images apps build on. Operators add one from a
// Dockerfile or update it (rebuild, enable, disable) with the build output streaming, and
// remove it.
import { useState } from "preact/hooks";
import { api, errorText, list } from "../api/client";
import { canGlobally, type Me } from "../api/me";
import { runStream } from "../api/streams";
import type { Platform } from "../api/types";
import { Form } from "../components/form";
import { OperationView, useOperation } from "../components/operation";
import { Badge, Empty, ErrorText, Loading, PageTitle, Section, Table } from "../components/ui";
import { useResource } from "../lib/use-resource";

/** Multipart, as tsuru's client sends platform-add and platform-update. */
function platformForm(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

export function PlatformsPage({ me }: { me: Me }) {
  const platforms = useResource((signal) => list<Platform>("/platforms", signal), [], 0, true);
  const op = useOperation(() => platforms.reload());
  const [error, setError] = useState("");
  const mayManage = canGlobally(me, "platform.update") || canGlobally(me, "platform.create");
  const update = (name: string, fields: Record<string, string>, title: string, owner = "") =>
    op.run(
      title,
      (say) => runStream("PUT", `/platforms/${encodeURIComponent(name)}`, platformForm(fields), say),
      owner,
    );
  const remove = async (name: string) => {
    if (!confirm(`Remove platform ${name}? Apps on it keep running but cannot build again.`)) return;
    setError("");
    try {
      await api("DELETE", `/platforms/${encodeURIComponent(name)}`);
    } catch (e) {
      setError(errorText(e));
    }
    await platforms.reload();
  };
  const names = (platforms.data ?? []).map((p) => p.Name);
  return (
    <div>
      <PageTitle title="Platforms" />
      <OperationView op={op} />
      {platforms.loading && !platforms.data ? <Loading what="platforms" /> : null}
      <ErrorText error={platforms.error || error} />
      {platforms.data?.length === 0 ? (
        <Empty title="No platforms yet.">
          <p>
            Apps build on a platform: add one from a Dockerfile below, or with <code>wharf platform add</code>
            .
          </p>
        </Empty>
      ) : null}
      {platforms.data?.length ? (
        <Table caption="Platforms" head={["Platform", "State", ...(mayManage ? ["Actions"] : [])]}>
          {platforms.data.map((p) => (
            <tr key={p.Name}>
              <th scope="row">{p.Name}</th>
              <td>{p.Disabled ? <Badge status="disabled" /> : <Badge status="enabled" />}</td>
              {mayManage ? (
                <td class="actions">
                  <button
                    type="button"
                    disabled={op.state === "running"}
                    onClick={() =>
                      update(
                        p.Name,
                        { disabled: p.Disabled ? "false" : "true" },
                        `${p.Disabled ? "Enabling" : "Disabling"} ${p.Name}`,
                      )
                    }
                  >
                    {p.Disabled ? "Enable" : "Disable"}
                    <span class="sr-only"> {p.Name}</span>
                  </button>
                  <button type="button" class="danger" onClick={() => remove(p.Name)}>
                    Remove<span class="sr-only"> {p.Name}</span>
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </Table>
      ) : null}
      {mayManage ? (
        <Section title="Add or rebuild a platform" id="platform-build">
          <Form
            id="platform-form"
            submit="Build platform"
            busy="Building…"
            fields={[
              {
                name: "name",
                label: "Name",
                required: true,
                hint: names.length ? `An existing name (${names.join(", ")}) rebuilds it.` : "",
                match: /platform name|name/i,
              },
              {
                name: "dockerfile",
                label: "Dockerfile",
                type: "textarea",
                required: true,
                placeholder: "FROM wharf/base:bookworm\nRUN …",
                match: /dockerfile/i,
              },
            ]}
            onSubmit={async (v) => {
              const name = String(v.name ?? "").trim();
              const dockerfile = String(v.dockerfile ?? "");
              // Refusals before the build (a bad name, an empty Dockerfile) go next to the field.
              let failure: unknown = null;
              await op.run(
                `Building platform ${name}`,
                async (say) => {
                  try {
                    if (names.includes(name))
                      await runStream(
                        "PUT",
                        `/platforms/${encodeURIComponent(name)}`,
                        platformForm({ dockerfile_content: dockerfile }),
                        say,
                      );
                    else
                      await runStream(
                        "POST",
                        "/platforms",
                        platformForm({ name, dockerfile_content: dockerfile }),
                        say,
                      );
                  } catch (e) {
                    failure = e;
                    throw e;
                  }
                },
                "platform-form",
              );
              if (failure) throw failure;
            }}
          />
        </Section>
      ) : null}
    </div>
  );
}
