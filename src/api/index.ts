/**
 * src/api: HTTP, sentc's envelope, the app token and the JWT. It knows no keys: request bodies are the JSON
 * strings of src/protocol and results go back to it. Imports only src/errors.ts and src/protocol/jwt.ts.
 */
export { HttpClient, exchange, pagePath, pathSegment } from "./http.js";
export type {
  ExchangeOptions,
  FetchFn,
  HttpClientOptions,
  HttpMethod,
  JwtInput,
  JwtProvider,
  PageCursor,
  RawResponse,
  RequestOptions,
} from "./http.js";
export { binaryDownloadError, parseEnvelope, readEnvelope } from "./envelope.js";
export {
  JWT_REFRESH_MARGIN_SECONDS,
  JwtManager,
  REFRESH_ENDPOINT,
  jwtNeedsRefresh,
  refreshStrategyFromOptions,
} from "./jwt.js";
export type {
  Clock,
  JwtManagerOptions,
  RefreshEndpoint,
  RefreshOptions,
  RefreshStrategy,
  SessionTokens,
} from "./jwt.js";
export * as authApi from "./endpoints/auth.js";
export * as userApi from "./endpoints/user.js";
