/** One shared clock for countdowns: a ref with Date.now(), ticking while anything uses it. */
import { ref, onScopeDispose, getCurrentScope, type Ref } from 'vue';

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | null = null;

export function useNow(): Ref<number> {
  users++;
  if (!timer) {
    now.value = Date.now();
    timer = setInterval(() => (now.value = Date.now()), 1000);
  }
  if (getCurrentScope()) {
    onScopeDispose(() => {
      users--;
      if (users === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    });
  }
  return now;
}
