// tsuru's naming rules (tsuru 1.8.0): apps, pools, platforms and teams each have a
// pattern; the messages tell the user the rule so they can fix the name.
import { BadRequestError } from "./errors.js";

const APP_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const POOL_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const PLATFORM_NAME = /^[a-z][a-z0-9-]{0,39}$/;
// tsuru's team names: letters, digits, "_", "-", "@" and "."; must start with a letter.
const TEAM_NAME = /^[a-zA-Z][-@_.+a-zA-Z0-9]*$/;
const PLAN_NAME = /^[a-zA-Z][-_.a-zA-Z0-9]{0,62}$/;
const ROLE_NAME = /^[a-zA-Z][-_.a-zA-Z0-9]{0,62}$/;
const ENV_NAME = /^[a-zA-Z][-_a-zA-Z0-9]*$/;
const CNAME = /^(\*\.)?[a-zA-Z0-9][\w\-.]+$/;
const TOKEN_ID = /^[a-zA-Z0-9][-_.a-zA-Z0-9]{0,62}$/;
// A pragmatic email check: one "@", no spaces or slashes (emails travel raw in paths).
const EMAIL = /^[^\s@/?#]+@[^\s@/?#]+\.[^\s@/?#]+$/;

export function isValidAppName(name: string): boolean {
  return APP_NAME.test(name);
}

export function validateAppName(name: string): void {
  if (!isValidAppName(name))
    throw new BadRequestError(
      `Invalid app name "${clip(name)}": an app name must start with a lowercase letter and contain only lowercase letters, numbers and dashes, at most 40 characters.`,
    );
}

export function validatePoolName(name: string): void {
  if (!POOL_NAME.test(name))
    throw new BadRequestError(
      `Invalid pool name "${clip(name)}": a pool name must start with a lowercase letter and contain only lowercase letters, numbers and dashes, at most 40 characters.`,
    );
}

export function validatePlatformName(name: string): void {
  if (!PLATFORM_NAME.test(name))
    throw new BadRequestError(
      `Invalid platform name "${clip(name)}": a platform name must start with a lowercase letter and contain only lowercase letters, numbers and dashes, at most 40 characters.`,
    );
}

export function validateTeamName(name: string): void {
  if (name.length > 63 || !TEAM_NAME.test(name))
    throw new BadRequestError(
      `Invalid team name "${clip(name)}": a team name must start with a letter and contain only letters, numbers, "-", "_", ".", "+" or "@", at most 63 characters.`,
    );
}

export function validatePlanName(name: string): void {
  if (!PLAN_NAME.test(name))
    throw new BadRequestError(
      `Invalid plan name "${clip(name)}": a plan name must start with a letter and contain only letters, numbers, "-", "_" or ".".`,
    );
}

export function validateRoleName(name: string): void {
  if (!ROLE_NAME.test(name))
    throw new BadRequestError(
      `Invalid role name "${clip(name)}": a role name must start with a letter and contain only letters, numbers, "-", "_" or ".".`,
    );
}

export function validateEnvName(name: string): void {
  if (!ENV_NAME.test(name))
    throw new BadRequestError(
      `Invalid environment variable name "${clip(name)}": names must start with a letter and contain only letters, numbers, "-" or "_".`,
    );
}

export function validateCname(cname: string): void {
  if (cname.length > 253 || !CNAME.test(cname))
    throw new BadRequestError(
      `Invalid cname "${clip(cname)}": use a host name such as www.example.com (optionally starting with "*.").`,
    );
}

export function validateTokenId(id: string): void {
  if (!TOKEN_ID.test(id))
    throw new BadRequestError(
      `Invalid token id "${clip(id)}": use letters, numbers, "-", "_" or ".", starting with a letter or number.`,
    );
}

export function validateEmail(email: string): void {
  if (email.length > 254 || !EMAIL.test(email))
    throw new BadRequestError(`Invalid email "${clip(email)}": use an address such as user@example.com.`);
}

export const MIN_PASSWORD = 6;
export const MAX_PASSWORD = 256;

export function validatePassword(pw: string): void {
  if (pw.length < MIN_PASSWORD || pw.length > MAX_PASSWORD)
    throw new BadRequestError(
      `Password length should be least ${MIN_PASSWORD} characters and at most ${MAX_PASSWORD} characters.`,
    );
}

/** Names are echoed back in errors: keep them short so a huge input can't bloat the reply. */
export function clip(s: string, max = 64): string {
  const oneLine = s.replace(/[\r\n\t]/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}
