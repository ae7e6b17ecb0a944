// bookingview: the appointment pages (doc/protocol.md, "Appointments").
//   #/termin/buchen/ID  choose a day and a free time, give an optional name
//                       and topic, accept the privacy notice, book; then
//                       the confirmation with the code, the link and the
//                       calendar file
//   #/termin            a form for the booking code
//   #/termin/CODE       the booking: state, the office's message, cancel,
//                       and "enter" in the window around its start
// The code lives only in the URL's fragment (never sent to the server's
// logs) and in the page. Words and rules come from bookingmodel.js.

import { h, clear, setText, fieldError, setFieldError, confirmDialog } from './dom.js';
import { aboutFields } from './aboutfields.js';
import {
    normalizeCode, spelledCode, formatInstant, dayList, takesAppointments, zonePlace,
    enterText, validateBooking, bookingRefusal, bookingCalendar, bookingUrl,
} from './bookingmodel.js';

// ctx: {t, lang, conn, announce(text), officeById(id), officesLoaded(),
// nameNode(office), nameText(office), activeTicket(), enter(code),
// navigate(hash), refresh(), now()} — refresh() sets the title and moves
// focus to the heading after the page changed; now() is Unix seconds.

// A view that waits for the office list before it can draw.
function loadingView(ctx, onOffices) {
    const heading = h('h1', {}, ctx.t('dir.loading'));
    return {
        el: h('div', {}, heading), heading, title: () => heading.textContent,
        update(what) { if (what === 'offices' || what === 'office') onOffices(); },
        destroy() {},
    };
}

function officeMissing(ctx) {
    const t = ctx.t;
    const heading = h('h1', {}, t('office.unknown'));
    return {
        el: h('div', {}, h('p', { class: 'back' }, h('a', { href: '#/' }, t('nav.back'))), heading),
        heading, title: () => heading.textContent, update() {}, destroy() {},
    };
}

// A link that downloads the booking's calendar file, made in the page.
function calendarLink(ctx, booking, code, urls) {
    const office = ctx.officeById(booking.office);
    const url = bookingUrl(location.origin, code, ctx.lang);
    const cal = bookingCalendar({ booking, code, url, host: location.host, now: ctx.now(),
        officeName: office ? ctx.nameText(office) : booking.office, t: ctx.t });
    const href = URL.createObjectURL(new Blob([cal.text], { type: 'text/calendar;charset=utf-8' }));
    urls.push(href);
    return h('a', { class: 'button secondary', id: 'ics', href, download: cal.filename },
        ctx.t('booking.icsLink'));
}

// Date, time, office and (when given) name and topic of a booking.
function bookingFacts(ctx, booking, code) {
    const t = ctx.t;
    const when = formatInstant(booking.start, ctx.lang);
    const until = formatInstant(booking.end, ctx.lang);
    const office = ctx.officeById(booking.office);
    const dl = h('dl', { class: 'booking-facts' },
        h('dt', {}, t('booking.office')), h('dd', {}, office ? ctx.nameNode(office) : booking.office),
        h('dt', {}, t('booking.date')), h('dd', { id: 'booking-date' }, when.long),
        h('dt', {}, t('booking.time')),
        h('dd', { id: 'booking-time' }, t('hours.range', { from: when.time, to: until.time })));
    if (code) dl.append(h('dt', {}, t('booking.code')), h('dd', { class: 'code-small' }, code));
    if (booking.name) dl.append(h('dt', {}, t('booking.name')), h('dd', {}, booking.name));
    if (booking.topic) dl.append(h('dt', {}, t('booking.topic')), h('dd', {}, booking.topic));
    return dl;
}

// ------------------------------------------------------- book a slot

export function bookFlowView(ctx, officeId) {
    const t = ctx.t;
    const office = ctx.officeById(officeId);
    if (!office) {
        if (ctx.officesLoaded()) return officeMissing(ctx);
        return loadingView(ctx, () => { if (ctx.officesLoaded()) ctx.navigate(location.hash); });
    }
    const anonymous = !!office.anonymous;
    const el = h('div', { class: 'book-page' });
    const urls = [];
    let heading = h('h1', {}, t('booking.heading', { office: ctx.nameText(office) }));
    let title = heading.textContent;
    let slotsReply = null;
    let chosenDate = null;
    let loadSeq = 0;
    let loading = false;
    let done = false;

    const daysBox = h('div', { class: 'day-list' });
    const timesBox = h('div', { class: 'time-list' });
    const timesLegend = h('legend', { id: 'times-legend' }, t('booking.timesLegend'));
    const timeErr = fieldError('time-error');
    const about = aboutFields(t, ctx.lang, { anonymous, anonText: t('booking.anonymous'),
        nameHint: t('booking.nameHint') });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'book' }, t('booking.submit'));
    const result = h('div', { id: 'book-result', class: 'result', role: 'alert' });

    function chosenStart() {
        const r = timesBox.querySelector('input[name="time"]:checked');
        return r ? Number(r.value) : null;
    }

    // The day list; when it has the same days as drawn, only counts and
    // states change, so the radio with keyboard focus stays in place.
    function drawDays() {
        const days = dayList(slotsReply?.days, t);
        const drawn = [...daysBox.querySelectorAll('input[name="day"]')];
        if (days.length > 0 && drawn.length === days.length
            && drawn.every((input, i) => input.value === days[i].date)) {
            days.forEach((d, i) => {
                drawn[i].disabled = d.full;
                drawn[i].checked = d.date === chosenDate;
                setText(drawn[i].parentElement.querySelector('.free'), d.freeText);
            });
            return;
        }
        clear(daysBox);
        if (days.length === 0) {
            daysBox.append(h('p', {}, t('booking.noDays')));
            return;
        }
        const list = h('ul', { class: 'choices days' });
        for (const d of days) {
            const id = `day-${d.date}`;
            const input = h('input', { type: 'radio', name: 'day', id, value: d.date,
                disabled: d.full, checked: d.date === chosenDate });
            input.addEventListener('change', () => { if (input.checked) loadDay(d.date); });
            list.append(h('li', {}, input,
                h('label', { for: id },
                    h('span', { class: 'day-name' }, d.label),
                    h('span', { class: 'free' }, d.freeText))));
        }
        daysBox.append(list);
    }

    function drawTimes() {
        clear(timesBox);
        const f = chosenDate ? dayList([{ date: chosenDate, free: 0 }], t)[0] : null;
        setText(timesLegend, f ? t('booking.timesOf', { day: f.long }) : t('booking.timesLegend'));
        const slots = slotsReply?.slots || [];
        if (!chosenDate || slots.length === 0) {
            timesBox.append(h('p', { id: 'no-times' }, t('booking.noTimes')));
            return;
        }
        const list = h('ul', { class: 'choices times' });
        for (const s of slots) {
            const id = `time-${s.start}`;
            list.append(h('li', {},
                h('input', { type: 'radio', name: 'time', id, value: String(s.start),
                    'aria-describedby': 'time-error' }),
                h('label', { for: id }, s.time)));
        }
        timesBox.append(list);
    }

    // Asks klopfd for the days and the free times of date (null: the
    // first day with a free time). Replies that come too late are dropped.
    async function loadDay(date) {
        const seq = ++loadSeq;
        if (date) chosenDate = date;
        clear(timesBox).append(h('p', {}, t('booking.loadingTimes')));
        loading = true;
        try {
            await ctx.conn.ready();
            const r = await ctx.conn.request({ type: 'slots', office: officeId,
                ...(date ? { date } : {}) });
            if (seq !== loadSeq || done) return;
            slotsReply = r;
            chosenDate = r.date;
            drawDays();
            drawTimes();
            const f = dayList([{ date: r.date, free: r.slots.length }], t)[0];
            if (date && f) ctx.announce(t('booking.timesAnnounce', { n: r.slots.length, day: f.long }));
        } catch (err) {
            if (seq !== loadSeq || done) return;
            clear(timesBox).append(h('p', { class: 'problem' }, bookingRefusal(err, t)));
        } finally {
            if (seq === loadSeq) loading = false;
        }
    }

    const form = h('form', { class: 'knock book', novalidate: true, 'aria-labelledby': 'book-form-heading' },
        h('h2', { id: 'book-form-heading', class: 'visually-hidden' }, t('booking.formHeading')),
        h('fieldset', { class: 'days-field' },
            h('legend', {}, t('booking.daysLegend')), daysBox),
        h('fieldset', { class: 'times-field', 'aria-describedby': 'time-error' },
            timesLegend, timesBox, timeErr),
        h('fieldset', { class: 'about-field' },
            h('legend', {}, t('booking.aboutLegend')), about.nodes),
        h('p', {}, submit));

    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        setText(result, '');
        const v = validateBooking({ office: officeId, start: chosenStart(), ...about.values(),
            anonymous, lang: ctx.lang });
        const byField = Object.fromEntries(v.errors.map((e) => [e.field, t(e.key)]));
        timeErr.hidden = !byField.time;
        setText(timeErr, byField.time || '');
        about.showErrors(byField);
        if (v.errors.length) {
            if (!about.focus(v.errors[0].field)) {
                (timesBox.querySelector('input[name="time"]')
                    || daysBox.querySelector('input[name="day"]:not([disabled])'))?.focus();
            }
            return;
        }
        submit.disabled = true;
        setText(submit, t('form.sending'));
        try {
            await ctx.conn.ready();
            const r = await ctx.conn.request(v.request);
            confirmed(r.code, r.booking);
        } catch (err) {
            submit.disabled = false;
            setText(submit, t('booking.submit'));
            clear(result).append(h('p', {}, bookingRefusal(err, t)));
            // someone was quicker: show the day's free times again
            if (err.code === 'slot_taken' || err.code === 'not_bookable') loadDay(chosenDate);
        }
    });

    function confirmed(code, booking) {
        done = true;
        // the page's address becomes the booking's: a reload shows it
        // again, and going back does not book twice
        history.replaceState(null, '', `#/termin/${code}`);
        const when = formatInstant(booking.start, ctx.lang);
        const link = bookingUrl(location.origin, code, ctx.lang);
        const early = Math.round((booking.start - booking.enter_from) / 60);
        clear(el);
        heading = h('h1', {}, t('booking.doneHeading'));
        title = heading.textContent;
        el.append(heading,
            h('p', { class: 'lead' }, t('booking.doneText', { office: ctx.nameText(office),
                date: when.long, time: when.time })),
            h('section', { class: 'code-box', 'aria-labelledby': 'code-heading' },
                h('h2', { id: 'code-heading' }, t('booking.codeHeading')),
                h('p', { class: 'code' },
                    h('span', { id: 'booking-code', 'aria-hidden': 'true' }, code),
                    h('span', { class: 'visually-hidden' }, spelledCode(code))),
                h('p', {}, t('booking.codeKeep'))),
            bookingFacts(ctx, booking, null),
            h('section', { class: 'card', 'aria-labelledby': 'link-heading' },
                h('h2', { id: 'link-heading' }, t('booking.linkHeading')),
                h('p', {}, t('booking.linkText', { n: early })),
                h('p', { class: 'booking-link' }, h('a', { id: 'booking-link', href: `#/termin/${code}`,
                    onclick: (e) => { e.preventDefault(); ctx.navigate(`#/termin/${code}`); } }, link)),
                h('p', {}, t('booking.icsText')),
                h('p', { class: 'buttons' }, calendarLink(ctx, booking, code, urls))));
        ctx.refresh();
    }

    el.append(
        h('p', { class: 'back' }, h('a', { href: `#/amt/${officeId}` },
            t('booking.backToOffice', { office: ctx.nameText(office) }))),
        heading);
    if (!takesAppointments(office)) {
        el.append(h('p', { class: 'lead' }, t('booking.refusal.no_appointments')));
    } else {
        el.append(h('p', { class: 'lead' }, t('booking.intro')),
            h('p', {}, t('booking.zone', { place: zonePlace() })),
            h('section', { class: 'card form-card' }, form, result));
        drawDays();
        loadDay(null);
    }

    return {
        el,
        get heading() { return heading; },
        title: () => title,
        update(what) {
            if (what === 'connected' && !done && !slotsReply && !loading) loadDay(chosenDate);
        },
        destroy() {
            done = true;
            for (const u of urls) URL.revokeObjectURL(u);
        },
    };
}

// --------------------------------------------------- the code form

export function codeFormView(ctx) {
    const t = ctx.t;
    const heading = h('h1', {}, t('booking.findHeading'));
    const input = h('input', { id: 'code', name: 'code', type: 'text', autocomplete: 'off',
        autocapitalize: 'characters', spellcheck: 'false', maxlength: '40',
        'aria-describedby': 'code-hint code-error' });
    const err = fieldError('code-error');
    const form = h('form', { class: 'knock', novalidate: true, 'aria-labelledby': 'code-label' },
        h('div', { class: 'field' },
            h('label', { for: 'code', id: 'code-label' }, t('booking.codeLabel')),
            h('p', { id: 'code-hint', class: 'hint' }, t('booking.codeHint')),
            input, err),
        h('p', {}, h('button', { type: 'submit', class: 'primary', id: 'find' }, t('booking.find'))));
    form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const code = normalizeCode(input.value);
        setFieldError(input, err, code ? '' : t('booking.error.code'));
        if (!code) {
            input.focus();
            return;
        }
        ctx.navigate(`#/termin/${code}`);
    });
    const el = h('div', { class: 'find-page' },
        h('p', { class: 'back' }, h('a', { href: '#/' }, t('nav.back'))),
        heading,
        h('p', { class: 'lead' }, t('booking.findIntro')),
        h('section', { class: 'card form-card' }, form));
    return { el, heading, title: () => t('booking.findTitle'), update() {}, destroy() {} };
}

// ------------------------------------------------------ one booking

export function bookingPageView(ctx, rawCode) {
    const t = ctx.t;
    const code = normalizeCode(decodeURIComponentSafe(rawCode));
    const el = h('div', { class: 'booking-page' });
    const urls = [];
    let heading = null;
    let title = t('booking.pageTitle');
    let booking = null;
    let drawnKey = '';
    let timer = null;
    let destroyed = false;
    const parts = {};

    function decodeURIComponentSafe(s) {
        try { return decodeURIComponent(s); } catch { return s; }
    }

    function drawProblem(text) {
        clear(el);
        heading = h('h1', {}, t('booking.pageTitle'));
        el.append(h('p', { class: 'back' }, h('a', { href: '#/' }, t('nav.back'))),
            heading,
            h('div', { class: 'result', id: 'booking-problem', role: 'alert' }, h('p', {}, text)),
            h('p', { class: 'buttons' }, h('a', { class: 'button', href: '#/termin' }, t('booking.otherCode'))));
        drawnKey = 'problem';
    }

    function enterSection() {
        const btn = h('button', { type: 'button', class: 'primary', id: 'enter' }, t('booking.enter'));
        const status = h('p', { id: 'enter-status' });
        const late = h('p', { id: 'enter-late', hidden: true },
            h('a', { class: 'button', href: `#/amt/${booking.office}` }, t('booking.knockInstead')));
        const res = h('div', { class: 'result', id: 'enter-result', role: 'alert' });
        btn.addEventListener('click', async () => {
            clear(res);
            const tk = ctx.activeTicket();
            if (tk) {
                res.append(h('p', {}, t('booking.refusal.already_waiting')));
                return;
            }
            btn.disabled = true;
            setText(btn, t('form.sending'));
            try {
                await ctx.enter(code);
            } catch (err) {
                setText(btn, t('booking.enter'));
                res.append(h('p', {}, bookingRefusal(err, t)));
                tick();
                if (['booking_cancelled', 'booking_used', 'too_late'].includes(err.code)) lookup();
            }
        });
        parts.enter = { btn, status, late, kind: null };
        return h('section', { class: 'card enter-card', 'aria-labelledby': 'enter-heading' },
            h('h2', { id: 'enter-heading' }, t('booking.enterHeading')),
            status, h('p', { class: 'buttons' }, btn), late, res);
    }

    function cancelSection() {
        const res = h('div', { class: 'result', id: 'cancel-result', role: 'alert' });
        const dialog = confirmDialog({
            id: 'cancel', heading: t('booking.cancelConfirmHeading'),
            text: t('booking.cancelConfirmText'), no: t('booking.cancelNo'), yes: t('booking.cancelYes'),
            onYes: async () => {
                try {
                    await ctx.conn.request({ type: 'cancel_booking', code });
                    ctx.announce(t('booking.cancelledAnnounce'));
                    await lookup();
                } catch (err) {
                    clear(res).append(h('p', {}, bookingRefusal(err, t)));
                }
            },
        });
        return h('section', { class: 'card cancel-card', 'aria-labelledby': 'cancel-heading' },
            h('h2', { id: 'cancel-heading' }, t('booking.cancelHeading')),
            h('p', {}, t('booking.cancelText')),
            h('p', {}, h('button', { type: 'button', class: 'danger', id: 'cancel-booking',
                onclick: () => dialog.showModal() }, t('booking.cancelButton'))),
            res, dialog);
    }

    // Updates the enter section to the time now; tells a screen reader
    // when entering becomes possible or too late.
    function tick() {
        const e = parts.enter;
        if (!e || !booking) return;
        const s = enterText(booking, ctx.now(), t);
        setText(e.status, s.text);
        if (e.btn.textContent !== t('form.sending')) e.btn.disabled = !s.canEnter;
        e.btn.hidden = s.kind === 'late';
        e.late.hidden = s.kind !== 'late';
        if (e.kind && e.kind !== s.kind) ctx.announce(s.text);
        e.kind = s.kind;
    }

    function draw() {
        const office = ctx.officeById(booking.office);
        const officeName = office ? ctx.nameText(office) : booking.office;
        const key = `${booking.state} ${booking.message ?? ''} ${office ? 'o' : ''}`;
        if (key === drawnKey) return false;
        drawnKey = key;
        for (const u of urls.splice(0)) URL.revokeObjectURL(u);
        parts.enter = null;
        clear(el);
        heading = h('h1', {}, t('booking.pageHeading', { office: officeName }));
        title = heading.textContent;
        el.append(h('p', { class: 'back' }, h('a', { href: '#/' }, t('nav.back'))), heading,
            h('p', { class: `booking-state state-${booking.state}`, id: 'booking-state' },
                h('span', { class: 'badge' }, t(`booking.state.${booking.state}`))));
        if (booking.state === 'cancelled') {
            el.append(h('p', { class: 'lead' }, t(booking.message ? 'booking.cancelledByOffice'
                : 'booking.cancelledText')));
            if (booking.message) {
                el.append(h('figure', { class: 'clerk-message-box' },
                    h('figcaption', {}, t('booking.officeMessage')),
                    h('blockquote', { class: 'clerk-message', id: 'office-message' },
                        h('p', {}, booking.message))));
            }
            if (takesAppointments(office)) {
                el.append(h('p', {}, h('a', { class: 'button', href: `#/termin/buchen/${booking.office}` },
                    t('booking.bookAgain'))));
            }
        } else if (booking.state !== 'booked') {
            el.append(h('p', { class: 'lead' }, t(`booking.stateText.${booking.state}`)));
            if (booking.state === 'arrived' && ctx.activeTicket()) {
                el.append(h('p', {}, h('a', { class: 'button', href: '#/warteraum' }, t('dir.backToWaiting'))));
            }
        }
        el.append(bookingFacts(ctx, booking, code));
        if (booking.state === 'booked') {
            el.append(enterSection(),
                h('section', { class: 'card', 'aria-labelledby': 'ics-heading' },
                    h('h2', { id: 'ics-heading' }, t('booking.icsHeading')),
                    h('p', {}, t('booking.icsText')),
                    h('p', { class: 'buttons' }, calendarLink(ctx, booking, code, urls))),
                cancelSection());
            tick();
        }
        el.append(h('p', {}, h('a', { href: '#/termin' }, t('booking.otherCode'))));
        return true;
    }

    // Shows booking b; true if the page was drawn anew.
    function show(b) {
        booking = b;
        return draw();
    }

    let looking = false;
    async function lookup() {
        if (!code || destroyed || looking) return;
        looking = true;
        try {
            await ctx.conn.ready();
            const r = await ctx.conn.request({ type: 'booking', code });
            if (destroyed) return;
            const first = drawnKey === 'loading';
            const hadFocus = first && document.activeElement === heading;
            if (show(r.booking) && (!first || hadFocus)) ctx.refresh();
            else if (first) ctx.refresh(false);
        } catch (err) {
            if (destroyed) return;
            if (err.code === 'network') return;   // the next connection looks again
            const hadFocus = document.activeElement === heading;
            drawProblem(bookingRefusal(err, t));
            ctx.refresh(hadFocus);
        } finally {
            looking = false;
        }
    }

    if (!code) {
        drawProblem(t('booking.error.codeLink'));
    } else {
        // a code typed into the address reads as printed
        if (location.hash !== `#/termin/${code}`) history.replaceState(null, '', `#/termin/${code}`);
        clear(el);
        heading = h('h1', {}, t('booking.loading'));
        el.append(heading);
        drawnKey = 'loading';
        lookup();
        timer = setInterval(tick, 1000);
    }

    return {
        el,
        get heading() { return heading; },
        title: () => title,
        update(what, arg) {
            if (what === 'booking' && booking && arg && arg.office === booking.office
                && arg.start === booking.start) {
                if (show(arg)) {
                    ctx.announce(arg.state === 'cancelled' ? t('booking.cancelledAnnounce')
                        : t(`booking.state.${arg.state}`));
                    ctx.refresh();
                }
            } else if (what === 'connected' && code) {
                lookup();
            } else if ((what === 'offices' || what === 'office') && booking) {
                show(booking);
            }
        },
        destroy() {
            destroyed = true;
            if (timer) clearInterval(timer);
            for (const u of urls) URL.revokeObjectURL(u);
        },
    };
}
