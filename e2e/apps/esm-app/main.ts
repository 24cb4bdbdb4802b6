// A Vite application using the package as an app would: `import Sentc from "sentc-as"`. The core is fetched
// from the asset the app's bundler emitted for `new URL("./core.wasm", import.meta.url)`.
import Sentc from "sentc-as";
import { exposeSdk } from "../page-api.js";

exposeSdk(Sentc);
