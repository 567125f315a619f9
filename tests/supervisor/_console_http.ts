/**
 * HTTP/1.1 over a plain socket, for console tests that must choose headers
 * fetch() will not let them set (Host) and read every Set-Cookie.
 */
import { Buffer } from "node:buffer";
import * as net from "node:net";

export interface RawAnswer {
  status: number;
  /** Header names in lower case; repeated headers joined with "\n". */
  headers: Map<string, string>;
  body: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<RawAnswer> {
  const all: Record<string, string> = { host: `127.0.0.1:${port}`, ...headers, connection: "close" };
  const payload = new TextEncoder().encode(body);
  if (payload.length > 0 || method === "POST") all["content-length"] = String(payload.length);
  const head = `${method} ${path} HTTP/1.1\r\n` +
    Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Uint8Array[] = [];
    socket.on("data", (c: Uint8Array) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      try {
        // latin1 keeps one char per byte, so chunk sizes count right; the body is decoded as UTF-8 after.
        resolve(parse(Buffer.concat(chunks).toString("latin1")));
      } catch (e) {
        reject(e);
      }
    });
    socket.write(head);
    socket.write(payload);
  });
}

function parse(text: string): RawAnswer {
  const split = text.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const at = line.indexOf(":");
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}\n${value}` : value);
  }
  let body = text.slice(split + 4);
  if (headers.get("transfer-encoding") === "chunked") body = unchunk(body);
  body = Buffer.from(body, "latin1").toString("utf8");
  const type = headers.get("content-type") ?? "";
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    body,
    json: type.startsWith("application/json") ? JSON.parse(body) : null,
  };
}

function unchunk(body: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    const size = parseInt(body.slice(at, eol), 16);
    if (!size) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
