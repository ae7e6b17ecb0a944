// Loads the web client's message files and translators for the unit tests,
// the same way the browser does (webclient/js/lang.js), from the checkout.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTranslator } from '../../webclient/js/i18n.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEBCLIENT = path.resolve(here, '..', '..', 'webclient');

export function messages(code) {
    return JSON.parse(fs.readFileSync(path.join(WEBCLIENT, 'i18n', `${code}.json`), 'utf8'));
}

export function languages() {
    return JSON.parse(fs.readFileSync(path.join(WEBCLIENT, 'i18n', 'languages.json'), 'utf8'));
}

// The translator the page uses for code: code, then English, then German.
export function translator(code) {
    const chain = [code, 'en', 'de'].filter((c, i, a) => a.indexOf(c) === i);
    return createTranslator(code, ...chain.map(messages));
}

export const de = translator('de');
export const en = translator('en');
