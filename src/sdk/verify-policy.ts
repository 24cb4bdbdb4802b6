/**
 * What asking to verify unsigned data does, SDK-wide (set by `Sentc.init`'s `strict_verify`).
 *
 * The reference (sdk.md §4.2) verifies only data that carries a signature: with `verify = true` or a verify key,
 * unsigned data is decrypted without any check. With `strict_verify: true` it is refused instead
 * (`missing_signature`), so that stripping the signature off data cannot pass as "verified".
 */
let strict = false;

/**
 * @internal Set by `Sentc.init` (and back to `false` by `Sentc.reset`). Throws nothing.
 * @example
 * setStrictVerify(options.strict_verify === true);
 */
export function setStrictVerify(value: boolean): void {
  strict = value;
}

/**
 * Whether the server's keys are taken on trust as the reference does (`Sentc.init`'s `trust_server_keys`). Off by
 * default: other users' identity keys are pinned at first use (`key_changed` when one changes without a signed
 * rotation) and signed group keys are verified even with `verify = 0`.
 */
let trustServer = false;

/**
 * @internal Set by `Sentc.init` (and back to `false` by `Sentc.reset`). Throws nothing.
 * @example
 * setTrustServerKeys(options.trust_server_keys === true);
 */
export function setTrustServerKeys(value: boolean): void {
  trustServer = value;
}

/**
 * @internal Whether keys are pinned and signed group keys verified by default (not with `trust_server_keys`). Throws
 * nothing.
 * @example
 * if (pinKeys()) await checkPinned(ctx, userId, keyId);
 */
export function pinKeys(): boolean {
  return !trustServer;
}

/**
 * @internal Whether unsigned data is refused when a signature check was asked for. Throws nothing.
 * @example
 * if (head.sign === null && strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
 */
export function strictVerify(): boolean {
  return strict;
}
