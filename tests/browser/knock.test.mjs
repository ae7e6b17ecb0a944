// Knocking and waiting, end to end: the browser on one side, a scripted
// clerk (a protocol client from the harness) on the other, a real klopfd
// (tests/fixtures/conf/always-open.conf, grace 3 s) in between. Each test
// has a daemon of its own.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
    Scope, stateTemplate, CLERKS, ALWAYS_OPEN, expectType, HEX32, freePort,
} from '../proto/lib/harness.mjs';
import {
    launch, newPage, assertClean, knockViaForm, waitText, waitTitle, tones, markDocument,
    sameDocument, axeViolations, horizontalOverflow, screenshot, tabTo, PHONE, DESKTOP,
} from './lib/browser.mjs';

describe('knock and wait', () => {
    const scope = new Scope();
    let browser;
    let template;
    const pages = [];

    before(async () => {
        template = await stateTemplate(ALWAYS_OPEN, CLERKS);
        browser = await launch();
    });
    afterEach(async () => {
        for (const p of pages.splice(0)) await p.context.close().catch(() => {});
        await scope.closeClients();
        for (const d of scope.daemons) await d.stop();
        scope.daemons.clear();
    });
    after(async () => {
        await browser?.close();
        await scope.cleanup();
    });

    async function fresh() {
        const daemon = await scope.start({ stateDir: scope.copy(template) });
        return { daemon, origin: `http://127.0.0.1:${daemon.port}` };
    }

    async function page(origin, opts) {
        const p = await newPage(browser, origin, opts);
        pages.push(p);
        return p;
    }

    function clerk(daemon, name) {
        return scope.clerk(daemon.port, name, CLERKS[name].password);
    }

    test('a normal office asks for a name; position 1, a second citizen is 2 and moves up when the first leaves',
        async () => {
            const { daemon, origin } = await fresh();
            const anna = await clerk(daemon, 'anna');
            const first = await page(origin);
            await first.page.goto(`${origin}/#/amt/amt-a`);
            await waitText(first.page, 'h1', /^Amt A$/);
            assert.equal(await first.page.locator('#name').count(), 1);
            assert.equal(await first.page.locator('#anon-note').count(), 0);
            assert.equal(await first.page.textContent('label[for="name"]'), 'Ihr Name (freiwillig)');
            await knockViaForm(first.page, origin, 'amt-a', { name: 'Aylin', topic: 'Antrag' });
            const add = await anna.next('queue_add');
            assert.equal(add.ticket.name, 'Aylin');
            assert.equal(add.ticket.topic, 'Antrag');
            assert.equal(add.ticket.lang, 'de');
            await waitText(first.page, '#position', /^1$/);
            assert.equal(await first.page.textContent('h1'), 'Warteraum: Amt A');
            assert.equal(await first.page.textContent('#position-text'),
                'Sie sind als Nächstes an der Reihe.');
            assert.equal(await first.page.textContent('#wait-text'), 'Geschätzte Wartezeit: gleich.');
            assert.equal(await first.page.title(), '(1) Warteraum – Amt A – Virtuelles Bürgerbüro');
            assert.equal(new URL(first.page.url()).hash, '#/warteraum');

            const second = await page(origin);
            await knockViaForm(second.page, origin, 'amt-a', { name: 'Bernd' });
            await waitText(second.page, '#position', /^2$/);
            assert.equal(await second.page.textContent('#position-text'),
                'Sie sind an Position 2 der Warteschlange.');
            assert.equal(await second.page.getAttribute('#position-live', 'aria-live'), 'polite');
            await markDocument(second.page);

            // the first leaves through the page, with a confirmation
            await first.page.click('#leave');
            assert.equal(await first.page.locator('dialog.leave[open]').count(), 1);
            await first.page.click('#leave-yes');
            await waitText(first.page, 'h1', /^Sie haben die Warteschlange verlassen$/);
            const removed = await anna.next('queue_remove');
            assert.equal(removed.state, 'withdrawn');
            assert.equal(removed.ticket, add.ticket.id);

            await waitText(second.page, '#position', /^1$/);
            await waitText(second.page, '#position-live', /^Sie sind als Nächstes an der Reihe\./);
            await waitTitle(second.page, /^\(1\) Warteraum – Amt A/);
            assert.equal(await sameDocument(second.page), true, 'moved up without a reload');
            await assertClean(first, assert);
            await assertClean(second, assert);
        });

    test('an anonymous office has no name field, says so plainly, and sends no name', async () => {
        const { daemon, origin } = await fresh();
        const carla = await clerk(daemon, 'carla');
        const p = await page(origin);
        await p.page.goto(`${origin}/#/amt/beratung`);
        await p.page.locator('#knock').waitFor();
        assert.equal(await p.page.locator('#name').count(), 0);
        assert.match(await p.page.textContent('#anon-note'),
            /anonym\. Wir fragen nicht nach Ihrem Namen, und nach dem Gespräch wird nichts über Sie gespeichert/);
        assert.match(await p.page.textContent('#topic-hint'), /nichts, woran man Sie erkennen kann/);
        await knockViaForm(p.page, origin, 'beratung', { topic: 'Frage' });
        const add = await carla.next('queue_add');
        assert.equal(add.ticket.name, null);
        assert.equal(add.ticket.topic, 'Frage');
        await waitText(p.page, 'h1', /^Warteraum: Anonyme Beratung$/);
        await assertClean(p, assert);
    });

    test('the privacy notice must be accepted: an error in words at the checkbox, nothing sent',
        async () => {
            const { daemon, origin } = await fresh();
            const anna = await clerk(daemon, 'anna');
            const p = await page(origin);
            await p.page.goto(`${origin}/#/amt/amt-a`);
            await p.page.fill('#name', 'Aylin');
            await p.page.click('#knock');
            await waitText(p.page, '#consent-error', /Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben/);
            assert.equal(await p.page.evaluate(() => document.activeElement.id), 'consent');
            assert.equal(await p.page.getAttribute('#consent', 'aria-invalid'), 'true');
            assert.match(await p.page.getAttribute('#consent', 'aria-describedby'), /consent-error/);
            assert.equal(await anna.maybe('queue_add', () => true, 500), null);
            // accepting clears the error and knocks
            await p.page.check('#consent');
            await p.page.click('#knock');
            await p.page.locator('#position').waitFor();
            assert.ok(await anna.next('queue_add'));
            await assertClean(p, assert);
        });

    test('a reload keeps the place; the token lives in this tab\'s session storage only', async () => {
        const { daemon, origin } = await fresh();
        const anna = await clerk(daemon, 'anna');
        const p = await page(origin);
        await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin' });
        await anna.next('queue_add');
        await scope.citizen(daemon.port, 'amt-a');
        await anna.next('queue_add');
        const stored = await p.page.evaluate(() => ({
            session: sessionStorage.getItem('klopf.ticket'), local: localStorage.length,
            cookie: document.cookie, url: location.href,
        }));
        assert.match(stored.session, HEX32);
        assert.equal(stored.local, 0);
        assert.equal(stored.cookie, '');
        assert.ok(!stored.url.includes(stored.session), 'the token is not in the URL');

        await p.page.reload();
        await waitText(p.page, '#position', /^1$/);
        assert.equal(await p.page.textContent('h1'), 'Warteraum: Amt A');
        assert.equal(await anna.maybe('queue_remove', () => true, 300), null, 'the place was kept');
        assert.equal(await p.page.evaluate(() => sessionStorage.getItem('klopf.ticket')), stored.session);

        // another tab has no place
        const other = await page(origin);
        await other.page.goto(`${origin}/#/warteraum`);
        await waitText(other.page, 'main', /Sie warten zurzeit bei keinem Amt/);
        await assertClean(p, assert);
        await assertClean(other, assert);
    });

    test('admission changes the title, shows a banner and plays a tone, even from another page',
        async () => {
            const { daemon, origin } = await fresh();
            const anna = await clerk(daemon, 'anna');
            const p = await page(origin);
            await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin' });
            const add = await anna.next('queue_add');
            // the citizen looks at the directory meanwhile
            await p.page.click('#home');
            await waitText(p.page, '.ticket-notice', /Sie warten gerade bei „Amt A“/);
            assert.equal(await p.page.evaluate(() => window.__klopfTest.tones.length), 0);
            await markDocument(p.page);
            // nothing is sent while waiting: no peer connection at all
            assert.equal(await p.page.evaluate(() => window.__klopfTest.peerConnections), 0);

            const admitted = expectType(await anna.request({ type: 'admit', ticket: add.ticket.id }),
                'room');
            await waitTitle(p.page, /^Sie sind dran! – Amt A – Virtuelles Bürgerbüro$/);
            await waitText(p.page, '#alert', /Sie sind dran! Die Sachbearbeitung hat Sie hereingebeten\./);
            assert.equal(await p.page.getAttribute('#alert', 'role'), 'alert');
            assert.equal(await p.page.locator('#alert').isVisible(), true);
            await waitText(p.page, 'h1', /^Sie sind dran!$/);
            assert.equal(new URL(p.page.url()).hash, '#/warteraum');
            assert.match(await p.page.textContent('main'), /hat Sie hereingebeten/);
            assert.equal(await p.page.locator('#call').count(), 1, 'the consultation view');
            const played = await tones(p.page);
            assert.ok(played.length >= 2, `tones: ${JSON.stringify(played)}`);
            assert.ok(played.every((x) => x.state === 'running'), JSON.stringify(played));
            assert.equal(await sameDocument(p.page), true);
            // the clerk ends the consultation
            expectType(await anna.request({ type: 'end', room: admitted.room.id }), 'ok');
            await waitText(p.page, 'h1', /^Das Gespräch ist beendet$/);
            assert.equal(await p.page.textContent('#alert'), '', 'the banner is gone');
            assert.match(await p.page.textContent('main'), /Vielen Dank/);
            await assertClean(p, assert);
        });

    test('klopfd restarts: the page says the connection is lost, reconnects and keeps the place',
        async () => {
            const port = await freePort();
            const stateDir = scope.copy(template);
            let daemon = await scope.start({ stateDir, port });
            const origin = `http://127.0.0.1:${port}`;
            let anna = await clerk(daemon, 'anna');
            const p = await page(origin);
            await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin' });
            await scope.citizen(daemon.port, 'amt-a');
            await anna.next('queue_add');
            await markDocument(p.page);

            await daemon.stop();
            scope.daemons.delete(daemon);
            await waitText(p.page, '#conn', /^Die Verbindung ist unterbrochen\. Wir verbinden Sie neu – Ihr Platz in der Warteschlange bleibt/);
            assert.equal(await p.page.isVisible('#conn'), true);
            assert.equal(await p.page.getAttribute('#conn', 'role'), 'status');
            daemon = await scope.start({ stateDir, port });
            await waitText(p.page, '#conn', /^Die Verbindung steht wieder\.$/, 8000);
            await waitText(p.page, '#position', /^1$/);
            assert.equal(await sameDocument(p.page), true);
            // the clerk, logged in again, sees the same citizen and can admit
            anna = await clerk(daemon, 'anna');
            const queue = await anna.next('queue');
            assert.deepEqual(queue.tickets.map((x) => x.name).slice(0, 1), ['Aylin']);
            expectType(await anna.request({ type: 'admit', ticket: queue.tickets[0].id }), 'room');
            await waitTitle(p.page, /^Sie sind dran!/);
            await p.page.waitForFunction(() => document.getElementById('conn').hidden, null,
                { timeout: 8000 });
            // chromium logs each refused reconnect while klopfd was down as
            // a console error; those are expected here, nothing else is
            p.problems.splice(0, p.problems.length, ...p.problems.filter((x) =>
                !/^console.error: WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws' failed/
                    .test(x)));
            await assertClean(p, assert);
        });

    test('a decline shows the clerk\'s message; the citizen can knock again afterwards', async () => {
        const { daemon, origin } = await fresh();
        const anna = await clerk(daemon, 'anna');
        const p = await page(origin);
        await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin' });
        const add = await anna.next('queue_add');
        expectType(await anna.request({ type: 'decline', ticket: add.ticket.id,
            message: 'Bitte buchen Sie einen Termin.' }), 'ok');
        await waitText(p.page, 'h1', /^Ihr Anliegen wurde nicht angenommen$/);
        assert.equal(await p.page.textContent('.clerk-message'), 'Bitte buchen Sie einen Termin.');
        assert.equal(await p.page.textContent('figcaption'), 'Nachricht der Sachbearbeitung:');
        assert.match(await p.page.textContent('main'), /später noch einmal versuchen/);
        assert.equal(await p.page.textContent('main p.lead'),
            'Die Sachbearbeitung von „Amt A“ kann Sie jetzt nicht beraten.');
        assert.equal(await p.page.textContent('#alert'), '');
        // the outcome survives a reload
        await p.page.reload();
        await waitText(p.page, '.clerk-message', /^Bitte buchen Sie einen Termin\.$/);
        // and then: knock again (a new connection, a new ticket)
        await p.page.click('text=Erneut anklopfen');
        await waitText(p.page, 'h1', /^Amt A$/);
        await p.page.check('#consent');
        await p.page.click('#knock');
        await waitText(p.page, '#position', /^1$/);
        const again = await anna.next('queue_add');
        assert.notEqual(again.ticket.id, add.ticket.id);
        await assertClean(p, assert);
    });

    test('a transfer shows the new office, the clerk\'s note and the new position', async () => {
        const { daemon, origin } = await fresh();
        const dora = await clerk(daemon, 'dora');
        await scope.citizen(daemon.port, 'amt-b');
        const p = await page(origin);
        await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin' });
        const add = await dora.next('queue_add', (m) => m.office === 'amt-a');
        await markDocument(p.page);
        const r = expectType(await dora.request({ type: 'transfer', ticket: add.ticket.id,
            office: 'amt-b', note: 'Dort hilft man Ihnen weiter.' }), 'transferred');
        await waitText(p.page, 'h1', /^Warteraum: Amt B$/);
        assert.match(await p.page.textContent('.transferred'),
            /Sie wurden an „Amt B“ weitergeleitet\.\s*Hinweis der Sachbearbeitung: Dort hilft man Ihnen weiter\./);
        await waitText(p.page, '#position', /^2$/);
        assert.equal(await p.page.textContent('#position-text'), 'Sie sind an Position 2 der Warteschlange.');
        await waitTitle(p.page, /^\(2\) Warteraum – Amt B/);
        await waitText(p.page, '#announce', /Sie wurden an „Amt B“ weitergeleitet/);
        assert.equal(await sameDocument(p.page), true);
        // a reload shows the same: the token now belongs to the new ticket
        await p.page.reload();
        await waitText(p.page, 'h1', /^Warteraum: Amt B$/);
        assert.match(await p.page.textContent('.transferred'), /Dort hilft man Ihnen weiter/);
        assert.ok(r.ticket > add.ticket.id);
        await assertClean(p, assert);
    });

    test('away longer than the grace time: the place has lapsed; an unknown token says so too',
        async () => {
            const { daemon, origin } = await fresh();
            const anna = await clerk(daemon, 'anna');
            const p = await page(origin);
            await knockViaForm(p.page, origin, 'amt-a', {});
            await anna.next('queue_add');
            await p.page.goto('about:blank');
            const removed = await anna.next('queue_remove', () => true, 8000);
            assert.equal(removed.state, 'expired');
            await p.page.goto(`${origin}/#/warteraum`);
            await waitText(p.page, 'h1', /^Ihr Platz ist verfallen$/);
            assert.match(await p.page.textContent('main'), /Bitte klopfen Sie erneut an/);

            // the token is in place before the page's scripts run (set
            // after loading, the page may already have read the storage)
            const q = await page(origin);
            await q.page.addInitScript(() => {
                if (location.pathname === '/') sessionStorage.setItem('klopf.ticket', '0'.repeat(32));
            });
            await q.page.goto(`${origin}/#/warteraum`);
            await waitText(q.page, 'h1', /^Ihr Platz ist nicht mehr vorhanden$/);
            assert.equal(await q.page.evaluate(() => sessionStorage.getItem('klopf.ticket')), null);
            await assertClean(p, assert);
            await assertClean(q, assert);
        });

    test('the camera and microphone check shows a local preview only', async () => {
        const { daemon, origin } = await fresh();
        await clerk(daemon, 'anna');
        const p = await page(origin);
        await knockViaForm(p.page, origin, 'amt-a', {});
        assert.equal(await p.page.locator('video').isVisible(), false);
        await p.page.click('#check-toggle');
        await p.page.waitForFunction(() => document.querySelector('video').videoWidth > 0);
        await waitText(p.page, '#cam-state', /Das Bild kommt an/);
        await waitText(p.page, '#mic-state', /Wir hören Sie/, 8000);
        assert.equal(await p.page.locator('video').isVisible(), true);
        assert.equal(await p.page.evaluate(() => document.querySelector('video').muted), true);
        assert.equal(await p.page.textContent('#check-toggle'), 'Prüfung beenden');
        assert.equal(await p.page.evaluate(() => window.__klopfTest.peerConnections), 0);
        assert.equal(p.sockets.length, 1, 'no other connection was opened');
        await screenshot(p.page, 'waiting-check-desktop');
        await p.page.click('#check-toggle');
        assert.equal(await p.page.evaluate(() => document.querySelector('video').srcObject), null);
        assert.equal(await p.page.locator('video').isVisible(), false);
        await assertClean(p, assert);
    });

    test('keyboard only: from the directory to the waiting room and out of the queue', async () => {
        const { daemon, origin } = await fresh();
        const anna = await clerk(daemon, 'anna');
        const p = await page(origin);
        await p.page.goto(`${origin}/`);
        await waitText(p.page, 'li.office[data-office="amt-a"] .badge', /^Geöffnet$/);
        const kb = p.page.keyboard;

        await tabTo(assert, p.page, '#skip');
        await tabTo(assert, p.page, 'li.office[data-office="amt-a"] a.button');
        await kb.press('Enter');
        await waitText(p.page, 'h1', /^Amt A$/);
        assert.equal(await p.page.evaluate(() => document.activeElement.tagName), 'H1',
            'focus moved to the new page\'s heading');
        await tabTo(assert, p.page, '#name');
        await kb.type('Aylin');
        await tabTo(assert, p.page, '#topic');
        await kb.type('Antrag');
        await tabTo(assert, p.page, '#consent');
        await kb.press('Space');
        assert.equal(await p.page.isChecked('#consent'), true);
        await tabTo(assert, p.page, '#knock');
        await kb.press('Enter');
        await waitText(p.page, '#position', /^1$/);
        const add = await anna.next('queue_add');
        assert.equal(add.ticket.name, 'Aylin');

        await tabTo(assert, p.page, '#leave');
        await kb.press('Enter');
        await p.page.locator('dialog.leave[open]').waitFor();
        assert.equal(await p.page.evaluate(() => document.activeElement.textContent),
            'Nein, weiter warten', 'the safe choice has focus');
        await kb.press('Escape');
        assert.equal(await p.page.locator('dialog.leave[open]').count(), 0);
        await kb.press('Enter'); // focus is back on "leave"
        await p.page.locator('dialog.leave[open]').waitFor();
        await kb.press('Tab');
        await kb.press('Space');
        await waitText(p.page, 'h1', /^Sie haben die Warteschlange verlassen$/);
        assert.equal((await anna.next('queue_remove')).state, 'withdrawn');
        await assertClean(p, assert);
    });

    test('English: the knock form, the waiting room and the admission', async () => {
        const { daemon, origin } = await fresh();
        const anna = await clerk(daemon, 'anna');
        const p = await page(origin);
        await p.page.goto(`${origin}/?lang=en#/amt/amt-a`);
        await waitText(p.page, 'h1', /^Office A$/);
        assert.equal(await p.page.textContent('label[for="name"]'), 'Your name (optional)');
        assert.equal(await p.page.textContent('#knock'), 'Knock');
        await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin', lang: 'en' });
        const add = await anna.next('queue_add');
        assert.equal(add.ticket.lang, 'en');
        await waitText(p.page, 'h1', /^Waiting room: Office A$/);
        assert.equal(await p.page.textContent('#position-text'), 'You are next.');
        assert.equal(await p.page.textContent('#wait-text'), 'Estimated wait: very soon.');
        assert.equal(await p.page.title(), '(1) Waiting room – Office A – Virtual Citizens\' Office');
        expectType(await anna.request({ type: 'admit', ticket: add.ticket.id }), 'room');
        await waitTitle(p.page, /^It's your turn! – Office A/);
        await waitText(p.page, '#alert', /It's your turn! Staff have let you in\./);
        await assertClean(p, assert);
    });

    for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        test(`waiting room and outcomes at ${label} size: no sideways scrolling, no serious accessibility violation`,
            async () => {
                const { daemon, origin } = await fresh();
                const dora = await clerk(daemon, 'dora');
                const p = await page(origin, { viewport });
                const check = async (name) => {
                    const o = await horizontalOverflow(p.page);
                    assert.equal(o.overflow, false, `${name}: scrollWidth ${o.scrollWidth} > ${o.clientWidth}`);
                    assert.deepEqual(await axeViolations(p.page), [], name);
                    await screenshot(p.page, `${name}-${label}`);
                };
                await knockViaForm(p.page, origin, 'amt-a', { name: 'Aylin' });
                const add = await dora.next('queue_add');
                await check('waiting');
                await p.page.click('#leave');
                await p.page.locator('dialog.leave[open]').waitFor();
                await check('leave-dialog');
                await p.page.click('dialog.leave button.secondary');
                expectType(await dora.request({ type: 'transfer', ticket: add.ticket.id,
                    office: 'amt-b', note: 'Bitte dort weiter.' }), 'transferred');
                await waitText(p.page, 'h1', /Amt B/);
                await check('transferred');
                const moved = await dora.next('queue_add', (m) => m.office === 'amt-b');
                expectType(await dora.request({ type: 'admit', ticket: moved.ticket.id }), 'room');
                await waitText(p.page, 'h1', /^Sie sind dran!$/);
                await check('admitted');
                await assertClean(p, assert);

                const q = await page(origin, { viewport });
                await knockViaForm(q.page, origin, 'amt-a', {});
                const add2 = await dora.next('queue_add', (m) => m.office === 'amt-a');
                expectType(await dora.request({ type: 'decline', ticket: add2.ticket.id,
                    message: 'Heute können wir leider niemanden mehr annehmen.' }), 'ok');
                await waitText(q.page, 'h1', /nicht angenommen/);
                const o = await horizontalOverflow(q.page);
                assert.equal(o.overflow, false);
                assert.deepEqual(await axeViolations(q.page), []);
                await screenshot(q.page, `declined-${label}`);
                await assertClean(q, assert);
            });
    }
});
