/**
 * Mutation fuzzing of every protocol entry point that reads outside data. Inputs start from the real
 * sentc vectors; each case mutates one (bytes, text or JSON structure) and the call must either succeed or
 * throw a SentcError: never another exception, never a crash. Seeded, so a failure reproduces.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isSentcError } from "../../src/errors.js";
import { fromBase64, fromBase64Url, fromPem } from "../../src/protocol/encoding.js";
import * as enc from "../../src/protocol/encrypt.js";
import { decryptFilePart } from "../../src/protocol/file.js";
import { extractGroupData } from "../../src/protocol/group-data.js";
import { decryptGroupKey, decryptHmacKey, decryptSortableKey } from "../../src/protocol/group-keys.js";
import { parseHead, splitHead } from "../../src/protocol/head.js";
import { decodeJwt } from "../../src/protocol/jwt.js";
import { finishKeyRotation } from "../../src/protocol/key-rotation.js";
import * as keys from "../../src/protocol/keys.js";
import { doneLogin, doneVerifyLogin } from "../../src/protocol/login.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { parseUserPublicKeyData, parseUserVerifyKeyData, verifyUserPublicKey } from "../../src/protocol/public-keys.js";
import { createSearchable } from "../../src/protocol/searchable.js";
import { decryptSymKeyByMasterKey, decryptSymKeyByPrivateKey } from "../../src/protocol/sym-key-wrap.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5e17c);
const CASES_PER_TARGET = Number(process.env.FUZZ_CASES ?? 600);

/** xorshift32: small, seeded, reproducible. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!,
  };
}
type Rng = ReturnType<typeof rng>;

function mutateBytes(r: Rng, input: Uint8Array): Uint8Array {
  const b = Array.from(input);
  switch (r.int(6)) {
    case 0: // flip bits
      for (let n = 1 + r.int(4); n > 0 && b.length; n--) b[r.int(b.length)]! ^= 1 << r.int(8);
      break;
    case 1: // truncate
      b.length = r.int(b.length + 1);
      break;
    case 2: // insert random bytes
      b.splice(r.int(b.length + 1), 0, ...Array.from({ length: 1 + r.int(40) }, () => r.int(256)));
      break;
    case 3: // delete a range
      b.splice(r.int(b.length + 1), 1 + r.int(64));
      break;
    case 4: // zero a range
      for (let i = r.int(b.length + 1), end = i + r.int(32); i < end && i < b.length; i++) b[i] = 0;
      break;
    default: // entirely random
      return Uint8Array.from({ length: r.int(200) }, () => r.int(256));
  }
  return Uint8Array.from(b);
}

const ODD_TEXT = [
  "",
  "=",
  "==",
  "\u0000",
  "null",
  "[]",
  "{}",
  '"',
  "\\",
  "💥",
  "-----BEGIN PUBLIC KEY-----",
  "\n",
  "AAAA",
  "Otp",
];

function mutateText(r: Rng, input: string): string {
  switch (r.int(5)) {
    case 0: {
      const i = r.int(input.length + 1);
      return input.slice(0, i) + String.fromCharCode(r.int(0x3000)) + input.slice(i + 1);
    }
    case 1:
      return input.slice(0, r.int(input.length + 1));
    case 2: {
      const i = r.int(input.length + 1);
      return input.slice(0, i) + r.pick(ODD_TEXT) + input.slice(i);
    }
    case 3: {
      const i = r.int(input.length + 1);
      return input.slice(0, i) + input.slice(i + 1 + r.int(30));
    }
    default:
      return r.pick(ODD_TEXT);
  }
}

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 2 ** 60, "", "x", "AAAA", true, [], {}, [1], { a: 1 }, "\u0000"];

/** Mutates one place of a JSON structure: a value replaced or mangled, a key removed or added. */
function mutateJson(r: Rng, value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || r.int(4) === 0) return r.pick(ODD_VALUES);
    const copy = value.slice();
    const i = r.int(copy.length);
    copy[i] = mutateJson(r, copy[i], depth + 1);
    return copy;
  }
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const names = Object.keys(copy);
    const choice = r.int(6);
    if (choice === 0 || names.length === 0) copy[`extra_${r.int(5)}`] = r.pick(ODD_VALUES);
    else if (choice === 1) delete copy[r.pick(names)];
    else {
      const name = r.pick(names);
      copy[name] = mutateJson(r, copy[name], depth + 1);
    }
    return copy;
  }
  if (typeof value === "string") {
    if (r.int(3) === 0) return r.pick(ODD_VALUES);
    // Strings that hold JSON are mutated structurally half of the time.
    if ((value.startsWith("{") || value.startsWith("[")) && r.int(2) === 0) {
      try {
        return JSON.stringify(mutateJson(r, JSON.parse(value), depth + 1));
      } catch {
        /* not JSON after all */
      }
    }
    return mutateText(r, value);
  }
  return r.pick(ODD_VALUES);
}

/** A JSON text mutated either structurally or as text. */
function mutateJsonText(r: Rng, text: string): string {
  return r.int(3) === 0 ? mutateText(r, text) : JSON.stringify(mutateJson(r, JSON.parse(text)));
}

interface Target {
  name: string;
  run(r: Rng): void;
}

beforeAll(loadReleaseCore);

describe.runIf(vectorsAvailable("sentc"))("protocol fuzzing from the real vectors", () => {
  const sym = readVectorJson<Record<string, any>>("sentc", "symmetric.json");
  const asym = readVectorJson<Record<string, any>>("sentc", "asymmetric.json");
  const group = readVectorJson<Record<string, any>>("sentc", "group.json");
  const rotation = readVectorJson<Record<string, any>>("sentc", "key_rotation.json");
  const symKeys = readVectorJson<Record<string, any>>("sentc", "sym_key_generation.json");
  const fileVectors = readVectorJson<Record<string, any>>("sentc", "file.json");
  const jwt = readVectorJson<Record<string, any>>("sentc", "head_and_jwt.json");
  const login = readVectorJson<Record<string, any>>("sentc", "login.json");
  const device = readVectorJson<Record<string, any>>("sentc", "device.json");
  const safety = readVectorJson<Record<string, any>>("sentc", "safety_number.json");
  const k1 = sym.keys.K1.exported;
  const symKey = keys.importSymKey(k1.sym_key);
  const privateKey = keys.importPrivateKey(asym.keys.K1.exported.private_key);
  const verifyKey = parseUserVerifyKeyData(k1.user_verify_key_data);
  const allExports = [...Object.values(sym.keys.K1.exported), ...Object.values(sym.keys.K2.exported)] as string[];
  const importers = [
    keys.importSymKey,
    keys.importPrivateKey,
    keys.importPublicKey,
    keys.importSignKey,
    keys.importVerifyKey,
    keys.importHmacKey,
    keys.importSortableKey,
  ];
  const symBytes = sym.vectors.filter((v: any) => v.output_b64).map((v: any) => fromBase64(v.output_b64));
  const asymBytes = asym.vectors.filter((v: any) => v.output_b64).map((v: any) => fromBase64(v.output_b64));
  const symRaw = sym.vectors.filter((v: any) => v.head);
  const masterKeyEncryptionKey = new Uint8Array(32);

  const targets: Target[] = [
    { name: "key imports", run: (r) => r.pick(importers)(mutateJsonText(r, r.pick(allExports))) },
    {
      name: "public/verify key data",
      run: (r) => {
        parseUserPublicKeyData(
          mutateJsonText(r, r.pick([k1.user_public_key_data, safety.public_key_signature.public_key_data_with_sig])),
        );
        parseUserVerifyKeyData(mutateJsonText(r, k1.user_verify_key_data));
      },
    },
    {
      name: "public key signature check",
      run: (r) => {
        const data = parseUserPublicKeyData(safety.public_key_signature.public_key_data_with_sig);
        verifyUserPublicKey(verifyKey, { ...data, signature: mutateText(r, data.signature!) });
      },
    },
    {
      name: "symmetric bytes",
      run: (r) => enc.decryptSymmetric(symKey, mutateBytes(r, r.pick(symBytes)), r.int(2) ? verifyKey : null),
    },
    {
      name: "asymmetric bytes",
      run: (r) => enc.decryptAsymmetric(privateKey, mutateBytes(r, r.pick(asymBytes)), r.int(2) ? verifyKey : null),
    },
    {
      name: "raw with heads",
      run: (r) => {
        const v = r.pick(symRaw) as any;
        const data = fromBase64(v.data_b64);
        if (r.int(2)) enc.decryptRawSymmetric(symKey, mutateJsonText(r, v.head), data, verifyKey);
        else enc.decryptRawSymmetric(symKey, v.head, mutateBytes(r, data), verifyKey);
      },
    },
    {
      name: "strings",
      run: (r) =>
        enc.decryptStringSymmetric(
          symKey,
          mutateText(r, sym.vectors.find((v: any) => v.id === "sym_string_signed").output),
          verifyKey,
        ),
    },
    {
      name: "heads",
      run: (r) => {
        parseHead(mutateJsonText(r, '{"id":"sym_key_id_1","sign":{"id":"sign_key_id_1","alg":"ED25519"}}'));
        splitHead(mutateBytes(r, r.pick(symBytes)));
      },
    },
    {
      name: "group keys",
      run: (r) => {
        const v = r.pick(group.vectors) as any;
        decryptGroupKey(
          keys.importPrivateKey(v.creator_private_key),
          mutateJsonText(r, v.group_key_server_output_json),
          r.int(2) ? verifyKey : null,
        );
      },
    },
    {
      name: "group data",
      run: (r) =>
        extractGroupData(
          mutateJsonText(
            r,
            JSON.stringify({
              group_id: "g",
              parent_group_id: null,
              keys: [JSON.parse(group.group_extract_group_data.keys[0].key_data)],
              hmac_keys: [],
              sortable_keys: [],
              key_update: false,
              rank: 0,
              created_time: 1,
              joined_time: 1,
              access_by: { Parent: "p" },
              is_connected_group: false,
            }),
          ),
        ),
    },
    {
      name: "hmac and sortable keys",
      run: (r) => {
        const v = group.vectors[0];
        const groupKey = keys.importSymKey(v.group_decrypt_key_output.group_key);
        decryptHmacKey(groupKey, mutateJsonText(r, v.hmac.group_hmac_data));
        decryptSortableKey(groupKey, mutateJsonText(r, v.sortable.group_sortable_data));
      },
    },
    {
      name: "key rotation",
      run: (r) =>
        finishKeyRotation(
          mutateJsonText(r, rotation.server_side_simulated.key_rotation_input_json),
          keys.importSymKey(rotation.keys.K1.exported.sym_key),
          keys.importPublicKey(rotation.keys.K2.exported.public_key),
          keys.importPrivateKey(rotation.keys.K2.exported.private_key),
        ),
    },
    {
      name: "sym key wrap",
      run: (r) => {
        decryptSymKeyByMasterKey(symKey, mutateJsonText(r, symKeys.vectors[0].encrypted_key));
        decryptSymKeyByPrivateKey(privateKey, mutateJsonText(r, symKeys.vectors[1].encrypted_key));
      },
    },
    {
      name: "file parts",
      run: (r) =>
        decryptFilePart(
          symKey.key,
          mutateBytes(r, fromBase64(r.pick(fileVectors.parts as any[]).uploaded_body_b64)),
          r.int(2) ? verifyKey : null,
        ),
    },
    { name: "jwt", run: (r) => decodeJwt(mutateText(r, jwt.jwt.jwt)) },
    {
      name: "encodings",
      run: (r) => {
        const text = mutateText(r, r.pick(allExports));
        for (const decode of [fromBase64, fromBase64Url, fromPem]) {
          try {
            decode(text);
          } catch (error) {
            if (!isSentcError(error)) throw error;
          }
        }
      },
    },
    {
      name: "login outputs",
      run: (r) => {
        doneLogin(masterKeyEncryptionKey, mutateJsonText(r, JSON.stringify(login.server.done_login_output)));
      },
    },
    {
      name: "verify login outputs",
      run: (r) => doneVerifyLogin(privateKey, mutateJsonText(r, JSON.stringify(login.server.verify_login_output))),
    },
    {
      name: "device registration",
      run: (r) =>
        prepareRegisterDevice(
          mutateJsonText(r, JSON.stringify(JSON.parse(device.prepare_register_device_classical.server_output).result)),
          [symKey],
          r.int(60),
        ),
    },
    {
      name: "searchable input",
      run: (r) =>
        createSearchable(
          keys.importHmacKey(k1.hmac_key),
          mutateText(r, "searchable value"),
          r.int(2) === 0,
          r.int(3) ? null : r.int(250) - 10,
        ),
    },
  ];

  it(`≥ 10,000 mutated inputs across ${targets.length} entry points raise only SentcErrors`, () => {
    const r = rng(SEED);
    let cases = 0;
    let rejected = 0;
    for (const target of targets) {
      for (let i = 0; i < CASES_PER_TARGET; i++) {
        cases++;
        try {
          target.run(r);
        } catch (error) {
          if (!isSentcError(error)) {
            throw new Error(`${target.name}, case ${i} (seed ${SEED}): ${String(error)}`, { cause: error });
          }
          rejected++;
        }
      }
    }
    expect(cases).toBeGreaterThanOrEqual(10_000);
    // Most mutations must be caught; a fuzzer that only produced valid inputs would prove nothing.
    expect(rejected / cases).toBeGreaterThan(0.5);
  });
});
