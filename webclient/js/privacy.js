// privacy: the privacy notice (Datenschutzhinweise). Its text is a plain
// text file the administration can replace: /datenschutz.txt in German,
// /datenschutz.<lang>.txt for other languages (German is shown, with a
// note, when a language has none). Drawn with text nodes only.

import { h, clear, withLang } from './dom.js';
import { parsePlainText } from './model.js';
import { DEFAULT_LANG } from './i18n.js';

async function getText(url) {
    const res = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    if (!res.ok) throw Object.assign(new Error(`${url}: ${res.status}`), { status: res.status });
    return res.text();
}

// Resolves with {text, lang, fallback}.
export async function loadPrivacyText(lang) {
    if (lang !== DEFAULT_LANG) {
        try {
            return { text: await getText(`/datenschutz.${lang}.txt`), lang, fallback: false };
        } catch (err) {
            if (err.status !== 404) throw err;
        }
    }
    return { text: await getText('/datenschutz.txt'), lang: DEFAULT_LANG,
        fallback: lang !== DEFAULT_LANG };
}

// Draws the notice into container; headings start at level (2 on its own
// page, 3 inside the knock form).
export function drawPrivacyText(container, notice, t, level = 2) {
    clear(container);
    if (notice.fallback) container.append(h('p', { class: 'note' }, t('privacy.onlyGerman')));
    const body = h('div', { lang: notice.lang });
    for (const block of parsePlainText(notice.text)) {
        if (block.type === 'h') body.append(h(`h${level}`, {}, block.text));
        else if (block.type === 'ul') body.append(h('ul', {}, block.items.map((i) => h('li', {}, i))));
        else body.append(h('p', {}, block.text));
    }
    container.append(body);
}

// The privacy notice folded into a form: a <details> that loads the text
// when first opened, and a link to its own page.
export function privacyDetails(t, lang) {
    const body = h('div', { class: 'privacy-text' }, t('privacy.loading'));
    const details = h('details', { class: 'privacy' },
        h('summary', {}, t('form.privacySummary')),
        body,
        h('p', {}, h('a', { href: withLang('/datenschutz', lang) }, t('form.privacyPage'))));
    details.addEventListener('toggle', async () => {
        if (!details.open || details.dataset.loaded) return;
        details.dataset.loaded = '1';
        try {
            drawPrivacyText(body, await loadPrivacyText(lang), t, 3);
        } catch {
            delete details.dataset.loaded;
            body.textContent = t('privacy.failed');
        }
    });
    return details;
}
