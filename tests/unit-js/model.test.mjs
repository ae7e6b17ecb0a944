import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
    mergeOffice, officeStatus, todayHours, ticketChange, ticketView, refusalText, validateKnock,
    parsePlainText, FINAL_STATES,
} from '../../webclient/js/model.js';
import { de, en } from './lib.mjs';

const now = new Date(Date.UTC(2026, 10, 24, 9, 0)); // Tuesday, 10:00 in Berlin
const officeA = {
    id: 'amt-a', name: 'Amt A', name_en: 'Office A', description: 'x', anonymous: false,
    languages: ['de'], hours: [{ day: 2, from: '08:00', to: '12:00' }],
    status: 'open', queue: 2, wait: 600, opens_at: null,
};
const officeB = { ...officeA, id: 'amt-b', name: 'Amt B', name_en: 'Office B' };
const offices = [officeA, officeB];

function ticket(extra = {}) {
    return {
        id: 41, office: 'amt-a', state: 'waiting', position: 3, wait: 1200,
        knocked_at: '2026-11-24T09:12:00+01:00', message: null, transferred_from: null,
        room: null, ...extra,
    };
}

describe('office list', () => {
    test('an office push replaces the office of the same id, keeping the order', () => {
        const changed = { ...officeA, status: 'busy' };
        const list = mergeOffice(offices, changed);
        assert.deepEqual(list.map((o) => o.id), ['amt-a', 'amt-b']);
        assert.equal(list[0].status, 'busy');
        assert.equal(offices[0].status, 'open', 'the old list is not changed');
    });
    test('an unknown office is added at the end', () => {
        assert.deepEqual(mergeOffice(offices, { id: 'neu' }).map((o) => o.id),
            ['amt-a', 'amt-b', 'neu']);
    });
});

describe('office status in words (never by colour alone)', () => {
    test('open: label, queue and wait', () => {
        const s = officeStatus(officeA, de, now);
        assert.equal(s.status, 'open');
        assert.equal(s.label, 'Geöffnet');
        assert.equal(s.detail, '2 Personen warten, geschätzte Wartezeit: etwa 10 Minuten.');
        assert.equal(s.canKnock, true);
        assert.equal(officeStatus(officeA, en, now).detail,
            '2 people waiting, estimated wait: about 10 minutes.');
    });
    test('busy is "Im Gespräch" and can still be knocked on', () => {
        const s = officeStatus({ ...officeA, status: 'busy', queue: 0, wait: 0 }, de, now);
        assert.equal(s.label, 'Im Gespräch');
        assert.equal(s.detail, 'Niemand wartet, geschätzte Wartezeit: gleich.');
        assert.equal(s.canKnock, true);
    });
    test('closed with the next opening', () => {
        const s = officeStatus({ ...officeA, status: 'closed', queue: 0, wait: null,
            opens_at: '2026-11-25T08:30:00+01:00' }, de, now);
        assert.equal(s.label, 'Geschlossen');
        assert.equal(s.detail, 'Öffnet wieder morgen um 08:30 Uhr.');
        assert.equal(s.canKnock, false);
        assert.equal(officeStatus({ ...officeA, status: 'closed', queue: 0,
            opens_at: '2026-11-25T08:30:00+01:00' }, en, now).detail,
        'Opens again tomorrow at 08:30.');
    });
    test('closed in hours (nobody there), closed for good, and people still waiting', () => {
        assert.match(officeStatus({ ...officeA, status: 'closed', queue: 0 }, de, now).detail,
            /niemand erreichbar/);
        assert.equal(officeStatus({ ...officeA, status: 'closed', queue: 0, hours: [] }, de, now)
            .detail, 'Zurzeit gibt es keine Sprechzeiten.');
        assert.match(officeStatus({ ...officeA, status: 'closed', queue: 2 }, de, now).detail,
            /In der Warteschlange: 2\.$/);
    });
    test('an unknown status is shown as closed', () => {
        assert.equal(officeStatus({ ...officeA, status: 'weird' }, de, now).status, 'closed');
    });
    test('today\'s hours', () => {
        assert.equal(todayHours(officeA, 2, de), 'Sprechzeiten heute: 08:00–12:00 Uhr');
        assert.equal(todayHours(officeA, 3, en), 'Consultation hours today: none');
    });
});

describe('ticket changes', () => {
    test('admission is a change from waiting to admitted, not a resumed admitted ticket', () => {
        assert.equal(ticketChange(ticket(), ticket({ state: 'admitted', room: 7 })).admitted, true);
        assert.equal(ticketChange(null, ticket({ state: 'admitted' })).admitted, false);
        assert.equal(ticketChange(ticket({ state: 'admitted' }), ticket({ state: 'admitted' }))
            .admitted, false);
    });
    test('moving up, transfer and the end', () => {
        assert.equal(ticketChange(ticket(), ticket({ position: 2 })).moved, true);
        assert.equal(ticketChange(ticket(), ticket()).moved, false);
        const moved = ticketChange(ticket(), ticket({ office: 'amt-b', id: 58, transferred_from: 41 }));
        assert.equal(moved.transferred, true);
        assert.equal(ticketChange(ticket(), ticket({ state: 'declined' })).ended, true);
        assert.equal(ticketChange(ticket({ state: 'declined' }), ticket({ state: 'declined' })).ended,
            false);
        assert.deepEqual([...FINAL_STATES].sort(),
            ['declined', 'done', 'expired', 'transferred', 'withdrawn']);
    });
});

describe('ticket views', () => {
    test('waiting: position, wait, title and the sentence to announce', () => {
        const v = ticketView(ticket(), offices, de);
        assert.equal(v.kind, 'waiting');
        assert.equal(v.final, false);
        assert.equal(v.heading, 'Warteraum: Amt A');
        assert.equal(v.position, 3);
        assert.equal(v.positionText, 'Sie sind an Position 3 der Warteschlange.');
        assert.equal(v.waitText, 'Geschätzte Wartezeit: etwa 20 Minuten.');
        assert.equal(v.title, '(3) Warteraum – Amt A');
        assert.equal(v.announce, 'Sie sind an Position 3 der Warteschlange. Geschätzte Wartezeit: etwa 20 Minuten.');
        assert.equal(v.message, null);
    });
    test('waiting first, in English, with the office\'s English name', () => {
        const v = ticketView(ticket({ position: 1, wait: 0 }), offices, en);
        assert.equal(v.heading, 'Waiting room: Office A');
        assert.equal(v.positionText, 'You are next.');
        assert.equal(v.waitText, 'Estimated wait: very soon.');
    });
    test('transferred: the new office, the clerk\'s note and the new position', () => {
        const v = ticketView(ticket({ office: 'amt-b', id: 58, transferred_from: 41, position: 2,
            message: 'Dort ist man zuständig.' }), offices, de);
        assert.equal(v.kind, 'waiting');
        assert.deepEqual(v.lines, ['Sie wurden an „Amt B“ weitergeleitet.']);
        assert.equal(v.messageLabel, 'Hinweis der Sachbearbeitung:');
        assert.equal(v.message, 'Dort ist man zuständig.');
        assert.equal(v.positionText, 'Sie sind an Position 2 der Warteschlange.');
    });
    test('admitted', () => {
        const v = ticketView(ticket({ state: 'admitted', room: 7 }), offices, de);
        assert.equal(v.heading, 'Sie sind dran!');
        assert.equal(v.title, 'Sie sind dran! – Amt A');
        assert.equal(v.final, false);
        assert.equal(ticketView(ticket({ state: 'admitted' }), offices, en).title,
            'It\'s your turn! – Office A');
    });
    test('declined shows the clerk\'s message and what to do next', () => {
        const v = ticketView(ticket({ state: 'declined', message: 'Bitte buchen Sie einen Termin.' }),
            offices, de);
        assert.equal(v.final, true);
        assert.equal(v.heading, 'Ihr Anliegen wurde nicht angenommen');
        assert.equal(v.messageLabel, 'Nachricht der Sachbearbeitung:');
        assert.equal(v.message, 'Bitte buchen Sie einen Termin.');
        assert.match(v.next, /später noch einmal/);
    });
    for (const state of ['withdrawn', 'expired', 'done', 'transferred']) {
        test(`${state} is final, has a heading and says what to do next, in both languages`, () => {
            for (const t of [de, en]) {
                const v = ticketView(ticket({ state }), offices, t);
                assert.equal(v.final, true);
                assert.ok(v.heading && !v.heading.includes('.heading'), v.heading);
                assert.ok(v.next && !v.next.includes('.next'), v.next);
            }
        });
    }
    test('an unknown state is shown as a place that no longer exists', () => {
        const v = ticketView({ state: 'gone', office: '' }, offices, de);
        assert.equal(v.final, true);
        assert.equal(v.heading, 'Ihr Platz ist nicht mehr vorhanden');
    });
    test('a ticket at an office not (yet) known shows the id', () => {
        assert.equal(ticketView(ticket({ office: 'neu' }), offices, de).heading, 'Warteraum: neu');
    });
});

describe('refusals in words, with what to do instead', () => {
    const closed = { ...officeA, status: 'closed', opens_at: '2026-11-25T08:30:00+01:00' };
    test('closed, with and without a next opening', () => {
        assert.equal(refusalText({ code: 'office_closed' }, closed, de, now),
            'Das Amt ist gerade geschlossen. Es öffnet wieder morgen um 08:30 Uhr. Bitte klopfen Sie dann erneut an.');
        assert.equal(refusalText({ code: 'office_closed' }, officeA, en, now),
            'The office is closed right now. Please knock again during consultation hours.');
    });
    test('queue full and too many knocks (with the seconds to wait)', () => {
        assert.match(refusalText({ code: 'queue_full' }, officeA, de, now), /Warteschlange.*voll/);
        assert.equal(refusalText({ code: 'rate_limited', retry_after: 20 }, officeA, de, now),
            'Sie haben in kurzer Zeit zu oft angeklopft. Bitte warten Sie 20 Sekunden und versuchen Sie es dann noch einmal.');
        assert.match(refusalText({ code: 'rate_limited', retry_after: 1 }, officeA, en, now),
            /wait 1 second and/);
    });
    test('every code klopfd can send to a citizen has its own text', () => {
        const codes = ['office_closed', 'queue_full', 'rate_limited', 'name_not_allowed',
            'consent_required', 'already_waiting', 'unknown_office', 'unknown_ticket',
            'wrong_state', 'network'];
        const seen = new Set();
        for (const code of codes) {
            for (const t of [de, en]) {
                const text = refusalText({ code, retry_after: 5 }, officeA, t, now);
                assert.ok(!text.startsWith('refusal.'), `${code}: ${text}`);
                seen.add(text);
            }
        }
        assert.equal(seen.size, codes.length * 2, 'all texts differ');
    });
    test('bad fields name the field; anything else is a general error', () => {
        assert.match(refusalText({ code: 'bad_message', field: 'name' }, null, de, now), /Name/);
        assert.match(refusalText({ code: 'bad_message', field: 'topic' }, null, de, now), /Anliegen/);
        assert.equal(refusalText({ code: 'internal' }, null, de, now),
            refusalText({ code: 'something_new' }, null, de, now));
        assert.equal(refusalText(undefined, null, de, now), refusalText({ code: 'internal' }, null, de, now));
    });
});

describe('knock form checks', () => {
    test('a complete form becomes the knock message, trimmed, empty fields left out', () => {
        const v = validateKnock({ office: 'amt-a', name: ' Aylin ', topic: '', consent: true, lang: 'en' });
        assert.deepEqual(v.errors, []);
        assert.deepEqual(v.request, { type: 'knock', office: 'amt-a', consent: true, lang: 'en', name: 'Aylin' });
    });
    test('no consent, no knock', () => {
        const v = validateKnock({ office: 'amt-a', consent: false });
        assert.deepEqual(v.errors, [{ field: 'consent', key: 'form.error.consent' }]);
        assert.equal(v.request, null);
    });
    test('at an anonymous office a name is never sent', () => {
        const v = validateKnock({ office: 'b', name: 'Aylin', consent: true, anonymous: true });
        assert.equal(v.request.name, undefined);
    });
    test('lengths count bytes as the protocol does', () => {
        assert.deepEqual(validateKnock({ office: 'a', name: 'ä'.repeat(32), consent: true }).errors, []);
        assert.deepEqual(validateKnock({ office: 'a', name: 'ä'.repeat(33), consent: true }).errors,
            [{ field: 'name', key: 'form.error.nameLong' }]);
        assert.deepEqual(validateKnock({ office: 'a', topic: 'x'.repeat(201), consent: true }).errors,
            [{ field: 'topic', key: 'form.error.topicLong' }]);
    });
    test('control characters and bidi overrides are refused, marks are fine', () => {
        assert.equal(validateKnock({ office: 'a', name: 'A\u202eB', consent: true }).errors[0].key,
            'form.error.nameChars');
        assert.equal(validateKnock({ office: 'a', topic: 'a\u0007b', consent: true }).errors[0].key,
            'form.error.topicChars');
        assert.deepEqual(validateKnock({ office: 'a', name: 'A\u200fB', consent: true }).errors, []);
    });
});

describe('privacy notice text', () => {
    test('headings, paragraphs and lists from plain text', () => {
        const blocks = parsePlainText('Titel\n\nEin Absatz\nüber zwei Zeilen.\n\n- eins\n- zwei\n\r\nWozu\n\nEnde.');
        assert.deepEqual(blocks, [
            { type: 'h', text: 'Titel' },
            { type: 'p', text: 'Ein Absatz über zwei Zeilen.' },
            { type: 'ul', items: ['eins', 'zwei'] },
            { type: 'h', text: 'Wozu' },
            { type: 'p', text: 'Ende.' },
        ]);
    });
    test('markup stays text', () => {
        assert.deepEqual(parsePlainText('<script>alert(1)</script>.'),
            [{ type: 'p', text: '<script>alert(1)</script>.' }]);
        assert.deepEqual(parsePlainText(''), []);
    });
});
