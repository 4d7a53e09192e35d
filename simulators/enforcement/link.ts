/**
 * The network link between the county and the department's database (in real counties the
 * e-government extranet and the department's front-end server, 电子政务外网 / 前置机): a TCP relay
 * in front of MariaDB that the simulator can cut. While cut, open connections are reset and new
 * ones are dropped as soon as they arrive — what a connector sees when the link goes down.
 */
import net from 'node:net';

export class DatabaseLink {
  private server: net.Server | undefined;
  private readonly open = new Set<net.Socket>();
  private cutOff = false;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Starts relaying; returns the port the county connects to. */
  async listen(host = '127.0.0.1', port = 0): Promise<number> {
    const server = net.createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as net.AddressInfo).port;
  }

  get isCut(): boolean {
    return this.cutOff;
  }

  /** The link goes down: every open connection is reset, new ones are dropped until restore(). */
  cut(): void {
    this.cutOff = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: net.Socket): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    const pair = [client, upstream];
    const drop = () => {
      for (const s of pair) {
        s.destroy();
        this.open.delete(s);
      }
    };
    for (const s of pair) {
      this.open.add(s);
      s.on('error', drop);
      s.on('close', drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
