// The directory (/): every office with its live status, the note on what
// is needed, the privacy link; German and English; phone and desktop.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
    Scope, stateTemplate, CLERKS, ALWAYS_OPEN, TESTS_DIR, expectType,
} from '../proto/lib/harness.mjs';
import {
    launch, newPage, assertClean, axeViolations, horizontalOverflow, screenshot, waitText,
    markDocument, sameDocument, PHONE, DESKTOP,
} from './lib/browser.mjs';

describe('directory', () => {
    const scope = new Scope();
    let browser;
    let daemon;
    let origin;

    before(async () => {
        const template = await stateTemplate(ALWAYS_OPEN, CLERKS);
        daemon = await scope.start({ stateDir: scope.copy(template) });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('lists every office with description, hours today, languages and status in words', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/`);
        await p.page.locator('li.office').first().waitFor();
        const cards = await p.page.$$eval('li.office', (els) => els.map((el) => ({
            id: el.dataset.office,
            name: el.querySelector('h2').textContent,
            text: el.textContent,
            status: el.querySelector('.status').dataset.status,
            badge: el.querySelector('.badge').textContent,
        })));
        assert.deepEqual(cards.map((c) => c.id), ['amt-a', 'amt-b', 'beratung']);
        assert.deepEqual(cards.map((c) => c.name), ['Amt A', 'Amt B', 'Anonyme Beratung']);
        assert.match(cards[0].text, /Ein Amt für die Tests\./);
        assert.match(cards[0].text, /Sprechzeiten heute: 00:00–24:00 Uhr/);
        assert.match(cards[0].text, /Beratung auf: Deutsch und Englisch/);
        assert.match(cards[1].text, /Beratung auf: Deutsch(?! und)/);
        assert.match(cards[2].text, /Anonym: ohne Namen/);
        assert.doesNotMatch(cards[0].text, /Anonym:/);
        for (const c of cards) {
            // no clerk is present: closed, said in words
            assert.equal(c.status, 'closed');
            assert.equal(c.badge, 'Geschlossen');
            assert.match(c.text, /Gerade ist niemand erreichbar/);
        }
        const needs = await p.page.textContent('.needs');
        assert.match(needs, /Kamera und Mikrofon/);
        assert.match(needs, /aktuellen Browser/);
        const privacyHref = await p.page.getAttribute('.needs a', 'href');
        assert.equal(privacyHref, '/datenschutz');
        assert.equal(await p.page.title(), 'Übersicht – Virtuelles Bürgerbüro');
        assert.equal(await p.page.getAttribute('html', 'lang'), 'de');
        assert.ok(p.sockets.length === 1, `one WebSocket: ${p.sockets}`);
        await assertClean(p, assert);
        await p.context.close();
    });

    test('status, queue and wait change without reloading when a clerk comes, admits and goes', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/`);
        await p.page.locator('li.office[data-office="amt-a"]').waitFor();
        await markDocument(p.page);
        const card = 'li.office[data-office="amt-a"]';

        // a keyboard user sits on the office's button while its status changes
        await p.page.focus(`${card} a.button`);
        assert.match(await p.page.textContent(`${card} a.button`), /^Mehr erfahren/);

        const anna = await scope.clerk(daemon.port, 'anna', CLERKS.anna.password);
        await waitText(p.page, `${card} .badge`, /^Geöffnet$/);
        assert.equal(await p.page.evaluate(() => document.activeElement.textContent), 'Anklopfen – Amt A',
            'focus stayed on the button, which now says "Anklopfen"');
        await waitText(p.page, `${card} .detail`, /^Niemand wartet, geschätzte Wartezeit: gleich\.$/);
        assert.equal(await p.page.getAttribute(`${card} .status`, 'data-status'), 'open');
        await waitText(p.page, `${card} .actions`, /Anklopfen/);
        // the other offices stay closed
        assert.equal(await p.page.textContent('li.office[data-office="amt-b"] .badge'), 'Geschlossen');

        const citizen = await scope.citizen(daemon.port, 'amt-a');
        await waitText(p.page, `${card} .detail`, /^1 Person wartet, geschätzte Wartezeit: etwa 20 Minuten\.$/);

        const q = await anna.next('queue_add');
        expectType(await anna.request({ type: 'admit', ticket: q.ticket.id }), 'room');
        await waitText(p.page, `${card} .badge`, /^Im Gespräch$/);
        await waitText(p.page, `${card} .detail`, /^Niemand wartet/);

        await anna.request({ type: 'presence', presence: 'away' });
        await anna.close();
        citizen.terminate();
        await waitText(p.page, `${card} .badge`, /^Geschlossen$/, 8000);
        assert.equal(await sameDocument(p.page), true, 'the page was not reloaded');
        await assertClean(p, assert);
        await p.context.close();
    });

    test('English with ?lang=en and with the visible switch', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/`);
        await p.page.locator('li.office').first().waitFor();
        const sw = p.page.locator('#langs a[hreflang="en"]');
        assert.equal(await sw.textContent(), 'English');
        assert.equal(await sw.getAttribute('lang'), 'en');
        assert.equal(await p.page.getAttribute('#langs a[hreflang="de"]', 'aria-current'), 'true');
        await sw.click();
        await p.page.waitForURL(/\?lang=en/);
        await waitText(p.page, 'h1', /^Talk to the administration by video$/);
        assert.equal(await p.page.getAttribute('html', 'lang'), 'en');
        assert.equal(await p.page.getAttribute('html', 'dir'), 'ltr');
        await p.page.locator('li.office').first().waitFor();
        const names = await p.page.$$eval('li.office h2', (els) => els.map((e) => e.textContent));
        assert.deepEqual(names, ['Office A', 'Office B', 'Anonymous counselling']);
        assert.match(await p.page.textContent('li.office[data-office="amt-a"]'),
            /Advice in: German and English/);
        assert.equal(await p.page.textContent('li.office .badge'), 'Closed');
        assert.equal(await p.page.title(), 'Overview – Virtual Citizens\' Office');
        assert.equal(await p.page.getAttribute('.needs a', 'href'), '/datenschutz?lang=en');
        // and back to German
        await p.page.click('#langs a[hreflang="de"]');
        await waitText(p.page, 'h1', /^Mit der Verwaltung per Video sprechen$/);
        assert.equal(new URL(p.page.url()).search, '');
        await assertClean(p, assert);
        await p.context.close();
    });

    test('an office page in English keeps the route when switching language', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/#/amt/amt-b`);
        await waitText(p.page, 'h1', /^Amt B$/);
        await p.page.click('#langs a[hreflang="en"]');
        await waitText(p.page, 'h1', /^Office B$/);
        assert.equal(new URL(p.page.url()).hash, '#/amt/amt-b');
        await assertClean(p, assert);
        await p.context.close();
    });

    for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        for (const [page, path, heading, ready] of [
            ['directory', '/', /Mit der Verwaltung/, 'li.office'],
            ['office', '/#/amt/amt-a', /^Amt A$/, '#knock'],
            ['anonymous-office', '/?lang=en#/amt/beratung', /^Anonymous counselling$/, '#knock'],
            ['datenschutz', '/datenschutz', /^Datenschutzhinweise$/, '.privacy-text h2'],
        ]) {
            test(`${page} at ${label} size: no sideways scrolling, no serious accessibility violation`, async () => {
                const p = await newPage(browser, origin, { viewport });
                await p.page.goto(`${origin}${path}`);
                await waitText(p.page, 'h1', heading);
                await p.page.locator(ready).first().waitFor();
                const o = await horizontalOverflow(p.page);
                assert.equal(o.overflow, false, `scrollWidth ${o.scrollWidth} > ${o.clientWidth}`);
                assert.deepEqual(await axeViolations(p.page), []);
                await screenshot(p.page, `${page}-${label}`);
                await assertClean(p, assert);
                await p.context.close();
            });
        }
    }
});

describe('privacy notice', () => {
    const scope = new Scope();
    let browser;
    let origin;

    before(async () => {
        const daemon = await scope.start({ stateDir: scope.dir() });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('/datenschutz shows the text of datenschutz.txt as headings, paragraphs and lists', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/datenschutz`);
        await p.page.locator('.privacy-text h2').first().waitFor();
        const text = await (await fetch(`${origin}/datenschutz.txt`)).text();
        const firstLine = text.split('\n')[0];
        assert.equal(await p.page.textContent('.privacy-text h2'), firstLine);
        const headings = await p.page.$$eval('.privacy-text h2', (els) => els.map((e) => e.textContent));
        assert.ok(headings.includes('Wie lange'), headings.join(' | '));
        assert.ok(headings.includes('Keine Dritten'), headings.join(' | '));
        assert.ok(await p.page.locator('.privacy-text li').count() >= 3);
        assert.match(await p.page.textContent('main'), /30 Tage/);
        assert.equal(await p.page.title(), 'Datenschutzhinweise – Virtuelles Bürgerbüro');
        assert.equal(await p.page.getAttribute('#home', 'href'), '/');
        await assertClean(p, assert);
        await p.context.close();
    });

    test('in English from datenschutz.en.txt, with links back in English', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/datenschutz?lang=en`);
        await waitText(p.page, 'h1', /^Privacy notice$/);
        await p.page.locator('.privacy-text h2').first().waitFor();
        assert.match(await p.page.textContent('main'), /No third parties/);
        assert.equal(await p.page.getAttribute('#home', 'href'), '/?lang=en');
        assert.equal(await p.page.locator('.privacy-text [lang="en"]').count(), 1);
        await assertClean(p, assert);
        await p.context.close();
    });

    test('the knock form shows the same notice inline when asked', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/#/amt/amt-a`);
        await p.page.click('details.privacy summary');
        await waitText(p.page, 'details.privacy .privacy-text', /Keine Dritten/);
        assert.equal(await p.page.locator('details.privacy h3').count() > 3, true);
        await assertClean(p, assert);
        await p.context.close();
    });
});

describe('the sample offices of etc/klopfd.conf', () => {
    const scope = new Scope();
    let browser;
    let origin;

    before(async () => {
        const conf = path.resolve(TESTS_DIR, '..', 'etc', 'klopfd.conf');
        const daemon = await scope.start({ conf, stateDir: scope.dir() });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    for (const [path_, ready] of [['/', 'li.office'], ['/?lang=en', 'li.office'],
        ['/#/amt/prostituiertenberatung', '#knock'], ['/#/amt/schwangerschaftskonflikt', '#knock']]) {
        test(`${path_} fits a phone, long German words and all`, async () => {
            const p = await newPage(browser, origin, { viewport: PHONE });
            await p.page.goto(`${origin}${path_}`);
            await p.page.locator(ready).first().waitFor();
            if (ready === 'li.office') {
                assert.equal(await p.page.locator('li.office').count(), 9);
            }
            const o = await horizontalOverflow(p.page);
            assert.equal(o.overflow, false, `scrollWidth ${o.scrollWidth} > ${o.clientWidth}`);
            assert.deepEqual(await axeViolations(p.page), []);
            await screenshot(p.page, `sample${path_.replace(/[^a-z]+/g, '-')}phone`);
            await assertClean(p, assert);
            await p.context.close();
        });
    }
});
