// bookingmodel: appointments as the citizen sees them (doc/protocol.md,
// "Appointments"): booking codes, days and times in the administration's
// time zone, the window for entering, the countdown in words, refusals,
// and the calendar file (.ics, RFC 5545). Pure: no DOM, no WebSocket, no
// clock of its own (now is an argument), so node --test imports this file.

import { validateKnock } from './model.js';

// The administration's time zone: klopfd names it in its welcome
// (doc/protocol.md); until then, and if it names none this browser knows,
// Berlin. The one piece of state here: set once per connection.
export const ADMIN_TIME_ZONE = 'Europe/Berlin';
let adminZone = ADMIN_TIME_ZONE;

// Takes klopfd's zone (an IANA name) if this browser knows it; returns
// the zone now in use.
export function useTimeZone(zone) {
    if (typeof zone === 'string' && zone) {
        try {
            new Intl.DateTimeFormat('en', { timeZone: zone }).format(0);
            adminZone = zone;
        } catch {
            /* unknown here: keep the one before */
        }
    }
    return adminZone;
}

export function adminTimeZone() {
    return adminZone;
}

// The zone's place as people say it: "Europe/Berlin" → "Berlin".
export function zonePlace(zone = adminZone) {
    return zone.split('/').pop().replace(/_/g, ' ');
}

// ------------------------------------------------------------- the code

// The symbols of a booking code: no 0/O, 1/I/L.
export const CODE_SYMBOLS = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 10;

// A code as the citizen typed it ("k7wp q3hx-m9", "K7WP.Q3HX.M9") in the
// form klopfd prints ("K7WP-Q3HX-M9"); null unless it has exactly ten
// code symbols once case, spaces, dashes and dots are ignored.
export function normalizeCode(input) {
    const raw = String(input ?? '').toUpperCase().replace(/[\s\-.\u2010-\u2015]/g, '');
    if (raw.length !== CODE_LENGTH) return null;
    for (const ch of raw) if (!CODE_SYMBOLS.includes(ch)) return null;
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

// The code spelled out for a screen reader: "K 7 W P, Q 3 H X, M 9".
export function spelledCode(code) {
    return String(code).split('-').map((g) => g.split('').join(' ')).join(', ');
}

// ------------------------------------------------------- days and times

function timeZoneOpts(opts, timeZone) {
    return { ...opts, timeZone };
}

// A slot's start (Unix seconds) in the administration's zone: {date:
// "Do., 26.11.", long: "Donnerstag, 26. November 2026", time: "09:30"}.
export function formatInstant(seconds, lang, timeZone = adminZone) {
    const d = new Date(seconds * 1000);
    const short = lang === 'de'
        ? { weekday: 'short', day: '2-digit', month: '2-digit' }
        : { weekday: 'short', day: 'numeric', month: 'short' };
    return {
        date: new Intl.DateTimeFormat(lang, timeZoneOpts(short, timeZone)).format(d),
        long: new Intl.DateTimeFormat(lang, timeZoneOpts({ weekday: 'long', day: 'numeric',
            month: 'long', year: 'numeric' }, timeZone)).format(d),
        time: new Intl.DateTimeFormat(lang, timeZoneOpts({ hour: '2-digit', minute: '2-digit',
            hourCycle: 'h23' }, timeZone)).format(d),
    };
}

// A calendar day of the slots reply ("2026-11-26"), which is already the
// administration's date: {date: "Do., 26.11.", long: "Donnerstag, 26.
// November"}; null if it is not of that form.
export function formatDay(iso, lang) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
    if (!m) return null;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
    const short = lang === 'de'
        ? { weekday: 'short', day: '2-digit', month: '2-digit' }
        : { weekday: 'short', day: 'numeric', month: 'short' };
    return {
        date: new Intl.DateTimeFormat(lang, timeZoneOpts(short, 'UTC')).format(d),
        long: new Intl.DateTimeFormat(lang, timeZoneOpts({ weekday: 'long', day: 'numeric',
            month: 'long' }, 'UTC')).format(d),
    };
}

// The days of a slots reply as the page lists them: [{date, label, long,
// free, freeText, full}].
export function dayList(days, t) {
    return (days || []).map((day) => {
        const f = formatDay(day.date, t.lang) || { date: day.date, long: day.date };
        const free = Number(day.free) || 0;
        return {
            date: day.date, label: f.date, long: f.long, free, full: free === 0,
            freeText: free === 0 ? t('booking.dayFull') : t('booking.dayFree', { n: free }),
        };
    });
}

// Whether the office takes appointments (klopfd sends next_appointment,
// possibly null, only for those).
export function takesAppointments(office) {
    return !!office && Object.prototype.hasOwnProperty.call(office, 'next_appointment');
}

// "Nächster freier Termin: Do., 26.11., 09:30 Uhr", the "none free" text,
// or null for an office without appointments.
export function nextAppointmentText(office, t) {
    if (!takesAppointments(office)) return null;
    if (!Number.isFinite(office.next_appointment)) return t('booking.noneFree');
    const f = formatInstant(office.next_appointment, t.lang);
    return t('booking.nextFree', { date: f.date, time: f.time });
}

// The start of the slot of an appointment's ticket ("2026-11-24T10:30:00
// +01:00", the office's local time) as "10:30"; null for a walk-in.
export function appointmentTime(ticket) {
    const m = /T(\d{2}:\d{2})/.exec(String(ticket?.appointment ?? ''));
    return ticket?.appointment && m ? m[1] : null;
}

// --------------------------------------------------- the window to enter

// Where a booking stands at now (Unix seconds): {kind, toStart, toEnter}.
// kind: "before" (too early to enter), "open" (enter now), "late" (after
// enter_until: knock as a walk-in), or the booking's state when it is not
// "booked" ("arrived", "done", "no_show", "cancelled"). toStart: seconds
// until the slot begins (negative once it has); toEnter: until enter_from.
export function enterState(booking, now) {
    const toStart = booking.start - now;
    const toEnter = booking.enter_from - now;
    let kind;
    if (booking.state !== 'booked') kind = booking.state;
    else if (now < booking.enter_from) kind = 'before';
    else if (now < booking.enter_until) kind = 'open';
    else kind = 'late';
    return { kind, toStart, toEnter };
}

// A span of time in words, rounded up to whole minutes: "1 Minute",
// "42 Minuten", "3 Stunden und 12 Minuten", beyond two days "3 Tage".
export function durationText(seconds, t) {
    const minutes = Math.max(1, Math.ceil(seconds / 60));
    if (minutes < 60) return t('booking.minutes', { n: minutes });
    const hours = Math.floor(minutes / 60);
    if (hours < 48) {
        const rest = minutes % 60;
        const h = t('booking.hours', { n: hours });
        return rest === 0 ? h : t('booking.and', { a: h, b: t('booking.minutes', { n: rest }) });
    }
    return t('booking.days', { n: Math.floor(hours / 24) });
}

// What the enter section says at now: {kind, text, canEnter}.
export function enterText(booking, now, t) {
    const s = enterState(booking, now);
    const at = formatInstant(booking.enter_from, t.lang).time;
    switch (s.kind) {
    case 'before':
        return { kind: s.kind, canEnter: false,
            text: `${t('booking.startsIn', { time: durationText(s.toStart, t) })} ${t('booking.enterFrom', { time: at })}` };
    case 'open':
        return { kind: s.kind, canEnter: true,
            text: s.toStart > 0 ? t('booking.openSoon', { time: durationText(s.toStart, t) })
                : t('booking.openNow') };
    case 'late':
        return { kind: s.kind, canEnter: false, text: t('booking.late') };
    default:
        return { kind: s.kind, canEnter: false, text: '' };
    }
}

// ------------------------------------------------------------ booking

// Checks the booking form by the protocol's rules (those of the knock
// form, and a time must be chosen). Returns {errors: [{field, key}],
// request} with request the "book" message (without id) when all is well.
export function validateBooking({ office, start, name = '', topic = '', consent = false,
    anonymous = false, lang = 'de' }) {
    const v = validateKnock({ office, name, topic, consent, anonymous, lang });
    const errors = [];
    if (!Number.isInteger(start)) errors.push({ field: 'time', key: 'booking.error.time' });
    // the consent text names booking, not knocking
    errors.push(...v.errors.map((e) => (e.field === 'consent'
        ? { ...e, key: 'booking.error.consent' } : e)));
    if (errors.length) return { errors, request: null };
    return { errors, request: { ...v.request, type: 'book', start } };
}

// A refused appointment request in words. err: the protocol's error reply
// ({code, retry_after, enter_from}) or {code: 'network'}.
export function bookingRefusal(err, t) {
    const code = err?.code ?? 'internal';
    switch (code) {
    case 'rate_limited':
        return t('booking.refusal.rate_limited', { n: Math.max(1, Number(err.retry_after) || 60) });
    case 'too_early':
        return Number.isFinite(err.enter_from)
            ? t('booking.refusal.too_early_at', { time: formatInstant(err.enter_from, t.lang).time })
            : t('booking.refusal.too_early');
    case 'bad_message':
        if (err.field === 'name') return t('refusal.bad_name');
        if (err.field === 'topic') return t('refusal.bad_topic');
        return t('refusal.internal');
    case 'no_appointments':
    case 'not_bookable':
    case 'slot_taken':
    case 'too_many_bookings':
    case 'unknown_booking':
    case 'booking_cancelled':
    case 'booking_used':
    case 'too_late':
    case 'wrong_state':
    case 'already_waiting':
        return t(`booking.refusal.${code}`);
    case 'name_not_allowed':
    case 'consent_required':
    case 'unknown_office':
    case 'network':
        return t(`refusal.${code}`);
    default:
        return t('refusal.internal');
    }
}

// --------------------------------------------------- the calendar file

// Unix seconds as an RFC 5545 UTC date-time: 20261126T083000Z.
export function icsTime(seconds) {
    return new Date(seconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

// Escapes a TEXT value (RFC 5545, 3.3.11): backslash, semicolon, comma,
// line breaks.
export function icsEscape(text) {
    return String(text ?? '').replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,')
        .replace(/\r\n|\r|\n/g, '\\n');
}

// Folds one content line at 75 octets (RFC 5545, 3.1): each further line
// starts with a space; a UTF-8 character is never split.
export function icsFold(line) {
    const enc = new TextEncoder();
    const out = [];
    let cur = '';
    let octets = 0;
    for (const ch of line) {
        const n = enc.encode(ch).length;
        const limit = out.length === 0 ? 75 : 74;   // the leading space counts
        if (octets + n > limit) {
            out.push(cur);
            cur = '';
            octets = 0;
        }
        cur += ch;
        octets += n;
    }
    out.push(cur);
    return out.join('\r\n ');
}

// The calendar file of one booking. ev: {uid, stamp, start, end (Unix
// seconds), summary, description, url}. Lines end in CRLF.
export function icsCalendar(ev) {
    const lines = [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//klopf//Virtuelles Buergerbuero//DE',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VEVENT',
        `UID:${ev.uid}`,
        `DTSTAMP:${icsTime(ev.stamp)}`,
        `DTSTART:${icsTime(ev.start)}`,
        `DTEND:${icsTime(ev.end)}`,
        `SUMMARY:${icsEscape(ev.summary)}`,
        `DESCRIPTION:${icsEscape(ev.description)}`,
        `URL:${ev.url}`,
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'TRIGGER:-PT15M',
        `DESCRIPTION:${icsEscape(ev.summary)}`,
        'END:VALARM',
        'END:VEVENT',
        'END:VCALENDAR',
    ];
    return `${lines.map(icsFold).join('\r\n')}\r\n`;
}

// The link to a booking's page ("http://host/?lang=en#/termin/CODE"): the
// code stays in the fragment, which browsers never send to the server.
export function bookingUrl(origin, code, lang) {
    return `${origin}/${lang && lang !== 'de' ? `?lang=${encodeURIComponent(lang)}` : ''}#/termin/${code}`;
}

// Everything the page needs for a booking's .ics download: {filename,
// text}. officeName in the page's language; host: where the page came from.
export function bookingCalendar({ booking, code, officeName, url, host, now, t }) {
    const when = formatInstant(booking.start, t.lang);
    const early = Math.round((booking.start - booking.enter_from) / 60);
    const description = [
        t('booking.ics.description', { office: officeName, date: when.long, time: when.time }),
        t('booking.ics.enter', { n: early }),
        url,
        t('booking.ics.code', { code }),
    ].join('\n');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: adminZone })
        .format(new Date(booking.start * 1000));
    return {
        filename: `termin-${booking.office}-${day}.ics`,
        text: icsCalendar({
            uid: `${code.replace(/-/g, '')}-${booking.start}@${host}`,
            stamp: now, start: booking.start, end: booking.end,
            summary: t('booking.ics.summary', { office: officeName }),
            description, url,
        }),
    };
}
