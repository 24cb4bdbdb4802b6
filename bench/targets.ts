/** The performance goals: our result divided by the named peer's, measured in the same run. */
export interface Target {
  peer: string;
  ratio: number;
}

export const TARGETS: Record<string, Target> = {
  "argon2id-4096-3-1": { peer: "libsodium-sumo", ratio: 1.0 },
  "aes-gcm-256-enc-1mib": { peer: "sentc_wasm", ratio: 2.0 },
  "aes-gcm-256-dec-1mib": { peer: "sentc_wasm", ratio: 2.0 },
  "aes-gcm-256-enc-1kib": { peer: "sentc_wasm", ratio: 1.0 },
  "aes-gcm-256-dec-1kib": { peer: "sentc_wasm", ratio: 1.0 },
  "x25519-dh": { peer: "libsodium-sumo", ratio: 1.3 },
  "ed25519-sign": { peer: "libsodium-sumo", ratio: 1.3 },
  "ed25519-verify": { peer: "libsodium-sumo", ratio: 1.3 },
  "sha256-1mib": { peer: "hash-wasm", ratio: 0.8 },
  "hmac-sha256-64b": { peer: "libsodium-sumo", ratio: 0.8 },
  "register-prepare": { peer: "sentc_wasm", ratio: 2.0 },
  "hybrid-encrypt-32b": { peer: "sentc_wasm", ratio: 1.0 },
  "hybrid-decrypt-32b": { peer: "sentc_wasm", ratio: 1.0 },
};
