import { argon2id as nobleArgon2id } from "@noble/hashes/argon2.js";
import fc from "fast-check";
import { argon2id as hashWasmArgon2id } from "hash-wasm";
import sodium from "libsodium-wrappers-sumo";
import { beforeAll, describe, expect, it } from "vitest";
import { ARGON2_MAX_MEMORY_KIB, ARGON2_MAX_TAG_BYTES, argon2id, type Argon2idParams } from "../../src/core/argon2.js";
import { constantTimeEqual } from "../../src/core/index.js";
import { getCore } from "../../src/core/loader.js";
import { withArena } from "../../src/core/memory.js";
import { isSentcError } from "../../src/errors.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable } from "../helpers/vectors.js";

const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const b64 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "base64"));

/** The parameters sentc_wasm 0.15.0 uses for password derivation. */
const SENTC = { memoryKib: 4096, iterations: 3, parallelism: 1, length: 64 } as const;

function noble(params: Argon2idParams): Uint8Array {
  return nobleArgon2id(params.password, params.salt, {
    m: params.memoryKib,
    t: params.iterations,
    p: params.parallelism,
    dkLen: params.length,
    ...(params.secret ? { key: params.secret } : {}),
    ...(params.associatedData ? { personalization: params.associatedData } : {}),
  });
}

async function hashWasm(params: Argon2idParams): Promise<Uint8Array> {
  return hashWasmArgon2id({
    password: params.password,
    salt: params.salt,
    ...(params.secret ? { secret: params.secret } : {}),
    memorySize: params.memoryKib,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: params.length,
    outputType: "binary",
  });
}

/** libsodium: p = 1, a 16-byte salt, no secret or associated data, and the memory limit in bytes. */
function libsodium(params: Argon2idParams): Uint8Array {
  expect(params.parallelism).toBe(1);
  expect(params.salt.length).toBe(sodium.crypto_pwhash_SALTBYTES);
  return sodium.crypto_pwhash(
    params.length,
    params.password,
    params.salt,
    params.iterations,
    params.memoryKib * 1024,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
}

function expectInvalid(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(isSentcError(error) && error.code).toBe("invalid_input");
    return;
  }
  expect.unreachable("expected a SentcError invalid_input");
}

beforeAll(async () => {
  await loadReleaseCore();
  await sodium.ready;
});

describe("argon2id: known answers", () => {
  it("RFC 9106 §5.3 test vector (p = 4, secret and associated data)", () => {
    const tag = argon2id({
      password: bytes(32, 0x01),
      salt: bytes(16, 0x02),
      secret: bytes(8, 0x03),
      associatedData: bytes(12, 0x04),
      memoryKib: 32,
      iterations: 3,
      parallelism: 4,
      length: 32,
    });
    expect(toHex(tag)).toBe("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  });

  it("sentc's parameters (m = 4096, t = 3, p = 1, 64 bytes) agree with hash-wasm and libsodium", async () => {
    const params = {
      ...SENTC,
      password: utf8("correct horse battery staple"),
      salt: Uint8Array.from({ length: 16 }, (_, i) => i * 17),
    };
    const ours = argon2id(params);
    expect(ours.length).toBe(64);
    expect(toHex(ours)).toBe(toHex(await hashWasm(params)));
    expect(toHex(ours)).toBe(toHex(libsodium(params)));
  });

  it("sentc_wasm 0.15.0 password derivation vectors (argon2.json)", () => {
    if (!vectorsAvailable("sentc")) return;
    const file = readVectorJson<{
      parameters_observed_for_this_package: { m_cost_kib: number; t_cost: number; p_cost: number; output_len: number };
      vectors: Array<{
        password_utf8_hex: string;
        salt_b64: string;
        master_key_encryption_key_b64: string;
        auth_key_b64: string;
        argon2id_64_byte_output_hex: string;
      }>;
    }>("sentc", "argon2.json");
    const observed = file.parameters_observed_for_this_package;
    expect([observed.m_cost_kib, observed.t_cost, observed.p_cost, observed.output_len]).toEqual([
      SENTC.memoryKib,
      SENTC.iterations,
      SENTC.parallelism,
      SENTC.length,
    ]);
    expect(file.vectors.length).toBe(5);
    for (const vector of file.vectors) {
      const out = argon2id({ ...SENTC, password: hex(vector.password_utf8_hex), salt: b64(vector.salt_b64) });
      expect(toHex(out)).toBe(vector.argon2id_64_byte_output_hex);
      // The two halves are the master-key encryption key and the auth key.
      expect(toHex(out.subarray(0, 32))).toBe(toHex(b64(vector.master_key_encryption_key_b64)));
      expect(toHex(out.subarray(32))).toBe(toHex(b64(vector.auth_key_b64)));
    }
  });
});

describe("argon2id: differential against hash-wasm, noble and libsodium", () => {
  interface SmallParams {
    password: Uint8Array;
    salt: Uint8Array;
    secret: Uint8Array | undefined;
    associatedData: Uint8Array | undefined;
    parallelism: number;
    extraKib: number;
    iterations: number;
    length: number;
  }
  const smallParams: fc.Arbitrary<SmallParams> = fc.record({
    password: fc.uint8Array({ maxLength: 40 }),
    salt: fc.uint8Array({ minLength: 8, maxLength: 40 }),
    secret: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
    associatedData: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
    parallelism: fc.integer({ min: 1, max: 6 }),
    extraKib: fc.integer({ min: 0, max: 40 }),
    iterations: fc.integer({ min: 1, max: 3 }),
    // Lengths above 64 exercise H' (RFC 9106 §3.3) with its chained BLAKE2b outputs.
    length: fc.oneof(fc.integer({ min: 4, max: 80 }), fc.integer({ min: 60, max: 300 })),
  });
  const toParams = (r: SmallParams): Argon2idParams => ({
    password: r.password,
    salt: r.salt,
    ...(r.secret ? { secret: r.secret } : {}),
    ...(r.associatedData ? { associatedData: r.associatedData } : {}),
    parallelism: r.parallelism,
    memoryKib: 8 * r.parallelism + r.extraKib,
    iterations: r.iterations,
    length: r.length,
  });

  it("noble (with secret and associated data, p = 1..6, any length)", () => {
    fc.assert(
      fc.property(smallParams, (r) => {
        const params = toParams(r);
        expect(toHex(argon2id(params))).toBe(toHex(noble(params)));
      }),
      { numRuns: 150 },
    );
  });

  it("hash-wasm (with secret, non-empty password, p = 1..6, any length)", async () => {
    await fc.assert(
      fc.asyncProperty(smallParams, async (r) => {
        // hash-wasm refuses an empty password.
        const params = toParams({ ...r, password: Uint8Array.of(0x70, ...r.password), associatedData: undefined });
        expect(toHex(argon2id(params))).toBe(toHex(await hashWasm(params)));
      }),
      { numRuns: 150 },
    );
  });

  it("libsodium crypto_pwhash ARGON2ID13 (p = 1, 16-byte salt, memory limit in bytes)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 8, max: 300 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 16, max: 200 }),
        (password, salt, memoryKib, iterations, length) => {
          const params = { password, salt, memoryKib, iterations, parallelism: 1, length };
          expect(toHex(argon2id(params))).toBe(toHex(libsodium(params)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("segments longer than one address block (m = 2048, p = 2 and m = 1100, p = 1) agree with noble", () => {
    // q/4 > 128 blocks per segment: the data-independent part needs several address blocks (§3.4.1.2).
    for (const [memoryKib, parallelism] of [
      [2048, 2],
      [1100, 1],
    ] as const) {
      const params = {
        password: utf8("pw"),
        salt: bytes(16, 9),
        secret: bytes(5, 1),
        associatedData: bytes(3, 2),
        memoryKib,
        iterations: 2,
        parallelism,
        length: 100,
      };
      expect(toHex(argon2id(params))).toBe(toHex(noble(params)));
    }
  });
});

describe("argon2id: arena and memory growth", () => {
  it("a large hash followed by other calls and a second hash stays correct", async () => {
    const small = { password: utf8("p"), salt: bytes(8, 7), memoryKib: 64, iterations: 1, parallelism: 2, length: 32 };
    const smallBefore = argon2id(small);
    // 32 MiB forces the wasm memory to grow well past its earlier size.
    const big = {
      password: utf8("big"),
      salt: bytes(16, 3),
      memoryKib: 32 * 1024,
      iterations: 1,
      parallelism: 1,
      length: 32,
    };
    expect(toHex(argon2id(big))).toBe(toHex(libsodium(big)));
    // Other calls after growth: the arena hands out views over the new buffer.
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(toHex(argon2id(small))).toBe(toHex(smallBefore));
    expect(toHex(argon2id(small))).toBe(toHex(noble(small)));
    const sentc = { ...SENTC, password: utf8("after growth"), salt: bytes(16, 5) };
    expect(toHex(argon2id(sentc))).toBe(toHex(libsodium(sentc)));
  });

  it("the output does not alias wasm memory and inputs are not modified", () => {
    const password = utf8("secret password");
    const salt = bytes(16, 1);
    const out = argon2id({ password, salt, memoryKib: 16, iterations: 1, parallelism: 1, length: 16 });
    expect(toHex(password)).toBe(toHex(utf8("secret password")));
    expect(toHex(salt)).toBe(toHex(bytes(16, 1)));
    const again = argon2id({ password, salt, memoryKib: 16, iterations: 1, parallelism: 1, length: 16 });
    expect(toHex(again)).toBe(toHex(out));
    out.fill(0);
    expect(toHex(again)).not.toBe(toHex(out));
  });
});

describe("argon2id: wiping", () => {
  it("leaves wasm memory exactly as it found it (arena and static scratch wiped)", () => {
    const memory = getCore().memory;
    const params = {
      password: utf8("first"),
      salt: bytes(16, 1),
      secret: bytes(4, 2),
      memoryKib: 256,
      iterations: 2,
      parallelism: 2,
      length: 100,
    };
    argon2id(params);
    const before = new Uint8Array(memory.buffer).slice();
    argon2id({ ...params, password: utf8("a different password"), salt: bytes(16, 3) });
    const after = new Uint8Array(memory.buffer);
    expect(after.length).toBe(before.length);
    let differing = 0;
    for (let i = 0; i < before.length; i++) if (after[i] !== before[i]) differing++;
    expect(differing).toBe(0);
  });
});

describe("argon2id: invalid parameters", () => {
  const base: Argon2idParams = {
    password: utf8("pw"),
    salt: bytes(8, 1),
    memoryKib: 8,
    iterations: 1,
    parallelism: 1,
    length: 4,
  };

  it("accepts the smallest valid parameters", () => {
    expect(toHex(argon2id(base))).toBe(toHex(noble(base)));
    const p4 = { ...base, parallelism: 4, memoryKib: 32 };
    expect(toHex(argon2id(p4))).toBe(toHex(noble(p4)));
  });

  it("rejects out-of-range values with invalid_input", () => {
    const cases: Array<Partial<Record<keyof Argon2idParams, unknown>>> = [
      { salt: bytes(7, 1) },
      { salt: new Uint8Array(0) },
      { length: 3 },
      { length: 0 },
      { length: ARGON2_MAX_TAG_BYTES + 1 },
      { length: 4.5 },
      { parallelism: 0 },
      { parallelism: 2 ** 24 },
      { parallelism: 1.5 },
      { memoryKib: 7 },
      { memoryKib: 15, parallelism: 2 },
      { memoryKib: ARGON2_MAX_MEMORY_KIB + 1 },
      { memoryKib: Number.NaN },
      { iterations: 0 },
      { iterations: -1 },
      { iterations: 2 ** 32 },
      { iterations: "3" },
      { password: "pw" },
      { password: [1, 2] },
      { salt: undefined },
      { secret: "k" },
      { associatedData: new Uint16Array(4) },
      { secret: null },
    ];
    for (const patch of cases) expectInvalid(() => argon2id({ ...base, ...patch } as Argon2idParams));
    expectInvalid(() => argon2id(null as unknown as Argon2idParams));
    expect(cases.length).toBe(23);
  });
});

describe("argon2id: the core checks its parameters itself", () => {
  interface RawExports {
    argon2id(...args: number[]): number;
  }
  const INVALID_INPUT = 1;

  /** Calls the raw export with valid buffers and the given parameters; returns the status code. */
  function raw(
    memoryKib: number,
    iterations: number,
    parallelism: number,
    outLen: number,
    saltLen: number,
    workLen: number,
  ): number {
    return withArena((arena, core) => {
      const exports = core as unknown as RawExports;
      const pwd = arena.put(utf8("pw"));
      const salt = arena.put(bytes(Math.max(saltLen, 0), 1));
      const out = arena.reserve(Math.max(outLen, 4));
      const work = arena.reserve(Math.max(workLen, 0));
      return exports.argon2id(
        pwd,
        2,
        salt,
        saltLen,
        0,
        0,
        0,
        0,
        memoryKib,
        iterations,
        parallelism,
        out,
        outLen,
        work,
        workLen,
      );
    });
  }

  it("accepts valid parameters and rejects each bad one with ERR_INVALID_INPUT", () => {
    expect(raw(8, 1, 1, 4, 8, 8 * 1024)).toBe(0);
    expect(raw(33, 1, 2, 4, 8, 32 * 1024)).toBe(0); // m' = 4p · floor(m / 4p) = 32
    const bad: Array<[number, number, number, number, number, number]> = [
      [8, 1, 1, 4, 8, 7 * 1024], // work area smaller than m' blocks
      [8, 1, 1, 4, 8, 9 * 1024], // work area not m' blocks
      [33, 1, 2, 4, 8, 33 * 1024], // m instead of m'
      [8, 1, 1, 4, 7, 8 * 1024], // salt shorter than 8 bytes
      [8, 1, 1, 3, 8, 8 * 1024], // tag shorter than 4 bytes
      [8, 1, 1, ARGON2_MAX_TAG_BYTES + 1, 8, 8 * 1024], // tag above the bound
      [8, 0, 1, 4, 8, 8 * 1024], // t = 0
      [8, 1, 0, 4, 8, 8 * 1024], // p = 0
      [8, 1, -1, 4, 8, 8 * 1024], // p negative
      [8, 1, 2, 4, 8, 8 * 1024], // m < 8p
      [ARGON2_MAX_MEMORY_KIB + 4, 1, 1, 4, 8, 8 * 1024], // memory above the bound
      [-8, 1, 1, 4, 8, 8 * 1024], // negative memory
    ];
    for (const args of bad) expect(raw(...args)).toBe(INVALID_INPUT);
  });
});
