/** Loading, error and data of one fetch, for the loading / empty / error states every view has. */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';

export interface AsyncData<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: ShallowRef<Error | null>;
  /** Fetches again; a newer run wins over an older one still in flight. */
  run: () => Promise<void>;
}

export function useAsync<T>(load: () => Promise<T>, opts: { immediate?: boolean } = {}): AsyncData<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = shallowRef<Error | null>(null);
  let generation = 0;
  const run = async () => {
    const mine = ++generation;
    loading.value = data.value === null;
    try {
      const value = await load();
      if (mine !== generation) return;
      data.value = value;
      error.value = null;
    } catch (err) {
      if (mine !== generation) return;
      error.value = err as Error;
    } finally {
      if (mine === generation) loading.value = false;
    }
  };
  if (opts.immediate !== false) void run();
  return { data, loading, error, run };
}
