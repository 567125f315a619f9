/**
 * The OAUTHBEARER token validators, sans-IO: a token (JWS compact
 * serialization, `header.claims.signature`, each part base64url) and the
 * time in, a verdict out.
 *
 * - "unsecured" is Kafka's default, OAuthBearerUnsecuredValidatorCallbackHandler,
 *   for development only: alg "none" and an empty signature, the principal
 *   claim (sub unless unsecuredValidatorPrincipalClaimName) a non-empty
 *   string, exp required and iat optional (each with
 *   unsecuredValidatorAllowableClockSkewMs), exp after iat, and every scope of
 *   unsecuredValidatorRequiredScope in the token's scope claim (a list, or
 *   a string taken whole as one scope, as the reference Kafka does). A missing scope is answered
 *   "insufficient_scope" with the required list written as Java writes a list
 *   ("[a, b]"), everything else "invalid_token".
 * - "jwks" is Kafka's OAuthBearerValidatorCallbackHandler with keys from a
 *   local JWKS file: the signature must verify (RS256/384/512 or
 *   ES256/384/512; "none" and HMAC are refused, as the key set holds only
 *   public keys) with the key of the token's kid (or, without a kid, any key
 *   of its type); exp and iat required (sasl.oauthbearer.clock.skew.seconds of
 *   leeway), the sub claim (sasl.oauthbearer.sub.claim.name) a non-empty
 *   string, nbf (if any) passed, aud one of sasl.oauthbearer.expected.audience
 *   (and, that unset, no aud at all: RFC 7519 as Kafka's JWT library applies
 *   it) and iss equal to sasl.oauthbearer.expected.issuer when set. Every
 *   failure is "invalid_token", as Kafka answers.
 * `detail` says which check failed, for the broker's log only.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { Buffer } from "node:buffer";
import type { OAuthBearerSettings } from "../../config/sasl_settings.ts";

export type Verdict =
  | { ok: true; principal: string; expiresAtMs: number }
  | { ok: false; status: "invalid_token" | "insufficient_scope"; scope?: string; detail: string };

export type TokenValidator = (token: string, nowMs: number) => Verdict;

type Json = Record<string, unknown>;
interface Jws {
  header: Json;
  claims: Json;
  signingInput: string;
  signature: Uint8Array;
}

const invalid = (detail: string): Verdict => ({ ok: false, status: "invalid_token", detail });
const B64URL = /^[A-Za-z0-9_-]*$/;

function b64json(part: string, what: string): Json | string {
  if (!B64URL.test(part) || part === "") return `the ${what} is not base64url`;
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return `the ${what} is not a JSON object`;
    return value as Json;
  } catch {
    return `the ${what} is not JSON`;
  }
}

/** Splits and decodes a compact JWS; a string says what is wrong with it. */
export function decodeJws(token: string): Jws | string {
  const parts = token.split(".");
  if (parts.length !== 3) return `a JWS has 3 dot-separated parts, this token ${parts.length}`;
  const header = b64json(parts[0], "header");
  if (typeof header === "string") return header;
  const claims = b64json(parts[1], "claim set");
  if (typeof claims === "string") return claims;
  if (!B64URL.test(parts[2])) return "the signature is not base64url";
  return {
    header,
    claims,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: new Uint8Array(Buffer.from(parts[2], "base64url")),
  };
}

/** A NumericDate claim (seconds since the epoch) in ms; undefined if absent, null if not a number. */
function timeClaim(claims: Json, name: string): number | undefined | null {
  const v = claims[name];
  if (v === undefined) return undefined;
  return typeof v === "number" && Number.isFinite(v) ? v * 1000 : null;
}

/** exp (required), iat (required or not), with skew; a string names the failed check. */
function checkTimes(claims: Json, nowMs: number, skewMs: number, iatRequired: boolean): number | string {
  const exp = timeClaim(claims, "exp");
  const iat = timeClaim(claims, "iat");
  if (exp === undefined) return "no exp claim";
  if (exp === null) return "the exp claim is not a number";
  if (iat === null) return "the iat claim is not a number";
  if (iat === undefined && iatRequired) return "no iat claim";
  if (nowMs > exp + skewMs) return `the token expired at ${new Date(exp).toISOString()}`;
  if (iat !== undefined && iat > nowMs + skewMs) {
    return `the token is issued in the future (${new Date(iat).toISOString()})`;
  }
  if (iat !== undefined && exp <= iat) return "the token expires before it is issued";
  return exp;
}

function principalOf(claims: Json, claim: string): string | null {
  const v = claims[claim];
  return typeof v === "string" && v !== "" ? v : null;
}

/** The scope claim: a list of strings, or one string that is one scope (as the reference Kafka reads it: not split). */
function scopeOf(claims: Json, claim: string): string[] {
  const v = claims[claim];
  if (typeof v === "string") return v.trim() === "" ? [] : [v.trim()];
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === "string");
  return [];
}

function unsecured(s: OAuthBearerSettings): TokenValidator {
  return (token, nowMs) => {
    const jws = decodeJws(token);
    if (typeof jws === "string") return invalid(jws);
    if (jws.header.alg !== "none") return invalid(`alg is ${JSON.stringify(jws.header.alg)}, not "none"`);
    if (jws.signature.length !== 0) return invalid("an unsecured token has an empty signature");
    const principal = principalOf(jws.claims, s.principalClaim);
    if (principal === null) return invalid(`no string claim ${s.principalClaim} names the principal`);
    const exp = checkTimes(jws.claims, nowMs, s.clockSkewMs, false);
    if (typeof exp === "string") return invalid(exp);
    const scope = scopeOf(jws.claims, s.scopeClaim);
    const missing = s.requiredScope.find((r) => !scope.includes(r));
    if (missing !== undefined) {
      return {
        ok: false,
        status: "insufficient_scope",
        scope: `[${s.requiredScope.join(", ")}]`,
        detail: `the token's scope [${scope.join(", ")}] lacks ${missing}`,
      };
    }
    return { ok: true, principal, expiresAtMs: exp };
  };
}

/** Node's verify arguments per JWS alg: the hash, and for ECDSA the r||s signature form JWS uses. */
const ALGS: Record<string, { hash: string; kty: string; ec: boolean }> = {
  RS256: { hash: "sha256", kty: "RSA", ec: false },
  RS384: { hash: "sha384", kty: "RSA", ec: false },
  RS512: { hash: "sha512", kty: "RSA", ec: false },
  ES256: { hash: "sha256", kty: "EC", ec: true },
  ES384: { hash: "sha384", kty: "EC", ec: true },
  ES512: { hash: "sha512", kty: "EC", ec: true },
};

interface VerificationKey {
  kid: string | undefined;
  kty: string;
  key: KeyObject;
}

/** Imports a JWKS's public keys; throws naming a key that cannot be read. */
export function importJwks(keys: readonly Json[]): VerificationKey[] {
  return keys.filter((k) => k.use === undefined || k.use === "sig").map((k, i) => {
    try {
      return {
        kid: typeof k.kid === "string" ? k.kid : undefined,
        kty: String(k.kty),
        // deno-lint-ignore no-explicit-any
        key: createPublicKey({ key: k as any, format: "jwk" }),
      };
    } catch (e) {
      throw new Error(`key ${typeof k.kid === "string" ? k.kid : `#${i + 1}`} of the JWKS: ${String(e)}`);
    }
  });
}

function signed(s: OAuthBearerSettings): TokenValidator {
  const keys = importJwks(s.jwks);
  return (token, nowMs) => {
    const jws = decodeJws(token);
    if (typeof jws === "string") return invalid(jws);
    const alg = ALGS[String(jws.header.alg)];
    if (!alg) return invalid(`alg ${JSON.stringify(jws.header.alg)} is not accepted`);
    const kid = jws.header.kid;
    const candidates = keys.filter((k) => k.kty === alg.kty && (kid === undefined || k.kid === kid));
    if (candidates.length === 0) return invalid(`no ${alg.kty} key with kid ${JSON.stringify(kid)} in the JWKS`);
    const input = Buffer.from(jws.signingInput, "utf8");
    const good = candidates.some((k) => {
      try {
        return verify(alg.hash, input, alg.ec ? { key: k.key, dsaEncoding: "ieee-p1363" } : k.key, jws.signature);
      } catch {
        return false;
      }
    });
    if (!good) return invalid("the signature does not verify");
    const exp = checkTimes(jws.claims, nowMs, s.clockSkewMs, true);
    if (typeof exp === "string") return invalid(exp);
    const principal = principalOf(jws.claims, s.principalClaim);
    if (principal === null) return invalid(`no string claim ${s.principalClaim} names the principal`);
    const nbf = timeClaim(jws.claims, "nbf");
    if (nbf === null) return invalid("the nbf claim is not a number");
    if (nbf !== undefined && nowMs + s.clockSkewMs < nbf) {
      return invalid(`the token is not valid before ${new Date(nbf).toISOString()}`);
    }
    const aud = jws.claims.aud;
    if (s.audience.length > 0) {
      const auds = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
      if (!auds.some((a) => s.audience.includes(a))) return invalid(`aud ${JSON.stringify(aud)} is not expected`);
    } else if (aud !== undefined) {
      // RFC 7519 4.1.3, as Kafka's JWT library applies it: a token for an audience is refused where none is expected.
      return invalid(`aud ${JSON.stringify(aud)} is present but sasl.oauthbearer.expected.audience is not set`);
    }
    if (s.issuer !== "" && jws.claims.iss !== s.issuer) {
      return invalid(`iss ${JSON.stringify(jws.claims.iss)} is not ${s.issuer}`);
    }
    return { ok: true, principal, expiresAtMs: exp };
  };
}

const made = new WeakMap<OAuthBearerSettings, TokenValidator>();

/** The listener's validator; made once per settings object (importing keys costs more than a connection should). */
export function makeValidator(s: OAuthBearerSettings): TokenValidator {
  let v = made.get(s);
  if (!v) {
    v = s.validator === "jwks" ? signed(s) : unsecured(s);
    made.set(s, v);
  }
  return v;
}
