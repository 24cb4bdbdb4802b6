/**
 * A minimal client for the sentc API as a customer backend uses it: every request carries the app token
 * (`x-sentc-app-token`), JSON bodies and, for a user's request, the user's JWT as Bearer. Answers come back
 * as sentc's envelope (`{status: true, result}` or `{status: false, err_code, err_msg}`), unchanged, so the
 * backend can pass them to the browser's `done*` functions as they are.
 */

export interface SentcAnswer {
  /** The HTTP status of sentc's answer. */
  status: number;
  /** The envelope as text, exactly as sentc sent it. */
  text: string;
}

export interface SentcEnvelope<T = unknown> {
  status: boolean;
  result?: T;
  err_code?: number;
  err_msg?: string;
}

export interface SentcRequest {
  /** The public or the secret token of the app. */
  token: string;
  /** The user's JWT, sent as `Authorization: Bearer …`. */
  jwt?: string;
  /** A JSON string (sent as is) or a value to serialise. */
  body?: unknown;
}

export class SentcApi {
  readonly #baseUrl: string;

  /** `baseUrl`: the API origin, e.g. `https://api.sentc.com` or your own server. */
  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /** One request to `/api/v1<path>`; network failures reject, sentc errors resolve (see `status`). */
  async request(method: string, path: string, request: SentcRequest): Promise<SentcAnswer> {
    const headers: Record<string, string> = { "x-sentc-app-token": request.token, "content-type": "application/json" };
    if (request.jwt !== undefined) headers.authorization = `Bearer ${request.jwt}`;
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === "string"
          ? request.body
          : JSON.stringify(request.body);
    const response = await fetch(`${this.#baseUrl}/api/v1${path}`, { method, headers, body });
    return { status: response.status, text: await response.text() };
  }
}

/** Reads an envelope; `undefined` when the text is not one (e.g. a proxy's HTML error page). */
export function parseEnvelope<T = unknown>(text: string): SentcEnvelope<T> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "boolean")
      return value as SentcEnvelope<T>;
  } catch {
    // not JSON
  }
  return undefined;
}
