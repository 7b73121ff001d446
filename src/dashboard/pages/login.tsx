// Log in as the CLI does: POST /users/{email}/tokens with the password gives a session
// token, kept in localStorage so a reload stays logged in (cleared by Log out).
import { api, ApiError, session } from "../api/client";
import { Form } from "../components/form";

export function LoginPage() {
  return (
    <main id="main" class="login">
      <h1>Wharf</h1>
      <p class="muted">Log in with your Wharf account.</p>
      <Form
        id="login"
        submit="Log in"
        busy="Logging in…"
        reset={false}
        fields={[
          {
            name: "email",
            label: "Email",
            type: "email",
            required: true,
            autocomplete: "username",
            match: /user|email/i,
          },
          {
            name: "password",
            label: "Password",
            type: "password",
            required: true,
            autocomplete: "current-password",
            match: /password|authentication|credentials|login/i,
          },
        ]}
        onSubmit={async (v) => {
          const email = String(v.email ?? "").trim();
          if (!email) throw new ApiError(400, "Give your email to log in.");
          const out = await api<{ token: string }>(
            "POST",
            `/users/${encodeURIComponent(email)}/tokens`,
            { password: String(v.password ?? "") },
            { login: true },
          );
          if (!out?.token) throw new ApiError(500, "The API answered without a token: try again.");
          session.set(out.token);
        }}
      />
    </main>
  );
}
