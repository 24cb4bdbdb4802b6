// What the browser tests reach through `window`: the SDK, the init promise, and the count and the keys of the
// records the SDK keeps in IndexedDB (database "sentclose", store "keys").
export function exposeSdk(Sentc: { init(options: unknown): Promise<unknown> }): void {
  const options = JSON.parse(new URLSearchParams(location.search).get("options") ?? "{}");
  const page = window as unknown as Record<string, unknown>;
  page.Sentc = { default: Sentc };
  page.storedRecords = storedRecords;
  page.storedKeys = storedKeys;
  page.ready = Sentc.init(options);
}

async function storedRecords(): Promise<number> {
  return (await storedKeys()).length;
}

function storedKeys(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open("sentclose");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("keys")) {
        db.close();
        resolve([]);
        return;
      }
      const keys = db.transaction("keys", "readonly").objectStore("keys").getAllKeys();
      keys.onsuccess = () => {
        db.close();
        resolve(keys.result.map(String));
      };
      keys.onerror = () => reject(keys.error);
    };
  });
}
