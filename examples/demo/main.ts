/**
 * The example backend (examples/own-backend) with the demo page on top. `npm start` runs it next to the API
 * server (scripts/start.mjs); by hand:
 * `PORT=3100 SENTC_BASE_URL=… SENTC_PUBLIC_TOKEN=… SENTC_SECRET_TOKEN=… SENTC_JWT_VERIFY_KEYS=… ADMIN_KEY=…
 * SENTC_UMD=dist/sentc.umd.js npx tsx examples/demo/main.ts`
 */
import { configFromEnv } from "../own-backend/config.js";
import { buildBackend } from "../own-backend/server.js";
import { addDemoRoutes } from "./serve.js";

const config = configFromEnv();
const app = await buildBackend(config);
addDemoRoutes(app, {
  sentcBaseUrl: config.sentcBaseUrl,
  publicToken: config.publicToken,
  umdPath: process.env.SENTC_UMD ?? "dist/sentc.umd.js",
});
const address = await app.listen({ port: Number(process.env.PORT ?? 3100), host: process.env.HOST ?? "127.0.0.1" });
// One JSON line, read by scripts/start.mjs.
console.log(JSON.stringify({ demo_url: `${address}/` }));
