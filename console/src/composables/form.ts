/** Saving a form: busy flag, per-field errors from the API (422), and a message for anything else. */
import { ref } from 'vue';
import { useQuasar } from 'quasar';
import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http.ts';
import { fieldMessages } from '../logic/fields.ts';
import { errorText } from '../logic/errors.ts';

export function useSave() {
  const $q = useQuasar();
  const { t } = useI18n();
  const busy = ref(false);
  const errors = ref<Record<string, string>>({});
  /** Runs save(); true when it succeeded. Field errors land in `errors`, others in a notification. */
  async function run(save: () => Promise<unknown>, okMessage = t('common.saved')): Promise<boolean> {
    busy.value = true;
    errors.value = {};
    try {
      await save();
      $q.notify({ type: 'positive', message: okMessage });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        errors.value = fieldMessages(err.fields, t);
        $q.notify({ type: 'negative', message: t('errors.validation') });
      } else {
        $q.notify({ type: 'negative', message: errorText(err as Error, t) });
      }
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { busy, errors, run };
}
