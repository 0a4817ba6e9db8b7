// Raw HTTP and WebSocket requests for the server's tests: unlike fetch, they may set Host and the local address,
// and they keep every answer so that a test can check what the server ever said.
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';

export type Reply = { status: number; headers: IncomingHttpHeaders; text: string };
export type RequestOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's address (any of 127.0.0.0/8 reaches a server on 127.0.0.1). */
  localAddress?: string;
};

export class HttpClient {
  /** Every reply's headers and body, in order. */
  readonly transcript: string[] = [];

  constructor(private readonly port: () => number) {}

  request(path: string, options: RequestOptions = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.port(),
          path,
          method: options.method ?? 'GET',
          headers: options.headers ?? {},
          agent: false,
          ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const reply = { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() };
            this.transcript.push(`${JSON.stringify(reply.headers)}\n${reply.text}`);
            resolve(reply);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  /** Opens /api/live: the first message once open, or the refusal's status and body. */
  openLive(
    headers: Record<string, string> = {},
  ): Promise<{ opened: true; first: string } | { opened: false; status: number; text: string }> {
    const { origin, ...rest } = headers;
    const ws = new WebSocket(`ws://127.0.0.1:${this.port()}/api/live`, {
      headers: rest,
      ...(origin === undefined ? {} : { origin }),
    });
    return new Promise((resolve, reject) => {
      ws.once('message', (data: Buffer) => {
        ws.close();
        resolve({ opened: true, first: data.toString() });
      });
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          this.transcript.push(`${JSON.stringify(res.headers)}\n${text}`);
          resolve({ opened: false, status: res.statusCode ?? 0, text });
        });
      });
      ws.once('error', reject);
    });
  }
}
