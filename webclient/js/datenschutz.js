// datenschutz: the page /datenschutz. The notice itself is the plain text
// file the administration can replace (see privacy.js).

import { loadLanguage, drawLanguageSwitch } from './lang.js';
import { h, clear, setText, withLang, focusHeading } from './dom.js';
import { loadPrivacyText, drawPrivacyText } from './privacy.js';

async function main() {
    const $ = (id) => document.getElementById(id);
    let loaded;
    try {
        loaded = await loadLanguage();
    } catch {
        setText($('main'), 'Die Seite konnte nicht geladen werden. / The page could not be loaded.');
        return;
    }
    const { t, lang, languages } = loaded;
    setText($('skip'), t('nav.skip'));
    setText($('home'), t('app.name'));
    $('home').setAttribute('href', withLang('/', lang));
    $('skip').addEventListener('click', (ev) => {
        ev.preventDefault();
        focusHeading($('main'));
    });
    drawLanguageSwitch($('langs'), languages, t);
    clear($('footer-links')).append(h('li', {},
        h('a', { href: withLang('/', lang) }, t('nav.toDirectory'))));
    document.title = `${t('privacy.title')} – ${t('app.name')}`;

    const main = clear($('main'));
    const body = h('div', { class: 'privacy-text' }, t('privacy.loading'));
    main.append(
        h('p', { class: 'back' }, h('a', { href: withLang('/', lang) }, t('nav.back'))),
        h('h1', {}, t('privacy.title')),
        body);
    try {
        drawPrivacyText(body, await loadPrivacyText(lang), t, 2);
    } catch {
        setText(body, t('privacy.failed'));
    }
}

main();
