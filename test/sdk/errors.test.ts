/**
 * Real failures through the public API, read the reference's way (spec sdk.md §7): `JSON.parse(e)` gives the
 * status the reference SDK would give in the same situation, and the error is still a typed SentcError.
 * Runs against the project's server in-process over real HTTP.
 */
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc, SentcError, type Group } from "../../src/index.js";
import { unique } from "../server/harness.js";
import { sentcError } from "./helpers.js";
import { newMember, startGroupHarness, type GroupHarness, type TestMember } from "./group-helpers.js";

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
});
afterAll(() => g.h.close());

/** The reference-style reading of a caught error. */
function reference(error: unknown): { status: string; error_message: string } {
  const parsed = JSON.parse(error as string) as { status: string; error_message: string };
  expect(Object.keys(parsed)).toEqual(["status", "error_message"]);
  expect((error as SentcError).status).toBe(parsed.status);
  expect((error as SentcError).error_message).toBe(parsed.error_message);
  return parsed;
}

describe("login", () => {
  it("a wrong password is the server's server_112", async () => {
    const identifier = unique();
    await Sentc.register(identifier, "right password");
    const error = await sentcError(Sentc.login(identifier, "wrong password"));
    expect(error.code).toBe("server");
    expect(error.serverCode).toBe(112);
    expect(reference(error).status).toBe("server_112");
    expect(reference(error).error_message).toBe(error.message);
  });

  it("an unknown identifier is what the server answers, unchanged", async () => {
    const error = await sentcError(Sentc.login(unique(), "any password"));
    expect(error.code).toBe("server");
    expect(reference(error).status).toBe(`server_${error.serverCode}`);
  });

  it("a forced login with MFA on is client_10000", async () => {
    const member = await newMember();
    const [url] = await member.user.registerOtp("Errors", "mfa", member.password);
    const secret = new URL(url).searchParams.get("secret")!;
    const error = await sentcError(Sentc.login(member.identifier, member.password, true));
    expect(error.code).toBe("mfa_required");
    expect(reference(error).status).toBe("client_10000");
    // Fresh-JWT methods without the token: client_10000 as well (the reference gives a misleading client_100).
    // changePassword throws synchronously, as the reference (its method is not async).
    expect(
      reference(await sentcError((async () => member.user.changePassword(member.password, "new pw"))())).status,
    ).toBe("client_10000");
    const token = new TOTP({
      algorithm: "SHA256",
      digits: 6,
      period: 30,
      secret: Secret.fromBase32(secret),
    }).generate();
    await member.user.disableOtp(member.password, token);
  });
});

describe("groups", () => {
  let owner: TestMember;
  let member: TestMember;
  let ownerGroup: Group;
  let memberGroup: Group;
  let otherGroup: Group;

  beforeAll(async () => {
    owner = await newMember();
    member = await newMember();
    const groupId = await owner.user.createGroup();
    ownerGroup = await owner.user.getGroup(groupId);
    await ownerGroup.inviteAuto(member.userId);
    memberGroup = await member.user.getGroup(groupId);
    otherGroup = await owner.user.getGroup(await owner.user.createGroup());
  });

  it("a rank-4 member kicking someone is client_201", async () => {
    expect(memberGroup.data.rank).toBe(4);
    const error = await sentcError(memberGroup.kickUser(owner.userId));
    expect(error.code).toBe("permission_denied");
    expect(reference(error).status).toBe("client_201");
  });

  it("a rank outside 1-4 is client_200", async () => {
    const error = await sentcError(ownerGroup.updateRank(member.userId, 5));
    expect(error.code).toBe("invalid_input");
    expect(reference(error).status).toBe("client_200");
  });

  it("tampered group data is client_14 (decryption failed)", async () => {
    const encrypted = Buffer.from(await ownerGroup.encryptString("secret"), "base64");
    encrypted[encrypted.length - 1]! ^= 1;
    const error = await sentcError(ownerGroup.decryptString(encrypted.toString("base64")));
    expect(error.code).toBe("decryption_failed");
    expect(reference(error).status).toBe("client_14");
  });

  it("data of another group: the server's answer for the unknown key passes through", async () => {
    const encrypted = await otherGroup.encryptString("other");
    const error = await sentcError(ownerGroup.decryptString(encrypted));
    expect(error.code).toBe("server");
    expect(error.serverCode).toBe(304);
    expect(reference(error).status).toBe("server_304");
  });

  it("a key id the member does not hold: the sync variant has the reference's plain-Error text", () => {
    let caught: unknown;
    try {
      ownerGroup.getSymKeyByIdSync("no-such-key");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SentcError);
    expect((caught as SentcError).code).toBe("key_not_found");
    expect((caught as SentcError).message).toBe("Group key not found. Maybe done key rotation will help");
    expect(reference(caught).error_message).toBe("Group key not found. Maybe done key rotation will help");
    expect(reference(caught).status).toBe("client_109");
  });

  it("an empty searchable input is client_301", async () => {
    const error = await sentcError(() => ownerGroup.createSearchRaw(""));
    expect(reference(error).status).toBe("client_301");
  });
});

describe("users", () => {
  it("encrypting to an unknown user id is the server's user-not-found answer, unchanged", async () => {
    const sender = await newMember();
    const error = await sentcError(sender.user.encryptString("to nobody", "00000000-0000-0000-0000-000000000000"));
    expect(error.code).toBe("server");
    expect(error.serverCode).toBe(100);
    expect(reference(error).status).toBe("server_100");
  });

  it("a user key id that does not exist is the server's answer, unchanged", async () => {
    const { user } = await newMember();
    const error = await sentcError(user.getPrivateKey("00000000-0000-0000-0000-000000000000"));
    expect(error.code).toBe("server");
    expect(reference(error).status).toBe("server_304");
    const sync = await sentcError(() => user.getPrivateKeySync("00000000-0000-0000-0000-000000000000"));
    expect(sync.code).toBe("key_not_found");
    expect(sync.message).toBe("Key not found");
  });

  it('no logged-in user: the reference\'s "No actual user found"', async () => {
    await (await newMember()).user.logOut();
    const error = await sentcError(Sentc.getActualUser());
    expect(error.code).toBe("not_logged_in");
    expect(error.message).toBe("No actual user found");
    expect(reference(error)).toEqual({ status: "client_1100", error_message: "No actual user found" });
  });
});
