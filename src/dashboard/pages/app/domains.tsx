// The app's cnames (extra domains the router serves it on) and their TLS certificates
// (PEM in, never a key out: the API lists certificates only).
import { api, query } from "../../api/client";
import { Form } from "../../components/form";
import { Empty, ErrorText, Loading, Section, Table } from "../../components/ui";
import { errorText } from "../../api/client";
import { useResource } from "../../lib/use-resource";
import { useState } from "preact/hooks";
import type { AppTabProps } from "../app";

export function DomainsTab({ app, info }: AppTabProps) {
  const base = `/apps/${encodeURIComponent(app.name)}`;
  const certs = useResource(
    async (signal) =>
      (await api<Record<string, Record<string, string>>>("GET", `${base}/certificate`, undefined, {
        signal,
      })) ?? {},
    [app.name, app.cname.join(",")],
    0,
    true,
  );
  const [error, setError] = useState("");
  const byCname = new Map<string, string>();
  for (const r of Object.values(certs.data ?? {}))
    for (const [c, pem] of Object.entries(r)) if (pem) byCname.set(c, pem);
  const act = async (fn: () => Promise<unknown>) => {
    setError("");
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    }
    await Promise.all([info.reload(), certs.reload()]);
  };
  return (
    <div>
      <Section title="Domains" id="cnames">
        <p class="muted">
          The router always serves the app at {app.ip}. Point other domains' DNS at the router, then add them
          here.
        </p>
        <ErrorText error={error} />
        {app.cname.length === 0 ? <Empty title="No extra domains." /> : null}
        {app.cname.length ? (
          <Table caption="Domains" head={["Domain", "TLS certificate", "Actions"]}>
            {app.cname.map((c) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                <td>{certs.loading && !certs.data ? "…" : byCname.has(c) ? "set" : "none"}</td>
                <td class="actions">
                  {byCname.has(c) ? (
                    <button
                      type="button"
                      onClick={() => act(() => api("DELETE", `${base}/certificate${query({ cname: c })}`))}
                    >
                      Remove certificate<span class="sr-only"> of {c}</span>
                    </button>
                  ) : null}
                  <button
                    type="button"
                    class="danger"
                    onClick={() => act(() => api("DELETE", `${base}/cname${query({ cname: c })}`))}
                  >
                    Remove<span class="sr-only"> {c}</span>
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        ) : null}
        <Form
          id="cname-form"
          inline
          submit="Add domain"
          busy="Adding…"
          fields={[
            {
              name: "cname",
              label: "Domain",
              required: true,
              placeholder: "www.example.com",
              match: /cname|domain/i,
            },
          ]}
          onSubmit={async (v) => {
            await api("POST", `${base}/cname`, { cname: String(v.cname ?? "").trim() });
            await info.reload();
          }}
        />
      </Section>
      <Section title="Set a TLS certificate" id="certificate">
        {certs.error ? <ErrorText error={certs.error} /> : null}
        {certs.loading && !certs.data ? <Loading what="certificates" /> : null}
        <Form
          id="cert-form"
          submit="Set certificate"
          busy="Saving…"
          fields={[
            {
              name: "cname",
              label: "Domain",
              type: "select",
              options: app.cname,
              initial: app.cname[0] ?? "",
              match: /cname|domain/i,
            },
            {
              name: "certificate",
              label: "Certificate chain (PEM)",
              type: "textarea",
              match: /certificate/i,
            },
            { name: "key", label: "Private key (PEM)", type: "textarea", match: /\bkey\b/i },
          ]}
          onSubmit={async (v) => {
            await api("PUT", `${base}/certificate`, {
              cname: String(v.cname ?? ""),
              certificate: String(v.certificate ?? ""),
              key: String(v.key ?? ""),
            });
            await certs.reload();
          }}
        />
      </Section>
    </div>
  );
}
