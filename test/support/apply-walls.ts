// A separate process that applies a node's walls from a spec on stdin: the kill -9 test
// SIGKILLs it mid-apply, as a crash of `wharf server` would.
import { NodeWalls } from "../../src/isolation/node-walls.js";
import type { NodeWallSpec } from "../../src/isolation/rules.js";
import { readClusterInfo } from "../../src/cluster/dev/cluster.js";
import { nodeClient, testLayout } from "./dev-cluster.js";
import { engineOf } from "./engines.js";

let text = "";
for await (const c of process.stdin) text += String(c);
const info = await readClusterInfo(testLayout());
const walls = new NodeWalls(
  engineOf(nodeClient(info, Number(process.env.NODE_INDEX))),
  "wharf-test/busybox:latest",
);
await walls.apply(JSON.parse(text) as NodeWallSpec);
