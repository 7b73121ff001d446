// The dry run `node remove` makes before it moves anything, against a real (in-memory)
// store and the real scheduler: every unit of the node must have room on the pool's other
// nodes (plan memory counted), else a 503 that names the unit and says what to do.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../../../src/store/index.js";
import type { DockerCtx } from "../../../../src/provision/docker/context.js";
import { addNode, addUnit, openWebStore } from "./store-fixtures.js";
import { ServiceUnavailableError } from "../../../../src/domain/errors.js";
import { checkDrain } from "../../../../src/provision/docker/heal/heal-drain.js";

const A = "https://10.0.0.1:2376";
const B = "https://10.0.0.2:2376";
const C = "https://10.0.0.3:2376";
const GiB = 2 ** 30;
let store: Store;

before(async () => {
  store = await openWebStore(["other"]);
  await addNode(store, A, 8 * GiB);
  await addNode(store, B, 1.5 * GiB);
  await addNode(store, C, 64 * GiB, "other");
  await addUnit(store, "u1", A);
  await addUnit(store, "u2", A);
});

after(async () => {
  await store?.close();
});

const dc = () => ({ store }) as unknown as DockerCtx;

describe("node remove dry run", () => {
  it("refuses with a 503 naming a unit when the pool's other nodes lack room (another pool's room does not count)", async () => {
    await assert.rejects(checkDrain(dc(), A), (e: unknown) => {
      assert.ok(e instanceof ServiceUnavailableError);
      assert.match(e.message, /Cannot move 1 of the 2 units of node https:\/\/10\.0\.0\.1:2376/);
      assert.match(e.message, /Nothing was changed/);
      assert.match(e.message, /--no-rebalance/);
      return true;
    });
  });

  it("passes once the pool has room for every unit, and a node without units has nothing to move", async () => {
    await store.updateNode(B, { memory: 4 * GiB });
    assert.equal(await checkDrain(dc(), A), 2);
    assert.equal(await checkDrain(dc(), B), 0);
  });
});
