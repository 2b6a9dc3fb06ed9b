/**
 * Files the core sends to an agent (documents for `fax.send`): the protocol's FileSender publishing on
 * `files/down/<id>`, fed the agent's acks from `files/up/<id>`, which this node subscribes to for the
 * duration of the transfer (any node can send; the agent answers on the transfer's own topic).
 */
import { coreSender, decodeFileMessage, encodeFileMessage, envelope, fileTopic, FileSender, newId, type AgentAddress, type ReceiverMessage, type TransferOutcome } from '@okno/protocol';
import { nodeSha256 } from '@okno/protocol/node';
import type { CoreMqttClient } from './mqtt-client.js';

export interface DownloadOptions {
  nodeId: string;
  client: CoreMqttClient;
  chunkSize?: number;
  window?: number;
  ackTimeoutMs?: number;
  /** Give up after this long without finishing (default 10 min). */
  overallTimeoutMs?: number;
}

export interface SendFileInput {
  to: AgentAddress;
  data: Uint8Array;
  name: string;
  contentType: string;
  meta?: Record<string, string | number | boolean>;
  transferId?: string;
}

/** Sends one file to an agent; resolves when the agent confirmed the whole-file hash, or failed. */
export async function sendFile(o: DownloadOptions, f: SendFileInput): Promise<TransferOutcome> {
  const transferId = f.transferId ?? newId();
  const acks = fileTopic(f.to, 'up', transferId);
  const sender = new FileSender({
    transferId,
    data: f.data,
    name: f.name,
    contentType: f.contentType,
    ...(f.meta ? { meta: f.meta } : {}),
    chunkSize: o.chunkSize ?? 64 * 1024,
    window: o.window ?? 8,
    ackTimeoutMs: o.ackTimeoutMs ?? 5000,
    sha256: nodeSha256,
    envelope: () => envelope(coreSender(o.nodeId)),
    send: (m) => o.client.publish(fileTopic(f.to, 'down', transferId), encodeFileMessage(m)),
  });
  await o.client.route(acks, (payload) => {
    let m;
    try {
      m = decodeFileMessage(payload);
    } catch {
      return; // not ours to judge here: the consuming node counts malformed messages
    }
    const s = m.sender;
    if (s.role !== 'agent' || s.site !== f.to.site || s.agent !== f.to.agent) return;
    if (m.type === 'ack' || m.type === 'resume' || m.type === 'done' || m.type === 'abort') sender.handle(m as ReceiverMessage);
  });
  const timer = setTimeout(() => sender.abort('the core gave up: no progress in time'), o.overallTimeoutMs ?? 600_000);
  try {
    sender.start();
    return await sender.done;
  } finally {
    clearTimeout(timer);
    await o.client.unroute(acks);
  }
}
