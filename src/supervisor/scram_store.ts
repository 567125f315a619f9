/**
 * The controller's SCRAM credentials (Kafka keeps them as
 * UserScramCredentialRecords in the metadata log): per user and mechanism,
 * salt, iteration count, StoredKey and ServerKey, never a password (Kafka's
 * AlterUserScramCredentials itself carries only the salted password). Kept in
 * `<log dir>/__tsbroker_scram_credentials.json`, replaced atomically on
 * every change and read at start; every change goes to the processor Workers
 * at once (`onChange`), so a new user can log in immediately.
 *
 * The checks are the reference Kafka 4.4's answers: one change per user per
 * request, even for two mechanisms (DUPLICATE_RESOURCE), mechanisms 1 =
 * SCRAM-SHA-256 and 2 = SCRAM-SHA-512 (UNSUPPORTED_SASL_MECHANISM),
 * 4096..16384 iterations and a non-empty user (UNACCEPTABLE_CREDENTIAL), an
 * empty salted password (UNKNOWN_SERVER_ERROR; an empty salt is accepted),
 * deleting a credential that does not exist (RESOURCE_NOT_FOUND).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Buffer } from "node:buffer";
import { errorMessage, writeFileAtomic } from "../util/atomic_file.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { ScramCredentialRecord } from "../network/sasl/scram_cache.ts";
import {
  credentialFromSaltedPassword,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  scramHash,
} from "../protocol/scram_formulas.ts";
import { SCRAM_SHA_256, SCRAM_SHA_512 } from "../network/sasl/mechanism.ts";
import type {
  ScramDeletion,
  ScramStoreRequest,
  ScramStoreResult,
  ScramUpsertion,
  UserDescription,
  UserOutcome,
} from "../cluster/scram_ops.ts";

const FILE = "__tsbroker_scram_credentials.json";
const FORMAT_VERSION = 1;

/** Kafka's ScramMechanism type ids, as AlterUserScramCredentials and DescribeUserScramCredentials carry them. */
export const SCRAM_MECHANISM_IDS: ReadonlyMap<number, string> = new Map([[1, SCRAM_SHA_256], [2, SCRAM_SHA_512]]);
const ID_OF = new Map([...SCRAM_MECHANISM_IDS].map(([id, name]) => [name, id]));

export class ScramStore {
  /** Called with the whole new contents after every change. */
  onChange: (records: ScramCredentialRecord[]) => void = () => {};
  private records: readonly ScramCredentialRecord[];

  private constructor(private readonly file: string, records: readonly ScramCredentialRecord[]) {
    this.records = records;
  }

  static open(logDir: string): ScramStore {
    const file = path.join(logDir, FILE);
    if (!fs.existsSync(file)) return new ScramStore(file, []);
    try {
      return new ScramStore(file, decode(fs.readFileSync(file, "utf8")));
    } catch (e) {
      // Unlike dynamic configs, credentials are not optional: starting without them would lock users out silently.
      throw new Error(`SCRAM credentials ${file} cannot be read (${errorMessage(e)}); fix or remove the file`);
    }
  }

  all(): ScramCredentialRecord[] {
    return [...this.records];
  }

  execute(request: ScramStoreRequest): ScramStoreResult {
    if (request.kind === "describe") return { kind: "describe", ...describeCredentials(this.records, request.users) };
    const { next, results } = alterCredentials(this.records, request.deletions, request.upsertions);
    if (next !== this.records) {
      writeFileAtomic(this.file, encode(next));
      this.records = next;
      this.onChange(this.all());
    }
    return { kind: "alter", results };
  }
}

/** DescribeUserScramCredentials: every user with credentials when `users` is null or empty. */
export function describeCredentials(
  records: readonly ScramCredentialRecord[],
  users: string[] | null,
): { errorCode: number; errorMessage: string | null; results: UserDescription[] } {
  const info = (user: string) =>
    records.filter((r) => r.user === user).map((r) => ({
      mechanism: ID_OF.get(r.mechanism)!,
      iterations: r.iterations,
    })).sort((a, b) => a.mechanism - b.mechanism);
  if (users === null || users.length === 0) {
    const names = [...new Set(records.map((r) => r.user))].sort();
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      results: names.map((user) => ({ user, errorCode: 0, errorMessage: null, credentialInfos: info(user) })),
    };
  }
  const seen = new Set<string>();
  const duplicates = new Set(users.filter((u) => seen.has(u) || !seen.add(u)));
  const results = [...new Set(users)].map((user): UserDescription => {
    if (duplicates.has(user)) {
      return {
        user,
        errorCode: ErrorCode.DUPLICATE_RESOURCE,
        errorMessage: "Cannot describe SCRAM credentials for the same user twice in a single request",
        credentialInfos: [],
      };
    }
    const credentialInfos = info(user);
    return credentialInfos.length > 0 ? { user, errorCode: 0, errorMessage: null, credentialInfos } : {
      user,
      errorCode: ErrorCode.RESOURCE_NOT_FOUND,
      errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
      credentialInfos: [],
    };
  });
  return { errorCode: ErrorCode.NONE, errorMessage: null, results };
}

/** AlterUserScramCredentials: the new record list (the same array when nothing changed) and one outcome per user. */
export function alterCredentials(
  records: readonly ScramCredentialRecord[],
  deletions: readonly ScramDeletion[],
  upsertions: readonly ScramUpsertion[],
): { next: readonly ScramCredentialRecord[]; results: UserOutcome[] } {
  const users = new Set<string>();
  const failed = new Map<string, UserOutcome>();
  const fail = (user: string, errorCode: number, errorMessage: string | null) => {
    if (!failed.has(user)) failed.set(user, { user, errorCode, errorMessage });
  };
  // One change per user per request, whatever the mechanisms (Kafka 4.4 refuses even kafka-configs'
  // own SCRAM-SHA-256=[...],SCRAM-SHA-512=[...] for one user this way).
  for (const c of [...deletions, ...upsertions]) {
    if (users.has(c.name)) {
      fail(c.name, ErrorCode.DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request");
    }
    users.add(c.name);
  }
  let next = [...records];
  const key = (user: string, mechanism: string) => `${mechanism}\u0000${user}`;
  for (const d of deletions) {
    const mechanism = check(d, fail);
    if (!mechanism) continue;
    if (!next.some((r) => r.user === d.name && r.mechanism === mechanism)) {
      fail(d.name, ErrorCode.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist");
    }
  }
  for (const u of upsertions) {
    const mechanism = check(u, fail);
    if (!mechanism) continue;
    if (u.iterations < SCRAM_MIN_ITERATIONS) fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
    else if (u.iterations > SCRAM_MAX_ITERATIONS) {
      fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
    } else if (u.saltedPassword.length === 0) {
      // Kafka 4.4 accepts an empty salt, and fails an empty salted password with an unknown server error.
      fail(u.name, ErrorCode.UNKNOWN_SERVER_ERROR, null);
    }
  }
  let changed = false;
  for (const d of deletions) {
    if (failed.has(d.name)) continue;
    const mechanism = SCRAM_MECHANISM_IDS.get(d.mechanism)!;
    next = next.filter((r) => key(r.user, r.mechanism) !== key(d.name, mechanism));
    changed = true;
  }
  for (const u of upsertions) {
    if (failed.has(u.name)) continue;
    const mechanism = SCRAM_MECHANISM_IDS.get(u.mechanism)!;
    const credential = credentialFromSaltedPassword(scramHash(mechanism)!, u.saltedPassword, u.salt, u.iterations);
    next = next.filter((r) => key(r.user, r.mechanism) !== key(u.name, mechanism));
    next.push({ user: u.name, mechanism, ...credential });
    changed = true;
  }
  const results = [...users].map((user) => failed.get(user) ?? { user, errorCode: 0, errorMessage: null });
  return { next: changed ? next : records, results };
}

function check(c: ScramDeletion, fail: (user: string, code: number, message: string | null) => void): string | null {
  if (c.name === "") {
    fail(c.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
    return null;
  }
  const mechanism = SCRAM_MECHANISM_IDS.get(c.mechanism);
  if (!mechanism) fail(c.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
  return mechanism ?? null;
}

function encode(records: readonly ScramCredentialRecord[]): string {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
  const credentials = records.map((r) => ({
    user: r.user,
    mechanism: r.mechanism,
    iterations: r.iterations,
    salt: b64(r.salt),
    storedKey: b64(r.storedKey),
    serverKey: b64(r.serverKey),
  }));
  return JSON.stringify({ version: FORMAT_VERSION, credentials }, null, 2) + "\n";
}

function decode(text: string): ScramCredentialRecord[] {
  const parsed = JSON.parse(text) as { version?: unknown; credentials?: unknown };
  if (parsed.version !== FORMAT_VERSION || !Array.isArray(parsed.credentials)) {
    throw new Error(`expected {"version": ${FORMAT_VERSION}, "credentials": [...]}`);
  }
  const bytes = (v: unknown) => {
    if (typeof v !== "string") throw new Error("a key or salt is not a base64 string");
    return new Uint8Array(Buffer.from(v, "base64"));
  };
  return parsed.credentials.map((c: Record<string, unknown>) => {
    if (typeof c.user !== "string" || typeof c.mechanism !== "string" || !scramHash(c.mechanism)) {
      throw new Error(`bad credential entry ${JSON.stringify(c)}`);
    }
    if (typeof c.iterations !== "number") throw new Error(`bad iteration count for ${c.user}`);
    return {
      user: c.user,
      mechanism: c.mechanism,
      iterations: c.iterations,
      salt: bytes(c.salt),
      storedKey: bytes(c.storedKey),
      serverKey: bytes(c.serverKey),
    };
  });
}

const stores = new Map<string, ScramStore>();

/**
 * The store of a log dir, opened on first use. One per log dir rather than a
 * Controller field, so the controller only needs its one case line and the
 * supervisor can hand the same store's contents to the processor Workers.
 */
export function scramStoreFor(logDir: string): ScramStore {
  let store = stores.get(logDir);
  if (!store) stores.set(logDir, store = ScramStore.open(logDir));
  return store;
}
