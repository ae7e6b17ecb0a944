// app: the citizen's pages in one document, routed by the URL's hash:
//   #/            the directory of offices with their live status
//   #/amt/ID      one office: what it does, its hours, the knock form
//   #/warteraum   the waiting room and the outcomes (admitted: the
//                 consultation itself, callview.js; declined, transferred,
//                 withdrawn, expired, done)
//   #/gast/TOKEN  an invitation: a guest joins a consultation (guest.js)
//   #/termin/buchen/ID, #/termin, #/termin/CODE  appointments: book one,
//                 find one by its code, see, cancel and enter it
//                 (bookingview.js)
// The privacy notice is its own page, /datenschutz.
//
// The ticket token lives in this tab's sessionStorage only (never in a
// URL), so a reload or a short network loss resumes the same place. Words
// come from model.js and i18n.js; this file only draws and routes.

import { loadLanguage, drawLanguageSwitch } from './lang.js';
import { Connection } from './conn.js';
import {
    h, clear, setText, inLang, focusHeading, withLang, confirmDialog,
} from './dom.js';
import { localized, languageList, weekHours } from './i18n.js';
import {
    mergeOffice, officeStatus, todayHours, ticketChange, ticketView, refusalText,
    validateKnock,
} from './model.js';
import { createMediaCheck } from './mediacheck.js';
import { playChime, unlockAudio, unlockOnFirstGesture } from './chime.js';
import { aboutFields } from './aboutfields.js';
import { createCallView } from './callview.js';
import { guestView } from './guest.js';
import { bookFlowView, codeFormView, bookingPageView } from './bookingview.js';
import {
    nextAppointmentText, takesAppointments, appointmentTime, useTimeZone,
} from './bookingmodel.js';

const TOKEN_KEY = 'klopf.ticket';

const app = {
    t: null,
    lang: 'de',
    clockSkew: 0,           // klopfd's clock minus this device's, in seconds
    offices: [],
    officesLoaded: false,
    ticket: null,       // the citizen's ticket as last seen, or null
    gone: false,        // the stored token matched nothing any more
    resuming: false,    // a token is stored and its ticket not yet known
    role: 'visitor',    // what the current connection is bound to
    conn: null,
    languages: [],
    view: null,         // {el, heading, title(), update(what), destroy()}
    firstRoute: true,
};

// ------------------------------------------------------------ the token

function storedToken() {
    try {
        return sessionStorage.getItem(TOKEN_KEY);
    } catch {
        return null;
    }
}

function storeToken(token) {
    try {
        if (token) sessionStorage.setItem(TOKEN_KEY, token);
        else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
        /* private mode without storage: the place lasts as long as the page */
    }
}

// Unix seconds by klopfd's clock, as of the last welcome.
function serverNow() {
    return Math.floor(Date.now() / 1000 + app.clockSkew);
}

function serverDate() {
    return new Date(Date.now() + app.clockSkew * 1000);
}

function activeTicket() {
    return app.ticket && (app.ticket.state === 'waiting' || app.ticket.state === 'admitted')
        ? app.ticket : null;
}

function officeById(id) {
    return app.offices.find((o) => o.id === id) || null;
}

function name(office) {
    return inLang(localized(office, 'name', app.lang), app.lang);
}

function nameText(office) {
    return localized(office, 'name', app.lang).text;
}

// ------------------------------------------------------------ page chrome

const $ = (id) => document.getElementById(id);

function setTitle(text) {
    const suffix = app.t('app.name');
    document.title = text ? `${text} – ${suffix}` : suffix;
}

function announce(text) {
    const el = $('announce');
    // clear first so the same sentence twice is announced twice
    el.textContent = '';
    setTimeout(() => { el.textContent = text; }, 50);
}

function showBanner(text) {
    const banner = $('alert');
    clear(banner);
    if (text) banner.append(h('p', {}, text));
}

function showConnStatus(status) {
    const el = $('conn');
    if (status === 'lost') {
        el.hidden = false;
        el.className = 'conn lost';
        setText(el, app.t(activeTicket() ? 'conn.lostWaiting' : 'conn.lost'));
    } else if (status === 'open' && el.classList.contains('lost')) {
        el.className = 'conn back';
        setText(el, app.t('conn.back'));
        setTimeout(() => { if (el.classList.contains('back')) el.hidden = true; }, 4000);
    }
}

function drawChrome() {
    const t = app.t;
    setText($('skip'), t('nav.skip'));
    setText($('home'), t('app.name'));
    $('home').setAttribute('href', '#/');
    drawLanguageSwitch($('langs'), app.languages, t);
    const foot = clear($('footer-links'));
    foot.append(h('li', {}, h('a', { href: withLang('/datenschutz', app.lang) }, t('nav.privacy'))));
    $('skip').addEventListener('click', (ev) => {
        ev.preventDefault();
        focusHeading($('main'));
    });
}

// --------------------------------------------------------------- status

function statusLine(office) {
    const s = officeStatus(office, app.t, serverDate());
    return h('p', { class: `status status-${s.status}`, 'data-status': s.status },
        h('span', { class: 'badge' }, h('span', { class: 'icon', 'aria-hidden': 'true' }), s.label),
        ' ', h('span', { class: 'detail' }, s.detail));
}

function officeFacts(office) {
    const t = app.t;
    const facts = h('ul', { class: 'facts' },
        h('li', {}, todayHours(office, serverDate().getDay(), t)),
        h('li', {}, t('office.languages', { list: languageList(office.languages, t) })));
    if (office.anonymous) facts.append(h('li', { class: 'anon' }, t('office.anonymousShort')));
    const next = nextAppointmentText(office, t);
    if (next) facts.append(h('li', { class: 'next-appointment' }, next));
    return facts;
}

// ------------------------------------------------------------ directory

function directoryView() {
    const t = app.t;
    const heading = h('h1', {}, t('dir.heading'));
    const list = h('ul', { class: 'offices', 'aria-label': t('dir.listLabel') });
    const notice = h('div', { class: 'ticket-notice' });
    const el = h('div', { class: 'directory' },
        heading,
        h('p', { class: 'lead' }, t('dir.intro')),
        notice,
        h('p', { class: 'have-booking' }, t('booking.haveOne'), ' ',
            h('a', { href: '#/termin', id: 'find-booking' }, t('booking.findLink'))),
        h('section', { class: 'card needs', 'aria-labelledby': 'needs-heading' },
            h('h2', { id: 'needs-heading' }, t('dir.needsHeading')),
            h('ul', {},
                h('li', {}, t('dir.needDevice')),
                h('li', {}, t('dir.needBrowser')),
                h('li', {}, t('dir.needPlace'))),
            h('p', {}, t('dir.privacyBefore'), ' ',
                h('a', { href: withLang('/datenschutz', app.lang) }, t('dir.privacyLink')))),
        list);

    // One card per office. Live changes update its parts in place, so
    // keyboard focus on its links survives a status change.
    function card(office) {
        const status = h('div', { class: 'live-status' });
        const facts = h('div', {});
        const action = h('a', { class: 'button', href: `#/amt/${office.id}` });
        const book = takesAppointments(office)
            ? h('a', { class: 'button secondary book', href: `#/termin/buchen/${office.id}` },
                t('booking.book'), h('span', { class: 'visually-hidden' }, ' – ', nameText(office)))
            : null;
        const li = h('li', { class: 'office', 'data-office': office.id },
            h('article', { 'aria-labelledby': `office-${office.id}` },
                h('h2', { id: `office-${office.id}` },
                    h('a', { href: `#/amt/${office.id}` }, name(office))),
                h('p', { class: 'description' },
                    inLang(localized(office, 'description', app.lang), app.lang)),
                status, facts,
                h('p', { class: 'actions' }, action, book ? ' ' : null, book)));
        li.update = (o) => {
            const s = officeStatus(o, t, serverDate());
            clear(status).append(statusLine(o));
            clear(facts).append(officeFacts(o));
            const label = s.canKnock ? t('dir.knock') : t('dir.details');
            if (action.dataset.label !== label) {
                action.dataset.label = label;
                clear(action).append(label,
                    h('span', { class: 'visually-hidden' }, ' – ', nameText(o)));
            }
        };
        li.update(office);
        return li;
    }

    function drawNotice() {
        clear(notice);
        const tk = activeTicket();
        if (!tk) return;
        const office = officeById(tk.office);
        notice.append(h('p', { class: 'notice' },
            t(tk.state === 'admitted' ? 'dir.admittedAt' : 'dir.waitingAt',
                { office: office ? nameText(office) : tk.office }), ' ',
            h('a', { href: '#/warteraum' }, t('dir.backToWaiting'))));
    }

    function drawList() {
        clear(list);
        if (!app.officesLoaded) {
            list.append(h('li', { class: 'loading' }, t('dir.loading')));
            return;
        }
        if (app.offices.length === 0) list.append(h('li', {}, t('dir.none')));
        for (const office of app.offices) list.append(card(office));
    }

    drawList();
    drawNotice();
    return {
        el, heading,
        title: () => t('dir.title'),
        update(what, arg) {
            const cards = [...list.querySelectorAll('li.office')];
            if (what === 'office' && app.officesLoaded) {
                const li = cards.find((c) => c.dataset.office === arg.id);
                if (li) li.update(arg);
                else drawList();
            } else if (what === 'clock') {
                for (const li of cards) {
                    const o = officeById(li.dataset.office);
                    if (o) li.update(o);
                }
            } else if (what === 'offices') {
                const same = cards.length === app.offices.length
                    && cards.every((c, i) => c.dataset.office === app.offices[i].id);
                if (same) cards.forEach((li, i) => li.update(app.offices[i]));
                else drawList();
            }
            if (what === 'ticket' || what === 'offices') drawNotice();
        },
        destroy() {},
    };
}

// --------------------------------------------------------------- office

function officeView(id) {
    const t = app.t;
    let office = officeById(id);
    if (!office) {
        const heading = h('h1', {}, app.officesLoaded ? t('office.unknown') : t('dir.loading'));
        const el = h('div', {}, h('p', { class: 'back' }, h('a', { href: '#/' }, t('nav.back'))),
            heading);
        return {
            el, heading, title: () => heading.textContent,
            update(what) {
                if ((what === 'offices' || what === 'office') && officeById(id)) route(false);
            },
            destroy() {},
        };
    }

    const heading = h('h1', {}, name(office));
    const statusBox = h('div', { class: 'office-status', role: 'status' });
    const closedNote = h('p', { class: 'notice closed-note', hidden: true });
    const result = h('div', { id: 'knock-result', class: 'result', role: 'alert' });
    const formArea = h('div', {});

    let shownStatus = '';
    function drawStatus() {
        const s = officeStatus(office, t, serverDate());
        // a live region: replace it only when what it says changes
        if (shownStatus === `${s.label} ${s.detail}`) return;
        shownStatus = `${s.label} ${s.detail}`;
        clear(statusBox).append(statusLine(office));
        closedNote.hidden = s.canKnock;
        setText(closedNote, s.canKnock ? '' : t('office.closedNote'));
    }

    // offices with appointments: the next free one and the way to book
    const nextFree = h('p', { id: 'next-appointment' });
    const appointmentCard = takesAppointments(office)
        ? h('section', { class: 'card', 'aria-labelledby': 'appointment-heading' },
            h('h2', { id: 'appointment-heading' }, t('booking.officeHeading')),
            h('p', {}, t('booking.officeText')), nextFree,
            h('p', {}, h('a', { class: 'button secondary', id: 'book-link',
                href: `#/termin/buchen/${office.id}` }, t('booking.book'))))
        : null;
    const drawNextFree = () => setText(nextFree, nextAppointmentText(office, t) || '');

    const hoursList = h('dl', { class: 'hours' });
    const week = weekHours(office.hours, t);
    if (week.length === 0) hoursList.append(h('dt', {}, t('hours.noneAtAll')));
    for (const d of week) hoursList.append(h('dt', {}, d.name), h('dd', {}, d.text));

    function drawForm() {
        clear(formArea);
        const tk = activeTicket();
        if (tk) {
            const at = officeById(tk.office);
            formArea.append(h('p', { class: 'notice' },
                t('office.alreadyWaiting', { office: at ? nameText(at) : tk.office }), ' ',
                h('a', { href: '#/warteraum' }, t('dir.backToWaiting'))));
            return;
        }
        formArea.append(knockForm());
    }

    function knockForm() {
        const anonymous = !!office.anonymous;
        const about = aboutFields(t, app.lang, { anonymous, anonText: t('form.anonymous'),
            nameHint: t('form.nameHint') });
        const submit = h('button', { type: 'submit', class: 'primary', id: 'knock' },
            t('form.submit'));

        const form = h('form', { class: 'knock', novalidate: true, 'aria-labelledby': 'knock-heading' },
            h('h2', { id: 'knock-heading' }, t('form.heading')),
            about.nodes,
            h('p', {}, submit));

        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            unlockAudio();
            setText(result, '');
            const v = validateKnock({ office: office.id, ...about.values(), anonymous,
                lang: app.lang });
            about.showErrors(Object.fromEntries(v.errors.map((e) => [e.field, t(e.key)])));
            if (v.errors.length) {
                about.focus(v.errors[0].field);
                return;
            }
            submit.disabled = true;
            setText(submit, t('form.sending'));
            try {
                if (app.role !== 'visitor') {
                    app.role = 'visitor';
                    await app.conn.restart();
                }
                startWaiting(await app.conn.request(v.request));
            } catch (err) {
                submit.disabled = false;
                setText(submit, t('form.submit'));
                clear(result).append(h('p', {}, refusalText(err, officeById(id) || office, t,
                    serverDate())));
            }
        });
        return form;
    }

    const el = h('div', { class: 'office-page' },
        h('p', { class: 'back' }, h('a', { href: '#/' }, t('nav.back'))),
        heading,
        h('p', { class: 'lead' }, inLang(localized(office, 'description', app.lang), app.lang)),
        statusBox, closedNote,
        h('section', { class: 'card', 'aria-labelledby': 'hours-heading' },
            h('h2', { id: 'hours-heading' }, t('office.hoursHeading')),
            hoursList,
            h('p', {}, t('office.languages', { list: languageList(office.languages, t) }))),
        appointmentCard,
        h('section', { class: 'card form-card' }, formArea, result));
    drawStatus();
    drawNextFree();
    drawForm();
    return {
        el, heading,
        title: () => t('office.title', { office: nameText(office) }),
        update(what, arg) {
            if ((what === 'office' && arg.id === id) || what === 'offices' || what === 'clock') {
                office = officeById(id) || office;
                drawStatus();
                drawNextFree();
            }
            if (what === 'ticket' && !formArea.querySelector('form')) drawForm();
        },
        destroy() {},
    };
}

// --------------------------------------------------------- waiting room

function leaveDialog(onLeave) {
    const t = app.t;
    return confirmDialog({ id: 'leave', cls: 'leave', heading: t('leave.heading'),
        text: t('leave.text'), no: t('leave.no'), yes: t('leave.yes'), onYes: onLeave });
}

function waitingView() {
    const t = app.t;
    const el = h('div', { class: 'waiting-room' });
    let heading = null;
    let drawnKind = null;
    let drawnOffice = null;
    let check = null;
    let callView = null;
    let title = '';
    const parts = {};

    // ends the camera check and the call: whatever the page drew before
    function stopCheck() {
        if (check) check.stop();
        check = null;
        if (callView) callView.destroy();
        callView = null;
    }

    function drawEmpty(text) {
        stopCheck();
        clear(el);
        heading = h('h1', {}, t('waiting.title'));
        el.append(heading, h('p', {}, text),
            h('p', {}, h('a', { class: 'button', href: '#/' }, t('nav.toDirectory'))));
        title = t('waiting.title');
    }

    function leaveOutcome() {
        storeToken(null);
        app.ticket = null;
        app.gone = false;
        showBanner('');
    }

    function drawTicket() {
        const tk = app.ticket;
        const v = ticketView(tk, app.offices, t);
        stopCheck();
        clear(el);
        heading = h('h1', {}, v.heading);
        el.append(heading);
        drawnKind = tk.state;
        drawnOffice = tk.office;
        title = v.title;
        if (v.kind === 'waiting') {
            if (v.lines.length || v.message) {
                el.append(h('div', { class: 'notice transferred' },
                    v.lines.map((l) => h('p', {}, l)),
                    v.message ? h('p', {}, h('strong', {}, v.messageLabel), ' ',
                        h('q', { class: 'clerk-message' }, v.message)) : null));
            }
            const at = appointmentTime(tk);
            if (at) {
                el.append(h('p', { class: 'notice appointment-note', id: 'appointment-note' },
                    t('waiting.appointment', { time: at })));
            }
            parts.number = h('strong', { id: 'position' }, String(v.position));
            parts.positionText = h('span', { id: 'position-text' }, v.positionText);
            parts.waitText = h('span', { id: 'wait-text' }, v.waitText);
            el.append(h('div', { class: 'position-box' },
                h('p', { class: 'position-number', 'aria-hidden': 'true' },
                    h('span', { class: 'label' }, t('waiting.positionLabel')), ' ', parts.number),
                h('p', { id: 'position-live', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
                    parts.positionText, ' ', parts.waitText)));
            const dialog = leaveDialog(leave);
            const leaveResult = h('div', { class: 'result', role: 'alert' });
            parts.leaveResult = leaveResult;
            el.append(
                h('p', {}, t('waiting.keepOpen')),
                h('p', { class: 'buttons' },
                    h('button', { type: 'button', class: 'secondary', id: 'test-tone',
                        onclick: () => playChime() }, t('waiting.testTone'))),
            );
            check = createMediaCheck(t);
            el.append(check.el,
                h('section', { class: 'card leave-card', 'aria-labelledby': 'leave-card-heading' },
                    h('h2', { id: 'leave-card-heading' }, t('leave.cardHeading')),
                    h('p', {}, t('leave.cardText')),
                    h('p', {}, h('button', { type: 'button', class: 'danger', id: 'leave',
                        onclick: () => dialog.showModal() }, t('leave.button'))),
                    leaveResult),
                dialog);
        } else if (v.kind === 'admitted') {
            // the consultation: media only now, never while waiting
            el.append(...v.lines.map((l) => h('p', { class: 'lead' }, l)));
            callView = createCallView({ t, conn: app.conn, room: tk.room, announce,
                iceServers: iceServers() });
            el.append(callView.el);
            callView.start();
        } else {
            el.append(...v.lines.map((l) => h('p', { class: 'lead' }, l)));
            if (v.message) {
                el.append(h('figure', { class: 'clerk-message-box' },
                    h('figcaption', {}, v.messageLabel),
                    h('blockquote', { class: 'clerk-message' }, h('p', {}, v.message))));
            }
            if (v.next) el.append(h('p', {}, v.next));
            const again = officeById(tk.office);
            const actions = h('p', { class: 'buttons' },
                h('a', { class: 'button', href: '#/', onclick: leaveOutcome }, t('nav.toDirectory')));
            if (again && tk.state !== 'done') {
                actions.append(' ', h('a', { class: 'button secondary', href: `#/amt/${again.id}`,
                    onclick: leaveOutcome }, t('outcome.knockAgain')));
            }
            el.append(actions);
        }
    }

    async function leave() {
        try {
            const r = await app.conn.request({ type: 'withdraw' });
            setTicket(r.ticket);
        } catch (err) {
            if (parts.leaveResult) {
                clear(parts.leaveResult).append(h('p', {}, refusalText(err, null, t, serverDate())));
            }
        }
    }

    function draw() {
        if (app.ticket) drawTicket();
        else if (app.gone) {
            drawnKind = 'gone';
            const v = ticketView({ state: 'gone', office: '' }, app.offices, t);
            stopCheck();
            clear(el);
            heading = h('h1', {}, v.heading);
            el.append(heading, h('p', {}, v.next),
                h('p', {}, h('a', { class: 'button', href: '#/', onclick: leaveOutcome },
                    t('nav.toDirectory'))));
            title = v.heading;
        } else if (app.resuming) {
            drawnKind = 'loading';
            drawEmpty(t('waiting.loading'));
        } else {
            drawnKind = 'none';
            drawEmpty(t('waiting.none'));
        }
    }

    draw();
    const view = {
        el,
        get heading() { return heading; },
        title: () => title,
        update(what, arg) {
            if (what === 'media') {
                callView?.handlePush(arg);
                return;
            }
            if (what === 'reconnected') {
                callView?.reconnected();
                return;
            }
            if (what !== 'ticket' && what !== 'offices' && what !== 'office') return;
            const tk = app.ticket;
            const kind = tk ? tk.state : (app.gone ? 'gone' : (app.resuming ? 'loading' : 'none'));
            if (kind !== drawnKind || (tk && tk.office !== drawnOffice)) {
                draw();
                setTitle(title);
                focusHeading(heading);
                return;
            }
            if (kind === 'waiting') {
                const v = ticketView(tk, app.offices, t);
                setText(parts.number, String(v.position));
                setText(parts.positionText, v.positionText);
                setText(parts.waitText, v.waitText);
                setText(heading, v.heading);
                title = v.title;
                setTitle(title);
            }
        },
        destroy() { stopCheck(); },
    };
    return view;
}

// --------------------------------------------------------------- routing

function navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
}

// Draws the page of the current hash; focus: move keyboard focus to its
// heading (not on the first page of a visit).
function route(focus = true) {
    const hash = location.hash;
    let m;
    let view;
    if ((m = /^#\/amt\/([a-z0-9-]{1,32})$/.exec(hash))) view = officeView(m[1]);
    else if ((m = /^#\/gast\/([^/]*)$/.exec(hash))) view = guestView(guestContext(), m[1]);
    else if (hash === '#/warteraum') view = waitingView();
    else if ((m = /^#\/termin\/buchen\/([a-z0-9-]{1,32})$/.exec(hash))) {
        view = bookFlowView(bookingContext(), m[1]);
    } else if (hash === '#/termin' || hash === '#/termin/') view = codeFormView(bookingContext());
    else if ((m = /^#\/termin\/([^/]{1,80})$/.exec(hash))) view = bookingPageView(bookingContext(), m[1]);
    else view = directoryView();
    if (app.view) app.view.destroy();
    app.view = view;
    const main = clear($('main'));
    main.append(view.el);
    setTitle(view.title());
    if (!app.firstRoute && focus !== false) focusHeading(view.heading);
    else window.scrollTo(0, 0);
    app.firstRoute = false;
}

function update(what, arg) {
    if (app.view) app.view.update(what, arg);
}

// The TURN/STUN servers klopfd hands out in its welcome (none: direct).
function iceServers() {
    const list = app.conn?.welcome?.ice_servers;
    return Array.isArray(list) ? list : [];
}

function isGuestRoute() {
    return location.hash.startsWith('#/gast/');
}

// What the guest page may use of the app.
function guestContext() {
    return {
        t: app.t,
        lang: app.lang,
        conn: app.conn,
        announce,
        iceServers,
        officeName: (id) => {
            const office = officeById(id);
            return office ? nameText(office) : null;
        },
        getRole: () => app.role,
        setRole: (role) => { app.role = role; },
        refresh: () => {
            if (!app.view) return;
            setTitle(app.view.title());
            focusHeading(app.view.heading);
        },
    };
}

// What the appointment pages may use of the app.
function bookingContext() {
    return {
        t: app.t,
        lang: app.lang,
        conn: app.conn,
        announce,
        officeById,
        officesLoaded: () => app.officesLoaded,
        nameNode: name,
        nameText,
        activeTicket,
        enter: enterAppointment,
        navigate,
        now: serverNow,
        refresh: (focus = true) => {
            if (!app.view) return;
            setTitle(app.view.title());
            if (focus) focusHeading(app.view.heading);
        },
    };
}

// ------------------------------------------------------------ protocol

// A knock (or an appointment's "enter") was answered with a ticket: keep
// its token in this tab and go to the waiting room.
function startWaiting(reply) {
    storeToken(reply.token);
    app.role = 'citizen';
    app.gone = false;
    setTicket(reply.ticket);
    navigate('#/warteraum');
}

// "enter" with a booking code: knocks with the booking's priority.
// Rejects with the protocol's error. A connection bound to a finished
// ticket is replaced by a fresh visitor connection first.
async function enterAppointment(code) {
    if (app.role !== 'visitor') {
        storeToken(null);
        app.ticket = null;
        app.gone = false;
        app.role = 'visitor';
        await app.conn.restart();
    }
    startWaiting(await app.conn.request({ type: 'enter', code, lang: app.lang }));
}

function setTicket(ticket) {
    const prev = app.ticket;
    app.ticket = ticket;
    app.resuming = false;
    const change = ticketChange(prev, ticket);
    if (change.admitted) {
        playChime();
        showBanner(app.t('admitted.banner'));
    } else if (ticket?.state !== 'admitted') {
        showBanner('');
    }
    if (change.transferred) {
        const office = officeById(ticket.office);
        announce(app.t('waiting.transferred', { office: office ? nameText(office) : ticket.office }));
    }
    if (ticket?.state === 'admitted' && location.hash !== '#/warteraum') {
        navigate('#/warteraum');
        return;
    }
    update('ticket', change);
}

async function onOpen(conn) {
    // a new connection starts as a visitor: a guest's role is gone (its
    // invitation was used up), a citizen's comes back with resume
    const wasGuest = app.role === 'guest';
    const inCall = app.role === 'citizen' && app.ticket?.state === 'admitted';
    app.role = 'visitor';
    useTimeZone(conn.welcome?.timezone);
    // how far this device's clock is from klopfd's: a phone set wrong
    // must not say "in 2 hours" when the appointment starts now
    if (Number.isInteger(conn.welcome?.now)) app.clockSkew = conn.welcome.now - Date.now() / 1000;
    if (wasGuest) update('guestLost');
    const r = await conn.request({ type: 'watch_offices' });
    app.offices = r.offices || [];
    app.officesLoaded = true;
    update('offices');
    const token = storedToken();
    if (!token || isGuestRoute()) {
        app.resuming = false;
        update('connected');
        return;
    }
    try {
        const res = await conn.request({ type: 'resume', token });
        app.role = 'citizen';
        setTicket(res.ticket);
        if (inCall && res.ticket?.state === 'admitted') update('reconnected');
    } catch (err) {
        if (err.code === 'unknown_ticket') {
            storeToken(null);
            app.gone = true;
            app.ticket = null;
            app.resuming = false;
            showBanner('');
            update('ticket');
        }
    }
    update('connected');
}

function onPush(msg) {
    switch (msg.type) {
    case 'office':
        if (msg.office?.id) {
            app.offices = mergeOffice(app.offices, msg.office);
            update('office', msg.office);
        }
        break;
    case 'offices':
        app.offices = msg.offices || [];
        app.officesLoaded = true;
        update('offices');
        break;
    case 'ticket':
        if (msg.ticket) setTicket(msg.ticket);
        break;
    case 'booking':
        if (msg.booking) update('booking', msg.booking);
        break;
    case 'subscribe_offer':
    case 'participants':
    case 'room_closed':
        update('media', msg);
        break;
    default:
        break;
    }
}

// ------------------------------------------------------------------ boot

async function main() {
    let loaded;
    try {
        loaded = await loadLanguage();
    } catch {
        setText($('main'), 'Die Seite konnte nicht geladen werden. Bitte laden Sie sie neu. '
            + '/ The page could not be loaded. Please reload it.');
        return;
    }
    app.t = loaded.t;
    app.lang = loaded.lang;
    app.languages = loaded.languages;
    app.resuming = !!storedToken();
    drawChrome();
    unlockOnFirstGesture();
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    app.conn = new Connection(`${proto}//${location.host}/ws`, {
        onOpen, onPush, onStatus: showConnStatus,
    });
    window.addEventListener('hashchange', () => route(true));
    window.addEventListener('online', () => app.conn.retryNow());
    setInterval(() => update('clock'), 60000);
    route();
    app.conn.start();
}

main();
