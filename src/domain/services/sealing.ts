// Secrets the server must read back (service passwords, broker auth, API keys, webhook signing
// secrets, node client keys) are sealed with the server's secret key before they reach the store.
import { seal, unseal } from "../../router/secret-box.js";
import { secretKey } from "./certificates.js";
import type { Ctx } from "./context.js";

export function sealSecret(ctx: Ctx, plaintext: string): string {
  return plaintext === "" ? "" : seal(secretKey(ctx), plaintext);
}

export function unsealSecret(ctx: Ctx, sealed: string): string {
  return sealed === "" ? "" : unseal(secretKey(ctx), sealed);
}
