// What every main view is checked for when an end-to-end test reaches it: a screenshot for people,
// every visible control named for assistive technology, and no sideways scrolling at this size.
import { screenshot } from './browser.js';
import { unnamedControls } from './a11y.js';

export async function checkView(t, page, name) {
  await screenshot(page, name);
  t.same(await unnamedControls(page), [], `${name}: every visible control has a name`);
  const { width, scroll } = await page.evaluate(() => ({ width: window.innerWidth, scroll: document.documentElement.scrollWidth }));
  t.ok(scroll <= width, `${name}: fits ${width} px without sideways scrolling`);
}
