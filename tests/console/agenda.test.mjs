// The console's agenda (key g) end to end: the real klopf in tmux against
// a real klopfd with appointments (tests/proto/conf/appointments.conf,
// its clock movable with --test-clock), bookings and citizens played by
// protocol clients. What citizens and visitors receive is checked on
// their own connections, what the clerk sees on the screen.
//
//   cd tests && node --test console/agenda.test.mjs

import {
    afterEach, beforeEach, describe, test,
} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import {
    PROTO_CONF_DIR, Scope, expectType, stateTemplate,
} from '../proto/lib/harness.mjs';
import { KLOPF, Term, screenLines } from './lib/term.mjs';

const CONF = path.join(PROTO_CONF_DIR, 'appointments.conf');
// Two offices with appointments: the agenda shows the office column and
// blocking asks which office.
const CLERKS = {
    anna: { offices: ['amt-a', 'beratung'], password: 'anna-Passwort-1' },
};
const PW = CLERKS.anna.password;
const nowS = () => Math.floor(Date.now() / 1000);

if (!fs.existsSync(KLOPF)) {
    throw new Error(`klopf not found at ${KLOPF} (build it with make)`);
}

// "2026-11-26" and "09:30" (a slot of klopfd, its local time) as the
// console shows and takes them: "26.11. 09:30".
function shown(date, time) {
    return `${date.slice(8, 10)}.${date.slice(5, 7)}. ${time}`;
}

// The agenda line of a booking (time, office, name, topic, state).
function agendaLine(screen, text) {
    return screenLines(screen).find((l) => /^ [> ] \d\d:\d\d /.test(l) && l.includes(text));
}

describe('klopf: the agenda', () => {
    const scope = new Scope();
    const terms = new Set();
    let d;
    let clock;

    beforeEach(async () => {
        const stateDir = scope.copy(await stateTemplate(CONF, CLERKS));
        clock = path.join(scope.dir(), 'clock');
        fs.writeFileSync(clock, '0\n');
        d = await scope.start({ conf: CONF, stateDir, extraArgs: ['--test-clock', clock] });
    });
    afterEach(async () => {
        for (const t of terms) t.kill();
        terms.clear();
        await scope.cleanup();
    });

    // seconds klopfd adds to the real time
    const setClock = (s) => fs.writeFileSync(clock, `${Math.round(s)}\n`);
    // klopfd at 05:50 or 06:50 in Berlin tomorrow (not on a slot's notice
    // boundary, an hour before it): late in the evening
    // today would have fewer than the two free times a test needs (and
    // the console, on the real clock, sees the bookings ahead)
    const morning = () => {
        const day = new Date(Date.now() + 86400e3)
            .toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
        setClock((Date.parse(`${day}T04:50:00Z`) - Date.now()) / 1000);
    };

    // klopf for anna, logged in. Her machine is in New York, klopfd's zone
    // is Berlin (the default): the times shown must be Berlin's, which
    // klopfd names in its welcome.
    async function clerk() {
        const conf = path.join(scope.dir(), 'klopf.conf');
        fs.writeFileSync(conf, 'bell = false;\nvideo = "off";\n');
        const t = new Term(['-c', conf, '--server', `http://127.0.0.1:${d.port}`,
            '--user', 'anna'], { env: { TZ: 'America/New_York' } });
        terms.add(t);
        t.start();
        await t.waitFor('Passwort für anna');
        t.type(PW);
        t.keys('Enter');
        await t.waitFor('● verbunden');
        await t.waitFor('Amt A');
        return t;
    }

    async function slots(c, office = 'amt-a', date) {
        return expectType(await c.request({ type: 'slots', office, ...(date ? { date } : {}) }),
            'slots');
    }

    async function book(c, slot, name, topic) {
        return expectType(await c.request({ type: 'book', office: 'amt-a', start: slot.start,
            consent: true, name, topic }), 'booked');
    }

    test('g shows the bookings by day; x cancels one with a message that reaches the '
        + 'booking page', async () => {
        morning();
        const v = await scope.connect(d.port);
        const free = await slots(v);
        const s1 = free.slots[0];
        const s2 = free.slots[1];
        const { code } = await book(v, s1, 'Jonas Weber', 'Namensänderung');
        await book(v, s2, 'Aylin Demir', 'Eheschließung');
        // the citizen's booking page, looking at the booking
        const page = await scope.connect(d.port);
        expectType(await page.request({ type: 'booking', code }), 'booking');

        const t = await clerk();
        t.keys('g');
        let s = await t.waitFor('Jonas Weber');
        await t.waitFor('Aylin Demir');
        s = t.screen();
        const [y, m, dd] = free.date.split('-');
        assert.match(s, new RegExp(`, ${dd}\\.${m}\\.${y}`), 'a heading for the day');
        const line = agendaLine(s, 'Jonas Weber');
        assert.ok(line, s);
        assert.match(line,
            new RegExp(`^ > ${s1.time} +Amt A +Jonas Weber +Namensänderung +gebucht`),
            'time, office, name, topic, state; the first is selected');
        assert.match(agendaLine(s, 'Aylin Demir'), new RegExp(`${s2.time} +Amt A +Aylin Demir`));
        assert.match(s, /Jonas Weber · Amt A · .*–.* · gebucht/);    // details
        assert.match(screenLines(s)[23], /x:Absagen.*s:Sperren.*\?:Hilfe/);

        t.keys('x');
        s = await t.waitFor('Jonas Weber absagen – Nachricht:');
        assert.match(s, new RegExp(`Termin .* ${s1.time} bei Amt A: die Nachricht erscheint `
            + 'auf der Buchungsseite'));
        const message = 'Die Sachbearbeiterin ist erkrankt. Bitte buchen Sie neu.';
        t.type(message);
        t.keys('Enter');
        const push = await page.next('booking');
        assert.equal(push.booking.state, 'cancelled');
        assert.equal(push.booking.message, message);
        s = await t.waitFor((x) => /abgesagt/.test(agendaLine(x, 'Jonas Weber') ?? ''),
            { what: 'the booking shown as cancelled' });
        assert.match(s, /Abgesagt: Jonas Weber/);
        assert.match(s, /Nachricht an die Person: Die Sachbearbeiterin ist erkrankt/);
        // The other booking is untouched.
        assert.match(agendaLine(s, 'Aylin Demir'), /gebucht/);
        // Cancelling it again is refused in words, without a prompt.
        t.keys('x');
        await t.waitFor('Nur gebuchte Termine lassen sich absagen; dieser ist abgesagt.');

        // Esc goes back to the queue, g comes back.
        t.keys('Escape');
        await t.waitFor('Warteschlange Amt A');
        t.keys('g');
        await t.waitFor('Jonas Weber');
        t.keys('g');
        await t.waitFor('Warteschlange Amt A');
        t.keys('q');
        assert.equal(await t.exited(), 0);
    });

    test('s blocks a free slot chosen from the list or typed: it is gone from slots; '
        + 'x lifts the block', async () => {
        morning();
        const v = await scope.connect(d.port);
        const free = await slots(v);
        const [a, b] = free.slots;
        const t = await clerk();
        t.keys('g');
        await t.waitFor('Keine Termine in diesen Tagen');

        // from the list of free slots
        t.keys('s');
        let s = await t.waitFor('Zeit sperren bei');
        assert.match(s, /Anonyme Beratung/);
        t.keys('Enter');                          // amt-a comes first
        await t.waitFor('Zeit sperren, TT.MM. HH:MM:');
        await t.waitFor(`Amt A: frei am ${free.date.slice(8, 10)}.${free.date.slice(5, 7)}.`);
        t.keys('Down');
        await t.waitFor(`HH:MM: ${shown(free.date, a.time)}`);
        t.keys('Enter');
        s = await t.waitFor('Notiz zur Sperre (optional):');
        assert.match(s, new RegExp(`Sperren: .* ${a.time} bei Amt A`));
        t.type('Teambesprechung');
        t.keys('Enter');
        s = await t.waitFor('Gesperrt:');
        assert.match(s, new RegExp(`Gesperrt: .* ${a.time} bei Amt A`));
        s = await t.waitFor((x) => agendaLine(x, '(Sperre)'), { what: 'the block in the agenda' });
        assert.match(agendaLine(s, '(Sperre)'),
            new RegExp(`${a.time} +Amt A +\\(Sperre\\) +Teambesprechung +gesperrt`));
        let now = await slots(v, 'amt-a', free.date);
        assert.ok(!now.slots.some((x) => x.start === a.start), 'the blocked slot is not offered');
        assert.ok(now.slots.some((x) => x.start === b.start));

        // typed as the clerk would
        t.keys('s');
        await t.waitFor('Zeit sperren bei');
        t.keys('Enter');
        await t.waitFor('Amt A: frei am');
        t.type(shown(free.date, b.time));
        t.keys('Enter');
        await t.waitFor('Notiz zur Sperre (optional):');
        t.keys('Enter');
        await t.waitFor(new RegExp(`Gesperrt: .* ${b.time} bei Amt A`));
        now = await slots(v, 'amt-a', free.date);
        assert.ok(!now.slots.some((x) => x.start === b.start), 'the typed slot is blocked too');
        err(await v.request({ type: 'book', office: 'amt-a', start: b.start, consent: true }),
            'slot_taken');

        // x on a block lifts it after asking
        const blocks = (x) => screenLines(x).filter((l) => l.includes('(Sperre)')).length;
        s = await t.waitFor((x) => blocks(x) === 2, { what: 'two blocks' });
        t.keys('Home');
        await t.waitFor((x) => screenLines(x).some((l) => l.startsWith(' > ')
            && l.includes(a.time) && l.includes('(Sperre)')), { what: 'the first block selected' });
        t.keys('x');
        await t.waitFor(/Sperre .* aufheben\? \(j\/n\)/);
        t.keys('j');
        await t.waitFor('Sperre aufgehoben:');
        now = await slots(v, 'amt-a', free.date);
        assert.ok(now.slots.some((x) => x.start === a.start), 'free again');
        await t.waitFor((x) => blocks(x) === 1, { what: 'one block left' });
        t.keys('q');
        assert.equal(await t.exited(), 0);
    });

    test('an arrived appointment is marked in the queue and goes ahead of a walk-in',
        async () => {
            const v = await scope.connect(d.port);
            const free = await slots(v);
            const slot = free.slots[0];
            const { code } = await book(v, slot, 'Jonas Weber', 'Namensänderung');
            const t = await clerk();
            // Two minutes before the slot a walk-in knocks, then the
            // appointment enters; at the slot's start it goes ahead.
            setClock(slot.start - 120 - nowS());
            const walk = await scope.citizen(d.port, 'amt-a', { name: 'Spontan Sein' });
            await t.waitFor('Spontan Sein');
            const c = await scope.connect(d.port);
            const k = expectType(await c.request({ type: 'enter', code, lang: 'de' }), 'knocked');
            assert.equal(k.ticket.position, 2);
            let s = await t.waitFor('Jonas Weber');
            assert.match(queueLine(s, 'Jonas Weber'),
                new RegExp(`^[> ]\\s+2 .*Jonas Weber.*Termin ${slot.time}`));
            setClock(slot.start + 5 - nowS());
            await c.next('ticket', (x) => x.ticket.position === 1, 5000);
            s = await t.waitFor((x) => /^[> ]\s+1 .*Jonas Weber/.test(
                queueLine(x, 'Jonas Weber') ?? ''), { what: 'the appointment first' });
            assert.match(queueLine(s, 'Jonas Weber'), new RegExp(`Termin ${slot.time} +Namensä`));
            assert.match(queueLine(s, 'Spontan Sein'), /^[> ]\s+2 /);
            assert.ok(!/Termin/.test(queueLine(s, 'Spontan Sein')), 'a walk-in has no mark');
            // The details say so too (the appointment is selected: first).
            t.keys('Home');
            await t.waitFor(new RegExp(`Jonas Weber · Termin ${slot.time} · Ticket \\d+`));
            // In the agenda it has arrived.
            t.keys('g');
            await t.waitFor((x) => /angekommen/.test(agendaLine(x, 'Jonas Weber') ?? ''),
                { what: 'the booking shown as arrived' });
            t.keys('Escape');
            t.keys('a');
            await c.next('ticket', (x) => x.ticket.state === 'admitted');
            await t.waitFor('Im Gespräch: Jonas Weber');
            walk.terminate();
            setClock(0);
            t.keys('e');
            await t.waitFor('Kein Gespräch offen');
            t.keys('q');
            assert.equal(await t.exited(), 0);
        });
});

function err(reply, code) {
    assert.equal(reply.type, 'error', `expected error ${code}, got ${JSON.stringify(reply)}`);
    assert.equal(reply.code, code);
}

// The queue line of a person (the right pane, after the offices), or
// undefined.
function queueLine(screen, name) {
    const l = screen.split('\n').find((x) => x.includes('│') && x.includes(name));
    return l === undefined ? l : l.slice(l.indexOf('│') + 1);
}
