/* Okno portal embed: put
 *   <script src="https://okno.city.ru/portal/embed.js" data-view="form" data-lang="ru" async></script>
 * where the form (data-view="form"), the status check ("status") or the chat ("chat") should appear.
 * It adds an <iframe> with the portal page and keeps its height fitted to the content. An identified
 * session's token goes in data-identity-token (passed in the URL fragment, which is never sent to a
 * server), or later with frame.contentWindow.postMessage({ type: 'okno-identity', token }, origin). */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var view = script.getAttribute('data-view') || 'form';
  var lang = script.getAttribute('data-lang') === 'en' ? 'en' : 'ru';
  var token = script.getAttribute('data-identity-token');
  var frame = document.createElement('iframe');
  frame.src = origin + '/portal/?view=' + encodeURIComponent(view) + '&lang=' + lang + (token ? '#identity=' + encodeURIComponent(token) : '');
  frame.title = lang === 'en' ? 'Appeal to the contact centre' : 'Обращение в контактный центр';
  frame.setAttribute('loading', 'lazy');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.style.cssText = 'display:block;width:100%;min-height:32rem;border:0';
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener('message', function (ev) {
    if (ev.origin !== origin || ev.source !== frame.contentWindow || !ev.data || ev.data.type !== 'okno-portal-height') return;
    var h = Number(ev.data.height);
    if (h > 0 && h < 20000) frame.style.height = h + 'px';
  });
})();
