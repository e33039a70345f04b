import type { SessionStatus } from '@invigil/contract';
import { StatusBadge } from '../ui/bits.tsx';
import type { TileStatus } from '../live/status.ts';

/** A stored session status as a badge (text + symbol), with the lock flag folded in. */
export function SessionStatusBadge(props: { status: SessionStatus; isLocked?: boolean }) {
  const map: Record<SessionStatus, TileStatus> = { active: 'active', paused: 'paused', completed: 'submitted', expired: 'ended', terminated: 'ended' };
  if (props.isLocked && (props.status === 'active' || props.status === 'paused')) return <StatusBadge status="locked" />;
  const text = { active: 'Active', paused: 'Paused', completed: 'Submitted', expired: 'Expired', terminated: 'Terminated' }[props.status];
  return <StatusBadge status={map[props.status]} text={text} />;
}
