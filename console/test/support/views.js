// What every main view is checked for when an end-to-end test reaches it: a screenshot for people,
// and every visible control named for assistive technology.
import { screenshot } from './browser.js';
import { unnamedControls } from './a11y.js';

export async function checkView(t, page, name) {
  await screenshot(page, name);
  t.same(await unnamedControls(page), [], `${name}: every visible control has a name`);
}
