// Bellwether web app: progressive enhancement only. Every form and link works without this
// file; with it, the inbox reviews, explain and what-if answer in place without a reload.
(function () {
  'use strict';

  var main = document.getElementById('main');
  var csrf = main ? main.getAttribute('data-csrf') : '';

  function fetchHtml(url, options) {
    options = options || {};
    options.headers = Object.assign({ 'X-Requested-With': 'fetch' }, options.headers || {});
    options.credentials = 'same-origin';
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        window.location.assign('/app/login?next=' + encodeURIComponent(window.location.pathname + window.location.search));
        throw new Error('signed out');
      }
      return response.text().then(function (html) {
        return { ok: response.ok, html: html };
      });
    });
  }

  function setHtml(element, html) {
    var template = document.createElement('template');
    template.innerHTML = html;
    element.replaceChildren(template.content);
  }

  // Inbox: accept and reject in place; the outcome (with the probability change) replaces the item's forms.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('js-inline')) return;
    event.preventDefault();
    var article = form.closest('.signal');
    var outcome = article && article.querySelector('.signal__outcome');
    var buttons = article ? article.querySelectorAll('button') : [];
    buttons.forEach(function (button) { button.disabled = true; });
    fetchHtml(form.action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
      body: new URLSearchParams(new FormData(form)).toString(),
    }).then(function (result) {
      if (result.ok && article) {
        article.querySelectorAll('form').forEach(function (each) { each.remove(); });
        article.classList.add('signal--done');
        var counter = document.querySelector('[data-testid="pending-count"]');
        if (counter) counter.textContent = String(Math.max(0, Number(counter.textContent) - 1));
      } else {
        buttons.forEach(function (button) { button.disabled = false; });
      }
      if (outcome) setHtml(outcome, result.html);
    }).catch(function () {
      buttons.forEach(function (button) { button.disabled = false; });
    });
  });

  // Prediction page: clicking a point of the chart explains the probability at that time.
  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[data-explain-at]') : null;
    if (!link) return;
    var figure = link.closest('[data-explain-url]');
    var slot = document.getElementById('explain-slot');
    if (!figure || !slot) return;
    event.preventDefault();
    var at = link.getAttribute('data-explain-at');
    var input = document.getElementById('explain-at');
    if (input) input.value = at.slice(0, 16);
    slot.setAttribute('aria-busy', 'true');
    fetchHtml(figure.getAttribute('data-explain-url') + '?at=' + encodeURIComponent(at)).then(function (result) {
      setHtml(slot, result.html);
      slot.removeAttribute('aria-busy');
      document.getElementById('explain').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    });
  });

  // Prediction page: explain form answers in place too.
  var explainForm = document.getElementById('explain-form');
  if (explainForm) {
    explainForm.addEventListener('submit', function (event) {
      var figure = document.querySelector('[data-explain-url]');
      var slot = document.getElementById('explain-slot');
      var input = document.getElementById('explain-at');
      if (!figure || !slot || !input || !input.value) return;
      event.preventDefault();
      fetchHtml(figure.getAttribute('data-explain-url') + '?at=' + encodeURIComponent(input.value + 'Z')).then(function (result) {
        setHtml(slot, result.html);
      });
    });
  }

  // Prediction page: ticking evidence off redraws the chart with the what-if line.
  var whatIf = document.getElementById('what-if');
  if (whatIf) {
    whatIf.addEventListener('change', function () {
      var params = new URLSearchParams(new FormData(whatIf));
      var slot = document.getElementById('chart-slot');
      fetchHtml(whatIf.getAttribute('data-chart-url') + '?' + params.toString()).then(function (result) {
        if (result.ok && slot) setHtml(slot, result.html);
        var query = params.toString();
        history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
      });
    });
  }

  // Badges that are verified on demand (long audit chains).
  document.querySelectorAll('[data-load]').forEach(function (element) {
    fetchHtml(element.getAttribute('data-load')).then(function (result) {
      setHtml(element, result.html);
    });
  });

  // Live pages: the overview, a prediction and the inbox listen for changes (Server-Sent Events) and
  // fetch themselves again, swapping each [data-live-region] by id; a region holding the focus (a
  // form being filled in) is left as it is. Without this script a reload shows the same.
  var topic = main ? main.getAttribute('data-live') : null;
  if (topic && window.EventSource) {
    var refreshing = false;
    var again = false;
    var refresh = function () {
      if (refreshing) { again = true; return; }
      refreshing = true;
      fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (!html) return;
        var fresh = new window.DOMParser().parseFromString(html, 'text/html');
        document.querySelectorAll('[data-live-region]').forEach(function (region) {
          var next = region.id ? fresh.getElementById(region.id) : null;
          // Kept: a region holding the focus, or an inbox outcome the reviewer is reading.
          if (!next || region.contains(document.activeElement) || region.querySelector('.signal--done')) return;
          region.replaceWith(document.importNode(next, true));
        });
        main.setAttribute('data-live-updated', new Date().toISOString());
      }).catch(function () { /* the next change tries again */ }).then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
    };
    var source = new window.EventSource('/app/live?topic=' + encodeURIComponent(topic));
    source.addEventListener('change', refresh);
    window.addEventListener('pagehide', function () { source.close(); });
  }

  document.documentElement.classList.add('js');
})();
