import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Which folder of src/ may import which external system's client (issue 15; the folder-level
// directions and cycles are checked by scripts/check-layers.mjs in `npm run build`).
const ADAPTERS = {
  dockerode: {
    where: ["src/cluster/docker/**"],
    why: "the Docker engine adapter (src/cluster/docker)",
  },
  pg: { where: ["src/store/**"], why: "the store (src/store)" },
  "better-sqlite3": { where: ["src/store/**"], why: "the store (src/store)" },
  fastify: {
    where: ["src/api/**", "src/server/**"],
    why: "the HTTP layer (src/api) and the composition root (src/server)",
  },
  "@kubernetes/client-node": {
    where: ["src/cluster/kubernetes/**"],
    why: "the Kubernetes adapter (src/cluster/kubernetes)",
  },
};
const FASTIFY_PLUGINS = { where: ADAPTERS.fastify.where, why: ADAPTERS.fastify.why };

/** no-restricted-imports for files that may use the clients in `allowed`. */
function restricted(allowed, extraPatterns = []) {
  const paths = Object.entries(ADAPTERS)
    .filter(([name]) => !allowed.includes(name))
    .map(([name, a]) => ({ name, message: `${name} is used only in ${a.why}: go through it.` }));
  const patterns = [...extraPatterns];
  if (!allowed.includes("fastify"))
    patterns.push({
      group: ["@fastify/*"],
      message: `fastify plugins are used only in ${FASTIFY_PLUGINS.why}.`,
    });
  return { "no-restricted-imports": ["error", { paths, patterns }] };
}

/** One block per folder that may use some client; files match the last block that names them. */
function adapterRules() {
  const blocks = [{ files: ["src/**/*.ts"], rules: restricted([]) }];
  const byWhere = new Map();
  for (const [name, a] of Object.entries(ADAPTERS))
    for (const w of a.where) byWhere.set(w, [...(byWhere.get(w) ?? []), name]);
  for (const [where, names] of byWhere) blocks.push({ files: [where], rules: restricted(names) });
  // The domain imports no adapter at all, not even through a relative path.
  blocks.push({
    files: ["src/domain/**/*.ts"],
    rules: restricted(
      [],
      [
        {
          group: [
            "**/cluster/docker/*",
            "**/cluster/kubernetes/*",
            "**/provision/docker/*",
            "**/store/sqlite/*",
            "**/store/postgres/*",
          ],
          message:
            "the domain imports no adapter: ask the pool's provisioner (src/provision) or the Store interface.",
        },
      ],
    ),
  });
  return blocks;
}

export default tseslint.config(
  // examples/ are user apps (CommonJS on the node platform), not Wharf code.
  { ignores: ["dist/**", "node_modules/**", ".wharf-dev/**", "examples/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  ...adapterRules(),
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
