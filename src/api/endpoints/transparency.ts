/**
 * The key transparency log's routes (sentc-as extras, docs/protocol.md "Key transparency log"): all need only the app
 * token. A server without the log answers 404: these resolve to `undefined` then, so the caller can report the
 * guarantee as unavailable. The answers are checked where they are proven (src/sdk/transparency.ts).
 */
import { isSentcError } from "../../errors.js";
import { type HttpClient, pathSegment } from "../http.js";

/** GET of a kt route; `undefined` when the server has no log (404). */
async function ktGet(http: HttpClient, path: string): Promise<unknown> {
  try {
    return await http.requestJson("GET", path);
  } catch (error) {
    if (isSentcError(error) && error.httpStatus === 404) return undefined;
    throw error;
  }
}

/**
 * `GET /kt/log_key`: `{app_id, alg, log_key}`, or `undefined` without a log.
 * @throws {SentcError} `server` / `network_error` as every request.
 * @example
 * const answer = await ktLogKey(http);
 */
export function ktLogKey(http: HttpClient): Promise<unknown> {
  return ktGet(http, "/kt/log_key");
}

/**
 * `GET /kt/consistency?first=&second=`: `{first, second, proof}`, or `undefined` without a log.
 * @throws {SentcError} `server` / `network_error` as every request.
 * @example
 * const answer = await ktConsistency(http, 7, 12);
 */
export function ktConsistency(http: HttpClient, first: number, second: number): Promise<unknown> {
  return ktGet(http, `/kt/consistency?first=${first}&second=${second}`);
}

/**
 * `GET /kt/subject/:subject_type/:subject_id`: the subject's leaves with their proofs, or `undefined` without a log.
 * @throws {SentcError} `invalid_input` for an empty id; `server` / `network_error` as every request.
 * @example
 * const answer = await ktSubject(http, "user", userId);
 */
export function ktSubject(http: HttpClient, subjectType: "user" | "group", subjectId: string): Promise<unknown> {
  return ktGet(http, `/kt/subject/${subjectType}/${pathSegment(subjectId, "the subject id")}`);
}
