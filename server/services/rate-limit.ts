/**
 * Failed-login limiter per (app, identifier): after `maxFailures` failed attempts inside the window every
 * further attempt on that identifier is refused with 429/118 until the window ends. Unknown identifiers
 * count exactly like known ones, so the limit reveals nothing. In memory, per server process.
 */
import { E } from "../errors.js";
import type { LoginLimitConfig } from "../config.js";

interface Entry {
  failures: number;
  windowStart: number;
}

const MAX_ENTRIES = 100_000;

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly config: LoginLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  private key(appId: string, hashedIdentifier: string): string {
    return `${appId}\u0000${hashedIdentifier}`;
  }

  /** Throws 429/118 when the identifier is locked. */
  check(appId: string, hashedIdentifier: string): void {
    if (this.config.max_failures === 0) return;
    const entry = this.entries.get(this.key(appId, hashedIdentifier));
    if (!entry) return;
    const windowMs = this.config.window_seconds * 1000;
    const elapsed = this.now() - entry.windowStart;
    if (elapsed >= windowMs) {
      this.entries.delete(this.key(appId, hashedIdentifier));
      return;
    }
    if (entry.failures >= this.config.max_failures) throw E.tooManyAttempts(Math.ceil((windowMs - elapsed) / 1000));
  }

  recordFailure(appId: string, hashedIdentifier: string): void {
    if (this.config.max_failures === 0) return;
    const key = this.key(appId, hashedIdentifier);
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.windowStart < this.config.window_seconds * 1000) {
      entry.failures += 1;
      return;
    }
    if (this.entries.size >= MAX_ENTRIES) this.prune(now);
    this.entries.set(key, { failures: 1, windowStart: now });
  }

  private prune(now: number): void {
    const windowMs = this.config.window_seconds * 1000;
    for (const [key, entry] of this.entries) if (now - entry.windowStart >= windowMs) this.entries.delete(key);
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size < MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }
}
