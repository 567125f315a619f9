/**
 * certificateSubject() gives a certificate's subject as Java's
 * X500Principal.getName() does (RFC 2253), the string Kafka's principal
 * mapping sees. The expected strings were printed by Java 17 for the same
 * subjects.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { certificateSubject, certificateVersion } from "../../../src/network/tls/distinguished_name.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-dn-"));

/** DER of a self-signed certificate with `subject` (openssl -subj syntax). */
function certificate(subject: string, ...extra: string[]): Uint8Array {
  const out = path.join(dir, "c.pem");
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    path.join(dir, "k.key"),
    "-out",
    out,
    "-days",
    "1",
    "-subj",
    subject,
    ...extra,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  return new Uint8Array(new X509Certificate(fs.readFileSync(out)).raw);
}

describe("certificateSubject()", () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("lists the RDNs last to first, with RFC 2253 keywords and an escaped comma", () => {
    assert.equal(
      certificateSubject(certificate("/C=US/ST=CA/L=Palo Alto/O=Example, Inc./OU=Clients/CN=alice")),
      "CN=alice,OU=Clients,O=Example\\, Inc.,L=Palo Alto,ST=CA,C=US",
    );
  });

  test("joins a multi-valued RDN with +, names DC and UID, and writes emailAddress as OID=#hex", () => {
    assert.equal(
      certificateSubject(
        certificate("/DC=com/DC=example/CN=bob+UID=b123/emailAddress=bob@example.com", "-multivalue-rdn"),
      ),
      "1.2.840.113549.1.9.1=#160f626f62406578616d706c652e636f6d,CN=bob+UID=b123,DC=example,DC=com",
    );
  });

  test("escapes special characters, a leading # and a trailing space; keeps UTF-8", () => {
    assert.equal(
      certificateSubject(certificate('/CN=#J"ür;gen<x> /serialNumber=42', "-utf8")),
      '2.5.4.5=#13023432,CN=\\#J\\"ür\\;gen\\<x\\>\\ ',
    );
  });

  test("certificateVersion() tells a v3 certificate from a v1 one (no extensions)", () => {
    assert.equal(certificateVersion(certificate("/CN=v3")), 3);
    const csr = path.join(dir, "v1.csr"), out = path.join(dir, "v1.pem"), key = path.join(dir, "k.key");
    const quiet: { stdio: Array<"ignore" | "pipe"> } = { stdio: ["ignore", "ignore", "pipe"] };
    execFileSync("openssl", ["req", "-new", "-key", key, "-out", csr, "-subj", "/CN=v1"], quiet);
    execFileSync("openssl", ["x509", "-req", "-in", csr, "-key", key, "-out", out, "-days", "1"], quiet);
    assert.equal(certificateVersion(new Uint8Array(new X509Certificate(fs.readFileSync(out)).raw)), 1);
  });

  test("refuses bytes that are not a certificate", () => {
    assert.throws(() => certificateSubject(new Uint8Array([0x30, 0x82, 0x10, 0x00, 1, 2, 3])));
    assert.throws(() => certificateSubject(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])));
  });
});
