export { initCore, isCoreReady, type CoreSource } from "./loader.js";
export { randomBytes } from "./bytes.js";
export { constantTimeEqual, wipeBytes } from "./ct.js";
