// Runs one known answer per primitive of the crypto core inside the browser; the test compares the hex
// results with references computed in Node.
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  argon2id,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  hkdfSha256,
  hmacSha256,
  hmacSha512,
  initCore,
  sha256,
  sha512,
  x25519,
  x25519PublicKey,
} from "../../src/core/index.js";
import { INPUTS } from "./inputs.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

async function runCore(): Promise<Record<string, string | boolean | number>> {
  await initCore(new URL("./core.wasm", location.href));
  const { message, hmacKey, hkdf, argon2, aes } = INPUTS;
  const sealed = aesGcmEncrypt(aes.key, aes.nonce, message, aes.aad);
  const tampered = sealed.slice();
  tampered[0] = tampered[0]! ^ 1;
  let tamperRejected = false;
  try {
    aesGcmDecrypt(aes.key, aes.nonce, tampered, aes.aad);
  } catch (error) {
    tamperRejected = (error as { code?: string }).code === "verification_failed";
  }
  const started = performance.now();
  const argon = argon2id(argon2);
  const argonMs = performance.now() - started;
  const signature = ed25519Sign(INPUTS.ed25519.seed, message);
  const publicKey = ed25519PublicKey(INPUTS.ed25519.seed);
  return {
    sha256: hex(sha256(message)),
    sha512: hex(sha512(message)),
    hmacSha256: hex(hmacSha256(hmacKey, message)),
    hmacSha512: hex(hmacSha512(hmacKey, message)),
    hkdfSha256: hex(hkdfSha256(hkdf.ikm, hkdf.salt, hkdf.info, hkdf.length)),
    argon2id: hex(argon),
    argon2idMs: argonMs,
    aesGcm: hex(sealed),
    aesGcmRoundTrip: hex(aesGcmDecrypt(aes.key, aes.nonce, sealed, aes.aad)) === hex(message),
    aesGcmTamperRejected: tamperRejected,
    x25519Public: hex(x25519PublicKey(INPUTS.x25519.alice)),
    x25519Shared: hex(x25519(INPUTS.x25519.alice, x25519PublicKey(INPUTS.x25519.bob))),
    ed25519Public: hex(publicKey),
    ed25519Signature: hex(signature),
    ed25519Verifies: ed25519Verify(publicKey, message, signature),
    ed25519RejectsOtherMessage: !ed25519Verify(publicKey, message.subarray(1), signature),
  };
}

(globalThis as { runCore?: typeof runCore }).runCore = runCore;
