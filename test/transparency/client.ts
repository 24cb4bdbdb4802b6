/** A fresh SDK client (new memory storage, so no pins and no kept head) talking to `baseUrl` (the proxy). */
import { MemoryStorage, Sentc, type SentcOptions } from "../../src/index.js";

export async function initClient(baseUrl: string, appToken: string, options: Partial<SentcOptions> = {}) {
  Sentc.reset();
  const store = new MemoryStorage();
  await Sentc.init({
    base_url: baseUrl,
    app_token: appToken,
    storage: { getStorage: async () => store },
    ...options,
  } as SentcOptions);
}
