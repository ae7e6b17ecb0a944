// The appointment pages' logic (webclient/js/bookingmodel.js): codes as
// people type them, days and times in the administration's zone, the
// window to enter and its countdown, the form's rules, refusals, and the
// calendar file (RFC 5545).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
    normalizeCode, spelledCode, formatInstant, formatDay, dayList, takesAppointments,
    nextAppointmentText, appointmentTime, enterState, enterText, durationText, validateBooking,
    bookingRefusal, icsTime, icsEscape, icsFold, icsCalendar, bookingCalendar, bookingUrl,
    ADMIN_TIME_ZONE, zonePlace, useTimeZone, adminTimeZone,
} from '../../webclient/js/bookingmodel.js';
import { de, en } from './lib.mjs';

// Thursday 2026-11-26, 09:30 in Berlin (CET, UTC+1)
const START = Date.UTC(2026, 10, 26, 8, 30) / 1000;
const booking = {
    office: 'amt-a', start: START, end: START + 1800, state: 'booked', name: 'Aylin',
    lang: 'de', topic: null, message: null, enter_from: START - 300, enter_until: START + 900,
};

describe('booking codes', () => {
    test('any case, spaces, dashes and dots read as the printed code', () => {
        assert.equal(normalizeCode('K7WP-Q3HX-M9'), 'K7WP-Q3HX-M9');
        assert.equal(normalizeCode('k7wp q3hx m9'), 'K7WP-Q3HX-M9');
        assert.equal(normalizeCode(' k7wpq3hxm9 '), 'K7WP-Q3HX-M9');
        assert.equal(normalizeCode('K7W.PQ3-HXM 9'), 'K7WP-Q3HX-M9');
        assert.equal(normalizeCode('k7wp–q3hx–m9'), 'K7WP-Q3HX-M9', 'a typographic dash');
    });
    test('too short, too long or with symbols a code never has: not a code', () => {
        assert.equal(normalizeCode('K7WP-Q3HX-M'), null);
        assert.equal(normalizeCode('K7WP-Q3HX-M99'), null);
        assert.equal(normalizeCode('O0O0-IIII-L1'), null, '0, O, 1, I and L are not used');
        assert.equal(normalizeCode(''), null);
        assert.equal(normalizeCode(null), null);
        assert.equal(normalizeCode('K7WP/Q3HX/M9'), null);
    });
    test('spelled out for a screen reader', () => {
        assert.equal(spelledCode('K7WP-Q3HX-M9'), 'K 7 W P, Q 3 H X, M 9');
    });
});

describe('days and times in the administration\'s zone', () => {
    test('the zone is Berlin', () => {
        assert.equal(ADMIN_TIME_ZONE, 'Europe/Berlin');
        assert.equal(zonePlace(), 'Berlin');
        assert.equal(zonePlace('America/Los_Angeles'), 'Los Angeles');
        assert.equal(de('booking.zone', { place: zonePlace() }), 'Alle Uhrzeiten sind Ortszeit Berlin.');
    });
    test('a slot\'s start reads in Berlin time, whatever the machine\'s zone', () => {
        assert.deepEqual(formatInstant(START, 'de'),
            { date: 'Do., 26.11.', long: 'Donnerstag, 26. November 2026', time: '09:30' });
        assert.deepEqual(formatInstant(START, 'en'),
            { date: 'Thu, Nov 26', long: 'Thursday, November 26, 2026', time: '09:30' });
        // summer time: 2026-07-02 07:00 UTC is 09:00 in Berlin
        assert.equal(formatInstant(Date.UTC(2026, 6, 2, 7, 0) / 1000, 'de').time, '09:00');
        // the night of the change back: 00:30 UTC on 25 October is 02:30 CEST
        assert.equal(formatInstant(Date.UTC(2026, 9, 25, 0, 30) / 1000, 'de').time, '02:30');
        assert.equal(formatInstant(Date.UTC(2026, 9, 25, 1, 30) / 1000, 'de').time, '02:30');
    });
    test('klopfd\'s zone from its welcome, if the browser knows it', () => {
        try {
            assert.equal(useTimeZone('America/New_York'), 'America/New_York');
            assert.equal(formatInstant(START, 'de').time, '03:30');
            assert.equal(zonePlace(), 'New York');
            assert.equal(useTimeZone('Mars/Olympus_Mons'), 'America/New_York', 'an unknown zone is ignored');
            assert.equal(useTimeZone(undefined), 'America/New_York');
            assert.equal(bookingCalendar({ booking: { ...booking, start: Date.UTC(2026, 10, 26, 2) / 1000 },
                code: 'K7WP-Q3HX-M9', officeName: 'Amt A', url: 'u', host: 'h', now: START, t: de })
                .filename, 'termin-amt-a-2026-11-25.ics', 'the file is named after the local day');
        } finally {
            useTimeZone(ADMIN_TIME_ZONE);
        }
        assert.equal(adminTimeZone(), 'Europe/Berlin');
    });
    test('a day of the slots reply is shown as it is, without a zone shift', () => {
        assert.deepEqual(formatDay('2026-11-26', 'de'), { date: 'Do., 26.11.', long: 'Donnerstag, 26. November' });
        assert.equal(formatDay('2026-03-29', 'en').long, 'Sunday, March 29');
        assert.equal(formatDay('26.11.2026', 'de'), null);
    });
    test('the day list says how many times are free, or that the day is full', () => {
        const days = dayList([{ date: '2026-11-25', free: 0 }, { date: '2026-11-26', free: 1 },
            { date: '2026-11-27', free: 12 }], de);
        assert.deepEqual(days.map((d) => [d.label, d.freeText, d.full]), [
            ['Mi., 25.11.', 'ausgebucht', true], ['Do., 26.11.', '1 frei', false],
            ['Fr., 27.11.', '12 frei', false]]);
        assert.deepEqual(dayList([{ date: '2026-11-27', free: 3 }], en).map((d) => d.freeText), ['3 free']);
        assert.deepEqual(dayList(undefined, de), []);
    });
    test('the next free appointment of an office, only where it takes appointments', () => {
        assert.equal(nextAppointmentText({ next_appointment: START }, de),
            'Nächster freier Termin: Do., 26.11., 09:30');
        assert.equal(nextAppointmentText({ next_appointment: START }, en),
            'Next free appointment: Thu, Nov 26, 09:30');
        assert.equal(nextAppointmentText({ next_appointment: null }, de), 'Zurzeit ist kein Termin frei.');
        assert.equal(nextAppointmentText({ id: 'amt-b' }, de), null);
        assert.equal(takesAppointments({ next_appointment: null }), true);
        assert.equal(takesAppointments({}), false);
        assert.equal(takesAppointments(null), false);
    });
    test('an appointment\'s ticket says its time; a walk-in\'s says nothing', () => {
        assert.equal(appointmentTime({ appointment: '2026-11-24T10:30:00+01:00' }), '10:30');
        assert.equal(appointmentTime({ appointment: null }), null);
        assert.equal(appointmentTime({}), null);
        assert.equal(appointmentTime(null), null);
    });
});

describe('the window to enter', () => {
    test('before, inside and after the window; other states as they are', () => {
        assert.equal(enterState(booking, START - 3600).kind, 'before');
        assert.equal(enterState(booking, START - 301).kind, 'before');
        assert.equal(enterState(booking, START - 300).kind, 'open');
        assert.equal(enterState(booking, START + 899).kind, 'open');
        assert.equal(enterState(booking, START + 900).kind, 'late');
        assert.equal(enterState({ ...booking, state: 'cancelled' }, START).kind, 'cancelled');
        assert.equal(enterState({ ...booking, state: 'arrived' }, START - 3600).kind, 'arrived');
        const s = enterState(booking, START - 600);
        assert.equal(s.toStart, 600);
        assert.equal(s.toEnter, 300);
    });
    test('spans of time, rounded up to whole minutes', () => {
        assert.equal(durationText(1, de), '1 Minute');
        assert.equal(durationText(60, de), '1 Minute');
        assert.equal(durationText(61, de), '2 Minuten');
        assert.equal(durationText(42 * 60, de), '42 Minuten');
        assert.equal(durationText(3600, de), '1 Stunde');
        assert.equal(durationText(3 * 3600 + 12 * 60, de), '3 Stunden und 12 Minuten');
        assert.equal(durationText(3 * 86400, de), '3 Tagen');
        assert.equal(durationText(3 * 3600 + 60, en), '3 hours and 1 minute');
        assert.equal(durationText(0, en), '1 minute');
    });
    test('the countdown says when the slot starts and from when one may enter', () => {
        const before = enterText(booking, START - 42 * 60, de);
        assert.equal(before.canEnter, false);
        assert.equal(before.text, 'Ihr Termin beginnt in 42 Minuten. Sie können ab 09:25 Uhr eintreten.');
        assert.equal(enterText(booking, START - 42 * 60, en).text,
            'Your appointment starts in 42 minutes. You can enter from 09:25.');
        const soon = enterText(booking, START - 120, de);
        assert.equal(soon.canEnter, true);
        assert.equal(soon.text, 'Ihr Termin beginnt in 2 Minuten. Sie können jetzt eintreten.');
        assert.equal(enterText(booking, START + 60, de).text,
            'Ihr Termin hat begonnen. Bitte treten Sie jetzt ein.');
        const late = enterText(booking, START + 1000, de);
        assert.equal(late.kind, 'late');
        assert.equal(late.canEnter, false);
        assert.match(late.text, /ohne Termin anklopfen/);
        assert.equal(enterText({ ...booking, state: 'done' }, START, de).canEnter, false);
    });
});

describe('the booking form', () => {
    test('a time must be chosen; the knock form\'s rules hold for the rest', () => {
        const v = validateBooking({ office: 'amt-a', start: null, consent: false });
        assert.deepEqual(v.errors.map((e) => e.field), ['time', 'consent']);
        assert.deepEqual(v.errors.map((e) => e.key), ['booking.error.time', 'booking.error.consent']);
        assert.equal(v.request, null);
        assert.deepEqual(validateBooking({ office: 'amt-a', start: START, name: 'a\u202eb',
            consent: true }).errors.map((e) => e.field), ['name']);
    });
    test('the book message: trimmed name and topic, none at anonymous offices', () => {
        assert.deepEqual(validateBooking({ office: 'amt-a', start: START, name: ' Aylin ',
            topic: ' Antrag ', consent: true, lang: 'en' }).request,
        { type: 'book', office: 'amt-a', start: START, consent: true, lang: 'en', name: 'Aylin',
            topic: 'Antrag' });
        assert.deepEqual(validateBooking({ office: 'beratung', start: START, name: 'Aylin',
            consent: true, anonymous: true }).request,
        { type: 'book', office: 'beratung', start: START, consent: true, lang: 'de' });
    });
    test('refusals read as what to do', () => {
        assert.match(bookingRefusal({ code: 'slot_taken' }, de), /jemand anderes gebucht/);
        assert.match(bookingRefusal({ code: 'unknown_booking' }, de), /keinen Termin/);
        assert.equal(bookingRefusal({ code: 'rate_limited', retry_after: 30 }, de),
            'Es wurden von hier aus zu oft Buchungscodes eingegeben. Bitte warten Sie 30 Sekunden und versuchen Sie es dann noch einmal.');
        assert.match(bookingRefusal({ code: 'rate_limited', retry_after: 1 }, en), /wait 1 second and/);
        assert.equal(bookingRefusal({ code: 'too_early', enter_from: START - 300, start: START }, de),
            'Es ist noch zu früh zum Eintreten. Sie können ab 09:25 Uhr eintreten.');
        assert.match(bookingRefusal({ code: 'too_late' }, en), /knock without an appointment/);
        assert.match(bookingRefusal({ code: 'network' }, de), /keine Verbindung/);
        assert.match(bookingRefusal({ code: 'something_new' }, de), /Fehler/);
        assert.match(bookingRefusal({ code: 'bad_message', field: 'topic' }, de), /Anliegen/);
        for (const code of ['no_appointments', 'not_bookable', 'too_many_bookings',
            'booking_cancelled', 'booking_used', 'wrong_state', 'already_waiting']) {
            assert.notEqual(bookingRefusal({ code }, de), bookingRefusal({ code: 'internal' }, de), code);
            assert.notEqual(bookingRefusal({ code }, en), bookingRefusal({ code }, de), code);
        }
    });
});

// Unfolds an .ics text into its content lines.
function parseIcs(text) {
    return text.replace(/\r\n[ \t]/g, '').split('\r\n');
}

describe('the calendar file', () => {
    test('UTC date-times in the Z form', () => {
        assert.equal(icsTime(START), '20261126T083000Z');
    });
    test('text is escaped', () => {
        assert.equal(icsEscape('a,b;c\\d\ne'), 'a\\,b\\;c\\\\d\\ne');
    });
    test('long lines are folded at 75 octets without splitting a character', () => {
        const line = `DESCRIPTION:${'ä'.repeat(100)}`;
        const folded = icsFold(line);
        const parts = folded.split('\r\n');
        assert.ok(parts.length > 1);
        const enc = new TextEncoder();
        for (const [i, p] of parts.entries()) {
            assert.ok(enc.encode(p).length <= 75, `line ${i} has ${enc.encode(p).length} octets`);
            if (i > 0) assert.equal(p[0], ' ');
        }
        assert.equal(parts.map((p, i) => (i ? p.slice(1) : p)).join(''), line);
        assert.equal(icsFold('SHORT:x'), 'SHORT:x');
    });
    test('a whole event: CRLF lines, the fields calendars need', () => {
        const text = icsCalendar({ uid: 'X@h', stamp: START - 86400, start: START, end: START + 1800,
            summary: 'Termin: Amt A, Zimmer 3', description: 'Zeile 1\nZeile 2', url: 'http://h/#/termin/K' });
        assert.ok(text.endsWith('\r\n'));
        assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
        const lines = parseIcs(text);
        assert.equal(lines[0], 'BEGIN:VCALENDAR');
        for (const l of ['VERSION:2.0', 'BEGIN:VEVENT', 'UID:X@h', 'DTSTAMP:20261125T083000Z',
            'DTSTART:20261126T083000Z', 'DTEND:20261126T090000Z',
            'SUMMARY:Termin: Amt A\\, Zimmer 3', 'DESCRIPTION:Zeile 1\\nZeile 2',
            'URL:http://h/#/termin/K', 'END:VEVENT', 'END:VCALENDAR']) {
            assert.ok(lines.includes(l), `${l} in\n${text}`);
        }
        assert.ok(lines.some((l) => l.startsWith('PRODID:')));
    });
    test('a booking\'s file: name, join link and code, in the page\'s language', () => {
        const url = bookingUrl('http://127.0.0.1:8080', 'K7WP-Q3HX-M9', 'de');
        assert.equal(url, 'http://127.0.0.1:8080/#/termin/K7WP-Q3HX-M9');
        assert.equal(bookingUrl('http://h', 'K7WP-Q3HX-M9', 'en'), 'http://h/?lang=en#/termin/K7WP-Q3HX-M9');
        const cal = bookingCalendar({ booking, code: 'K7WP-Q3HX-M9', officeName: 'Amt A', url,
            host: '127.0.0.1:8080', now: START - 3600, t: de });
        assert.equal(cal.filename, 'termin-amt-a-2026-11-26.ics');
        const lines = parseIcs(cal.text);
        assert.ok(lines.includes('SUMMARY:Termin: Amt A'));
        assert.ok(lines.includes(`URL:${url}`));
        assert.ok(lines.includes(`UID:K7WPQ3HXM9-${START}@127.0.0.1:8080`));
        const desc = lines.find((l) => l.startsWith('DESCRIPTION:Videotermin'));
        assert.ok(desc.includes('Donnerstag\\, 26. November 2026 um 09:30 Uhr'), desc);
        assert.ok(desc.includes(url), 'the join link');
        assert.ok(desc.includes('K7WP-Q3HX-M9'), 'the code');
        assert.ok(desc.includes('ab 5 Minuten vor Beginn'));
        const enCal = bookingCalendar({ booking, code: 'K7WP-Q3HX-M9', officeName: 'Office A',
            url, host: 'h', now: START, t: en });
        assert.ok(parseIcs(enCal.text).includes('SUMMARY:Appointment: Office A'));
    });
});
