/**
 * Start-up failures to bind a port, reworded to name what to change: the
 * runtimes only say "Address already in use (os error 98)", which names
 * neither the port nor the config key that chose it.
 */

/** Which config key chose an address, and an example of a working value. */
export interface ListenPurpose {
  key: string;
  /** e.g. `listeners=PLAINTEXT://127.0.0.1:9093`. */
  example: string;
  /** Extra advice, e.g. how to disable the server. */
  also?: string;
}

function reason(cause: string): string {
  if (/in use|EADDRINUSE|AddrInUse/i.test(cause)) return "the port is already in use by another process";
  if (/permission|EACCES|PermissionDenied/i.test(cause)) {
    return "permission denied (ports below 1024 need privileges)";
  }
  if (/EADDRNOTAVAIL|AddrNotAvailable|cannot assign/i.test(cause)) {
    return "no interface on this machine has that address";
  }
  return cause;
}

export function explainListenFailure(purpose: ListenPurpose, host: string, port: number, cause: unknown): string {
  // The processor's report already says "cannot listen on host:port: "; keep only its cause.
  const text = (cause instanceof Error ? cause.message : String(cause)).replace(/^cannot listen on \S+: /, "");
  const also = purpose.also ? `, ${purpose.also}` : "";
  return `cannot listen on ${host || "0.0.0.0"}:${port} (${purpose.key}): ${reason(text)}. ` +
    `Set ${purpose.key} to a free address, e.g. --override ${purpose.example}${also}.`;
}
