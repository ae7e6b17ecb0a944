// A language is added by dropping in a message file and listing it: here an
// Arabic file (right to left) with a few texts translated, in a copy of the
// web client. Untranslated texts fall back to English.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Scope, WEBROOT } from '../proto/lib/harness.mjs';
import {
    launch, newPage, assertClean, waitText, horizontalOverflow, axeViolations, screenshot, PHONE,
} from './lib/browser.mjs';

describe('a dropped-in right-to-left language', () => {
    const scope = new Scope();
    let browser;
    let origin;

    before(async () => {
        const webroot = path.join(scope.dir(), 'webclient');
        fs.cpSync(WEBROOT, webroot, { recursive: true });
        const i18n = path.join(webroot, 'i18n');
        fs.writeFileSync(path.join(i18n, 'ar.json'), JSON.stringify({
            '@meta': { name: 'العربية', dir: 'rtl' },
            'app.name': 'المكتب الافتراضي للمواطنين',
            'dir.heading': 'تحدث إلى الإدارة عبر الفيديو',
            'status.closed': 'مغلق',
        }));
        const list = JSON.parse(fs.readFileSync(path.join(i18n, 'languages.json'), 'utf8'));
        list.push({ code: 'ar', name: 'العربية', dir: 'rtl' });
        fs.writeFileSync(path.join(i18n, 'languages.json'), JSON.stringify(list));
        const daemon = await scope.start({ stateDir: scope.dir(), webroot });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('?lang=ar lays the page out right to left, with English where a text is missing', async () => {
        const p = await newPage(browser, origin, { viewport: PHONE });
        await p.page.goto(`${origin}/?lang=ar`);
        await waitText(p.page, 'h1', /^تحدث إلى الإدارة عبر الفيديو$/);
        assert.equal(await p.page.getAttribute('html', 'dir'), 'rtl');
        assert.equal(await p.page.getAttribute('html', 'lang'), 'ar');
        await p.page.locator('li.office').first().waitFor();
        assert.equal(await p.page.textContent('li.office .badge'), 'مغلق');
        assert.match(await p.page.textContent('.needs h2'), /^What you need$/);
        // office names: English (marked as such) where there is no Arabic
        assert.equal(await p.page.textContent('li.office h2'), 'Office A');
        assert.equal(await p.page.getAttribute('li.office h2 a span', 'lang'), 'en');
        const sw = p.page.locator('#langs a[hreflang="ar"]');
        assert.equal(await sw.getAttribute('aria-current'), 'true');
        assert.equal(await sw.getAttribute('dir'), 'rtl');
        // mirrored: the heading starts at the right edge
        const box = await p.page.locator('h1').boundingBox();
        const h1Right = await p.page.evaluate(() => {
            const r = document.querySelector('h1').getBoundingClientRect();
            return document.documentElement.clientWidth - r.right;
        });
        assert.ok(h1Right <= 20, `h1 is ${h1Right}px from the right edge (box ${JSON.stringify(box)})`);
        const o = await horizontalOverflow(p.page);
        assert.equal(o.overflow, false);
        assert.deepEqual(await axeViolations(p.page), []);
        await screenshot(p.page, 'directory-ar-phone');
        await assertClean(p, assert);
        await p.context.close();
    });

    test('the privacy notice falls back to German and says so', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/datenschutz?lang=ar`);
        await waitText(p.page, '.privacy-text', /Keine Dritten/);
        assert.match(await p.page.textContent('.privacy-text .note'),
            /The privacy notice is available in German only\./);
        assert.equal(await p.page.locator('.privacy-text [lang="de"]').count(), 1);
        // the one expected miss: there is no datenschutz.ar.txt
        assert.ok(p.problems.length <= 1 && p.problems.every((x) => /404/.test(x)), p.problems.join('\n'));
        p.problems.length = 0;
        await assertClean(p, assert);
        await p.context.close();
    });
});
