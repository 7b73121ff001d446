// The shared Store suite on SQLite, each test on a fresh file in a temp directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../../src/store/index.js";
import { storeSuite } from "./store-suite.js";

storeSuite({
  name: "sqlite",
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "wharf-store-"));
    const path = join(dir, "wharf.db");
    return {
      open: () => openStore({ kind: "sqlite", path }),
      async destroy() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
