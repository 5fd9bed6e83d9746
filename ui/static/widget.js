// The chat widget. Everything from the server or the citizen is inserted with textContent (never as HTML).
// The conversation lives in sessionStorage: it survives a reload, not a closed tab.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('widget-config').textContent);
  var KEY = 'tthc-widget';
  var KEEP_TURNS = 40;
  var REASONS = ['Câu trả lời chưa đúng', 'Câu trả lời chưa đủ', 'Câu trả lời khó hiểu'];
  var log = document.getElementById('log');
  var suggest = document.getElementById('suggest');
  var typing = document.getElementById('typing');
  var form = document.getElementById('ask');
  var input = document.getElementById('q');
  var send = document.getElementById('send');
  var scroller = document.querySelector('.chat');
  var busy = false;
  var state = load();

  input.maxLength = config.max_question_chars;

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
      if (saved && Array.isArray(saved.turns)) return { turns: saved.turns, large: !!saved.large };
    } catch (e) { /* storage off or damaged: start afresh */ }
    return { turns: [], large: false };
  }

  function save() {
    state.turns = state.turns.slice(-KEEP_TURNS);
    try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: keep it in memory */ }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }

  // ---- text size ----
  var sizeNormal = document.getElementById('size-normal');
  var sizeLarge = document.getElementById('size-large');
  function applySize() {
    document.documentElement.classList.toggle('large', state.large);
    sizeNormal.setAttribute('aria-pressed', String(!state.large));
    sizeLarge.setAttribute('aria-pressed', String(state.large));
  }
  sizeNormal.addEventListener('click', function () { state.large = false; applySize(); save(); });
  sizeLarge.addEventListener('click', function () { state.large = true; applySize(); save(); });

  // ---- rendering ----
  function history() {
    var turns = [];
    state.turns.forEach(function (t) {
      turns.push({ role: 'user', content: t.q }, { role: 'assistant', content: t.a.answer });
    });
    return config.max_history_turns > 0 ? turns.slice(-config.max_history_turns) : [];
  }

  function userBubble(text) {
    var div = el('div', 'msg user');
    div.appendChild(el('span', 'sr-only', 'Bạn hỏi: '));
    div.appendChild(document.createTextNode(text));
    return div;
  }

  function answerBody(a) {
    // the answer's own last line names the sources as text; with citations we show them as links instead
    var lines = String(a.answer || '').split('\n');
    if ((a.citations || []).length && /^Nguồn:/.test(lines[lines.length - 1])) lines.pop();
    return lines.join('\n');
  }

  function sources(citations) {
    var box = el('div', 'sources');
    box.appendChild(el('h2', null, 'Nguồn'));
    var list = el('ul');
    citations.forEach(function (c) {
      var item = el('li');
      var label = c.code + ' — ' + c.title + (c.section ? ' (' + c.section + ')' : '');
      if (c.url) { // a procedure record: its citizen card on this server
        var link = el('a', null, label);
        link.href = '/thu-tuc/' + encodeURIComponent(c.code);
        link.target = '_blank';
        link.rel = 'noopener';
        link.appendChild(el('span', 'sr-only', ' (mở trong thẻ mới)'));
        item.appendChild(link);
      } else { // the plan and anything without a card stay text
        item.textContent = label;
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function choices(options) {
    var box = el('div', 'options');
    box.appendChild(el('h2', null, 'Chọn thủ tục bạn cần:'));
    var list = el('ul');
    options.forEach(function (o) {
      var item = el('li');
      var button = el('button', 'choice', o.name);
      button.type = 'button';
      button.dataset.code = o.code;
      if (o.note) button.appendChild(el('small', null, o.note));
      button.addEventListener('click', function () { ask(o.name + ' (mã ' + o.code + ')'); });
      item.appendChild(button);
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function vote(icon, label) { // the label is visible too: it reads the same with or without an emoji font
    var button = el('button', 'vote');
    button.type = 'button';
    button.setAttribute('aria-label', label);
    button.setAttribute('aria-pressed', 'false');
    var mark = el('span', 'icon', icon);
    mark.setAttribute('aria-hidden', 'true');
    button.appendChild(mark);
    button.appendChild(document.createTextNode(label));
    return button;
  }

  function rating(turn) {
    var box = el('div', 'rate');
    var thanks = el('p', 'thanks', 'Cảm ơn bạn đã đánh giá!');
    thanks.tabIndex = -1;
    if (turn.rated) {
      box.appendChild(thanks);
      return box;
    }
    box.appendChild(el('span', null, 'Câu trả lời có hữu ích không?'));
    var up = vote('👍', 'Hài lòng');
    var down = vote('👎', 'Chưa hài lòng');
    box.appendChild(up);
    box.appendChild(down);

    function done(rated) {
      turn.rated = rated;
      save();
      while (box.firstChild) box.removeChild(box.firstChild);
      box.appendChild(thanks);
      thanks.focus();
    }

    function fail(message) {
      var note = box.querySelector('.feedback-error') || box.appendChild(el('p', 'thanks feedback-error'));
      note.textContent = message;
    }

    up.addEventListener('click', function () {
      up.disabled = down.disabled = true;
      feedback(turn.a.answer_id, 'up', null).then(function () { done('up'); }, function (m) { up.disabled = down.disabled = false; fail(m); });
    });
    down.addEventListener('click', function () {
      down.setAttribute('aria-pressed', 'true');
      up.disabled = down.disabled = true;
      var why = whyForm(turn, function (comment) {
        return feedback(turn.a.answer_id, 'down', comment).then(function () { why.remove(); done('down'); }, fail);
      });
      box.appendChild(why);
      why.querySelector('input').focus();
    });
    return box;
  }

  function whyForm(turn, submit) {
    var id = 'why-' + turn.a.answer_id;
    var form = el('form', 'why');
    var fieldset = el('fieldset');
    fieldset.appendChild(el('legend', null, 'Điều gì chưa ổn? (không bắt buộc)'));
    REASONS.forEach(function (reason, i) {
      var label = el('label');
      var radio = el('input');
      radio.type = 'radio';
      radio.name = id;
      radio.value = reason;
      radio.id = id + '-' + i;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(reason));
      fieldset.appendChild(label);
    });
    var free = el('label', 'free', 'Góp ý thêm');
    var text = el('input');
    text.type = 'text';
    text.maxLength = config.max_comment_chars;
    text.autocomplete = 'off';
    free.appendChild(text);
    fieldset.appendChild(free);
    form.appendChild(fieldset);
    var actions = el('div', 'actions');
    var ok = el('button', 'primary', 'Gửi góp ý');
    ok.type = 'submit';
    var skip = el('button', 'secondary', 'Bỏ qua');
    skip.type = 'button';
    actions.appendChild(ok);
    actions.appendChild(skip);
    form.appendChild(actions);
    function go(withComment) {
      ok.disabled = skip.disabled = true;
      var chosen = form.querySelector('input[type=radio]:checked');
      var parts = withComment ? [chosen ? chosen.value : '', text.value.trim()].filter(Boolean) : [];
      submit(parts.length ? parts.join(' — ') : null).then(function () { ok.disabled = skip.disabled = false; });
    }
    form.addEventListener('submit', function (e) { e.preventDefault(); go(true); });
    skip.addEventListener('click', function () { go(false); });
    return form;
  }

  function botBubble(turn) {
    var a = turn.a;
    var div = el('div', 'msg bot');
    div.appendChild(el('span', 'sr-only', 'Trợ lý: '));
    div.appendChild(el('p', 'text', answerBody(a)));
    if ((a.citations || []).length) div.appendChild(sources(a.citations));
    if ((a.options || []).length) div.appendChild(choices(a.options));
    if (a.answer_id) div.appendChild(rating(turn));
    return div;
  }

  function errorBubble(message) {
    var div = el('div', 'msg bot error');
    div.setAttribute('role', 'alert');
    div.textContent = message;
    return div;
  }

  function render() {
    Array.prototype.slice.call(log.querySelectorAll('.msg:not(#welcome)')).forEach(function (n) { n.remove(); });
    state.turns.forEach(function (turn) {
      log.appendChild(userBubble(turn.q));
      log.appendChild(botBubble(turn));
    });
    suggest.hidden = state.turns.length > 0;
    scrollDown();
  }

  config.suggested_questions.forEach(function (question) {
    var button = el('button', 'suggestion', question);
    button.type = 'button';
    button.addEventListener('click', function () { ask(question); });
    suggest.appendChild(button);
  });

  // ---- talking to the server ----
  function failure(response, data) {
    if (response.status === 429) {
      var seconds = parseInt(response.headers.get('Retry-After') || '', 10);
      return 'Bạn hỏi nhanh quá, vui lòng thử lại sau ' + (seconds > 0 ? seconds : 30) + ' giây.';
    }
    if (response.status === 503) {
      return 'Hệ thống tra cứu đang tạm ngưng hoặc quá tải. Vui lòng thử lại sau ít phút.';
    }
    if (data && typeof data.detail === 'string') return data.detail;
    return 'Có lỗi khi xử lý câu hỏi. Vui lòng thử lại.';
  }

  function offline() {
    return navigator.onLine === false
      ? 'Bạn đang mất kết nối mạng. Vui lòng kiểm tra kết nối rồi gửi lại câu hỏi.'
      : 'Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng rồi thử lại.';
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          if (!response.ok) throw failure(response, data);
          return data;
        });
      }, function () { throw offline(); });
  }

  function feedback(answerId, rating, comment) {
    return post('/api/feedback', { answer_id: answerId, rating: rating, comment: comment });
  }

  function setBusy(on) {
    busy = on;
    send.disabled = on;
    typing.hidden = !on;
    Array.prototype.slice.call(document.querySelectorAll('.choice, .suggestion')).forEach(function (b) { b.disabled = on; });
    if (on) scrollDown();
  }

  function ask(question) {
    question = (question || '').trim();
    if (!question || busy) return;
    var previous = history();
    log.appendChild(userBubble(question));
    suggest.hidden = true;
    input.value = '';
    setBusy(true);
    var answered = null;
    post('/api/chat', { question: question, history: previous }).then(function (data) {
      var turn = {
        q: question,
        a: {
          answer: data.answer, citations: data.citations || [], options: data.options || [],
          answer_id: data.answer_id, refused: !!data.refused, clarification: !!data.clarification
        },
        rated: null
      };
      state.turns.push(turn);
      save();
      answered = log.appendChild(botBubble(turn));
    }, function (message) {
      log.appendChild(errorBubble(String(message)));
      input.value = question; // to send again without retyping
      suggest.hidden = state.turns.length > 0;
    }).then(function () {
      setBusy(false);
      input.focus({ preventScroll: true });
      // a long answer is read from its first line, under the question it answers
      var top = answered && (answered.previousElementSibling || answered);
      if (top) scroller.scrollTop = top.offsetTop - 8; else scrollDown();
    });
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); ask(input.value); });

  document.getElementById('clear').addEventListener('click', function () {
    state.turns = [];
    save();
    render();
    input.value = '';
    input.focus();
  });

  applySize();
  render();
})();
