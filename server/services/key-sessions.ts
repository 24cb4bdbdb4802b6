/**
 * Key-upload sessions (api.md §3.5.6, §3.3): after the first request of an invite, a join-request acceptance, an
 * auto invite, a re-invite or a device registration, the rest of the new member's keys follow through the
 * session. The reference's sessions never expire (api.md §7.16); here a session is open for 24 hours.
 *
 * The opening time is in the session id: a UUIDv7 made from the server's clock when the session opens. The
 * row that holds the session does not always have it: an accepted invite moves the session to a member row
 * stamped with the acceptance, and a re-invite keeps the member's original time.
 */
import { v7 as uuidv7, validate as uuidValidate, version as uuidVersion } from "uuid";
import { E } from "../errors.js";
import type { ServiceContext } from "./context.js";

/** How long a key-upload session takes keys after it was opened (docs/server.md). */
export const KEY_SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A new session id: a UUIDv7 whose timestamp is the server's clock now (`ctx.now()`). Never throws.
 * @example const sessionId = input.keySession ? newKeySessionId(ctx) : null;
 */
export function newKeySessionId(ctx: ServiceContext): string {
  return uuidv7({ msecs: ctx.now() });
}

/**
 * When the session `sessionId` was opened (ms since the epoch): the timestamp of its UUIDv7, or null for an id
 * that is not a UUIDv7. Never throws.
 * @example keySessionOpenedAt(newKeySessionId(ctx)) === ctx.now();
 */
export function keySessionOpenedAt(sessionId: string): number | null {
  if (!uuidValidate(sessionId) || uuidVersion(sessionId) !== 7) return null;
  return Number.parseInt(sessionId.replace(/-/g, "").slice(0, 12), 16);
}

/**
 * Checks that the session `sessionId`, found on a row stamped `rowTime`, is still open: opened less than
 * `KEY_SESSION_TTL_MS` ago (by its id; by `rowTime` for an id that carries no time).
 * @throws ApiError 400/306 when the session has expired.
 * @example requireOpenKeySession(ctx, sessionId, member.time);
 */
export function requireOpenKeySession(ctx: ServiceContext, sessionId: string, rowTime: number): void {
  const opened = keySessionOpenedAt(sessionId) ?? rowTime;
  if (ctx.now() - opened >= KEY_SESSION_TTL_MS)
    throw E.groupKeySession("Key session expired: a key session is open for 24 hours");
}
