/**
 * The live stream for the whole console: one WebSocket while signed in. Views subscribe to frames
 * (journal events and pushed frames) and unsubscribe when they close.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { api } from '../services.ts';
import { LiveStream, streamUrl, type StreamFrame, type StreamStatus } from '../api/stream.ts';
import { useSession } from './session.ts';

export const useLive = defineStore('live', () => {
  const status = ref<StreamStatus>('idle');
  const session = useSession();
  let stream: LiveStream | null = null;
  const listeners = new Set<(f: StreamFrame) => void>();

  const start = () => {
    if (stream) return;
    stream = new LiveStream({
      url: streamUrl(globalThis.location),
      token: () => api.token(),
      refresh: async (stale) => (await api.refresh(stale)).accessToken,
    });
    stream.onStatus((s) => (status.value = s));
    stream.onFrame((f) => {
      for (const cb of listeners) cb(f);
    });
    stream.start();
  };
  const stop = () => {
    stream?.stop();
    stream = null;
    status.value = 'idle';
  };
  watch(() => session.signedIn, (on) => (on ? start() : stop()), { immediate: true });

  /** Frames from now on; returns the unsubscribe function. */
  function subscribe(cb: (f: StreamFrame) => void): () => void {
    listeners.add(cb);
    return () => listeners.delete(cb);
  }

  function send(frame: Record<string, unknown>): boolean {
    return stream?.send(frame) ?? false;
  }

  return { status, subscribe, send };
});
