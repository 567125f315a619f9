/**
 * DescribeCluster (key 60), v0–v1 (both flexible).
 *
 * This node is the whole cluster: the only broker (with the advertised
 * address of the listener the request came in on, and no rack: tsbroker has
 * no `broker.rack`) and the controller. Authorized operations, when asked
 * for, are every cluster operation, as Kafka answers without an authorizer;
 * otherwise Kafka's "not requested" value.
 *
 * v1 adds the endpoint type (KIP-919): 1 asks for brokers, which is what this
 * node is. 2 asks for controllers: Kafka's broker answers that with
 * MISMATCHED_ENDPOINT_TYPE (clients must send it to a controller listener,
 * which tsbroker does not have), and any other type with
 * UNSUPPORTED_ENDPOINT_TYPE; both with an empty cluster id, controller -1 and
 * no brokers, as Kafka's error answer has. The response's endpoint type is
 * always 1 (brokers).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeDescribeClusterRequest,
  type DescribeClusterRequest,
  type DescribeClusterResponse,
  encodeDescribeClusterResponse,
} from "../../protocol/generated/describe_cluster.ts";
import { clusterOperations } from "../services/acl_rules.ts";

const NOT_REQUESTED = -2147483648;
const BROKER_ENDPOINT = 1;
const CONTROLLER_ENDPOINT = 2;

export const describeClusterHandler = defineApi<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: 60,
  name: "DescribeCluster",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeDescribeClusterRequest,
  encodeResponse: encodeDescribeClusterResponse,
  handle(request, ctx) {
    // v0 has no endpoint type: the decoder fills in the default, brokers.
    if (request.endpointType === CONTROLLER_ENDPOINT) {
      return failed(
        ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER",
      );
    }
    if (request.endpointType !== BROKER_ENDPOINT) {
      return failed(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${request.endpointType}`);
    }
    const image = ctx.broker.metadata.image;
    const listener = image.listeners[ctx.listenerIndex] ?? image.listeners[0];
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER_ENDPOINT,
      clusterId: image.clusterId,
      controllerId: image.nodeId,
      brokers: listener ? [{ brokerId: image.nodeId, host: listener.host, port: listener.port, rack: null }] : [],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterOperations(ctx) : NOT_REQUESTED,
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return failed(errorCode, null);
  },
});

function failed(errorCode: number, errorMessage: string | null): DescribeClusterResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    endpointType: BROKER_ENDPOINT,
    clusterId: "",
    controllerId: -1,
    brokers: [],
    clusterAuthorizedOperations: NOT_REQUESTED,
  };
}
