/**
 * A file shared in a group between two people, each in a browser context of their own (separate IndexedDB,
 * cookies and SDK): alice encrypts a file in her page and uploads it part by part with a progress callback; bob,
 * invited into the group, downloads and decrypts it in his page. The bytes on the server are ciphertext; the
 * bytes bob gets are alice's, with the file name.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/chromium.js";
import { buildUmd, openSdkPage, startDemoStack, type DemoStack } from "./helpers/demo-stack.js";

const SIZE = 300_000;
const PART_SIZE = 64 * 1024; // 5 parts: 4 full ones and a short last one
let browser: Browser;
let stack: DemoStack;

beforeAll(async () => {
  await buildUmd();
  stack = await startDemoStack();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Registers through the backend and logs in, in `page`; answers the user id. */
function signUp(page: Page, identifier: string): Promise<string> {
  return page.evaluate(async (identifier) => {
    const Sentc = (window as any).Sentc.default;
    await (window as any).registerViaBackend(identifier, "pw ✓");
    const user = await Sentc.login(identifier, "pw ✓", true);
    return user.user_data.user_id as string;
  }, identifier);
}

describe("group files across two browser contexts", () => {
  it("alice uploads an encrypted file with progress, bob (a member) downloads and decrypts it", async () => {
    const contexts: BrowserContext[] = [await browser.newContext(), await browser.newContext()];
    const [alicePage, bobPage] = [await openSdkPage(contexts[0]!, stack), await openSdkPage(contexts[1]!, stack)];
    const stamp = Date.now();
    const aliceId = await signUp(alicePage, `alice-files-${stamp}`);
    const bobId = await signUp(bobPage, `bob-files-${stamp}`);

    // The part bodies as handed to fetch (they are Blobs, which DevTools does not see as post data).
    await alicePage.evaluate(() => {
      const realFetch = window.fetch;
      (window as any).sentParts = [];
      window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
        if (init?.method === "POST" && new URL(String(input)).pathname.startsWith("/api/v1/file/part/")) {
          const body = init.body;
          const bytes =
            body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : new Uint8Array(body as ArrayBuffer);
          (window as any).sentParts.push(Array.from(bytes));
        }
        return realFetch(input, init);
      };
    });

    const upload = await alicePage.evaluate(
      async ({ bobId, size, partSize }) => {
        const user = await (window as any).Sentc.default.getActualUser();
        const groupId = await user.createGroup();
        const group = await user.getGroup(groupId);
        await group.inviteAuto(bobId);
        // A file with recognisable plain text in it, so the test can look for it in what was sent.
        const bytes = new Uint8Array(size);
        const marker = new TextEncoder().encode("TOP SECRET PLAN ");
        for (let i = 0; i < size; i++) bytes[i] = marker[i % marker.length]!;
        const progress: number[] = [];
        const file = new File([bytes], "plan.txt", { type: "text/plain" });
        const out = await group.createFile(file, false, (value: number) => progress.push(value), {
          part_size: partSize,
        });
        const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
        return { groupId, fileId: out.file_id as string, progress, digest };
      },
      { bobId, size: SIZE, partSize: PART_SIZE },
    );

    // Progress: one report per part, rising, ending at exactly 1.
    const parts = Math.ceil(SIZE / PART_SIZE);
    expect(upload.progress).toHaveLength(parts);
    expect(upload.progress.at(-1)).toBe(1);
    for (let i = 1; i < upload.progress.length; i++)
      expect(upload.progress[i]!).toBeGreaterThan(upload.progress[i - 1]!);
    // What went over the wire was ciphertext, in as many parts.
    const uploadedParts = (await alicePage.evaluate(() => (window as any).sentParts as number[][])).map((part) =>
      Buffer.from(part),
    );
    expect(uploadedParts).toHaveLength(parts);
    for (const part of uploadedParts) expect(part.includes("TOP SECRET")).toBe(false);

    const download = await bobPage.evaluate(
      async ({ groupId, fileId }) => {
        const user = await (window as any).Sentc.default.getActualUser();
        const groups = (await user.getGroups()).map((g: { group_id: string }) => g.group_id);
        const group = await user.getGroup(groupId);
        const progress: number[] = [];
        // As with sentc: an object URL of the decrypted content, the meta data and the file's key.
        const [url, meta] = await group.downloadFile(fileId, undefined, (value: number) => progress.push(value));
        const data = new Uint8Array(await (await fetch(url)).arrayBuffer());
        URL.revokeObjectURL(url);
        const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
        const text = new TextDecoder().decode(data.subarray(0, 32));
        return { groups, fileName: meta.file_name, size: data.length, digest, text, progress, owner: meta.owner };
      },
      { groupId: upload.groupId, fileId: upload.fileId },
    );

    expect(download.groups).toContain(upload.groupId);
    expect(download.fileName).toBe("plan.txt");
    expect(download.size).toBe(SIZE);
    expect(download.digest).toEqual(upload.digest);
    expect(download.text).toBe("TOP SECRET PLAN TOP SECRET PLAN ");
    expect(download.owner).toBe(aliceId);
    expect(download.progress.at(-1)).toBe(1);

    // Someone outside the group gets the file's metadata refused.
    const outsiderPage = await openSdkPage(await browser.newContext(), stack);
    await signUp(outsiderPage, `eve-files-${stamp}`);
    const outsider = await outsiderPage.evaluate(async (groupId) => {
      const user = await (window as any).Sentc.default.getActualUser();
      try {
        await user.getGroup(groupId);
        return "opened";
      } catch (error: any) {
        return error.code;
      }
    }, upload.groupId);
    expect(outsider).not.toBe("opened");

    for (const context of [...contexts, outsiderPage.context()]) await context.close();
  });
});
