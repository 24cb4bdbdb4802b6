/**
 * Checks on an envelope's `result` for the fields this layer and the SDK read directly. Results that go on to
 * a src/protocol `done*` function are only checked to be objects here; the protocol validates them fully.
 * Every failure is `invalid_server_response`.
 */
import { invalidServerResponse } from "../../errors.js";

export type JsonObject = Record<string, unknown>;

function fail(what: string, problem: string): never {
  throw invalidServerResponse(`${what}: ${problem}`);
}

export function expectObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(what, "expected an object");
  return value as JsonObject;
}

export function expectArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(what, "expected an array");
  return value;
}

/** An array of objects (paged lists). */
export function expectObjectArray(value: unknown, what: string): JsonObject[] {
  return expectArray(value, what).map((item, i) => expectObject(item, `${what}[${i}]`));
}

export function expectString(object: JsonObject, field: string, what: string): string {
  const value = object[field];
  if (typeof value !== "string") fail(what, `"${field}" must be a string`);
  return value;
}

export function expectBoolean(object: JsonObject, field: string, what: string): boolean {
  const value = object[field];
  if (typeof value !== "boolean") fail(what, `"${field}" must be a boolean`);
  return value;
}

/** A field that is absent (serde `skip_serializing_if`), null or a string. */
export function optionalString(object: JsonObject, field: string, what: string): string | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(what, `"${field}" must be a string when present`);
  return value;
}

export function expectStringArray(object: JsonObject, field: string, what: string): string[] {
  const value = object[field];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    fail(what, `"${field}" must be an array of strings`);
  return value as string[];
}
