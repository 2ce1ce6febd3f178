import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Answers with a stream of frames, the status and headers sent at once: Node sends
 * headers with the first chunk, and a follow with nothing to send yet (`docker logs -f
 * --tail 0` of a quiet container) would leave the client waiting for an answer, dockerd's
 * plugin client blocked in its request, until the container logs again or stops.
 */
export function sendFrames(req: FastifyRequest, reply: FastifyReply, frames: AsyncIterable<Buffer>, contentType: string, what: string): FastifyReply {
  const body = Readable.from(frames, { objectMode: false });
  body.on('error', (err) => req.log.error(`${what}: ${err.message}`));
  // Fastify writes the head, then pipes the body into the response.
  reply.raw.once('pipe', () => reply.raw.flushHeaders());
  return reply.header('Content-Type', contentType).send(body);
}
