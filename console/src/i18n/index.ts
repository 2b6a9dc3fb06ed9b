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

// The texts of the fleet, planning, report and routing pages (and the routing figures of the live
// view) come with the first of those pages, in the languages loaded so far.
const pageLoaders: Record<Locale, () => Promise<Record<string, unknown>>> = {
  ru: async () => (await import('./pages-ru.ts')).default,
  en: async () => (await import('./pages-en.ts')).default,
};
const pagesIn = new Set<Locale>();
let pagesWanted = false;

async function mergePages(l: Locale): Promise<void> {
  if (pagesIn.has(l)) return;
  i18n.global.mergeLocaleMessage(l, (await pageLoaders[l]()) as never);
  pagesIn.add(l);
}

/** Makes the page texts available (in Russian, the fallback, and the language in use). */
export async function usePageMessages(): Promise<void> {
  pagesWanted = true;
  await Promise.all([...new Set<Locale>(['ru', i18n.global.locale.value as Locale])].map(mergePages));
}

/** Loads a language's messages (once) and switches to it. */
export async function useLocale(l: Locale): Promise<void> {
  if (!i18n.global.availableLocales.includes(l)) i18n.global.setLocaleMessage(l, await loaders[l]());
  if (pagesWanted) await mergePages(l);
  i18n.global.locale.value = l;
}
