import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALG, PQ_SIZES } from "../../src/protocol/algorithms.js";
import { fromPem, toPem } from "../../src/protocol/encoding.js";
import { readVectorJson, SHARED_VECTORS, vectorsAvailable } from "../helpers/vectors.js";

function testSources(folder: string): string {
  return readdirSync(folder, { withFileTypes: true })
    .map((entry) =>
      entry.isDirectory()
        ? testSources(join(folder, entry.name))
        : entry.name.endsWith(".ts")
          ? readFileSync(join(folder, entry.name), "utf8")
          : "",
    )
    .join("\n");
}

describe.runIf(vectorsAvailable("sentc"))("sentc vector coverage", () => {
  it("every vector file of the real sentc is read by some test", () => {
    const files = readdirSync(join(SHARED_VECTORS, "sentc")).filter((f) => f.endsWith(".json") && f !== "package.json");
    expect(files.length).toBeGreaterThanOrEqual(18);
    const sources = testSources(new URL("..", import.meta.url).pathname);
    const unread = files.filter((file) => !sources.includes(`"${file}"`));
    expect(unread).toEqual([]);
  });

  it("meta.json: the algorithm ids and PEM layout the real package uses are ours", () => {
    const meta = readVectorJson<Record<string, any>>("sentc", "meta.json");
    const algs = meta.default_algorithms_generated_by_real_package;
    expect([
      algs.symmetric,
      algs.asymmetric_keypair,
      algs.sign_keypair,
      algs.password_hash,
      algs.searchable,
      algs.sortable,
    ]).toEqual([ALG.aesGcm, ALG.eciesKyberHybrid, ALG.ed25519DilithiumHybrid, ALG.argon2, ALG.hmacSha256, ALG.ope]);
    expect(algs.hybrid_public_key_component_lengths.kyber768_bytes).toBe(PQ_SIZES.kyberPublicKey);
    expect(algs.hybrid_verify_key_component_lengths.dilithium3_bytes).toBe(PQ_SIZES.dilithiumPublicKey);
    const pem = JSON.parse(meta.pem_format_observed.example_x25519_pem_json_escaped) as string;
    expect(toPem(fromPem(pem).bytes)).toBe(pem);
  });
});
