// The physical limit: Express answering the same page bytes from memory with `res.end(buffer)`;
// with `bare`, node:http itself does (no Express: the limit below Express).
//   node limit-server.mjs <port> <page file> <content-type> <identity|br> [express|bare]
// With `br`, the page is compressed once at start (brotli quality 9, text mode, as ng-isr stores
// it) and every request gets those bytes with `content-encoding: br`.
import express from 'express';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { brotliCompressSync, constants } from 'node:zlib';

const [port, pageFile, contentType, encoding, kind = 'express'] = process.argv.slice(2);
const identity = readFileSync(pageFile);
const body =
  encoding === 'br'
    ? brotliCompressSync(identity, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 9,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
        },
      })
    : identity;
const headers = { 'content-type': contentType, 'content-length': String(body.length) };
if (encoding === 'br') headers['content-encoding'] = 'br';

const answer = (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
};
if (kind === 'bare') {
  createServer(answer).listen(Number(port), '127.0.0.1');
} else {
  const app = express();
  app.get('/{*splat}', answer);
  app.listen(Number(port), '127.0.0.1');
}
