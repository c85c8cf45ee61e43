// The one error type of the HTTP boundary: a status, a stable code clients can branch on, and a
// message for people. Anything else thrown by a handler is a 500 with no details leaked.
export type HttpErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'NOT_READY'
  | 'BUSY'
  | 'INTERNAL';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, 'BAD_REQUEST', message);
export const notFound = (message = 'not found') => new HttpError(404, 'NOT_FOUND', message);
export const unauthenticated = () => new HttpError(401, 'UNAUTHENTICATED', 'log in first');
