import type { HttpResponseInit } from "../../runtime/types.ts";

/** An answer of the console's API that is not 200: thrown by its routes, sent as JSON `{ error }`. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A JSON answer (bigints as strings, as offsets are). */
export function json(status: number, value: unknown, headers?: Record<string, string>): HttpResponseInit {
  return {
    status,
    contentType: "application/json; charset=utf-8",
    body: JSON.stringify(value, (_, v) => typeof v === "bigint" ? String(v) : v),
    ...(headers ? { headers } : {}),
  };
}
