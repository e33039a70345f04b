// The OS units in deploy/kiosk restart the kiosk after any ending but a legitimate quit
// (QUIT_EXIT_CODE). Here: the units name that status, and the supervisor script (what the macOS
// launch agent runs) restarts a real agent process that is SIGKILLed mid-exam; the restarted agent
// recovers the attempt from its data folder against the real server and nothing typed is lost.
import { call, candidateLogin, provision, spawnServer, type SpawnedServer } from '@invigil/server/testing';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIT_EXIT_CODE } from '../src/main/policy/exit-codes.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEPLOY = join(ROOT, 'deploy/kiosk');
const AGENT_PKG = join(ROOT, 'packages/agent');
const RUNNER = join(AGENT_PKG, 'src/testing/agent-runner.ts');

describe('OS units: restart unless the quit gate opened', () => {
  it('each unit names the quit status and nothing else stops the restarts', async () => {
    expect(QUIT_EXIT_CODE).toBe(10);
    const unit = await readFile(join(DEPLOY, 'linux/invigil-kiosk.service'), 'utf8');
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(new RegExp(`^RestartPreventExitStatus=${QUIT_EXIT_CODE}$`, 'm'));
    expect(unit).toMatch(/^StartLimitIntervalSec=0$/m);
    const sh = await readFile(join(DEPLOY, 'invigil-kiosk-supervise.sh'), 'utf8');
    expect(sh).toMatch(new RegExp(`^QUIT_EXIT_CODE=${QUIT_EXIT_CODE}$`, 'm'));
    const ps1 = await readFile(join(DEPLOY, 'windows/invigil-kiosk-supervise.ps1'), 'utf8');
    expect(ps1).toMatch(new RegExp(`^\\$QuitExitCode = ${QUIT_EXIT_CODE}$`, 'm'));
    const xml = await readFile(join(DEPLOY, 'windows/invigil-kiosk-task.xml'), 'utf8');
    expect(xml).toContain('invigil-kiosk-supervise.ps1');
    expect(xml).toContain('<LogonTrigger>');
    const plist = await readFile(join(DEPLOY, 'macos/org.invigil.kiosk.plist'), 'utf8');
    expect(plist).toContain('invigil-kiosk-supervise.sh');
    expect(plist).toMatch(/<key>SuccessfulExit<\/key>\s*<false\/>/);
  });

  it('a supervisor whose kiosk exits 0 (not a legitimate quit) starts it again; 10 ends it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'invigil-supervise-'));
    const counter = join(dir, 'runs');
    // A fake kiosk: the first run exits 0, the second is killed, the third quits legitimately.
    const fake = `n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${counter}"; echo run $n; [ $n -eq 1 ] && exit 0; [ $n -eq 2 ] && kill -KILL $$; exit ${QUIT_EXIT_CODE}`;
    const p = spawn('sh', [join(DEPLOY, 'invigil-kiosk-supervise.sh'), 'sh', '-c', fake], { env: { ...process.env, INVIGIL_RESTART_DELAY: '0' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    expect(code, out).toBe(0);
    expect(out).toContain('run 3');
    expect(out).toContain('ended with status 0; restarting');
    expect(out).toContain('ended with status 137; restarting');
    expect(out).toContain('quit legitimately (exit 10)');
  });
});

let server: SpawnedServer;
beforeAll(async () => {
  server = await spawnServer({ HEARTBEAT_INTERVAL_MS: '200' });
});
afterAll(async () => {
  await server?.kill();
});

describe('agent killed mid-exam under the supervisor', () => {
  it('SIGKILL: the supervisor starts it again, it recovers the attempt, every answer reaches the server, the quit ends the loop', async () => {
    const questions = Array.from({ length: 30 }, (_, i) => ({ id: `q${i + 1}`, type: 'text', prompt: `Question ${i + 1}` }));
    const plan = questions.map((q, i) => ({ questionId: q.id, value: `answer ${i + 1} typed before and after the crash` }));
    const prov = await provision(server, 1, { questions, prefix: 'osrestart' });
    const c = prov.candidates[0]!;
    const root = await mkdtemp(join(tmpdir(), 'invigil-osrestart-'));
    const job = { serverUrl: server.url, dataDir: join(root, 'data'), keyPath: join(root, 'keys/secret.key'), examId: prov.examId, candidateId: c.candidateId, accessCode: c.accessCode, plan, submit: true, exitCode: QUIT_EXIT_CODE };

    const sup = spawn('sh', [join(DEPLOY, 'invigil-kiosk-supervise.sh'), process.execPath, '--import', 'tsx', RUNNER], {
      cwd: AGENT_PKG,
      env: { ...process.env, AGENT_RUNNER: JSON.stringify(job), INVIGIL_RESTART_DELAY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: any[] = [];
    let err = '';
    let buf = '';
    let killed = false;
    let pid = 0;
    sup.stderr.on('data', (d) => (err += d));
    sup.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        lines.push(line);
        if (line.event === 'init') pid = line.pid;
        // The first run is killed without warning once 12 answers are on its disk.
        if (!killed && lines.filter((l) => l.event === 'saved').length === 12) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      }
    });
    const code = await new Promise<number | null>((r) => sup.on('exit', (c) => r(c)));
    expect(code, err).toBe(0);
    expect(err).toContain('ended with status 137; restarting');
    expect(err).toContain(`quit legitimately (exit ${QUIT_EXIT_CODE})`);

    const inits = lines.filter((l) => l.event === 'init');
    expect(inits).toHaveLength(2);
    expect(inits[0].pid).not.toBe(inits[1].pid);
    expect(inits[1]).toMatchObject({ phase: 'recovering', attemptId: lines.find((l) => l.event === 'ready').attemptId });
    expect(lines.find((l) => l.event === 'recovered')).toMatchObject({ status: 'active' });
    expect(lines.at(-1)).toMatchObject({ event: 'submitted', status: 'completed' });
    const attemptId = inits[1].attemptId as string;

    // Nothing typed was lost: every question holds its planned answer on the server.
    const token = await candidateLogin(server, prov.examId, c);
    const r = await call(`${server.api}/exams/sessions/${attemptId}/answers`, 'GET', undefined, token);
    expect(r.status).toBe(200);
    const onServer = new Map<string, any>(r.body.answers.map((a: any) => [a.questionId, a.value]));
    for (const step of plan) expect(onServer.get(step.questionId)).toBe(step.value);
    // ...and nothing was typed twice: the second run continued after the last answer the first saved.
    const saved = lines.filter((l) => l.event === 'saved');
    expect(new Set(saved.map((l) => l.questionId)).size).toBe(saved.length);
  });
});
