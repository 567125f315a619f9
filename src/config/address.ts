/** `host:port` parsing shared by listeners and the metrics listener. */

export interface HostPort {
  /** Host name or IP as given, IPv6 without brackets; "" means all interfaces. */
  host: string;
  port: number;
}

// Brackets are required around IPv6 addresses so the port separator is unambiguous.
const HOST_PORT = /^(?:\[([0-9A-Za-z:.%]+)\]|([A-Za-z0-9._-]*)):(\d{1,5})$/;

/** Parses `host:port` / `[v6]:port` / `:port`; returns a problem description on failure. */
export function parseHostPort(text: string): HostPort | string {
  const m = HOST_PORT.exec(text);
  if (!m) return `"${text}" is not of the form host:port (IPv6 as [::1]:port)`;
  const port = Number(m[3]);
  if (port > 65535) return `"${text}" has port ${port}, expected 0 to 65535`;
  return { host: m[1] ?? m[2], port };
}

/** Hosts that mean "every interface": fine to bind, useless to give to a client. */
export function isWildcardHost(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::";
}
