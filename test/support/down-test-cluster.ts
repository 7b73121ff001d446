// Brings the test cluster down (scripts/run-tests.mjs, after the files that shared it).
import { down } from "../../src/cluster/dev/cluster.js";
import { testLayout } from "./dev-cluster.js";

await down(testLayout());
