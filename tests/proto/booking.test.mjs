// Appointments over the real WebSocket (doc/protocol.md, "Appointments"):
// free slots, booking with a code, look-up, cancelling, two bookings of
// one slot at once, arriving before, during and after the slot (with the
// test clock klopfd accepts via --test-clock), the clerk's agenda, blocks
// and cancellations with a message, the limits, kill -9, /api/offices.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import {
    Scope, stateTemplate, expectType, officesOverHttp, officeById, PROTO_CONF_DIR,
} from './lib/harness.mjs';

const CONF = path.join(PROTO_CONF_DIR, 'appointments.conf');
const TIGHT = path.join(PROTO_CONF_DIR, 'appointments-tight.conf');
const CLERKS = {
    anna: { offices: ['amt-a'], password: 'anna-Passwort-1' },
    bert: { offices: ['amt-b'], password: 'bert-Passwort-2' },
};
const CODE = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/;
const nowS = () => Math.floor(Date.now() / 1000);

function sql(stateDir, query) {
    const r = spawnSync('sqlite3', ['-readonly', path.join(stateDir, 'klopf.db'), query],
        { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
    return r.stdout.trim();
}

function err(reply, code) {
    assert.equal(reply.type, 'error', `expected error ${code}, got ${JSON.stringify(reply)}`);
    assert.equal(reply.code, code, JSON.stringify(reply));
    assert.ok(reply.message.length > 10, 'a sentence a person can read');
    return reply;
}

describe('appointments', () => {
    const scope = new Scope();
    let d;
    let clock;              // file with the seconds klopfd adds to its clock
    let stateDir;
    const setClock = (s) => fs.writeFileSync(clock, `${Math.round(s)}\n`);

    before(async () => {
        stateDir = scope.copy(await stateTemplate(CONF, CLERKS));
        clock = path.join(scope.dir(), 'clock');
        d = await scope.start({ conf: CONF, stateDir, extraArgs: ['--test-clock', clock] });
    });
    after(() => scope.cleanup());

    async function slots(c, office = 'amt-a', date) {
        return expectType(await c.request({ type: 'slots', office, ...(date ? { date } : {}) }),
            'slots');
    }

    // the free slots of tomorrow (today may have only a few left)
    async function tomorrow(c) {
        const first = await slots(c);
        return slots(c, 'amt-a', first.days[1].date);
    }

    async function book(c, start, extra = {}) {
        return c.request({ type: 'book', office: 'amt-a', start, consent: true,
            name: 'Aylin Demir', topic: 'Eheschließung', ...extra });
    }

    test('free slots: days over the horizon, times of the first day, none too soon', async () => {
        const v = await scope.connect(d.port);
        const r = await slots(v);
        assert.equal(r.office, 'amt-a');
        assert.equal(r.slot_minutes, 30);
        assert.ok(r.days.length >= 3 && r.days.length <= 4, JSON.stringify(r.days));
        for (const day of r.days) assert.match(day.date, /^\d{4}-\d{2}-\d{2}$/);
        assert.equal(r.date, r.days.find((x) => x.free > 0).date);
        assert.ok(r.slots.length > 0);
        for (const s of r.slots) {
            assert.ok(s.start >= nowS() + 3600 - 5, 'not within the notice of 60 minutes');
            assert.equal(s.end - s.start, 1800);
            assert.match(s.time, /^([01]\d|2[0-3]):(00|30)$/);
        }
        // another day on request
        const last = r.days.at(-1).date;
        const r2 = await slots(v, 'amt-a', last);
        assert.equal(r2.date, last);
        assert.equal(r2.slots.length, r.days.at(-1).free);
        err(await v.request({ type: 'slots', office: 'amt-b' }), 'no_appointments');
        err(await v.request({ type: 'slots', office: 'nirgends' }), 'unknown_office');
        err(await v.request({ type: 'slots', office: 'amt-a', date: '24.11.2026' }), 'bad_message');
    });

    test('booking: a code to read aloud; the slot is gone for others; refusals say why', async () => {
        const v = await scope.connect(d.port);
        const { slots: free } = await tomorrow(v);
        const s = free[1];
        err(await book(v, s.start, { consent: false }), 'consent_required');
        err(await book(v, s.start + 60), 'not_bookable');
        err(await book(v, nowS() + 600), 'not_bookable');        // inside the notice
        err(await v.request({ type: 'book', office: 'beratung', start: s.start, consent: true,
            name: 'Aylin' }), 'name_not_allowed');
        const r = expectType(await book(v, s.start), 'booked');
        assert.match(r.code, CODE);
        assert.equal(r.booking.start, s.start);
        assert.equal(r.booking.state, 'booked');
        assert.equal(r.booking.name, 'Aylin Demir');
        assert.equal(r.booking.enter_from, s.start - 300);
        assert.equal(r.booking.enter_until, s.start + 900);
        assert.equal(r.booking.id, undefined, 'no internal id for citizens');
        const after1 = await tomorrow(await scope.connect(d.port));
        assert.ok(!after1.slots.some((x) => x.start === s.start), 'the slot is taken');
        err(await book(await scope.connect(d.port), s.start), 'slot_taken');
        // anonymous office: booked without a name
        const an = expectType(await v.request({ type: 'book', office: 'beratung',
            start: (await slots(v, 'beratung', after1.date)).slots[0].start, consent: true }),
        'booked');
        assert.equal(an.booking.name, null);
    });

    test('two citizens book the same slot at the same moment: exactly one gets it', async () => {
        const v = await scope.connect(d.port);
        const { slots: free } = await tomorrow(v);
        for (const s of free.slice(3, 8)) {
            const a = await scope.connect(d.port);
            const b = await scope.connect(d.port);
            const rs = await Promise.all([book(a, s.start), book(b, s.start)]);
            const types = rs.map((r) => (r.type === 'error' ? r.code : r.type)).sort();
            assert.deepEqual(types, ['booked', 'slot_taken'], JSON.stringify(rs));
        }
    });

    test('look-up by code: any case, spaces or dashes; a wrong code says nothing', async () => {
        const v = await scope.connect(d.port);
        const { slots: free } = await tomorrow(v);
        const { code, booking } = expectType(await book(v, free[9].start), 'booked');
        const typed = code.toLowerCase().replace(/-/g, ' ');
        const r = expectType(await (await scope.connect(d.port)).request({ type: 'booking',
            code: typed }), 'booking');
        assert.deepEqual(r.booking, booking);
        const wrong = code.slice(0, -1) + (code.endsWith('2') ? '3' : '2');
        const e1 = err(await v.request({ type: 'booking', code: wrong }), 'unknown_booking');
        const e2 = err(await v.request({ type: 'booking', code: 'OOOO-IIII-LL' }),
            'unknown_booking');
        assert.equal(e1.message, e2.message, 'malformed and unknown look the same');
    });

    test('the citizen cancels: the slot is free again; cancelling twice is refused', async () => {
        const v = await scope.connect(d.port);
        const { slots: free } = await tomorrow(v);
        const s = free[10];
        const { code } = expectType(await book(v, s.start), 'booked');
        expectType(await v.request({ type: 'cancel_booking', code }), 'ok');
        const r = expectType(await v.request({ type: 'booking', code }), 'booking');
        assert.equal(r.booking.state, 'cancelled');
        assert.ok((await tomorrow(v)).slots.some((x) => x.start === s.start), 'free again');
        err(await v.request({ type: 'cancel_booking', code }), 'wrong_state');
        err(await v.request({ type: 'enter', code }), 'booking_cancelled');
    });

    test('the clerk: agenda with names, cancel with a message that reaches the booking page, block a slot',
        async () => {
            const v = await scope.connect(d.port);
            const { slots: free } = await tomorrow(v);
            const s = free[11];
            const { code } = expectType(await book(v, s.start, { name: 'Jonas Weber',
                topic: 'Namensänderung' }), 'booked');
            const anna = await scope.clerk(d.port, 'anna', CLERKS.anna.password);
            const ag = expectType(await anna.request({ type: 'agenda' }), 'agenda');
            const mine = ag.bookings.find((b) => b.start === s.start);
            assert.ok(mine, JSON.stringify(ag.bookings));
            assert.equal(mine.name, 'Jonas Weber');
            assert.equal(mine.topic, 'Namensänderung');
            assert.equal(mine.state, 'booked');
            assert.ok(Number.isInteger(mine.id));
            assert.ok(ag.bookings.every((b) => b.office === 'amt-a'));
            // bert serves amt-b only
            const bert = await scope.clerk(d.port, 'bert', CLERKS.bert.password);
            err(await bert.request({ type: 'cancel_booking', booking: mine.id, message: 'x' }),
                'not_your_office');
            err(await bert.request({ type: 'agenda', office: 'amt-a' }), 'not_your_office');
            assert.deepEqual(expectType(await bert.request({ type: 'agenda' }), 'agenda').bookings, []);
            // the page that looked the booking up is told at once
            const page = await scope.connect(d.port);
            expectType(await page.request({ type: 'booking', code }), 'booking');
            expectType(await anna.request({ type: 'cancel_booking', booking: mine.id,
                message: 'Die Sachbearbeiterin ist erkrankt. Bitte buchen Sie neu.' }), 'ok');
            const push = await page.next('booking');
            assert.equal(push.booking.state, 'cancelled');
            assert.equal(push.booking.message, 'Die Sachbearbeiterin ist erkrankt. Bitte buchen Sie neu.');
            const again = expectType(await v.request({ type: 'booking', code }), 'booking');
            assert.equal(again.booking.message, push.booking.message);
            // block a slot: citizens cannot book it; blocking twice is refused
            const b = free[12];
            expectType(await anna.request({ type: 'block_slot', office: 'amt-a', start: b.start,
                note: 'Teambesprechung' }), 'ok');
            assert.ok(!(await tomorrow(v)).slots.some((x) => x.start === b.start));
            err(await book(v, b.start), 'slot_taken');
            err(await anna.request({ type: 'block_slot', office: 'amt-a', start: b.start }),
                'slot_taken');
            const ag2 = expectType(await anna.request({ type: 'agenda' }), 'agenda');
            const blk = ag2.bookings.find((x) => x.start === b.start);
            assert.equal(blk.state, 'blocked');
            assert.equal(blk.note, 'Teambesprechung');
            // roles
            err(await v.request({ type: 'agenda' }), 'not_logged_in');
            err(await v.request({ type: 'block_slot', office: 'amt-a', start: b.start }),
                'not_logged_in');
            err(await anna.request({ type: 'book', office: 'amt-a', start: free[13].start,
                consent: true }), 'not_allowed');
        });

    test('entering: too early says when; in the slot it goes ahead of a waiting walk-in; too late offers a walk-in',
        async () => {
            const v = await scope.connect(d.port);
            const { slots: free } = await tomorrow(v);
            const s = free[14];
            const late = free[16];
            const { code } = expectType(await book(v, s.start), 'booked');
            const { code: lateCode } = expectType(await book(v, late.start), 'booked');
            const e = err(await v.request({ type: 'enter', code }), 'too_early');
            assert.equal(e.enter_from, s.start - 300);
            assert.equal(e.start, s.start);

            // the clock moves to two minutes before the slot: a walk-in
            // waits, the appointment enters and waits behind it until the
            // slot begins, then goes ahead
            setClock(s.start - 120 - nowS());
            const anna = await scope.clerk(d.port, 'anna', CLERKS.anna.password);
            const walk = await scope.citizen(d.port, 'amt-a', { name: 'Spontan' });
            const c = await scope.connect(d.port);
            const k = expectType(await c.request({ type: 'enter', code }), 'knocked');
            assert.equal(k.ticket.state, 'waiting');
            assert.equal(k.ticket.position, 2, 'before its slot it waits like anyone');
            err(await c.request({ type: 'enter', code }), 'already_waiting');
            err(await (await scope.connect(d.port)).request({ type: 'enter', code }), 'booking_used');
            const b = expectType(await v.request({ type: 'booking', code }), 'booking');
            assert.equal(b.booking.state, 'arrived');

            setClock(s.start + 5 - nowS());
            const moved = await c.next('ticket', (m) => m.ticket.position === 1, 5000);
            assert.equal(moved.ticket.position, 1);
            await walk.next('ticket', (m) => m.ticket.position === 2, 5000);
            const add = await anna.next('queue_add', (m) => m.ticket.id === k.ticket.id
                && m.position === 1, 5000);
            assert.equal(add.ticket.priority, 1);
            assert.equal(Date.parse(add.ticket.appointment) / 1000, s.start,
                'the clerk sees it is an appointment, and for when');
            assert.equal(Date.parse(k.ticket.appointment) / 1000, s.start);

            // the clerk admits the appointment and ends: the booking is done
            expectType(await anna.request({ type: 'admit', ticket: k.ticket.id }), 'room');
            const room = (await c.next('ticket', (m) => m.ticket.state === 'admitted')).ticket.room;
            expectType(await anna.request({ type: 'end', room }), 'ok');
            await c.next('ticket', (m) => m.ticket.state === 'done');
            const done = expectType(await v.request({ type: 'booking', code }), 'booking');
            assert.equal(done.booking.state, 'done');

            // later than late_minutes after its start
            setClock(late.start + 15 * 60 + 60 - nowS());
            err(await (await scope.connect(d.port)).request({ type: 'enter', code: lateCode }),
                'too_late');
            setClock(0);
        });

    test('/api/offices shows the next free appointment, and it moves on once booked', async () => {
        const { body } = await officesOverHttp(d.port);
        const a = officeById(body.offices, 'amt-a');
        assert.ok(Number.isInteger(a.next_appointment), JSON.stringify(a));
        assert.equal(officeById(body.offices, 'amt-b').next_appointment, undefined);
        const v = await scope.connect(d.port);
        assert.equal(a.next_appointment, (await slots(v)).slots[0].start);
        expectType(await book(v, a.next_appointment), 'booked');
        const { body: b2 } = await officesOverHttp(d.port);
        assert.ok(officeById(b2.offices, 'amt-a').next_appointment > a.next_appointment);
    });

    test('bookings survive kill -9', async () => {
        const v = await scope.connect(d.port);
        const { slots: free } = await tomorrow(v);
        const { code, booking } = expectType(await book(v, free[20].start), 'booked');
        d.kill('SIGKILL');
        await d.exitPromise;
        await scope.closeClients();
        d = await scope.start({ conf: CONF, stateDir, extraArgs: ['--test-clock', clock] });
        const w = await scope.connect(d.port);
        const r = expectType(await w.request({ type: 'booking', code }), 'booking');
        assert.deepEqual(r.booking, booking);
        err(await book(w, free[20].start), 'slot_taken');
    });

    test('after the retention period a past booking keeps no name, topic or code; the anonymous office keeps none once the slot is over',
        async () => {
            const v = await scope.connect(d.port);
            const { slots: free } = await tomorrow(v);
            const { code, booking } = expectType(await book(v, free[22].start, { name: 'Erika Muster',
                topic: 'Wohngeld' }), 'booked');
            const anon = (await slots(v, 'beratung', (await slots(v)).days[1].date)).slots[5];
            const a = expectType(await v.request({ type: 'book', office: 'beratung', start: anon.start,
                consent: true, topic: 'HIV-Test' }), 'booked');
            const row = (start, office = 'amt-a') => sql(stateDir, "SELECT coalesce(name,'-') || '|' "
                + "|| coalesce(topic,'-') || '|' || (code_hash IS NULL) FROM bookings "
                + `WHERE office = '${office}' AND slot_start = ${start}`);
            assert.equal(row(booking.start), 'Erika Muster|Wohngeld|0');
            // an hour after the anonymous slot: its topic is gone at the
            // next purge (at start), the normal booking keeps its data
            setClock(anon.end + 3600 - nowS());
            await d.stop();
            d = await scope.start({ conf: CONF, stateDir, extraArgs: ['--test-clock', clock] });
            const wait = async (want, ...args) => {
                const deadline = Date.now() + 15000;
                while (row(...args) !== want && Date.now() < deadline) {
                    await new Promise((r) => setTimeout(r, 100));
                }
                assert.equal(row(...args), want);
            };
            await wait('-|-|1', anon.start, 'beratung');
            assert.equal(row(booking.start), 'Erika Muster|Wohngeld|0');
            // 31 days after the slot (retention_days defaults to 30)
            setClock(booking.end + 31 * 86400 - nowS());
            await d.stop();
            d = await scope.start({ conf: CONF, stateDir, extraArgs: ['--test-clock', clock] });
            await wait('-|-|1', booking.start);
            err(await (await scope.connect(d.port)).request({ type: 'booking', code }),
                'unknown_booking');
            assert.ok(a.code);
            setClock(0);
        });
});

describe('appointment limits', () => {
    const scope = new Scope();
    let d;
    before(async () => {
        d = await scope.start({ conf: TIGHT, stateDir: scope.dir() });
    });
    after(() => scope.cleanup());

    test('booking floods from one address stop with a clear message', async () => {
        const v = await scope.connect(d.port);
        // tomorrow's: late in the evening today has fewer than four
        const { days } = expectType(await v.request({ type: 'slots', office: 'amt-a' }),
            'slots');
        const { slots: free } = expectType(await v.request({ type: 'slots', office: 'amt-a',
            date: days[1].date }), 'slots');
        for (let i = 0; i < 3; i++) {
            expectType(await v.request({ type: 'book', office: 'amt-a', start: free[i].start,
                consent: true }), 'booked');
        }
        err(await (await scope.connect(d.port)).request({ type: 'book', office: 'amt-a',
            start: free[3].start, consent: true }), 'too_many_bookings');
    });

    test('guessing codes: look-ups per address are limited, with the seconds to wait', async () => {
        const v = await scope.connect(d.port);
        for (let i = 0; i < 5; i++) {
            err(await v.request({ type: 'booking', code: `ABCD-EFGH-J${i + 2}` }), 'unknown_booking');
        }
        const e = err(await (await scope.connect(d.port)).request({ type: 'booking',
            code: 'ABCD-EFGH-JK' }), 'rate_limited');
        assert.ok(e.retry_after >= 1 && e.retry_after <= 60, JSON.stringify(e));
        // the daemon still serves everyone else
        expectType(await v.request({ type: 'slots', office: 'amt-a' }), 'slots');
    });
});
