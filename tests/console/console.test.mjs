// The clerk console `klopf` end to end: the real binary in tmux (80x24
// and 120x40) against a real klopfd on loopback, citizens played by
// protocol clients. Assertions read the screen with tmux capture-pane;
// what citizens receive is checked on their own connections.
//
//   cd tests && node --test console/

import {
    after, afterEach, before, beforeEach, describe, test,
} from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
    ALWAYS_OPEN, KLOPFD, Scope, connect, expectType, officeById, officesOverHttp,
    sleep, stateTemplate, tempDir,
} from '../proto/lib/harness.mjs';
import { KLOPF, Term, columns, screenLines } from './lib/term.mjs';

const CLERKS = {
    anna: { offices: ['amt-a', 'amt-b'], password: 'anna-Passwort-1' },
};
const PW = CLERKS.anna.password;

if (!fs.existsSync(KLOPF)) {
    throw new Error(`klopf not found at ${KLOPF} (build it with make)`);
}

// A fresh klopfd (clerks copied from a template) and, per test, terminals
// that are killed afterwards.
function setup() {
    const scope = new Scope();
    const terms = new Set();
    const ctx = {
        scope,
        d: null,
        dir: null,
        async start() {
            ctx.dir = scope.copy(await stateTemplate(ALWAYS_OPEN, CLERKS));
            ctx.d = await scope.start({ stateDir: ctx.dir });
            return ctx.d;
        },
        term(args, opts) {
            const t = new Term(args, opts);
            terms.add(t);
            return t.start();
        },
        // klopf for anna, logged in, the main screen up. No video window
        // here (video = "off"): tests/video/console.test.mjs has it, under
        // Xvfb and in a network namespace.
        async clerk(opts = {}, moreConf = '') {
            const conf = path.join(scope.dir(), 'klopf.conf');
            fs.writeFileSync(conf, `bell = false;\nvideo = "off";\n${moreConf}`);
            const t = ctx.term(['-c', conf, '--server',
                `http://127.0.0.1:${ctx.d.port}`, '--user', 'anna'], opts);
            await t.waitFor('Passwort für anna');
            t.type(PW);
            t.keys('Enter');
            await t.waitFor('● verbunden');
            await t.waitFor('Amt A');
            return t;
        },
        async citizen(office, name, extra = {}) {
            const c = scope.track(await connect(ctx.d.port));
            const r = await c.request({
                type: 'knock', office, consent: true, lang: 'de', topic: 'Test',
                ...(name ? { name } : {}), ...extra,
            });
            expectType(r, 'knocked');
            c.token = r.token;
            c.ticket = r.ticket;
            return c;
        },
        async cleanup() {
            for (const t of terms) t.kill();
            terms.clear();
            await scope.cleanup();
        },
    };
    return ctx;
}

// The queue line of a person (the right pane), or undefined.
function queueLine(screen, name) {
    return screen.split('\n').find((l) => l.includes('│') && l.includes(name));
}

describe('klopf, the clerk console', () => {
    const ctx = setup();

    // Every test has a klopfd of its own, so queues start empty.
    beforeEach(async () => { await ctx.start(); });
    afterEach(async () => { await ctx.cleanup(); });

    test('log in: a wrong password first is refused clearly, then it works',
        async () => {
            const conf = path.join(ctx.scope.dir(), 'klopf.conf');
            fs.writeFileSync(conf, 'bell = false;\nvideo = "off";\n');
            const t = ctx.term(['-c', conf, '--server',
                `http://127.0.0.1:${ctx.d.port}`, '--user', 'anna']);
            await t.waitFor('Passwort für anna');
            t.type('falsch-falsch');
            t.keys('Enter');
            // The password never appears on the screen.
            await t.waitFor('Falscher Benutzername oder falsches Passwort');
            assert.ok(!t.screen().includes('falsch-falsch'));
            await t.waitFor('Passwort für anna');
            t.type(PW);
            assert.ok(!t.screen().includes(PW));
            t.keys('Enter');
            await t.waitFor('Angemeldet als anna');
            // the offices' names come with the directory, a moment later
            // (until then the list shows their ids)
            const s = await t.waitFor((x) => /Amt A/.test(x) && /Amt B/.test(x)
                && /Niemand wartet/.test(x), { what: 'the offices by name' });
            assert.match(s, /● verbunden/);
            assert.match(s, /verfügbar/);
            assert.match(s, /Niemand wartet/);
            assert.match(screenLines(s)[23], /a:Herein.*\?:Hilfe/);
            t.keys('q');
            assert.equal(await t.exited(), 0);
            t.kill();
        });

    test('a knock appears at once; a admits, the consultation shows, e ends it',
        async () => {
            const t = await ctx.clerk();
            const t0 = performance.now();
            const c = await ctx.citizen('amt-a', 'Aylin Yılmaz', { topic: 'Elterngeld' });
            let s = await t.waitFor('Aylin Yılmaz', { timeoutMs: 2000 });
            const seen = performance.now() - t0;
            assert.ok(seen < 1500, `the knock took ${seen} ms to show`);
            assert.match(s, /Neu: Aylin Yılmaz klopft bei Amt A/);
            assert.match(queueLine(s, 'Aylin'), />\s+1 ●/);      // selected, new
            assert.match(s, /Anliegen: Elterngeld/);

            t.keys('a');
            const admitted = await c.next('ticket', (m) => m.ticket.state === 'admitted');
            assert.ok(admitted.ticket.room > 0);
            s = await t.waitFor('Im Gespräch: Aylin Yılmaz');
            assert.match(screenLines(s)[0], /im Gespräch/);
            assert.match(s, /Niemand wartet/);
            assert.match(s, /besetzt/);

            t.keys('e');
            await c.next('ticket', (m) => m.ticket.state === 'done');
            s = await t.waitFor('Kein Gespräch offen');
            assert.match(screenLines(s)[0], /verfügbar/);
            await t.waitFor('Gespräch beendet');
            t.keys('q');
            assert.equal(await t.exited(), 0);
            t.kill();
        });

    test('i invites a guest: the link shows once, works once, and any key '
        + 'closes it', async () => {
        const t = await ctx.clerk();
        const c = await ctx.citizen('amt-a', 'Aylin Yılmaz');
        await t.waitFor('Aylin Yılmaz');
        // no consultation yet: nothing is asked for
        t.keys('i');
        await t.waitFor('Kein Gespräch offen: einladen');
        t.keys('a');
        const admitted = await c.next('ticket', (m) => m.ticket.state === 'admitted');
        await t.waitFor('Im Gespräch: Aylin Yılmaz');

        t.keys('i');
        const base = `http://127.0.0.1:${ctx.d.port}/#/gast/`;
        let s = await t.waitFor((x) => x.includes(base), { what: 'the link' });
        const line = screenLines(s).find((l) => l.includes(base));
        const token = line.slice(line.indexOf(base) + base.length).trim();
        assert.match(token, /^[0-9a-f]{32}$/);
        assert.match(s, /Einladung für einen Gast/);
        assert.match(s, /Person ins Gespräch mit Aylin Yılmaz/);
        assert.match(s, /Gültig bis \d\d:\d\d Uhr, nur einmal verwendbar/);
        assert.match(screenLines(s)[23], /Taste:Einladung schließen/);

        // the link is what the guest's page sends: it joins this room
        const g = ctx.scope.track(await connect(ctx.d.port));
        const joined = await g.request({ type: 'join', invitation: token,
            name: 'Frau Demir' });
        expectType(joined, 'joined');
        assert.equal(joined.room.id, admitted.ticket.room);
        // once only
        const g2 = ctx.scope.track(await connect(ctx.d.port));
        const again = await g2.request({ type: 'join', invitation: token,
            name: 'Mallory' });
        assert.equal(again.code, 'invitation_invalid');

        // any key closes the box; the link is not on the screen again,
        // and the key did nothing else (e would end the consultation)
        t.keys('e');
        s = await t.waitFor((x) => !x.includes('/#/gast/'), { what: 'the box gone' });
        assert.match(s, /Im Gespräch: Aylin Yılmaz/);
        assert.match(s, /Einladung erstellt: gültig bis \d\d:\d\d Uhr/);
        await sleep(300);
        assert.match(t.screen(), /Im Gespräch: Aylin Yılmaz/);
        t.kill();
    });

    test('with web_address in klopf.conf the link begins with it', async () => {
        const t = await ctx.clerk({},
            'web_address = "https://buergerbuero.example.de/amt";\n');
        await ctx.citizen('amt-a', 'Aylin Yılmaz');
        await t.waitFor('Aylin Yılmaz');
        t.keys('a');
        await t.waitFor('Im Gespräch: Aylin Yılmaz');
        t.keys('i');
        const s = await t.waitFor(/https:\/\/buergerbuero\.example\.de\/amt\/#\/gast\/[0-9a-f]{32}/,
            { what: 'the link' });
        assert.doesNotMatch(s, /127\.0\.0\.1:\d+\/#/);
        t.kill();
    });

    test('d declines with a typed message, or a ready one; the citizen sees it',
        async () => {
            const t = await ctx.clerk();
            const c1 = await ctx.citizen('amt-a', 'Jürgen Groß');
            const c2 = await ctx.citizen('amt-a', 'Zoë Öztürk');
            await t.waitFor('Zoë Öztürk');
            t.keys('d');
            await t.waitFor('Jürgen Groß ablehnen – Nachricht:');
            await t.waitFor('Fertige Nachrichten');
            t.type('Bitte kommen Sie morgen früh wieder.');
            t.keys('Enter');
            const d1 = await c1.next('ticket', (m) => m.ticket.state === 'declined');
            assert.equal(d1.ticket.message, 'Bitte kommen Sie morgen früh wieder.');
            await t.waitFor('Abgelehnt: Jürgen Groß');
            await t.waitGone(/│.*Jürgen Groß/);

            t.keys('d');
            await t.waitFor('Zoë Öztürk ablehnen');
            t.keys('Down');
            await t.waitFor('Nachricht: Bitte buchen Sie einen Termin.');
            t.keys('Enter');
            const d2 = await c2.next('ticket', (m) => m.ticket.state === 'declined');
            assert.equal(d2.ticket.message, 'Bitte buchen Sie einen Termin.');
            await t.waitFor('Niemand wartet');

            // Esc cancels without declining anyone.
            const c3 = await ctx.citizen('amt-a', 'Ольга Иванова');
            await t.waitFor('Ольга Иванова');
            t.keys('d');
            await t.waitFor('ablehnen – Nachricht');
            t.type('nein');
            t.keys('Escape');
            await t.waitFor('Abgebrochen');
            assert.equal(await c3.maybe('ticket', (m) => m.ticket.state === 'declined', 300),
                null);
            t.keys('q');
            assert.equal(await t.exited(), 0);
            t.kill();
        });

    test('t transfers to another office with a note; it appears there', async () => {
        const t = await ctx.clerk();
        const c = await ctx.citizen('amt-a', 'Ольга Иванова', { topic: 'Ummeldung' });
        await t.waitFor('Ольга Иванова');
        t.keys('t');
        let s = await t.waitFor('Weiterleiten an');
        assert.match(s, /Amt B/);
        assert.match(s, /Anonyme Beratung/);
        assert.ok(!/│ Amt A \(/.test(s), 'the own office is not offered');
        t.keys('Enter');
        await t.waitFor('An Amt B – Notiz (optional):');
        t.type('Bitte Meldebescheinigung prüfen');
        t.keys('Enter');
        const moved = await c.next('ticket', (m) => m.ticket.office === 'amt-b');
        assert.equal(moved.ticket.state, 'waiting');
        assert.equal(moved.ticket.message, 'Bitte Meldebescheinigung prüfen');
        assert.ok(moved.ticket.transferred_from > 0);
        await t.waitFor('Weitergeleitet: Ольга Иванова an Amt B');
        // In the other office's queue, marked as transferred, note shown.
        t.keys('Tab');
        s = await t.waitFor(/Warteschlange Amt B · 1 wartend/);
        assert.match(queueLine(s, 'Ольга'), /●↪ Ольга Иванова/);
        assert.match(s, /↪ weitergeleitet.*: Bitte Meldebescheinigung prüfen/);
        t.keys('q');
        assert.equal(await t.exited(), 0);
        t.kill();
    });

    test('p sets away: citizens see the office closed; p again opens it', async () => {
        const t = await ctx.clerk();
        const status = async () => officeById((await officesOverHttp(ctx.d.port)).body.offices,
            'amt-a').status;
        assert.equal(await status(), 'open');
        t.keys('p');
        await t.waitFor('Präsenz: abwesend');
        assert.match(t.lines()[0], /abwesend/);
        assert.equal(await status(), 'closed');
        await t.waitFor(/Amt A\s+0 │[\s\S]*\n\s+zu\s/);
        t.keys('p');
        await t.waitFor('Präsenz: verfügbar');
        assert.equal(await status(), 'open');
        t.keys('q');
        assert.equal(await t.exited(), 0);
        t.kill();
    });

    test('UTF-8 names line up; / filters; ? shows the help', async () => {
        const t = await ctx.clerk();
        const names = ['Jürgen Groß', 'محمد العلي', 'Ольга Иванова', 'Zoë Öztürk'];
        for (const n of names) await ctx.citizen('amt-a', n, { lang: 'de' });
        await ctx.citizen('amt-a', null, { topic: 'ohne Namen' });
        const s = await t.waitFor('Zoë Öztürk');
        await t.waitFor('ohne Namen');
        // Every name is shown whole, and the language column starts at the
        // same screen column on every line.
        const starts = names.map((n) => {
            const line = queueLine(s, n);
            assert.ok(line, `no queue line for ${n}:\n${s}`);
            return columns(line.slice(0, line.indexOf(' de ') + 1));
        });
        assert.equal(new Set(starts).size, 1, `columns differ: ${starts}`);
        assert.match(t.screen(), /anonym/);

        t.keys('/');
        await t.waitFor(/^Filter:/m);
        t.type('иван');
        let f = await t.waitFor(/Filter „иван“: 1/);
        assert.ok(queueLine(f, 'Ольга Иванова'));
        assert.ok(!queueLine(f, 'Jürgen'));
        t.keys('Enter');
        f = await t.waitFor('Details');
        assert.ok(!queueLine(f, 'Zoë'));
        assert.match(f, /Ольга Иванова · Ticket/);      // selection followed
        t.keys('/');
        t.keys('C-u');
        t.keys('Enter');
        await t.waitFor((x) => queueLine(x, 'Jürgen') && queueLine(x, 'Zoë'));

        t.keys('?');
        const h = await t.waitFor('klopf – Tasten');
        assert.match(h, /a\s+Person hereinlassen/);
        assert.match(h, /v\s+Videofenster öffnen \(wieder\)/);
        assert.match(h, /i\s+Gast einladen \(Link ins Gespräch\)/);
        assert.doesNotMatch(h, /\(später\)/);
        assert.match(h, /Esc\s+abbrechen/);
        t.keys('q');    // closes the help only
        await t.waitFor('Warteschlange Amt A');
        assert.equal(t.format('#{pane_dead}'), '0');
        t.keys('q');
        assert.equal(await t.exited(), 0);
        t.kill();
    });

    test('resizing redraws at the new size; 120x40 and back to 80x24', async () => {
        const t = await ctx.clerk();
        await ctx.citizen('amt-a', 'Aylin Yılmaz', { topic: 'Ein sehr langes Anliegen, das '
            + 'in 80 Spalten gekürzt werden muss, in 120 aber weiter reicht' });
        let s = await t.waitFor('Aylin Yılmaz');
        assert.equal(screenLines(s).length, 24);
        t.resize(120, 40);
        s = await t.waitFor((x) => screenLines(x).length === 40
            && /verbunden\s*$/.test(screenLines(x)[0])
            && screenLines(x)[0].length > 100, { what: 'a 120x40 screen' });
        assert.match(screenLines(s)[39], /\?:Hilfe/);
        assert.match(s, /in 120 aber/);
        t.resize(80, 24);
        s = await t.waitFor((x) => screenLines(x).length === 24
            && screenLines(x)[0].length <= 80 && /verbunden/.test(screenLines(x)[0]),
        { what: 'an 80x24 screen' });
        assert.match(screenLines(s)[23], /\?:Hilfe/);
        assert.ok(screenLines(s).every((l) => columns(l) <= 80));
        assert.match(s, /Aylin Yılmaz/);
        t.keys('q');
        assert.equal(await t.exited(), 0);
        t.kill();
    });

    test('q asks first during a consultation and restores the terminal', async () => {
        const t = await ctx.clerk();
        const c = await ctx.citizen('amt-a', 'Aylin');
        await t.waitFor('Aylin');
        t.keys('a');
        await c.next('ticket', (m) => m.ticket.state === 'admitted');
        await t.waitFor('Im Gespräch: Aylin');
        assert.equal(t.format('#{alternate_on}'), '1');
        t.keys('q');
        await t.waitFor('Trotzdem beenden? (j/n)');
        t.keys('n');
        await t.waitFor('Abgebrochen');
        t.keys('q');
        await t.waitFor('Trotzdem beenden? (j/n)');
        t.keys('j');
        assert.equal(await t.exited(), 0);
        assert.equal(t.sttyAfter(), t.sttyBefore());
        assert.equal(t.format('#{alternate_on}'), '0');
        assert.equal(t.format('#{cursor_flag}'), '1');
        assert.match(t.screen(), /KLOPF-EXITED/);
        t.kill();
        // The consultation stays open on the server for the next login.
        const t2 = await ctx.clerk();
        await t2.waitFor('Im Gespräch: Aylin');
        t2.keys('e');
        await c.next('ticket', (m) => m.ticket.state === 'done');
        t2.keys('q');
        assert.equal(await t2.exited(), 0);
        t2.kill();
    });

    test('Ctrl-C leaves at once and restores the terminal', async () => {
        const t = await ctx.clerk();
        t.keys('/');
        t.type('abc');
        t.keys('C-c');
        assert.equal(await t.exited(), 0);
        assert.equal(t.sttyAfter(), t.sttyBefore());
        assert.equal(t.format('#{alternate_on}'), '0');
        t.kill();
    });

    test('the configuration file gives server and user', async () => {
        const home = ctx.scope.dir();
        fs.mkdirSync(path.join(home, 'klopf'));
        fs.writeFileSync(path.join(home, 'klopf', 'klopf.conf'),
            `server = "http://127.0.0.1:${ctx.d.port}";\nuser = "anna";\nbell = false;\nvideo = "off";\n`);
        const t = ctx.term([], { env: { XDG_CONFIG_HOME: home } });
        await t.waitFor('Passwort für anna');
        assert.match(t.lines()[0], new RegExp(`127\\.0\\.0\\.1:${ctx.d.port}`));
        t.keys('Escape');       // no password: leave
        assert.equal(await t.exited(), 0);
        assert.equal(t.sttyAfter(), t.sttyBefore());
        t.kill();
    });
});

describe('klopf when klopfd goes away', () => {
    const ctx = setup();

    before(async () => { await ctx.start(); });
    after(async () => { await ctx.cleanup(); });

    test('klopfd killed and restarted: the loss shows, klopf reconnects and '
        + 'keeps working', async () => {
        const t = await ctx.clerk();
        const c = await ctx.citizen('amt-a', 'Aylin Yılmaz');
        await t.waitFor('Aylin Yılmaz');
        const port = ctx.d.port;

        ctx.d.kill('SIGKILL');
        await ctx.d.exitPromise;
        let s = await t.waitFor('getrennt');
        assert.match(s, /Keine Verbindung zum Server/);
        assert.match(screenLines(s)[0], /offline/);
        // The view stays, and actions wait for the connection.
        assert.match(s, /Aylin Yılmaz/);
        t.keys('a');
        await t.waitFor('Keine Verbindung zum Server – bitte warten');
        await sleep(2500);      // a few retries fail meanwhile
        assert.equal(t.format('#{pane_dead}'), '0');

        ctx.d = await ctx.scope.start({ stateDir: ctx.dir, port });
        // The citizen comes back too (within the grace time).
        const back = ctx.scope.track(await connect(port));
        expectType(await back.request({ type: 'resume', token: c.token }), 'ticket');
        s = await t.waitFor('● verbunden', { timeoutMs: 20000 });
        await t.waitFor('Aylin Yılmaz');
        // No password was asked for: the session continued.
        assert.ok(!s.includes('Passwort für'));
        t.keys('a');
        const admitted = await back.next('ticket', (m) => m.ticket.state === 'admitted');
        assert.ok(admitted.ticket.room > 0);
        await t.waitFor('Im Gespräch: Aylin Yılmaz');
        t.keys('e');
        await back.next('ticket', (m) => m.ticket.state === 'done');
        t.keys('q');
        assert.equal(await t.exited(), 0);
        assert.equal(t.sttyAfter(), t.sttyBefore());
        t.kill();
    });

    test('a klopfd that is not there at the start: klopf keeps trying', async () => {
        const port = ctx.d.port;
        await ctx.d.stop();
        const conf = path.join(ctx.scope.dir(), 'klopf.conf');
        fs.writeFileSync(conf, 'bell = false;\nvideo = "off";\n');
        const t = ctx.term(['-c', conf, '--server', `http://127.0.0.1:${port}`,
            '--user', 'anna']);
        await t.waitFor('getrennt');
        t.type(PW);
        t.keys('Enter');
        ctx.d = await ctx.scope.start({ stateDir: ctx.dir, port });
        await t.waitFor('Angemeldet als anna', { timeoutMs: 20000 });
        t.keys('q');
        assert.equal(await t.exited(), 0);
        t.kill();
    });
});

describe('klopf over TLS', () => {
    const scope = new Scope();
    let proc;
    let port;
    let cert;
    const terms = [];

    before(async () => {
        const dir = scope.dir();
        cert = path.join(dir, 'cert.pem');
        const key = path.join(dir, 'key.pem');
        const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
            'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
            '-addext', 'subjectAltName=DNS:127.0.0.1,IP:127.0.0.1',
            '-keyout', key, '-out', cert], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const conf = path.join(dir, 'tls.conf');
        fs.writeFileSync(conf, fs.readFileSync(ALWAYS_OPEN, 'utf8')
            .replace('webroot = "../../../webclient";',
                `webroot = "${path.resolve('..', 'webclient')}";\n`
                + `tls_cert = "${cert}";\ntls_key = "${key}";`));
        const stateDir = scope.copy(await stateTemplate(ALWAYS_OPEN, CLERKS));
        proc = spawn(KLOPFD, ['-c', conf, '--state-dir', stateDir],
            { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        port = await new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`no https listener: ${err}`)), 10000);
            proc.stderr.on('data', (d) => {
                err += d;
                const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
                if (m) { clearTimeout(t); resolve(Number(m[1])); }
            });
            proc.on('exit', (code) => reject(new Error(`klopfd exited ${code}: ${err}`)));
        });
    });
    after(async () => {
        for (const t of terms) t.kill();
        if (proc && proc.exitCode === null) {
            const gone = new Promise((r) => proc.on('exit', r));
            proc.kill('SIGTERM');
            await gone;
        }
        await scope.cleanup();
    });

    test('https:// with the CA from ca_file logs in', async () => {
        const conf = path.join(scope.dir(), 'klopf.conf');
        fs.writeFileSync(conf, `bell = false;\nvideo = "off";\nca_file = "${cert}";\n`);
        const t = new Term(['-c', conf, '--server', `https://127.0.0.1:${port}`,
            '--user', 'anna']).start();
        terms.push(t);
        await t.waitFor('Passwort für anna');
        t.type(PW);
        t.keys('Enter');
        await t.waitFor('Angemeldet als anna');
        t.keys('q');
        assert.equal(await t.exited(), 0);
    });

    test('a certificate nobody vouches for is refused', async () => {
        const conf = path.join(scope.dir(), 'klopf.conf');
        fs.writeFileSync(conf, 'bell = false;\nvideo = "off";\n');
        const t = new Term(['-c', conf, '--server', `https://127.0.0.1:${port}`,
            '--user', 'anna']).start();
        terms.push(t);
        await t.waitFor(/Keine Verbindung zum Server: Zertifikat abgelehnt \(self-signed/);
        assert.ok(!t.screen().includes('● verbunden'));
        t.keys('Escape');
        assert.equal(await t.exited(), 0);
    });
});

describe('klopf on the command line', () => {
    const run = (args, env = {}) => new Promise((resolve) => {
        execFile(KLOPF, args, { env: { ...process.env, XDG_CONFIG_HOME: tempDir(), ...env },
            encoding: 'utf8' },
        (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
    });

    test('plain http:// to another machine is refused before anything starts', async () => {
        const r = await run(['--server', 'http://192.0.2.7:8080', '--user', 'anna']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /only for this machine/);
    });

    test('without a server it says how to give one', async () => {
        const r = await run(['--user', 'anna']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /--server URL/);
    });

    test('a password in the configuration is refused', async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'k.conf'), 'password = "x";\n');
        const r = await run(['-c', path.join(dir, 'k.conf')]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /k\.conf:1: a password does not belong/);
    });

    test('-V and --help', async () => {
        assert.match((await run(['-V'])).stdout, /^klopf \d+\.\d+\.\d+/);
        assert.match((await run(['--help'])).stdout, /usage: klopf/);
        assert.equal((await run(['--bogus'])).code, 1);
    });

    test('without a terminal it says so', async () => {
        const r = await run(['--server', 'http://127.0.0.1:9', '--user', 'anna']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /needs a terminal/);
    });
});
