// The signed-in user (GET /users/info) and what their roles allow, to decide what the
// dashboard offers. The API enforces every permission itself; this only hides what would fail.
import { api } from "./client";

export interface Permission {
  Name: string;
  ContextType: string;
  ContextValue: string;
}

export interface Me {
  Email: string;
  Roles: Array<{ Name: string; ContextType: string; ContextValue: string }>;
  Permissions: Permission[];
}

export const USER_INFO = "/users/info";

export async function loadMe(signal?: AbortSignal): Promise<Me> {
  const me = await api<Me>("GET", USER_INFO, undefined, signal ? { signal } : {});
  if (!me) throw new Error("no user info");
  return me;
}

/** Whether any of the user's permissions covers `scheme` (in some context, or a given one). */
export function can(
  me: Me | null | undefined,
  scheme: string,
  context?: { type: string; value: string },
): boolean {
  if (!me) return false;
  return me.Permissions.some((p) => {
    const covers = p.Name === "" || scheme === p.Name || scheme.startsWith(`${p.Name}.`);
    if (!covers) return false;
    if (!context || p.ContextType === "global") return true;
    return p.ContextType === context.type && p.ContextValue === context.value;
  });
}

/** Whether the user holds `scheme` globally (an operator), not only on their teams. */
export function canGlobally(me: Me | null | undefined, scheme: string): boolean {
  return !!me?.Permissions.some(
    (p) =>
      p.ContextType === "global" && (p.Name === "" || scheme === p.Name || scheme.startsWith(`${p.Name}.`)),
  );
}
