import { invalidFormat, invalidInput } from "../errors.js";

/** Parses JSON text, turning any failure into `invalid_format`. */
export function parseJson(text: unknown, what: string): unknown {
  if (typeof text !== "string") throw invalidFormat(`${what}: expected a JSON string`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw invalidFormat(`${what}: not valid JSON`, { cause });
  }
}

/**
 * `value` when it is a non-empty string; anything else is `invalid_input` "<what> must be a non-empty string".
 * @throws {SentcError} `invalid_input` for a value that is not a non-empty string.
 * @example
 * const id = nonEmptyString(groupId, "the group id");
 */
export function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalidInput(`${what} must be a non-empty string`);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a required string field. */
export function stringField(object: Record<string, unknown>, field: string, what: string): string {
  const value = object[field];
  if (typeof value !== "string") throw invalidFormat(`${what}: field "${field}" must be a string`);
  return value;
}

/** Reads an optional string field (missing or null → null). */
export function optionalStringField(object: Record<string, unknown>, field: string, what: string): string | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalidFormat(`${what}: field "${field}" must be a string or null`);
  return value;
}

/** Accepts a JSON string or an already parsed object; anything but an object is `invalid_format`. */
export function readObject(json: string | Record<string, unknown>, what: string): Record<string, unknown> {
  const value = typeof json === "string" ? parseJson(json, what) : json;
  if (!isRecord(value)) throw invalidFormat(`${what}: expected an object`);
  return value;
}

export function numberField(object: Record<string, unknown>, field: string, what: string): number {
  const value = object[field];
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidFormat(`${what}: "${field}" must be a number`);
  return value;
}
