// The smallest Docker registry (distribution API v2) that `docker plugin push`,
// `install` and `upgrade` work against, on loopback (dockerd speaks plain HTTP to
// 127.0.0.0/8 registries), blobs kept in a directory. No auth, no deletes, no lists.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

interface Manifest {
  body: Buffer;
  type: string;
  digest: string;
}

export class MiniRegistry {
  private readonly manifests = new Map<string, Manifest>();
  private readonly uploads = new Map<string, fs.WriteStream>();
  /** host:port, the registry part of a reference. */
  host = '';

  private constructor(
    private readonly server: http.Server,
    private readonly dir: string,
  ) {}

  static async start(dir: string): Promise<MiniRegistry> {
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    const server = http.createServer();
    const registry = new MiniRegistry(server, dir);
    server.on('request', (req, res) => {
      registry.handle(req, res).catch((err: Error) => res.writeHead(500).end(err.message));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return registry;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private blobPath(digest: string): string {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`bad digest ${digest}`);
    return path.join(this.dir, 'blobs', digest.slice(7));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url!, 'http://registry');
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (url.pathname === '/v2/' || url.pathname === '/v2') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    const m = /^\/v2\/(.+)\/(blobs\/uploads|blobs|manifests)\/?(.*)$/.exec(url.pathname);
    if (m === null) return void res.writeHead(404).end();
    const [, name, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'blobs/uploads') return this.upload(req, res, name, ref, url);
    if (kind === 'blobs') {
      const file = this.blobPath(ref);
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Length': fs.statSync(file).size, 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': ref });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file).pipe(res);
      return;
    }
    // manifests
    if (req.method === 'PUT') {
      const body = await readAll(req);
      const digest = sha256(body);
      const manifest = { body, type: req.headers['content-type'] ?? 'application/vnd.docker.distribution.manifest.v2+json', digest };
      this.manifests.set(`${name}:${ref}`, manifest);
      this.manifests.set(`${name}:${digest}`, manifest);
      return void res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest }).end();
    }
    const manifest = this.manifests.get(`${name}:${ref}`);
    if (manifest === undefined) return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
    res.writeHead(200, { 'Content-Type': manifest.type, 'Content-Length': manifest.body.length, 'Docker-Content-Digest': manifest.digest });
    res.end(req.method === 'HEAD' ? undefined : manifest.body);
  }

  private async upload(req: http.IncomingMessage, res: http.ServerResponse, name: string, id: string, url: URL): Promise<void> {
    if (req.method === 'POST') {
      const uuid = randomUUID();
      this.uploads.set(uuid, fs.createWriteStream(path.join(this.dir, `upload-${uuid}`)));
      req.resume();
      return void res.writeHead(202, { Location: `/v2/${name}/blobs/uploads/${uuid}`, Range: '0-0', 'Docker-Upload-UUID': uuid, 'Content-Length': 0 }).end();
    }
    const out = this.uploads.get(id);
    if (out === undefined) return void res.writeHead(404).end();
    for await (const chunk of req) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    const file = path.join(this.dir, `upload-${id}`);
    if (req.method === 'PATCH') {
      await new Promise<void>((r) => out.write('', () => r()));
      const size = out.bytesWritten;
      return void res.writeHead(202, { Location: `/v2/${name}/blobs/uploads/${id}`, Range: `0-${Math.max(0, size - 1)}`, 'Docker-Upload-UUID': id, 'Content-Length': 0 }).end();
    }
    // PUT ?digest=: the upload is complete.
    await new Promise<void>((resolve) => out.end(resolve));
    this.uploads.delete(id);
    const digest = url.searchParams.get('digest') ?? '';
    const actual = await fileDigest(file);
    if (actual !== digest) {
      fs.rmSync(file, { force: true });
      return void res.writeHead(400).end(`digest mismatch: ${actual}`);
    }
    fs.renameSync(file, this.blobPath(digest));
    res.writeHead(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
  }
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

async function readAll(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
