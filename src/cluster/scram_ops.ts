/**
 * What handlers ask of the controller's SCRAM credential store (DescribeUserScramCredentials and
 * AlterUserScramCredentials), and its answers: the shapes that travel in controller ops
 * (controller_ops.ts) to the supervisor's ScramStore.
 */
export interface ScramDeletion {
  name: string;
  mechanism: number;
}
export interface ScramUpsertion extends ScramDeletion {
  iterations: number;
  salt: Uint8Array;
  saltedPassword: Uint8Array;
}
export interface UserOutcome {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface UserDescription extends UserOutcome {
  credentialInfos: Array<{ mechanism: number; iterations: number }>;
}

export type ScramStoreRequest =
  | { kind: "describe"; users: string[] | null }
  | { kind: "alter"; deletions: ScramDeletion[]; upsertions: ScramUpsertion[] };
export type ScramStoreResult =
  | { kind: "describe"; errorCode: number; errorMessage: string | null; results: UserDescription[] }
  | { kind: "alter"; results: UserOutcome[] };
