/**
 * What the crypto worker runs (`Sentc.init({ worker: true })`): the operations that derive from a password
 * (Argon2id, with the key generation around it), the login's key unwrapping, and the file-part crypto. The same functions run on the main
 * thread when the worker is off, so both modes give the same bytes. Arguments and results are structured-clone
 * data (strings, `Uint8Array`s, plain key objects).
 */
import { doneLogin, doneVerifyLogin, prepareLogin } from "../../protocol/login.js";
import { prepareChangePassword, prepareResetPassword } from "../../protocol/password-change.js";
import { prepareRegister, prepareRegisterDeviceStart } from "../../protocol/register.js";
import { decryptPartHere, encryptPartHere } from "../files/part-crypto.js";

/** @internal The operations the crypto worker answers, by name. */
export const WORKER_OPS = {
  prepareRegister,
  prepareRegisterDeviceStart,
  prepareLogin,
  doneLogin,
  doneVerifyLogin,
  prepareChangePassword,
  prepareResetPassword,
  encryptPart: encryptPartHere,
  decryptPart: decryptPartHere,
};

/** @internal The table's type: the client checks names, arguments and results against it. */
export type WorkerOps = typeof WORKER_OPS;
