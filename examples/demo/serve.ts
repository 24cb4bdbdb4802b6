/**
 * The demo page's routes on the example backend: the page, its script and style, the SDK's UMD build and a small
 * JSON file that tells the page where the sentc API is and which public token to use. The page and the backend
 * share an origin, so the register call and the refresh cookie need no CORS; the API server allows any origin.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

export interface DemoOptions {
  /** The sentc API origin the page talks to directly (login, keys, groups, files). */
  sentcBaseUrl: string;
  /** The app's public token (safe in a browser). */
  publicToken: string;
  /** The SDK's UMD build, dist/sentc.umd.js. */
  umdPath: string;
}

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

const TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** Adds `/`, `/demo.js`, `/style.css`, `/sentc.umd.js` and `/demo-config.json` to the backend. */
export function addDemoRoutes(app: FastifyInstance, options: DemoOptions): void {
  // Only these files are served: nothing else in the folder or the checkout is reachable.
  const files: Record<string, { path: string; type: string }> = {
    "/": { path: here("./index.html"), type: TYPES.html },
    "/index.html": { path: here("./index.html"), type: TYPES.html },
    "/demo.js": { path: here("./demo.js"), type: TYPES.js },
    "/style.css": { path: here("./style.css"), type: TYPES.css },
    "/sentc.umd.js": { path: options.umdPath, type: TYPES.js },
  };
  // The core is WebAssembly: 'wasm-unsafe-eval' (and nothing more) in script-src; the API is another origin.
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src 'self' ${new URL(options.sentcBaseUrl).origin}`,
    "img-src 'self' data: blob:",
    "style-src 'self'",
  ].join("; ");

  for (const [route, file] of Object.entries(files)) {
    app.get(route, async (_request, reply) => {
      const body = await readFile(file.path);
      reply.header("cache-control", "no-cache").type(file.type);
      if (file.type === TYPES.html) reply.header("content-security-policy", csp);
      return reply.send(body);
    });
  }
  app.get("/demo-config.json", async () => ({ base_url: options.sentcBaseUrl, app_token: options.publicToken }));
}
