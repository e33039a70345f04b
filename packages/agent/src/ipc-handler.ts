import { KioskIpc, type KioskCallName, type KioskResult } from '@invigil/contract';
import { AgentError, toAgentError } from './agent-error.ts';
import type { Agent } from './agent.ts';

/**
 * The kiosk IPC, implemented over an Agent: validates the renderer's request with the contract,
 * calls the agent, validates the answer, and wraps everything in the result envelope (errors do
 * not cross Electron IPC as classes). Electron main registers `ipcMain.handle(KioskIpc[n].channel,
 * (_e, payload) => handle(n, payload))` for each call name; nothing else is reachable.
 */
export function createKioskIpcHandler(agent: Agent): (name: string, payload: unknown) => Promise<KioskResult<unknown>> {
  const impl: { [N in KioskCallName]: (req: never) => Promise<unknown> | unknown } = {
    login: (req: Parameters<Agent['login']>[0]) => agent.login(req),
    getExam: () => agent.getExam(),
    startExam: () => agent.startExam(),
    getState: () => agent.state(),
    getAnswers: () => agent.answerSheet(),
    saveAnswer: (req: { questionId: string; value: Parameters<Agent['saveAnswer']>[1] }) => agent.saveAnswer(req.questionId, req.value),
    submit: () => agent.submit(),
    configure: (req: Parameters<Agent['configure']>[0]) => agent.configure(req),
    getConfig: () => agent.getConfig(),
    runChecks: () => agent.runChecks(),
    claimTransfer: (req: { resumeCode: string }) => agent.claimTransfer(req.resumeCode),
    logout: () => agent.logout(),
    offlineChallenge: (req: { action: Parameters<Agent['offlineChallenge']>[0] }) => agent.offlineChallenge(req.action),
    offlineCode: (req: { action: 'unlock' | 'continue'; code: string }) => agent.offlineCode(req.action, req.code),
    authorizeStaff: (req: { unlockCode: string; action: 'configure' }) => agent.authorizeStaff(req.unlockCode, req.action),
    getCover: () => agent.getCover(),
    setDisplay: (req: { textSize: number; highContrast: boolean }) => agent.setDisplay(req),
    setFlag: (req: { questionId: string; flagged: boolean }) => agent.setFlag(req.questionId, req.flagged),
    raiseHand: () => agent.raiseHand(),
    checkWaiver: () => agent.checkWaiver(),
  };
  return async (name, payload) => {
    try {
      if (!Object.hasOwn(KioskIpc, name)) throw new AgentError('UNKNOWN_CALL', `no kiosk call named ${name}`);
      const call = KioskIpc[name as KioskCallName];
      const req = call.request.safeParse(payload ?? {});
      if (!req.success) throw new AgentError('VALIDATION_FAILED', req.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
      const out = await (impl[name as KioskCallName] as (r: unknown) => unknown)(req.data);
      return { ok: true, data: call.response.parse(out) };
    } catch (e) {
      return { ok: false, error: toAgentError(e).toJSON() };
    }
  };
}
