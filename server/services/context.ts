/** What every service function gets: the store, the clock and the server-wide settings. */
import type { SecretBox } from "../secrets.js";
import type { GroupKeyRecord, Store } from "../store/types.js";
import type { JwtService } from "./jwt.js";
import type { LoginLimiter } from "./rate-limit.js";

export interface ServiceContext {
  store: Store;
  jwt: JwtService;
  /** Encrypts JWT sign keys, OTP secrets and recovery keys at rest (server/secrets.ts). */
  secrets: SecretBox;
  loginLimiter: LoginLimiter;
  /** Milliseconds since the epoch. */
  now(): number;
  challengeTtlMs: number;
  /** Idle lifetime of refresh tokens; JWTs older than this are refused at `/refresh` and `/init`. */
  refreshTokenIdleMs: number;
  /**
   * The group key rotation worker (api.md §3.5.7). Optional so that partial set-ups (tests of other
   * areas) can build a context; without it started rotations wait in the store for the next start.
   */
  rotations?: RotationScheduler;
}

export interface RotationScheduler {
  /** Hands a started rotation to the worker. */
  schedule(key: GroupKeyRecord): void;
  /** Resolves when no rotation is running or queued. */
  whenIdle(): Promise<void>;
}

/** The app an authenticated request runs for. */
export interface AppContext {
  appId: string;
}

/** The user a valid JWT names (api.md §2.5.3 step 5). */
export interface JwtUser {
  userId: string;
  deviceId: string;
  userGroupId: string;
  fresh: boolean;
  /** The JWT's `iat` in milliseconds. */
  issuedAtMs: number;
}
