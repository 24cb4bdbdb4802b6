/**
 * src/sdk: `Sentc` (static entry), `User`, `Group`, the key store. Composes src/api (HTTP, JWT) and src/protocol (formats)
 * and owns the state (current user, storage).
 * @module
 */
export { default as Sentc, DEFAULT_BASE_URL } from "./sentc.js";
export type { DoneLoginOutput, LoginUser, SentcInternalOptions } from "./sentc.js";
export { User } from "./user.js";
export type { PreRegisterDeviceData } from "./user.js";
export type { KtFinding, TransparencyStatus } from "./transparency.js";
export type { SignedTreeHead } from "../protocol/transparency.js";
export { Group } from "./group.js";
export * from "./files/index.js";
export {
  SymKey,
  generateNonRegisteredKey,
  generateNonRegisteredKeyByPublicKey,
  getNonRegisteredKey,
  getNonRegisteredKeyByPrivateKey,
  registerSymKey,
  fetchSymKey,
  fetchSymKeysByMasterKey,
  deleteSymKey,
} from "./sym-key.js";
export type {
  GroupChildrenListItem,
  GroupData,
  GroupJoinReqListItem,
  GroupKey,
  GroupKeyRotationOut,
  GroupList,
  GroupOutDataHmacKeys,
  GroupOutDataKeys,
  GroupOutDataSortableKeys,
  GroupUserListItem,
  GroupVerify,
} from "./group-types.js";
export type { LoginStartState, LoginVerifyState } from "./internal.js";
export { IndexedDbStorage, MemoryStorage, STORAGE_DB_NAME, STORAGE_STORE_NAME } from "./storage.js";
export type { ResCallBack, StorageInterface, StorageOptions } from "./storage.js";
export { PUBLIC_KEY_TTL_MS } from "./public-keys.js";
export type {
  CryptoHead,
  CryptoRawOutput,
  GroupInviteListItem,
  OtpRegister,
  PinnedGroupKey,
  ResolvedSentcOptions,
  SentcOptions,
  UserData,
  UserDeviceKeyData,
  UserDeviceList,
  UserKeyData,
  UserMfaLogin,
  UserPublicKeyData,
} from "./types.js";
export { REFRESH_ENDPOINT } from "../api/index.js";
export type { RefreshEndpoint, RefreshOptions } from "../api/index.js";
