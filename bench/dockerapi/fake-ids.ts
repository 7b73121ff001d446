// Ids of the fake engine's made-up containers, shared with the bench that seeds the store.
import { createHash } from "node:crypto";

export const fakeId = (node: number, i: number): string =>
  createHash("sha256").update(`${node}/${i}`).digest("hex");
export const fakeSid = (node: number, i: number): string =>
  createHash("sha256").update(`sid ${node}/${i}`).digest("hex");
