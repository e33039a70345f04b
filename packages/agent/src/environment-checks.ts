import type { IntegrityEvent } from '@invigil/contract';
import type { AgentLogger, PlatformProbe, ProcessInfo, VmSignal } from './ports.ts';

/** Remote-control tools: someone else could be driving this machine. */
export const DEFAULT_REMOTE_ACCESS_PROCESSES = [
  'teamviewer', 'teamviewer_service', 'teamviewerd', 'tv_w32', 'tv_x64',
  'anydesk', 'rustdesk', 'parsecd', 'parsec',
  'vncserver', 'x11vnc', 'xvnc', 'vino-server', 'krfb', 'tvnserver', 'winvnc', 'winvnc4', 'uvnc_service', 'tightvnc', 'realvnc', 'vncagent',
  'remoting_host', 'chrome-remote-desktop-host', 'remoting_desktop',
  'splashtop*', 'srserver', 'srservice', 'strwinclt',
  'logmein*', 'lmiguardiansvc', 'lmi_rescue',
  'screenconnect*', 'connectwisecontrol*', 'ammyy_admin', 'aa_v3', 'supremo', 'supremoservice', 'remotepc*',
  'nxserver', 'nxnode', 'nxplayer', 'dwagent', 'dwagsvc', 'quickassist', 'rdpclip', 'zohoassist*', 'getscreen',
  'ultraviewer*', 'meshagent', 'remotedesktopmanager',
];

/** Screen sharing, meeting and recording tools: the exam could be watched or recorded. */
export const DEFAULT_SCREEN_SHARING_PROCESSES = [
  'zoom', 'zoom.us', 'cpthost', 'teams', 'ms-teams', 'msteams', 'discord', 'skype', 'slack',
  'webex*', 'ciscowebexstart', 'atmgr', 'gotomeeting*', 'g2mcomm', 'loom',
  'obs', 'obs64', 'obs32', 'obs-studio', 'streamlabs*', 'xsplit*', 'bandicam', 'camtasia*', 'sharex',
  'simplescreenrecorder', 'kazam', 'vokoscreen*', 'peek', 'screenrec', 'screencastify',
];

/** VM guest helpers: a strong hint the kiosk runs inside a virtual machine. */
export const VM_GUEST_PROCESSES = [
  'vboxservice', 'vboxtray', 'vboxclient', 'vmtoolsd', 'vmwaretray', 'vmwareuser', 'vmacthlp',
  'qemu-ga', 'prl_tools', 'prl_cc', 'xenservice', 'xe-daemon', 'vmsrvc', 'vmusrvc', 'spice-vdagent',
];

export interface EnvironmentCheckOptions {
  /** How often to scan (the first scan runs at start). Default 15 s. */
  intervalMs?: number;
  remoteAccess?: string[];
  screenSharing?: string[];
  /** Anything else the exam forbids (names; a trailing `*` matches a prefix). */
  forbidden?: string[];
  /** VM risk score from which `vm_suspected` is reported. Default 0.6. */
  vmThreshold?: number;
}

/** `C:\\Tools\\AnyDesk.exe` → `anydesk`; `/usr/bin/x11vnc` → `x11vnc`. */
export function normalizeProcessName(name: string): string {
  const base = name.trim().split(/[\\/]/).pop() ?? '';
  return base.toLowerCase().replace(/\.(exe|app|bin)$/, '');
}

/** A matcher over names: exact, or prefix for entries ending with `*`. */
export function nameMatcher(list: readonly string[]): (name: string) => string | null {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const raw of list) {
    const n = raw.trim().toLowerCase();
    if (!n) continue;
    if (n.endsWith('*')) prefixes.push(n.slice(0, -1));
    else exact.add(normalizeProcessName(n));
  }
  return (name) => {
    const n = normalizeProcessName(name);
    if (exact.has(n)) return n;
    return prefixes.some((p) => n.startsWith(p)) ? n : null;
  };
}

/**
 * Combines independent VM hints into one risk score in [0, 1): 1 − Π(1 − wᵢ). One weak hint
 * (few cores) stays low; several agreeing ones (DMI vendor + hypervisor flag + MAC prefix) add up.
 * Hints with the same name count once (the strongest).
 */
export function vmRiskScore(signals: readonly VmSignal[]): number {
  const byName = new Map<string, number>();
  for (const s of signals) {
    const w = Math.min(0.99, Math.max(0, Number.isFinite(s.weight) ? s.weight : 0));
    byName.set(s.name, Math.max(byName.get(s.name) ?? 0, w));
  }
  let keep = 1;
  for (const w of byName.values()) keep *= 1 - w;
  return Math.round((1 - keep) * 1000) / 1000;
}

export type ProcessCategory = 'remote_access' | 'screen_sharing' | 'forbidden';
type Category = ProcessCategory;

/** One reading of the machine (see EnvironmentMonitor.inspect). */
export interface EnvironmentReading {
  /** null when this platform cannot count displays (plain Node) */
  displays: number | null;
  processes: ProcessInfo[];
  /** Running programs on the remote-access, screen-sharing or forbidden lists. */
  flagged: { name: string; category: ProcessCategory }[];
  vmSignals: VmSignal[];
  vmScore: number;
  vmThreshold: number;
}

/**
 * The environment checks: display count, VM signals, remote-access / screen-sharing / forbidden
 * processes and focus. Each finding becomes an integrity event queued for the next heartbeat.
 * Only changes are reported (a process that appears, the display count that changes, a VM score
 * that rises), so a kiosk does not repeat the same alert every scan.
 */
export class EnvironmentMonitor {
  private queue: IntegrityEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastDisplays: number | null = null;
  private seen = new Map<string, Category>();
  private lastVmScore = 0;
  private focusLostAt: number | null = null;
  private scanning: Promise<void> | null = null;
  private readonly matchers: [Category, (n: string) => string | null][];
  private readonly vmGuest = nameMatcher(VM_GUEST_PROCESSES);
  private readonly vmThreshold: number;
  private readonly intervalMs: number;
  private static readonly MAX_QUEUE = 500;

  constructor(
    private readonly platform: PlatformProbe,
    o: EnvironmentCheckOptions,
    private readonly now: () => number,
    private readonly log: AgentLogger,
  ) {
    this.matchers = [
      ['remote_access', nameMatcher(o.remoteAccess ?? DEFAULT_REMOTE_ACCESS_PROCESSES)],
      ['screen_sharing', nameMatcher(o.screenSharing ?? DEFAULT_SCREEN_SHARING_PROCESSES)],
      ['forbidden', nameMatcher(o.forbidden ?? [])],
    ];
    this.vmThreshold = o.vmThreshold ?? 0.6;
    this.intervalMs = o.intervalMs ?? 15_000;
  }

  private push(type: IntegrityEvent['type'], details?: IntegrityEvent['details']): void {
    this.queue.push({ type, at: new Date(this.now()).toISOString(), ...(details ? { details } : {}) });
    if (this.queue.length > EnvironmentMonitor.MAX_QUEUE) this.queue.splice(0, this.queue.length - EnvironmentMonitor.MAX_QUEUE);
  }

  start(): void {
    if (this.timer) return;
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Starts over (a new attempt, or the candidate signed out): queued events are dropped and what was
   * already reported is forgotten, so the next attempt's staff hear about the machine afresh and
   * nothing from before is sent with its heartbeats.
   */
  reset(): void {
    this.queue = [];
    this.lastDisplays = null;
    this.seen = new Map();
    this.lastVmScore = 0;
    this.focusLostAt = null;
    this.blocked.clear();
  }

  /** Runs every check once (concurrent calls share one scan). */
  scan(): Promise<void> {
    this.scanning ??= this.runScan().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async runScan(): Promise<void> {
    const r = await this.inspect();
    this.checkDisplays(r.displays);
    this.checkProcesses(r.processes);
    this.checkVm(r.vmSignals);
  }

  /**
   * Reads the machine once and answers what it found, without queueing anything (the pre-exam
   * checks show this to the candidate; the periodic scan reports changes as integrity events).
   */
  async inspect(): Promise<EnvironmentReading> {
    const [displays, processes, vm] = await Promise.all([
      this.safe('displayCount', () => this.platform.displayCount(), null),
      this.safe('processes', () => this.platform.processes(), [] as ProcessInfo[]),
      this.safe('vmSignals', () => this.platform.vmSignals(), [] as VmSignal[]),
    ]);
    const flagged = new Map<string, Category>();
    for (const p of processes) {
      for (const [category, match] of this.matchers) {
        const hit = match(p.name);
        if (hit) {
          if (!flagged.has(hit)) flagged.set(hit, category);
          break;
        }
      }
    }
    const vmSignals = [...vm, ...this.guestToolSignals(processes)];
    return {
      displays,
      processes,
      flagged: [...flagged].map(([name, category]) => ({ name, category })),
      vmSignals,
      vmScore: vmRiskScore(vmSignals),
      vmThreshold: this.vmThreshold,
    };
  }

  private async safe<T>(what: string, fn: () => Promise<T> | T, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.log.warn('environment check failed', { check: what, error: (err as Error).message });
      return fallback;
    }
  }

  private checkDisplays(count: number | null): void {
    if (count === null || count === this.lastDisplays) return;
    const before = this.lastDisplays;
    this.lastDisplays = count;
    if (count > 1 || (before !== null && before > 1)) this.push('display_count', { count, previous: before ?? 0 });
  }

  private checkProcesses(processes: ProcessInfo[]): void {
    const now = new Map<string, Category>();
    for (const p of processes) {
      for (const [category, match] of this.matchers) {
        const hit = match(p.name);
        if (hit) {
          now.set(hit, category);
          break;
        }
      }
    }
    for (const [name, category] of now) {
      if (this.seen.has(name)) continue;
      if (category === 'remote_access') this.push('remote_access', { process: name });
      else this.push('forbidden_process', { process: name, category });
    }
    this.seen = now;
  }

  private guestToolSignals(processes: ProcessInfo[]): VmSignal[] {
    const hits = [...new Set(processes.map((p) => this.vmGuest(p.name)).filter((x): x is string => x !== null))];
    return hits.length ? [{ name: 'vm_guest_tools', weight: 0.6, detail: hits.join(',') }] : [];
  }

  private checkVm(signals: VmSignal[]): void {
    const score = vmRiskScore(signals);
    // Report when it first crosses the threshold, and again only if it rises noticeably.
    if (score >= this.vmThreshold && score >= this.lastVmScore + 0.1) {
      this.push('vm_suspected', {
        score,
        signals: signals.map((s) => `${s.name}${s.detail ? `(${s.detail})` : ''}`).join('; ').slice(0, 500),
      });
      this.lastVmScore = score;
    } else if (score < this.vmThreshold) {
      this.lastVmScore = 0;
    }
  }

  /** Blocked attempts per kind since the last one was queued, and when that was. */
  private readonly blocked = new Map<'shortcut_blocked' | 'clipboard_blocked', { lastAt: number; since: number }>();
  /** At most one blocked-shortcut / blocked-clipboard event per kind in this window (the rest are counted). */
  static readonly BLOCKED_REPORT_EVERY_MS = 30_000;

  /**
   * The shell stopped something (a blocked key chord, a clipboard use). Staff hear about it, but a
   * candidate pressing Alt+Tab ten times makes one event, not ten: one per kind per 30 s, carrying
   * how many attempts it stands for (`count`).
   */
  reportBlocked(type: 'shortcut_blocked' | 'clipboard_blocked', what: string): void {
    const now = this.now();
    const b = this.blocked.get(type);
    if (b && now - b.lastAt < EnvironmentMonitor.BLOCKED_REPORT_EVERY_MS) {
      b.since += 1;
      return;
    }
    this.push(type, { what: what.slice(0, 200), count: (b?.since ?? 0) + 1 });
    this.blocked.set(type, { lastAt: now, since: 0 });
  }

  /** The kiosk window lost or regained focus (the Electron app calls this on blur / focus). */
  reportFocus(focused: boolean): void {
    if (!focused && this.focusLostAt === null) {
      this.focusLostAt = this.now();
      this.push('focus_lost');
    } else if (focused && this.focusLostAt !== null) {
      this.push('focus_regained', { awayMs: this.now() - this.focusLostAt });
      this.focusLostAt = null;
    }
  }

  /** Takes up to `max` queued events for a heartbeat. */
  drain(max = 50): IntegrityEvent[] {
    return this.queue.splice(0, max);
  }

  /** Puts events back (their heartbeat never reached the server). */
  requeue(events: IntegrityEvent[]): void {
    this.queue.unshift(...events);
  }

  get queued(): number {
    return this.queue.length;
  }
}
