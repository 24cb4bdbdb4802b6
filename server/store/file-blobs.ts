/**
 * Where the bytes of file parts live: one file per part in a local directory (sentc's local storage,
 * api.md §3.8), named by the part id the server generated (never by anything from a request). A write is
 * on disk (fsync) and renamed into place before the part is recorded, so a recorded part always has its
 * bytes; the cleanup removes bytes without a record (api.md §3.8 cleanup, services/files.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

export interface BlobStore {
  put(id: string, data: Uint8Array): Promise<void>;
  /** null when there is no blob with this id. */
  get(id: string): Promise<Buffer | null>;
  /** Removes a blob; a missing one is fine. */
  delete(id: string): Promise<void>;
  /** Ids of blobs (and unfinished writes) last modified before `time` (ms since the epoch). */
  listModifiedBefore(time: number): Promise<string[]>;
}

const ID = /^[0-9A-Za-z-]{1,64}$/;
const TMP_PREFIX = ".tmp-";

function checkId(id: string): string {
  if (!ID.test(id)) throw new Error(`blob store: invalid id "${id}"`);
  return id;
}

export class LocalBlobStore implements BlobStore {
  /** Creates the directory (with its parents) when it is missing. */
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async put(id: string, data: Uint8Array): Promise<void> {
    const target = join(this.dir, checkId(id));
    const tmp = join(this.dir, `${TMP_PREFIX}${id}-${randomBytes(6).toString("hex")}`);
    const handle = await open(tmp, "w", 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, target);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
  }

  async get(id: string): Promise<Buffer | null> {
    try {
      return await readFile(join(this.dir, checkId(id)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    try {
      await unlink(join(this.dir, id.startsWith(TMP_PREFIX) ? id : checkId(id)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  async listModifiedBefore(time: number): Promise<string[]> {
    const names = await readdir(this.dir);
    const old: string[] = [];
    for (const name of names) {
      if (!ID.test(name) && !name.startsWith(TMP_PREFIX)) continue;
      try {
        const info = await stat(join(this.dir, name));
        if (info.isFile() && info.mtimeMs < time) old.push(name);
      } catch {
        // removed meanwhile
      }
    }
    return old;
  }
}
