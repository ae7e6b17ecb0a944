// model: what the citizen client knows and how it reads in words. Pure:
// no DOM, no WebSocket, no clock of its own; the page (app.js) feeds it
// protocol messages (doc/protocol.md) and draws what it returns.

import { formatWait, formatQueue, formatOpensAt, hoursOfDay, localized } from './i18n.js';

export const FINAL_STATES = new Set(['done', 'declined', 'withdrawn', 'expired',
    'transferred']);

// ----------------------------------------------------------------- offices

// The office list after an "office" push: replaced in place, or added.
export function mergeOffice(list, office) {
    const i = list.findIndex((o) => o.id === office.id);
    if (i < 0) return [...list, office];
    const out = list.slice();
    out[i] = office;
    return out;
}

// How an office's live status reads: {status, label, detail, canKnock}.
// label is the status in one or two words; detail says how many wait and
// for how long, or when the office opens.
export function officeStatus(office, t, now) {
    const status = ['open', 'busy', 'closed'].includes(office?.status)
        ? office.status : 'closed';
    const label = t(`status.${status}`);
    let detail;
    if (status === 'closed') {
        const when = office.opens_at ? formatOpensAt(office.opens_at, now, t) : null;
        if (when) detail = t('status.opensAt', { when });
        else if ((office.hours || []).length === 0) detail = t('status.noHours');
        else detail = t('status.unstaffed');
        if (office.queue > 0) detail += ` ${t('status.stillWaiting', { n: office.queue })}`;
    } else {
        detail = t('status.queueAndWait', {
            queue: formatQueue(office.queue, t), wait: formatWait(office.wait, t),
        });
    }
    return { status, label, detail, canKnock: status !== 'closed' };
}

// Today's consultation hours ("Heute: 08:30–12:00"); day is the local
// weekday (0 = Sunday).
export function todayHours(office, day, t) {
    return t('office.today', { hours: hoursOfDay(office?.hours, day, t) });
}

// ----------------------------------------------------------------- tickets

// What changed between two views of the citizen's ticket, for signals:
// admitted (just let in), moved (position or wait changed), transferred
// (now at another office), ended (reached a final state).
export function ticketChange(prev, next) {
    const change = { admitted: false, moved: false, transferred: false, ended: false };
    if (!next) return change;
    const was = prev?.state;
    change.admitted = next.state === 'admitted' && was === 'waiting';
    change.transferred = next.state === 'waiting' && !!prev && prev.office !== next.office;
    change.moved = next.state === 'waiting' && !!prev && prev.state === 'waiting'
        && (prev.position !== next.position || prev.wait !== next.wait);
    change.ended = FINAL_STATES.has(next.state) && was !== next.state;
    return change;
}

function officeName(offices, id, lang) {
    const office = (offices || []).find((o) => o.id === id);
    return office ? localized(office, 'name', lang).text : id;
}

// How the citizen's ticket reads: {kind, final, heading, lines: [..],
// position, positionText, waitText, message, messageLabel, next, title,
// announce}. announce is the sentence for the live region.
export function ticketView(ticket, offices, t) {
    const office = officeName(offices, ticket.office, t.lang);
    const kind = ticket.state;
    const v = {
        kind, final: FINAL_STATES.has(kind), office, heading: '', lines: [],
        position: null, positionText: '', waitText: '', message: ticket.message ?? null,
        messageLabel: '', next: '', title: '', announce: '',
    };
    switch (kind) {
    case 'waiting':
        v.heading = t('waiting.heading', { office });
        v.position = ticket.position;
        v.positionText = ticket.position === 1
            ? t('waiting.first') : t('waiting.position', { n: ticket.position });
        v.waitText = t('waiting.estimate', { wait: formatWait(ticket.wait, t) });
        if (ticket.transferred_from) {
            v.lines.push(t('waiting.transferred', { office }));
            if (v.message) v.messageLabel = t('waiting.note');
        } else {
            v.message = null;
        }
        v.title = t('title.waiting', { n: ticket.position, office });
        v.announce = `${v.positionText} ${v.waitText}`;
        break;
    case 'admitted':
        v.heading = t('admitted.heading');
        v.lines.push(t('admitted.text', { office }));
        v.next = t('admitted.next');
        v.title = t('title.admitted', { office });
        v.announce = `${v.heading} ${t('admitted.text', { office })}`;
        v.message = null;
        break;
    case 'declined':
        v.heading = t('declined.heading');
        v.lines.push(t('declined.text', { office }));
        if (v.message) v.messageLabel = t('declined.message');
        v.next = t('declined.next');
        break;
    case 'withdrawn':
        v.heading = t('withdrawn.heading');
        v.lines.push(t('withdrawn.text', { office }));
        v.next = t('withdrawn.next');
        v.message = null;
        break;
    case 'expired':
        v.heading = t('expired.heading');
        v.lines.push(t('expired.text'));
        v.next = t('expired.next');
        v.message = null;
        break;
    case 'done':
        v.heading = t('done.heading');
        v.lines.push(t('done.text', { office }));
        v.next = t('done.next');
        v.message = null;
        break;
    case 'transferred':
        v.heading = t('transferredOld.heading');
        v.lines.push(t('transferredOld.text'));
        if (v.message) v.messageLabel = t('waiting.note');
        v.next = t('transferredOld.next');
        break;
    default:
        v.heading = t('unknown.heading');
        v.next = t('unknown.next');
        v.final = true;
        v.message = null;
    }
    if (!v.title) v.title = `${v.heading} – ${office}`;
    if (!v.announce) v.announce = [v.heading, ...v.lines].join(' ');
    return v;
}

// --------------------------------------------------------------- refusals

// A refused request in words with what to do instead. err: the protocol's
// error reply ({code, retry_after, field}) or {code: 'network'}.
export function refusalText(err, office, t, now) {
    const code = err?.code ?? 'internal';
    switch (code) {
    case 'office_closed': {
        const when = office?.opens_at ? formatOpensAt(office.opens_at, now, t) : null;
        return when ? t('refusal.office_closed_until', { when })
            : t('refusal.office_closed');
    }
    case 'rate_limited':
        return t('refusal.rate_limited', { n: Math.max(1, Number(err.retry_after) || 60) });
    case 'bad_message':
        if (err.field === 'name') return t('refusal.bad_name');
        if (err.field === 'topic') return t('refusal.bad_topic');
        return t('refusal.internal');
    case 'queue_full':
    case 'name_not_allowed':
    case 'consent_required':
    case 'already_waiting':
    case 'unknown_office':
    case 'unknown_ticket':
    case 'wrong_state':
    case 'network':
        return t(`refusal.${code}`);
    default:
        return t('refusal.internal');
    }
}

// ------------------------------------------------------------- knock form

// Characters the protocol refuses in names and topics (doc/protocol.md).
export const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
export const NAME_MAX_BYTES = 64;
export const TOPIC_MAX_BYTES = 200;

export function utf8Bytes(s) {
    return new TextEncoder().encode(s).length;
}

// Checks the knock form before it is sent, by the protocol's rules.
// Returns {errors: [{field, key}], request} where request is the knock
// message (without id) when there are no errors.
export function validateKnock({ office, name = '', topic = '', consent = false,
    anonymous = false, lang = 'de' }) {
    const errors = [];
    const n = anonymous ? '' : String(name).trim();
    const tp = String(topic).trim();
    if (n && FORBIDDEN.test(n)) errors.push({ field: 'name', key: 'form.error.nameChars' });
    else if (utf8Bytes(n) > NAME_MAX_BYTES) errors.push({ field: 'name', key: 'form.error.nameLong' });
    if (tp && FORBIDDEN.test(tp)) errors.push({ field: 'topic', key: 'form.error.topicChars' });
    else if (utf8Bytes(tp) > TOPIC_MAX_BYTES) errors.push({ field: 'topic', key: 'form.error.topicLong' });
    if (consent !== true) errors.push({ field: 'consent', key: 'form.error.consent' });
    if (errors.length) return { errors, request: null };
    const request = { type: 'knock', office, consent: true, lang };
    if (n) request.name = n;
    if (tp) request.topic = tp;
    return { errors, request };
}

// ---------------------------------------------------------- privacy notice

// The privacy notice is plain text the administration writes. Blocks are
// separated by blank lines; a block whose lines all start with "- ", "* "
// or "• " is a list; a one-line block that does not end in punctuation
// and is short is a heading; everything else is a paragraph (its lines
// joined). Returns [{type: 'h'|'p'|'ul', text?, items?}].
export function parsePlainText(text) {
    const blocks = String(text ?? '').replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/);
    const out = [];
    for (const block of blocks) {
        const lines = block.split('\n').map((l) => l.trim()).filter((l) => l);
        if (lines.length === 0) continue;
        if (lines.every((l) => /^[-*•]\s+/.test(l))) {
            out.push({ type: 'ul', items: lines.map((l) => l.replace(/^[-*•]\s+/, '')) });
        } else if (lines.length === 1 && lines[0].length <= 80
            && !/[.:;,!?)]$/.test(lines[0])) {
            out.push({ type: 'h', text: lines[0] });
        } else {
            out.push({ type: 'p', text: lines.join(' ') });
        }
    }
    return out;
}
