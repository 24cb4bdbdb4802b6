/**
 * Files through the public User and Group methods (createFile, downloadFileData, updateFileName, deleteFile) over
 * real HTTP: a file one user shares with another, and a signed group file a member downloads with progress.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newMember, startGroupHarness, type GroupHarness } from "./group-helpers.js";
import { sentcError } from "./helpers.js";

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
});
afterAll(() => g.h.close());

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

describe("files through User and Group", () => {
  it("a user file for another user: only that user can open it; rename and delete by the owner", async () => {
    const alice = await newMember();
    const bob = await newMember();
    const carol = await newMember();
    const data = bytes(70_000);
    const created = await alice.user.createFile(data, true, bob.userId, undefined, {
      file_name: "report.bin",
      part_size: 16_384,
    });
    const progress: number[] = [];
    const fromBob = await bob.user.downloadFileData(created.file_id, undefined, (p) => progress.push(p));
    expect(fromBob.data).toEqual(data);
    expect(fromBob.file_name).toBe("report.bin");
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The content key is wrapped for bob's key only (as in sentc): neither alice's nor carol's keys open it.
    // Alice does not have bob's key: the server's "key not found" stands, as in sentc (no automatic key rotation finish).
    expect(await sentcError(alice.user.downloadFileData(created.file_id))).toMatchObject({
      code: "server",
      serverCode: 304,
    });
    expect((await sentcError(carol.user.downloadFileData(created.file_id))).code).toBe("server");

    await alice.user.updateFileName(created.file_id, fromBob.key, "renamed.bin");
    expect((await bob.user.downloadFileData(created.file_id)).file_name).toBe("renamed.bin");
    await alice.user.deleteFile(created.file_id);
    expect((await sentcError(bob.user.downloadFileData(created.file_id))).code).toBe("server");
  });

  it("a signed group file: a member downloads it and verifies every part", async () => {
    const owner = await newMember();
    const member = await newMember();
    const group = await owner.user.getGroup(await owner.user.createGroup());
    await group.inviteAuto(member.userId);
    const memberView = await member.user.getGroup(group.data.group_id);
    const data = bytes(50_000);
    const created = await group.createFile(data, true, undefined, { file_name: "shared.txt", part_size: 20_000 });
    const download = await memberView.downloadFileData(created.file_id, owner.user.user_data.user_keys[0]!.verify_key);
    expect(download.data).toEqual(data);
    expect(download.file_name).toBe("shared.txt");
    await group.deleteFile(created.file_id);
    expect((await sentcError(memberView.downloadFileData(created.file_id))).code).toBe("server");
  });
});
