// Appointments in the browser, end to end against a real klopfd
// (tests/proto/conf/appointments.conf) started with --test-clock: a
// citizen books by keyboard, takes the calendar file, cancels and books
// again; at the slot's time (klopfd's clock moved through the file, the
// browser's through Playwright's clock) enters and goes ahead of a walk-in
// who knocked earlier; an office's cancellation reaches the open booking
// page; the pages are accessible, fit a phone and speak English on request.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
    Scope, stateTemplate, CLERKS, expectType, PROTO_CONF_DIR, officesOverHttp, officeById,
} from '../proto/lib/harness.mjs';
import {
    launch, newPage, assertClean, waitText, axeViolations, horizontalOverflow, screenshot, tabTo,
    markDocument, sameDocument, PHONE, DESKTOP, BROWSER_CONF_DIR,
} from './lib/browser.mjs';

const CONF = path.join(PROTO_CONF_DIR, 'appointments.conf');
const TIGHT = path.join(PROTO_CONF_DIR, 'appointments-tight.conf');
const ZONE = path.join(BROWSER_CONF_DIR, 'booking-zone.conf');
const CODE = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/;
const nowS = () => Math.floor(Date.now() / 1000);

// what the page should show for a Unix time, in Berlin (or another zone)
function berlin(seconds, timeZone = 'Europe/Berlin') {
    const d = new Date(seconds * 1000);
    const f = (o) => new Intl.DateTimeFormat('de', { ...o, timeZone }).format(d);
    return {
        short: f({ weekday: 'short', day: '2-digit', month: '2-digit' }),
        time: f({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
}

// the day in Berlin as klopfd writes it: 2026-11-26
function berlinDate(seconds) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date(seconds * 1000));
}

function icsTime(seconds) {
    return new Date(seconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// The .ics as {NAME: value} of the VEVENT (unfolded), and its raw text.
function parseIcs(text) {
    const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
    const ev = {};
    let inEvent = false;
    for (const l of lines) {
        if (l === 'BEGIN:VEVENT') inEvent = true;
        else if (l === 'BEGIN:VALARM' || l === 'END:VEVENT') inEvent = false;
        else if (inEvent) {
            const i = l.indexOf(':');
            ev[l.slice(0, i)] = l.slice(i + 1);
        }
    }
    return { lines, ev };
}

describe('appointments in the browser', () => {
    const scope = new Scope();
    let browser;
    let daemon;
    let origin;
    let clock;
    const pages = [];
    const setClock = (s) => fs.writeFileSync(clock, `${Math.round(s)}\n`);

    before(async () => {
        const template = await stateTemplate(CONF, CLERKS);
        clock = path.join(scope.dir(), 'clock');
        setClock(0);
        daemon = await scope.start({ conf: CONF, stateDir: scope.copy(template),
            extraArgs: ['--test-clock', clock] });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    afterEach(async () => {
        setClock(0);
        for (const p of pages.splice(0)) await p.context.close().catch(() => {});
        await scope.closeClients();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    // A page whose clock Playwright can move (it runs on from now).
    async function page(opts) {
        const p = await newPage(browser, origin, opts);
        await p.context.clock.install({ time: Date.now() });
        pages.push(p);
        return p;
    }

    function clerk(name) {
        return scope.clerk(daemon.port, name, CLERKS[name].password);
    }

    async function slots(office, date) {
        const v = await scope.connect(daemon.port);
        return expectType(await v.request({ type: 'slots', office, ...(date ? { date } : {}) }),
            'slots');
    }

    async function check(p, name, viewport = 'desktop') {
        const o = await horizontalOverflow(p.page);
        assert.equal(o.overflow, false, `${name}: scrollWidth ${o.scrollWidth} > ${o.clientWidth}`);
        assert.deepEqual(await axeViolations(p.page), [], name);
        await screenshot(p.page, `booking-${name}-${viewport}`);
    }

    // Books through the form with the keyboard only: the day after the
    // first (Arrow key in the day list), the time at index `time`.
    async function bookByKeyboard(p, { name, topic, time = 0 }) {
        const kb = p.page.keyboard;
        await p.page.locator('input[name="time"]').first().waitFor();
        const first = await p.page.inputValue('input[name="day"]:checked');
        await tabTo(assert, p.page, 'input[name="day"]:checked');
        await kb.press('ArrowRight');
        const day = await p.page.inputValue('input[name="day"]:checked');
        assert.notEqual(day, first);
        const free = (await slots('amt-a', day)).slots;
        await waitText(p.page, '#times-legend', /^2\. Uhrzeit wählen: \S+, \d+\. \S+$/);
        await p.page.waitForFunction((start) => !!document.getElementById(`time-${start}`),
            free[0].start);
        assert.equal(await p.page.evaluate(() => document.activeElement.value), day,
            'focus stays on the chosen day while its times load');
        await tabTo(assert, p.page, 'input[name="time"]');
        for (let i = 0; i < time; i++) await kb.press('ArrowRight');
        await kb.press('Space');
        const start = Number(await p.page.inputValue('input[name="time"]:checked'));
        assert.equal(start, free[time].start);
        if (name !== undefined) {
            await tabTo(assert, p.page, '#name');
            await kb.type(name);
        }
        if (topic !== undefined) {
            await tabTo(assert, p.page, '#topic');
            await kb.type(topic);
        }
        await tabTo(assert, p.page, '#consent');
        await kb.press('Space');
        await tabTo(assert, p.page, '#book');
        await kb.press('Enter');
        await waitText(p.page, 'h1', /^Ihr Termin ist gebucht$/);
        const code = await p.page.textContent('#booking-code');
        assert.match(code, CODE);
        return { code, start, slot: free[time] };
    }

    test('keyboard only: from the directory to a booking, the .ics, cancel, book again', async () => {
        const p = await page();
        const kb = p.page.keyboard;
        const { body } = await officesOverHttp(daemon.port);
        const next = officeById(body.offices, 'amt-a').next_appointment;
        await p.page.goto(`${origin}/`);
        const b = berlin(next);
        await waitText(p.page, 'li.office[data-office="amt-a"] .next-appointment',
            new RegExp(`^Nächster freier Termin: ${b.short.replace(/\./g, '\\.')}, ${b.time}$`));
        assert.equal(await p.page.locator('li.office[data-office="amt-b"] a.book').count(), 0,
            'an office without appointments offers none');
        assert.equal(await p.page.locator('li.office[data-office="amt-b"] .next-appointment').count(), 0);

        await tabTo(assert, p.page, 'li.office[data-office="amt-a"] a.book');
        await kb.press('Enter');
        await waitText(p.page, 'h1', /^Termin buchen: Amt A$/);
        assert.equal(await p.page.evaluate(() => document.activeElement.tagName), 'H1');
        assert.equal(new URL(p.page.url()).hash, '#/termin/buchen/amt-a');
        await p.page.locator('input[name="day"]:checked').waitFor();
        await check(p, 'form');

        const { code, start, slot } = await bookByKeyboard(p, { name: 'Aylin Demir',
            topic: 'Eheschließung', time: 2 });
        assert.equal(new URL(p.page.url()).hash, `#/termin/${code}`, 'the address is the booking\'s');
        const when = berlin(start);
        assert.match(await p.page.textContent('main .lead'), new RegExp(`^Amt A: .*2026, ${when.time} Uhr\\.$`));
        assert.equal(await p.page.textContent('#booking-time'),
            `${when.time}–${berlin(slot.end).time} Uhr`);
        assert.equal(await p.page.textContent('#booking-link'), `${origin}/#/termin/${code}`);
        // the code is spelled out for screen readers
        assert.match(await p.page.textContent('.code'), /([2-9A-Z] ){3}[2-9A-Z], /);
        await check(p, 'confirmation');

        // the clerk's agenda has it
        const anna = await clerk('anna');
        const agenda = expectType(await anna.request({ type: 'agenda' }), 'agenda');
        const mine = agenda.bookings.find((x) => x.start === start);
        assert.equal(mine.name, 'Aylin Demir');
        assert.equal(mine.topic, 'Eheschließung');

        // the calendar file, made in the page
        await tabTo(assert, p.page, '#ics');
        const [download] = await Promise.all([p.page.waitForEvent('download'), kb.press('Enter')]);
        assert.equal(download.suggestedFilename(),
            `termin-amt-a-${berlinDate(start)}.ics`);
        const text = fs.readFileSync(await download.path(), 'utf8');
        assert.ok(!/[^\r]\n/.test(text), 'CRLF line endings');
        for (const line of text.split('\r\n')) {
            assert.ok(Buffer.byteLength(line) <= 75, `folded at 75 octets: ${line}`);
        }
        const { lines, ev } = parseIcs(text);
        assert.equal(lines[0], 'BEGIN:VCALENDAR');
        assert.ok(lines.includes('END:VCALENDAR'));
        assert.equal(ev.DTSTART, icsTime(start));
        assert.equal(ev.DTEND, icsTime(slot.end));
        assert.match(ev.DTSTAMP, /^\d{8}T\d{6}Z$/);
        assert.equal(ev.UID, `${code.replace(/-/g, '')}-${start}@127.0.0.1:${daemon.port}`);
        assert.equal(ev.URL, `${origin}/#/termin/${code}`);
        assert.equal(ev.SUMMARY, 'Termin: Amt A');
        assert.ok(ev.DESCRIPTION.includes(ev.URL), 'the join link in the description');
        assert.ok(ev.DESCRIPTION.includes(code));

        // back (Shift+Tab) to the link, to the booking's page, and cancel it there
        for (let i = 0; i < 5 && !await p.page.evaluate(() => document.activeElement.id === 'booking-link'); i++) {
            await kb.press('Shift+Tab');
        }
        await kb.press('Enter');
        await waitText(p.page, 'h1', /^Ihr Termin: Amt A$/);
        await waitText(p.page, '#booking-state', /^Gebucht$/);
        assert.equal(await p.page.isDisabled('#enter'), true, 'too early to enter');
        await waitText(p.page, '#enter-status', /^Ihr Termin beginnt in .*\. Sie können ab \d\d:\d\d Uhr eintreten\.$/);
        await check(p, 'booking');
        await tabTo(assert, p.page, '#cancel-booking');
        await kb.press('Enter');
        await p.page.locator('dialog.confirm[open]').waitFor();
        assert.equal(await p.page.evaluate(() => document.activeElement.textContent),
            'Nein, Termin behalten', 'the safe choice has focus');
        await check(p, 'cancel-dialog');
        await kb.press('Tab');
        await kb.press('Space');
        await waitText(p.page, '#booking-state', /^Abgesagt$/);
        assert.equal(await p.page.textContent('main .lead'), 'Dieser Termin ist abgesagt.');
        assert.equal(await p.page.locator('#enter').count(), 0);
        await waitText(p.page, '#announce', /Der Termin ist abgesagt\./);
        assert.ok((await slots('amt-a', berlinDate(start))).slots.some((s) => s.start === start),
            'the time is free again');
        const again = expectType(await (await scope.connect(daemon.port)).request({ type: 'booking',
            code }), 'booking');
        assert.equal(again.booking.state, 'cancelled');

        // and book again from there
        await tabTo(assert, p.page, 'a[href="#/termin/buchen/amt-a"]');
        await kb.press('Enter');
        await waitText(p.page, 'h1', /^Termin buchen: Amt A$/);
        const second = await bookByKeyboard(p, { name: 'Aylin Demir', time: 2 });
        assert.equal(second.start, start, 'the cancelled time was free again');
        assert.notEqual(second.code, code);
        await assertClean(p, assert);
    });

    test('at the slot\'s time the citizen enters and goes ahead of a walk-in who knocked earlier',
        async () => {
            const day = (await slots('amt-a')).days[1].date;
            const free = (await slots('amt-a', day)).slots;
            const slot = free[5];
            const v = await scope.connect(daemon.port);
            const { code } = expectType(await v.request({ type: 'book', office: 'amt-a',
                start: slot.start, consent: true, name: 'Jonas Weber', topic: 'Namensänderung' }),
            'booked');

            // the code typed as people do, on the #/termin page
            const p = await page();
            await p.page.goto(`${origin}/#/`);
            await p.page.click('#find-booking');
            await waitText(p.page, 'h1', /^Ihren Termin ansehen$/);
            await p.page.fill('#code', 'k7wp q3hx');
            await p.page.press('#code', 'Enter');
            await waitText(p.page, '#code-error', /kein vollständiger Buchungscode/);
            assert.equal(await p.page.getAttribute('#code', 'aria-invalid'), 'true');
            await p.page.fill('#code', ` ${code.toLowerCase().replace(/-/g, ' ')} `);
            await p.page.press('#code', 'Enter');
            await waitText(p.page, 'h1', /^Ihr Termin: Amt A$/);
            assert.equal(new URL(p.page.url()).hash, `#/termin/${code}`);
            // a link typed by hand reads as printed too
            await p.page.goto(`${origin}/#/termin/${code.toLowerCase().replace(/-/g, '')}`);
            await waitText(p.page, '#booking-state', /^Gebucht$/);
            assert.equal(new URL(p.page.url()).hash, `#/termin/${code}`);
            await waitText(p.page, '#enter-status', /^Ihr Termin beginnt in /);
            assert.equal(await p.page.isDisabled('#enter'), true);

            // a walk-in knocks while klopfd's clock is ten minutes before the slot
            setClock(slot.start - 600 - nowS());
            const anna = await clerk('anna');
            await anna.next('queue');
            const walk = await scope.citizen(daemon.port, 'amt-a', { name: 'Spontan' });
            assert.equal(walk.ticket.position, 1);
            await anna.next('queue_add', (m) => m.ticket.id === walk.ticket.id);

            // the page counts down and lets the citizen in at enter_from
            await p.context.clock.setSystemTime((slot.start - 600) * 1000);
            await waitText(p.page, '#enter-status', /^Ihr Termin beginnt in 10 Minuten\. Sie können ab \d\d:\d\d Uhr eintreten\.$/);
            assert.equal(await p.page.isDisabled('#enter'), true);
            await p.context.clock.setSystemTime((slot.start - 299) * 1000);
            await waitText(p.page, '#enter-status', /^Ihr Termin beginnt in 5 Minuten\. Sie können jetzt eintreten\.$/);
            assert.equal(await p.page.isDisabled('#enter'), false);
            await waitText(p.page, '#announce', /Sie können jetzt eintreten/);

            // the slot begins: the citizen enters and is first
            setClock(slot.start + 5 - nowS());
            await p.context.clock.setSystemTime((slot.start + 5) * 1000);
            await waitText(p.page, '#enter-status', /^Ihr Termin hat begonnen\. Bitte treten Sie jetzt ein\.$/);
            await tabTo(assert, p.page, '#enter');
            await p.page.keyboard.press('Enter');
            await waitText(p.page, '#position', /^1$/);
            assert.equal(new URL(p.page.url()).hash, '#/warteraum');
            assert.equal(await p.page.textContent('#position-text'), 'Sie sind als Nächstes an der Reihe.');
            await waitText(p.page, '#appointment-note', new RegExp(`^Ihr Termin um ${slot.time} Uhr\\.`));
            assert.ok(await p.page.evaluate(() => /^[0-9a-f]{32}$/.test(sessionStorage.getItem('klopf.ticket'))),
                'the token is kept like a knock\'s');
            const add = await anna.next('queue_add', (m) => m.ticket.name === 'Jonas Weber');
            assert.equal(add.position, 1, 'ahead of the walk-in');
            assert.equal(add.ticket.priority, 1);
            const moved = await walk.next('ticket', (m) => m.ticket.position === 2);
            assert.equal(moved.ticket.position, 2);
            await check(p, 'waiting-appointment');

            // a reload keeps the place (the token is in the tab)
            await p.page.reload();
            await waitText(p.page, '#position', /^1$/);
            await waitText(p.page, '#appointment-note', /^Ihr Termin um /);
            await assertClean(p, assert);
        });

    test('after the window the page offers to knock as a walk-in', async () => {
        const free = (await slots('amt-a', (await slots('amt-a')).days[1].date)).slots;
        const slot = free[8];
        const v = await scope.connect(daemon.port);
        const { code } = expectType(await v.request({ type: 'book', office: 'amt-a',
            start: slot.start, consent: true }), 'booked');
        setClock(slot.start + 16 * 60 - nowS());
        const p = await page();
        await p.context.clock.setSystemTime((slot.start + 16 * 60) * 1000);
        await p.page.goto(`${origin}/#/termin/${code}`);
        await waitText(p.page, '#enter-status', /^Die Zeit zum Eintreten für diesen Termin ist vorbei\./);
        assert.equal(await p.page.isVisible('#enter'), false);
        assert.equal(await p.page.getAttribute('#enter-late a', 'href'), '#/amt/amt-a');
        await assertClean(p, assert);
    });

    // A phone whose clock is three hours ahead would find the window over;
    // the page counts by klopfd's clock (welcome's now) instead.
    test('a device clock that is hours off still counts down by klopfd\'s clock', async () => {
        const free = (await slots('amt-a', (await slots('amt-a')).days[1].date)).slots;
        const slot = free[9];
        const v = await scope.connect(daemon.port);
        const { code } = expectType(await v.request({ type: 'book', office: 'amt-a',
            start: slot.start, consent: true }), 'booked');
        // klopfd: 40 minutes before the slot; the device: 3 hours later
        setClock(slot.start - 40 * 60 - nowS());
        const p = await page();
        await p.context.clock.setSystemTime((slot.start - 40 * 60 + 3 * 3600) * 1000);
        await p.page.goto(`${origin}/#/termin/${code}`);
        await waitText(p.page, '#enter-status', /^Ihr Termin beginnt in (39|40) Minuten\./);
        assert.equal(await p.page.isDisabled('#enter'), true, 'not yet to be entered');
        await assertClean(p, assert);
    });

    test('the office cancels with a message: the open booking page shows it at once', async () => {
        const free = (await slots('amt-a', (await slots('amt-a')).days[2].date)).slots;
        const slot = free[3];
        const v = await scope.connect(daemon.port);
        const { code } = expectType(await v.request({ type: 'book', office: 'amt-a',
            start: slot.start, consent: true, name: 'Aylin' }), 'booked');
        const p = await page({ viewport: PHONE });
        await p.page.goto(`${origin}/#/termin/${code}`);
        await waitText(p.page, '#booking-state', /^Gebucht$/);
        await markDocument(p.page);
        await check(p, 'booking', 'phone');
        const anna = await clerk('anna');
        const agenda = expectType(await anna.request({ type: 'agenda' }), 'agenda');
        const b = agenda.bookings.find((x) => x.start === slot.start);
        expectType(await anna.request({ type: 'cancel_booking', booking: b.id,
            message: 'Die Sachbearbeiterin ist erkrankt. Bitte buchen Sie neu.' }), 'ok');
        await waitText(p.page, '#booking-state', /^Abgesagt$/);
        assert.equal(await p.page.textContent('#office-message'),
            'Die Sachbearbeiterin ist erkrankt. Bitte buchen Sie neu.');
        assert.equal(await p.page.textContent('main .lead'), 'Das Amt hat diesen Termin abgesagt.');
        assert.equal(await p.page.textContent('figcaption'), 'Nachricht des Amts:');
        assert.equal(await sameDocument(p.page), true, 'without a reload');
        await check(p, 'cancelled-by-office', 'phone');
        await assertClean(p, assert);
    });

    test('someone else takes the chosen time: the page says so and shows the times again',
        async () => {
            const p = await page({ viewport: PHONE });
            await p.page.goto(`${origin}/#/termin/buchen/amt-a`);
            await p.page.locator('input[name="time"]').first().waitFor();
            // the last day: late in the evening today has one time left
            await p.page.locator('input[name="day"]').last().check();
            await p.page.locator('input[name="time"] >> nth=1').waitFor();
            await check(p, 'form', 'phone');
            const start = Number(await p.page.getAttribute('input[name="time"] >> nth=1', 'value'));
            await p.page.check(`#time-${start}`);
            await p.page.fill('#name', 'Bernd');
            await p.page.check('#consent');
            const v = await scope.connect(daemon.port);
            expectType(await v.request({ type: 'book', office: 'amt-a', start, consent: true }),
                'booked');
            await p.page.click('#book');
            await waitText(p.page, '#book-result', /Diese Uhrzeit hat gerade jemand anderes gebucht/);
            await p.page.waitForFunction((s) => !document.getElementById(`time-${s}`), start);
            assert.ok(await p.page.locator('input[name="time"]').count() > 0, 'the other times are there');
            assert.equal(await p.page.inputValue('#name'), 'Bernd', 'what was typed stays');
            await assertClean(p, assert);
        });

    test('the directory and an office page with appointments at phone size', async () => {
        const p = await page({ viewport: PHONE });
        await p.page.goto(`${origin}/`);
        await waitText(p.page, 'li.office[data-office="beratung"] .next-appointment', /^Nächster freier Termin: /);
        assert.equal(await p.page.textContent('li.office[data-office="beratung"] a.book'),
            'Termin buchen – Anonyme Beratung');
        await check(p, 'directory', 'phone');
        await p.page.click('li.office[data-office="amt-a"] h2 a');
        await waitText(p.page, '#next-appointment', /^Nächster freier Termin: \S+, \d\d\.\d\d\., \d\d:\d\d$/);
        assert.equal(await p.page.getAttribute('#book-link', 'href'), '#/termin/buchen/amt-a');
        await check(p, 'office', 'phone');
        await p.page.goto(`${origin}/#/amt/amt-b`);
        await waitText(p.page, 'h1', /^Amt B$/);
        assert.equal(await p.page.locator('#book-link').count(), 0);
        await assertClean(p, assert);
    });

    test('English on request; an anonymous office asks for no name', async () => {
        const p = await page({ viewport: PHONE });
        await p.page.goto(`${origin}/?lang=en#/amt/beratung`);
        await waitText(p.page, '#next-appointment', /^Next free appointment: \w{3}, \w{3} \d+, \d\d:\d\d$/);
        await p.page.click('#book-link');
        await waitText(p.page, 'h1', /^Book an appointment: /);
        assert.equal(await p.page.locator('#name').count(), 0, 'no name at an anonymous office');
        assert.match(await p.page.textContent('#anon-note'), /do not ask for your name/);
        await p.page.locator('input[name="time"]').first().waitFor();
        assert.match(await p.page.textContent('#times-legend'), /^2\. Choose a time: \w+day, \w+ \d+$/);
        await p.page.click('#book');
        await waitText(p.page, '#time-error', /^Please choose a time\.$/);
        assert.match(await p.page.textContent('#consent-error'), /privacy notice/);
        await p.page.locator('input[name="time"]').first().check();
        await p.page.check('#consent');
        await p.page.click('#book');
        await waitText(p.page, 'h1', /^Your appointment is booked$/);
        const code = await p.page.textContent('#booking-code');
        assert.equal(await p.page.textContent('#booking-link'), `${origin}/?lang=en#/termin/${code}`);
        assert.equal(await p.page.textContent('#ics'), 'Download calendar file (.ics)');
        await check(p, 'confirmation-en', 'phone');
        await p.page.click('#booking-link');
        await waitText(p.page, 'h1', /^Your appointment: /);
        await waitText(p.page, '#booking-state', /^Booked$/);
        assert.equal(await p.page.textContent('#enter'), 'Enter now');
        assert.equal(await p.page.textContent('#cancel-booking'), 'Cancel appointment');
        await check(p, 'booking-en', 'phone');
        await p.page.goto(`${origin}/?lang=en#/termin/2222-3333-44`);
        await waitText(p.page, '#booking-problem', /^There is no appointment with this booking code\./);
        await assertClean(p, assert);
    });
});

describe('appointment look-ups in the browser, with tight limits', () => {
    const scope = new Scope();
    let browser;
    let daemon;
    let origin;

    before(async () => {
        daemon = await scope.start({ conf: TIGHT, stateDir: scope.dir() });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('an unknown code and too many look-ups get clear words', async () => {
        const p = await newPage(browser, origin, { viewport: DESKTOP });
        await p.page.goto(`${origin}/#/termin/ABCD-EFGH-JK`);
        await waitText(p.page, '#booking-problem',
            /^Zu diesem Buchungscode gibt es keinen Termin\. Bitte prüfen Sie den Code Zeichen für Zeichen\.$/);
        assert.deepEqual(await axeViolations(p.page), []);
        // a link with a broken code is not even looked up
        await p.page.goto(`${origin}/#/termin/ABC`);
        await waitText(p.page, '#booking-problem', /nicht vollständig/);
        for (let i = 0; i < 5; i++) {
            const v = await scope.connect(daemon.port);
            await v.request({ type: 'booking', code: `ABCD-EFGH-J${i + 2}` });
        }
        await p.page.goto(`${origin}/#/termin/ABCD-EFGH-KM`);
        await waitText(p.page, '#booking-problem',
            /^Es wurden von hier aus zu oft Buchungscodes eingegeben\. Bitte warten Sie \d+ Sekunden? und versuchen Sie es dann noch einmal\.$/);
        await assertClean(p, assert);
        await p.context.close();
    });
});

describe('appointments in the zone klopfd names', () => {
    const scope = new Scope();
    let browser;

    before(async () => { browser = await launch(); });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('times are shown in klopfd\'s zone, not the browser\'s', async () => {
        const daemon = await scope.start({ conf: ZONE, stateDir: scope.dir() });
        const origin = `http://127.0.0.1:${daemon.port}`;
        const { body } = await officesOverHttp(daemon.port);
        const next = officeById(body.offices, 'amt-a').next_appointment;
        const ny = berlin(next, 'America/New_York');
        const p = await newPage(browser, origin);   // the browser is in Berlin
        await p.page.goto(`${origin}/#/amt/amt-a`);
        await waitText(p.page, '#next-appointment',
            new RegExp(`^Nächster freier Termin: ${ny.short.replace(/\./g, '\\.')}, ${ny.time}$`));
        await p.page.click('#book-link');
        await waitText(p.page, 'main', /Alle Uhrzeiten sind Ortszeit New York\./);
        await p.page.locator(`#time-${next}`).waitFor();
        assert.equal(await p.page.textContent(`label[for="time-${next}"]`), ny.time);
        await assertClean(p, assert);
        await p.context.close();
    });
});
