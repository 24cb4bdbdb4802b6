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
 * @internal Whether unsigned data is refused when a signature check was asked for. Throws nothing.
 * @example
 * if (head.sign === null && strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
 */
export function strictVerify(): boolean {
  return strict;
}
