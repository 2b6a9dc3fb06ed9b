/**
 * An aedes broker in-process on a free port, authenticating and authorizing with the same
 * @okno/protocol ACL functions the core uses. `down()` closes the listener and cuts every
 * connection (the broker "goes away"); `up()` listens again on the same port with the sessions
 * it kept (persistent sessions, queued QoS 1 messages, retained messages).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { canPublish, canSubscribe, identityFromUsername, type Identity } from '@okno/protocol';
import { freePort } from '@okno/testkit';

export interface TestBroker {
  url: string;
  port: number;
  aedes: Aedes;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** users: user name -> password; when omitted, everyone may connect (ACLs still apply to known identities). */
export async function startAedes(opts: { users?: Record<string, string>; tls?: { cert: Buffer; key: Buffer } } = {}): Promise<TestBroker> {
  const port = await freePort();
  const aedes = await Aedes.createBroker();
  const ids = new WeakMap<object, Identity>();
  aedes.authenticate = (client, username, password, done) => {
    const id = identityFromUsername(username);
    const ok = !!id && (!opts.users || (username !== undefined && opts.users[username] === password?.toString()));
    if (!ok || !id) {
      const err = Object.assign(new Error('bad user name or password'), { returnCode: 4 });
      return done(err, false);
    }
    ids.set(client, id);
    done(null, true);
  };
  aedes.authorizePublish = (client, packet, cb) => {
    const id = client && ids.get(client);
    cb(!client || (id && canPublish(id, packet.topic)) ? null : new Error(`publish to ${packet.topic} denied`));
  };
  aedes.authorizeSubscribe = (client, sub, cb) => {
    const id = ids.get(client);
    cb(null, id && canSubscribe(id, sub.topic) ? sub : null);
  };
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const up = () =>
    new Promise<void>((resolve, reject) => {
      const onSocket = (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        aedes.handle(s);
      };
      server = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, onSocket) : createServer(onSocket);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await up();
  return {
    url: opts.tls ? `mqtts://localhost:${port}` : `mqtt://127.0.0.1:${port}`,
    port,
    aedes,
    up,
    down,
    close: async () => {
      await down();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}
