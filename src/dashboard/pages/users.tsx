// Users (GET /users) with their roles, and roles (GET /roles) with their permissions, for
// operators: creating users, assigning a role in a context and dissociating it.
import { useState } from "preact/hooks";
import { api, errorText, list, query } from "../api/client";
import { canGlobally, type Me } from "../api/me";
import { Form } from "../components/form";
import { Empty, ErrorText, Loading, PageTitle, Section, Table } from "../components/ui";
import { useResource } from "../lib/use-resource";

interface UserEntry {
  Email: string;
  Roles: Array<{ Name: string; ContextType: string; ContextValue: string }>;
}

interface RoleEntry {
  name: string;
  context: string;
  Description: string;
  scheme_names: string[];
}

export function UsersPage({ me }: { me: Me }) {
  const data = useResource(
    async (signal) => {
      const [users, roles] = await Promise.all([
        canGlobally(me, "user.read") ? list<UserEntry>("/users", signal) : Promise.resolve([]),
        list<RoleEntry>("/roles", signal),
      ]);
      return { users, roles };
    },
    [],
    0,
    true,
  );
  const [error, setError] = useState("");
  const dissociate = async (email: string, role: string, context: string) => {
    setError("");
    try {
      await api(
        "DELETE",
        `/roles/${encodeURIComponent(role)}/user/${encodeURIComponent(email)}${query({ context: context || undefined })}`,
      );
    } catch (e) {
      setError(errorText(e));
    }
    await data.reload();
  };
  const roles = data.data?.roles ?? [];
  return (
    <div>
      <PageTitle title="Users and roles" />
      {data.loading && !data.data ? <Loading what="users and roles" /> : null}
      <ErrorText error={data.error || error} />
      {data.data && data.data.users.length ? (
        <Section title="Users" id="users">
          <Table caption="Users" head={["User", "Roles"]}>
            {data.data.users.map((u) => (
              <tr key={u.Email}>
                <th scope="row">{u.Email}</th>
                <td>
                  <ul class="plain">
                    {u.Roles.map((r) => (
                      <li key={`${r.Name}/${r.ContextValue}`}>
                        {r.Name}
                        {r.ContextValue
                          ? ` (${r.ContextType} ${r.ContextValue})`
                          : ` (${r.ContextType})`}{" "}
                        {canGlobally(me, "role.update") ? (
                          <button
                            type="button"
                            class="link"
                            onClick={() => dissociate(u.Email, r.Name, r.ContextValue)}
                          >
                            remove
                            <span class="sr-only">
                              {" "}
                              role {r.Name} from {u.Email}
                            </span>
                          </button>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </Table>
        </Section>
      ) : null}
      {canGlobally(me, "user.create") ? (
        <Section title="Create a user" id="add-user">
          <Form
            id="user-form"
            submit="Create user"
            busy="Creating…"
            fields={[
              {
                name: "email",
                label: "Email",
                type: "email",
                required: true,
                autocomplete: "off",
                match: /email|user/i,
              },
              {
                name: "password",
                label: "Password",
                type: "password",
                required: true,
                autocomplete: "new-password",
                match: /password/i,
              },
            ]}
            onSubmit={async (v) => {
              await api("POST", "/users", {
                email: String(v.email ?? "").trim(),
                password: String(v.password ?? ""),
              });
              await data.reload();
            }}
          />
        </Section>
      ) : null}
      {canGlobally(me, "role.update") && roles.length ? (
        <Section title="Assign a role" id="assign-role">
          <Form
            id="assign-form"
            submit="Assign role"
            busy="Assigning…"
            fields={[
              { name: "email", label: "User's email", type: "email", required: true, match: /email|user/i },
              {
                name: "role",
                label: "Role",
                type: "select",
                options: roles.map((r) => [r.name, `${r.name} (${r.context})`]),
                initial: roles[0]?.name ?? "",
                match: /role/i,
              },
              {
                name: "context",
                label: "Context value (team, app or pool name; empty for global)",
                match: /context/i,
              },
            ]}
            onSubmit={async (v) => {
              await api("POST", `/roles/${encodeURIComponent(String(v.role ?? ""))}/user`, {
                email: String(v.email ?? "").trim(),
                context: String(v.context ?? "").trim(),
              });
              await data.reload();
            }}
          />
        </Section>
      ) : null}
      <Section title="Roles" id="roles">
        {data.data && roles.length === 0 ? <Empty title="No roles you may see." /> : null}
        {roles.length ? (
          <Table caption="Roles" head={["Role", "Context", "Permissions", "Description"]}>
            {roles.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td>{r.context}</td>
                <td>{r.scheme_names.map((s) => s || "everything").join(", ") || "none"}</td>
                <td>{r.Description || "—"}</td>
              </tr>
            ))}
          </Table>
        ) : null}
      </Section>
    </div>
  );
}
