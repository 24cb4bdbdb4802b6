/**
 * The failed-login limit (docs/server.md "Failed logins"), counted in the store so that every server process
 * on one database shares it:
 * - per (app, client address): a client over `client_max_failures` in the window gets 429/118 for every login;
 * - per (app, identifier): an identifier over `max_failures` gets 429/118, except from a client that logged in
 *   successfully for it within `known_client_days`, so a correct password from a known-good client still works.
 * Unknown identifiers count exactly like known ones, so the limit reveals nothing. Counters are separate rows
 * with fixed windows and are deleted once their window is over: no attacker-chosen identifier can push another
 * identifier's counter out, and nothing grows in memory.
 */
import type { LoginLimitConfig } from "../config.js";
import { E } from "../errors.js";
import type { LoginScope, Store } from "../store/types.js";

/** Defaults of the per-client settings that configs written before them do not have. */
export const DEFAULT_CLIENT_MAX_FAILURES = 100;
export const DEFAULT_KNOWN_CLIENT_DAYS = 30;
/** How often (at most) a limiter deletes expired counters and forgotten clients. */
const PRUNE_INTERVAL_MS = 60_000;

export class LoginLimiter {
  private lastPrune = 0;
  constructor(
    private readonly store: Store,
    private readonly config: LoginLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  private get off(): boolean {
    return this.config.max_failures === 0;
  }
  private get windowMs(): number {
    return this.config.window_seconds * 1000;
  }
  private get clientMax(): number {
    return this.config.client_max_failures ?? DEFAULT_CLIENT_MAX_FAILURES;
  }
  private get knownClientMs(): number {
    return (this.config.known_client_days ?? DEFAULT_KNOWN_CLIENT_DAYS) * 86_400_000;
  }

  private async over(scope: LoginScope, appId: string, subject: string, max: number, now: number) {
    if (max === 0) return null;
    const row = await this.store.getLoginFailures(scope, appId, subject, now, this.windowMs);
    if (!row || row.failures < max) return null;
    return Math.max(1, Math.ceil((row.windowStart + this.windowMs - now) / 1000));
  }

  /**
   * Throws 429/118 when the client address is over its limit, or the identifier is over its limit and the
   * client is not known-good for it. An empty `client` (no address known) is never known-good.
   * @throws ServerError 429/118 with the seconds to wait.
   * @example await ctx.loginLimiter.check(appId, hashedIdentifier, request.ip);
   */
  async check(appId: string, hashedIdentifier: string, client: string): Promise<void> {
    if (this.off) return;
    const now = this.now();
    const clientWait = client ? await this.over("client", appId, client, this.clientMax, now) : null;
    if (clientWait !== null) throw E.tooManyAttempts(clientWait);
    const identifierWait = await this.over("identifier", appId, hashedIdentifier, this.config.max_failures, now);
    if (identifierWait === null) return;
    const known =
      client !== "" && (await this.store.isKnownLoginClient(appId, hashedIdentifier, client, now - this.knownClientMs));
    if (!known) throw E.tooManyAttempts(identifierWait);
  }

  /**
   * Counts a failed attempt for the identifier and for the client address; now and then deletes expired rows.
   * @example await ctx.loginLimiter.recordFailure(appId, hashedIdentifier, request.ip);
   */
  async recordFailure(appId: string, hashedIdentifier: string, client: string): Promise<void> {
    if (this.off) return;
    const now = this.now();
    await this.store.addLoginFailure("identifier", appId, hashedIdentifier, now, this.windowMs);
    if (client && this.clientMax > 0) await this.store.addLoginFailure("client", appId, client, now, this.windowMs);
    if (now - this.lastPrune >= PRUNE_INTERVAL_MS) await this.prune(now);
  }

  /**
   * Marks the client known-good for the identifier after a complete login.
   * @example await ctx.loginLimiter.recordSuccess(appId, hashedIdentifier, request.ip);
   */
  async recordSuccess(appId: string, hashedIdentifier: string, client: string): Promise<void> {
    if (this.off || !client) return;
    await this.store.rememberLoginClient(appId, hashedIdentifier, client, this.now());
  }

  /**
   * Deletes counters whose window is over and clients not seen within `known_client_days`.
   * @example await limiter.prune(Date.now());
   */
  async prune(now: number = this.now()): Promise<void> {
    this.lastPrune = now;
    await this.store.deleteLoginFailuresBefore(now - this.windowMs);
    await this.store.deleteLoginClientsBefore(now - this.knownClientMs);
  }
}
