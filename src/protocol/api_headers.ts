/**
 * Which header version frames a request or response.
 *
 * Request header: v2 (tagged fields) for flexible API versions, else v1.
 * (v0, without client id, is only used by ControlledShutdown v0, which
 * tsbroker does not implement.)
 * Response header: v1 for flexible API versions, else v0, except that
 * ApiVersions responses always use v0: a client sends ApiVersions before it
 * knows what the broker speaks, so it must be able to parse the response
 * header without knowing the version; librdkafka fails hard otherwise.
 */
import type { ApiDescriptor } from "./api_descriptor.ts";
import { API_DESCRIPTORS } from "./generated/apis.ts";
import { decodeRequestHeader, encodeResponseHeader, type RequestHeader } from "./generated/headers.ts";
import type { Reader } from "./io/reader.ts";
import type { Writer } from "./io/writer.ts";

const API_VERSIONS_KEY = 18;

/** Descriptors indexed by API key (sparse). */
const BY_KEY: (ApiDescriptor | undefined)[] = [];
for (const d of API_DESCRIPTORS) BY_KEY[d.apiKey] = d;

/** Descriptor of an implemented API, or undefined. */
export function apiDescriptor(apiKey: number): ApiDescriptor | undefined {
  return apiKey >= 0 ? BY_KEY[apiKey] : undefined;
}

/**
 * Whether `apiVersion` of `apiKey` uses the flexible encoding. Versions
 * above the supported range count as flexible when the API has flexible
 * versions at all (needed to read the header of a too-new request in
 * order to answer UNSUPPORTED_VERSION). Unknown APIs count as not flexible.
 */
export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  const d = apiDescriptor(apiKey);
  return d !== undefined && d.firstFlexibleVersion !== null &&
    apiVersion >= d.firstFlexibleVersion;
}

/** 2 for flexible versions, else 1. */
export function requestHeaderVersion(
  apiKey: number,
  apiVersion: number,
): 1 | 2 {
  return isFlexibleVersion(apiKey, apiVersion) ? 2 : 1;
}

/** 1 for flexible versions, else 0; always 0 for ApiVersions. */
export function responseHeaderVersion(
  apiKey: number,
  apiVersion: number,
): 0 | 1 {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0;
}

/**
 * Decodes a request header whose version is chosen from the API key and
 * version at its start (both int16, identical in every header version).
 */
export function readRequestHeader(r: Reader): RequestHeader {
  if (r.remaining() < 4) {
    throw r.truncated("request header api key and version", 4);
  }
  const apiKey = r.view.getInt16(r.pos);
  const apiVersion = r.view.getInt16(r.pos + 2);
  return decodeRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
}

/** Writes the response header matching the request's API key and version. */
export function writeResponseHeader(
  w: Writer,
  apiKey: number,
  apiVersion: number,
  correlationId: number,
): void {
  encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), {
    correlationId,
  });
}
