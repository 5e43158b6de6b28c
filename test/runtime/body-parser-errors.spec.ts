import { bodyParserRejection } from '../../runtime/invalidate/body-parser-errors.js';

describe('body parser errors as endpoint answers', () => {
  it.each([
    [{ type: 'entity.parse.failed', body: '{"token":"s3cret"' }, 400],
    [{ type: 'entity.too.large', limit: 102_400 }, 413],
    [{ type: 'request.size.invalid' }, 400],
    [{ type: 'request.aborted' }, 400],
    [{ type: 'encoding.unsupported' }, 415],
    [{ type: 'charset.unsupported', charset: 'latin-9' }, 415],
  ])('%p -> %p with a fixed message', (error, status) => {
    const rejection = bodyParserRejection(Object.assign(new Error(JSON.stringify(error)), error));
    expect(rejection?.status).toBe(status);
    expect(rejection?.error).toMatch(/^Request body|^Content-Encoding|^Charset/);
    expect(rejection?.error).not.toContain('s3cret');
  });

  it('names the limit of an oversized body when the parser gives it', () => {
    expect(bodyParserRejection({ type: 'entity.too.large', limit: 1024 })).toEqual({
      status: 413,
      error: 'Request body is larger than 1024 bytes.',
    });
    expect(bodyParserRejection({ type: 'entity.too.large' })).toEqual({ status: 413, error: 'Request body is too large.' });
  });

  it.each([
    [new Error('boom')],
    [{ type: 'stream.not.readable' }],
    [{ type: 'stream.encoding.set' }],
    [{ type: 'entity.verify.failed' }],
    [{ status: 400 }],
    ['entity.parse.failed'],
    [null],
    [undefined],
  ])('leaves %p to the app', (error) => {
    expect(bodyParserRejection(error)).toBeUndefined();
  });
});
