/**
 * `sentc-server audit --url URL --app-token TOKEN [--state FILE]`: audits an app's key transparency log over HTTP
 * (server/audit/auditor.ts) and prints the report as JSON on stdout. With `--state`, the saved state is read from
 * the file (when it exists) and the new state written back after a clean audit. Exit code 0 when the log checked
 * out, 1 with findings, 2 for a wrong command line.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { initCore } from "../../src/core/index.js";
import { auditLog, parseAuditState, type AuditState } from "./auditor.js";

/** The text of `sentc-server audit --help`. */
export const AUDIT_COMMAND_HELP = `usage: sentc-server audit --url URL --app-token TOKEN [--state FILE] [--page-size N]

Audits the key transparency log of the app of TOKEN (its public token is enough) on the server at URL:
checks the newest signed tree head under the log key (pinned in the state file), its consistency with
the saved head, every new leaf, and that the leaves recompute the head. Prints a JSON report.
--state FILE keeps the last verified head between runs (read when it exists, written after a clean audit).
Exit code 0: the log checked out; 1: findings (see "findings"); 2: wrong command line.
`;

/**
 * Runs the audit command; resolves to the exit code.
 * @throws never: command line errors are exit code 2, server problems findings.
 * @example process.exitCode = await runAuditCommand(process.argv.slice(3));
 */
export async function runAuditCommand(argv: string[]): Promise<number> {
  let values: { url?: string; "app-token"?: string; state?: string; "page-size"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        "app-token": { type: "string" },
        state: { type: "string" },
        "page-size": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`sentc-server audit: ${(error as Error).message}\n${AUDIT_COMMAND_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(AUDIT_COMMAND_HELP);
    return 0;
  }
  const pageSize = values["page-size"] === undefined ? undefined : Number(values["page-size"]);
  if (
    !values.url ||
    !values["app-token"] ||
    (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0))
  ) {
    process.stderr.write(`sentc-server audit: --url and --app-token are needed\n${AUDIT_COMMAND_HELP}`);
    return 2;
  }
  let state: AuditState | null = null;
  if (values.state && existsSync(values.state)) {
    try {
      state = parseAuditState(readFileSync(values.state, "utf8"));
    } catch (error) {
      process.stderr.write(`sentc-server audit: ${values.state}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const { findCoreWasm } = await import("../main.js");
  await initCore(findCoreWasm());
  const report = await auditLog({ url: values.url, appToken: values["app-token"], state, pageSize });
  if (values.state && report.ok && report.state) writeFileSync(values.state, `${JSON.stringify(report.state)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.ok ? 0 : 1;
}
