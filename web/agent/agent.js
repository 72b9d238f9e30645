/*
 * agent.js - the faqbot agent console: sign in over HTTP (HttpOnly cookie),
 * then the faq-agent WebSocket protocol (docs/agent-protocol.md): the queue
 * from coalesced snapshots, claiming, the case file, live chat, canned
 * replies, KB suggestions, transfer, return to bot, close, and proposing a
 * reply as a KB entry. Plain JavaScript, no framework, CSP-clean: no inline
 * code or styles, and every text from the network goes in with textContent.
 */
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };

  var REASONS = {
    asked: 'Asked for a person',
    policy: 'Always a person',
    sentiment: 'Upset',
    dislikes: '\uD83D\uDC4E on answers',
    fallbacks: 'Bot could not answer'
  };
  var REACTIONS = { up: '\uD83D\uDC4D', down: '\uD83D\uDC4E', rephrased: 'asked again', ignored: 'no reaction' };
  var CLAIM_FAILED = {
    busy: 'Another agent has just taken this chat.',
    capacity: 'You already hold as many chats as you can.',
    not_allowed: 'This chat belongs to a team you are not in.',
    not_found: 'Nobody is waiting right now.'
  };
  var RELEASED = {
    closed: 'Chat closed.',
    transferred: 'Chat transferred.',
    returned: 'Chat returned to the bot.',
    agent_gone: 'Chat went back to the queue.',
    customer_left: 'The customer left the chat.'
  };
  var DEFAULT_CONFIG = { canned: {}, resolutions: ['solved', 'no_reply', 'duplicate', 'escalated', 'spam'], teams: [] };

  var state = {
    config: DEFAULT_CONFIG,
    agent: null,
    teams: [],
    resolutions: [],
    queue: { waiting: [], mine: [], total: 0, receivedAt: 0 },
    chats: new Map(),     /* conv -> chat */
    current: null,        /* conv shown */
    openNext: null,       /* conv to show when its case file arrives */
    ws: null,
    retry: 0,
    retryTimer: 0,
    stopped: true,
    seq: 0,
    typingSent: 0,
    typingTimer: 0
  };

  /* ---- small helpers ---- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, on) {
    node.hidden = !on;
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60);
  }

  function clock(at) {
    var d = new Date(at);
    return pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function day(at) {
    var d = new Date(at);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  var toastTimer = 0;
  function toast(text, bad) {
    var t = $('toast');
    t.textContent = text;
    t.classList.toggle('ac-toast-bad', !!bad);
    show(t, true);
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { show(t, false); }, 4000);
  }

  function setConn(kind, text) {
    var c = $('conn');
    c.dataset.state = kind;
    c.textContent = text;
  }

  /* ---- HTTP: config and signing in ---- */

  function getJSON(url, opts) {
    return fetch(url, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, opts || {}))
      .then(function (r) {
        return r.text().then(function (body) {
          var data = null;
          try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
          return { status: r.status, data: data };
        });
      });
  }

  function loadConfig() {
    return getJSON('config.json').then(function (r) {
      if (r.status === 200 && r.data && typeof r.data === 'object') state.config = Object.assign({}, DEFAULT_CONFIG, r.data);
    }).catch(function () { /* defaults */ });
  }

  function showSignin(message) {
    stop();
    state.agent = null;
    show($('desk-view'), false);
    show($('me'), false);
    show($('signin-view'), true);
    setConn('off', 'Signed out');
    var err = $('signin-error');
    err.textContent = message || '';
    show(err, !!message);
    $('signin-submit').disabled = false;
    ($('username').value ? $('password') : $('username')).focus();
  }

  function signIn(ev) {
    ev.preventDefault();
    var user = $('username').value.trim(), pass = $('password').value;
    var err = $('signin-error');
    if (!user || !pass) {
      err.textContent = 'Enter your username and password.';
      show(err, true);
      return;
    }
    $('signin-submit').disabled = true;
    getJSON('/api/agent/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user, password: pass })
    }).then(function (r) {
      $('signin-submit').disabled = false;
      if (r.status === 200 && r.data && r.data.agent) {
        $('password').value = '';
        startDesk(r.data.agent);
      } else if (r.status === 429) {
        var wait = r.data && r.data.retry_after_ms ? Math.ceil(r.data.retry_after_ms / 1000) : 60;
        showSignin('Too many attempts. Try again in ' + wait + ' s.');
      } else {
        showSignin('Wrong username or password.');
        $('password').value = '';
        $('password').focus();
      }
    }).catch(function () {
      $('signin-submit').disabled = false;
      showSignin('The server cannot be reached. Check your connection and try again.');
    });
  }

  function signOut() {
    stop();
    getJSON('/api/agent/logout', { method: 'POST' }).catch(function () { /* ignore */ })
      .then(function () { state.chats.clear(); state.current = null; showSignin('You are signed out.'); });
  }

  /* ---- the socket ---- */

  function wsURL() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  function connect() {
    if (state.stopped) return;
    setConn('connecting', state.retry ? 'Reconnecting…' : 'Connecting…');
    var ws;
    try {
      ws = new WebSocket(wsURL(), 'faq-agent');
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    ws.onopen = function () {
      state.retry = 0;
      setConn('on', 'Online');
    };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg && msg.v === 1 && typeof msg.type === 'string') handle(msg);
    };
    ws.onclose = function (ev) {
      if (state.ws !== ws) return;
      state.ws = null;
      if (state.stopped) return;
      if (ev.code === 4401) {
        showSignin('Your session ended. Please sign in again.');
        return;
      }
      setConn('off', 'Offline');
      /* a refused upgrade looks like any drop: ask the server whether we are still signed in */
      getJSON('/api/agent/me').then(function (r) {
        if (r.status === 401) showSignin('Your session ended. Please sign in again.');
        else scheduleReconnect();
      }).catch(scheduleReconnect);
    };
  }

  function scheduleReconnect() {
    if (state.stopped) return;
    var delay = Math.min(15000, 1000 * Math.pow(2, state.retry++));
    setConn('off', 'Offline · retrying in ' + Math.round(delay / 1000) + ' s');
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(connect, delay);
  }

  function stop() {
    state.stopped = true;
    clearTimeout(state.retryTimer);
    if (state.ws) {
      var ws = state.ws;
      state.ws = null;
      try { ws.close(1000); } catch (e) { /* already closed */ }
    }
  }

  function send(obj) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      toast('Not connected. Your action was not sent.', true);
      return false;
    }
    obj.v = 1;
    state.ws.send(JSON.stringify(obj));
    return true;
  }

  function startDesk(agent) {
    state.agent = agent;
    show($('signin-view'), false);
    show($('desk-view'), true);
    show($('me'), true);
    $('me-name').textContent = agent.name || agent.username;
    fillSelects();
    renderAll();
    state.stopped = false;
    state.retry = 0;
    connect();
  }

  /* ---- incoming frames ---- */

  function chatOf(conv) {
    var c = state.chats.get(conv);
    if (!c) {
      c = { conv: conv, kase: null, msgs: [], typing: false, suggestions: [], suggestFor: '', unread: 0,
            lastCustomer: '', info: null };
      state.chats.set(conv, c);
    }
    return c;
  }

  function handle(m) {
    switch (m.type) {
      case 'hello':
        if (m.agent) {
          state.agent = m.agent;
          $('me-name').textContent = m.agent.name || m.agent.username;
        }
        state.teams = Array.isArray(m.teams) ? m.teams : [];
        state.resolutions = Array.isArray(m.resolutions) ? m.resolutions : [];
        fillSelects();
        break;
      case 'queue':
        state.queue = {
          waiting: Array.isArray(m.waiting) ? m.waiting : [],
          mine: Array.isArray(m.mine) ? m.mine : [],
          total: typeof m.total === 'number' ? m.total : 0,
          receivedAt: Date.now()
        };
        /* chats no longer held (closed elsewhere, or requeued while we were away) leave the desk */
        var held = new Set(state.queue.mine.map(function (x) { return x.conv; }));
        state.chats.forEach(function (c, conv) {
          if (!held.has(conv) && conv !== state.openNext) state.chats.delete(conv);
        });
        state.queue.mine.forEach(function (x) { chatOf(x.conv).info = x; });
        if (state.current && !held.has(state.current)) {
          state.current = null;
          renderChat();
        }
        renderQueue();
        renderMine();
        break;
      case 'claimed':
        state.openNext = m.conv;
        toast('Chat claimed. Loading the case file…');
        break;
      case 'claim_failed':
        toast(CLAIM_FAILED[m.code] || m.message || 'The claim was refused.', true);
        break;
      case 'case_file': {
        var c = chatOf(m.conv);
        c.kase = m.case || null;
        c.msgs = [];
        if (c.kase && Array.isArray(c.kase.transcript)) c.msgs = c.kase.transcript.slice();
        if (Array.isArray(m.transcript)) c.msgs = c.msgs.concat(m.transcript);
        for (var i = c.msgs.length - 1; i >= 0; i--) {
          if (c.msgs[i].from === 'customer') { c.lastCustomer = c.msgs[i].text; break; }
        }
        if (state.openNext === m.conv || !state.current) {
          if (state.openNext === m.conv) show($('toast'), false);
          state.openNext = null;
          openChat(m.conv);
        } else if (state.current === m.conv) {
          renderChat();
        }
        renderMine();
        break;
      }
      case 'customer_msg': {
        var cc = chatOf(m.conv);
        cc.msgs.push({ from: 'customer', text: m.text, at: m.at || Date.now() });
        cc.lastCustomer = m.text;
        cc.typing = false;
        if (state.current === m.conv) appendMessage(cc, cc.msgs[cc.msgs.length - 1], cc.msgs.length - 1);
        else cc.unread++;
        renderTyping();
        renderMine();
        break;
      }
      case 'agent_msg': {
        var ca = chatOf(m.conv), found = false;
        ca.msgs.forEach(function (x) {
          if (x.pending && x.id === m.id) { x.pending = false; x.at = m.at || x.at; found = true; }
        });
        if (!found) ca.msgs.push({ from: 'agent', author: m.author, text: m.text, at: m.at || Date.now(), id: m.id });
        if (state.current === m.conv) renderTranscript();
        break;
      }
      case 'typing':
        chatOf(m.conv).typing = !!m.on;
        renderTyping();
        break;
      case 'kb_suggestions': {
        var ck = chatOf(m.conv || state.current || '');
        ck.suggestions = Array.isArray(m.items) ? m.items : [];
        ck.suggestFor = m.for || '';
        if (!m.conv || state.current === m.conv) renderSuggestions();
        break;
      }
      case 'released':
        state.chats.delete(m.conv);
        toast(RELEASED[m.why] || 'The chat left your hands.');
        if (state.current === m.conv) {
          state.current = null;
          renderChat();
        }
        renderMine();
        break;
      case 'proposed':
        toast('Sent to the editors as a draft KB entry (#' + m.draft + ').');
        break;
      case 'error':
        toast(m.message || ('Refused: ' + m.code), true);
        break;
      default:
        break;
    }
  }

  /* ---- the queue ---- */

  function reasonBadge(reason) {
    return el('span', 'ac-badge ac-reason ac-reason-' + (REASONS[reason] ? reason : 'other'), REASONS[reason] || reason || '');
  }

  function renderQueue() {
    var list = $('queue-list'), q = state.queue;
    clear(list);
    $('queue-count').textContent = String(q.total);
    show($('queue-empty'), q.waiting.length === 0);
    $('take-next').disabled = q.waiting.length === 0;
    q.waiting.forEach(function (w) {
      var li = el('li', 'ac-item ac-waiting');
      var top = el('div', 'ac-item-top');
      top.appendChild(el('span', 'ac-name', w.customer_name || 'Customer'));
      if (w.vip) top.appendChild(el('span', 'ac-badge ac-vip', 'VIP'));
      if (w.priority > 0) top.appendChild(el('span', 'ac-badge ac-prio', 'P' + w.priority));
      top.appendChild(reasonBadge(w.reason));
      li.appendChild(top);

      var meta = el('div', 'ac-item-meta');
      meta.appendChild(el('span', 'ac-pos', '#' + w.position));
      var waited = el('span', '', 'waiting ');
      var wait = el('span', 'ac-wait', duration(w.waited_ms));
      wait.dataset.base = String(w.waited_ms || 0);
      waited.appendChild(wait);
      meta.appendChild(waited);
      meta.appendChild(el('span', '', [w.scene || 'no scene', w.team, w.lang].filter(Boolean).join(' · ')));
      li.appendChild(meta);

      if (w.summary) li.appendChild(el('p', 'ac-item-summary', w.summary));
      var b = el('button', 'ac-btn ac-btn-small ac-btn-primary', 'Claim');
      b.type = 'button';
      b.setAttribute('aria-label', 'Claim the chat with ' + (w.customer_name || 'this customer'));
      b.addEventListener('click', function () { send({ type: 'claim', conv: w.conv }); });
      li.appendChild(b);
      list.appendChild(li);
    });
    var more = q.total - q.waiting.length;
    $('queue-more').textContent = more > 0 ? '…and ' + more + ' more waiting.' : '';
    show($('queue-more'), more > 0);
  }

  function tickWaits() {
    var since = Date.now() - state.queue.receivedAt;
    var spans = document.querySelectorAll('.ac-wait');
    for (var i = 0; i < spans.length; i++) {
      spans[i].textContent = duration(Number(spans[i].dataset.base) + since);
    }
  }

  function renderMine() {
    var list = $('mine-list'), mine = state.queue.mine, cap = state.agent && state.agent.capacity;
    clear(list);
    $('mine-count').textContent = String(mine.length);
    $('me-load').textContent = cap ? mine.length + ' / ' + cap + ' chats' : '';
    show($('mine-empty'), mine.length === 0);
    mine.forEach(function (x) {
      var c = state.chats.get(x.conv);
      var li = el('li', 'ac-item ac-mine' + (state.current === x.conv ? ' ac-current' : ''));
      var b = el('button', 'ac-mine-btn');
      b.type = 'button';
      var top = el('span', 'ac-item-top');
      top.appendChild(el('span', 'ac-name', x.customer_name || 'Customer'));
      if (c && c.unread) top.appendChild(el('span', 'ac-badge ac-unread', c.unread + ' new'));
      b.appendChild(top);
      b.appendChild(el('span', 'ac-item-meta', [x.scene || 'no scene', x.lang].filter(Boolean).join(' · ')));
      if (state.current === x.conv) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', function () { openChat(x.conv); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  /* ---- the chat ---- */

  function openChat(conv) {
    state.current = conv;
    var c = chatOf(conv);
    c.unread = 0;
    renderChat();
    renderMine();
    $('reply').focus();
  }

  function currentChat() {
    return state.current ? state.chats.get(state.current) : null;
  }

  function customerName(c) {
    var k = c.kase, info = c.info;
    return (k && k.customer && k.customer.name) || (info && info.customer_name) || 'Customer';
  }

  function renderChat() {
    var c = currentChat();
    show($('chat-none'), !c);
    show($('chat-open'), !!c);
    if (!c) {
      renderCase();
      renderSuggestions();
      return;
    }
    var k = c.kase || {};
    $('chat-title').textContent = customerName(c);
    var sub = [];
    if (k.scene && (k.scene.label || k.scene.id)) sub.push(k.scene.label || k.scene.id);
    if (k.customer && k.customer.lang) sub.push(k.customer.lang);
    if (k.reason) sub.push(REASONS[k.reason] || k.reason);
    $('chat-sub').textContent = sub.join(' · ');
    $('chat-summary').textContent = (k.summary && k.summary.text) || '';
    show($('chat-summary'), !!(k.summary && k.summary.text));
    fillCanned(k.customer && k.customer.lang);
    renderTranscript();
    renderTyping();
    renderCase();
    renderSuggestions();
  }

  function messageNode(c, m, index) {
    var li = el('li', 'ac-msg ac-from-' + (m.from || 'system') + (m.pending ? ' ac-pending' : ''));
    var who = m.from === 'agent' ? (m.author || 'Agent') : m.from === 'bot' ? 'Bot' : m.from === 'system' ? 'System' : customerName(c);
    var meta = el('div', 'ac-msg-meta');
    meta.appendChild(el('span', 'ac-msg-who', who));
    meta.appendChild(el('time', 'ac-msg-time', m.at ? clock(m.at) : ''));
    if (m.pending) meta.appendChild(el('span', 'ac-msg-state', 'sending…'));
    li.appendChild(meta);
    li.appendChild(el('div', 'ac-msg-text', m.text));
    if (m.from === 'agent' && !m.pending) {
      var p = el('button', 'ac-link', 'Propose as KB entry');
      p.type = 'button';
      p.addEventListener('click', function () { openPropose(c, index); });
      li.appendChild(p);
    }
    return li;
  }

  function renderTranscript() {
    var c = currentChat(), list = $('transcript');
    clear(list);
    if (!c) return;
    c.msgs.forEach(function (m, i) { list.appendChild(messageNode(c, m, i)); });
    list.scrollTop = list.scrollHeight;
  }

  function appendMessage(c, m, index) {
    var list = $('transcript');
    var atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.appendChild(messageNode(c, m, index));
    if (atEnd || m.from === 'agent') list.scrollTop = list.scrollHeight;
  }

  function renderTyping() {
    var c = currentChat();
    show($('typing'), !!(c && c.typing));
  }

  function sendReply(ev) {
    if (ev) ev.preventDefault();
    var c = currentChat(), box = $('reply'), text = box.value.trim();
    if (!c || !text) return;
    if (new TextEncoder().encode(text).length > 4096) {
      toast('That message is too long (4096 bytes at most).', true);
      return;
    }
    var id = 'a-' + Date.now().toString(36) + '-' + (++state.seq);
    if (!send({ type: 'agent_msg', conv: c.conv, id: id, text: text })) return;
    var m = { from: 'agent', author: state.agent && (state.agent.name || state.agent.username), text: text,
              at: Date.now(), id: id, pending: true };
    c.msgs.push(m);
    appendMessage(c, m, c.msgs.length - 1);
    box.value = '';
    stopTyping();
  }

  function onReplyKey(ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      sendReply();
    }
  }

  function onReplyInput() {
    var c = currentChat();
    if (!c) return;
    var now = Date.now();
    if (now - state.typingSent > 3000) {
      state.typingSent = now;
      send({ type: 'agent_typing', conv: c.conv, on: true });
    }
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(stopTyping, 4000);
  }

  function stopTyping() {
    clearTimeout(state.typingTimer);
    var c = currentChat();
    if (state.typingSent && c) send({ type: 'agent_typing', conv: c.conv, on: false });
    state.typingSent = 0;
  }

  function insertText(text) {
    var box = $('reply');
    box.value = box.value ? box.value.replace(/\s*$/, '') + '\n' + text : text;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  /* ---- selects: teams, resolutions, canned replies ---- */

  function fillSelect(sel, values, label) {
    clear(sel);
    values.forEach(function (v) {
      var o = el('option', '', label ? label(v) : v);
      o.value = v;
      sel.appendChild(o);
    });
  }

  function fillSelects() {
    var teams = state.teams.length ? state.teams : (state.config.teams || []);
    var res = state.resolutions.length ? state.resolutions : (state.config.resolutions || []);
    fillSelect($('transfer-team'), teams);
    fillSelect($('resolution'), res, function (r) { return r.replace(/_/g, ' '); });
    $('transfer').disabled = teams.length === 0;
  }

  function fillCanned(lang) {
    var sel = $('canned'), all = state.config.canned || {};
    var key = lang && all[lang] ? lang : lang && all[lang.slice(0, 2)] ? lang.slice(0, 2) : 'en';
    var list = Array.isArray(all[key]) ? all[key] : [];
    clear(sel);
    var first = el('option', '', list.length ? 'Canned replies…' : 'No canned replies');
    first.value = '';
    sel.appendChild(first);
    list.forEach(function (t, i) {
      var o = el('option', '', t.length > 70 ? t.slice(0, 69) + '…' : t);
      o.value = String(i);
      sel.appendChild(o);
    });
    sel.dataset.lang = key;
  }

  function onCanned() {
    var sel = $('canned'), list = (state.config.canned || {})[sel.dataset.lang] || [];
    if (sel.value !== '' && list[Number(sel.value)]) insertText(list[Number(sel.value)]);
    sel.value = '';
  }

  /* ---- actions ---- */

  function transfer() {
    var c = currentChat(), team = $('transfer-team').value;
    if (c && team) send({ type: 'transfer', conv: c.conv, team: team });
  }

  function returnToBot() {
    var c = currentChat();
    if (c) send({ type: 'return_to_bot', conv: c.conv });
  }

  function closeChat() {
    var c = currentChat(), res = $('resolution').value;
    if (c && res) send({ type: 'close', conv: c.conv, resolution: res });
  }

  /* ---- KB suggestions ---- */

  function renderSuggestions() {
    var c = currentChat(), list = $('kb-list');
    clear(list);
    var items = c ? c.suggestions : [];
    show($('kb-empty'), items.length === 0);
    items.forEach(function (s) {
      var li = el('li', 'ac-kb-item');
      li.appendChild(el('div', 'ac-kb-q', s.question || s.entry));
      li.appendChild(el('div', 'ac-kb-a', s.answer || ''));
      var foot = el('div', 'ac-kb-foot');
      foot.appendChild(el('span', 'ac-muted', s.entry + (typeof s.score === 'number' ? ' · ' + s.score.toFixed(2) : '')));
      var b = el('button', 'ac-btn ac-btn-small', 'Insert');
      b.type = 'button';
      b.setAttribute('aria-label', 'Insert the answer of ' + s.entry);
      b.disabled = !c;
      b.addEventListener('click', function () { insertText(s.answer || ''); });
      foot.appendChild(b);
      li.appendChild(foot);
      list.appendChild(li);
    });
  }

  function kbSearch(ev) {
    ev.preventDefault();
    var text = $('kb-query').value.trim(), c = currentChat();
    if (!text) return;
    var msg = { type: 'kb_search', text: text };
    if (c) msg.conv = c.conv;
    send(msg);
  }

  /* ---- the case file ---- */

  /* "order_id" -> "Order id" */
  function label(key) {
    var t = String(key).replace(/_/g, ' ');
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function fact(dl, term, value, cls) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', '', term));
    dl.appendChild(el('dd', cls || '', value));
  }

  function renderCase() {
    var c = currentChat(), k = c && c.kase;
    show($('case-empty'), !k);
    show($('case'), !!k);
    var facts = $('case-facts'), answers = $('case-answers'), ctx = $('case-context'), prev = $('case-prev');
    clear(facts); clear(answers); clear(ctx); clear(prev);
    if (!k) return;
    var cu = k.customer || {};
    fact(facts, 'Customer', [cu.name, cu.id].filter(Boolean).join(' · '));
    fact(facts, 'Tier', (cu.tier || 'standard') + (cu.verified ? ' (verified)' : ' (not verified)'),
         cu.verified ? 'ac-ok' : 'ac-warn');
    fact(facts, 'Language', cu.lang);
    if (k.scene) fact(facts, 'Scene', k.scene.label ? k.scene.label + ' (' + k.scene.id + ')' : k.scene.id);
    fact(facts, 'Hand-off', REASONS[k.reason] || k.reason);
    if (k.sentiment && (k.sentiment.anger || k.sentiment.complaint)) {
      var words = Array.isArray(k.sentiment.words) && k.sentiment.words.length ? ' — ' + k.sentiment.words.join(', ') : '';
      fact(facts, 'Sentiment', 'anger ' + k.sentiment.anger + ', complaint ' + k.sentiment.complaint + words, 'ac-warn');
    }
    if (k.intent) fact(facts, 'Intent', (k.intent.label || k.intent.id) + ' (' + Math.round((k.intent.confidence || 0) * 100) + '%)');
    if (k.slots) {
      Object.keys(k.slots).forEach(function (s) { fact(facts, label(s), k.slots[s]); });
    }

    var ans = Array.isArray(k.answers) ? k.answers : [];
    if (!ans.length) answers.appendChild(el('li', 'ac-muted', 'None.'));
    ans.forEach(function (a) {
      var li = el('li', 'ac-answer');
      li.appendChild(el('span', 'ac-answer-entry', a.entry));
      if (a.question) li.appendChild(el('span', 'ac-answer-q', a.question));
      li.appendChild(el('span', 'ac-badge ac-react ac-react-' + a.reaction, REACTIONS[a.reaction] || a.reaction));
      answers.appendChild(li);
    });

    var context = k.scene && k.scene.context ? k.scene.context : {};
    var keys = Object.keys(context);
    if (!keys.length) ctx.appendChild(el('dd', 'ac-muted', 'None.'));
    keys.forEach(function (key) { fact(ctx, key, context[key]); });

    var p = Array.isArray(k.previous) ? k.previous : [];
    if (!p.length) prev.appendChild(el('li', 'ac-muted', 'First contact.'));
    p.forEach(function (x) {
      var li = el('li', 'ac-prev-item');
      li.appendChild(el('div', 'ac-prev-head', day(x.at) + ' · ' + (REASONS[x.reason] || x.reason) + ' · ' +
        (x.resolution ? x.resolution.replace(/_/g, ' ') : x.state)));
      if (x.summary) li.appendChild(el('div', 'ac-prev-summary', x.summary));
      prev.appendChild(li);
    });
  }

  /* ---- propose as KB entry ---- */

  var proposing = null;

  function openPropose(c, index) {
    var answer = c.msgs[index] ? c.msgs[index].text : '';
    var question = '';
    for (var i = index - 1; i >= 0; i--) {
      if (c.msgs[i].from === 'customer') { question = c.msgs[i].text; break; }
    }
    proposing = c.conv;
    $('propose-q').value = question;
    $('propose-a').value = answer;
    $('propose-dialog').showModal();
    $('propose-q').focus();
  }

  function submitPropose(ev) {
    ev.preventDefault();
    var c = proposing && state.chats.get(proposing);
    var q = $('propose-q').value.trim(), a = $('propose-a').value.trim();
    if (!c || !q || !a) {
      toast('A proposal needs a question and an answer.', true);
      return;
    }
    var k = c.kase || {};
    var msg = { type: 'propose_kb_entry', conv: c.conv, question: q, answer: a };
    if (k.customer && k.customer.lang) msg.lang = k.customer.lang;
    if (k.scene && k.scene.id) msg.scene = k.scene.id;
    if (send(msg)) $('propose-dialog').close();
  }

  /* ---- wiring ---- */

  function renderAll() {
    renderQueue();
    renderMine();
    renderChat();
  }

  function init() {
    $('signin').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    $('take-next').addEventListener('click', function () { send({ type: 'claim' }); });
    $('composer').addEventListener('submit', sendReply);
    $('reply').addEventListener('keydown', onReplyKey);
    $('reply').addEventListener('input', onReplyInput);
    $('canned').addEventListener('change', onCanned);
    $('transfer').addEventListener('click', transfer);
    $('return-bot').addEventListener('click', returnToBot);
    $('close-chat').addEventListener('click', closeChat);
    $('kb-search').addEventListener('submit', kbSearch);
    $('propose-form').addEventListener('submit', submitPropose);
    $('propose-cancel').addEventListener('click', function () { $('propose-dialog').close(); });
    setInterval(tickWaits, 1000);

    loadConfig().then(function () {
      return getJSON('/api/agent/me');
    }).then(function (r) {
      if (r.status === 200 && r.data && r.data.agent) startDesk(r.data.agent);
      else showSignin('');
    }).catch(function () {
      showSignin('The server cannot be reached. Check your connection and reload.');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
