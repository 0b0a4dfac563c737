/// The pages antre-board serves, embedded so the board needs no data files and no
/// internet: the TV board, the phone page and the 404 page. Text for residents is
/// Indonesian; "reconnecting" stays in English too for technicians.
enum BoardPages {
    static let tv = #"""
    <!doctype html>
    <html lang="id">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Antrean</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/static/board.css">
    </head>
    <body class="tv" data-connection="connecting">
    <header class="bar">
      <div id="title" class="title">Antrean</div>
      <div class="when"><div id="date" class="date"></div><div id="clock" class="clock"></div></div>
    </header>
    <main class="stage">
      <section id="latest" class="latest">
        <div class="label">NOMOR ANTREAN</div>
        <div id="latest-number" class="number">&ndash;</div>
        <div class="goto">silakan menuju</div>
        <div id="latest-counter" class="counter">&nbsp;</div>
        <div id="latest-service" class="latest-service">&nbsp;</div>
        <div id="latest-recall" class="recall" hidden>PANGGILAN ULANG</div>
      </section>
      <section class="history">
        <h2>Panggilan sebelumnya</h2>
        <ol id="history"></ol>
      </section>
    </main>
    <section id="services" class="services"></section>
    <footer class="ticker"><div id="running-text" class="marquee"></div></footer>
    <div id="connection" class="connection" hidden>Menyambung ulang ke server antrean&hellip; <span>(reconnecting)</span></div>
    <button id="sound" class="sound" hidden>Ketuk untuk menyalakan suara</button>
    <audio id="player" preload="auto"></audio>
    <script src="/static/board.js"></script>
    </body>
    </html>
    """#

    static func phone(number: String) -> String {
        #"""
        <!doctype html>
        <html lang="id">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Antrean {{NUMBER}}</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/static/board.css">
        </head>
        <body class="phone" data-number="{{NUMBER}}" data-connection="connecting">
        <header class="phone-bar"><div id="title" class="phone-title">Antrean</div><div id="clock" class="phone-clock"></div></header>
        <main class="phone-main">
          <section id="card" class="card">
            <div class="label">Nomor antrean Anda</div>
            <div id="my-number" class="my-number">{{NUMBER}}</div>
            <div id="my-service" class="my-service">&nbsp;</div>
            <div id="my-status" class="my-status">Memuat&hellip;</div>
            <div id="ahead-box" class="ahead-box" hidden><span id="ahead" class="ahead">0</span><span>orang di depan Anda</span></div>
          </section>
          <button id="sound" class="phone-sound">Nyalakan suara &amp; getar saat dipanggil</button>
          <section class="panel">
            <h2>Sedang dipanggil</h2>
            <ul id="now-calling" class="now-calling"><li class="muted">Belum ada panggilan</li></ul>
          </section>
          <section class="panel" id="requirements-panel" hidden>
            <h2>Persyaratan yang perlu disiapkan</h2>
            <ul id="requirements" class="requirements"></ul>
          </section>
          <p class="note">Halaman ini diperbarui sendiri. Anda boleh menunggu di luar ruangan.</p>
        </main>
        <div id="connection" class="connection" hidden>Menyambung ulang&hellip; <span>(reconnecting)</span></div>
        <script src="/static/phone.js"></script>
        </body>
        </html>
        """#.replacingOccurrences(of: "{{NUMBER}}", with: escape(number))
    }

    /// `number`: a well-formed ticket number that is not one of today's; nil for anything
    /// else (never echoed: it came from a URL).
    static func notFound(_ number: String?) -> String {
        let shown = number.map(escape) ?? "ini"
        let big = number.map { #"<div class="my-number" id="missing-number">\#(escape($0))</div>"# } ?? ""
        return #"""
        <!doctype html>
        <html lang="id">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Nomor tidak ditemukan</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/static/board.css">
        </head>
        <body class="phone">
        <main class="phone-main">
          <section class="card missing">
            <div class="label">Maaf</div>
            {{BIG}}
            <p id="not-found">Nomor antrean {{NUMBER}} tidak ditemukan untuk hari ini.</p>
            <p>Nomor hanya berlaku pada hari tiket diambil. Periksa nomor pada tiket Anda,
               atau tanyakan kepada petugas.</p>
            <p><a href="/">Lihat papan antrean</a></p>
          </section>
        </main>
        </body>
        </html>
        """#.replacingOccurrences(of: "{{BIG}}", with: big).replacingOccurrences(of: "{{NUMBER}}", with: shown)
    }

    /// HTML text escaping for values that came from a URL.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
