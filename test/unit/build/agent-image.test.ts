// What goes into the agent image: the agent's module graph from main.js, following
// relative imports only; node: built-ins are fine, a package import is refused (the image
// has no node_modules), and the tag changes exactly when a file does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentContext, agentModules } from "../../../src/build/agent-image.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "wharf-agent-graph-"));
  for (const [p, code] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), code);
  }
  return root;
}

test("the graph follows relative imports (static, dynamic, side effect) and skips node: modules", () => {
  const root = tree({
    "src/agent/main.js": 'import { a } from "./a.js";\nimport "./side.js";\nimport { x } from "node:http";\n',
    "src/agent/a.js": 'export const a = 1;\nconst m = await import("../shared/b.js");\n',
    "src/agent/side.js": "",
    "src/shared/b.js": 'export { a } from "../agent/a.js";\n',
    "src/agent/unused.js": "",
  });
  try {
    assert.deepEqual([...agentModules(root).keys()].sort(), [
      "src/agent/a.js",
      "src/agent/main.js",
      "src/agent/side.js",
      "src/shared/b.js",
    ]);
    const one = agentContext(root);
    assert.ok(one.files.some((f) => f.name === "agent/package.json"));
    writeFileSync(join(root, "src/agent/side.js"), "// changed\n");
    assert.notEqual(agentContext(root).tag, one.tag);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a package import is refused, naming the file and the package", () => {
  const root = tree({ "src/agent/main.js": 'import Docker from "dockerode";\n' });
  try {
    assert.throws(() => agentModules(root), /src\/agent\/main\.js imports "dockerode"/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
