// Refusals are shown in words with what to do instead: the office is
// closed (nobody there, no hours, opens later), the queue is full, too
// many knocks. Own configurations in tests/browser/conf/.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Scope, stateTemplate, expectType } from '../proto/lib/harness.mjs';
import { launch, newPage, assertClean, waitText, BROWSER_CONF_DIR } from './lib/browser.mjs';

const REFUSALS = path.join(BROWSER_CONF_DIR, 'refusals.conf');
const RATE = path.join(BROWSER_CONF_DIR, 'rate.conf');
const ANNA = { anna: { offices: ['amt-a'], password: 'anna-Passwort-1' } };
const DAYS = ['So', 'Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa'];
const WEEKDAYS_DE = ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'];

// Today's weekday in Berlin, where the offices' hours are.
function berlinWeekday() {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', weekday: 'short' })
        .format(new Date());
    return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(name);
}

async function knock(page, origin, office, lang) {
    await page.goto(`${origin}/${lang ? `?lang=${lang}` : ''}#/amt/${office}`);
    await page.locator('#consent').waitFor();
    await page.check('#consent');
    await page.click('#knock');
}

describe('refusals', () => {
    const scope = new Scope();
    let browser;
    let daemon;
    let origin;
    let later;

    before(async () => {
        // "spaeter" opens two days from now, 10:00
        later = (berlinWeekday() + 2) % 7;
        const dir = scope.dir();
        const conf = path.join(dir, 'refusals.conf');
        fs.writeFileSync(conf, fs.readFileSync(REFUSALS, 'utf8')
            .replace('hours = [ "Mo 10:00-11:00" ]', `hours = [ "${DAYS[later]} 10:00-11:00" ]`));
        const template = await stateTemplate(conf, ANNA);
        daemon = await scope.start({ conf, stateDir: scope.copy(template) });
        origin = `http://127.0.0.1:${daemon.port}`;
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('closed because nobody is there: the page says so, and the refusal says when to try', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/#/amt/amt-b`);
        await waitText(p.page, '.office-status .badge', /^Geschlossen$/);
        assert.match(await p.page.textContent('.closed-note'), /gerade geschlossen/);
        await knock(p.page, origin, 'amt-b');
        await waitText(p.page, '#knock-result', /^Das Amt ist gerade geschlossen\. Bitte klopfen Sie während der Sprechzeiten erneut an\.$/);
        assert.equal(await p.page.getAttribute('#knock-result', 'role'), 'alert');
        // the form stays usable for another try
        assert.equal(await p.page.isEnabled('#knock'), true);
        assert.equal(await p.page.textContent('#knock'), 'Anklopfen');
        assert.equal(await p.page.evaluate(() => sessionStorage.getItem('klopf.ticket')), null);
        await assertClean(p, assert);
        await p.context.close();
    });

    test('an office without hours says it has none', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/`);
        await waitText(p.page, 'li.office[data-office="zu"] .detail',
            /^Zurzeit gibt es keine Sprechzeiten\.$/);
        assert.match(await p.page.textContent('li.office[data-office="zu"]'), /Sprechzeiten heute: keine/);
        await knock(p.page, origin, 'zu');
        await waitText(p.page, '#knock-result', /^Das Amt ist gerade geschlossen\./);
        await assertClean(p, assert);
        await p.context.close();
    });

    test('an office that opens later says when, in the directory and in the refusal', async () => {
        const p = await newPage(browser, origin);
        await p.page.goto(`${origin}/`);
        const when = `am ${WEEKDAYS_DE[later]} um 10:00 Uhr`;
        await waitText(p.page, 'li.office[data-office="spaeter"] .detail',
            new RegExp(`^Öffnet wieder ${when}\\.$`));
        await knock(p.page, origin, 'spaeter');
        await waitText(p.page, '#knock-result',
            new RegExp(`^Das Amt ist gerade geschlossen\\. Es öffnet wieder ${when}\\. Bitte klopfen Sie dann erneut an\\.$`));
        await knock(p.page, origin, 'spaeter', 'en');
        await waitText(p.page, '#knock-result', /^The office is closed right now\. It opens again on \w+day at 10:00\. Please knock again then\.$/);
        await assertClean(p, assert);
        await p.context.close();
    });

    test('a full queue is refused in words; the place frees up and knocking works', async () => {
        const anna = await scope.clerk(daemon.port, 'anna', ANNA.anna.password);
        const waiting = await scope.citizen(daemon.port, 'amt-a');
        const p = await newPage(browser, origin);
        await knock(p.page, origin, 'amt-a');
        await waitText(p.page, '#knock-result', /^Die Warteschlange dieses Amts ist gerade voll\. Bitte versuchen Sie es in einigen Minuten noch einmal\.$/);
        await knock(p.page, origin, 'amt-a', 'en');
        await waitText(p.page, '#knock-result', /^The queue of this office is full right now\. Please try again in a few minutes\.$/);
        expectType(await waiting.request({ type: 'withdraw' }), 'ticket');
        await p.page.click('#knock');
        await p.page.locator('#position').waitFor();
        assert.equal(await p.page.textContent('#position'), '1');
        await anna.close();
        await assertClean(p, assert);
        await p.context.close();
    });
});

describe('too many knocks', () => {
    const scope = new Scope();
    let browser;

    before(async () => { browser = await launch(); });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    test('is refused with the seconds to wait', async () => {
        const template = await stateTemplate(RATE, ANNA);
        const daemon = await scope.start({ conf: RATE, stateDir: scope.copy(template) });
        const origin = `http://127.0.0.1:${daemon.port}`;
        await scope.clerk(daemon.port, 'anna', ANNA.anna.password);
        await scope.citizen(daemon.port, 'amt-a');
        const p = await newPage(browser, origin);
        await knock(p.page, origin, 'amt-a');
        await waitText(p.page, '#knock-result', /^Sie haben in kurzer Zeit zu oft angeklopft\. Bitte warten Sie \d+ Sekunden? und versuchen Sie es dann noch einmal\.$/);
        await assertClean(p, assert);
        await p.context.close();
    });
});
