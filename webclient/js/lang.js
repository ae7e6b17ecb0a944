// lang: loads the message file of the language asked for in the URL
// (?lang=en), sets the page's lang and dir, and draws the language switch.
// German is the default; see i18n.js for how to add a language.

import { chooseLang, createTranslator, DEFAULT_LANG } from './i18n.js';
import { h, clear } from './dom.js';

async function getJson(url) {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return res.json();
}

// Resolves with {t, lang, languages}.
export async function loadLanguage() {
    const languages = await getJson('/i18n/languages.json');
    const requested = new URLSearchParams(location.search).get('lang');
    const lang = chooseLang(requested, languages);
    const wanted = [lang, 'en', DEFAULT_LANG].filter((c, i, a) => a.indexOf(c) === i);
    const files = await Promise.all(wanted.map((c) => getJson(`/i18n/${c}.json`)));
    const t = createTranslator(lang, ...files);
    document.documentElement.lang = lang;
    document.documentElement.dir = t.dir;
    return { t, lang, languages };
}

// The link that shows the same page in language code.
export function langHref(code) {
    const params = new URLSearchParams(location.search);
    if (code === DEFAULT_LANG) params.delete('lang');
    else params.set('lang', code);
    const q = params.toString();
    return `${location.pathname}${q ? `?${q}` : ''}${location.hash}`;
}

// Fills nav (an element with an aria-label) with one link per language,
// each named in its own language; the current one is marked.
export function drawLanguageSwitch(nav, languages, t) {
    clear(nav);
    nav.setAttribute('aria-label', t('nav.language'));
    const list = h('ul', { class: 'langs' });
    for (const l of languages) {
        const current = l.code === t.lang;
        const a = h('a', {
            href: langHref(l.code), lang: l.code, hreflang: l.code, dir: l.dir || 'ltr',
            'aria-current': current ? 'true' : null, class: current ? 'current' : null,
        }, l.name);
        // keep the hash route when the page changed it since drawing
        a.addEventListener('click', () => { a.href = langHref(l.code); });
        list.append(h('li', {}, a));
    }
    nav.append(list);
}
