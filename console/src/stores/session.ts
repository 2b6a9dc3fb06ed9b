/** The signed-in user: sign-in, sign-out, roles, and the city's settings (time zone). */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api } from '../services.ts';
import type { Settings, User } from '../api/types.ts';
import { hasAnyRole } from '../logic/menu.ts';

export const useSession = defineStore('session', () => {
  const user = shallowRef<User | null>(api.session?.user ?? null);
  const settings = shallowRef<Settings | null>(null);
  const reason = ref<'signedOut' | 'expired' | null>(null);

  api.onSession((s) => {
    if (!s && user.value) reason.value = 'expired';
    user.value = s?.user ?? null;
  });
  // Another tab signed out (or in as someone else): follow it.
  globalThis.addEventListener?.('storage', (e: StorageEvent) => {
    if (e.key === 'okno.session') user.value = api.session?.user ?? null;
  });

  const roles = computed(() => user.value?.roles ?? []);
  const signedIn = computed(() => user.value !== null);
  const timeZone = computed(() => settings.value?.timeZone ?? 'Europe/Moscow');

  async function loadSettings(): Promise<void> {
    if (!settings.value) settings.value = await api.get<Settings>('/settings').catch(() => null);
  }

  async function login(loginName: string, password: string): Promise<User> {
    const u = await api.login(loginName, password);
    reason.value = null;
    user.value = u;
    void loadSettings();
    return u;
  }

  async function logout(): Promise<void> {
    await api.logout();
    reason.value = 'signedOut';
    user.value = null;
  }

  const can = (allowed: readonly string[]) => hasAnyRole(roles.value, allowed);

  if (user.value) void loadSettings();
  return { user, roles, signedIn, settings, timeZone, reason, login, logout, can, loadSettings };
});
