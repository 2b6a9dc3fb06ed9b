/** The console's entry: Vue, Quasar (only the components used), Pinia, the router and i18n. */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { Quasar, Notify } from 'quasar';
import iconSet from 'quasar/icon-set/svg-mdi-v7';
import quasarRu from 'quasar/lang/ru';
import 'quasar/src/css/index.sass';
import './css/app.sass';
import App from './App.vue';
import { router } from './router.ts';
import { i18n } from './i18n/index.ts';
import { usePrefs } from './stores/prefs.ts';

const app = createApp(App);
app.use(Quasar, { plugins: { Notify }, iconSet, lang: quasarRu, config: { notify: { position: 'top-right', timeout: 4000 } } });
app.use(createPinia());
app.use(i18n);
usePrefs();
app.use(router);
app.mount('#app');
