/**
 * The subject of an X.509 certificate as the distinguished name string Kafka
 * maps to a principal: Java's `X500Principal.getName()` (RFC 2253), e.g.
 * "CN=alice,OU=Clients,O=Example". RFC 2253 writes the name's RDNs last to
 * first, names the attributes it has keywords for (CN, C, L, ST, O, OU,
 * STREET, DC, UID) and writes any other as its OID with the value's DER bytes
 * in hex ("1.2.840.113549.1.9.1=#1611..."). Runtimes give the subject only as
 * an unordered object, so the certificate's DER bytes are read here.
 */

const KEYWORDS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};

interface Tlv {
  tag: number;
  /** Start of the whole element (tag byte). */
  start: number;
  /** Start and end of the contents. */
  body: number;
  end: number;
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error("truncated DER element");
  const tag = der[at];
  let length = der[at + 1];
  let body = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || body + bytes > limit) throw new Error("bad DER length");
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[body + i];
    body += bytes;
  }
  const end = body + length;
  if (end > limit) throw new Error("DER element runs past its container");
  return { tag, start: at, body, end };
}

/** The elements inside a constructed element. */
function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.body; at < parent.end;) {
    const child = readTlv(der, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

/** A directory string's text, or null when its type is not a string type. */
function decodeString(tag: number, bytes: Uint8Array): string | null {
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder().decode(bytes);
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (read as Latin-1, as Java does)
      return String.fromCharCode(...bytes);
    case 0x1e: { // BMPString: UTF-16BE
      let s = "";
      for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return s;
    }
    case 0x1c: { // UniversalString: UTF-32BE
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        s += String.fromCodePoint(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
      }
      return s;
    }
    default:
      return null;
  }
}

/** RFC 2253 escaping: special characters, and a leading '#' or space and a trailing space. */
function escapeValue(value: string): string {
  let out = value.replace(/[,+"\\<>;]/g, (c) => `\\${c}`);
  if (out.startsWith("#") || out.startsWith(" ")) out = `\\${out}`;
  if (out.endsWith(" ") && !out.endsWith("\\ ")) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** RFC 2253 string of a DER-encoded Name (SEQUENCE OF RelativeDistinguishedName). */
export function nameToRfc2253(der: Uint8Array, name: Tlv = readTlv(der, 0, der.length)): string {
  const rdns = children(der, name).map((set) =>
    children(der, set).map((ava) => {
      const [oidTlv, valueTlv] = children(der, ava);
      if (!oidTlv || !valueTlv || oidTlv.tag !== 0x06) throw new Error("bad attribute in distinguished name");
      const oid = decodeOid(der.subarray(oidTlv.body, oidTlv.end));
      const keyword = KEYWORDS[oid];
      const text = keyword ? decodeString(valueTlv.tag, der.subarray(valueTlv.body, valueTlv.end)) : null;
      if (keyword && text !== null) return `${keyword}=${escapeValue(text)}`;
      return `${keyword ?? oid}=#${hex(der.subarray(valueTlv.start, valueTlv.end))}`;
    }).join("+")
  );
  return rdns.reverse().join(",");
}

/** A DER-encoded certificate's X.509 version (1 when the optional version field is absent). */
export function certificateVersion(der: Uint8Array): number {
  const certificate = readTlv(der, 0, der.length);
  const [tbs] = children(der, certificate);
  const first = tbs ? children(der, tbs)[0] : undefined;
  if (!first || first.tag !== 0xa0) return 1;
  const [version] = children(der, first);
  return version ? der[version.end - 1] + 1 : 1;
}

/** The subject distinguished name of a DER-encoded certificate, as Kafka's DEFAULT mapping rule gives it. */
export function certificateSubject(der: Uint8Array): string {
  const certificate = readTlv(der, 0, der.length);
  const [tbs] = children(der, certificate);
  if (!tbs) throw new Error("certificate has no TBSCertificate");
  const fields = children(der, tbs);
  // version [0] is optional; then serialNumber, signature, issuer, validity, subject.
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (!subject || subject.tag !== 0x30) throw new Error("certificate has no subject");
  return nameToRfc2253(der, subject);
}
