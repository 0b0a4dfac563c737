extension BoardPages {
    /// One stylesheet for both pages. The TV sizes everything in vh/vw so 1280x720 and
    /// 1920x1080 look the same; the latest number is about a quarter of the screen high
    /// (readable from 8 m). System fonts only: nothing is fetched.
    static let style = #"""
    :root { --bg:#0a1a33; --panel:#10284d; --line:#1f3d6e; --text:#f4f7fb; --muted:#9fb3d1;
            --accent:#ffd23f; --call:#ffffff; --ok:#39d98a; --warn:#ff5a5f; }
    * { box-sizing: border-box; margin: 0; padding: 0; }
    html, body { height: 100%; }
    body { background: var(--bg); color: var(--text);
           font-family: "DejaVu Sans", "Noto Sans", Roboto, "Segoe UI", Arial, sans-serif; }
    [hidden] { display: none !important; }

    /* ---------- TV board ---------- */
    body.tv { display: grid; grid-template-rows: 11vh minmax(0, 1fr) 17vh 7vh; grid-template-columns: minmax(0, 1fr);
              height: 100vh; width: 100vw; overflow: hidden; }
    .bar { display: flex; align-items: center; justify-content: space-between; padding: 0 3vw;
           background: #07132a; border-bottom: 0.4vh solid var(--accent); }
    .title { font-size: 4.6vh; font-weight: 700; letter-spacing: 0.05em; white-space: nowrap; overflow: hidden;
             text-overflow: ellipsis; max-width: 60vw; }
    .when { text-align: right; }
    .date { font-size: 2.6vh; color: var(--muted); }
    .clock { font-size: 5vh; font-weight: 700; font-variant-numeric: tabular-nums; }
    .stage { display: grid; grid-template-columns: minmax(0, 62fr) minmax(0, 38fr); gap: 2vw; padding: 2.2vh 3vw; min-height: 0; }
    .latest { background: var(--panel); border-radius: 2vh; display: flex; flex-direction: column;
              align-items: center; justify-content: center; border: 0.5vh solid var(--line); min-height: 0; }
    .latest .label { font-size: 3.4vh; letter-spacing: 0.3em; color: var(--muted); font-weight: 700; }
    .latest .number { font-size: 23vh; line-height: 1; font-weight: 800; color: var(--accent);
                      font-variant-numeric: tabular-nums; letter-spacing: 0.02em; margin: 1vh 0 0.5vh; }
    .latest { position: relative; }
    .latest .recall { position: absolute; top: 2vh; right: 2vh; background: var(--accent); color: #0a1a33;
                      font-size: 2.4vh; font-weight: 800; letter-spacing: 0.08em; padding: 0.6vh 1.2vh; border-radius: 1vh; }
    .latest .goto { font-size: 3vh; color: var(--muted); }
    .latest .counter { font-size: 10vh; font-weight: 800; line-height: 1.1; color: var(--call); }
    .latest .latest-service { font-size: 3vh; color: var(--muted); margin-top: 0.6vh; }
    .latest.flash { animation: flash 0.7s ease-in-out 4; }
    @keyframes flash { 0%,100% { background: var(--panel); } 50% { background: #ffe88a; border-color: #fff; } }
    .latest.flash .number, .latest.flash .counter { animation: flashtext 0.7s ease-in-out 4; }
    @keyframes flashtext { 0%,100% { color: inherit; } 50% { color: #0a1a33; } }
    .history { background: var(--panel); border-radius: 2vh; padding: 2vh 2vw; border: 0.5vh solid var(--line);
               display: flex; flex-direction: column; min-height: 0; overflow: hidden; }
    .history h2 { font-size: 3vh; color: var(--muted); font-weight: 700; letter-spacing: 0.08em;
                  text-transform: uppercase; margin-bottom: 1vh; }
    .history ol { list-style: none; display: flex; flex-direction: column; gap: 1vh; }
    .history li { display: flex; justify-content: space-between; align-items: baseline; padding: 0.9vh 1.4vw;
                  background: #0b1f3f; border-radius: 1.2vh; }
    .history .h-number { font-size: 6.4vh; font-weight: 800; font-variant-numeric: tabular-nums; }
    .history .h-counter { font-size: 4.2vh; color: var(--accent); font-weight: 700; }
    .history .empty { font-size: 3vh; color: var(--muted); background: none; }
    .services { display: flex; gap: 1.2vw; padding: 0 3vw 1.6vh; min-height: 0; }
    .service { flex: 1 1 0; min-width: 0; background: var(--panel); border-radius: 1.6vh; border: 0.4vh solid var(--line);
               display: flex; flex-direction: column; justify-content: center; align-items: center; padding: 0.6vh 0.6vw; }
    .service .s-name { font-size: 2.1vh; line-height: 1.3; color: var(--muted); text-align: center; overflow: hidden;
                       display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; max-width: 100%; }
    .services.many .service .s-name { font-size: 1.9vh; }
    .service .s-prefix { color: var(--accent); }
    .services.many .service .s-waiting { font-size: 5.4vh; }
    .service .s-waiting { font-size: 5.8vh; font-weight: 800; line-height: 1; font-variant-numeric: tabular-nums; }
    .service .s-label { font-size: 1.9vh; line-height: 1.2; color: var(--muted); }
    .ticker { background: var(--accent); color: #0a1a33; overflow: hidden; display: flex; align-items: center; }
    .marquee { display: inline-block; white-space: nowrap; font-size: 3.8vh; font-weight: 700; padding-left: 100vw;
               animation: marquee 28s linear infinite; }
    @keyframes marquee { from { transform: translateX(0); } to { transform: translateX(-100%); } }
    .connection { position: fixed; top: 0; left: 0; right: 0; background: var(--warn); color: #fff;
                  text-align: center; font-weight: 700; font-size: 3.2vh; padding: 1vh; z-index: 10; }
    .sound { position: fixed; right: 2vw; bottom: 9vh; font-size: 2.4vh; padding: 1vh 1.5vw; border-radius: 1vh;
             border: none; background: #fff; color: #0a1a33; font-weight: 700; }

    /* ---------- Phone page ---------- */
    body.phone { min-height: 100vh; font-size: 17px; }
    .phone-bar { display: flex; justify-content: space-between; align-items: center; padding: 12px 16px;
                 background: #07132a; border-bottom: 3px solid var(--accent); }
    .phone-title { font-weight: 700; font-size: 17px; }
    .phone-clock { font-variant-numeric: tabular-nums; color: var(--muted); }
    .phone-main { padding: 16px; display: flex; flex-direction: column; gap: 14px; }
    .card { background: var(--panel); border: 2px solid var(--line); border-radius: 18px; padding: 18px;
            text-align: center; }
    .card .label { color: var(--muted); font-size: 15px; letter-spacing: 0.1em; text-transform: uppercase; }
    .my-number { font-size: 76px; font-weight: 800; color: var(--accent); line-height: 1.1;
                 font-variant-numeric: tabular-nums; }
    .my-service { color: var(--muted); font-size: 18px; margin-bottom: 10px; }
    .my-status { font-size: 22px; font-weight: 700; }
    .ahead-box { margin-top: 8px; font-size: 18px; color: var(--muted); }
    .ahead { display: block; font-size: 64px; font-weight: 800; color: var(--text); line-height: 1.1; }
    .card.called { background: var(--ok); border-color: #fff; color: #06261a; }
    .card.called .my-number, .card.called .label, .card.called .my-service { color: #06261a; }
    .card.alert { animation: flash 0.6s ease-in-out 6; }
    .card.missing p { margin-top: 12px; line-height: 1.45; }
    .card.missing a { color: var(--accent); }
    .phone-sound { font-size: 16px; padding: 12px; border-radius: 12px; border: 2px solid var(--accent);
                   background: transparent; color: var(--accent); font-weight: 700; }
    .phone-sound.on { border-color: var(--ok); color: var(--ok); }
    .panel { background: var(--panel); border-radius: 14px; padding: 14px 16px; }
    .panel h2 { font-size: 15px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; margin-bottom: 8px; }
    .now-calling { list-style: none; }
    .now-calling li { display: flex; justify-content: space-between; font-size: 22px; padding: 6px 0;
                      border-bottom: 1px solid var(--line); }
    .now-calling li:last-child { border-bottom: none; }
    .now-calling .c-number { font-weight: 800; }
    .now-calling .c-counter { color: var(--accent); font-weight: 700; }
    .muted { color: var(--muted); font-size: 17px !important; }
    .requirements { padding-left: 20px; line-height: 1.5; }
    .requirements li { margin-bottom: 4px; }
    .note { color: var(--muted); font-size: 14px; text-align: center; }
    body.phone .connection { font-size: 16px; }
    """#
}
