// Vite builds the dashboard (src/dashboard) into dist/dashboard, served by `wharf server`
// under /dashboard/. Preact's JSX runtime; one small bundle, no external assets.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "/dashboard/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../../dist/dashboard", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 300,
  },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
});
