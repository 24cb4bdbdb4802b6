/** What every service function gets: the store, the clock and the server-wide settings. */
import type { Store } from "../store/types.js";
import type { JwtService } from "./jwt.js";
import type { LoginLimiter } from "./rate-limit.js";

export interface ServiceContext {
  store: Store;
  jwt: JwtService;
  loginLimiter: LoginLimiter;
  /** Milliseconds since the epoch. */
  now(): number;
  challengeTtlMs: number;
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
}
