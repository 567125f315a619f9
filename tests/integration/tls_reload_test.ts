/**
 * Certificate reload without restart (issue 14, Kafka's dynamic key store
 * update): a broker process under Deno and under Bun serves certificate A on
 * its SSL listener; a raw IncrementalAlterConfigs on its PLAINTEXT listener
 * sets `listener.name.ssl.ssl.keystore.location` (per broker) to a file with
 * certificate B (same subject and names, new key): new connections get B and
 * kcat works with it, a connection opened before keeps working. Refused, with
 * Kafka's INVALID_REQUEST and a message naming the problem, while A or B stays
 * served: a key that does not match its certificate, a missing file, a
 * certificate with another subject, the cluster-wide default, a key Kafka does
 * not reload. Writing a new certificate into the same file and setting the
 * same location again serves it, and a restart serves the stored one;
 * kafka-configs (Java AdminClient) reloads too.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import { type BrokerProcess, type Flavour, runCommand, startBroker } from "./_broker.ts";
import { apiVersionsRequest, wireCaller, WireClient } from "./_wire.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeIncrementalAlterConfigsResponse,
  encodeIncrementalAlterConfigsRequest,
} from "../../src/protocol/generated/incremental_alter_configs.ts";
import { issueKeyStore as issueStore, makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";
import { kafkaTool } from "../clients/_clients.ts";

const BROKER = 4;
const SET = 0;
const call = wireCaller("tls-reload-test");

/** host:port of listener `name`, from the broker's start line. */
function addressOf(broker: BrokerProcess, name: string): string {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return new RegExp(`[=,]${name}://([^,\\s]+)`).exec(line)![1];
}

/** A TLS connection to `address` trusting the test CA; resolves with it and the serial of what the broker served. */
function connectTls(address: string, ca: string): Promise<{ socket: tls.TLSSocket; serial: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host, port: Number(port), ca: fs.readFileSync(ca, "utf8"), servername: "localhost" },
      () => resolve({ socket, serial: BigInt(`0x${socket.getPeerCertificate().serialNumber}`).toString(16) }),
    );
    socket.once("error", reject);
  });
}

/** Sends an ApiVersions request on an open TLS connection; resolves once an answer of the right size is in. */
function apiVersionsOver(socket: tls.TLSSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = new Uint8Array(0);
    const timer = setTimeout(() => reject(new Error("no ApiVersions answer within 10 s")), 10_000);
    const onData = (chunk: Uint8Array) => {
      got = new Uint8Array([...got, ...chunk]);
      if (got.byteLength >= 4 && got.byteLength >= 4 + new DataView(got.buffer).getInt32(0)) {
        clearTimeout(timer);
        socket.off("data", onData);
        resolve(new DataView(got.buffer).getInt16(8)); // error code after size and correlation id
      }
    };
    socket.on("data", onData);
    socket.write(apiVersionsRequest(7));
  });
}

async function alterBroker(
  broker: BrokerProcess,
  resourceName: string,
  configs: Array<[string, string]>,
): Promise<{ errorCode: number; errorMessage: string | null }> {
  const client = await WireClient.connect(Number(addressOf(broker, "PLAINTEXT").split(":")[1]));
  try {
    const res = await call(
      client,
      44,
      1,
      {
        validateOnly: false,
        resources: [{
          resourceType: BROKER,
          resourceName,
          configs: configs.map(([name, value]) => ({ name, configOperation: SET, value })),
        }],
      },
      encodeIncrementalAlterConfigsRequest,
      decodeIncrementalAlterConfigsResponse,
    );
    return res.responses[0];
  } finally {
    client.destroy();
  }
}

const LOCATION = "listener.name.ssl.ssl.keystore.location";

function options(certs: TestCerts): Record<string, string | number> {
  return {
    listeners: "SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
    "listener.security.protocol.map": "SSL:SSL,PLAINTEXT:PLAINTEXT",
    "ssl.keystore.location": certs.serverStore,
    // Two processors: each must take the new key store.
    "num.network.threads": 2,
  };
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`TLS certificate reload, broker under ${flavour}`, () => {
    let certs: TestCerts;
    let broker: BrokerProcess;
    let ssl: string;
    let nodeId: string;
    const serials: Record<string, string> = {};

    before(async () => {
      certs = makeTestCerts();
      broker = await startBroker(flavour, { overrides: options(certs) });
      ssl = addressOf(broker, "SSL");
      nodeId = String(/node\.id=(\d+)/.exec(broker.output.join("\n"))![1]);
      serials.a = pemSerial(certs.serverCert);
    });
    after(async () => {
      await broker?.stop();
      certs?.remove();
    });

    test("a new key store is served to new connections; one opened before keeps working", async () => {
      const before = await connectTls(ssl, certs.caPem);
      assert.equal(before.serial, serials.a);
      const storeB = issueStore(certs, "server-b", "/CN=localhost");
      serials.b = pemSerial(path.join(certs.dir, "server-b.pem"));
      assert.notEqual(serials.b, serials.a);

      const res = await alterBroker(broker, nodeId, [[LOCATION, storeB]]);
      assert.equal(res.errorCode, ErrorCode.NONE, res.errorMessage ?? "");
      // Every processor of the listener: several connections, each new.
      for (let i = 0; i < 6; i++) {
        const after = await connectTls(ssl, certs.caPem);
        assert.equal(after.serial, serials.b, `connection ${i} after the reload`);
        after.socket.destroy();
      }
      assert.equal(await apiVersionsOver(before.socket), ErrorCode.NONE);
      before.socket.destroy();
      const meta = await runCommand("kcat", [
        "-L",
        "-b",
        ssl,
        "-m",
        "5",
        "-X",
        "security.protocol=SSL",
        "-X",
        `ssl.ca.location=${certs.caPem}`,
      ]);
      assert.equal(meta.code, 0, meta.stderr);
    });

    test("refusals name the problem and change nothing", async () => {
      const mismatched = path.join(certs.dir, "mismatched-store.pem");
      fs.writeFileSync(mismatched, fs.readFileSync(certs.otherKey, "utf8") + fs.readFileSync(certs.serverCert, "utf8"));
      const elsewhere = issueStore(certs, "server-c", "/CN=elsewhere");
      const cases: Array<[string, Array<[string, string]>, RegExp]> = [
        [nodeId, [[LOCATION, mismatched]], /private key does not match/],
        [nodeId, [[LOCATION, path.join(certs.dir, "missing.pem")]], /cannot read the file/],
        [
          nodeId,
          [[LOCATION, elsewhere]],
          /Keystore DistinguishedName does not match: existing=CN=localhost, new=CN=elsewhere/,
        ],
        ["", [[LOCATION, certs.serverStore]], /default cluster level, broker id must be specified/],
        [nodeId, [["listener.name.ssl.ssl.client.auth", "required"]], /Cannot update these configs dynamically/],
        [nodeId, [["listener.name.plaintext.ssl.keystore.location", certs.serverStore]], /no SSL or SASL_SSL listener/],
      ];
      for (const [resource, configs, message] of cases) {
        const res = await alterBroker(broker, resource, configs);
        assert.equal(res.errorCode, ErrorCode.INVALID_REQUEST, `${JSON.stringify(configs)}: ${res.errorMessage}`);
        assert.match(res.errorMessage ?? "", message);
        const now = await connectTls(ssl, certs.caPem);
        assert.equal(now.serial, serials.b, `still B after ${JSON.stringify(configs)}`);
        now.socket.destroy();
      }
    });

    test("setting the same location again re-reads the file", async () => {
      const storeB = path.join(certs.dir, "server-b-store.pem");
      const storeD = issueStore(certs, "server-d", "/CN=localhost");
      fs.copyFileSync(storeD, storeB);
      const res = await alterBroker(broker, nodeId, [[LOCATION, storeB]]);
      assert.equal(res.errorCode, ErrorCode.NONE, res.errorMessage ?? "");
      const now = await connectTls(ssl, certs.caPem);
      assert.equal(now.serial, pemSerial(path.join(certs.dir, "server-d.pem")));
      now.socket.destroy();
    });

    test("the stored key store is served again after a restart", async () => {
      const dataDir = broker.dataDir;
      assert.equal(await broker.stop(), 0);
      broker = await startBroker(flavour, { dataDir, overrides: options(certs) });
      const now = await connectTls(addressOf(broker, "SSL"), certs.caPem);
      assert.equal(now.serial, pemSerial(path.join(certs.dir, "server-d.pem")));
      now.socket.destroy();
    });

    // The JVM costs seconds: the Java path once, against the Deno broker.
    test("kafka-configs (the Java AdminClient) reloads the key store", { skip: flavour !== "deno" }, async () => {
      const storeE = issueStore(certs, "server-e", "/CN=localhost");
      const out = await kafkaTool("org.apache.kafka.tools.ConfigCommand", [
        "--bootstrap-server",
        addressOf(broker, "PLAINTEXT"),
        "--alter",
        "--entity-type",
        "brokers",
        "--entity-name",
        nodeId,
        "--add-config",
        `${LOCATION}=${storeE}`,
      ]);
      assert.equal(out.code, 0, out.stderr);
      const now = await connectTls(addressOf(broker, "SSL"), certs.caPem);
      assert.equal(now.serial, pemSerial(path.join(certs.dir, "server-e.pem")));
      now.socket.destroy();
    });
  });
}

/** The serial number of a PEM certificate file, in hex without leading zeros. */
function pemSerial(file: string): string {
  const out = execFileSync("openssl", ["x509", "-in", file, "-noout", "-serial"], { encoding: "utf8" });
  return BigInt(`0x${out.trim().replace(/^serial=/, "")}`).toString(16);
}
