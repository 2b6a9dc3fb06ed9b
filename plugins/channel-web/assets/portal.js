/* Okno portal page: the appeal form, the status check and the live chat. Plain JavaScript, no
 * framework; every text from the server is shown with textContent (never as HTML). */
/* global URLSearchParams, location, crypto, sessionStorage, FormData, history */
(function () {
  'use strict';

  var T = {
    ru: {
      title: 'Обращение в контактный центр', tabForm: 'Написать обращение', tabStatus: 'Узнать статус', tabChat: 'Чат с оператором',
      formHint: 'Поля, отмеченные *, обязательны. Ответ придёт по электронной почте или письмом по почтовому адресу.',
      identified: 'Вы вошли через портал: обращение будет подано как электронный документ.',
      fullName: 'Фамилия, имя, отчество', email: 'Адрес электронной почты', emailHint: 'Для ответа в электронной форме',
      postalAddress: 'Почтовый адрес', postalHint: 'Для ответа в письменной форме', replyBy: 'Как получить ответ',
      replyByEmail: 'по электронной почте', replyByPost: 'письмом по почте', phone: 'Телефон', service: 'Услуга',
      serviceNone: '— не знаю / другое —', subject: 'Тема', text: 'Текст обращения', files: 'Файлы', send: 'Отправить',
      filesHint: 'До {n} файлов, каждый до {size}, вместе до {total}', sending: 'Отправляем…',
      doneTitle: 'Обращение зарегистрировано', regNumber: 'Номер обращения', secret: 'Код для проверки статуса',
      doneHint: 'Сохраните номер и код: по ним можно узнать состояние обращения и прочитать ответ.', again: 'Написать ещё одно обращение',
      check: 'Проверить', notFound: 'Обращение с таким номером и кодом не найдено.', tooMany: 'Слишком много попыток. Повторите через {s} с.',
      failed: 'Не удалось отправить. Проверьте соединение и попробуйте ещё раз.', statusLabel: 'Состояние', answerBy: 'Ответ не позднее',
      redirectedTo: 'Направлено в', messagesTitle: 'Сообщения по обращению', noMessages: 'Сообщений пока нет.',
      chatName: 'Как к вам обращаться', chatQuestion: 'Ваш вопрос', chatStart: 'Начать чат', chatMessage: 'Сообщение',
      chatSendButton: 'Отправить', chatEnd: 'Завершить чат', chatWaiting: 'Ожидайте: к вам подключится оператор. Номер обращения {n}, код {s}.',
      chatJoined: 'Оператор {name} в чате.', chatClosed: 'Чат завершён.', chatReconnecting: 'Связь прервалась, восстанавливаем…',
      chatTyping: 'Оператор печатает…', you: 'Вы', operator: 'Оператор', notice: 'Уведомление'
    },
    en: {
      title: 'Appeal to the contact centre', tabForm: 'Write an appeal', tabStatus: 'Check the status', tabChat: 'Chat with an operator',
      formHint: 'Fields marked * are required. The answer comes by e-mail or by a letter to your postal address.',
      identified: 'You are signed in through the portal: the appeal is filed as an electronic document.',
      fullName: 'Full name', email: 'E-mail address', emailHint: 'For an electronic answer', postalAddress: 'Postal address',
      postalHint: 'For a paper answer', replyBy: 'How to get the answer', replyByEmail: 'by e-mail', replyByPost: 'by post',
      phone: 'Phone', service: 'Service', serviceNone: '— not sure / other —', subject: 'Subject', text: 'Your appeal', files: 'Files',
      send: 'Send', filesHint: 'Up to {n} files, each up to {size}, {total} together', sending: 'Sending…',
      doneTitle: 'Your appeal is registered', regNumber: 'Registration number', secret: 'Status code',
      doneHint: 'Keep the number and the code: with them you can check the status and read the answer.', again: 'Write another appeal',
      check: 'Check', notFound: 'No appeal with this number and code.', tooMany: 'Too many attempts. Try again in {s} s.',
      failed: 'Could not send. Check the connection and try again.', statusLabel: 'Status', answerBy: 'Answer due by',
      redirectedTo: 'Sent to', messagesTitle: 'Messages about the appeal', noMessages: 'No messages yet.',
      chatName: 'Your name', chatQuestion: 'Your question', chatStart: 'Start the chat', chatMessage: 'Message',
      chatSendButton: 'Send', chatEnd: 'End the chat', chatWaiting: 'Please wait for an operator. Appeal number {n}, code {s}.',
      chatJoined: 'Operator {name} has joined.', chatClosed: 'The chat has ended.', chatReconnecting: 'Connection lost, reconnecting…',
      chatTyping: 'The operator is typing…', you: 'You', operator: 'Operator', notice: 'Notice'
    }
  };

  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(location.search);
  var lang = params.get('lang') === 'en' ? 'en' : 'ru';
  var identityToken = null;
  var limits = null;

  function t(key, vars) {
    var s = (T[lang] && T[lang][key]) || T.ru[key] || key;
    return s.replace(/\{(\w+)\}/g, function (_m, k) { return vars && vars[k] != null ? String(vars[k]) : ''; });
  }
  function bytes(n) { return n >= 1048576 ? (n / 1048576).toFixed(0) + ' MiB' : Math.round(n / 1024) + ' KiB'; }
  function randomId(len) {
    var a = new Uint8Array(len); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  function uuid() { return crypto.randomUUID ? crypto.randomUUID() : randomId(16).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-4$3-a$4-$5').slice(0, 36); }

  function applyLang() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-lang]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang)); });
    if (limits) $('hint-files').textContent = t('filesHint', { n: limits.maxFiles, size: bytes(limits.maxFileBytes), total: bytes(limits.maxTotalBytes) });
    resize();
  }

  function resize() {
    if (window.parent !== window) window.parent.postMessage({ type: 'okno-portal-height', height: document.documentElement.scrollHeight }, '*');
  }

  function showView(name) {
    ['form', 'status', 'chat'].forEach(function (v) {
      $('view-' + v).hidden = v !== name;
      $('tab-' + v).setAttribute('aria-selected', String(v === name));
    });
    resize();
  }

  /** Field errors from a 422 answer next to their fields; true when any was shown. */
  function showFieldErrors(body, prefix) {
    var shown = false;
    var fields = (body && body.error && body.error.fields) || [];
    fields.forEach(function (f) {
      var el = $('err-' + prefix + f.field);
      if (!el) return;
      el.textContent = (f.messages && f.messages[lang]) || f.message;
      var input = $((prefix ? prefix.replace('-', '') + '-' : 'f-') + f.field);
      if (input) input.setAttribute('aria-invalid', 'true');
      shown = true;
    });
    return shown;
  }
  function clearErrors(form) {
    form.querySelectorAll('.error').forEach(function (e) { e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
  }
  function generalError(res, body) {
    if (res && res.status === 429) return t('tooMany', { s: res.headers.get('Retry-After') || '60' });
    return (body && body.error && body.error.message) || t('failed');
  }

  // ---- the appeal form ----
  var submissionId = sessionStorage.getItem('okno-submission') || uuid();
  sessionStorage.setItem('okno-submission', submissionId);

  function submitAppeal(ev) {
    ev.preventDefault();
    var form = $('appeal-form');
    clearErrors(form);
    var fd = new FormData();
    fd.set('submissionId', submissionId);
    fd.set('lang', lang);
    ['fullName', 'email', 'postalAddress', 'phone', 'serviceId', 'subject', 'text'].forEach(function (k) {
      var v = form.elements[k].value.trim();
      if (v) fd.set(k, v);
    });
    fd.set('replyBy', form.elements.replyBy.value);
    if (identityToken) fd.set('identityToken', identityToken);
    Array.prototype.forEach.call($('f-files').files, function (f) { fd.append('files', f, f.name); });
    var button = $('submit');
    button.disabled = true; button.textContent = t('sending');
    var res;
    fetch('/api/portal/appeals?lang=' + lang, { method: 'POST', body: fd, credentials: 'omit' })
      .then(function (r) { res = r; return r.json().catch(function () { return null; }); })
      .then(function (body) {
        if (res.ok) {
          $('done-number').textContent = body.regNumber;
          $('done-secret').textContent = body.statusSecret || '—';
          form.hidden = true; $('form-done').hidden = false; $('form-done').focus();
          sessionStorage.removeItem('okno-submission');
        } else if (res.status === 413) {
          $('err-files').textContent = generalError(res, body);
        } else if (!showFieldErrors(body, '')) {
          $('form-error').textContent = generalError(res, body);
        }
      })
      .catch(function () { $('form-error').textContent = t('failed'); })
      .then(function () { button.disabled = false; button.textContent = t('send'); resize(); });
  }

  function newAppeal() {
    submissionId = uuid();
    sessionStorage.setItem('okno-submission', submissionId);
    $('appeal-form').reset(); $('appeal-form').hidden = false; $('form-done').hidden = true;
    resize();
  }

  // ---- the status check ----
  function checkStatus(ev) {
    ev.preventDefault();
    var form = $('status-form');
    clearErrors(form);
    var out = $('status-result');
    out.textContent = '';
    var res;
    fetch('/api/portal/status', {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ regNumber: form.elements.regNumber.value.trim(), secret: form.elements.secret.value.trim(), lang: lang })
    })
      .then(function (r) { res = r; return r.json().catch(function () { return null; }); })
      .then(function (body) {
        if (res.status === 404) { $('status-error').textContent = t('notFound'); return; }
        if (!res.ok) { if (!showFieldErrors(body, 's-')) $('status-error').textContent = generalError(res, body); return; }
        var dl = document.createElement('dl');
        function row(k, v) { if (!v) return; var dt = document.createElement('dt'); dt.textContent = k; var dd = document.createElement('dd'); dd.textContent = v; dl.appendChild(dt); dl.appendChild(dd); }
        row(t('regNumber'), body.regNumber);
        row(t('statusLabel'), body.statusText);
        row(t('answerBy'), body.answerBy && new Date(body.answerBy).toLocaleDateString(lang === 'en' ? 'en-GB' : 'ru-RU'));
        row(t('redirectedTo'), body.redirectedTo);
        out.appendChild(dl);
        var h = document.createElement('h2'); h.textContent = t('messagesTitle'); out.appendChild(h);
        if (!body.messages.length) { var p = document.createElement('p'); p.textContent = t('noMessages'); out.appendChild(p); }
        var ul = document.createElement('ul'); ul.className = 'messages';
        body.messages.forEach(function (m) {
          var li = document.createElement('li');
          var b = document.createElement('strong'); b.textContent = m.subject; li.appendChild(b);
          var d = document.createElement('div'); d.textContent = m.text; li.appendChild(d);
          ul.appendChild(li);
        });
        out.appendChild(ul);
      })
      .catch(function () { $('status-error').textContent = t('failed'); })
      .then(resize);
  }

  // ---- the chat ----
  var chat = JSON.parse(sessionStorage.getItem('okno-chat') || 'null');
  var ws = null;
  var retry = 0;
  var pending = {};
  var lastSeq = 0;
  var closed = false;

  function saveChat() { sessionStorage.setItem('okno-chat', JSON.stringify(chat)); }
  function setState(text) { $('chat-state').textContent = text; }

  function addLine(from, text, id, extraClass) {
    var li = id ? document.getElementById('m-' + id) : null;
    if (!li) {
      li = document.createElement('li');
      if (id) li.id = 'm-' + id;
      $('chat-log').appendChild(li);
    }
    li.className = from + (extraClass ? ' ' + extraClass : '');
    li.textContent = '';
    var who = document.createElement('span'); who.className = 'who';
    who.textContent = from === 'citizen' ? t('you') : from === 'notice' ? t('notice') : t('operator');
    li.appendChild(who);
    li.appendChild(document.createTextNode(text));
    $('chat-log').scrollTop = $('chat-log').scrollHeight;
    resize();
  }

  function connect(openFrame) {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + '/api/portal/chat?lang=' + lang);
    ws.onopen = function () {
      retry = 0;
      if (openFrame) ws.send(JSON.stringify(openFrame));
      else ws.send(JSON.stringify({ type: 'resume', chatId: chat.chatId, resumeToken: chat.resumeToken, afterSeq: lastSeq }));
      Object.keys(pending).forEach(function (k) { ws.send(JSON.stringify(pending[k])); });
    };
    ws.onmessage = function (ev) {
      var f; try { f = JSON.parse(ev.data); } catch (_e) { return; }
      if (f.type === 'opened') {
        chat.regNumber = f.regNumber; chat.statusSecret = f.statusSecret; saveChat();
        $('chat-start').hidden = true; $('chat-room').hidden = false;
        setState(t('chatWaiting', { n: f.regNumber, s: f.statusSecret || '—' }));
      } else if (f.type === 'resumed') {
        $('chat-start').hidden = true; $('chat-room').hidden = false;
        setState(f.status === 'active' ? t('chatJoined', { name: f.operatorName || '' }) : t('chatWaiting', { n: chat.regNumber || '', s: chat.statusSecret || '—' }));
      } else if (f.type === 'message') {
        if (f.seq > lastSeq) lastSeq = f.seq;
        if (f.clientMsgId) delete pending[f.clientMsgId];
        addLine(f.from, f.text, f.from === 'citizen' && f.clientMsgId ? f.clientMsgId : 's' + f.seq);
        $('chat-typing').textContent = '';
      } else if (f.type === 'ack') {
        delete pending[f.clientMsgId];
      } else if (f.type === 'joined') {
        setState(t('chatJoined', { name: f.operatorName || '' }));
      } else if (f.type === 'typing') {
        $('chat-typing').textContent = t('chatTyping');
        setTimeout(function () { $('chat-typing').textContent = ''; }, 4000);
      } else if (f.type === 'notice') {
        addLine('notice', f.subject + '\n' + f.text);
      } else if (f.type === 'closed') {
        closed = true; setState(t('chatClosed')); $('chat-send').hidden = true;
        sessionStorage.removeItem('okno-chat');
      } else if (f.type === 'error') {
        if (f.fields && f.fields.length) { showFieldErrors({ error: f }, 'c-'); $('chat-start-error').textContent = f.message; }
        else if (f.code === 'RATE_LIMITED') $('chat-start-error').textContent = t('tooMany', { s: f.retryAfter });
        else $('chat-start-error').textContent = f.message;
      }
    };
    ws.onclose = function (ev) {
      ws = null;
      if (closed || !chat || ev.code === 4404) { if (ev.code === 4404) sessionStorage.removeItem('okno-chat'); return; }
      if (!chat.opened && !openFrame) return;
      setState(t('chatReconnecting'));
      retry = Math.min(retry + 1, 6);
      setTimeout(function () { connect(chat.opened ? null : openFrame); }, 500 * Math.pow(2, retry));
    };
  }

  function startChat(ev) {
    ev.preventDefault();
    var form = $('chat-start');
    clearErrors(form);
    chat = { chatId: uuid(), resumeToken: randomId(24), opened: false };
    var frame = { type: 'open', chatId: chat.chatId, resumeToken: chat.resumeToken, name: form.elements.name.value.trim(), email: form.elements.email.value.trim(), text: form.elements.text.value.trim(), lang: lang };
    if (identityToken) frame.identityToken = identityToken;
    addLine('citizen', frame.text, 'open');
    chat.opened = true; saveChat();
    connect(frame);
  }

  function sendMessage(ev) {
    ev.preventDefault();
    var box = $('c-message');
    var text = box.value.trim();
    if (!text || closed) return;
    var id = randomId(8);
    var frame = { type: 'message', text: text, clientMsgId: id };
    pending[id] = frame;
    addLine('citizen', text, id, 'pending');
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
    box.value = '';
  }

  var lastTyping = 0;
  function typing() {
    var now = Date.now();
    if (ws && ws.readyState === 1 && now - lastTyping > 2000) { lastTyping = now; ws.send(JSON.stringify({ type: 'typing' })); }
  }

  // ---- start ----
  function readIdentity() {
    var m = /(?:^|[#&])identity=([A-Za-z0-9._-]+)/.exec(location.hash);
    if (m) { identityToken = m[1]; history.replaceState(null, '', location.pathname + location.search); }
    $('identity-note').hidden = !identityToken;
  }

  document.addEventListener('DOMContentLoaded', function () {
    readIdentity();
    window.addEventListener('message', function (ev) {
      if (ev.source === window.parent && ev.data && ev.data.type === 'okno-identity' && typeof ev.data.token === 'string') { identityToken = ev.data.token; $('identity-note').hidden = false; }
    });
    document.querySelectorAll('[data-lang]').forEach(function (b) { b.addEventListener('click', function () { lang = b.getAttribute('data-lang'); applyLang(); }); });
    document.querySelectorAll('[role=tab]').forEach(function (b) { b.addEventListener('click', function () { showView(b.getAttribute('data-view')); }); });
    $('appeal-form').addEventListener('submit', submitAppeal);
    $('again').addEventListener('click', newAppeal);
    $('status-form').addEventListener('submit', checkStatus);
    $('chat-start').addEventListener('submit', startChat);
    $('chat-send').addEventListener('submit', sendMessage);
    $('c-message').addEventListener('input', typing);
    $('chat-end').addEventListener('click', function () { if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: 'close' })); });
    fetch('/api/portal/config').then(function (r) { return r.json(); }).then(function (c) {
      limits = c;
      if (!c.chat) $('tab-chat').hidden = true;
      applyLang();
    }).catch(function () { /* the form works without the hints */ });
    fetch('/api/portal/services').then(function (r) { return r.json(); }).then(function (list) {
      var sel = $('f-serviceId');
      list.forEach(function (s) { var o = document.createElement('option'); o.value = String(s.id); o.textContent = s.organisation ? s.name + ' (' + s.organisation + ')' : s.name; sel.appendChild(o); });
    }).catch(function () { /* no list: the field stays optional */ });
    applyLang();
    showView(['form', 'status', 'chat'].indexOf(params.get('view')) >= 0 ? params.get('view') : 'form');
    if (chat && chat.opened) { $('chat-start').hidden = true; $('chat-room').hidden = false; showView('chat'); connect(null); }
  });
})();
