/**
 * Raw key bytes encrypted to a public key without a head (crypto.md §7.1 step 3, §6.2 challenge): the
 * private key's alg selects the scheme.
 */
import { SentcError } from "../errors.js";
import { ALG } from "./algorithms.js";
import { eciesDecrypt } from "./ecies.js";
import type { PrivateKey } from "./keys.js";

export function decryptWithPrivateKey(privateKey: PrivateKey, data: Uint8Array): Uint8Array {
  if (privateKey.alg === ALG.ecies) return eciesDecrypt(privateKey.key, data);
  throw new SentcError("unsupported_algorithm", `${privateKey.alg} decryption needs the post-quantum core`);
}
