/**
 * Runs `fn` at once when idle; calls that come while it runs or within `waitMs` after it ran are
 * merged into one more run at the end. Live views use it to re-fetch on journal events: the first
 * event shows at once, a burst of events costs two fetches, not one per event.
 */
export interface Coalesced {
  (): void;
  cancel(): void;
}

export function coalesce(fn: () => Promise<unknown> | unknown, waitMs: number): Coalesced {
  let running = false;
  let pending = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastEnd = -Infinity;
  let cancelled = false;

  const run = async () => {
    running = true;
    pending = false;
    try {
      await fn();
    } catch {
      /* the view shows its own error state */
    } finally {
      running = false;
      lastEnd = Date.now();
      if (pending && !cancelled) schedule();
    }
  };
  const schedule = () => {
    if (timer || cancelled) return;
    const wait = Math.max(0, lastEnd + waitMs - Date.now());
    timer = setTimeout(() => {
      timer = null;
      void run();
    }, wait);
  };
  const call = (() => {
    if (cancelled) return;
    if (running || timer) {
      pending = true;
      return;
    }
    if (Date.now() - lastEnd < waitMs) {
      pending = true;
      schedule();
      return;
    }
    void run();
  }) as Coalesced;
  call.cancel = () => {
    cancelled = true;
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return call;
}
