/**
 * A client of conmon's attach socket (`<bundle>/attach`, SOCK_SEQPACKET). Each packet from
 * conmon is one stream byte (2 stdout, 3 stderr) followed by up to 8192 bytes of output; what
 * we send is raw stdin. shutdown(SHUT_WR) makes conmon close the container's stdin (with `-i`).
 * Detach keys are the caller's business: conmon knows nothing of them.
 * @module
 */

import { errorMessage, OciRuntimeError } from "../define/errors.ts";
import { SeqpacketSocket } from "../sys/seqpacket.ts";
import { log } from "../util/logger.ts";

/** conmon's `AttachPipeStdout` / `AttachPipeStderr` prefixes. */
const STREAM_STDOUT = 2;
const STREAM_STDERR = 3;
/** conmon reads stdin packets into an 8 KiB buffer (STDIO_BUF_SIZE); larger ones would be cut. */
const STDIN_PACKET_MAX = 8192;

/** Where the container's output goes; called synchronously for every packet. */
export interface AttachHandlers {
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
}

/** Options for {@linkcode attachContainer}. */
export interface AttachOptions {
  /** We mean to write the container's stdin; without it write() rejects. @default false */
  stdin?: boolean;
}

/** An open attach session. */
export interface AttachStreams {
  /** Resolves when the container side ends (socket closed or EOF); rejects on a socket error. */
  done: Promise<void>;
  /** Writes raw bytes to the container's stdin. */
  write(data: Uint8Array): Promise<void>;
  /** Closes the container's stdin (shutdown(SHUT_WR)); output keeps flowing. */
  closeStdin(): Promise<void>;
  /** Detaches: closes the socket; `done` resolves. */
  close(): void;
}

/** The attach socket of a bundle directory, or `path` itself when it names the socket. */
export function attachSocketPath(bundleOrSocketPath: string): string {
  try {
    if (Deno.statSync(bundleOrSocketPath).isDirectory) return `${bundleOrSocketPath}/attach`;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return bundleOrSocketPath;
}

/**
 * Connects to a container's attach socket and pumps its output into `handlers` until the
 * container side ends. Connect before `runc start` so that no output is lost.
 */
export function attachContainer(
  bundleOrSocketPath: string,
  handlers: AttachHandlers,
  options: AttachOptions = {},
): Promise<AttachStreams> {
  const path = attachSocketPath(bundleOrSocketPath);
  let sock: SeqpacketSocket;
  try {
    sock = SeqpacketSocket.connect(path);
  } catch (e) {
    return Promise.reject(
      new OciRuntimeError("generic", `attaching to ${path}: ${errorMessage(e)}`, { cause: e }),
    );
  }
  let stdinClosed = !options.stdin;
  const done = pump(sock, handlers).finally(() => sock.close());
  // the caller may never await `done` (detach, then exit): its failure is logged, not lost
  done.catch((e) => log.debug("attach socket failed", { path, error: errorMessage(e) }));
  return Promise.resolve({
    done,
    async write(data: Uint8Array): Promise<void> {
      if (stdinClosed) {
        throw new OciRuntimeError("generic", `writing to ${path}: stdin is not attached or closed`);
      }
      for (let off = 0; off < data.length; off += STDIN_PACKET_MAX) {
        await sock.send(data.subarray(off, off + STDIN_PACKET_MAX));
      }
    },
    closeStdin(): Promise<void> {
      if (!stdinClosed) {
        stdinClosed = true;
        sock.shutdownWrite();
      }
      return Promise.resolve();
    },
    close(): void {
      stdinClosed = true;
      void sock.close();
    },
  });
}

async function pump(sock: SeqpacketSocket, handlers: AttachHandlers): Promise<void> {
  for (;;) {
    const packet = await sock.recv();
    if (packet === null) return;
    if (packet.length < 2) continue;
    const data = packet.subarray(1);
    switch (packet[0]) {
      case STREAM_STDOUT:
        handlers.stdout(data);
        break;
      case STREAM_STDERR:
        handlers.stderr(data);
        break;
      default:
        // 1 (stdin) is never sent to clients; anything else is not conmon's protocol
        log.debug("ignoring attach packet", { stream: packet[0], bytes: data.length });
    }
  }
}
