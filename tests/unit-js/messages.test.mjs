// The message files: every offered language has a file with the same keys
// and placeholders as German, and every key the pages use exists.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { placeholders, LANG_CODE } from '../../webclient/js/i18n.js';
import { messages, languages, WEBCLIENT } from './lib.mjs';

const german = messages('de');
const keys = Object.keys(german).filter((k) => k !== '@meta').sort();

describe('message files', () => {
    test('German and English are offered, German first', () => {
        const codes = languages().map((l) => l.code);
        assert.equal(codes[0], 'de');
        assert.ok(codes.includes('en'));
    });
    for (const lang of languages()) {
        test(`${lang.code}: a valid code, its own name and direction, the same keys as German`, () => {
            assert.match(lang.code, LANG_CODE);
            assert.ok(['ltr', 'rtl'].includes(lang.dir ?? 'ltr'));
            const m = messages(lang.code);
            assert.equal(m['@meta']?.name, lang.name);
            assert.ok(['ltr', 'rtl'].includes(m['@meta']?.dir));
            assert.deepEqual(Object.keys(m).filter((k) => k !== '@meta').sort(), keys);
        });
        test(`${lang.code}: the same placeholders as German; plurals have "other"`, () => {
            const m = messages(lang.code);
            for (const key of keys) {
                assert.deepEqual(placeholders(m[key]), placeholders(german[key]), key);
                if (typeof m[key] === 'object') {
                    assert.equal(typeof m[key].other, 'string', `${key} has no "other" form`);
                } else {
                    assert.equal(typeof m[key], 'string', key);
                    assert.ok(m[key].trim().length > 0, `${key} is empty`);
                }
            }
        });
    }
    test('every key the pages use exists, and every key is used', () => {
        const dir = path.join(WEBCLIENT, 'js');
        const used = new Set();
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
            const src = fs.readFileSync(path.join(dir, file), 'utf8');
            for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
            // keys built from a prefix: t(`status.${...}`), t(`refusal.${code}`)
            for (const m of src.matchAll(/\bt\(\s*`([a-zA-Z0-9_.]+)\$\{/g)) used.add(`${m[1]}*`);
            // keys chosen by a condition: t(x ? 'a.b' : 'c.d') and {key: 'form.error.x'}
            for (const m of src.matchAll(/'((?:[a-zA-Z]+)\.(?:[a-zA-Z0-9_]+)(?:\.[a-zA-Z0-9_]+)?)'/g)) {
                if (Object.hasOwn(german, m[1])) used.add(m[1]);
            }
        }
        const missing = [...used].filter((k) => !k.endsWith('*') && !Object.hasOwn(german, k));
        assert.deepEqual(missing, [], 'keys used but not in de.json');
        const prefixes = [...used].filter((k) => k.endsWith('*')).map((k) => k.slice(0, -1));
        const unused = keys.filter((k) => !used.has(k) && !prefixes.some((p) => k.startsWith(p)));
        assert.deepEqual(unused, [], 'keys in de.json that no page uses');
    });
});
