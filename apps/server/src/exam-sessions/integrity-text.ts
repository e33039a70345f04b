/** What an integrity alert says happened, in words a proctor reads at a glance (the kind alone is not enough). */
export function integrityMessage(type: string, details: Record<string, string | number | boolean> | undefined, count: number): string {
  const d = details ?? {};
  const times = count > 1 ? ` (${count}×)` : '';
  switch (type) {
    case 'remote_access':
      return `Remote-access program running${d.process ? `: ${String(d.process)}` : ''}`;
    case 'forbidden_process':
      return `Forbidden program running${d.process ? `: ${String(d.process)}` : ''}${d.category ? ` (${String(d.category).replaceAll('_', ' ')})` : ''}`;
    case 'display_count':
      return typeof d.count === 'number' ? `${d.count} display${d.count === 1 ? '' : 's'} connected${typeof d.previous === 'number' && d.previous ? ` (was ${d.previous})` : ''}` : 'The number of displays changed';
    case 'vm_suspected':
      return `Running in a virtual machine?${d.score !== undefined ? ` (risk score ${String(d.score)})` : ''}`;
    case 'focus_lost':
      return `The exam window lost focus${times}`;
    case 'shortcut_blocked':
      return `Blocked key chord${d.what ? `: ${String(d.what)}` : ''}${times}`;
    case 'clipboard_blocked':
      return `Blocked clipboard use${d.what ? `: ${String(d.what)}` : ''}${times}`;
    default:
      return `kiosk reported ${type.replaceAll('_', ' ')}${times}`;
  }
}
