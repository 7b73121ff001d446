import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
