/** vue-i18n with Russian (default) and English; the choice is remembered in this browser. */
import { createI18n } from 'vue-i18n';
import ru from './ru.ts';

export type Locale = 'ru' | 'en';
export const LOCALES: readonly Locale[] = ['ru', 'en'];
export const LOCALE_KEY = 'okno.locale';

export function storedLocale(): Locale {
  try {
    const v = globalThis.localStorage?.getItem(LOCALE_KEY);
    return v === 'en' ? 'en' : 'ru';
  } catch {
    return 'ru';
  }
}

export type Messages = typeof ru;

// Russian ships with the first screen; English is fetched when someone picks it.
export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: 'ru',
  fallbackLocale: 'ru',
  messages: { ru } as Record<Locale, Messages>,
  missingWarn: false,
  fallbackWarn: false,
});

const loaders: Record<Locale, () => Promise<Messages>> = {
  ru: async () => ru,
  en: async () => (await import('./en.ts')).default,
};

/** Loads a language's messages (once) and switches to it. */
export async function useLocale(l: Locale): Promise<void> {
  if (!i18n.global.availableLocales.includes(l)) i18n.global.setLocaleMessage(l, await loaders[l]());
  i18n.global.locale.value = l;
}
