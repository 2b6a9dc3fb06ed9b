/** The console's language (Russian by default), remembered in this browser. */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { Lang } from 'quasar';
import quasarRu from 'quasar/lang/ru';
import quasarEn from 'quasar/lang/en-US';
import { useLocale, LOCALES, type Locale, storedLocale, LOCALE_KEY } from '../i18n/index.ts';

export const usePrefs = defineStore('prefs', () => {
  const locale = ref<Locale>(storedLocale());
  const apply = async (l: Locale) => {
    await useLocale(l);
    Lang.set((l === 'ru' ? quasarRu : quasarEn) as Parameters<typeof Lang.set>[0]);
    document.documentElement.lang = l;
    try {
      localStorage.setItem(LOCALE_KEY, l);
    } catch {
      /* private mode: the choice lasts this page */
    }
  };
  watch(locale, apply, { immediate: true });
  function set(l: Locale) {
    if (LOCALES.includes(l)) locale.value = l;
  }
  return { locale, set };
});
