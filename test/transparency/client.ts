/**
 * What the transparency tests share: the project's server (test harness) with one app, a malicious proxy in front of
 * it, fresh SDK clients through the proxy and new users.
 */
import { defaultAppOptions, type ServerConfig } from "../../server/config.js";
import { MemoryStorage, Sentc, type SentcOptions, type User } from "../../src/index.js";
import { type Harness, makeApp, startHarness, type TestApp, unique } from "../server/harness.js";
import { type MaliciousProxy, startProxy } from "./proxy.js";

export interface Scene {
  h: Harness;
  app: TestApp;
  proxy: MaliciousProxy;
  close(): Promise<void>;
}

/** The server with an app that lets the public token register and delete users, and the proxy in front of it. */
export async function startScene(): Promise<Scene> {
  const lax = makeApp({ options: { ...defaultAppOptions(), user_register: 1, user_delete: 1 } });
  const h = await startHarness({ apps: [lax.config] as unknown as ServerConfig["apps"] });
  const proxy = await startProxy(h.server.baseUrl);
  return {
    h,
    app: lax.app,
    proxy,
    async close() {
      await proxy.close();
      await h.close();
    },
  };
}

/** A fresh SDK client (new memory storage, so no pins and no kept head) through the scene's proxy. */
export async function initClient(scene: Scene, options: Partial<SentcOptions> = {}): Promise<void> {
  Sentc.reset();
  const store = new MemoryStorage();
  await Sentc.init({
    base_url: scene.proxy.url,
    app_token: scene.app.publicToken,
    storage: { getStorage: async () => store },
    ...options,
  } as SentcOptions);
}

export interface Account {
  user: User;
  userId: string;
  identifier: string;
  password: string;
}

/** Registers and logs in a new user with the current client. */
export async function newUser(): Promise<Account> {
  const identifier = unique();
  const password = `pw-${unique()}`;
  const userId = await Sentc.register(identifier, password);
  const user = await Sentc.login(identifier, password, true);
  return { user, userId, identifier, password };
}
