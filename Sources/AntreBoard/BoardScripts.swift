extension BoardPages {
    /// The TV board: draws each `board` message, flashes each `call`, and plays each
    /// `announce` audio in order, one at a time (never two voices at once).
    static let tvScript = #"""
    (function () {
      'use strict';
      var $ = function (id) { return document.getElementById(id); };
      var view = null, lastShown = 0, queue = [], playing = false, zone = undefined;

      function text(el, value) { if (el.textContent !== value) el.textContent = value; }

      function setConnection(state) {
        document.body.setAttribute('data-connection', state);
        $('connection').hidden = state !== 'reconnecting';
      }

      function render(v) {
        view = v;
        zone = v.time_zone || undefined;
        text($('title'), v.title || v.office || 'Antrean');
        document.title = 'Antrean \u2013 ' + (v.title || v.office || '');
        var latest = v.calls[0];
        text($('latest-number'), latest ? latest.number : '\u2013');
        text($('latest-counter'), latest ? latest.counter_name : '\u00a0');
        text($('latest-service'), latest ? latest.service_name : '\u00a0');
        $('latest-recall').hidden = !(latest && latest.recall);
        var history = $('history');
        history.replaceChildren();
        var previous = v.calls.slice(1, 6);
        if (previous.length === 0) {
          var empty = document.createElement('li');
          empty.className = 'empty';
          empty.textContent = 'Belum ada';
          history.appendChild(empty);
        }
        previous.forEach(function (call) {
          var li = document.createElement('li');
          var n = document.createElement('span'); n.className = 'h-number'; n.textContent = call.number;
          var c = document.createElement('span'); c.className = 'h-counter'; c.textContent = call.counter_name;
          li.appendChild(n); li.appendChild(c);
          history.appendChild(li);
        });
        var services = $('services');
        services.replaceChildren();
        services.classList.toggle('many', v.services.length > 6);
        v.services.forEach(function (line) {
          var box = document.createElement('div'); box.className = 'service'; box.dataset.service = line.service;
          var name = document.createElement('div'); name.className = 's-name';
          var prefix = document.createElement('b'); prefix.className = 's-prefix'; prefix.textContent = line.prefix;
          name.appendChild(prefix); name.appendChild(document.createTextNode(' ' + line.name));
          var count = document.createElement('div'); count.className = 's-waiting'; count.textContent = line.waiting;
          var label = document.createElement('div'); label.className = 's-label'; label.textContent = 'menunggu';
          box.appendChild(name); box.appendChild(count); box.appendChild(label);
          services.appendChild(box);
        });
        var ticker = $('running-text');
        text(ticker, v.running_text || '');
        ticker.parentElement.hidden = !v.running_text;
        if (latest && lastShown === 0) lastShown = latest.sequence;  // a fresh page does not flash old calls
        setConnection(v.connection);
        tick();
      }

      function flash() {
        var panel = $('latest');
        panel.classList.remove('flash');
        void panel.offsetWidth;  // restart the animation for a recall of the same number
        panel.classList.add('flash');
      }

      function showCall(call) {
        if (call.sequence <= lastShown) return;
        lastShown = call.sequence;
        document.body.dataset.lastCall = String(call.sequence);
        text($('latest-number'), call.number);
        text($('latest-counter'), call.counter_name);
        text($('latest-service'), call.service_name);
        $('latest-recall').hidden = !call.recall;
        flash();
      }

      function playNext() {
        if (playing || queue.length === 0) return;
        playing = true;
        var player = $('player');
        player.src = queue.shift();
        var started = player.play();
        if (started && started.catch) {
          started.catch(function (error) {
            playing = false;
            if (error && error.name === 'NotAllowedError') {
              $('sound').hidden = false;  // the browser wants a tap before it plays sound
            } else {
              setTimeout(playNext, 100);
            }
          });
        }
      }

      $('player').addEventListener('ended', function () {
        document.body.dataset.played = String(Number(document.body.dataset.played || 0) + 1);
        playing = false; playNext();
      });
      $('player').addEventListener('error', function () { playing = false; setTimeout(playNext, 100); });
      $('sound').addEventListener('click', function () { $('sound').hidden = true; playNext(); });

      function tick() {
        var now = new Date();
        try {
          text($('date'), new Intl.DateTimeFormat('id-ID', { timeZone: zone, weekday: 'long', day: 'numeric',
                                                             month: 'long', year: 'numeric' }).format(now));
          text($('clock'), new Intl.DateTimeFormat('id-ID', { timeZone: zone, hour: '2-digit', minute: '2-digit',
                                                              second: '2-digit', hour12: false }).format(now));
        } catch (e) {
          text($('clock'), now.toLocaleTimeString());
        }
      }
      setInterval(tick, 1000);
      tick();

      var source = new EventSource('/events');
      source.addEventListener('board', function (e) { render(JSON.parse(e.data)); });
      source.addEventListener('call', function (e) { showCall(JSON.parse(e.data)); });
      source.addEventListener('announce', function (e) {
        var item = JSON.parse(e.data);
        if (view && view.voice === false) return;
        queue.push(item.audio);
        playNext();
      });
      source.onerror = function () { setConnection('reconnecting'); };
    })();
    """#

    /// The phone page: its ticket from `/api/ticket/NUMBER`, fetched again on every queue
    /// change (pushed over SSE, no polling); vibrates and beeps when its number is called.
    static let phoneScript = #"""
    (function () {
      'use strict';
      var $ = function (id) { return document.getElementById(id); };
      var mine = document.body.getAttribute('data-number');
      var zone = undefined, audio = null, pending = null, lastState = null, lastCalls = -1;

      function setConnection(state) {
        document.body.setAttribute('data-connection', state);
        $('connection').hidden = state !== 'reconnecting';
      }

      function beep() {
        try {
          audio = audio || new (window.AudioContext || window.webkitAudioContext)();
          [0, 0.35, 0.7].forEach(function (at) {
            var osc = audio.createOscillator(), gain = audio.createGain();
            osc.frequency.value = 880; osc.connect(gain); gain.connect(audio.destination);
            gain.gain.setValueAtTime(0.4, audio.currentTime + at);
            gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
            osc.start(audio.currentTime + at); osc.stop(audio.currentTime + at + 0.3);
          });
        } catch (e) {}
      }

      function alertMe() {
        if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
        beep();
        var card = $('card');
        card.classList.remove('alert'); void card.offsetWidth; card.classList.add('alert');
      }

      function render(t) {
        $('my-service').textContent = t.service_name;
        var card = $('card'), status = $('my-status');
        card.classList.toggle('called', t.state === 'called');
        $('ahead-box').hidden = t.state !== 'waiting';
        if (t.state === 'waiting') {
          $('ahead').textContent = t.ahead || 0;
          status.textContent = (t.ahead || 0) === 0 ? 'Anda berikutnya' : 'Menunggu giliran';
        } else if (t.state === 'called') {
          status.textContent = 'Giliran Anda! Silakan menuju ' + (t.counter_name || 'loket');
        } else if (t.state === 'served') {
          status.textContent = 'Sudah dilayani. Terima kasih.';
        } else if (t.state === 'skipped') {
          status.textContent = 'Nomor Anda terlewat. Silakan hubungi petugas.';
        } else {
          status.textContent = 'Nomor ini sudah tidak berlaku.';
        }
        if (t.state === 'called' && lastState !== null && (lastState !== 'called' || t.call_count > lastCalls)) alertMe();
        lastState = t.state; lastCalls = t.call_count;
        var list = $('requirements');
        list.replaceChildren();
        t.requirements.forEach(function (r) { var li = document.createElement('li'); li.textContent = r; list.appendChild(li); });
        $('requirements-panel').hidden = t.requirements.length === 0;
      }

      function load() {
        pending = null;
        fetch('/api/ticket/' + encodeURIComponent(mine), { cache: 'no-store' }).then(function (r) {
          if (r.status === 404) { location.reload(); return null; }
          if (r.status === 503) { setTimeout(loadSoon, 2000); return null; }  // antred away or busy: try again
          return r.ok ? r.json() : null;
        }).then(function (t) { if (t) render(t); }).catch(function () {});
      }
      function loadSoon() { if (!pending) pending = setTimeout(load, 150); }

      function renderBoard(v) {
        zone = v.time_zone || undefined;
        $('title').textContent = v.title || v.office || 'Antrean';
        var list = $('now-calling');
        list.replaceChildren();
        var seen = {};
        var calls = v.calls.filter(function (c) { if (seen[c.counter]) return false; seen[c.counter] = 1; return true; });
        if (calls.length === 0) {
          var li = document.createElement('li'); li.className = 'muted'; li.textContent = 'Belum ada panggilan';
          list.appendChild(li);
        }
        calls.slice(0, 4).forEach(function (c) {
          var li = document.createElement('li');
          var n = document.createElement('span'); n.className = 'c-number'; n.textContent = c.number;
          var k = document.createElement('span'); k.className = 'c-counter'; k.textContent = c.counter_name;
          li.appendChild(n); li.appendChild(k); list.appendChild(li);
        });
        setConnection(v.connection);
      }

      function tick() {
        try {
          $('clock').textContent = new Intl.DateTimeFormat('id-ID', { timeZone: zone, hour: '2-digit',
                                                                      minute: '2-digit', hour12: false }).format(new Date());
        } catch (e) {}
      }
      setInterval(tick, 1000); tick();

      $('sound').addEventListener('click', function () {
        beep();
        if (navigator.vibrate) navigator.vibrate(100);
        $('sound').classList.add('on');
        $('sound').textContent = 'Suara & getar aktif';
      });

      var source = new EventSource('/events');
      source.addEventListener('board', function (e) {
        var v = JSON.parse(e.data);
        var wasAway = document.body.getAttribute('data-connection') !== 'connected';
        renderBoard(v);
        if (wasAway && v.connection === 'connected') load();
      });
      source.addEventListener('queue', function () { loadSoon(); });
      source.addEventListener('call', function (e) { if (JSON.parse(e.data).number === mine) load(); });
      source.onerror = function () { setConnection('reconnecting'); };
      load();
    })();
    """#
}
