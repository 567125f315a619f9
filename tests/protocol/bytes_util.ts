/** Builds byte arrays for golden tests from numbers and ASCII strings. */
export function bytes(
  ...parts: (number | string | readonly number[] | Uint8Array)[]
): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else if (typeof p === "string") {
      for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i));
    } else out.push(...p);
  }
  return Uint8Array.from(out);
}

/** Big-endian int32. */
export function i32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

/** Prefixes `body` with its int32 length, as on the wire. */
export function frame(body: Uint8Array): Uint8Array {
  return bytes(i32(body.length), body);
}

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}
