import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { arch, cpus, networkInterfaces, platform, release, totalmem } from 'node:os';
import { promisify } from 'node:util';
import nodeMachineId from 'node-machine-id';
import type { HardwareFacts, PlatformProbe, ProcessInfo, VmSignal } from './ports.ts';

const run = promisify(execFile);

/** MAC address prefixes (OUIs) handed out to virtual NICs. */
const VM_MAC_PREFIXES: Record<string, string> = {
  '00:05:69': 'VMware',
  '00:0c:29': 'VMware',
  '00:1c:14': 'VMware',
  '00:50:56': 'VMware',
  '08:00:27': 'VirtualBox',
  '0a:00:27': 'VirtualBox',
  '52:54:00': 'QEMU/KVM',
  '00:15:5d': 'Hyper-V',
  '00:16:3e': 'Xen',
  '00:1c:42': 'Parallels',
};

const VM_VENDOR = /vmware|virtualbox|vbox|qemu|kvm|xen|hyper-v|virtual machine|parallels|bochs|bhyve|innotek|red hat|openstack|google compute|amazon ec2/i;

async function readTrim(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** Running processes: `ps` on Linux/macOS, `tasklist` on Windows. */
export async function listProcesses(): Promise<ProcessInfo[]> {
  if (platform() === 'win32') {
    const { stdout } = await run('tasklist', ['/fo', 'csv', '/nh'], { windowsHide: true, maxBuffer: 16 * 1024 * 1024 });
    return stdout
      .split(/\r?\n/)
      .map((line) => /^"([^"]*)","(\d+)"/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
  }
  const { stdout } = await run('ps', ['-A', '-o', 'pid=,comm='], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.+?)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), name: m[2]! }));
}

/** VM hints this process can read without privileges (Linux firmware/CPU facts; MACs everywhere). */
export async function nodeVmSignals(): Promise<VmSignal[]> {
  const signals: VmSignal[] = [];
  if (platform() === 'linux') {
    const dmi = await Promise.all(['sys_vendor', 'product_name', 'board_vendor', 'bios_vendor'].map((f) => readTrim(`/sys/class/dmi/id/${f}`)));
    const vendor = dmi.find((v) => v && VM_VENDOR.test(v));
    if (vendor) signals.push({ name: 'dmi_vendor', weight: 0.7, detail: vendor.slice(0, 80) });
    const cpuinfo = await readTrim('/proc/cpuinfo');
    if (cpuinfo && /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) signals.push({ name: 'cpu_hypervisor_flag', weight: 0.5 });
  }
  const macs = Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.mac?.toLowerCase())
    .filter((m): m is string => !!m && m !== '00:00:00:00:00:00');
  const vmMac = macs.map((m) => VM_MAC_PREFIXES[m.slice(0, 8)]).find((v) => v);
  if (vmMac) signals.push({ name: 'vm_mac_prefix', weight: 0.5, detail: vmMac });
  const hw = nodeHardware();
  if (hw.cpuCount <= 2 && hw.memoryGiB <= 4) signals.push({ name: 'low_resources', weight: 0.15, detail: `${hw.cpuCount} cpu, ${hw.memoryGiB} GiB` });
  return signals;
}

export function nodeHardware(): HardwareFacts {
  const c = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpuModel: c[0]?.model ?? 'unknown',
    cpuCount: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/**
 * A PlatformProbe with what plain Node can see. It cannot count displays (the Electron app passes
 * `screen.getAllDisplays().length` instead); everything else is real.
 */
export function nodePlatformProbe(): PlatformProbe {
  return {
    displayCount: () => null,
    processes: listProcesses,
    vmSignals: nodeVmSignals,
    machineId: () => nodeMachineId.machineId(true),
    hardware: nodeHardware,
    clientInfo: () => `invigil-agent (node ${process.versions.node}; ${platform()} ${release()}; ${arch()})`,
  };
}
