/*
 * faqbot customer chat widget.
 *
 * Plain JavaScript, no dependencies, no build step. Embed with
 *   <script src="/widget/faqbot.js"></script>
 * and call faqbot.init(opts) or faqbot.open(opts) from your own script file.
 * See docs/widget.md for the options.
 *
 * The widget works under a strict Content-Security-Policy: it loads its styles
 * from faqbot.css next to this file, never uses inline styles or handlers, and
 * renders every text it receives with textContent.
 */
(function (global) {
  'use strict';

  if (global.faqbot && global.faqbot.version) {
    return; /* loaded twice: keep the first instance */
  }

  var VERSION = '1.0.0';
  var PROTOCOL = 'faq-chat';
  var MAX_TEXT_BYTES = 4096;
  var RETRY_MIN_MS = 500;
  var RETRY_MAX_MS = 15000;
  var TYPING_IDLE_MS = 4000;
  var REPLY_TIMEOUT_MS = 20000;
  var HANDOFF_TIMEOUT_MS = 15000;   /* "Talk to a person" waits this long for the server's answer */
  var HELLO_TIMEOUT_MS = 10000;
  var SVG_NS = 'http://www.w3.org/2000/svg';

  /* ------------------------------------------------------------------ */
  /* Where we were loaded from                                           */
  /* ------------------------------------------------------------------ */

  function findScriptSrc() {
    var cur = document.currentScript;
    if (cur && cur.src) {
      return cur.src;
    }
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (/faqbot\.js(?:[?#].*)?$/.test(all[i].src)) {
        return all[i].src;
      }
    }
    return new URL('/widget/faqbot.js', global.location.href).href;
  }

  var SCRIPT_SRC = findScriptSrc();

  /* ------------------------------------------------------------------ */
  /* UI strings                                                          */
  /* ------------------------------------------------------------------ */

  var STRINGS = {
    en: {
      openChat: 'Open customer service chat',
      closeChat: 'Close chat',
      title: 'Customer service',
      online: 'Online',
      connecting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      human: 'Talk to a person',
      humanText: 'talk to a person',
      conversation: 'Conversation',
      inputLabel: 'Your question',
      placeholder: 'Ask a question…',
      send: 'Send',
      suggestions: 'You may want to ask',
      wasHelpful: 'Was this helpful?',
      helpful: 'Helpful',
      notHelpful: 'Not helpful',
      thanks: 'Thanks for your feedback!',
      noneOfThese: 'None of these',
      didYouMean: 'Did you mean:',
      typing: 'The assistant is typing…',
      pending: 'Not sent yet: waiting for the connection',
      you: 'You:',
      bot: 'Assistant:',
      newTab: '(opens in a new tab)',
      dismiss: 'Dismiss',
      unread: 'New reply',
      rateLimited: 'You are sending messages too quickly. Please wait a moment and try again.',
      notReady: 'The assistant is starting up. Please try again in a moment.',
      tooLong: 'That message is too long. Please shorten it.',
      failed: 'Something went wrong with the last message. Please try again.',
      footer: 'Answers by faqbot',
      solvedQ: 'Did this solve it?',
      yes: 'Yes',
      no: 'No',
      csatQ: 'How satisfied are you with this chat?',
      csatLow: 'Very unsatisfied',
      csatHigh: 'Very satisfied',
      cesQ: 'How easy was it to get help?',
      cesLow: 'Very difficult',
      cesHigh: 'Very easy',
      surveyThanks: 'Thank you for rating this chat!',
      survey: 'Rate this chat',
      leave: 'Leave a message instead',
      backToBot: 'Back to the assistant',
      reaching: 'Connecting you to a person…',
      agentTyping: '{name} is typing…',
      agent: 'Agent',
      withAgent: 'Chatting with {name}',
      queuedHead: "You're number {n} in the queue for a person",
      waitAbout: 'The wait is about {m} minutes.',
      waitAbout1: 'The wait is about 1 minute.',
      waitMore: 'The wait may be more than {m} minutes.',
      ticketHead: 'Your ticket: {ref}',
      ticketDetail: 'Quote this reference when you contact us. Everything you wrote is saved with it.',
      handoffStatus: 'Talking to a person'
    },
    zh: {
      openChat: '打开在线客服',
      closeChat: '关闭对话',
      title: '在线客服',
      online: '在线',
      connecting: '正在连接…',
      reconnecting: '正在重新连接…',
      human: '转人工',
      humanText: '转人工',
      conversation: '对话记录',
      inputLabel: '您的问题',
      placeholder: '请输入您的问题…',
      send: '发送',
      suggestions: '您可能想问',
      wasHelpful: '这个回答有帮助吗？',
      helpful: '有帮助',
      notHelpful: '没有帮助',
      thanks: '感谢您的反馈！',
      noneOfThese: '都不是',
      didYouMean: '您是不是想问：',
      typing: '客服正在输入…',
      pending: '尚未发送：正在等待连接',
      you: '您：',
      bot: '客服：',
      newTab: '（在新标签页打开）',
      dismiss: '关闭提示',
      unread: '新回复',
      rateLimited: '您发送得太快了，请稍等片刻再试。',
      notReady: '客服助手正在启动，请稍后再试。',
      tooLong: '消息太长了，请精简后再发送。',
      failed: '上一条消息处理出错，请重试。',
      footer: '由 faqbot 提供解答',
      solvedQ: '问题解决了吗？',
      yes: '解决了',
      no: '没解决',
      csatQ: '您对这次对话满意吗？',
      csatLow: '非常不满意',
      csatHigh: '非常满意',
      cesQ: '这次解决问题容易吗？',
      cesLow: '非常困难',
      cesHigh: '非常容易',
      surveyThanks: '感谢您的评价！',
      survey: '评价这次对话',
      leave: '改为留言',
      backToBot: '返回智能助手',
      reaching: '正在为您转接人工客服…',
      agentTyping: '{name} 正在输入…',
      agent: '人工客服',
      withAgent: '正在与 {name} 对话',
      queuedHead: '正在排队转人工：第 {n} 位',
      waitAbout: '预计等待约 {m} 分钟。',
      waitAbout1: '预计等待约 1 分钟。',
      waitMore: '等待可能超过 {m} 分钟。',
      ticketHead: '您的工单号：{ref}',
      ticketDetail: '再次联系我们时请提供这个编号，您写的内容都已随工单保存。',
      handoffStatus: '人工客服'
    }
  };

  function pickLang(lang) {
    var l = String(lang || global.navigator.language || 'en').toLowerCase();
    return l.indexOf('zh') === 0 ? 'zh' : 'en';
  }

  /* ------------------------------------------------------------------ */
  /* State                                                               */
  /* ------------------------------------------------------------------ */

  var S = {
    opts: {},
    lang: 'en',
    t: STRINGS.en,
    mounted: false,
    isOpen: false,
    els: null,
    ws: null,
    ready: false,          /* welcome received on the current socket */
    helloKey: '',          /* what the current hello said (scene, context, lang) */
    attempt: 0,
    retryTimer: null,
    everReady: false,
    queue: [],             /* [{frame, row}] waiting for a ready socket */
    byId: {},              /* server/client message id -> row element */
    feedback: {},          /* answer id -> 'up' | 'down' */
    chosen: {},            /* clarify id -> entry id | null */
    resolved: {},          /* answer id -> true | false ("did this solve it?") */
    rated: {},             /* survey answers given: {csat: n, ces: n} */
    answered: false,       /* an answer was shown in this conversation */
    asked: false,          /* the end-of-chat survey was offered on close */
    typingOn: false,
    typingIdle: null,
    stick: true,           /* the message list is scrolled to the end */
    helloTimer: null,
    replyTimer: null,
    handoff: 'bot',        /* where the conversation stands with a person: bot, pending, queued, assigned, ticket */
    handoffTimer: null,
    agentName: '',
    seq: 0
  };

  /* ------------------------------------------------------------------ */
  /* Small helpers                                                       */
  /* ------------------------------------------------------------------ */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function icon(name) {
    var paths = {
      chat: 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16H6.5 A2.5 2.5 0 0 1 4 13.5z',
      close: 'M6 6l12 12M18 6L6 18',
      down: 'M6 9l6 6 6-6',
      send: 'M4 12l16-8-6 16-2.5-6.5z M11.5 13.5L20 4',
      person: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4.5 20a7.5 7.5 0 0 1 15 0',
      external: 'M14 4h6v6 M20 4l-9 9 M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5',
      info: 'M12 8h.01 M11 12h1v5h1 M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z'
    };
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '20'); /* sane size even if faqbot.css failed to load */
    svg.setAttribute('height', '20');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'fqb-icon fqb-icon-' + name);
    var p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', paths[name]);
    svg.appendChild(p);
    return svg;
  }

  function srOnly(text) {
    return el('span', 'fqb-sr', text);
  }

  function storageGet(store, key) {
    try {
      return global[store].getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(store, key, value) {
    try {
      if (value === null) {
        global[store].removeItem(key);
      } else {
        global[store].setItem(key, value);
      }
    } catch (e) {
      /* storage disabled (private mode, policy): the widget still works */
    }
  }

  function tokenKey() {
    return S.opts.storageKey || 'faqbot.token';
  }

  function utf8Length(s) {
    if (global.TextEncoder) {
      return new TextEncoder().encode(s).length;
    }
    return unescape(encodeURIComponent(s)).length;
  }

  function newClientId() {
    S.seq += 1;
    var rnd = Math.random().toString(36).slice(2, 10);
    return 'c-' + Date.now().toString(36) + '-' + rnd + '-' + S.seq;
  }

  function safeHref(url) {
    if (typeof url !== 'string' || !url) {
      return null;
    }
    try {
      var u = new URL(url, global.location.href);
      if (u.protocol === 'http:' || u.protocol === 'https:') {
        return u.href;
      }
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  function wsUrl() {
    if (S.opts.url) {
      return String(S.opts.url);
    }
    var base = new URL(SCRIPT_SRC, global.location.href);
    return (base.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + base.host + '/ws';
  }

  /*
   * Appends text to parent, turning http(s) URLs into links. Everything is a
   * text node or an <a> whose href passed safeHref(); nothing is parsed as HTML.
   */
  var URL_RE = /https?:\/\/[^\s<>"'\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/gi;

  function appendLinkified(parent, text) {
    text = String(text === undefined || text === null ? '' : text);
    var last = 0;
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text)) !== null) {
      var url = m[0];
      /* trailing punctuation belongs to the sentence, not the URL */
      while (/[.,;:!?'"\])}]$/.test(url)) {
        if (url.slice(-1) === ')' && url.split('(').length > url.split(')').length - 1) {
          break;
        }
        url = url.slice(0, -1);
      }
      var start = m.index;
      var href = safeHref(url);
      if (!href || url.length < 10) {
        continue;
      }
      if (start > last) {
        parent.appendChild(document.createTextNode(text.slice(last, start)));
      }
      var a = el('a', 'fqb-link', url);
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.appendChild(srOnly(' ' + S.t.newTab));
      parent.appendChild(a);
      last = start + url.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  /* ------------------------------------------------------------------ */
  /* DOM construction                                                    */
  /* ------------------------------------------------------------------ */

  function ensureStylesheet() {
    var href = new URL('faqbot.css', SCRIPT_SRC).href;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].href === href) {
        return links[i];
      }
    }
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.setAttribute('data-faqbot', '');
    (document.head || document.documentElement).appendChild(link);
    return link;
  }

  function button(cls, label, iconName, text) {
    var b = el('button', cls);
    b.type = 'button';
    if (iconName) {
      b.appendChild(icon(iconName));
    }
    if (text) {
      b.appendChild(el('span', 'fqb-btn-text', text));
    }
    if (label) {
      b.setAttribute('aria-label', label);
      b.title = label;
    }
    return b;
  }

  function build() {
    var t = S.t;
    var E = {};
    var uid = 'fqb-' + Math.random().toString(36).slice(2, 8);

    E.root = el('div', 'fqb-root');
    E.root.hidden = true; /* shown once faqbot.css has loaded */
    E.root.setAttribute('lang', S.lang === 'zh' ? 'zh-CN' : 'en');
    E.root.setAttribute('data-faqbot-version', VERSION);

    /* launcher */
    E.launcher = button('fqb-launcher', t.openChat, 'chat');
    E.launcher.appendChild(icon('down'));
    E.launcher.setAttribute('aria-expanded', 'false');
    E.launcher.setAttribute('aria-controls', uid + '-panel');
    E.badge = el('span', 'fqb-badge');
    E.badge.hidden = true;
    E.badge.appendChild(srOnly(t.unread));
    E.launcher.appendChild(E.badge);

    /* panel */
    E.panel = el('div', 'fqb-panel');
    E.panel.id = uid + '-panel';
    E.panel.hidden = true;
    E.panel.setAttribute('role', 'dialog');
    E.panel.setAttribute('aria-labelledby', uid + '-title');
    E.panel.tabIndex = -1;

    var header = el('div', 'fqb-header');
    var avatar = el('div', 'fqb-avatar');
    avatar.appendChild(icon('chat'));
    var heading = el('div', 'fqb-heading');
    E.title = el('h2', 'fqb-title', S.opts.title || t.title);
    E.title.id = uid + '-title';
    E.status = el('div', 'fqb-status');
    E.statusDot = el('span', 'fqb-dot');
    E.statusText = el('span', 'fqb-status-text', t.connecting);
    E.status.appendChild(E.statusDot);
    E.status.appendChild(E.statusText);
    heading.appendChild(E.title);
    heading.appendChild(E.status);
    E.human = button('fqb-human', null, 'person', t.human);
    E.close = button('fqb-close', t.closeChat, 'close');
    header.appendChild(avatar);
    header.appendChild(heading);
    header.appendChild(E.close);

    E.notice = el('div', 'fqb-notice');
    E.notice.hidden = true;
    E.notice.setAttribute('role', 'status');
    E.notice.appendChild(icon('info'));
    E.noticeText = el('p', 'fqb-notice-text');
    E.notice.appendChild(E.noticeText);
    E.noticeClose = button('fqb-notice-close', t.dismiss, 'close');
    E.notice.appendChild(E.noticeClose);

    E.list = el('div', 'fqb-list');
    E.list.setAttribute('role', 'region');
    E.list.setAttribute('aria-label', t.conversation);
    E.list.tabIndex = 0;

    E.typing = el('div', 'fqb-row fqb-row-bot fqb-typing');
    E.typing.hidden = true;
    var dots = el('div', 'fqb-bubble fqb-dots');
    dots.appendChild(el('span'));
    dots.appendChild(el('span'));
    dots.appendChild(el('span'));
    E.typingWho = srOnly(t.typing);
    dots.appendChild(E.typingWho);
    E.typing.appendChild(dots);
    E.typingLabel = el('span', 'fqb-typing-label');
    E.typingLabel.hidden = true;
    E.typing.appendChild(E.typingLabel);

    E.msgs = el('div', 'fqb-msgs');
    E.list.appendChild(E.msgs);
    E.list.appendChild(E.typing);

    E.alert = el('div', 'fqb-alert');
    E.alert.hidden = true;

    /* hand-off: where the conversation stands with a person */
    E.handoff = el('div', 'fqb-handoff');
    E.handoff.hidden = true;
    E.handoff.setAttribute('role', 'status');
    E.handoff.setAttribute('aria-label', t.handoffStatus);
    E.handoffIcon = el('div', 'fqb-handoff-icon');
    E.handoffIcon.appendChild(icon('person'));
    E.handoffText = el('p', 'fqb-handoff-text');
    E.handoffHead = el('strong', 'fqb-handoff-head');
    E.handoffDetail = el('span', 'fqb-handoff-detail');
    E.handoffText.appendChild(E.handoffHead);
    E.handoffText.appendChild(E.handoffDetail);
    E.handoffActions = el('div', 'fqb-handoff-actions');
    E.leave = button('fqb-leave fqb-link-btn', null, null, t.leave);
    E.backToBot = button('fqb-cancel-handoff fqb-link-btn', null, null, t.backToBot);
    E.handoffActions.appendChild(E.leave);
    E.handoffActions.appendChild(E.backToBot);
    var handoffBody = el('div', 'fqb-handoff-body');
    handoffBody.appendChild(E.handoffText);
    handoffBody.appendChild(E.handoffActions);
    E.handoff.appendChild(E.handoffIcon);
    E.handoff.appendChild(handoffBody);

    var form = el('form', 'fqb-composer');
    form.setAttribute('novalidate', '');
    E.input = el('textarea', 'fqb-input');
    E.input.id = uid + '-input';
    E.input.rows = 1;
    E.input.placeholder = t.placeholder;
    E.input.setAttribute('aria-label', t.inputLabel);
    E.input.setAttribute('enterkeyhint', 'send');
    E.input.maxLength = MAX_TEXT_BYTES;
    E.send = button('fqb-send', t.send, 'send');
    E.send.type = 'submit';
    form.appendChild(E.input);
    form.appendChild(E.send);
    E.form = form;

    var footer = el('div', 'fqb-footer', t.footer);

    E.live = el('div', 'fqb-sr');
    E.live.setAttribute('aria-live', 'polite');
    E.live.setAttribute('aria-atomic', 'true');

    E.panel.appendChild(header);
    E.panel.appendChild(E.notice);
    E.panel.appendChild(E.list);
    var bottom = el('div', 'fqb-bottom');
    var tools = el('div', 'fqb-tools');
    tools.appendChild(E.human);
    bottom.appendChild(tools);
    bottom.appendChild(form);
    bottom.appendChild(footer);
    E.panel.appendChild(E.alert);
    E.panel.appendChild(E.handoff);
    E.panel.appendChild(bottom);
    E.surveyPop = el('div', 'fqb-survey-pop');
    E.surveyPop.hidden = true;
    E.surveyPop.setAttribute('role', 'dialog');
    E.surveyPop.setAttribute('aria-label', t.survey);
    E.surveyClose = button('fqb-survey-close', t.dismiss, 'close');
    E.surveyPop.appendChild(E.surveyClose);
    E.surveyClose.addEventListener('click', function () {
      E.surveyPop.hidden = true;
      E.launcher.focus();
    });

    E.root.appendChild(E.panel);
    E.root.appendChild(E.surveyPop);
    E.root.appendChild(E.launcher);
    E.root.appendChild(E.live);

    /* events */
    E.launcher.addEventListener('click', function () {
      if (S.isOpen) {
        closePanel(true);
      } else {
        openPanel(true);
      }
    });
    E.close.addEventListener('click', function () {
      closePanel(true);
    });
    E.human.addEventListener('click', function () {
      requestHuman();
    });
    E.leave.addEventListener('click', function () {
      leaveMessage();
    });
    E.backToBot.addEventListener('click', function () {
      cancelHandoff();
    });
    E.noticeClose.addEventListener('click', function () {
      E.notice.hidden = true;
      E.input.focus();
    });
    E.root.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && !ev.isComposing && S.isOpen) {
        ev.preventDefault();
        closePanel(true);
      }
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      submitInput();
    });
    E.input.addEventListener('keydown', function (ev) {
      /* Enter sends, Shift+Enter is a newline; never send while an IME is composing */
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        submitInput();
      }
    });
    E.input.addEventListener('input', function () {
      autosize();
      typingActivity();
    });
    E.input.addEventListener('blur', function () {
      typingStop();
    });
    /* keep the newest message in view when the panel is resized (phone
       keyboard, rotation), unless the customer scrolled up to read */
    var seen = { height: 0, client: 0 };
    E.list.addEventListener('scroll', function () {
      var l = E.list;
      /* scrolls caused by a layout change (resize, new content) say nothing
         about where the customer wants to be */
      if (l.scrollHeight === seen.height && l.clientHeight === seen.client) {
        S.stick = l.scrollHeight - l.scrollTop - l.clientHeight < 48;
      }
      seen.height = l.scrollHeight;
      seen.client = l.clientHeight;
    }, { passive: true });
    if (global.ResizeObserver) {
      new ResizeObserver(function () {
        if (S.stick && S.els === E) {
          E.list.scrollTop = E.list.scrollHeight;
        }
      }).observe(E.list);
    }

    return E;
  }

  function autosize() {
    /* Browsers with CSS field-sizing grow the textarea by themselves */
    if (global.CSS && CSS.supports && CSS.supports('field-sizing', 'content')) {
      return;
    }
    var i = S.els.input;
    i.style.height = 'auto';
    i.style.height = Math.min(i.scrollHeight, 120) + 'px';
  }

  function mount() {
    if (S.mounted) {
      return;
    }
    S.lang = pickLang(S.opts.lang);
    S.t = STRINGS[S.lang];
    S.els = build();
    S.byId = {};
    var parent = S.opts.container || document.body;
    parent.appendChild(S.els.root);
    S.mounted = true;
    var link = ensureStylesheet();
    var root = S.els.root;
    var shown = false;
    function show() {
      if (!shown) {
        shown = true;
        root.hidden = false;
      }
    }
    if (link.sheet) {
      show();
    } else {
      link.addEventListener('load', show);
      link.addEventListener('error', show);
      global.setTimeout(show, 3000);
    }
    setStatus();
  }

  function unmount() {
    if (!S.mounted) {
      return;
    }
    S.els.root.parentNode.removeChild(S.els.root);
    S.els = null;
    S.mounted = false;
  }

  /* ------------------------------------------------------------------ */
  /* Opening and closing                                                 */
  /* ------------------------------------------------------------------ */

  function openPanel(focus) {
    mount();
    var E = S.els;
    S.isOpen = true;
    E.surveyPop.hidden = true;
    E.panel.hidden = false;
    E.root.classList.add('fqb-is-open');
    E.launcher.setAttribute('aria-expanded', 'true');
    E.launcher.setAttribute('aria-label', S.t.closeChat);
    E.launcher.title = S.t.closeChat;
    E.badge.hidden = true;
    storageSet('sessionStorage', 'faqbot.open', '1');
    ensureConnected();
    scrollToEnd();
    if (focus) {
      E.input.focus();
    }
  }

  function closePanel(focusLauncher) {
    if (!S.mounted || !S.isOpen) {
      return;
    }
    var E = S.els;
    S.isOpen = false;
    typingStop();
    E.panel.hidden = true;
    E.root.classList.remove('fqb-is-open');
    E.launcher.setAttribute('aria-expanded', 'false');
    E.launcher.setAttribute('aria-label', S.t.openChat);
    E.launcher.title = S.t.openChat;
    storageSet('sessionStorage', 'faqbot.open', null);
    if (focusLauncher) {
      E.launcher.focus();
    }
    offerSurvey();
  }

  /* ------------------------------------------------------------------ */
  /* Connection                                                          */
  /* ------------------------------------------------------------------ */

  function helloFrame() {
    var o = S.opts;
    var frame = { v: 1, type: 'hello', lang: S.lang };
    var token = storageGet('localStorage', tokenKey());
    if (token) {
      frame.token = token;
    }
    if (o.scene) {
      frame.scene = String(o.scene);
    }
    var ctx = null;
    if (o.context && typeof o.context === 'object') {
      ctx = {};
      for (var k in o.context) {
        if (Object.prototype.hasOwnProperty.call(o.context, k)) {
          ctx[k] = o.context[k];
        }
      }
    }
    if (o.customer && typeof o.customer === 'object') {
      ctx = ctx || {};
      if (!ctx.customer) {
        ctx.customer = o.customer;
      }
    }
    if (ctx) {
      frame.context = ctx;
    }
    return frame;
  }

  /* The customer moved to another page while connected: tell the server (a new welcome follows). */
  function sendScene() {
    var f = helloFrame();
    var frame = { v: 1, type: 'scene', scene: f.scene || '' };
    if (f.context) {
      frame.context = f.context;
    }
    if (rawSend(frame)) {
      S.helloKey = helloKey();
      return true;
    }
    return false;
  }

  function helloKey() {
    var f = helloFrame();
    return JSON.stringify([f.lang, f.scene || '', f.context || null, S.opts.url || '']);
  }

  function ensureConnected() {
    if (S.ws || S.retryTimer) {
      return;
    }
    connect();
  }

  function connect() {
    if (S.retryTimer) {
      global.clearTimeout(S.retryTimer);
      S.retryTimer = null;
    }
    S.ready = false;
    setStatus();
    var ws;
    try {
      ws = new WebSocket(wsUrl(), PROTOCOL);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    S.ws = ws;
    S.helloKey = helloKey();
    ws.onopen = function () {
      if (S.ws !== ws) {
        return;
      }
      ws.send(JSON.stringify(helloFrame()));
      /* no welcome in time: drop this socket and let the backoff retry */
      global.clearTimeout(S.helloTimer);
      S.helloTimer = global.setTimeout(function () {
        if (S.ws === ws && !S.ready) {
          ws.close(4000, 'no welcome');
        }
      }, HELLO_TIMEOUT_MS);
    };
    ws.onmessage = function (ev) {
      if (S.ws !== ws) {
        return;
      }
      var env;
      try {
        env = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (env && typeof env === 'object') {
        handle(env);
      }
    };
    ws.onclose = function () {
      if (S.ws !== ws) {
        return;
      }
      S.ws = null;
      S.ready = false;
      S.typingOn = false;
      hideTyping();
      scheduleReconnect();
    };
    ws.onerror = function () {
      /* onclose follows and schedules the reconnect */
    };
  }

  /* Closes the current socket on purpose and opens a new one at once. */
  function reconnectNow() {
    var old = S.ws;
    S.ws = null;
    S.ready = false;
    if (old) {
      try {
        old.close(1000);
      } catch (e) {
        /* already closing */
      }
    }
    S.attempt = 0;
    connect();
  }

  function scheduleReconnect() {
    if (S.retryTimer) {
      return;
    }
    /* 0.5 s doubling to 15 s, each delay jittered by ±25 % */
    var base = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, S.attempt));
    var delay = Math.round(base * (0.75 + Math.random() * 0.5));
    S.attempt += 1;
    setStatus();
    S.retryTimer = global.setTimeout(function () {
      S.retryTimer = null;
      connect();
    }, delay);
  }

  function wakeUp() {
    /* the network came back or the tab became visible: do not wait out the backoff */
    if (!S.ws && S.retryTimer) {
      S.attempt = 0;
      connect();
    }
  }

  function setStatus() {
    if (!S.mounted) {
      return;
    }
    var E = S.els;
    var state = S.ready ? 'online' : (S.everReady || S.attempt > 0 ? 'reconnecting' : 'connecting');
    E.status.setAttribute('data-state', state);
    E.statusText.textContent = S.t[state];
  }

  function rawSend(frame) {
    if (!S.ws || !S.ready || S.ws.readyState !== 1) {
      return false;
    }
    try {
      S.ws.send(JSON.stringify(frame));
      return true;
    } catch (e) {
      return false;
    }
  }

  /* Sends now, or queues until the next welcome. row: a pending customer bubble. */
  function sendFrame(frame, row) {
    if (rawSend(frame)) {
      return true;
    }
    if (row) {
      markPending(row, true);
    }
    S.queue.push({ frame: frame, row: row || null });
    ensureConnected();
    return false;
  }

  function flushQueue() {
    var q = S.queue;
    S.queue = [];
    var expectReply = false;
    for (var i = 0; i < q.length; i++) {
      var item = q[i];
      if (item.row) {
        S.els.msgs.appendChild(item.row);
        markPending(item.row, false);
      }
      if (!rawSend(item.frame)) {
        S.queue.push(item);
        if (item.row) {
          markPending(item.row, true);
        }
        continue;
      }
      if (item.frame.type === 'message' || item.frame.type === 'choose') {
        expectReply = true;
      }
    }
    if (expectReply && !withPerson()) {
      showTyping();
    }
  }

  /* ------------------------------------------------------------------ */
  /* Incoming envelopes                                                  */
  /* ------------------------------------------------------------------ */

  function handle(env) {
    switch (env.type) {
      case 'welcome':
        onWelcome(env);
        break;
      case 'message':
        renderMessage(env, true);
        if (env.from === 'customer' || !env.from) {
          if (!withPerson()) {
            showTyping();
          }
        } else {
          hideTyping();
          announce(env.text);
          bumpUnread();
        }
        break;
      case 'answer':
      case 'clarify':
      case 'fallback':
        hideTyping();
        render(env, true);
        break;
      case 'handoff_status':
        onHandoffStatus(env);
        break;
      case 'agent_msg':
        hideTyping();
        render(env, true);
        break;
      case 'typing':
        if (env.from === 'agent') {
          if (env.on) {
            showTyping(S.agentName || S.t.agent);
          } else {
            hideTyping();
          }
        }
        break;
      case 'notice':
        showNotice(env.text);
        break;
      case 'error':
        onError(env);
        break;
      default:
        break; /* unknown types are ignored: newer servers may send more */
    }
  }

  function onWelcome(env) {
    global.clearTimeout(S.helloTimer);
    if (typeof env.token === 'string' && env.token) {
      storageSet('localStorage', tokenKey(), env.token);
    }
    S.ready = true;
    S.everReady = true;
    S.attempt = 0;
    setStatus();
    if (!S.mounted) {
      return;
    }
    /* Re-render from scratch: the server's transcript is the truth */
    clearConversation();
    setHandoff({ state: 'bot' }, false);
    var transcript = Array.isArray(env.transcript) ? env.transcript : [];
    if (env.greeting) {
      var row = botRow('welcome');
      bubble(row, env.greeting);
      if (Array.isArray(env.suggestions) && env.suggestions.length) {
        row.appendChild(chipGroup(S.t.suggestions, env.suggestions, 'fqb-suggestions'));
      }
      S.els.msgs.appendChild(row);
      if (!transcript.length) {
        announce(env.greeting);
      }
    }
    for (var i = 0; i < transcript.length; i++) {
      if (transcript[i] && typeof transcript[i] === 'object') {
        render(transcript[i], false);
      }
    }
    hideTyping();
    if (S.helloKey !== helloKey()) {
      sendScene(); /* the page changed (setScene) while this hello was on its way */
    }
    flushQueue();
    scrollToEnd();
  }

  function onError(env) {
    hideTyping();
    var t = S.t;
    var text;
    switch (env.code) {
      case 'rate_limited':
        text = t.rateLimited;
        break;
      case 'not_ready':
        text = t.notReady;
        break;
      default:
        text = t.failed;
    }
    if (global.console && console.warn) {
      console.warn('faqbot: server error', env.code, env.message || '');
    }
    showAlert(text, env.retry_after_ms);
  }

  /* ------------------------------------------------------------------ */
  /* Rendering                                                           */
  /* ------------------------------------------------------------------ */

  function clearConversation() {
    var msgs = S.els.msgs;
    while (msgs.firstChild) {
      msgs.removeChild(msgs.firstChild);
    }
    S.byId = {};
  }

  function botRow(kind, id) {
    var row = el('div', 'fqb-row fqb-row-bot');
    row.setAttribute('data-kind', kind);
    if (id) {
      row.setAttribute('data-id', id);
      S.byId[id] = row;
    }
    return row;
  }

  function bubble(row, text) {
    var b = el('div', 'fqb-bubble');
    var isBot = row.classList.contains('fqb-row-bot');
    b.appendChild(srOnly(isBot ? S.t.bot + ' ' : S.t.you + ' '));
    var body = el('div', 'fqb-text');
    appendLinkified(body, text);
    b.appendChild(body);
    row.appendChild(b);
    return b;
  }

  function customerRow(text, id) {
    var row = el('div', 'fqb-row fqb-row-customer');
    row.setAttribute('data-kind', 'customer');
    if (id) {
      row.setAttribute('data-id', id);
      S.byId[id] = row;
    }
    bubble(row, text);
    return row;
  }

  function markPending(row, on) {
    row.classList.toggle('fqb-pending', !!on);
    var note = row.querySelector('.fqb-pending-note');
    if (on && !note) {
      row.appendChild(el('div', 'fqb-pending-note', S.t.pending));
    } else if (!on && note) {
      note.parentNode.removeChild(note);
    }
  }

  function chipGroup(label, items, cls) {
    var g = el('div', 'fqb-chips ' + (cls || ''));
    g.setAttribute('role', 'group');
    if (label) {
      g.setAttribute('aria-label', label);
      g.appendChild(el('div', 'fqb-chips-label', label));
    }
    var wrap = el('div', 'fqb-chips-wrap');
    for (var i = 0; i < items.length; i++) {
      var text = items[i];
      if (typeof text !== 'string' || !text) {
        continue;
      }
      var b = el('button', 'fqb-chip', text);
      b.type = 'button';
      b.addEventListener('click', sendTextHandler(text));
      wrap.appendChild(b);
    }
    g.appendChild(wrap);
    return g;
  }

  function sendTextHandler(text) {
    return function () {
      sendText(text);
      if (S.mounted) {
        S.els.input.focus();
      }
    };
  }

  function linkChips(links) {
    var wrap = el('div', 'fqb-links');
    for (var i = 0; i < links.length; i++) {
      var l = links[i];
      if (!l || typeof l !== 'object') {
        continue;
      }
      var href = safeHref(l.url);
      if (!href) {
        continue;
      }
      var a = el('a', 'fqb-link-chip');
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.appendChild(el('span', null, l.title || l.url));
      a.appendChild(icon('external'));
      a.appendChild(srOnly(' ' + S.t.newTab));
      wrap.appendChild(a);
    }
    return wrap.firstChild ? wrap : null;
  }

  function feedbackBar(answerId) {
    var t = S.t;
    var bar = el('div', 'fqb-feedback');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', t.wasHelpful);
    bar.appendChild(el('span', 'fqb-feedback-q', t.wasHelpful));
    var up = el('button', 'fqb-fb', '👍');
    up.type = 'button';
    up.setAttribute('aria-label', t.helpful);
    up.title = t.helpful;
    up.setAttribute('data-value', 'up');
    var down = el('button', 'fqb-fb', '👎');
    down.type = 'button';
    down.setAttribute('aria-label', t.notHelpful);
    down.title = t.notHelpful;
    down.setAttribute('data-value', 'down');
    var thanks = el('span', 'fqb-thanks', t.thanks);
    thanks.hidden = true;
    bar.appendChild(up);
    bar.appendChild(down);
    bar.appendChild(thanks);
    function choose(value) {
      return function () {
        if (S.feedback[answerId]) {
          return;
        }
        S.feedback[answerId] = value;
        applyFeedback(answerId, value);
        sendFrame({ v: 1, type: 'feedback', reply_to: answerId, value: value });
        announce(t.thanks);
      };
    }
    up.addEventListener('click', choose('up'));
    down.addEventListener('click', choose('down'));
    return bar;
  }

  function applyFeedback(answerId, value) {
    var row = S.byId[answerId];
    if (!row) {
      return;
    }
    var bar = row.querySelector('.fqb-feedback');
    if (!bar) {
      return;
    }
    var btns = bar.querySelectorAll('.fqb-fb');
    for (var i = 0; i < btns.length; i++) {
      var chosen = btns[i].getAttribute('data-value') === value;
      btns[i].disabled = true;
      btns[i].setAttribute('aria-pressed', chosen ? 'true' : 'false');
      btns[i].classList.toggle('fqb-fb-chosen', chosen);
    }
    bar.querySelector('.fqb-feedback-q').hidden = true;
    bar.querySelector('.fqb-thanks').hidden = false;
  }

  /* "Did this solve it? Yes / No" under an answer; only the latest answer keeps it. */
  function resolvedBar(answerId) {
    var t = S.t;
    var bar = el('div', 'fqb-resolved');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', t.solvedQ);
    bar.appendChild(el('span', 'fqb-resolved-q', t.solvedQ));
    function add(value, label) {
      var b = el('button', 'fqb-resolved-btn', label);
      b.type = 'button';
      b.setAttribute('data-value', value ? 'yes' : 'no');
      b.addEventListener('click', function () {
        if (Object.prototype.hasOwnProperty.call(S.resolved, answerId)) {
          return;
        }
        S.resolved[answerId] = value;
        applyResolved(answerId);
        if (sendFrame({ v: 1, type: 'resolved', reply_to: answerId, value: value })) {
          showTyping();
        }
      });
      bar.appendChild(b);
    }
    add(true, t.yes);
    add(false, t.no);
    if (Object.prototype.hasOwnProperty.call(S.resolved, answerId)) {
      bar.hidden = true;
    }
    return bar;
  }

  function applyResolved(answerId) {
    var row = S.byId[answerId];
    var bar = row && row.querySelector('.fqb-resolved');
    if (bar) {
      bar.hidden = true;
    }
  }

  function latestResolved() {
    var bars = S.els.msgs.querySelectorAll('.fqb-resolved');
    for (var i = 0; i < bars.length - 1; i++) {
      bars[i].hidden = true;
    }
  }

  /* The end-of-chat survey: CSAT 1-5 and CES 1-7, one tap each. */
  function surveyCard() {
    var t = S.t;
    var card = el('div', 'fqb-survey');
    function scale(name, question, n, low, high) {
      var g = el('div', 'fqb-scale');
      g.setAttribute('role', 'group');
      g.setAttribute('aria-label', question);
      g.setAttribute('data-scale', name);
      g.appendChild(el('div', 'fqb-scale-q', question));
      var btns = el('div', 'fqb-scale-btns');
      for (var i = 1; i <= n; i++) {
        var b = el('button', 'fqb-scale-btn', String(i));
        b.type = 'button';
        b.setAttribute('data-value', String(i));
        b.setAttribute('aria-label', i + (i === 1 ? ' – ' + low : i === n ? ' – ' + high : ''));
        b.addEventListener('click', rate(name, i));
        btns.appendChild(b);
      }
      g.appendChild(btns);
      var ends = el('div', 'fqb-scale-ends');
      ends.appendChild(el('span', null, low));
      ends.appendChild(el('span', null, high));
      g.appendChild(ends);
      card.appendChild(g);
    }
    scale('csat', t.csatQ, 5, t.csatLow, t.csatHigh);
    scale('ces', t.cesQ, 7, t.cesLow, t.cesHigh);
    var thanks = el('div', 'fqb-survey-thanks', t.surveyThanks);
    thanks.hidden = true;
    card.appendChild(thanks);
    applySurvey(card);
    return card;
  }

  function rate(name, value) {
    return function () {
      if (S.rated[name]) {
        return;
      }
      S.rated[name] = value;
      var frame = { v: 1, type: 'survey' };
      frame[name] = value;
      sendFrame(frame);
      applySurveys();
      if (S.rated.csat && S.rated.ces) {
        announce(S.t.surveyThanks);
      }
    };
  }

  function noteSurvey(env) {
    if (env.csat >= 1) {
      S.rated.csat = env.csat;
    }
    if (env.ces >= 1) {
      S.rated.ces = env.ces;
    }
    applySurveys();
  }

  function applySurvey(card) {
    var scales = card.querySelectorAll('.fqb-scale');
    for (var i = 0; i < scales.length; i++) {
      var given = S.rated[scales[i].getAttribute('data-scale')];
      var btns = scales[i].querySelectorAll('.fqb-scale-btn');
      for (var j = 0; j < btns.length; j++) {
        var chosen = given && btns[j].getAttribute('data-value') === String(given);
        btns[j].disabled = !!given;
        btns[j].classList.toggle('fqb-scale-chosen', !!chosen);
        btns[j].setAttribute('aria-pressed', chosen ? 'true' : 'false');
      }
    }
    card.querySelector('.fqb-survey-thanks').hidden = !(S.rated.csat && S.rated.ces);
  }

  function applySurveys() {
    if (!S.mounted) {
      return;
    }
    var cards = S.els.root.querySelectorAll('.fqb-survey');
    for (var i = 0; i < cards.length; i++) {
      applySurvey(cards[i]);
    }
  }

  /* On close, once per conversation: the survey beside the launcher, when an answer was shown. */
  function offerSurvey() {
    var E = S.els;
    var key = 'faqbot.surveyed.' + (storageGet('localStorage', tokenKey()) || '');
    if (!S.answered || (S.rated.csat && S.rated.ces) || S.asked || storageGet('sessionStorage', key)) {
      return;
    }
    S.asked = true;
    storageSet('sessionStorage', key, '1');
    while (E.surveyPop.childNodes.length > 1) {
      E.surveyPop.removeChild(E.surveyPop.lastChild);
    }
    E.surveyPop.appendChild(el('div', 'fqb-survey-title', S.t.survey));
    E.surveyPop.appendChild(surveyCard());
    E.surveyPop.hidden = false;
  }

  function clarifyOptions(env) {
    var g = el('div', 'fqb-options');
    g.setAttribute('role', 'group');
    g.setAttribute('aria-label', env.text || S.t.didYouMean);
    var cands = Array.isArray(env.candidates) ? env.candidates : [];
    function add(entry, label, extraCls) {
      var b = el('button', 'fqb-option' + (extraCls ? ' ' + extraCls : ''), label);
      b.type = 'button';
      b.setAttribute('data-entry', entry === null ? '' : entry);
      b.addEventListener('click', function () {
        choose(env.id, entry, label);
      });
      g.appendChild(b);
    }
    for (var i = 0; i < cands.length; i++) {
      var c = cands[i];
      if (c && typeof c.question === 'string') {
        add(c.entry === undefined ? null : c.entry, c.question);
      }
    }
    add(null, S.t.noneOfThese, 'fqb-option-none');
    return g;
  }

  function choose(clarifyId, entry, label) {
    if (Object.prototype.hasOwnProperty.call(S.chosen, clarifyId)) {
      return;
    }
    S.chosen[clarifyId] = entry;
    applyChoice(clarifyId, entry);
    var row = customerRow(label);
    S.els.msgs.appendChild(row);
    retireOptions(row);
    var sent = sendFrame({ v: 1, type: 'choose', reply_to: clarifyId, entry: entry }, row);
    if (sent) {
      showTyping();
    }
    scrollToEnd();
    S.els.input.focus();
  }

  function applyChoice(clarifyId, entry) {
    var row = S.byId[clarifyId];
    if (!row) {
      return;
    }
    var btns = row.querySelectorAll('.fqb-option');
    for (var i = 0; i < btns.length; i++) {
      var e = btns[i].getAttribute('data-entry');
      var chosen = e === (entry === null ? '' : entry);
      btns[i].disabled = true;
      btns[i].classList.toggle('fqb-option-chosen', chosen);
      btns[i].setAttribute('aria-pressed', chosen ? 'true' : 'false');
    }
  }

  /*
   * Once the customer says something new, older quick replies and fallback
   * suggestions are removed and unanswered did-you-mean buttons are disabled.
   * The welcome suggestions stay.
   */
  function retireOptions(keep) {
    var msgs = S.els.msgs;
    var quick = msgs.querySelectorAll('.fqb-quick');
    for (var i = 0; i < quick.length; i++) {
      if (!keep || !keep.contains(quick[i])) {
        quick[i].parentNode.removeChild(quick[i]);
      }
    }
    var opts = msgs.querySelectorAll('.fqb-option:not([disabled])');
    for (var j = 0; j < opts.length; j++) {
      opts[j].disabled = true;
    }
    var pairs = msgs.querySelectorAll('.fqb-resolved');
    for (var k = 0; k < pairs.length; k++) {
      pairs[k].hidden = true;
    }
  }

  function renderMessage(env, live) {
    if (typeof env.text !== 'string') {
      return null;
    }
    if (env.id && S.byId[env.id]) {
      return S.byId[env.id]; /* already shown */
    }
    var row;
    if (!env.from || env.from === 'customer') {
      row = customerRow(env.text, env.id);
      retireOptions(null);
    } else {
      row = botRow('message', env.id);
      row.classList.add('fqb-from-' + String(env.from).replace(/[^a-z0-9_-]/gi, ''));
      bubble(row, env.text);
    }
    S.els.msgs.appendChild(row);
    if (live) {
      scrollToEnd();
    }
    return row;
  }

  /* Renders one envelope; live=false when replaying a transcript. */
  function render(env, live) {
    if (!S.mounted) {
      return;
    }
    var row = null;
    switch (env.type) {
      case 'message':
        renderMessage(env, live);
        return;
      case 'feedback':
        if (env.reply_to && (env.value === 'up' || env.value === 'down')) {
          S.feedback[env.reply_to] = env.value;
          applyFeedback(env.reply_to, env.value);
        }
        return;
      case 'choose':
        if (env.reply_to && !Object.prototype.hasOwnProperty.call(S.chosen, env.reply_to)) {
          S.chosen[env.reply_to] = env.entry === undefined ? null : env.entry;
        }
        renderChoiceFromTranscript(env);
        return;
      case 'resolved':
        if (env.reply_to && typeof env.value === 'boolean') {
          S.resolved[env.reply_to] = env.value;
          applyResolved(env.reply_to);
        }
        return;
      case 'survey':
        noteSurvey(env);
        return;
      case 'answer':
        if (env.id && S.byId[env.id]) {
          return;
        }
        /* kind: answer (a solution), ask (a question for a fact), handoff, ticket, info */
        var kind = /^(ask|handoff|ticket|info)$/.test(env.kind) ? env.kind : 'answer';
        row = botRow(kind, env.id);
        bubble(row, env.text);
        if (Array.isArray(env.links) && env.links.length) {
          var links = linkChips(env.links);
          if (links) {
            row.appendChild(links);
          }
        }
        if (Array.isArray(env.quick_replies) && env.quick_replies.length) {
          row.appendChild(chipGroup(null, env.quick_replies, 'fqb-quick'));
        }
        if (env.id && kind === 'answer') {
          row.appendChild(feedbackBar(env.id));
          row.appendChild(resolvedBar(env.id));
          S.answered = true;
        }
        if (env.survey === true) {
          row.appendChild(surveyCard());
        }
        break;
      case 'clarify':
        if (env.id && S.byId[env.id]) {
          return;
        }
        row = botRow('clarify', env.id);
        bubble(row, env.text || S.t.didYouMean);
        row.appendChild(clarifyOptions(env));
        break;
      case 'agent_msg':
        if (env.id && S.byId[env.id]) {
          return;
        }
        row = agentRow(env);
        break;
      case 'fallback':
        if (env.id && S.byId[env.id]) {
          return;
        }
        row = botRow('fallback', env.id);
        bubble(row, env.text);
        if (Array.isArray(env.suggestions) && env.suggestions.length) {
          row.appendChild(chipGroup(null, env.suggestions, 'fqb-quick'));
        }
        break;
      default:
        return; /* hello, typing, notice and unknown types are not shown in the list */
    }
    S.els.msgs.appendChild(row);
    if (env.id && S.feedback[env.id]) {
      applyFeedback(env.id, S.feedback[env.id]);
    }
    latestResolved();
    if (env.id && Object.prototype.hasOwnProperty.call(S.chosen, env.id)) {
      applyChoice(env.id, S.chosen[env.id]);
    }
    if (live) {
      var parts = [env.text];
      if (env.type === 'clarify' && Array.isArray(env.candidates)) {
        for (var i = 0; i < env.candidates.length; i++) {
          if (env.candidates[i] && env.candidates[i].question) {
            parts.push(env.candidates[i].question);
          }
        }
      }
      announce(parts.join(' '));
      bumpUnread();
      scrollToReply(row);
    }
  }

  function renderChoiceFromTranscript(env) {
    var row = S.byId[env.reply_to];
    applyChoice(env.reply_to, env.entry === undefined ? null : env.entry);
    var label = S.t.noneOfThese;
    if (row && env.entry !== null && env.entry !== undefined) {
      var btns = row.querySelectorAll('.fqb-option');
      for (var i = 0; i < btns.length; i++) {
        if (btns[i].getAttribute('data-entry') === env.entry) {
          label = btns[i].textContent;
        }
      }
    }
    S.els.msgs.appendChild(customerRow(label));
  }

  /* ------------------------------------------------------------------ */
  /* Status: typing indicator, notices, alerts, announcements            */
  /* ------------------------------------------------------------------ */

  /* The typing dots: the bot's after a message, or a person's (who: their name). */
  function showTyping(who) {
    if (!S.mounted) {
      return;
    }
    var E = S.els;
    var label = who ? fill(S.t.agentTyping, 'name', who) : '';
    E.typing.classList.toggle('fqb-typing-agent', !!who);
    E.typingLabel.hidden = !who;
    E.typingLabel.textContent = label;
    E.typingWho.textContent = who ? '' : S.t.typing;
    E.typing.hidden = false;
    scrollToEnd();
    global.clearTimeout(S.replyTimer);
    S.replyTimer = global.setTimeout(hideTyping, who ? 2 * REPLY_TIMEOUT_MS : REPLY_TIMEOUT_MS);
  }

  function hideTyping() {
    global.clearTimeout(S.replyTimer);
    S.replyTimer = null;
    if (S.mounted) {
      S.els.typing.hidden = true;
    }
  }

  function showNotice(text) {
    if (!S.mounted || typeof text !== 'string' || !text) {
      return;
    }
    S.els.noticeText.textContent = text;
    S.els.notice.hidden = false;
    announce(text);
  }

  var alertTimer = null;

  function showAlert(text, ms) {
    if (!S.mounted) {
      return;
    }
    var a = S.els.alert;
    a.textContent = text;
    a.hidden = false;
    announce(text);
    global.clearTimeout(alertTimer);
    alertTimer = global.setTimeout(function () {
      if (S.mounted) {
        S.els.alert.hidden = true;
      }
    }, Math.max(6000, Number(ms) || 0));
  }

  function announce(text) {
    if (!S.mounted || !text) {
      return;
    }
    var live = S.els.live;
    /* clear first so that the same text is announced again */
    live.textContent = '';
    global.setTimeout(function () {
      if (S.mounted && S.els.live === live) {
        live.textContent = text;
      }
    }, 50);
  }

  function bumpUnread() {
    if (S.mounted && !S.isOpen) {
      S.els.badge.hidden = false;
    }
  }

  function scrollToEnd() {
    if (!S.mounted) {
      return;
    }
    var list = S.els.list;
    list.scrollTop = list.scrollHeight;
    S.stick = true;
  }

  /* Shows a new reply: its start stays in view when it is taller than the list. */
  function scrollToReply(row) {
    var list = S.els.list;
    var top = row.offsetTop - 12;
    if (row.offsetHeight + 24 > list.clientHeight && top > list.scrollTop) {
      list.scrollTop = top;
      S.stick = false;
    } else {
      scrollToEnd();
    }
  }

  /* ------------------------------------------------------------------ */
  /* Outgoing                                                            */
  /* ------------------------------------------------------------------ */

  function submitInput() {
    var input = S.els.input;
    var text = input.value.replace(/^\s+|\s+$/g, '');
    if (!text) {
      return;
    }
    if (sendText(text)) {
      input.value = '';
      autosize();
    }
  }

  /* Sends a customer message; returns false if it was refused (too long). */
  function sendText(text) {
    mount();
    text = String(text);
    if (!text) {
      return false;
    }
    if (utf8Length(text) > MAX_TEXT_BYTES) {
      showAlert(S.t.tooLong);
      return false;
    }
    if (!S.isOpen) {
      openPanel(false);
    }
    typingStop();
    var id = newClientId();
    var row = customerRow(text, id);
    S.els.msgs.appendChild(row);
    retireOptions(row);
    if (sendFrame({ v: 1, type: 'message', id: id, text: text }, row) && !withPerson()) {
      showTyping();
    }
    scrollToEnd();
    return true;
  }

  /*
   * The "Talk to a person" button: a `handoff` frame. The server answers with
   * handoff_status (queued with a place and a wait, a ticket when nobody can
   * take the chat live). Keep every caller going through here.
   */
  function requestHuman() {
    mount();
    if (!S.isOpen) {
      openPanel(false);
    }
    if (withPerson()) {
      return;
    }
    typingStop();
    setHandoff({ state: 'pending' }, false);
    sendFrame({ v: 1, type: 'handoff' });
    S.els.input.focus();
    /* a server that never answers must not leave the button disabled */
    global.clearTimeout(S.handoffTimer);
    S.handoffTimer = global.setTimeout(function () {
      if (S.handoff === 'pending') {
        setHandoff({ state: 'bot' }, false);
        showAlert(S.t.failed);
      }
    }, HANDOFF_TIMEOUT_MS);
  }

  /* "Leave a message instead": a ticket the customer can quote, instead of waiting. */
  function leaveMessage() {
    sendFrame({ v: 1, type: 'handoff', leave_message: true });
  }

  /* Back to the bot from the queue or a ticket. */
  function cancelHandoff() {
    sendFrame({ v: 1, type: 'cancel_handoff' });
  }

  function withPerson() {
    return S.handoff === 'pending' || S.handoff === 'queued' || S.handoff === 'assigned' || S.handoff === 'ticket';
  }

  function fill(template, key, value) {
    return String(template).replace('{' + key + '}', value);
  }

  /* Show where the conversation stands with a person (env: a handoff_status, or {state}). */
  function setHandoff(env, live) {
    var state = /^(pending|queued|assigned|ticket)$/.test(env.state) ? env.state : 'bot';
    var changed = state !== S.handoff;
    S.handoff = state;
    if (typeof env.agent_name === 'string' && env.agent_name) {
      S.agentName = env.agent_name;
    }
    if (!S.mounted) {
      return;
    }
    var E = S.els;
    var t = S.t;
    var head = '';
    var detail = '';
    var wait = env.wait && typeof env.wait === 'object' ? env.wait : null;
    if (state === 'pending') {
      head = t.reaching;
    } else if (state === 'queued') {
      head = fill(t.queuedHead, 'n', env.position || 1);
      if (wait && typeof wait.minutes === 'number') {
        detail = wait.confident && wait.minutes === 1 ? t.waitAbout1 :
          fill(wait.confident ? t.waitAbout : t.waitMore, 'm', wait.minutes);
      }
    } else if (state === 'assigned') {
      head = fill(t.withAgent, 'name', S.agentName || t.agent);
    } else if (state === 'ticket') {
      head = fill(t.ticketHead, 'ref', env.ticket || '');
      detail = t.ticketDetail;
    }
    var text = detail ? head + '. ' + detail : head;
    E.handoff.hidden = state === 'bot';
    E.handoff.setAttribute('data-state', state);
    E.handoffHead.textContent = head;
    E.handoffDetail.textContent = detail ? ' ' + detail : '';
    E.handoffDetail.hidden = !detail;
    E.leave.hidden = state !== 'queued';
    E.backToBot.hidden = state !== 'queued' && state !== 'ticket';
    E.human.disabled = state !== 'bot';
    E.human.setAttribute('aria-disabled', state !== 'bot' ? 'true' : 'false');
    E.title.textContent = state === 'assigned' && S.agentName ? S.agentName : (S.opts.title || t.title);
    if (state !== 'assigned') {
      hideTyping();
    }
    if (live && changed && typeof env.text === 'string' && env.text && state !== 'queued') {
      systemRow(env.text);
    }
    if (live && (changed || state === 'queued')) {
      announce(state === 'queued' || !env.text ? text : env.text);
    }
  }

  function onHandoffStatus(env) {
    if (env.state === 'resolved' || env.state === 'bot') {
      var was = S.handoff;
      setHandoff({ state: 'bot' }, false);
      if (was !== 'bot' && env.text) {
        systemRow(env.text);
        announce(env.text);
      }
      return;
    }
    setHandoff(env, true);
    hideTyping();
    scrollToEnd();
  }

  /* A line from the service itself (an agent joined, the chat was closed). */
  function systemRow(text) {
    var row = el('div', 'fqb-row fqb-row-system');
    row.setAttribute('data-kind', 'system');
    row.appendChild(el('p', 'fqb-system', text));
    S.els.msgs.appendChild(row);
    scrollToEnd();
  }

  /* A message from the agent: their name above the bubble. */
  function agentRow(env) {
    var row = botRow('agent', env.id || null);
    var name = env.agent_name || S.agentName || S.t.agent;
    row.appendChild(el('div', 'fqb-agent-name', name));
    var b = el('div', 'fqb-bubble');
    b.appendChild(srOnly(name + ': '));
    var body = el('div', 'fqb-text');
    appendLinkified(body, typeof env.text === 'string' ? env.text : '');
    b.appendChild(body);
    row.appendChild(b);
    return row;
  }

  function typingActivity() {
    if (!S.ready) {
      return;
    }
    var hasText = S.els.input.value.length > 0;
    if (hasText && !S.typingOn) {
      S.typingOn = rawSend({ v: 1, type: 'typing', on: true });
    }
    global.clearTimeout(S.typingIdle);
    S.typingIdle = global.setTimeout(typingStop, TYPING_IDLE_MS);
    if (!hasText) {
      typingStop();
    }
  }

  function typingStop() {
    global.clearTimeout(S.typingIdle);
    S.typingIdle = null;
    if (S.typingOn) {
      S.typingOn = false;
      rawSend({ v: 1, type: 'typing', on: false });
    }
  }

  /* ------------------------------------------------------------------ */
  /* Public API                                                          */
  /* ------------------------------------------------------------------ */

  function configure(opts) {
    opts = opts || {};
    var prevLang = S.mounted ? S.lang : null;
    var merged = {};
    var k;
    for (k in S.opts) {
      if (Object.prototype.hasOwnProperty.call(S.opts, k)) {
        merged[k] = S.opts[k];
      }
    }
    for (k in opts) {
      if (Object.prototype.hasOwnProperty.call(opts, k)) {
        merged[k] = opts[k];
      }
    }
    S.opts = merged;

    if (prevLang !== null && pickLang(S.opts.lang) !== prevLang) {
      /* new UI language: rebuild the DOM; the next welcome refills it */
      var wasOpen = S.isOpen;
      var hadFocus = S.els.root.contains(document.activeElement);
      unmount();
      S.isOpen = false;
      mount();
      if (wasOpen) {
        openPanel(hadFocus);
      }
    }
    /* scene, context or language changed: say hello again */
    if (S.ws && S.helloKey !== helloKey()) {
      reconnectNow();
    }
  }

  function whenReady(fn) {
    if (document.body) {
      fn();
    } else {
      document.addEventListener('DOMContentLoaded', fn);
    }
  }

  var listening = false;

  function listen() {
    if (listening) {
      return;
    }
    listening = true;
    global.addEventListener('online', wakeUp);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') {
        wakeUp();
      }
    });
  }

  var api = {
    version: VERSION,

    /* Mounts the launcher without opening the panel. Re-opens the panel if it was
       open before a page load in this tab. */
    init: function (opts) {
      whenReady(function () {
        configure(opts);
        mount();
        listen();
        if (!S.isOpen && storageGet('sessionStorage', 'faqbot.open') === '1') {
          openPanel(false);
        }
      });
      return api;
    },

    /* Mounts the widget (if needed), opens the panel and connects. */
    open: function (opts) {
      whenReady(function () {
        configure(opts);
        mount();
        listen();
        openPanel(true);
      });
      return api;
    },

    close: function () {
      closePanel(false);
      return api;
    },

    isOpen: function () {
      return S.isOpen;
    },

    /* Sends a customer message as if typed. */
    send: function (text) {
      whenReady(function () {
        listen();
        sendText(text);
      });
      return api;
    },

    /* The customer is now on another page (single-page apps): scene and context for the rest of the chat. */
    setScene: function (scene, context) {
      whenReady(function () {
        S.opts.scene = scene;
        if (context !== undefined) {
          S.opts.context = context;
        }
        if (S.ws && S.ready) {
          sendScene();
        }
      });
      return api;
    },

    talkToHuman: function () {
      whenReady(function () {
        listen();
        requestHuman();
      });
      return api;
    }
  };

  global.faqbot = api;
})(window);
