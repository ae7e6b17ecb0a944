// i18n: the citizen client's texts and the wording of numbers, times and
// waits. Pure: no DOM, no fetch, no clock of its own (time is an argument),
// so node --test imports this very file.
//
// Message files: webclient/i18n/<code>.json, one per language, flat keys.
// A value is either a string with {placeholders} or a plural object whose
// keys are Intl.PluralRules categories of that language ("zero", "one",
// "two", "few", "many", "other") or exact numbers ("=0"); the category is
// chosen by the parameter n. The object "@meta" holds the language's own
// name and its writing direction ("ltr" or "rtl").
//
// Adding a language (Turkish, Arabic, Ukrainian, Russian, ...): copy en.json
// to <code>.json, translate the values, set "@meta" (Arabic: "dir": "rtl")
// and add one line to i18n/languages.json. Missing keys fall back to
// English, then German.

export const DEFAULT_LANG = 'de';

// A language code as the protocol accepts it: "de", "tr", "pt-BR".
export const LANG_CODE = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;

// Picks the UI language: the one asked for in the URL if it is offered,
// else German.
export function chooseLang(requested, offered) {
    if (typeof requested === 'string' && LANG_CODE.test(requested)
        && offered.some((l) => l.code === requested)) {
        return requested;
    }
    return DEFAULT_LANG;
}

function lookup(chain, key) {
    for (const messages of chain) {
        if (messages && Object.prototype.hasOwnProperty.call(messages, key)) {
            return messages[key];
        }
    }
    return undefined;
}

function interpolate(text, params) {
    return text.replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, name) =>
        (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
}

// Returns t(key, params): the text of key in lang, falling back along
// fallbacks (message objects, in order). An unknown key returns the key
// itself, so a missing text is visible rather than blank.
export function createTranslator(lang, messages, ...fallbacks) {
    const chain = [messages, ...fallbacks];
    const plural = new Intl.PluralRules(lang);
    const numbers = new Intl.NumberFormat(lang);
    const t = (key, params = {}) => {
        let value = lookup(chain, key);
        if (value === undefined) return key;
        if (typeof value === 'object' && value !== null) {
            const n = Number(params.n);
            value = value[`=${n}`] ?? value[plural.select(n)] ?? value.other;
            if (value === undefined) return key;
        }
        const shown = { ...params };
        if (typeof params.n === 'number') shown.n = numbers.format(params.n);
        return interpolate(String(value), shown);
    };
    t.lang = lang;
    t.dir = messages?.['@meta']?.dir === 'rtl' ? 'rtl' : 'ltr';
    t.has = (key) => lookup(chain, key) !== undefined;
    return t;
}

// Every placeholder name used in a message value (plural forms included).
export function placeholders(value) {
    const texts = typeof value === 'object' && value !== null
        ? Object.values(value) : [value];
    const names = new Set();
    for (const text of texts) {
        for (const m of String(text).matchAll(/\{([a-zA-Z0-9_]+)\}/g)) names.add(m[1]);
    }
    return [...names].sort();
}

// ------------------------------------------------------------------ waits

// The estimated wait in words: null → "unbekannt", 0 → "gleich",
// 600 → "etwa 10 Minuten", 5400 → "etwa 1,5 Stunden".
export function formatWait(seconds, t) {
    if (seconds === null || seconds === undefined || !Number.isFinite(seconds)
        || seconds < 0) {
        return t('wait.unknown');
    }
    if (seconds === 0) return t('wait.now');
    let minutes = Math.round(seconds / 60);
    if (minutes < 1) return t('wait.underMinute');
    if (minutes >= 15 && minutes < 60) minutes = Math.round(minutes / 5) * 5;
    if (minutes < 60) return t('wait.minutes', { n: minutes });
    const hours = Math.round(minutes / 30) / 2;
    return t('wait.hours', { n: hours });
}

// "niemand wartet", "1 Person wartet", "3 Personen warten".
export function formatQueue(count, t) {
    return t('office.queue', { n: Number(count) || 0 });
}

// ------------------------------------------------------------ hours, days

// Weekday name for day 0 = Sunday ... 6 = Saturday, in lang.
export function weekdayName(day, lang, style = 'long') {
    // 2023-01-01 was a Sunday.
    const d = new Date(Date.UTC(2023, 0, 1 + day));
    return new Intl.DateTimeFormat(lang, { weekday: style, timeZone: 'UTC' }).format(d);
}

// The order of days in a week as shown here: Monday first.
export const WEEK = [1, 2, 3, 4, 5, 6, 0];

function rangesText(ranges, t) {
    return ranges.map((h) => t('hours.range', { from: h.from, to: h.to })).join(', ');
}

// Consultation hours of one day: "08:30–12:00, 13:00–15:30" or the
// "no consultation hours" text.
export function hoursOfDay(hours, day, t) {
    const ranges = (hours || []).filter((h) => h.day === day);
    if (ranges.length === 0) return t('hours.none');
    return rangesText(ranges, t);
}

// The whole week: [{day, name, text}] for each day that has hours,
// Monday first.
export function weekHours(hours, t) {
    const out = [];
    for (const day of WEEK) {
        const ranges = (hours || []).filter((h) => h.day === day);
        if (ranges.length > 0) {
            out.push({ day, name: weekdayName(day, t.lang), text: rangesText(ranges, t) });
        }
    }
    return out;
}

// Parses "2026-11-25T08:30:00+01:00": the office's local date and time as
// written, and the instant. null if it is not of that form.
export function parseLocalIso(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/
        .exec(String(iso));
    if (!m) return null;
    const [, y, mo, d, h, mi, s = '00', zone] = m;
    let offsetMin = 0;
    if (zone !== 'Z') {
        const sign = zone[0] === '-' ? -1 : 1;
        offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    }
    const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi),
        Number(s));
    return {
        year: Number(y), month: Number(mo), day: Number(d),
        time: `${h}:${mi}`, offsetMin, instant: localMs - offsetMin * 60000,
        weekday: new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay(),
    };
}

// When a closed office opens next, in words, in the office's own local
// time: "heute um 14:00 Uhr", "morgen um 08:30 Uhr", "am Montag um
// 08:30 Uhr", beyond a week "am Montag, 3. März, um 08:30 Uhr".
export function formatOpensAt(iso, now, t) {
    const p = parseLocalIso(iso);
    if (!p) return null;
    // today's date where the office is
    const officeNow = new Date(now.getTime() + p.offsetMin * 60000);
    const today = Date.UTC(officeNow.getUTCFullYear(), officeNow.getUTCMonth(),
        officeNow.getUTCDate());
    const then = Date.UTC(p.year, p.month - 1, p.day);
    const days = Math.round((then - today) / 86400000);
    if (days <= 0) return t('opens.today', { time: p.time });
    if (days === 1) return t('opens.tomorrow', { time: p.time });
    const opts = days < 7
        ? { weekday: 'long', timeZone: 'UTC' }
        : { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' };
    const date = new Intl.DateTimeFormat(t.lang, opts).format(new Date(then));
    return t('opens.later', { date, time: p.time });
}

// Names of languages in the UI language ("Türkisch", "Turkish").
export function languageName(code, lang) {
    try {
        return new Intl.DisplayNames([lang], { type: 'language' }).of(code) || code;
    } catch {
        return code;
    }
}

export function languageList(codes, t) {
    const names = (codes || []).map((c) => languageName(c, t.lang));
    try {
        return new Intl.ListFormat(t.lang, { style: 'long', type: 'conjunction' })
            .format(names);
    } catch {
        return names.join(', ');
    }
}

// An office's field in the UI language: name_<lang> if the office has
// it, then name_en for any language but German, then the German name.
// Returns {text, lang} so the page can mark text in another language.
export function localized(office, field, lang) {
    if (!office) return { text: '', lang };
    if (lang !== DEFAULT_LANG) {
        const own = office[`${field}_${lang}`];
        if (typeof own === 'string' && own) return { text: own, lang };
        if (typeof office[`${field}_en`] === 'string' && office[`${field}_en`]) {
            return { text: office[`${field}_en`], lang: 'en' };
        }
    }
    return { text: office[field] ?? '', lang: DEFAULT_LANG };
}
