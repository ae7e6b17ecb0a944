import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
    chooseLang, createTranslator, formatWait, formatQueue, formatOpensAt, parseLocalIso,
    weekHours, hoursOfDay, weekdayName, localized, languageList, languageName, placeholders,
} from '../../webclient/js/i18n.js';
import { de, en, languages } from './lib.mjs';

describe('wait-time wording', () => {
    const cases = [
        [null, 'unbekannt', 'unknown'],
        [undefined, 'unbekannt', 'unknown'],
        [0, 'gleich', 'very soon'],
        [20, 'unter einer Minute', 'less than a minute'],
        [60, 'etwa 1 Minute', 'about 1 minute'],
        [90, 'etwa 2 Minuten', 'about 2 minutes'],
        [600, 'etwa 10 Minuten', 'about 10 minutes'],
        [1230, 'etwa 20 Minuten', 'about 20 minutes'],
        [1320, 'etwa 20 Minuten', 'about 20 minutes'],
        [1380, 'etwa 25 Minuten', 'about 25 minutes'],
        [3600, 'etwa 1 Stunde', 'about 1 hour'],
        [5400, 'etwa 1,5 Stunden', 'about 1.5 hours'],
        [7200, 'etwa 2 Stunden', 'about 2 hours'],
    ];
    for (const [seconds, german, english] of cases) {
        test(`${seconds} s reads "${german}" and "${english}"`, () => {
            assert.equal(formatWait(seconds, de), german);
            assert.equal(formatWait(seconds, en), english);
        });
    }
    test('a negative or non-numeric estimate is unknown', () => {
        assert.equal(formatWait(-5, de), 'unbekannt');
        assert.equal(formatWait(Number.NaN, en), 'unknown');
    });
});

describe('queue wording', () => {
    test('nobody, one person and several people, in German and English', () => {
        assert.equal(formatQueue(0, de), 'Niemand wartet');
        assert.equal(formatQueue(1, de), '1 Person wartet');
        assert.equal(formatQueue(3, de), '3 Personen warten');
        assert.equal(formatQueue(0, en), 'Nobody is waiting');
        assert.equal(formatQueue(1, en), '1 person waiting');
        assert.equal(formatQueue(12, en), '12 people waiting');
    });
});

describe('translator', () => {
    test('interpolates placeholders and leaves unknown ones visible', () => {
        const t = createTranslator('de', { a: 'Hallo {name}, {other}' });
        assert.equal(t('a', { name: 'Aylin' }), 'Hallo Aylin, {other}');
    });
    test('falls back along the chain and shows a missing key as itself', () => {
        const t = createTranslator('tr', { a: 'tr-a' }, { a: 'en-a', b: 'en-b' }, { c: 'de-c' });
        assert.equal(t('a'), 'tr-a');
        assert.equal(t('b'), 'en-b');
        assert.equal(t('c'), 'de-c');
        assert.equal(t('nope'), 'nope');
    });
    test('chooses plural forms by the language\'s rules, exact matches first', () => {
        const ru = createTranslator('ru', {
            x: { '=0': 'нет', one: '{n} минута', few: '{n} минуты', many: '{n} минут', other: '{n} минуты' },
        });
        assert.equal(ru('x', { n: 0 }), 'нет');
        assert.equal(ru('x', { n: 1 }), '1 минута');
        assert.equal(ru('x', { n: 3 }), '3 минуты');
        assert.equal(ru('x', { n: 5 }), '5 минут');
        assert.equal(ru('x', { n: 21 }), '21 минута');
    });
    test('numbers are formatted for the language', () => {
        const t = createTranslator('de', { x: { other: '{n}' } });
        assert.equal(t('x', { n: 1.5 }), '1,5');
    });
    test('the direction comes from the message file; Arabic-like files are rtl', () => {
        assert.equal(createTranslator('ar', { '@meta': { dir: 'rtl' } }).dir, 'rtl');
        assert.equal(de.dir, 'ltr');
        assert.equal(createTranslator('xx', {}).dir, 'ltr');
    });
    test('placeholders() lists the names in strings and plural objects', () => {
        assert.deepEqual(placeholders('a {b} {c} {b}'), ['b', 'c']);
        assert.deepEqual(placeholders({ one: '{n} x', other: '{n} {y}' }), ['n', 'y']);
    });
});

describe('language choice', () => {
    const offered = languages();
    test('German by default, English on request, anything else German', () => {
        assert.equal(chooseLang(null, offered), 'de');
        assert.equal(chooseLang('en', offered), 'en');
        assert.equal(chooseLang('de', offered), 'de');
        assert.equal(chooseLang('xx', offered), 'de');
        assert.equal(chooseLang('../../etc/passwd', offered), 'de');
        assert.equal(chooseLang('EN', offered), 'de');
    });
    test('a language becomes selectable once it is listed', () => {
        assert.equal(chooseLang('tr', [...offered, { code: 'tr', name: 'Türkçe' }]), 'tr');
    });
});

describe('hours and opening times', () => {
    const hours = [
        { day: 1, from: '08:30', to: '12:00' }, { day: 1, from: '13:00', to: '15:30' },
        { day: 4, from: '14:00', to: '18:00' }, { day: 0, from: '10:00', to: '11:00' },
    ];
    test('one day in words, or "keine"', () => {
        assert.equal(hoursOfDay(hours, 1, de), '08:30–12:00 Uhr, 13:00–15:30 Uhr');
        assert.equal(hoursOfDay(hours, 1, en), '08:30–12:00, 13:00–15:30');
        assert.equal(hoursOfDay(hours, 2, de), 'keine');
        assert.equal(hoursOfDay([], 2, en), 'none');
    });
    test('the week starts on Monday and leaves out days without hours', () => {
        const week = weekHours(hours, de);
        assert.deepEqual(week.map((d) => d.name), ['Montag', 'Donnerstag', 'Sonntag']);
        assert.deepEqual(weekHours(hours, en).map((d) => d.name), ['Monday', 'Thursday', 'Sunday']);
    });
    test('weekday names', () => {
        assert.equal(weekdayName(0, 'de'), 'Sonntag');
        assert.equal(weekdayName(6, 'en'), 'Saturday');
    });
    test('parses the protocol\'s local times with offset', () => {
        const p = parseLocalIso('2026-11-25T08:30:00+01:00');
        assert.equal(p.time, '08:30');
        assert.equal(p.weekday, 3);
        assert.equal(p.instant, Date.UTC(2026, 10, 25, 7, 30));
        assert.equal(parseLocalIso('gestern'), null);
        assert.equal(parseLocalIso(null), null);
    });
    test('the next opening reads today / tomorrow / weekday / date, in the office\'s time', () => {
        // 2026-11-24 is a Tuesday; 22:30 UTC is already Wednesday 23:30 in Berlin
        const now = new Date(Date.UTC(2026, 10, 24, 9, 0));
        assert.equal(formatOpensAt('2026-11-24T14:00:00+01:00', now, de), 'heute um 14:00 Uhr');
        assert.equal(formatOpensAt('2026-11-25T08:30:00+01:00', now, de), 'morgen um 08:30 Uhr');
        assert.equal(formatOpensAt('2026-11-25T08:30:00+01:00', now, en), 'tomorrow at 08:30');
        assert.equal(formatOpensAt('2026-11-30T08:30:00+01:00', now, de), 'am Montag um 08:30 Uhr');
        assert.equal(formatOpensAt('2026-12-07T08:30:00+01:00', now, de),
            'am Montag, 7. Dezember um 08:30 Uhr');
        const lateEvening = new Date(Date.UTC(2026, 10, 24, 23, 30)); // 00:30 Wed in Berlin
        assert.equal(formatOpensAt('2026-11-25T08:30:00+01:00', lateEvening, de),
            'heute um 08:30 Uhr');
        assert.equal(formatOpensAt('kaputt', now, de), null);
    });
});

describe('office texts in the UI language', () => {
    const office = { name: 'Amt A', name_en: 'Office A', description: 'Ein Amt.' };
    test('German, English, and English for other languages, marked with its language', () => {
        assert.deepEqual(localized(office, 'name', 'de'), { text: 'Amt A', lang: 'de' });
        assert.deepEqual(localized(office, 'name', 'en'), { text: 'Office A', lang: 'en' });
        assert.deepEqual(localized(office, 'name', 'tr'), { text: 'Office A', lang: 'en' });
        assert.deepEqual(localized({ ...office, name_tr: 'Daire A' }, 'name', 'tr'),
            { text: 'Daire A', lang: 'tr' });
        assert.deepEqual(localized(office, 'description', 'en'), { text: 'Ein Amt.', lang: 'de' });
    });
    test('languages spoken, named in the UI language', () => {
        assert.equal(languageList(['de', 'en', 'tr'], de), 'Deutsch, Englisch und Türkisch');
        assert.equal(languageList(['de', 'en'], en), 'German and English');
        assert.equal(languageName('uk', 'de'), 'Ukrainisch');
    });
});
