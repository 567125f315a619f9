/**
 * FindCoordinator (key 10), v0–v6.
 *
 * This node coordinates everything: groups (key type 0) and transactional
 * ids (key type 1) are answered with this node, at the advertised address
 * of the listener asked on. Share groups (key type 2, KIP-932, early access
 * in Kafka 3.9) are not served: INVALID_REQUEST, as Kafka answers while
 * share groups are disabled; any other key type is INVALID_REQUEST too.
 * Versions: v0 carries only a group key; v1 adds the key type, throttle time
 * and error message; v3 is flexible; v4 asks for many keys at once and
 * answers a list of coordinators; v5 and v6 change only client handling.
 *
 * Groups are served: every group API (JoinGroup … ConsumerGroupDescribe)
 * may be sent to this node, and its handlers route each group to the Worker
 * that coordinates it. Transactions likewise (InitProducerId …
 * DescribeTransactions route each transactional id to its coordinator),
 * except that, as in Kafka, the first transaction key has the controller
 * create `__transaction_state` and is answered COORDINATOR_NOT_AVAILABLE
 * (clients retry); once it exists, this node.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type Coordinator,
  decodeFindCoordinatorRequest,
  encodeFindCoordinatorResponse,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from "../../protocol/generated/find_coordinator.ts";
import type { RequestContext } from "./api.ts";
import { groupAllowed, transactionalIdAllowed } from "../services/acl_rules.ts";

const GROUP = 0;
const TRANSACTION = 1;

export const findCoordinatorHandler = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  name: "FindCoordinator",
  minVersion: 0,
  maxVersion: 6,
  decodeRequest: decodeFindCoordinatorRequest,
  encodeResponse: encodeFindCoordinatorResponse,
  async handle(request, ctx) {
    const keyType = ctx.apiVersion === 0 ? GROUP : request.keyType;
    const keys = ctx.apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    // ACL_RULES: DESCRIBE on the group or transactional id; Kafka creates the topic only for an allowed key.
    const refusal = (key: string) => authorizationRefusal(key, keyType, ctx, ctx.apiVersion >= 4);
    const txnTopicReady = keyType === TRANSACTION && keys.some((k) => refusal(k) === null)
      ? await ctx.broker.txns.ensureTopic()
      : true;
    const coordinators = keys.map((key) =>
      refusal(key) ??
        (txnTopicReady
          ? coordinatorFor(key, keyType, ctx)
          : { ...noNode(key), errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE })
    );
    if (ctx.apiVersion >= 4) return response(ErrorCode.NONE, null, noNode(""), coordinators);
    const only = coordinators[0];
    return response(only.errorCode, only.errorMessage, only, []);
  },
  errorResponse(request, ctx, errorCode) {
    const keys = ctx.apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    const failed = keys.map((key) => ({ ...noNode(key), errorCode, errorMessage: null }));
    return ctx.apiVersion >= 4
      ? response(ErrorCode.NONE, null, noNode(""), failed)
      : response(errorCode, null, failed[0], []);
  },
});

/** Kafka words the refusal in v0–v3's top-level message; v4's per-key entries carry an empty one. */
function authorizationRefusal(key: string, keyType: number, ctx: RequestContext, perKey: boolean): Coordinator | null {
  if (keyType === GROUP && !groupAllowed(ctx, key)) {
    const errorMessage = perKey ? "" : "Group authorization failed.";
    return { ...noNode(key), errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage };
  }
  if (keyType === TRANSACTION && !transactionalIdAllowed(ctx, key)) {
    const errorMessage = perKey ? "" : "Transactional Id authorization failed.";
    return { ...noNode(key), errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage };
  }
  return null;
}

function coordinatorFor(key: string, keyType: number, ctx: RequestContext): Coordinator {
  if (keyType !== GROUP && keyType !== TRANSACTION) {
    return {
      ...noNode(key),
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: keyType === 2
        ? "Share groups are not supported by this broker"
        : `Unknown coordinator key type ${keyType}`,
    };
  }
  const image = ctx.broker.metadata.image;
  const listener = image.listeners[ctx.listenerIndex];
  return {
    key,
    nodeId: image.nodeId,
    host: listener.host,
    port: listener.port,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
  };
}

function noNode(key: string): Coordinator {
  return { key, nodeId: -1, host: "", port: -1, errorCode: ErrorCode.NONE, errorMessage: null };
}

function response(
  errorCode: number,
  errorMessage: string | null,
  node: Coordinator,
  coordinators: Coordinator[],
): FindCoordinatorResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    nodeId: node.nodeId,
    host: node.host,
    port: node.port,
    coordinators,
  };
}
