/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer ([\w\-.~+/]+=*)$/i.exec(authorization ?? '')?.[1];
}
