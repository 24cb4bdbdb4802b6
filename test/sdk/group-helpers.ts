/**
 * Group SDK tests: the project's server in-process over real HTTP with one lax app (public token may register,
 * delete users and rotate keys often enough for groups with more than 100 keys), and users logged in through
 * the SDK. Every user is its own `User` object; `Sentc`'s current user is the last one logged in.
 */
import { expect } from "vitest";
import { type ServerConfig, defaultAppOptions } from "../../server/config.js";
import { Sentc, type Group, type User } from "../../src/index.js";
import { makeApp, startHarness, unique, type Harness, type TestApp } from "../server/harness.js";

export interface GroupHarness {
  h: Harness;
  baseUrl: string;
  app: TestApp;
}

export async function startGroupHarness(): Promise<GroupHarness> {
  const lax = makeApp({
    options: { ...defaultAppOptions(), user_register: 1, user_delete: 1 },
    group_options: { max_key_rotation_month: 1000, min_rank_key_rotation: 4 },
  } as never);
  const h = await startHarness({ apps: [lax.config] as unknown as ServerConfig["apps"] });
  Sentc.reset();
  await Sentc.init({ base_url: h.server.baseUrl, app_token: lax.app.publicToken });
  return { h, baseUrl: h.server.baseUrl, app: lax.app };
}

export interface TestMember {
  user: User;
  userId: string;
  identifier: string;
  password: string;
}

export async function newMember(): Promise<TestMember> {
  const identifier = unique();
  const password = `pw-${unique()}`;
  const userId = await Sentc.register(identifier, password);
  const user = await Sentc.login(identifier, password, true);
  return { user, userId, identifier, password };
}

/** Waits until the server's key rotation worker has given every member its copy. */
export async function rotationsDone(g: GroupHarness): Promise<void> {
  await g.h.server.rotations!.whenIdle();
}

/** Drops a group's stored data so the next `getGroup` loads it from the server again. */
export async function forgetStoredGroup(memberId: string, groupId: string): Promise<void> {
  const store = await Sentc.getStore();
  await store.delete(`group_data_user_${memberId}_id_${groupId}`);
}

export function keyIds(group: Group): string[] {
  return group.data.keys.map((key) => key.group_key_id).sort();
}

export function expectSameKeys(a: Group, b: Group): void {
  expect(keyIds(a)).toEqual(keyIds(b));
}
