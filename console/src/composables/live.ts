/** Subscribes a component to the live stream for as long as it lives. */
import { onScopeDispose } from 'vue';
import { useLive } from '../stores/live.ts';
import type { StreamFrame } from '../api/stream.ts';
import type { JournalEvent } from '../api/types.ts';

export function useFrames(cb: (f: StreamFrame) => void): void {
  const off = useLive().subscribe(cb);
  onScopeDispose(off);
}

/** Journal events only. */
export function useJournal(cb: (e: JournalEvent) => void): void {
  useFrames((f) => {
    if (f.type === 'event') cb((f as { event: JournalEvent }).event);
  });
}
