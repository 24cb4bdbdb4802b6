/**
 * Starts the example backend: `PORT=3100 SENTC_BASE_URL=… SENTC_PUBLIC_TOKEN=… SENTC_SECRET_TOKEN=…
 * SENTC_JWT_VERIFY_KEYS='[{"id":…,"verify_key":…}]' ADMIN_KEY=… npx tsx examples/own-backend/main.ts`
 */
import { configFromEnv } from "./config.js";
import { buildBackend } from "./server.js";

const app = await buildBackend(configFromEnv());
const address = await app.listen({ port: Number(process.env.PORT ?? 3100), host: process.env.HOST ?? "127.0.0.1" });
console.log(`own backend on ${address}`);
