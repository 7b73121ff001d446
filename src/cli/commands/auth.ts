// `wharf login` and `wharf logout`: tsuru's native scheme (reference §2).
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { apiFor, targetFor } from "../context.js";
import { readToken, removeToken, saveToken } from "../config.js";
import { ApiClient } from "../client/http.js";
import { print } from "../output.js";
import { askPassword, askValue } from "../prompt.js";

interface Scheme {
  name?: string;
  data?: unknown;
}

export function registerAuth(program: Command): void {
  program
    .command("login [email]")
    .description("log in with your email and password (password from a hidden prompt, or stdin)")
    .action(async (email: string | undefined, _opts: unknown, cmd: Command) => {
      const api = apiFor(cmd);
      // tsuru falls back to native when the scheme cannot be read; so do we.
      let scheme: Scheme | undefined;
      try {
        scheme = await api.getJson<Scheme>("GET", "/auth/scheme", { noAuth: true });
      } catch {
        scheme = undefined;
      }
      if (scheme?.name === "oauth" || scheme?.name === "saml") {
        throw new CliError(
          `this server uses ${scheme.name} login, which wharf does not support yet; use the tsuru client`,
        );
      }
      const user = email ?? (await askValue("Email: ", "email"));
      const password = await askPassword();
      // Login never sends an old token: a stale one must not get in the way.
      const anon = new ApiClient({ ...api.config, token: undefined });
      const res = await anon.getJson<{ token?: unknown }>("POST", `/users/${user}/tokens`, {
        form: { password },
        unauthorized: "login failed: wrong email or password",
      });
      if (typeof res?.token !== "string" || res.token === "") {
        throw new CliError(
          "the server accepted the login but sent no token; is the target a Wharf or tsuru server?",
        );
      }
      saveToken(targetFor(cmd), res.token);
      print("Successfully logged in!");
    });

  program
    .command("logout")
    .description("end the session and forget its token")
    .action(async (_opts: unknown, cmd: Command) => {
      const target = targetFor(cmd);
      if (!readToken(target)) throw new CliError("not logged in: nothing to log out from");
      // tsuru ignores the answer: the local token goes either way.
      try {
        await apiFor(cmd).send("DELETE", "/users/tokens");
      } catch {
        // the server may be gone or the token already invalid; forgetting it is what matters
      }
      removeToken(target);
      print("Successfully logged out!");
    });
}
