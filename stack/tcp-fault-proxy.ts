/**
 * A TCP relay that can make a network bad on purpose: add latency (and jitter) to every chunk in
 * both directions, cut every open connection, and refuse new ones for a while. The chaos suite puts
 * it between the connector workers and Kafka, where `tc netem` would go on a machine that has it.
 * The tests use it as a plain relay they stop and start (a database or registry going away).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface LinkQuality {
  /** Added one-way delay per chunk, ms. */
  delayMs: number;
  /** Uniform extra delay 0..jitterMs per chunk (order is kept). */
  jitterMs: number;
}

export class TcpFaultProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private quality: LinkQuality = { delayMs: 0, jitterMs: 0 };
  private refusing = false;
  port = 0;
  /** Connections cut by cut() over the proxy's life. */
  cuts = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    const server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      this.relay(client, upstream);
      this.relay(upstream, client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    return this.port;
  }

  /** Chunks keep their order: each is sent no earlier than the one before it. */
  private relay(from: Socket, to: Socket): void {
    let lastAt = 0;
    from.on('data', (chunk: Buffer) => {
      const { delayMs, jitterMs } = this.quality;
      if (delayMs === 0 && jitterMs === 0 && lastAt <= Date.now()) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      const at = Math.max(Date.now() + delayMs + Math.random() * jitterMs, lastAt);
      lastAt = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
    from.on('end', () => {
      const wait = Math.max(0, lastAt - Date.now());
      setTimeout(() => to.end(), wait);
    });
  }

  setQuality(q: Partial<LinkQuality>): void {
    this.quality = { ...this.quality, ...q };
  }

  /** Every open connection is reset, as a flapping link or a NAT timeout does. */
  cut(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.cuts += n;
    return n;
  }

  /** While refusing, new connections are closed at once (the far side is unreachable). */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  heal(): void {
    this.quality = { delayMs: 0, jitterMs: 0 };
    this.refusing = false;
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
