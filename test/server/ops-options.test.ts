/**
 * The option table of `sentc-server` in-process: defaults, the environment, flags over the environment,
 * switches, units, and the errors for bad values.
 */
import { describe, expect, it } from "vitest";
import { LOG_LEVELS } from "../../server/logging.js";
import { helpText, OptionError, OPTIONS, parseCliOptions } from "../../server/options.js";

describe("parseCliOptions", () => {
  it("has the documented defaults", () => {
    expect(parseCliOptions([], {})).toEqual({
      port: 3002,
      host: "127.0.0.1",
      db: "./data/sentc.sqlite",
      config: undefined,
      files: undefined,
      rotationPollMs: undefined,
      logLevel: "info",
      metrics: false,
      shutdownTimeoutMs: 10_000,
      timeouts: { requestMs: 120_000, headersMs: 30_000, keepAliveMs: 5_000, idleMs: 60_000 },
      help: false,
      version: false,
    });
  });

  it("takes every option from its environment variable", () => {
    const env = {
      SENTC_PORT: "8080",
      SENTC_HOST: "0.0.0.0",
      SENTC_DB: "postgres://u:p@db:5432/sentc",
      SENTC_CONFIG: "/etc/sentc/apps.json",
      SENTC_FILES: "/srv/files",
      SENTC_ROTATION_POLL: "2.5",
      SENTC_LOG_LEVEL: "WARN",
      SENTC_METRICS: "yes",
      SENTC_SHUTDOWN_TIMEOUT: "30",
      SENTC_ADMIN_TOKEN_FILE: "/run/secrets/sentc-admin",
      SENTC_TRUST_PROXY: "10.0.0.1, 10.0.0.0/8",
      SENTC_REQUEST_TIMEOUT: "90",
      SENTC_HEADERS_TIMEOUT: "15",
      SENTC_KEEP_ALIVE_TIMEOUT: "2",
      SENTC_IDLE_TIMEOUT: "0",
    };
    // The table names exactly these variables.
    expect(OPTIONS.map((o) => o.env).sort()).toEqual(Object.keys(env).sort());
    expect(parseCliOptions([], env)).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      db: "postgres://u:p@db:5432/sentc",
      config: "/etc/sentc/apps.json",
      files: "/srv/files",
      adminTokenFile: "/run/secrets/sentc-admin",
      rotationPollMs: 2500,
      logLevel: "warn",
      metrics: true,
      shutdownTimeoutMs: 30_000,
      trustProxy: "10.0.0.1, 10.0.0.0/8",
      timeouts: { requestMs: 90_000, headersMs: 15_000, keepAliveMs: 2_000, idleMs: 0 },
    });
  });

  it("trusts a proxy header only when asked: true, or proxy addresses; anything else is refused", () => {
    expect(parseCliOptions([], {}).trustProxy).toBeUndefined();
    expect(parseCliOptions(["--trust-proxy", "true"], {}).trustProxy).toBe(true);
    expect(parseCliOptions(["--trust-proxy", "127.0.0.1,::1"], {}).trustProxy).toBe("127.0.0.1,::1");
    expect(() => parseCliOptions(["--trust-proxy", "x'; drop"], {})).toThrow(OptionError);
  });

  it("lets flags win over the environment; empty variables count as unset", () => {
    const env = {
      SENTC_PORT: "8080",
      SENTC_DB: "/env.sqlite",
      SENTC_LOG_LEVEL: "debug",
      SENTC_METRICS: "on",
      SENTC_SHUTDOWN_TIMEOUT: "",
      SENTC_HOST: "",
    };
    const options = parseCliOptions(["--port", "0", "--db=:memory:", "--log-level", "error", "--no-metrics"], env);
    expect(options).toMatchObject({
      port: 0,
      db: ":memory:",
      logLevel: "error",
      metrics: false,
      shutdownTimeoutMs: 10_000,
      host: "127.0.0.1",
    });
    expect(parseCliOptions(["--metrics"], { SENTC_METRICS: "off" }).metrics).toBe(true);
    expect(parseCliOptions([], { SENTC_METRICS: "0" }).metrics).toBe(false);
    expect(parseCliOptions(["-h"], {}).help).toBe(true);
    expect(parseCliOptions(["--version"], {}).version).toBe(true);
  });

  it("accepts every log level and refuses anything else", () => {
    for (const level of LOG_LEVELS) expect(parseCliOptions(["--log-level", level], {}).logLevel).toBe(level);
    expect(() => parseCliOptions(["--log-level", "verbose"], {})).toThrow(OptionError);
    expect(() => parseCliOptions([], { SENTC_LOG_LEVEL: "verbose" })).toThrow(/SENTC_LOG_LEVEL/);
  });

  it("refuses bad values, naming the flag or the variable", () => {
    expect(() => parseCliOptions(["--port", "65536"], {})).toThrow(/--port/);
    expect(() => parseCliOptions(["--port", "1e3"], {})).toThrow(/--port/);
    expect(() => parseCliOptions([], { SENTC_PORT: "-1" })).toThrow(/SENTC_PORT/);
    expect(() => parseCliOptions(["--shutdown-timeout", "NaN"], {})).toThrow(/--shutdown-timeout/);
    expect(() => parseCliOptions([], { SENTC_ROTATION_POLL: "-2" })).toThrow(/SENTC_ROTATION_POLL/);
    expect(() => parseCliOptions([], { SENTC_METRICS: "2" })).toThrow(/SENTC_METRICS/);
    expect(() => parseCliOptions(["--request-timeout", "-1"], {})).toThrow(/--request-timeout/);
    expect(() => parseCliOptions([], { SENTC_KEEP_ALIVE_TIMEOUT: "x" })).toThrow(/SENTC_KEEP_ALIVE_TIMEOUT/);
    expect(() => parseCliOptions(["--headers-timeout", "0"], {})).toThrow(/--headers-timeout/);
    expect(() => parseCliOptions(["--request-timeout", "10", "--headers-timeout", "20"], {})).toThrow(
      /--headers-timeout/,
    );
    expect(parseCliOptions(["--request-timeout", "0", "--headers-timeout", "20"], {}).timeouts.requestMs).toBe(0);
    expect(() => parseCliOptions(["--unknown"], {})).toThrow(OptionError);
    expect(() => parseCliOptions(["positional"], {})).toThrow(OptionError);
    expect(() => parseCliOptions(["--port"], {})).toThrow(OptionError);
  });

  it("keeps the options the server had before (port, host, db, config, files, rotation poll)", () => {
    const options = parseCliOptions(
      [
        "--port",
        "3002",
        "--host",
        "::",
        "--db",
        "x.sqlite",
        "--config",
        "c.json",
        "--files",
        "f",
        "--rotation-poll",
        "0",
      ],
      {},
    );
    expect(options).toMatchObject({
      port: 3002,
      host: "::",
      db: "x.sqlite",
      config: "c.json",
      files: "f",
      rotationPollMs: 0,
    });
  });

  it("documents every option in --help", () => {
    const text = helpText();
    for (const spec of OPTIONS) {
      expect(text).toContain(`--${spec.name}`);
      expect(text).toContain(`default: ${spec.defaultText}; environment: ${spec.env}`);
    }
  });
});
