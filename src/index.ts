/**
 * sentc-as: end-to-end encryption for the web, wire-compatible with sentc.
 *
 * The default export is `Sentc`, as in the reference SDK (`import Sentc from "…"`; in a `<script>` build
 * `window.Sentc.default`), next to `User`, `Group`, `SymKey`, the file helpers, their types and `SentcError`.
 * The crypto primitives of the core are a separate entry: `import { initCore, sha256 } from "sentc-as/core"`.
 */
import { Sentc } from "./sdk/index.js";

export default Sentc;
export * from "./sdk/index.js";
export {
  SentcError,
  isSentcError,
  REFERENCE_CLIENT_CODES,
  REFERENCE_MESSAGES,
  OWN_CLIENT_CODES_FROM,
  type ClientErrorCode,
  type KeyChange,
  type SentcErrorCode,
  type ReferenceMapping,
  type ReferenceNumber,
  type ReferenceStatus,
} from "./errors.js";
