/**
 * HTML mail reduced to safe plain text for the appeal: no script, style, head, frames or embedded
 * objects; links keep their text and show only http(s) and mailto targets; control characters go.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

const SAFE_LINK = /^(https?:|mailto:)/i;

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    ...['script', 'style', 'head', 'iframe', 'frame', 'object', 'embed', 'img', 'template'].map((selector) => ({ selector, format: 'skip' })),
    { selector: 'a', options: { linkBrackets: [' <', '>'], hideLinkHrefIfSameAsText: true, pathRewrite: (p: string) => (SAFE_LINK.test(p.trim()) ? p : '') } },
  ],
  limits: { maxInputLength: 5_000_000, maxDepth: 200 },
};

// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\u2028\u2029\ufeff]/g;

/** Text without control characters, with at most two empty lines in a row. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(/\n{4,}/g, '\n\n\n').trim();
}

export function htmlToSafeText(html: string): string {
  return cleanText(convert(html, OPTIONS));
}
