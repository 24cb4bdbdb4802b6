// ABI exports of this area (see docs/core.md). Only numbers cross the boundary.
// The OPE pseudo-random generator (sentc's OPE-16) needs AES-128 under the secret OPE key; the OPE
// algorithm itself runs on the host.
export { aes128_encrypt_blocks } from "../aes";
