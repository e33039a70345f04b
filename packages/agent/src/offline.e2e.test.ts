// Offline staff codes and the offline bundle, against the real server on a real port (real SQLite),
// with the network cut by a TCP proxy: the kiosk checks the proctor's codes with nothing but what it
// holds, and the attempt reaches the server on a "USB stick" (a file) staff upload in the console.
import { encodeChallenge } from '@invigil/contract';
import { call, candidateLogin, provision, setCandidatePolicy, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from './agent-error.ts';
import { createAgent, type Agent } from './agent.ts';
import { FileSecretStore } from './file-secret-store.ts';
import { deviceTag } from './offline-crypto.ts';
import { fakePlatform } from './testing/fake-platform.ts';
import { tempDirs, waitUntil } from './testing/e2e.ts';
import { startTcpProxy, type TcpProxy } from './testing/tcp-proxy.ts';

let server: SpawnedServer;
let serverPublicKey: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
  serverPublicKey = (await call(`${server.api}/offline/keys`, 'GET')).body.signingPublicKey;
  // The test reads answers back with a second candidate login while the kiosk's runs.
  const admin = await call(`${server.api}/auth/staff/login`, 'POST', { username: 'admin', password: server.adminPassword });
  expect((await setCandidatePolicy(server, admin.body.token, 5, false)).status).toBe(200);
});
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
afterAll(async () => {
  await server?.kill();
});

/** The agent's clock: real time plus what a test adds (expiry is checked on the kiosk's clock). */
let skewMs = 0;
const now = () => Date.now() + skewMs;

async function kiosk(proxy: TcpProxy, dirs: { dataDir: string; keyPath: string }, o: { publicKey?: string | null } = {}): Promise<Agent> {
  const agent = await createAgent({
    serverUrl: proxy.url,
    dataDir: dirs.dataDir,
    secretStore: new FileSecretStore(dirs.keyPath),
    platform: fakePlatform(),
    checks: false,
    now,
    ...(o.publicKey === null ? {} : { serverPublicKey: o.publicKey ?? serverPublicKey }),
  });
  cleanups.push(() => agent.close());
  return agent;
}

/** A candidate in an exam on a kiosk behind its own proxy; the kiosk has fetched its offline key. */
async function seated(prefix: string, questions?: unknown[]) {
  const proxy = await startTcpProxy(server.url);
  cleanups.push(() => proxy.close());
  const prov = await provision(server, 1, { prefix, ...(questions ? { questions } : {}) });
  const c = prov.candidates[0]!;
  const dirs = await tempDirs();
  const agent = await kiosk(proxy, dirs);
  await agent.login({ examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode });
  const attemptId = (await agent.startExam()).attemptId!;
  await agent.waitFor((s) => s.offline?.bundleAvailable === true, 5_000);
  return { proxy, prov, c, dirs, agent, attemptId };
}

/** What the proctor gets in the console for a challenge read off the kiosk. */
function answer(adminToken: string, attemptId: string, challenge: string) {
  return call(`${server.api}/proctor/sessions/${attemptId}/offline-code`, 'POST', { challenge, reason: 'network down in room 2' }, adminToken);
}

async function refused(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(e)}`);
  return e.code;
}

describe('offline staff codes', () => {
  it('quit, unlock and continue: the proctor’s code works offline, once, on this device, for this action, for 10 minutes', async () => {
    skewMs = 0;
    const { proxy, prov, dirs, agent, attemptId } = await seated('offcode');
    // Staff lock the session while the kiosk is online; then the network goes.
    const lock = await call(`${server.api}/proctor/sessions/${attemptId}/actions`, 'POST', { action: 'lock', reason: 'suspected notes' }, prov.adminToken);
    expect(lock.status).toBe(200);
    await agent.waitFor((s) => s.session.isLocked, 5_000);
    proxy.cut();
    await agent.waitFor((s) => s.connection === 'offline', 5_000);

    // Unlock: valid.
    const ch = await agent.offlineChallenge('unlock');
    expect(ch.challenge).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const r = await answer(prov.adminToken, attemptId, ch.challenge.toLowerCase().replace(/-/g, ' '));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ action: 'unlock', attemptId, unlockedOnServer: true });
    expect(r.body.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const unlocked = await agent.offlineCode('unlock', r.body.code);
    expect(unlocked.session.isLocked).toBe(false);
    expect(unlocked.offline).toMatchObject({ unlockedOffline: true });
    // Replayed: the same code again (no challenge open), and against a new challenge.
    expect(await refused(agent.offlineCode('unlock', r.body.code))).toBe('INVALID_CHALLENGE');
    await agent.offlineChallenge('unlock');
    expect(await refused(agent.offlineCode('unlock', r.body.code))).toBe('INVALID_CREDENTIALS');

    // Bound to the action: a quit code does not unlock (and the open unlock challenge is another one).
    const q = await agent.offlineChallenge('quit');
    const qr = await answer(prov.adminToken, attemptId, q.challenge);
    expect(qr.body.action).toBe('quit');
    expect(await refused(agent.offlineCode('unlock', qr.body.code))).toBe('INVALID_CREDENTIALS');
    // Quit: valid (the shell then opens its quit gate), then spent.
    await agent.checkOfflineCode('quit', qr.body.code);
    expect(await refused(agent.checkOfflineCode('quit', qr.body.code))).toBe('INVALID_CHALLENGE');

    // Expired: 11 minutes on the kiosk's clock between challenge and code.
    const late = await agent.offlineChallenge('quit');
    const lr = await answer(prov.adminToken, attemptId, late.challenge);
    expect(lr.status).toBe(200);
    skewMs = 11 * 60_000;
    expect(await refused(agent.checkOfflineCode('quit', lr.body.code))).toBe('INVALID_CHALLENGE');
    skewMs = 0;
    // The server refuses to answer a challenge whose time is far from its own clock.
    const old = encodeChallenge({ action: 'quit', deviceTag: deviceTag(agent.devicePublicKey), minute: (Math.floor(Date.now() / 60_000) - 40) % 1024, nonce: 'ABCDEFGHJ' });
    const or = await answer(prov.adminToken, attemptId, old);
    expect(or.status).toBe(400);
    expect(or.body.error.code).toBe('INVALID_CHALLENGE');
    // A mistyped challenge is caught by its check character.
    const typo = ch.challenge.replace(/^./, (x) => (x === '0' ? '1' : '0'));
    expect((await answer(prov.adminToken, attemptId, typo)).body.error).toMatchObject({ code: 'INVALID_CHALLENGE' });
    // Five wrong codes void the challenge.
    await agent.offlineChallenge('quit');
    for (let i = 0; i < 4; i++) expect(await refused(agent.checkOfflineCode('quit', 'ABCDE-FGHJK'))).toBe('INVALID_CREDENTIALS');
    expect(await refused(agent.checkOfflineCode('quit', 'ABCDE-FGHJK'))).toBe('INVALID_CREDENTIALS');
    expect(await refused(agent.checkOfflineCode('quit', 'ABCDE-FGHJK'))).toBe('INVALID_CHALLENGE');

    // Continue after a restart while the server is unreachable: answers wait for the code.
    await agent.saveAnswer('q3', 'typed before the restart');
    await agent.close();
    const again = await kiosk(proxy, dirs);
    expect(again.state()).toMatchObject({ phase: 'recovering', attemptId, offline: { continueNeeded: true } });
    expect(await refused(again.saveAnswer('q3', 'typed after the restart'))).toBe('FORBIDDEN');
    const cont = await again.offlineChallenge('continue');
    const cr = await answer(prov.adminToken, attemptId, cont.challenge);
    // The long code (the server's full signature) works too: for a kiosk without its offline key.
    expect(cr.body.longCode.replace(/-/g, '')).toHaveLength(103);
    const st = await again.offlineCode('continue', cr.body.longCode);
    expect(st.offline).toMatchObject({ continueNeeded: false });
    await again.saveAnswer('q3', 'typed after the restart');
    // Used nonces are remembered across a restart: the continue code is spent for good.
    await again.close();
    const third = await kiosk(proxy, dirs);
    expect(await refused(third.offlineCode('continue', cr.body.longCode))).toBe('INVALID_CHALLENGE');
    await third.offlineChallenge('continue');
    expect(await refused(third.offlineCode('continue', cr.body.longCode))).toBe('INVALID_CREDENTIALS');

    // The unlock code lifted the server's lock too (a staff unlock in the audit trail): when the network
    // returns the server takes the attempt back unlocked; every answer typed is there.
    const seen = await call(`${server.api}/proctor/sessions?includeFinished=true`, 'GET', undefined, prov.adminToken);
    expect(seen.body.sessions.find((x: any) => x.attemptId === attemptId)).toMatchObject({ isLocked: false });
    proxy.restore();
    await third.waitFor((s) => s.phase === 'in-exam' && s.offline?.continueNeeded === false, 10_000);
    await third.whenSynced(10_000);
    const token = await candidateLogin(server, prov.examId, prov.candidates[0]!);
    const onServer = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
    expect(onServer.body.answers.find((a: any) => a.questionId === 'q3').value).toBe('typed after the restart');

    // Every code issued is in the attempt's audit trail (the review timeline once sealed).
    const audit = await call(`${server.api}/review/sessions/${attemptId}`, 'GET', undefined, prov.adminToken);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('offline_code.issued');
  });

  it('wrong device: the console refuses another kiosk’s challenge for this seat, and a code for one kiosk fails on another', async () => {
    skewMs = 0;
    const a = await seated('offdevA');
    const b = await seated('offdevB');
    a.proxy.cut();
    b.proxy.cut();
    await a.agent.waitFor((s) => s.connection === 'offline', 5_000);
    const chB = await b.agent.offlineChallenge('quit');
    // B's challenge typed against A's seat.
    const wrongSeat = await answer(a.prov.adminToken, a.attemptId, chB.challenge);
    if (wrongSeat.status === 200) {
      // Only when the two 10-bit device tags collide (1 in 1024): B still refuses a code made for A.
      expect(await refused(b.agent.checkOfflineCode('quit', wrongSeat.body.code))).toBe('INVALID_CREDENTIALS');
    } else {
      expect(wrongSeat.status).toBe(400);
      expect(wrongSeat.body.error.code).toBe('INVALID_CHALLENGE');
      expect(wrongSeat.body.error.message).toContain('another kiosk');
    }
    // A's code (for A's own challenge) typed on B: B has its own open challenge and its own key.
    const chA = await a.agent.offlineChallenge('quit');
    const codeA = (await answer(a.prov.adminToken, a.attemptId, chA.challenge)).body;
    expect(await refused(b.agent.checkOfflineCode('quit', codeA.code))).toBe('INVALID_CREDENTIALS');
    expect(await refused(b.agent.checkOfflineCode('quit', codeA.longCode))).toBe('INVALID_CREDENTIALS');
    await a.agent.checkOfflineCode('quit', codeA.code);
  });

  it('a kiosk not provisioned with the server key has no offline codes', async () => {
    const proxy = await startTcpProxy(server.url);
    cleanups.push(() => proxy.close());
    const agent = await kiosk(proxy, await tempDirs(), { publicKey: null });
    expect(agent.state().offline).toMatchObject({ codesAvailable: false, bundleAvailable: false });
    expect(await refused(agent.offlineChallenge('quit'))).toBe('NOT_CONFIGURED');
  });
});

describe('offline bundle', () => {
  it('export while offline, upload, merge: nothing lost, nothing duplicated; a tampered bundle is refused and changes nothing', async () => {
    skewMs = 0;
    const { proxy, prov, c, agent, attemptId } = await seated('offbundle');
    await agent.saveAnswer('q1', 'b');
    await agent.saveAnswer('q3', 'online essay');
    await agent.whenSynced(5_000);
    proxy.cut();
    await agent.waitFor((s) => s.connection === 'offline', 5_000);
    // Typed while the network is down (and it never comes back).
    await agent.saveAnswer('q1', 'a');
    await agent.saveAnswer('q2', ['two', 'three']);
    await agent.saveAnswer('q3', 'offline essay, longer');
    const offlineSeqs = agent.answers().map((a) => ({ questionId: a.questionId, clientSeq: a.clientSeq }));

    const usb = await mkdtemp(join(tmpdir(), 'invigil-usb-'));
    const path = join(usb, 'C1-offline.invigil');
    const out = await agent.exportOfflineBundle(path, { submit: true });
    expect(out).toMatchObject({ path, answers: 3 });
    const text = await readFile(path, 'utf8');
    // Encrypted: no answer, candidate or attempt id in the clear.
    for (const secret of ['offline essay', c.candidateId, attemptId]) expect(text).not.toContain(secret);
    // Handed in: the kiosk takes no more answers for this attempt.
    expect(await refused(agent.saveAnswer('q1', 'b'))).toBe('SESSION_FINISHED');

    const upload = (bundle: string) => call(`${server.api}/proctor/offline-bundles`, 'POST', { bundle }, prov.adminToken);
    const token = await candidateLogin(server, prov.examId, c);
    const serverAnswers = async () => (await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token)).body.answers;
    const before = await serverAnswers();
    expect(before.map((a: any) => [a.questionId, a.value])).toEqual([['q1', 'b'], ['q3', 'online essay']]);

    // Tampered: one character of the ciphertext changed.
    const file = JSON.parse(text);
    const flipped = { ...file, box: { ...file.box, ct: file.box.ct.replace(/^./, (x: string) => (x === 'A' ? 'B' : 'A')) } };
    const bad = await upload(JSON.stringify(flipped));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_BUNDLE');
    expect(bad.body.error.message).toContain('nothing was changed');
    // Not a bundle at all / truncated.
    expect((await upload(text.slice(0, 200))).body.error.code).toBe('INVALID_BUNDLE');
    expect(await serverAnswers()).toEqual(before);
    const stillActive = await call(`${server.api}/proctor/sessions?includeFinished=true`, 'GET', undefined, prov.adminToken);
    expect(stillActive.body.sessions.find((s: any) => s.attemptId === attemptId).status).not.toBe('completed');

    // The real one: merged by clientSeq and the attempt completed.
    const ok = await upload(text);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ attemptId, answers: 3, applied: 3, unchanged: 0, duplicate: false, submittedNow: true, status: 'completed' });
    const after = await serverAnswers();
    expect(after.map((a: any) => [a.questionId, a.value])).toEqual([['q1', 'a'], ['q2', ['two', 'three']], ['q3', 'offline essay, longer']]);
    for (const a of after) expect(a.clientSeq).toBe(offlineSeqs.find((x) => x.questionId === a.questionId)!.clientSeq);

    // Uploaded again (a second proctor, the same stick): acknowledged, nothing duplicated or changed.
    const again = await upload(text);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ applied: 0, unchanged: 3, duplicate: true, submittedNow: false, status: 'completed' });
    expect(await serverAnswers()).toEqual(after);

    // The archive records it.
    const archive = await waitUntil('archive sealed', async () => {
      const r = await call(`${server.api}/review/sessions/${attemptId}/archive`, 'GET', undefined, prov.adminToken);
      return r.status === 200 && r.body;
    });
    const merged = archive.events.find((e: any) => e.type === 'session.offline_bundle_merged');
    expect(merged?.data).toMatchObject({ actorType: 'staff', detail: { applied: 3, unchanged: 0, submitted: true, duplicate: false } });

    // A bundle the kiosk wrote is refused by a server whose key it was not made for (another file edited by hand).
    await writeFile(join(usb, 'edited.invigil'), JSON.stringify({ ...file, keyId: 'someone-else' }));
    const foreign = await upload(await readFile(join(usb, 'edited.invigil'), 'utf8'));
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('INVALID_BUNDLE');
  });

  it('a bundle not marked submitted merges over lower clientSeqs only and leaves the attempt open; newer answers for a finished attempt are refused', async () => {
    skewMs = 0;
    const { proxy, prov, c, agent, attemptId } = await seated('offbundle2');
    await agent.saveAnswer('q1', 'a');
    await agent.whenSynced(5_000);
    proxy.cut();
    await agent.waitFor((s) => s.connection === 'offline', 5_000);
    await agent.saveAnswer('q3', 'draft');
    const usb = await mkdtemp(join(tmpdir(), 'invigil-usb-'));
    await agent.exportOfflineBundle(join(usb, 'b1.invigil'), { submit: false });
    await agent.saveAnswer('q3', 'final');
    await agent.exportOfflineBundle(join(usb, 'b2.invigil'), { submit: false });
    const upload = async (name: string) => call(`${server.api}/proctor/offline-bundles`, 'POST', { bundle: await readFile(join(usb, name), 'utf8') }, prov.adminToken);
    // The newer one first, then the older: the older changes nothing.
    expect((await upload('b2.invigil')).body).toMatchObject({ applied: 1, unchanged: 1, submittedNow: false });
    expect((await upload('b1.invigil')).body).toMatchObject({ applied: 0, unchanged: 2, duplicate: false });
    const token = await candidateLogin(server, prov.examId, c);
    const answers = (await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token)).body.answers;
    expect(answers.map((a: any) => [a.questionId, a.value])).toEqual([['q1', 'a'], ['q3', 'final']]);
    // Staff end the attempt; a later bundle with something newer is refused, nothing changed.
    await agent.saveAnswer('q2', ['four']);
    await agent.exportOfflineBundle(join(usb, 'b3.invigil'), { submit: false });
    expect((await call(`${server.api}/proctor/sessions/${attemptId}/actions`, 'POST', { action: 'force_submit', reason: 'time is up in the room' }, prov.adminToken)).status).toBe(200);
    const late = await upload('b3.invigil');
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ATTEMPT_FINISHED');
    expect((await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token)).body.answers).toEqual(answers);
  });

  it('a whole attempt of long essays (over the 256 KiB body limit of other routes) goes through', async () => {
    skewMs = 0;
    const questions = Array.from({ length: 4 }, (_, i) => ({ id: `essay${i + 1}`, type: 'text', prompt: `Essay ${i + 1}` }));
    const { proxy, prov, c, agent, attemptId } = await seated('offbig', questions);
    proxy.cut();
    await agent.waitFor((s) => s.connection === 'offline', 5_000);
    const essay = (i: number) => `Essay ${i}: ${'λόγος "quoted" and \\ escaped, '.repeat(2_800)}`.slice(0, 100_000);
    for (let i = 1; i <= 4; i++) await agent.saveAnswer(`essay${i}`, essay(i));
    const usb = await mkdtemp(join(tmpdir(), 'invigil-usb-'));
    const out = await agent.exportOfflineBundle(join(usb, 'big.invigil'), { submit: true });
    expect(out.bytes).toBeGreaterThan(256 * 1024);
    const r = await call(`${server.api}/proctor/offline-bundles`, 'POST', { bundle: await readFile(join(usb, 'big.invigil'), 'utf8') }, prov.adminToken);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    expect(r.body).toMatchObject({ applied: 4, submittedNow: true });
    const token = await candidateLogin(server, prov.examId, c);
    const answers = (await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token)).body.answers;
    for (let i = 1; i <= 4; i++) expect(answers.find((a: any) => a.questionId === `essay${i}`).value).toBe(essay(i));
  });
});
