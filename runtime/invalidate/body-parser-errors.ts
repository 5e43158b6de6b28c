/** The JSON answer for a request body that a body parser (`express.json()`) refused. */
export interface BodyRejection {
  status: number;
  error: string;
}

/**
 * Maps an error of `express.json()` / body-parser (recognised by its `type`) to the invalidate
 * endpoint's `{ error }` answer; `undefined` for anything else (the app's own error handling takes it).
 * The messages are fixed texts: body-parser's own messages quote the body, which may hold the token.
 */
export function bodyParserRejection(error: unknown): BodyRejection | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const { type, limit } = error as { type?: unknown; limit?: unknown };
  switch (type) {
    case 'entity.parse.failed':
      return { status: 400, error: 'Request body is not valid JSON.' };
    case 'entity.too.large':
      return {
        status: 413,
        error: typeof limit === 'number' ? `Request body is larger than ${limit} bytes.` : 'Request body is too large.',
      };
    case 'request.size.invalid':
      return { status: 400, error: 'Request body does not match its Content-Length.' };
    case 'request.aborted':
      return { status: 400, error: 'Request body was aborted before it was complete.' };
    case 'encoding.unsupported':
      return { status: 415, error: 'Content-Encoding of the request body is not supported.' };
    case 'charset.unsupported':
      return { status: 415, error: 'Charset of the request body is not supported; send UTF-8 JSON.' };
    default:
      return undefined;
  }
}
