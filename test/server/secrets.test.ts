/**
 * Secrets at rest (docs/server.md "Secrets at rest"): JWT sign keys, OTP secrets and recovery keys are
 * stored encrypted with the server key; the database alone does not reveal them. Key rotation: the first
 * key encrypts, every configured key decrypts.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSecretKeys, SecretBox, SecretKeyError } from "../../server/secrets.js";
import { currentTotp } from "../../server/services/otp.js";
import { prepareLogin } from "../../src/protocol/login.js";
import { expectError, expectOk, login, registerUser, startHarness, type Harness } from "./harness.js";

const V = "/api/v1";

describe("SecretBox", () => {
  it("seals and opens; a value is bound to its column; rotation keeps old values readable", () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new SecretBox([oldKey]);
    const sealed = before.seal("JBSWY3DPEHPK3PXP", "otp-secret");
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{16}:/);
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(before.open(sealed, "otp-secret")).toBe("JBSWY3DPEHPK3PXP");
    expect(() => before.open(sealed, "otp-recovery-key")).toThrow(SecretKeyError);
    const rotated = new SecretBox([newKey, oldKey]);
    expect(rotated.open(sealed, "otp-secret")).toBe("JBSWY3DPEHPK3PXP");
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(rotated.isCurrent(rotated.seal("x", "otp-secret"))).toBe(true);
    expect(() => new SecretBox([newKey]).open(sealed, "otp-secret")).toThrow(/not configured/);
    const tampered = sealed.slice(0, -4) + (sealed.endsWith("AAA=") ? "BBB=" : "AAA=");
    expect(() => before.open(tampered, "otp-secret")).toThrow(SecretKeyError);
    // Rows written before encryption are read as they are.
    expect(before.open("plain", "otp-secret")).toBe("plain");
  });

  it("parses keys from the environment or a key file and refuses bad ones", () => {
    const a = randomBytes(32).toString("base64");
    const b = randomBytes(32).toString("base64");
    expect(parseSecretKeys(`# current first\n${a}\n${b}\n`, "file")).toHaveLength(2);
    expect(parseSecretKeys(`${a},${b}`, "env")).toHaveLength(2);
    expect(() => parseSecretKeys(randomBytes(16).toString("base64"), "env")).toThrow(/32 random bytes/);
    expect(() => parseSecretKeys("", "env")).toThrow(/no server key/);
  });
});

describe("the database alone", () => {
  let h: Harness & Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("does not reveal JWT sign keys, OTP secrets or recovery keys; the server still uses them", async () => {
    const jwtKey = await h.server.store.getNewestJwtKey(h.app.id);
    expect(jwtKey!.signKey).toMatch(/^enc:v1:/);
    expect(jwtKey!.signKey).not.toContain(h.app.signKey);

    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const otp = expectOk(await h.call("PATCH", `${V}/user/register_otp`, { jwt: session.jwt }));
    const record = await h.server.store.getUser(h.app.id, user.userId);
    expect(record!.otpSecret).toMatch(/^enc:v1:/);
    expect(record!.otpSecret).not.toContain(otp.secret);
    const storedRecovery = await h.server.store.listRecoveryKeys(user.userId);
    expect(storedRecovery).toHaveLength(6);
    for (const stored of storedRecovery) {
      expect(stored).toMatch(/^enc:v1:/);
      for (const key of otp.recover as string[]) expect(stored).not.toContain(key);
    }
    expect(expectOk(await h.call("GET", `${V}/user/otp_recovery_keys`, { jwt: session.jwt })).keys).toEqual(
      otp.recover,
    );

    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }));
    const auth = JSON.parse(prepareLogin(user.identifier, user.password, salt).doneLoginInput);
    expectOk(
      await h.call("POST", `${V}/validate_mfa`, { body: { ...auth, token: currentTotp(otp.secret, Date.now()) } }),
    );
    expectOk(await h.call("POST", `${V}/validate_recovery_otp`, { body: { ...auth, token: otp.recover[0] } }));
    expectError(
      await h.call("POST", `${V}/validate_recovery_otp`, { body: { ...auth, token: otp.recover[0] } }),
      400,
      901,
    );
  });
});

describe("server key rotation", () => {
  it("a start with a new key first re-encrypts every secret; then the old key can go", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const dbPath = join(await mkdtemp(join(tmpdir(), "sentc-secrets-")), "db.sqlite");
    const first = await startHarness({}, { dbPath, server: { secretKeys: [oldKey] } });
    const apps = first.apps;
    const user = await registerUser(first);
    const session = await login(first, user.identifier, user.password);
    const otp = expectOk(await first.call("PATCH", `${V}/user/register_otp`, { jwt: session.jwt }));
    await first.close();

    const rotated = await startHarness({}, { dbPath, apps, server: { secretKeys: [newKey, oldKey] } });
    const prefix = new SecretBox([newKey]).currentPrefix;
    try {
      expect((await rotated.server.store.getNewestJwtKey(rotated.app.id))!.signKey.startsWith(prefix)).toBe(true);
      expect((await rotated.server.store.getUser(rotated.app.id, user.userId))!.otpSecret!.startsWith(prefix)).toBe(
        true,
      );
      for (const stored of await rotated.server.store.listRecoveryKeys(user.userId))
        expect(stored.startsWith(prefix)).toBe(true);
    } finally {
      await rotated.close();
    }

    const newOnly = await startHarness({}, { dbPath, apps, server: { secretKeys: [newKey] } });
    try {
      const salt = expectOk(
        await newOnly.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }),
      );
      const auth = JSON.parse(prepareLogin(user.identifier, user.password, salt).doneLoginInput);
      expectOk(
        await newOnly.call("POST", `${V}/validate_mfa`, {
          body: { ...auth, token: currentTotp(otp.secret, Date.now()) },
        }),
      );
      expectOk(await newOnly.call("POST", `${V}/validate_recovery_otp`, { body: { ...auth, token: otp.recover[1] } }));
    } finally {
      await newOnly.close();
    }
    // Without any of the keys the values cannot be read: the start fails with a clear error.
    await expect(startHarness({}, { dbPath, apps, server: { secretKeys: [randomBytes(32)] } })).rejects.toThrow(
      SecretKeyError,
    );
  });
});
