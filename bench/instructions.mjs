// Deterministic cost of the curve operations, for comparing builds on a noisy machine:
//
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --no-liftoff bench/instructions.mjs OP N [WHO]
//
// runs N operations (OP: x25519, sign, sign2 = signing with two keys in turn, verify) of build/core.wasm (or
// $SENTC_CORE_WASM; WHO = ours, the default) or of libsodium-wrappers-sumo (WHO = sodium). Count two runs, e.g.
// N = 20 and N = 80: the difference divided by 60 is the cost of one operation (a run with N = 0 ends before V8's
// background compilation does, so it does not cancel the start-up cost). Without valgrind it prints the CPU time
// per call.
import { readFile } from "node:fs/promises";

const [op = "x25519", countArg = "100", who = "ours"] = process.argv.slice(2);
const n = Number(countArg);
const skA = new Uint8Array(32).map((_, i) => (i * 29 + 3) & 255);
const seed = new Uint8Array(32).map((_, i) => (i * 71 + 5) & 255);
const msg = new Uint8Array(64).map((_, i) => 255 - i);

let run;
if (who === "sodium") {
  const { default: sodium } = await import("libsodium-wrappers-sumo"); // as bench/cases/curve25519.ts
  await sodium.ready;
  const pkB = sodium.crypto_scalarmult_base(skA.map((b) => b ^ 0x5a));
  const keys = sodium.crypto_sign_seed_keypair(seed);
  const keys2 = sodium.crypto_sign_seed_keypair(seed.map((b) => b ^ 0xa5));
  let turn = 0;
  const sig = sodium.crypto_sign_detached(msg, keys.privateKey);
  run = {
    x25519: () => sodium.crypto_scalarmult(skA, pkB),
    sign: () => sodium.crypto_sign_detached(msg, keys.privateKey),
    sign2: () => sodium.crypto_sign_detached(msg, (turn ^= 1) ? keys.privateKey : keys2.privateKey),
    verify: () => {
      if (!sodium.crypto_sign_verify_detached(sig, msg, keys.publicKey)) throw new Error("verify failed");
    },
  }[op];
} else {
  const wasm = await readFile(process.env.SENTC_CORE_WASM ?? new URL("../build/core.wasm", import.meta.url));
  const { instance } = await WebAssembly.instantiate(wasm, {});
  const core = instance.exports;
  const put = (bytes) => {
    const ptr = core.alloc(bytes.length);
    new Uint8Array(core.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  };
  const k = put(skA);
  const out = core.alloc(64);
  core.x25519_base(out, put(skA.map((b) => b ^ 0x5a)));
  const u = put(new Uint8Array(core.memory.buffer, out, 32).slice());
  const s = put(seed);
  const s2 = put(seed.map((b) => b ^ 0xa5));
  let turn = 0;
  const m = put(msg);
  const pk = core.alloc(32);
  core.ed25519_public_key(pk, s);
  const sig = core.alloc(64);
  core.ed25519_sign(sig, s, m, msg.length);
  run = {
    x25519: () => core.x25519(out, k, u),
    sign: () => core.ed25519_sign(out, s, m, msg.length),
    sign2: () => core.ed25519_sign(out, (turn ^= 1) ? s : s2, m, msg.length),
    verify: () => {
      if (core.ed25519_verify(pk, m, msg.length, sig) !== 0) throw new Error("verify failed");
    },
  }[op];
}
if (!run) throw new Error(`unknown operation ${op}`);
run(); // lazy tables, first compilation
// CPU time of this process (not wall time): less disturbed by other processes on a shared machine.
const start = process.cpuUsage();
for (let i = 0; i < n; i++) run();
const used = process.cpuUsage(start);
if (n > 0) console.log(`${who} ${op}: ${((used.user + used.system) / n).toFixed(1)} µs/op (CPU time) over ${n}`);
