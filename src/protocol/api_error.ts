/**
 * Thrown by domain code to fail a whole request with a Kafka error code (for
 * example NOT_COORDINATOR while a group's partition is loading): the request
 * is answered with the API's errorResponse for that code.
 */
export class ApiError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}
