import type { HardwareFacts, PlatformProbe, ProcessInfo, VmSignal } from '../ports.ts';

/** A PlatformProbe whose answers a test sets. */
export interface FakePlatform extends PlatformProbe {
  displays: number | null;
  procs: ProcessInfo[];
  vm: VmSignal[];
  id: string | null;
}

export function fakePlatform(init: Partial<Pick<FakePlatform, 'displays' | 'procs' | 'vm' | 'id'>> = {}): FakePlatform {
  const hw: HardwareFacts = { platform: 'linux', arch: 'x64', cpuModel: 'Test CPU', cpuCount: 8, memoryGiB: 16 };
  const p: FakePlatform = {
    displays: init.displays ?? 1,
    procs: init.procs ?? [],
    vm: init.vm ?? [],
    id: init.id === undefined ? 'test-machine-id-0123456789abcdef' : init.id,
    displayCount: () => p.displays,
    processes: () => p.procs,
    vmSignals: () => p.vm,
    machineId: async () => {
      if (p.id === null) throw new Error('no machine id here');
      return p.id;
    },
    hardware: () => hw,
    clientInfo: () => 'invigil-agent test',
  };
  return p;
}
