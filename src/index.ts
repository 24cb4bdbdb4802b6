/**
 * sentc-as: end-to-end encryption for the web, wire-compatible with sentc.
 *
 * The default export is `Sentc`, as in the reference SDK (`import Sentc from "…"`; in a `<script>` build
 * `window.Sentc.default`). The crypto core stays available as named exports.
 */
import { Sentc } from "./sdk/index.js";

export default Sentc;
export * from "./sdk/index.js";
export * from "./core/index.js";
export {
  SentcError,
  isSentcError,
  REFERENCE_CLIENT_CODES,
  REFERENCE_MESSAGES,
  type ClientErrorCode,
  type SentcErrorCode,
  type ReferenceMapping,
  type ReferenceNumber,
  type ReferenceStatus,
} from "./errors.js";
