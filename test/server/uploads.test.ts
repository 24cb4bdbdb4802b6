/**
 * Slow clients and part uploads (docs/server.md "Uploads and timeouts"): the request and headers timeouts
 * cut off a slow-loris client.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOk, type Harness, startHarness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({}, { server: { timeouts: { requestMs: 1500, headersMs: 800, idleMs: 0 } } });
});

afterAll(async () => {
  await h?.close();
});

function openSocket(): Promise<Socket> {
  const url = new URL(h.server.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Writes `piece` every `everyMs` until the server closes the socket; resolves with what it answered and when. */
function trickle(socket: Socket, piece: string, everyMs: number): Promise<{ answer: string; afterMs: number }> {
  const started = Date.now();
  let answer = "";
  socket.on("data", (chunk: Buffer) => {
    answer += chunk.toString("latin1");
  });
  socket.on("error", () => undefined);
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(piece);
  }, everyMs);
  return new Promise((resolve) => {
    socket.once("close", () => {
      clearInterval(timer);
      resolve({ answer, afterMs: Date.now() - started });
    });
  });
}

describe("timeouts against slow clients", () => {
  it("cuts off a client that trickles its headers past the headers timeout", async () => {
    const socket = await openSocket();
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const { answer, afterMs } = await trickle(socket, "X-Slow: a\r\n", 100);
    // Without the timeout the socket would stay open while bytes keep arriving (the test would time out).
    expect(afterMs).toBeGreaterThanOrEqual(700);
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  }, 30_000);

  it("cuts off a client that trickles its body past the request timeout", async () => {
    const socket = await openSocket();
    socket.write(
      `POST /api/v1/exists HTTP/1.1\r\nHost: x\r\nx-sentc-app-token: ${h.app.publicToken}\r\n` +
        "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
    );
    const { answer, afterMs } = await trickle(socket, " ", 100);
    expect(afterMs).toBeGreaterThanOrEqual(1300);
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
  }, 30_000);

  it("still serves normal requests", async () => {
    expectOk(await h.call("POST", "/api/v1/exists", { body: { user_identifier: "nobody-here" } }));
  });
});
