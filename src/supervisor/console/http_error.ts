/** An answer of the console's API that is not 200: thrown by its routes, sent as JSON `{ error }`. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
