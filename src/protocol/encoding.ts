/**
 * sentc's text encodings (spec crypto.md §1.1, §1.2).
 *
 * - Standard base64 with padding, decoded strictly like sentc's `base64ct`: the standard alphabet only,
 *   padding required, unused trailing bits zero, no whitespace. Everything we emit is canonical.
 * - base64url without padding, equally strict, for searchable hashes, safety numbers and JWT claims.
 * - PEM "PUBLIC KEY" armour around the raw key bytes: 64-character lines, LF, trailing LF (RFC 7468 §2,
 *   as pem-rfc7468 writes it); the reader accepts CRLF, a missing final newline and any label as long as
 *   BEGIN and END agree, and rejects other line widths.
 */
import { SentcError } from "../errors.js";

const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function decodeTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const STANDARD_TABLE = decodeTable(STANDARD);
const URL_SAFE_TABLE = decodeTable(URL_SAFE);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + (pad ? "==" : "");
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + (pad ? "=" : "");
  }
  return out;
}

function decode(text: string, table: Int16Array, padded: boolean, what: string): Uint8Array {
  const fail = (reason: string): never => {
    throw new SentcError("invalid_encoding", `${what}: ${reason}`);
  };
  if (typeof text !== "string") fail("expected a string");
  let body = text;
  if (padded) {
    if (text.length % 4 !== 0) fail("length is not a multiple of 4 (padding missing?)");
    const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
    body = text.slice(0, text.length - padding);
  } else if (text.length % 4 === 1) {
    fail("impossible length");
  }
  const values = new Uint8Array(body.length);
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    const value = code < 128 ? table[code]! : -1;
    if (value < 0) fail(`character ${JSON.stringify(body[i])} at ${i} is not in the alphabet`);
    values[i] = value;
  }
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < body.length; i += 4) {
    const n = (values[i]! << 18) | (values[i + 1]! << 12) | (values[i + 2]! << 6) | values[i + 3]!;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  const rest = body.length - i;
  if (rest === 2) {
    if ((values[i + 1]! & 0x0f) !== 0) fail("non-zero trailing bits");
    out[o++] = (values[i]! << 2) | (values[i + 1]! >>> 4);
  } else if (rest === 3) {
    if ((values[i + 2]! & 0x03) !== 0) fail("non-zero trailing bits");
    const n = (values[i]! << 10) | (values[i + 1]! << 4) | (values[i + 2]! >>> 2);
    out[o++] = n >>> 8;
    out[o++] = n & 0xff;
  } else if (rest === 1) {
    fail("impossible length");
  }
  return out;
}

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STANDARD, true);
}

/** Decodes canonical, padded standard base64; anything else throws `invalid_encoding`. */
export function fromBase64(text: string): Uint8Array {
  return decode(text, STANDARD_TABLE, true, "base64");
}

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL_SAFE, false);
}

/** Decodes canonical base64url without padding; anything else throws `invalid_encoding`. */
export function fromBase64Url(text: string): Uint8Array {
  return decode(text, URL_SAFE_TABLE, false, "base64url");
}

const PEM_LINE = 64;

/** The PEM text sentc writes for a raw public or verify key. */
export function toPem(bytes: Uint8Array, label = "PUBLIC KEY"): string {
  const body = toBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += PEM_LINE) lines.push(body.slice(i, i + PEM_LINE));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Reads PEM text as sentc does and returns the raw bytes and the label. */
export function fromPem(text: string): { label: string; bytes: Uint8Array } {
  const fail = (reason: string): never => {
    throw new SentcError("invalid_encoding", `PEM: ${reason}`, { reference: 115 });
  };
  if (typeof text !== "string") fail("expected a string");
  const lines = text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
  const begin = /^-----BEGIN ([A-Z0-9 ]*)-----$/.exec(lines[0] ?? "");
  const end = /^-----END ([A-Z0-9 ]*)-----$/.exec(lines[lines.length - 1] ?? "");
  if (!begin || !end || lines.length < 3) return fail("missing BEGIN/END armour");
  if (begin[1] !== end[1]) fail("BEGIN and END labels differ");
  const body = lines.slice(1, -1);
  // RFC 7468 §2 strict: every line but the last is exactly 64 characters, the last one 1–64.
  body.forEach((line, index) => {
    const last = index === body.length - 1;
    if (last ? line.length === 0 || line.length > PEM_LINE : line.length !== PEM_LINE)
      fail("lines must be 64 characters wide");
  });
  return { label: begin[1]!, bytes: fromBase64(body.join("")) };
}
