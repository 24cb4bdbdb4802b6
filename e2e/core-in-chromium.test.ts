import {
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  sign,
} from "node:crypto";
import { copyFile, mkdir } from "node:fs/promises";
import { argon2id } from "hash-wasm";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INPUTS } from "./core/inputs.js";
import { launchChromium } from "./helpers/chromium.js";
import { serveFolder, type StaticServer } from "./helpers/static-server.js";

const OUT = "build/e2e/core";
let browser: Browser;
let server: StaticServer;
let results: Record<string, string | boolean | number>;

const hex = (b: Uint8Array | Buffer) => Buffer.from(b).toString("hex");
const pkcs8 = (prefix: string, raw: Uint8Array) => Buffer.concat([Buffer.from(prefix, "hex"), raw]);
const X25519_PKCS8 = "302e020100300506032b656e04220420";
const ED25519_PKCS8 = "302e020100300506032b657004220420";

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  await build({
    logLevel: "warn",
    configFile: false,
    build: {
      outDir: OUT,
      emptyOutDir: false,
      minify: false,
      lib: { entry: "e2e/core/entry.ts", formats: ["es"], fileName: () => "entry.js" },
    },
  });
  await copyFile("e2e/core/index.html", `${OUT}/index.html`);
  await copyFile("build/core.wasm", `${OUT}/core.wasm`);
  server = await serveFolder(OUT);
  browser = await launchChromium();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(server.url);
  await page.waitForFunction(() => typeof (globalThis as { runCore?: unknown }).runCore === "function");
  results = await page.evaluate(() =>
    (globalThis as unknown as { runCore(): Promise<Record<string, string | boolean | number>> }).runCore(),
  );
  expect(errors).toEqual([]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the release core in headless Chromium", () => {
  const { message, hmacKey, hkdf, argon2, aes } = INPUTS;

  it("SHA-256 and SHA-512 match node:crypto", () => {
    expect(results.sha256).toBe(createHash("sha256").update(message).digest("hex"));
    expect(results.sha512).toBe(createHash("sha512").update(message).digest("hex"));
  });

  it("HMAC-SHA256/512 and HKDF-SHA256 match node:crypto", () => {
    expect(results.hmacSha256).toBe(createHmac("sha256", hmacKey).update(message).digest("hex"));
    expect(results.hmacSha512).toBe(createHmac("sha512", hmacKey).update(message).digest("hex"));
    expect(results.hkdfSha256).toBe(
      hex(new Uint8Array(hkdfSync("sha256", hkdf.ikm, hkdf.salt, hkdf.info, hkdf.length))),
    );
  });

  it("Argon2id at sentc's parameters (m=4096 KiB, t=3, p=1, 64 bytes) matches hash-wasm", async () => {
    const expected = await argon2id({
      password: argon2.password,
      salt: argon2.salt,
      memorySize: argon2.memoryKib,
      iterations: argon2.iterations,
      parallelism: argon2.parallelism,
      hashLength: argon2.length,
      outputType: "hex",
    });
    expect(results.argon2id).toBe(expected);
    console.log(`Argon2id 4096/3/1 in Chromium: ${Number(results.argon2idMs).toFixed(1)} ms`);
  });

  it("AES-256-GCM matches node:crypto and rejects a tampered ciphertext", () => {
    const cipher = createCipheriv("aes-256-gcm", aes.key, aes.nonce);
    cipher.setAAD(aes.aad);
    const expected = Buffer.concat([cipher.update(message), cipher.final(), cipher.getAuthTag()]);
    expect(results.aesGcm).toBe(hex(expected));
    expect(results.aesGcmRoundTrip).toBe(true);
    expect(results.aesGcmTamperRejected).toBe(true);
  });

  it("X25519 matches node:crypto", () => {
    const alice = createPrivateKey({ key: pkcs8(X25519_PKCS8, INPUTS.x25519.alice), format: "der", type: "pkcs8" });
    const bob = createPrivateKey({ key: pkcs8(X25519_PKCS8, INPUTS.x25519.bob), format: "der", type: "pkcs8" });
    const alicePublic = createPublicKey(alice).export({ format: "der", type: "spki" }).subarray(-32);
    expect(results.x25519Public).toBe(hex(alicePublic));
    expect(results.x25519Shared).toBe(hex(diffieHellman({ privateKey: alice, publicKey: createPublicKey(bob) })));
  });

  it("Ed25519 matches node:crypto and verifies", () => {
    const key = createPrivateKey({ key: pkcs8(ED25519_PKCS8, INPUTS.ed25519.seed), format: "der", type: "pkcs8" });
    expect(results.ed25519Public).toBe(hex(createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32)));
    expect(results.ed25519Signature).toBe(hex(sign(null, message, key)));
    expect(results.ed25519Verifies).toBe(true);
    expect(results.ed25519RejectsOtherMessage).toBe(true);
  });
});
