// Steps through the console's UI that several tests share.
export const PASSWORD = 'okno-demo-2026';

/** Signs in through the form and waits for the first page of the user's role. */
export async function signIn(page, baseUrl, login, landing) {
  await page.goto(`${baseUrl}/#/login`);
  await page.fill('input[data-testid=login]', login);
  await page.fill('input[data-testid=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  if (landing) await page.waitForURL(new RegExp(`#${landing}`));
  await page.waitForSelector('[data-testid=stream-status][data-status=open]');
}

/** Text of an element, trimmed. */
export async function textOf(page, selector) {
  return ((await page.textContent(selector)) ?? '').trim();
}
