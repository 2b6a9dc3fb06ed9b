/**
 * The serialport binding with one fix: on a tty, a read that returns no bytes means the line hung up.
 *
 * @serialport/bindings-cpp 13 answers a read of 0 bytes by reading again at once, for ever
 * (unix-read.js: `if (bytesRead === 0) return unixRead(...)`). A tty whose other end went away (a
 * PTY whose master closed: socat or a virtual modem gone; some USB adapters pulled mid-transfer)
 * reads 0 bytes every time, so the port spun: a core busy, memory growing with the chain of pending
 * promises (3.8 GB in three minutes seen in CI), and neither 'close' nor 'error' ever came — a
 * vanished modem looked silent instead of gone, and a write waiting on it waited for ever. The port
 * is opened non-blocking with VMIN=1, so with nothing to read the read says EAGAIN, never 0 bytes:
 * here 0 bytes ends the read with a disconnect error, the stream closes, and SerialLink reports the
 * line gone. Everything else (the EAGAIN wait on the poller, errors) is as bindings-cpp does it.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import { autoDetect, type BindingInterface, type BindingPortInterface, type OpenOptions } from '@serialport/bindings-cpp';

const readAsync = promisify(read);

/** What the unix port bindings (Linux, macOS) carry besides the interface: their descriptor and poller. */
interface UnixPort {
  fd: number | null;
  isOpen: boolean;
  poller?: { once(event: 'readable', listener: (err?: Error | null) => void): unknown };
}

const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

const hungUp = (path: string, why: string) => Object.assign(new Error(`${path}: the line hung up (${why})`), { code: 'EIO', disconnect: true });

/** The same read as bindings-cpp's, except that 0 bytes read is a hangup. */
export async function readOrHangUp(port: UnixPort, path: string, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  const cancelled = () => Object.assign(new Error('Port is not open'), { canceled: true });
  for (;;) {
    if (!port.isOpen || port.fd === null) throw cancelled();
    let bytesRead: number;
    try {
      ({ bytesRead } = await readAsync(port.fd, buffer, offset, length, null));
    } catch (err) {
      // Closed while the read was out (EBADF then): a cancelled read, not a fault of the line. And
      // never poll a closed port's poller: it is destroyed with the port (native code would crash).
      if (!port.isOpen) throw cancelled();
      if (!RETRY.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      // The poller fails the wait when the line hangs up while we wait (POLLHUP/POLLERR: "bad file descriptor").
      await new Promise<void>((resolve, reject) =>
        port.poller!.once('readable', (e) => (!e ? resolve() : reject((e as { canceled?: boolean }).canceled ? e : hungUp(path, `the wait for data failed: ${e.message}`)))));
      continue;
    }
    if (!port.isOpen) throw cancelled();
    if (bytesRead > 0) return { bytesRead, buffer };
    throw hungUp(path, 'a read returned end of file');
  }
}

/** `base` (default: the platform's binding) with hangup-aware reads on unix ports. */
export function hangupAwareBinding(base: BindingInterface = autoDetect()): BindingInterface {
  return {
    list: () => base.list(),
    open: async (options: OpenOptions): Promise<BindingPortInterface> => {
      const port = await base.open(options);
      const unix = port as unknown as UnixPort;
      if (typeof unix.fd !== 'number' || !unix.poller) return port;
      port.read = (buffer, offset, length) => readOrHangUp(unix, options.path, buffer, offset, length);
      return port;
    },
  };
}
