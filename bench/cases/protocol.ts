import { prepareRegister } from "../../src/protocol/register.js";
import { loadRealSentc } from "../../test/interop/real-sentc.js";
import type { BenchCase } from "../harness.js";

/**
 * Protocol-level cases against the real sentc client (sentc_wasm@0.15.0, loaded with the fake browser globals
 * of the interop harness). `register-prepare` is a whole `prepare_register`: Argon2id (m = 4096 KiB, t = 3),
 * the device and user-group key pairs and their wrapping. The real package makes hybrid post-quantum key
 * pairs where we make classical ones, so the work differs beyond the shared Argon2id.
 */
export async function cases(): Promise<BenchCase[]> {
  const { sentc } = loadRealSentc();
  // Sanity: both produce a RegisterData with the same top-level shape before they are timed.
  const ours = JSON.parse(prepareRegister("user", "password")) as Record<string, unknown>;
  const theirs = JSON.parse(sentc.prepare_register("user", "password")) as Record<string, unknown>;
  if (Object.keys(ours).join() !== Object.keys(theirs).join())
    throw new Error("register-prepare bench: different RegisterData shapes");
  return [
    {
      id: "register-prepare",
      unit: "ops/s",
      ours: () => prepareRegister("user", "password"),
      peers: {
        sentc_wasm: () => sentc.prepare_register("user", "password"),
      },
    },
  ];
}
