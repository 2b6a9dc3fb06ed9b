/**
 * Looking into a payload without decoding it fully: who it says it is from. JSON messages carry the
 * envelope at the top level; file chunks are a binary frame ("OKC1", u32 header length, JSON header,
 * data) whose header carries it.
 */
const CHUNK_MAGIC = Buffer.from('OKC1');
const textDecoder = new TextDecoder('utf-8', { fatal: true });

function jsonOf(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(textDecoder.decode(bytes));
  } catch {
    return undefined;
  }
}

/** The JSON part of a payload: the whole payload, or a chunk frame's header. */
function headerOf(payload: Buffer): unknown {
  if (payload.length >= 8 && payload.subarray(0, 4).equals(CHUNK_MAGIC)) {
    const len = payload.readUInt32BE(4);
    if (8 + len > payload.length) return undefined;
    return jsonOf(payload.subarray(8, 8 + len));
  }
  return jsonOf(payload);
}

/**
 * The envelope sender a payload names, or undefined when it names none (not JSON, no `sender`):
 * such a payload is left to the decoder, which refuses it.
 */
export function senderOf(payload: Buffer): { role?: unknown; site?: unknown; agent?: unknown } | undefined {
  const h = headerOf(payload);
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return undefined;
  const s = (h as { sender?: unknown }).sender;
  if (s === undefined) return undefined;
  if (typeof s !== 'object' || s === null) return { role: s };
  return s as { role?: unknown; site?: unknown; agent?: unknown };
}

/** Whether the sender is the agent `site`/`agent`. */
export function isFromAgent(sender: { role?: unknown; site?: unknown; agent?: unknown } | undefined, site: string, agent: string): boolean {
  return !!sender && sender.role === 'agent' && sender.site === site && sender.agent === agent;
}
