import { ErrorCode, type ErrorBody } from '@porter/shared';
import { StoreUnavailableError } from './store/errors.js';

/** An error meant for the client: a stable code, an HTTP status, and the cause kept for the log. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * What any thrown value means for the client: an {@link AppError} as it is, the store's
 * unavailability as 503 `porter/store_unavailable`, a URL that cannot be percent-decoded or a
 * body parser's refusal as 400 or 413, and
 * anything else as 500 `porter/internal`, its cause kept for the log.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError) {
    return new AppError(503, ErrorCode.StoreUnavailable, 'The session store is unavailable. Try again shortly.', { cause: err });
  }
  return fromMiddleware(err) ?? new AppError(500, ErrorCode.Internal, 'Something went wrong.', { cause: err });
}

/** Errors raised by body parsers and other middleware carry `status` and `type`. */
function fromMiddleware(err: unknown): AppError | null {
  if (!err || typeof err !== 'object' || !('status' in err) || typeof err.status !== 'number') return null;
  // The router could not percent-decode a path parameter (`/api/admin/users/%ZZ/sessions`).
  if (err instanceof URIError) {
    return new AppError(400, ErrorCode.BadRequest, 'The URL is not correctly percent-encoded (RFC 3986 §2.1).', { cause: err });
  }
  if (err.status === 413) return new AppError(413, ErrorCode.PayloadTooLarge, 'The request body is too large.', { cause: err });
  if (err.status >= 400 && err.status < 500) {
    return new AppError(400, ErrorCode.BadRequest, 'The request body could not be read.', { cause: err });
  }
  return null;
}
