/**
 * A page that mounts one console component at a time with the console's own setup (Quasar, i18n,
 * Pinia), for the component tests in real Chromium. The test drives it through window.harness:
 * mount(name, props), setProps(patch), call(method, ...args) on what the component exposes, and
 * events (every event the component emitted, in order).
 */
import { createApp, h, reactive, ref, type App, type Component } from 'vue';
import { createPinia } from 'pinia';
import { Quasar, Notify } from 'quasar';
import iconSet from 'quasar/icon-set/svg-mdi-v7';
import quasarRu from 'quasar/lang/ru';
import 'quasar/src/css/index.sass';
import '../../src/css/app.sass';
import { i18n, usePageMessages } from '../../src/i18n/index.ts';
import { usePrefs } from '../../src/stores/prefs.ts';
import AsyncState from '../../src/components/AsyncState.vue';
import DeadlineCountdown from '../../src/components/DeadlineCountdown.vue';
import CalendarMonth from '../../src/components/CalendarMonth.vue';
import LanguageSwitch from '../../src/components/LanguageSwitch.vue';
import StatusChip from '../../src/components/StatusChip.vue';
import OfferDialog from '../../src/views/desk/OfferDialog.vue';
import HeadsetControl from '../../src/views/desk/HeadsetControl.vue';
import ShortcutsHelp from '../../src/views/desk/ShortcutsHelp.vue';
import ReplyComposer from '../../src/views/desk/ReplyComposer.vue';
import AppealTimeline from '../../src/views/desk/AppealTimeline.vue';
import BacklogView from '../../src/views/planning/BacklogView.vue';
import BacklogResult from '../../src/views/planning/BacklogResult.vue';

const COMPONENTS: Record<string, Component> = { AsyncState, DeadlineCountdown, CalendarMonth, LanguageSwitch, StatusChip, OfferDialog, HeadsetControl, ShortcutsHelp, ReplyComposer, AppealTimeline, BacklogView, BacklogResult };

interface Harness {
  events: { name: string; args: unknown[] }[];
  mount(name: string, props?: Record<string, unknown>, slot?: string): void;
  setProps(patch: Record<string, unknown>): void;
  call(method: string, ...args: unknown[]): unknown;
  setLocale(l: 'ru' | 'en'): void;
}

let app: App | null = null;
const props = reactive<Record<string, unknown>>({});
const exposed = ref<Record<string, (...a: unknown[]) => unknown> | null>(null);
let prefs: ReturnType<typeof usePrefs> | null = null;

const harness: Harness = {
  events: [],
  mount(name, initial = {}, slot) {
    app?.unmount();
    harness.events = [];
    for (const k of Object.keys(props)) delete props[k];
    Object.assign(props, initial);
    const comp = COMPONENTS[name];
    if (!comp) throw new Error(`no component ${name} in the harness`);
    const declared = (comp as { emits?: string[] | Record<string, unknown> }).emits ?? [];
    const emits = Array.isArray(declared) ? declared : Object.keys(declared);
    const listeners = Object.fromEntries(emits.map((e) => [`on${e[0]!.toUpperCase()}${e.slice(1)}`, (...args: unknown[]) => harness.events.push({ name: e, args: JSON.parse(JSON.stringify(args)) })]));
    app = createApp({ render: () => h(comp, { ...props, ...listeners, ref: exposed }, slot ? { default: () => h('p', { id: 'slot' }, slot) } : undefined) });
    app.use(Quasar, { plugins: { Notify }, iconSet, lang: quasarRu });
    app.use(createPinia());
    app.use(i18n);
    prefs = usePrefs();
    app.mount('#app');
  },
  setProps(patch) {
    Object.assign(props, patch);
  },
  call(method, ...args) {
    const fn = exposed.value?.[method];
    if (typeof fn !== 'function') throw new Error(`the component exposes no ${method}`);
    return fn(...args);
  },
  setLocale(l) {
    prefs?.set(l);
  },
};

(window as unknown as { harness: Harness }).harness = harness;
// The planning pages' texts, as the router loads them with the first such page.
void usePageMessages().then(() => {
  document.body.dataset.ready = 'true';
});
