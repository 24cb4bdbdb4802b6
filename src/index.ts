/**
 * sentc-as: end-to-end encryption for the web, wire-compatible with sentc.
 *
 * This entry currently exposes the crypto core and the error type; the `Sentc`, `User` and `Group` API
 * builds on them.
 */
export * from "./core/index.js";
export { SentcError, isSentcError, type ClientErrorCode, type SentcErrorCode } from "./errors.js";
