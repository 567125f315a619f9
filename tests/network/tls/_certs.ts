/**
 * Test certificates made with `openssl` in a temp dir: a CA, a server
 * certificate for localhost/127.0.0.1, client certificates, an encrypted copy
 * of the server key, an unrelated key and a second CA nobody trusts. Client
 * certificates are X.509 v3 with the clientAuth usage: Deno's TLS (rustls)
 * refuses v1 certificates.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TestCerts {
  dir: string;
  caPem: string;
  /** Server key (PKCS#8, clear) followed by its certificate: an ssl.keystore.location file. */
  serverStore: string;
  serverKey: string;
  serverCert: string;
  /** The server key encrypted with the password "key-secret". */
  serverKeyEncrypted: string;
  /** A key that matches no certificate here. */
  otherKey: string;
  /** Client certificate and key, subject CN=alice,OU=Clients,O=Example (RFC 2253). */
  clientCert: string;
  clientKey: string;
  /** Key and certificate in one PEM file (Java's ssl.keystore.type=PEM). */
  clientStore: string;
  /** A client certificate from a CA the broker does not trust (CN=mallory). */
  untrustedCert: string;
  untrustedKey: string;
  /** A trusted client certificate outside OU=Clients: CN=carol,O=Elsewhere. */
  carolCert: string;
  carolKey: string;
  /** A trusted X.509 v1 client certificate (no extensions): CN=dave,OU=Clients,O=Example. */
  legacyCert: string;
  legacyKey: string;
  remove(): void;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function issue(dir: string, name: string, subject: string, ca: string, ext: string): void {
  openssl(
    dir,
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  );
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    // No extensions make an X.509 v1 certificate.
    ...(ext === "" ? [] : ["-extfile", `${name}.ext`]),
  );
}

/**
 * A key store file (key, then certificate, PEM) for `subject` with `sans`, signed by the test CA: the stores the
 * certificate-reload tests install in place of the one a broker started with.
 */
export function issueKeyStore(
  certs: TestCerts,
  name: string,
  subject: string,
  sans = "DNS:localhost,IP:127.0.0.1",
): string {
  issue(certs.dir, name, subject, "ca", `subjectAltName=${sans}\nextendedKeyUsage=serverAuth\n`);
  const read = (f: string) => fs.readFileSync(path.join(certs.dir, f), "utf8");
  const store = path.join(certs.dir, `${name}-store.pem`);
  fs.writeFileSync(store, read(`${name}.key`) + read(`${name}.pem`));
  return store;
}

export function makeTestCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-tls-"));
  const p = (name: string) => path.join(dir, name);
  for (const ca of ["ca", "rogue-ca"]) {
    openssl(
      dir,
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${ca} test authority`,
    );
  }
  issue(
    dir,
    "server",
    "/CN=localhost",
    "ca",
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  const client = "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n";
  issue(dir, "client", "/O=Example/OU=Clients/CN=alice", "ca", client);
  issue(dir, "untrusted", "/CN=mallory", "rogue-ca", client);
  issue(dir, "carol", "/O=Elsewhere/CN=carol", "ca", client);
  issue(dir, "legacy", "/O=Example/OU=Clients/CN=dave", "ca", "");
  openssl(
    dir,
    "pkcs8",
    "-topk8",
    "-in",
    "server.key",
    "-v2",
    "aes-256-cbc",
    "-passout",
    "pass:key-secret",
    "-out",
    "server-enc.key",
  );
  openssl(
    dir,
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "other.key",
    "-out",
    "other.csr",
    "-subj",
    "/CN=x",
  );
  const read = (name: string) => fs.readFileSync(p(name), "utf8");
  fs.writeFileSync(p("server-store.pem"), read("server.key") + read("server.pem"));
  fs.writeFileSync(p("client-store.pem"), read("client.key") + read("client.pem"));
  return {
    dir,
    caPem: p("ca.pem"),
    serverStore: p("server-store.pem"),
    serverKey: p("server.key"),
    serverCert: p("server.pem"),
    serverKeyEncrypted: p("server-enc.key"),
    otherKey: p("other.key"),
    clientCert: p("client.pem"),
    clientKey: p("client.key"),
    clientStore: p("client-store.pem"),
    untrustedCert: p("untrusted.pem"),
    untrustedKey: p("untrusted.key"),
    carolCert: p("carol.pem"),
    carolKey: p("carol.key"),
    legacyCert: p("legacy.pem"),
    legacyKey: p("legacy.key"),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
