/**
 * File part encryption (crypto.md §11) with a choice of AES-GCM engine for the part body.
 *
 * The format is src/protocol/file.ts's: `JSON(FileHead) ‖ 0x00 ‖ [sig ‖] nonce ‖ AES-GCM(part key, part)`, with the
 * part key wrapped by the previous key in the head. The body of a large part may be sealed by WebCrypto
 * (`crypto.subtle`, hardware AES in browsers and Node) instead of the wasm core; both take the nonce from the
 * core's CSPRNG (`randomBytes`, as `symEncrypt` does), and AES-GCM with the same key, nonce and input is the same
 * bytes, so the output of either engine reads with the other and with the reference. The 32-byte key wrap and
 * signatures always use the core.
 *
 * With the crypto worker on (`Sentc.init({ worker: true })`), `encryptPartPieces` (uploads) and `decryptPart`
 * (downloads) run there: `encryptPartHere` / `decryptPartHere` are the same work on whichever thread runs them.
 */
import { concatBytes } from "../../core/bytes.js";
import { aesGcmEncrypt, randomBytes } from "../../core/index.js";
import { SentcError, invalidInput } from "../../errors.js";
import { NONCE_BYTES, SYM_OVERHEAD, symDecrypt, symEncrypt } from "../../protocol/aead.js";
import { ALG } from "../../protocol/algorithms.js";
import { toBase64 } from "../../protocol/encoding.js";
import { generateSymKey } from "../../protocol/keypairs.js";
import { openFilePartHead } from "../../protocol/file.js";
import type { SignKey, VerifyKey } from "../../protocol/keys.js";
import { signOnly } from "../../protocol/signature.js";
import { strictVerify } from "../verify-policy.js";
import { offload } from "../worker/client.js";

/** Which AES-GCM implementation seals part bodies: `auto` uses WebCrypto for parts of `WEBCRYPTO_MIN_BYTES` and more when present. */
export type AesEngine = "auto" | "wasm" | "webcrypto";

/** From this plaintext size on, `auto` uses WebCrypto (below it the wasm call is cheaper than the async round trip). */
export const WEBCRYPTO_MIN_BYTES = 64 * 1024;

const utf8 = new TextEncoder();

function subtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return c !== undefined && typeof c.subtle?.encrypt === "function" ? c.subtle : undefined;
}

/**
 * True when WebCrypto AES-GCM is available in this runtime.
 * Never throws.
 * @example
 * import { hasWebCrypto } from "sentc-as";
 *
 * const engine = hasWebCrypto() ? "webcrypto" : "wasm";
 */
export function hasWebCrypto(): boolean {
  return subtle() !== undefined;
}

function pick(engine: AesEngine, length: number): SubtleCrypto | undefined {
  if (engine === "wasm") return undefined;
  const s = subtle();
  if (engine === "webcrypto") {
    if (s === undefined) throw new SentcError("unsupported_environment", "WebCrypto (crypto.subtle) is not available");
    return s;
  }
  if (engine !== "auto") throw invalidInput(`unknown AES engine "${String(engine)}"`);
  return length >= WEBCRYPTO_MIN_BYTES ? s : undefined;
}

/** A view WebCrypto accepts (it refuses views of a SharedArrayBuffer). */
function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * sentc's symmetric construction `nonce(12) ‖ ciphertext ‖ tag(16)` (crypto.md §3.1) with the chosen engine;
 * `nonce` defaults to 12 fresh bytes from the core's CSPRNG.
 * @throws {SentcError} `invalid_input` for a key that is not 32 bytes, a nonce that is not 12 bytes, plaintext that is
 * not a `Uint8Array` or an unknown engine; `unsupported_environment` for `webcrypto` without `crypto.subtle`.
 * @example
 * import { sealBody } from "sentc-as";
 *
 * const sealed = await sealBody(key32, new TextEncoder().encode("part"), "wasm");
 */
export async function sealBody(
  key: Uint8Array,
  plaintext: Uint8Array,
  engine: AesEngine = "auto",
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Promise<Uint8Array> {
  return concatPieces(await sealBodyPieces(key, plaintext, engine, nonce));
}

/**
 * `sealBody` as pieces in wire order (`[nonce ‖ sealed]` from WebCrypto, one piece from the core): the caller can
 * hand them to a `Blob` without first copying them into one buffer.
 */
async function sealBodyPieces(
  key: Uint8Array,
  plaintext: Uint8Array,
  engine: AesEngine,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Promise<Uint8Array[]> {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw invalidInput("the key must be 32 bytes");
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_BYTES)
    throw invalidInput(`the nonce must be ${NONCE_BYTES} bytes`);
  if (!(plaintext instanceof Uint8Array)) throw invalidInput("the plaintext must be a Uint8Array");
  const s = pick(engine, plaintext.length);
  // The core's output as its own piece: no second copy to put the nonce in front.
  if (s === undefined) return [nonce, aesGcmEncrypt(key, nonce, plaintext)];
  const cryptoKey = await s.importKey("raw", buffer(key), { name: "AES-GCM" }, false, ["encrypt"]);
  const sealed = new Uint8Array(
    await s.encrypt({ name: "AES-GCM", iv: buffer(nonce), tagLength: 128 }, cryptoKey, buffer(plaintext)),
  );
  return [nonce, sealed];
}

function concatPieces(pieces: Uint8Array[]): Uint8Array {
  return pieces.length === 1 ? pieces[0]! : concatBytes(pieces);
}

/**
 * Opens `nonce ‖ ciphertext ‖ tag`; a wrong key or tampered data is `decryption_failed` with either engine.
 * @throws {SentcError} `invalid_input` for a key that is not 32 bytes or data that is not a `Uint8Array`;
 * `decryption_failed` for a wrong key, tampered or too short data; `unsupported_environment` for `webcrypto` without
 * `crypto.subtle`.
 * @example
 * import { openBody } from "sentc-as";
 *
 * const plaintext = await openBody(key32, sealed);
 */
export async function openBody(key: Uint8Array, data: Uint8Array, engine: AesEngine = "auto"): Promise<Uint8Array> {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw invalidInput("the key must be 32 bytes");
  if (!(data instanceof Uint8Array)) throw invalidInput("encrypted data must be a Uint8Array");
  if (data.length < SYM_OVERHEAD)
    throw new SentcError("decryption_failed", "encrypted data is too short", { reference: 10 });
  const s = pick(engine, data.length - SYM_OVERHEAD);
  if (s === undefined) return symDecrypt(key, data);
  const cryptoKey = await s.importKey("raw", buffer(key), { name: "AES-GCM" }, false, ["decrypt"]);
  try {
    const view = buffer(data);
    return new Uint8Array(
      await s.decrypt(
        { name: "AES-GCM", iv: view.subarray(0, NONCE_BYTES), tagLength: 128 },
        cryptoKey,
        view.subarray(NONCE_BYTES),
      ),
    );
  } catch (cause) {
    throw new SentcError("decryption_failed", "can't decrypt: wrong key or tampered data", { cause });
  }
}

/**
 * Encrypts one part; returns the bytes to upload and the key that wraps the next part's key (wipe it when done).
 * @throws {SentcError} `invalid_input` for a previous key that is not 32 bytes or plaintext that is not a
 * `Uint8Array`; `unsupported_environment` for `webcrypto` without `crypto.subtle`.
 * @example
 * import { encryptPart } from "sentc-as";
 *
 * const { part, nextKey } = await encryptPart(contentKey32, chunk, null);
 */
export async function encryptPart(
  previousKey: Uint8Array,
  plaintext: Uint8Array,
  signKey: SignKey | null | undefined,
  engine: AesEngine = "auto",
): Promise<{ part: Uint8Array; nextKey: Uint8Array }> {
  const { pieces, nextKey } = await encryptPartHere(previousKey, plaintext, signKey, engine, false);
  return { part: concatPieces(pieces as Uint8Array[]), nextKey };
}

const HEAD_END = Uint8Array.of(0);

/**
 * @internal `encryptPart` as pieces in wire order (`head ‖ 0x00 ‖ [sig] ‖ nonce ‖ sealed`), so an upload can send
 * them as one `Blob` without concatenating the part first; where `Blob` exists they come as one (`[blob]`). The
 * plaintext may be a `Blob` slice, read where the part is encrypted: in the crypto worker when it runs, so that
 * the page never holds the part's bytes.
 * @throws SentcError `invalid_input` for a bad key or plaintext
 * @example
 * const { pieces, nextKey } = await encryptPartPieces(previous, file.slice(0, 4 << 20), null, "webcrypto");
 */
export function encryptPartPieces(
  previousKey: Uint8Array,
  plaintext: Uint8Array | Blob,
  signKey: SignKey | null | undefined,
  engine: AesEngine = "auto",
): Promise<{ pieces: (Uint8Array | Blob)[]; size: number; nextKey: Uint8Array }> {
  return offload("encryptPart", [previousKey, plaintext, signKey, engine, typeof Blob === "function"], encryptPartHere);
}

/**
 * @internal `encryptPartPieces` on this thread (the main thread, or the crypto worker's `WORKER_OPS`); with `asBlob`
 * the pieces as one `Blob`.
 * @throws SentcError `invalid_input` for a bad key or plaintext
 * @example
 * const { pieces, nextKey } = await encryptPartHere(previous, plaintext, null, "auto", false);
 */
export async function encryptPartHere(
  previousKey: Uint8Array,
  plaintext: Uint8Array | Blob,
  signKey: SignKey | null | undefined,
  engine: AesEngine,
  asBlob: boolean,
): Promise<{ pieces: (Uint8Array | Blob)[]; size: number; nextKey: Uint8Array }> {
  if (!(previousKey instanceof Uint8Array) || previousKey.length !== 32)
    throw invalidInput("the previous key must be 32 bytes");
  const bytes = plaintext instanceof Uint8Array ? plaintext : new Uint8Array(await plaintext.arrayBuffer());
  const partKey = generateSymKey().key;
  let body = await sealBodyPieces(partKey, bytes, engine);
  // A part read from a Blob is ours: its memory goes back at once.
  if (bytes !== plaintext) releaseBuffer(bytes);
  // The signature covers the whole sealed body (crypto.md §11), so a signed part needs it in one buffer.
  if (signKey) body = [signOnly(signKey, concatPieces(body)), ...body];
  const sign = signKey ? { id: signKey.keyId, alg: signKey.alg } : null;
  const head = utf8.encode(
    JSON.stringify({ key: toBase64(symEncrypt(previousKey, partKey)), sign, sym_key_alg: ALG.aesGcm }),
  );
  const pieces = [head, HEAD_END.slice(), ...body];
  const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
  if (!asBlob) return { pieces, size, nextKey: partKey };
  const blob = new Blob(pieces as Uint8Array<ArrayBuffer>[]);
  // The Blob holds its own copy: the pieces (all made here) give their memory back at once, not at the next GC.
  for (const piece of pieces) releaseBuffer(piece);
  return { pieces: [blob], size, nextKey: partKey };
}

/**
 * Decrypts one part; returns the plaintext and the key for the next part. With `verifyKey` the part must be signed
 * by that key (`wrong_verify_key`, `verification_failed`; an unsigned part passes as in the reference, or is
 * `missing_signature` with the init option `strict_verify`); without it a signature is skipped.
 * @throws {SentcError} `decryption_failed` for a wrong key or tampered part; `invalid_format` for a part without a
 * valid head; `verification_failed` / `wrong_verify_key` / `missing_signature` with `verifyKey`.
 * @example
 * import { decryptPart } from "sentc-as";
 *
 * const { plaintext, nextKey } = await decryptPart(contentKey32, part, null);
 */
export function decryptPart(
  previousKey: Uint8Array,
  part: Uint8Array,
  verifyKey: VerifyKey | null | undefined,
  engine: AesEngine = "auto",
): Promise<{ plaintext: Uint8Array; nextKey: Uint8Array }> {
  return offload("decryptPart", [previousKey, part, verifyKey, engine, strictVerify()], decryptPartHere);
}

/**
 * @internal `decryptPart` on this thread (the main thread, or the crypto worker's `WORKER_OPS`); `strict` is the
 * caller's `strict_verify` (the worker does not share the main thread's setting).
 * @throws SentcError as `decryptPart`
 * @example
 * const { plaintext, nextKey } = await decryptPartHere(previous, part, null, "auto", false);
 */
export async function decryptPartHere(
  previousKey: Uint8Array,
  part: Uint8Array,
  verifyKey: VerifyKey | null | undefined,
  engine: AesEngine,
  strict: boolean,
): Promise<{ plaintext: Uint8Array; nextKey: Uint8Array }> {
  const { partKey, body } = openFilePartHead(previousKey, part, verifyKey, { requireSignature: strict });
  return { plaintext: await openBody(partKey, body, engine), nextKey: partKey };
}

/**
 * @internal Gives the memory of a buffer this module owns back at once instead of at the next garbage collection
 * (`ArrayBuffer.prototype.transfer(0)` detaches it), so large files do not pile up parts waiting for the GC. Only
 * for whole buffers nobody else holds; does nothing where `transfer` is missing.
 * @throws nothing
 * @example
 * releaseBuffer(encryptedPart);
 */
export function releaseBuffer(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer; detached?: boolean };
  if (!(buffer instanceof ArrayBuffer) || typeof buffer.transfer !== "function" || buffer.detached === true) return;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return;
  buffer.transfer(0);
}
