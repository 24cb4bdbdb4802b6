import { randomBytes, x25519PublicKey } from "../../src/core/index.js";
import { kyberDecapsulate, kyberEncapsulate, kyberKeyPair } from "../../src/core/kyber.js";
import { symDecrypt, symEncrypt } from "../../src/protocol/aead.js";
import { eciesDecrypt, eciesEncrypt } from "../../src/protocol/ecies.js";
import { toBase64, toPem } from "../../src/protocol/encoding.js";
import { loadRealSentc } from "../../test/interop/real-sentc.js";
import type { BenchCase } from "../harness.js";

const KYBER_CT = 1088;

/**
 * Kyber768-90s (round 3). `kyber768-encaps` / `kyber768-decaps` time the KEM alone (sentc_wasm exposes no
 * bare KEM call, so they have no peer). `hybrid-encrypt-32b` / `hybrid-decrypt-32b` time sentc's hybrid
 * ECIES-ed25519_KYBER_768 construction on a 32-byte plaintext (crypto.md §3.7: Kyber encapsulation, X25519
 * ECIES, two AES-256-GCM layers), ours assembled from src/core and src/protocol pieces, against the real
 * client's encrypt_raw_asymmetric / decrypt_raw_asymmetric with a hybrid key pair.
 */
export async function cases(): Promise<BenchCase[]> {
  const { sentc } = loadRealSentc();
  const xSecret = randomBytes(32);
  const xPublic = x25519PublicKey(xSecret);
  const kyber = kyberKeyPair();
  const encaps = kyberEncapsulate(kyber.publicKey);
  const plaintext = randomBytes(32);

  const hybridEncrypt = (): Uint8Array => {
    const { ciphertext, sharedSecret } = kyberEncapsulate(kyber.publicKey);
    const sealed = symEncrypt(sharedSecret, eciesEncrypt(xPublic, plaintext));
    const out = new Uint8Array(KYBER_CT + sealed.length);
    out.set(ciphertext, 0);
    out.set(sealed, KYBER_CT);
    return out;
  };
  const hybridDecrypt = (data: Uint8Array): Uint8Array =>
    eciesDecrypt(
      xSecret,
      symDecrypt(kyberDecapsulate(kyber.secretKey, data.subarray(0, KYBER_CT)), data.subarray(KYBER_CT)),
    );

  const keyId = "bench_hybrid";
  const publicKeyData = JSON.stringify({
    public_key_pem: JSON.stringify({ x: toPem(xPublic), k: toPem(kyber.publicKey) }),
    public_key_alg: "ECIES-ed25519_KYBER_768",
    public_key_id: keyId,
    public_key_sig: null,
    public_key_sig_key_id: null,
  });
  const privateKeyExport = JSON.stringify({
    EciesKyberHybrid: { x: toBase64(xSecret), k: toBase64(kyber.secretKey), key_id: keyId },
  });
  const realRaw = sentc.encrypt_raw_asymmetric(publicKeyData, plaintext);
  const realHead = realRaw.get_head();
  const realData = realRaw.get_data();
  const ourData = hybridEncrypt();

  // Sanity: each side opens the other's output before anything is timed.
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (!same(hybridDecrypt(realData), plaintext))
    throw new Error("kyber bench: cannot open the real client's hybrid ciphertext");
  if (!same(sentc.decrypt_raw_asymmetric(privateKeyExport, ourData, realHead), plaintext))
    throw new Error("kyber bench: the real client cannot open ours");
  if (!same(kyberDecapsulate(kyber.secretKey, encaps.ciphertext), encaps.sharedSecret))
    throw new Error("kyber bench: round trip failed");

  return [
    { id: "kyber768-encaps", unit: "ops/s", ours: () => kyberEncapsulate(kyber.publicKey), peers: {} },
    {
      id: "kyber768-decaps",
      unit: "ops/s",
      ours: () => kyberDecapsulate(kyber.secretKey, encaps.ciphertext),
      peers: {},
    },
    { id: "kyber768-keypair", unit: "ops/s", ours: () => kyberKeyPair(), peers: {} },
    {
      id: "hybrid-encrypt-32b",
      unit: "ops/s",
      ours: hybridEncrypt,
      peers: { sentc_wasm: () => sentc.encrypt_raw_asymmetric(publicKeyData, plaintext).free() },
    },
    {
      id: "hybrid-decrypt-32b",
      unit: "ops/s",
      ours: () => hybridDecrypt(realData),
      peers: { sentc_wasm: () => sentc.decrypt_raw_asymmetric(privateKeyExport, realData, realHead) },
    },
  ];
}
