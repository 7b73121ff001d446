// The shared Store suite on a real PostgreSQL, each test in a fresh schema.
// Needs WHARF_TEST_PG_URL (scripts/setup-postgres.sh prints it); skipped, loudly, without it.
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import pg from "pg";
import { openStore } from "../../../src/store/index.js";
import { storeSuite } from "./store-suite.js";

const url = process.env.WHARF_TEST_PG_URL;

if (!url) {
  describe("store (postgres)", () => {
    it("needs a PostgreSQL server", (t) => {
      t.skip(
        "WHARF_TEST_PG_URL is not set: run `export WHARF_TEST_PG_URL=$(scripts/setup-postgres.sh | tail -n1)`",
      );
    });
  });
} else {
  storeSuite({
    name: "postgres",
    async create() {
      const schema = `wharf_test_${process.pid}_${randomBytes(4).toString("hex")}`;
      return {
        open: () => openStore({ kind: "postgres", url, schema, poolSize: 10 }),
        async destroy() {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          try {
            await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await c.end();
          }
        },
      };
    },
  });
}
