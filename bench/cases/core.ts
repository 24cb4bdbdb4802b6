import { timingSafeEqual } from "node:crypto";
import { constantTimeEqual } from "../../src/core/index.js";
import type { BenchCase } from "../harness.js";

/** Host-call overhead: the cost of one trip through the arena with two tiny inputs. */
export async function cases(): Promise<BenchCase[]> {
  const a = new Uint8Array(32).fill(7);
  const b = new Uint8Array(32).fill(7);
  return [
    {
      id: "ct-equal-32b",
      unit: "ops/s",
      ours: () => constantTimeEqual(a, b),
      peers: { "node:crypto": () => timingSafeEqual(a, b) },
    },
  ];
}
