// The body of a request to a test receiver, as sent and gunzipped when Content-Encoding says gzip.
import type http from 'node:http';
import { gunzipSync } from 'node:zlib';

export function onRequestBody(req: http.IncomingMessage, handle: (rawBody: Buffer, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const rawBody = Buffer.concat(chunks);
    handle(rawBody, req.headers['content-encoding'] === 'gzip' ? gunzipSync(rawBody) : rawBody);
  });
}
