/*
 * Demo shop glue: page translation (EN/中文) and the faqbot widget.
 *
 * Each page declares its scene and context on <body>:
 *   <body data-scene="order_detail" data-context='{"order": {...}}'>
 * An optional data-context-zh holds fields that differ in Chinese (merged over
 * data-context). Elements carry their Chinese text in data-zh (and
 * data-zh-placeholder / data-zh-label / data-zh-alt for attributes); the English text is the
 * element's own.
 */
(function () {
  'use strict';

  var LANG_KEY = 'shop.lang';
  var CUSTOMER = { id: 'demo-customer', name: 'Alex Chen' };

  function storedLang() {
    try {
      return localStorage.getItem(LANG_KEY);
    } catch (e) {
      return null;
    }
  }

  function currentLang() {
    var l = storedLang() || navigator.language || 'en';
    return String(l).toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en';
  }

  function parseJson(text) {
    if (!text) {
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      if (window.console) {
        console.warn('shop: invalid JSON in data-context', e);
      }
      return null;
    }
  }

  function pageContext(lang) {
    var body = document.body;
    var ctx = parseJson(body.getAttribute('data-context')) || {};
    if (lang === 'zh') {
      var zh = parseJson(body.getAttribute('data-context-zh'));
      if (zh) {
        for (var k in zh) {
          if (Object.prototype.hasOwnProperty.call(zh, k)) {
            ctx[k] = zh[k];
          }
        }
      }
    }
    return ctx;
  }

  function widgetOptions(lang) {
    return {
      scene: document.body.getAttribute('data-scene') || 'home',
      context: pageContext(lang),
      customer: CUSTOMER,
      lang: lang
    };
  }

  function translate(lang) {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    var nodes = document.querySelectorAll('[data-zh]');
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!n.hasAttribute('data-en')) {
        n.setAttribute('data-en', n.textContent);
      }
      n.textContent = n.getAttribute(lang === 'zh' ? 'data-zh' : 'data-en');
    }
    var attrs = [['data-zh-placeholder', 'placeholder'], ['data-zh-label', 'aria-label'], ['data-zh-alt', 'alt']];
    for (var a = 0; a < attrs.length; a++) {
      var list = document.querySelectorAll('[' + attrs[a][0] + ']');
      for (var j = 0; j < list.length; j++) {
        var m = list[j];
        var enKey = 'data-en-' + attrs[a][1];
        if (!m.hasAttribute(enKey)) {
          m.setAttribute(enKey, m.getAttribute(attrs[a][1]) || '');
        }
        m.setAttribute(attrs[a][1], m.getAttribute(lang === 'zh' ? attrs[a][0] : enKey));
      }
    }
    var switches = document.querySelectorAll('[data-lang]');
    for (var s = 0; s < switches.length; s++) {
      switches[s].setAttribute('aria-pressed', switches[s].getAttribute('data-lang') === lang ? 'true' : 'false');
    }
  }

  function setLang(lang) {
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch (e) {
      /* not remembered across pages */
    }
    translate(lang);
    if (window.faqbot) {
      window.faqbot.init(widgetOptions(lang));
    }
  }

  function markCurrentNav() {
    var here = location.pathname.split('/').pop() || 'index.html';
    var links = document.querySelectorAll('.nav a');
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute('href') === here) {
        links[i].setAttribute('aria-current', 'page');
      }
    }
  }

  function wireDemoForms() {
    var forms = document.querySelectorAll('form[data-demo-form]');
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('submit', function (ev) {
        ev.preventDefault();
        var out = this.querySelector('.form-result');
        if (out) {
          out.hidden = false;
          out.focus();
        }
      });
    }
    var add = document.querySelectorAll('[data-add-to-cart]');
    for (var j = 0; j < add.length; j++) {
      add[j].addEventListener('click', function () {
        var count = document.querySelector('.cart-count');
        if (count) {
          count.textContent = String(Number(count.textContent || '0') + 1);
          count.hidden = false;
        }
        var msg = document.querySelector('.added-msg');
        if (msg) {
          msg.hidden = false;
        }
      });
    }
  }

  function start() {
    var lang = currentLang();
    translate(lang);
    markCurrentNav();
    wireDemoForms();

    var switches = document.querySelectorAll('[data-lang]');
    for (var i = 0; i < switches.length; i++) {
      switches[i].addEventListener('click', function () {
        setLang(this.getAttribute('data-lang'));
      });
    }

    if (!window.faqbot) {
      if (window.console) {
        console.warn('shop: faqbot widget script not loaded');
      }
      return;
    }
    window.faqbot.init(widgetOptions(lang));

    var openers = document.querySelectorAll('[data-open-chat]');
    for (var j = 0; j < openers.length; j++) {
      openers[j].addEventListener('click', function () {
        window.faqbot.open(widgetOptions(currentLang()));
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
