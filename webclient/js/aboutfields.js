// aboutfields: the part of the knock form and the booking form where a
// citizen says who they are and what it is about: an optional name (never
// asked at an anonymous office), an optional topic, the privacy notice
// and the consent to it. The forms check the values with model.js.

import { h, fieldError, setFieldError } from './dom.js';
import { privacyDetails } from './privacy.js';

// opts: {anonymous, anonText (the note shown instead of the name field),
// nameHint}. Returns {nodes, values(), showErrors(byField), focus(field)}:
// values() is {name, topic, consent}; showErrors takes {field: text}.
export function aboutFields(t, lang, { anonymous, anonText, nameHint }) {
    const nameInput = anonymous ? null : h('input', {
        id: 'name', name: 'name', type: 'text', autocomplete: 'name', maxlength: '64',
        'aria-describedby': 'name-hint name-error',
    });
    const nameErr = fieldError('name-error');
    const topicInput = h('input', {
        id: 'topic', name: 'topic', type: 'text', maxlength: '200', autocomplete: 'off',
        'aria-describedby': 'topic-hint topic-error',
    });
    const topicErr = fieldError('topic-error');
    const consent = h('input', {
        id: 'consent', name: 'consent', type: 'checkbox', required: true,
        'aria-describedby': 'consent-error',
    });
    const consentErr = fieldError('consent-error');
    const nodes = [
        anonymous ? h('p', { class: 'note anon-note', id: 'anon-note' }, anonText) : h('div', { class: 'field' },
            h('label', { for: 'name' }, t('form.name')),
            h('p', { id: 'name-hint', class: 'hint' }, nameHint),
            nameInput, nameErr),
        h('div', { class: 'field' },
            h('label', { for: 'topic' }, t('form.topic')),
            h('p', { id: 'topic-hint', class: 'hint' },
                t(anonymous ? 'form.topicHintAnonymous' : 'form.topicHint')),
            topicInput, topicErr),
        privacyDetails(t, lang),
        h('div', { class: 'field checkbox' },
            consent, h('label', { for: 'consent' }, t('form.consent')), consentErr),
    ];
    const inputs = { name: nameInput, topic: topicInput, consent };
    return {
        nodes,
        values: () => ({ name: nameInput ? nameInput.value : '', topic: topicInput.value,
            consent: consent.checked }),
        showErrors(byField) {
            if (nameInput) setFieldError(nameInput, nameErr, byField.name);
            setFieldError(topicInput, topicErr, byField.topic);
            setFieldError(consent, consentErr, byField.consent);
        },
        // true if field is one of these and now has focus
        focus(field) {
            if (!inputs[field]) return false;
            inputs[field].focus();
            return true;
        },
    };
}
