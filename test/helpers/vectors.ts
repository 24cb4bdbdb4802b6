import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Vector suites live in the `shared/` folder beside the project checkout and are read at run time; they
 * are never copied into the project. With CI=true a missing folder fails the run; locally it skips loudly.
 */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_VECTORS = process.env.SENTC_VECTORS_DIR ?? resolve(projectRoot, "../shared/vectors");

export function vectorsAvailable(suite: "wycheproof" | "sentc"): boolean {
  const folder = join(SHARED_VECTORS, suite);
  if (existsSync(folder)) return true;
  if (process.env.CI === "true")
    throw new Error(`vector folder ${suite} is missing (CI=true): expected at ../shared/vectors/${suite}`);
  console.warn(`\n!!! SKIPPING ${suite} vectors: ../shared/vectors/${suite} not found !!!\n`);
  return false;
}

export function readVectorJson<T = unknown>(suite: "wycheproof" | "sentc", file: string): T {
  return JSON.parse(readFileSync(join(SHARED_VECTORS, suite, file), "utf8")) as T;
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** The shape shared by every Wycheproof file. */
export interface WycheproofFile<T> {
  algorithm: string;
  numberOfTests: number;
  testGroups: Array<Record<string, unknown> & { tests: Array<T & WycheproofCase> }>;
}
export interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  result: "valid" | "invalid" | "acceptable";
}
