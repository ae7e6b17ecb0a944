// Privacy as the citizen is promised it: the log never holds a citizen's
// name, topic, the clerk's messages, tokens or passwords; the database
// holds only hashes of tokens; an anonymous office keeps no ticket row
// after the consultation; personal data goes after the retention period.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import {
    ALWAYS_OPEN, CLERKS, PROTO_CONF_DIR, Scope, connect, stateTemplate,
} from './lib/harness.mjs';

const pw = (name) => CLERKS[name].password;

function sql(stateDir, query) {
    const r = spawnSync('sqlite3', ['-readonly', path.join(stateDir, 'klopf.db'), query],
        { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3 failed: ${r.stderr}`);
    return r.stdout.trim();
}

// Every byte klopfd keeps on disk: the database and its WAL.
function stateBytes(stateDir) {
    return fs.readdirSync(stateDir)
        .filter((f) => f.startsWith('klopf.db'))
        .map((f) => fs.readFileSync(path.join(stateDir, f)).toString('latin1'))
        .join('');
}

describe('what klopfd writes down', () => {
    const scope = new Scope();
    after(async () => { await scope.cleanup(); });

    test('the log holds no name, topic, message, note, token or password, even at debug level', async () => {
        const stateDir = scope.copy(await stateTemplate(ALWAYS_OPEN, CLERKS));
        const d = await scope.start({ conf: ALWAYS_OPEN, stateDir, extraArgs: ['-d'] });
        const secrets = {
            name: 'Zyxwani Unverwechselbar',
            topic: 'Geheimthema Sorgerecht',
            declineMsg: 'Ablehnung wegen Zuständigkeit XQ',
            note: 'Vermerk zur Weiterleitung QJ',
            wrongPassword: 'Falsches-Passwort-QQ7',
        };
        const anna = await scope.clerk(d.port, 'anna', pw('anna'));
        const c1 = await scope.citizen(d.port, 'amt-a', { name: secrets.name, topic: secrets.topic });
        const c2 = await scope.citizen(d.port, 'amt-a', { name: secrets.name, topic: secrets.topic });
        assert.equal((await anna.request({ type: 'decline', ticket: c1.ticket.id,
            message: secrets.declineMsg })).type, 'ok');
        assert.equal((await anna.request({ type: 'transfer', ticket: c2.ticket.id,
            office: 'amt-b', note: secrets.note })).type, 'transferred');
        const again = scope.track(await connect(d.port));
        assert.equal((await again.request({ type: 'resume', token: c2.token })).type, 'ticket');
        const wrong = scope.track(await connect(d.port));
        assert.equal((await wrong.request({ type: 'login', user: 'anna',
            password: secrets.wrongPassword })).code, 'bad_credentials');
        const sess = scope.track(await connect(d.port));
        assert.equal((await sess.request({ type: 'session',
            session: anna.clerk.session })).type, 'welcome_clerk');
        await d.stop();

        const log = d.stderrText();
        assert.match(log, /listening on/, 'the log was captured');
        for (const [what, s] of Object.entries({
            ...secrets, password: pw('anna'), token1: c1.token, token2: c2.token,
            session: anna.clerk.session,
        })) {
            assert.ok(!log.includes(s), `the log contains the ${what}`);
        }
    });

    test('the database keeps only hashes of ticket and session tokens', async () => {
        const stateDir = scope.copy(await stateTemplate(ALWAYS_OPEN, CLERKS));
        const d = await scope.start({ conf: ALWAYS_OPEN, stateDir });
        const anna = await scope.clerk(d.port, 'anna', pw('anna'));
        const c1 = await scope.citizen(d.port, 'amt-a');
        await d.stop();
        const bytes = stateBytes(stateDir);
        assert.ok(bytes.length > 0);
        assert.ok(!bytes.includes(c1.token), 'ticket token stored in clear');
        assert.ok(!bytes.includes(anna.clerk.session), 'session token stored in clear');
        assert.ok(!bytes.includes(pw('anna')), 'password stored in clear');
        assert.equal(sql(stateDir, `SELECT count(*) FROM tickets WHERE id = ${c1.ticket.id}
            AND length(token_hash) = 32`), '1');
    });

    test('an anonymous office keeps no ticket row once a consultation ends, nor after a decline or withdrawal', async () => {
        const stateDir = scope.copy(await stateTemplate(ALWAYS_OPEN, CLERKS));
        const d = await scope.start({ conf: ALWAYS_OPEN, stateDir });
        const carla = await scope.clerk(d.port, 'carla', pw('carla'));
        const topic = 'Sehr persönliche Frage ZK';
        const a = await scope.citizen(d.port, 'beratung', { name: undefined, topic });
        const b = await scope.citizen(d.port, 'beratung', { name: undefined, topic });
        const c = await scope.citizen(d.port, 'beratung', { name: undefined, topic });
        // while waiting the ticket must survive a restart, so it has a row
        assert.equal(sql(stateDir, "SELECT count(*) FROM tickets WHERE office = 'beratung'"), '3');
        const room = await carla.request({ type: 'admit', ticket: a.ticket.id });
        assert.equal(room.type, 'room');
        assert.equal((await carla.request({ type: 'end', room: room.room.id })).type, 'ok');
        assert.equal((await carla.request({ type: 'decline', ticket: b.ticket.id,
            message: 'Bitte später' })).type, 'ok');
        assert.equal((await c.request({ type: 'withdraw' })).type, 'ticket');
        await d.stop();

        assert.equal(sql(stateDir, "SELECT count(*) FROM tickets WHERE office = 'beratung'"), '0');
        assert.equal(sql(stateDir, "SELECT count(*) FROM rooms WHERE office = 'beratung' "
            + 'AND ticket_id IS NOT NULL'), '0');
        assert.equal(sql(stateDir, "SELECT count(*) FROM rooms WHERE office = 'beratung'"), '1');
        assert.equal(sql(stateDir, "SELECT count(*) FROM audit WHERE office = 'beratung' "
            + 'AND (ticket_id IS NOT NULL OR room_id IS NOT NULL)'), '0');
        assert.ok(Number(sql(stateDir, "SELECT count(*) FROM audit WHERE office = 'beratung'")) >= 3,
            'the audit trail still records that consultations happened');
        // not in any row, and not left behind in free pages either
        // (secure_delete; the clean stop checkpointed the WAL)
        assert.equal(sql(stateDir, `SELECT count(*) FROM tickets WHERE topic = '${topic}'`), '0');
        assert.ok(!stateBytes(stateDir).includes(Buffer.from(topic).toString('latin1')),
            'the topic is still somewhere in the database file');
    });

    test('a finished ticket at a normal office loses name, topic and message after retention_days', async () => {
        // retention0.conf: retention_days = 0, so the purge at the first
        // tick after a start clears every finished ticket
        const conf = path.join(PROTO_CONF_DIR, 'retention0.conf');
        const stateDir = scope.copy(await stateTemplate(conf, { anna: CLERKS.anna }));
        const d = await scope.start({ conf, stateDir });
        const anna = await scope.clerk(d.port, 'anna', pw('anna'));
        const done = await scope.citizen(d.port, 'amt-a', { name: 'Erika Muster', topic: 'Wohngeld' });
        const waiting = await scope.citizen(d.port, 'amt-a', { name: 'Max Muster', topic: 'Antrag' });
        assert.equal((await anna.request({ type: 'decline', ticket: done.ticket.id,
            message: 'Bitte Termin buchen' })).type, 'ok');
        // the purge ran at the first tick, before the decline: the row
        // still has its data until the next purge
        assert.equal(sql(stateDir, `SELECT name FROM tickets WHERE id = ${done.ticket.id}`),
            'Erika Muster');
        // "ended before now" needs the clock to move on by a second
        await new Promise((r) => setTimeout(r, 1100));
        await d.stop();
        const d2 = await scope.start({ conf, stateDir });
        // the purge runs at the first tick of the new daemon; a loaded
        // machine (ASan build, two cores) may take a while to get there
        const row = () => sql(stateDir, `SELECT coalesce(name,'-') || '|' || coalesce(topic,'-') `
            + `|| '|' || coalesce(message,'-') FROM tickets WHERE id = ${done.ticket.id}`);
        const deadline = Date.now() + 15000;
        while (row() !== '-|-|-' && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 100));
        assert.equal(row(), '-|-|-');
        assert.equal(sql(stateDir, `SELECT state FROM tickets WHERE id = ${done.ticket.id}`),
            'declined', 'the row itself stays for the statistics');
        assert.equal(sql(stateDir, `SELECT name FROM tickets WHERE id = ${waiting.ticket.id}`),
            'Max Muster', 'a waiting ticket keeps its data');
        await d2.stop();
    });
});
