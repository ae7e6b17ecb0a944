// guest: the page behind an invitation link, #/gast/<token>. An
// interpreter or another helper the clerk invited gives a name, accepts
// the privacy notice and joins the consultation ("join", doc/media.md);
// then the page is the same consultation view the citizen has. An
// invitation works once: when the connection is lost the guest needs a
// new one, and the page says so.

import { h, clear, setText, fieldError, setFieldError } from './dom.js';
import { privacyDetails } from './privacy.js';
import { validateJoin, callRefusalKey, INVITATION } from './callmodel.js';
import { createCallView } from './callview.js';

// app: {t, lang, conn, announce(text), iceServers(), officeName(id),
// setRole(role), getRole(), refresh()} where refresh() sets the page title and moves
// focus to the heading after the page changed. token: from the URL.
export function guestView(app, token) {
    const t = app.t;
    const el = h('div', { class: 'guest-page' });
    let heading = null;
    let title = t('guest.title');
    let callView = null;
    let roomId = null;
    let stage = 'form';

    function stopCall() {
        if (callView) callView.destroy();
        callView = null;
    }

    function drawMessage(headingKey, textKey, params = {}) {
        stopCall();
        clear(el);
        heading = h('h1', {}, t(headingKey, params));
        el.append(heading, h('p', { class: 'lead' }, t(textKey, params)),
            h('p', {}, h('a', { class: 'button', href: '#/' }, t('nav.toDirectory'))));
        title = t(headingKey, params);
    }

    function drawForm() {
        clear(el);
        heading = h('h1', {}, t('guest.heading'));
        const nameInput = h('input', {
            id: 'guest-name', name: 'name', type: 'text', autocomplete: 'name', maxlength: '64',
            required: true, 'aria-required': 'true', 'aria-describedby': 'guest-name-hint guest-name-error',
        });
        const nameErr = fieldError('guest-name-error');
        const consent = h('input', {
            id: 'guest-consent', name: 'consent', type: 'checkbox', required: true,
            'aria-describedby': 'guest-consent-error',
        });
        const consentErr = fieldError('guest-consent-error');
        const submit = h('button', { type: 'submit', class: 'primary', id: 'guest-join' },
            t('guest.submit'));
        const result = h('div', { id: 'guest-result', class: 'result', role: 'alert' });
        const form = h('form', { class: 'knock guest', novalidate: true,
            'aria-labelledby': 'guest-form-heading' },
        h('h2', { id: 'guest-form-heading' }, t('guest.formHeading')),
        h('div', { class: 'field' },
            h('label', { for: 'guest-name' }, t('guest.name')),
            h('p', { id: 'guest-name-hint', class: 'hint' }, t('guest.nameHint')),
            nameInput, nameErr),
        privacyDetails(t, app.lang),
        h('div', { class: 'field checkbox' },
            consent, h('label', { for: 'guest-consent' }, t('form.consent')), consentErr),
        h('p', {}, submit));

        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            setText(result, '');
            const v = validateJoin({ invitation: token, name: nameInput.value,
                consent: consent.checked, lang: app.lang });
            const byField = Object.fromEntries(v.errors.map((e) => [e.field, t(e.key)]));
            setFieldError(nameInput, nameErr, byField.name);
            setFieldError(consent, consentErr, byField.consent);
            if (v.errors.length) {
                ({ name: nameInput, consent })[v.errors[0].field].focus();
                return;
            }
            submit.disabled = true;
            setText(submit, t('form.sending'));
            try {
                if (app.getRole() !== 'visitor') {
                    app.setRole('visitor');
                    await app.conn.restart();
                }
                const r = await app.conn.request(v.request);
                app.setRole('guest');
                joined(r.room || {});
            } catch (err) {
                submit.disabled = false;
                setText(submit, t('guest.submit'));
                clear(result).append(h('p', {}, t(callRefusalKey(err))));
                if (err.code === 'bad_message' && err.field === 'name') nameInput.focus();
            }
        });

        el.append(heading,
            h('p', { class: 'lead' }, t('guest.intro')),
            h('section', { class: 'card form-card' }, form, result));
        title = t('guest.title');
    }

    function joined(room) {
        roomId = room.id;
        stage = 'call';
        // the office's name in the page's language where the list has it
        const office = app.officeName(room.office) || room.office_name || '';
        clear(el);
        heading = h('h1', {}, office ? t('guest.callHeading', { office }) : t('call.heading'));
        el.append(heading);
        callView = createCallView({ t, conn: app.conn, room: roomId, announce: app.announce,
            iceServers: app.iceServers() });
        el.append(callView.el);
        title = office ? t('guest.callHeading', { office }) : t('call.heading');
        app.refresh();
        callView.start();
    }

    function ended() {
        stage = 'ended';
        drawMessage('guest.endedHeading', 'guest.endedText');
        app.setRole('visitor');
        app.refresh();
    }

    if (INVITATION.test(token)) drawForm();
    else {
        stage = 'badlink';
        drawMessage('guest.badLinkHeading', 'guest.badLinkText');
    }

    return {
        el,
        get heading() { return heading; },
        title: () => title,
        update(what, arg) {
            if (what === 'media' && stage === 'call') {
                if (arg.type === 'room_closed' && arg.room === roomId) ended();
                else callView?.handlePush(arg);
            } else if (what === 'guestLost' && stage === 'call') {
                // a new connection is a visitor again: the invitation was
                // used up, so this guest cannot come back by itself
                stage = 'lost';
                drawMessage('guest.lostHeading', 'guest.lostText');
                app.refresh();
            }
        },
        destroy() { stopCall(); },
    };
}
