// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
export { aes256gcm_encrypt, aes256gcm_decrypt } from "../gcm";
