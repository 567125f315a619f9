/**
 * A SASL listener's OAUTHBEARER settings: which validator checks the tokens
 * and with what, read as Kafka reads them.
 *
 * `sasl.server.callback.handler.class` (per listener:
 * `listener.name.<l>.oauthbearer.sasl.server.callback.handler.class`) picks
 * the validator: unset, or Kafka's OAuthBearerUnsecuredValidatorCallbackHandler,
 * is the unsecured one, whose options are in the listener's
 * OAuthBearerLoginModule JAAS entry (unsecuredValidatorPrincipalClaimName,
 * unsecuredValidatorScopeClaimName, unsecuredValidatorRequiredScope — scopes
 * separated by spaces — and unsecuredValidatorAllowableClockSkewMs); Kafka's
 * OAuthBearerValidatorCallbackHandler is the signed-token one, which reads the
 * `sasl.oauthbearer.*` keys (each also as
 * `listener.name.<l>.oauthbearer.sasl.oauthbearer.*`). Its keys come from a
 * JWKS file named by a file: URL in `sasl.oauthbearer.jwks.endpoint.url`,
 * read once at start (Kafka re-reads it every
 * sasl.oauthbearer.jwks.endpoint.refresh.ms; tsbroker needs a restart).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPublicKey } from "node:crypto";
import type { BrokerConfig, ConfigKey } from "./keys.ts";
import type { JaasEntry } from "./jaas.ts";

export const UNSECURED_VALIDATOR =
  "org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler";
export const JWKS_VALIDATOR = "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";
/** The class's name before Kafka 3.x moved it; still accepted by Kafka. */
const JWKS_VALIDATOR_OLD = "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler";

/** How a listener validates OAUTHBEARER tokens, as the processor Worker receives it. */
export interface OAuthBearerSettings {
  validator: "unsecured" | "jwks";
  /** The claim naming the principal (sub). */
  principalClaim: string;
  /** The claim holding the scopes (scope). */
  scopeClaim: string;
  /** Scopes every token must hold (unsecured validator only). */
  requiredScope: string[];
  clockSkewMs: number;
  /** Accepted aud values (jwks; empty = not checked). */
  audience: string[];
  /** Expected iss (jwks; "" = not checked). */
  issuer: string;
  /** The JWKS file's keys (jwks), as JSON objects. */
  jwks: Array<Record<string, unknown>>;
}

type Fail = (key: ConfigKey, problem: string) => never;

export function resolveOAuthBearer(
  cfg: BrokerConfig,
  listener: string,
  jaas: JaasEntry | null,
  /** The listener's own `listener.name.<l>.oauthbearer.<key>`, if given. */
  own: (key: string) => string | undefined,
  fail: Fail,
): OAuthBearerSettings {
  const handler = own("sasl.server.callback.handler.class") ?? cfg["sasl.server.callback.handler.class"];
  const opt = (name: string) => jaas?.options.get(name);
  if (handler === "" || handler === UNSECURED_VALIDATOR) {
    const skew = opt("unsecuredValidatorAllowableClockSkewMs") ?? "0";
    if (!/^\d+$/.test(skew)) {
      fail("sasl.jaas.config", `unsecuredValidatorAllowableClockSkewMs="${skew}": expected an integer ≥ 0`);
    }
    return {
      validator: "unsecured",
      principalClaim: opt("unsecuredValidatorPrincipalClaimName") || "sub",
      scopeClaim: opt("unsecuredValidatorScopeClaimName") || "scope",
      requiredScope: (opt("unsecuredValidatorRequiredScope") ?? "").split(" ").filter((s) => s !== ""),
      clockSkewMs: Number(skew),
      audience: [],
      issuer: "",
      jwks: [],
    };
  }
  if (handler !== JWKS_VALIDATOR && handler !== JWKS_VALIDATOR_OLD) {
    fail(
      "sasl.server.callback.handler.class",
      `listener ${listener}: ${handler} is not available; use ${JWKS_VALIDATOR} (JWKS file) or leave it unset ` +
        `(Kafka's unsecured validator)`,
    );
  }
  const key = <K extends ConfigKey>(k: K): string | BrokerConfig[K] => own(k) ?? cfg[k];
  const url = String(key("sasl.oauthbearer.jwks.endpoint.url"));
  const skew = Number(key("sasl.oauthbearer.clock.skew.seconds"));
  if (!Number.isInteger(skew) || skew < 0) {
    fail("sasl.oauthbearer.clock.skew.seconds", `listener ${listener}: ${skew} is not an integer ≥ 0`);
  }
  const audience = key("sasl.oauthbearer.expected.audience");
  return {
    validator: "jwks",
    principalClaim: String(key("sasl.oauthbearer.sub.claim.name")) || "sub",
    scopeClaim: String(key("sasl.oauthbearer.scope.claim.name")) || "scope",
    requiredScope: [],
    clockSkewMs: skew * 1000,
    audience: (typeof audience === "string" ? audience.split(",") : [...audience]).map((a) => a.trim())
      .filter((a) => a !== ""),
    issuer: String(key("sasl.oauthbearer.expected.issuer")),
    jwks: readJwks(url, listener, fail),
  };
}

function readJwks(url: string, listener: string, fail: Fail): Array<Record<string, unknown>> {
  const where = `listener ${listener}: sasl.oauthbearer.jwks.endpoint.url`;
  if (!url.startsWith("file:")) {
    fail(
      "sasl.oauthbearer.jwks.endpoint.url",
      `${where} = "${url}": only a file: URL of a local JWKS file is read (fetch the provider's JWKS into a file)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(fileURLToPath(url), "utf8"));
  } catch (e) {
    return fail("sasl.oauthbearer.jwks.endpoint.url", `${where}: cannot read a JWKS from ${url}: ${String(e)}`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    fail("sasl.oauthbearer.jwks.endpoint.url", `${where}: ${url} has no "keys" list`);
  }
  for (const [i, k] of keys.entries()) {
    try {
      // deno-lint-ignore no-explicit-any
      createPublicKey({ key: k as any, format: "jwk" });
    } catch (e) {
      fail("sasl.oauthbearer.jwks.endpoint.url", `${where}: key ${k?.kid ?? `#${i + 1}`} of ${url}: ${String(e)}`);
    }
  }
  return keys as Array<Record<string, unknown>>;
}
