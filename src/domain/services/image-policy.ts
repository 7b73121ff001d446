// Authorizes the images a deploy makes a node pull: an image deploy's reference, or every
// image a Dockerfile names (each FROM, COPY --from, RUN --mount=from). The pure rule is
// image-refs.ts; this loads what it needs: the apps whose cluster-registry repositories are
// named (may the caller deploy them?) and the allow-list of the deploying app's pool.
import { dockerfileImages } from "../dockerfile-images.js";
import { authorizeImage, parseImageReference } from "../image-refs.js";
import { appContexts } from "../permissions.js";
import type { App } from "../../store/types.js";
import type { Ctx } from "./context.js";
import { can, type Principal } from "./principal.js";

export interface DeployImageCheck {
  /** Every host[:port] the cluster registry answers as (WharfConfig.registry and its aliases). */
  clusterRegistries: string[];
  /** The image of an image deploy (`app deploy -i`). */
  image?: string;
  /** The Dockerfile of a Dockerfile deploy, with the build args it is built with. */
  dockerfile?: { text: string; buildArgs?: Record<string, string> };
}

/**
 * Throws BadRequestError for a reference that does not parse, ForbiddenError (403) naming the
 * repository for one the caller may not use; returns the references it checked.
 */
export async function authorizeDeployImages(
  ctx: Ctx,
  p: Principal,
  app: App,
  c: DeployImageCheck,
): Promise<string[]> {
  const refs = [
    ...(c.image ? [c.image] : []),
    ...(c.dockerfile ? dockerfileImages(c.dockerfile.text, c.dockerfile.buildArgs).map((i) => i.ref) : []),
  ];
  const cluster = new Set(c.clusterRegistries.map((d) => d.toLowerCase()));
  // App repositories of the cluster registry are single-component names (`<registry>/<app>`).
  const named = new Set(
    refs
      .map(parseImageReference)
      .filter((r) => cluster.has(r.domain) && !r.repository.includes("/"))
      .map((r) => r.repository),
  );
  const deployable = new Set<string>();
  for (const name of named) {
    const other = name === app.name ? app : await ctx.store.findApp(name);
    if (other && can(p, "app.read", appContexts(other)) && can(p, "app.deploy", appContexts(other)))
      deployable.add(name);
  }
  const pool = await ctx.store.findPool(app.pool);
  for (const ref of refs) {
    authorizeImage(ref, {
      clusterRegistries: [...cluster],
      mayDeploy: (name) => deployable.has(name),
      externalAllowList: pool?.imageAllowList ?? [],
    });
  }
  return refs;
}
