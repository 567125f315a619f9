import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../../src/config/load.ts";
import { parseListeners } from "../../src/config/listeners.ts";
import { JWKS_VALIDATOR } from "../../src/config/sasl_oauthbearer.ts";
import { assertMentions, loadError } from "./helpers.ts";

const LOGIN = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
const HANDLER = "listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class";

function jwksFile(content: unknown): string {
  const file = join(tmpdir(), `jwks-${crypto.randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(content));
  return pathToFileURL(file).href;
}

describe("OAUTHBEARER listener settings", () => {
  test("the unsecured validator (the default) takes its options from the OAuthBearerLoginModule entry", () => {
    const cfg = loadConfig({
      overrides: [
        "listeners=SASL_PLAINTEXT://:9093",
        "sasl.enabled.mechanisms=OAUTHBEARER",
        `listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=${LOGIN} required ` +
        'unsecuredValidatorRequiredScope="kafka write" unsecuredValidatorAllowableClockSkewMs="2000" ' +
        'unsecuredValidatorPrincipalClaimName="client_id";',
      ],
    });
    const o = parseListeners(cfg)[0].sasl?.oauthbearer;
    assert.deepEqual(o, {
      validator: "unsecured",
      principalClaim: "client_id",
      scopeClaim: "scope",
      requiredScope: ["kafka", "write"],
      clockSkewMs: 2000,
      audience: [],
      issuer: "",
      jwks: [],
    });
  });

  test("OAuthBearerValidatorCallbackHandler reads the JWKS file and the sasl.oauthbearer.* keys", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = { ...publicKey.export({ format: "jwk" }), kid: "k1" };
    const cfg = loadConfig({
      overrides: [
        "listeners=SASL_PLAINTEXT://:9093",
        "sasl.enabled.mechanisms=OAUTHBEARER",
        `${HANDLER}=${JWKS_VALIDATOR}`,
        `sasl.oauthbearer.jwks.endpoint.url=${jwksFile({ keys: [key] })}`,
        "sasl.oauthbearer.expected.audience=a,b",
        "listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.expected.issuer=https://i",
        "sasl.oauthbearer.clock.skew.seconds=5",
      ],
    });
    const o = parseListeners(cfg)[0].sasl?.oauthbearer;
    assert.equal(o?.validator, "jwks");
    assert.deepEqual(o?.audience, ["a", "b"]);
    assert.equal(o?.issuer, "https://i");
    assert.equal(o?.clockSkewMs, 5000);
    assert.deepEqual(o?.jwks, [key]);
  });

  test("an unknown validator class, a URL that is not a file, and a bad JWKS are refused with the problem", () => {
    const base = ["listeners=SASL_PLAINTEXT://:9093", "sasl.enabled.mechanisms=OAUTHBEARER"];
    assertMentions(
      loadError(undefined, [...base, `${HANDLER}=com.example.Mine`]).message,
      "com.example.Mine is not available",
      JWKS_VALIDATOR,
    );
    const jwks = (
      url: string,
    ) => [...base, `${HANDLER}=${JWKS_VALIDATOR}`, `sasl.oauthbearer.jwks.endpoint.url=${url}`];
    assertMentions(loadError(undefined, jwks("https://idp/jwks")).message, "only a file: URL");
    assertMentions(loadError(undefined, jwks(jwksFile({ nokeys: 1 }))).message, 'has no "keys" list');
    assertMentions(loadError(undefined, jwks(jwksFile({ keys: [{ kty: "RSA", kid: "x" }] }))).message, "key x");
    assertMentions(loadError(undefined, jwks("file:///nonexistent/jwks.json")).message, "cannot read a JWKS");
  });

  test("a JAAS entry of another module for OAUTHBEARER is refused", () => {
    const e = loadError(undefined, [
      "listeners=SASL_PLAINTEXT://:9093",
      "sasl.enabled.mechanisms=OAUTHBEARER",
      `listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=${"org.apache.kafka.common.security.plain.PlainLoginModule"} required;`,
    ]);
    assertMentions(e.message, "OAUTHBEARER needs " + LOGIN);
  });
});
