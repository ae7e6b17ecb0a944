// dom: building elements without innerHTML (every text goes in as a text
// node, so nothing a clerk or an office writes can become markup), and
// the few page-wide helpers every page uses.

// h('p', {class: 'x', 'aria-live': 'polite'}, 'text', child, ...):
// attributes with value false, null or undefined are left out; true sets
// an empty attribute; on<event> keys add listeners.
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
        if (value === false || value === null || value === undefined) continue;
        if (key.startsWith('on') && typeof value === 'function') {
            el.addEventListener(key.slice(2).toLowerCase(), value);
        } else if (key === 'class') {
            el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
        } else if (value === true) {
            el.setAttribute(key, '');
        } else {
            el.setAttribute(key, String(value));
        }
    }
    append(el, children);
    return el;
}

export function append(el, children) {
    for (const child of children.flat(Infinity)) {
        if (child === null || child === undefined || child === false) continue;
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
}

export function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
}

// Replaces el's text, but only when it differs (a live region then
// announces real changes only).
export function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
}

// A span marked with its language when that differs from the page's.
export function inLang(loc, pageLang) {
    return loc.lang && loc.lang !== pageLang ? h('span', { lang: loc.lang }, loc.text) : loc.text;
}

// Moves keyboard focus (and a screen reader's reading position) to el,
// e.g. a new page's heading.
export function focusHeading(el) {
    if (!el) return;
    if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: false });
}

// The current URL's query with lang set (or removed for German), for
// links that keep the language.
export function withLang(path, lang, defaultLang = 'de') {
    return lang === defaultLang ? path : `${path}?lang=${encodeURIComponent(lang)}`;
}

// A form field's error message, hidden until setFieldError fills it.
export function fieldError(id) {
    return h('p', { id, class: 'field-error', hidden: true });
}

// Shows text (or clears it with '') below input and marks the input
// invalid; the input's aria-describedby names errEl.
export function setFieldError(input, errEl, text) {
    if (text) {
        errEl.hidden = false;
        setText(errEl, text);
        input.setAttribute('aria-invalid', 'true');
    } else {
        errEl.hidden = true;
        setText(errEl, '');
        input.removeAttribute('aria-invalid');
    }
}

// A modal question: the safe answer (no) has focus first, yes does what
// cannot be undone and then runs onYes. Ids: `${id}-heading`,
// `${id}-text`, the yes button `${id}-yes`.
export function confirmDialog({ id, cls = 'confirm', heading, text, no, yes, onYes }) {
    const noButton = h('button', { type: 'button', class: 'secondary', autofocus: true }, no);
    const yesButton = h('button', { type: 'button', class: 'danger', id: `${id}-yes` }, yes);
    const dialog = h('dialog', { class: cls, 'aria-labelledby': `${id}-heading`,
        'aria-describedby': `${id}-text` },
    h('h2', { id: `${id}-heading` }, heading),
    h('p', { id: `${id}-text` }, text),
    h('p', { class: 'buttons' }, noButton, yesButton));
    noButton.addEventListener('click', () => dialog.close());
    yesButton.addEventListener('click', () => { dialog.close(); onYes(); });
    return dialog;
}
