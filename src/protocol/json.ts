import { SentcError } from "../errors.js";

/** Parses JSON text, turning any failure into `invalid_format`. */
export function parseJson(text: unknown, what: string): unknown {
  if (typeof text !== "string") throw new SentcError("invalid_format", `${what}: expected a JSON string`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SentcError("invalid_format", `${what}: not valid JSON`, { cause });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a required string field. */
export function stringField(object: Record<string, unknown>, field: string, what: string): string {
  const value = object[field];
  if (typeof value !== "string") throw new SentcError("invalid_format", `${what}: field "${field}" must be a string`);
  return value;
}

/** Reads an optional string field (missing or null → null). */
export function optionalStringField(object: Record<string, unknown>, field: string, what: string): string | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    throw new SentcError("invalid_format", `${what}: field "${field}" must be a string or null`);
  return value;
}

/** Accepts a JSON string or an already parsed object; anything but an object is `invalid_format`. */
export function readObject(json: string | Record<string, unknown>, what: string): Record<string, unknown> {
  const value = typeof json === "string" ? parseJson(json, what) : json;
  if (!isRecord(value)) throw new SentcError("invalid_format", `${what}: expected an object`);
  return value;
}

export function numberField(object: Record<string, unknown>, field: string, what: string): number {
  const value = object[field];
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new SentcError("invalid_format", `${what}: "${field}" must be a number`);
  return value;
}
