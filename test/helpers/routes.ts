import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SHARED_VECTORS } from "./vectors.js";

/** One entry of the shared machine-readable route list (api.md §8). */
export interface SpecRoute {
  method: string;
  path: string;
  area: string;
  token: string | null;
  default_token: "public" | "secret" | "none";
  jwt: "none" | "required" | "fresh" | "expired_ok" | "optional";
  group_access: boolean;
  body: string | null;
  result: string | null;
  errors: number[];
}

/** The route list lives beside the vectors (../shared/spec/routes.json); with CI=true a missing file fails. */
export const ROUTES_JSON = process.env.SENTC_ROUTES_JSON ?? resolve(SHARED_VECTORS, "../spec/routes.json");

export function specRoutesAvailable(): boolean {
  if (existsSync(ROUTES_JSON)) return true;
  if (process.env.CI === "true") throw new Error(`route list missing (CI=true): expected at ${ROUTES_JSON}`);
  console.warn(`\n!!! SKIPPING route coverage: ${ROUTES_JSON} not found !!!\n`);
  return false;
}

export function readSpecRoutes(): SpecRoute[] {
  return JSON.parse(readFileSync(ROUTES_JSON, "utf8")) as SpecRoute[];
}
