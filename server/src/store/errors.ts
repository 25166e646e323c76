/**
 * The store could not do what was asked: Redis is away, timed out, or refused a command. The
 * store's own error, so that it knows nothing of HTTP; `errors.ts` answers it with 503
 * `porter/store_unavailable`. It never means "not found": an absent key is `null` or `false`.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
