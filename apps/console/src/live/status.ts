import type { LiveSession } from '@invigil/contract';
import { isFinalStatus } from '@invigil/core';
import { t } from '../i18n/index.ts';

/** What a proctor sees on a tile: the session status, with lock and connection folded in. */
export type TileStatus = 'active' | 'offline' | 'paused' | 'locked' | 'submitted' | 'ended';

export const TILE_STATUSES: TileStatus[] = ['active', 'offline', 'paused', 'locked', 'submitted', 'ended'];

/** Text and a symbol for each status, so it never rests on colour alone. */
const SYMBOL: Record<TileStatus, string> = { active: '●', offline: '◌', paused: '❚❚', locked: '■', submitted: '✓', ended: '×' };
/** Label and hint are read from the message catalog each time (they follow the language switch). */
export const STATUS_LABEL: Record<TileStatus, { readonly label: string; readonly symbol: string; readonly hint: string }> = Object.fromEntries(
  TILE_STATUSES.map((k) => [
    k,
    {
      get label() {
        return t(`live.status.${k}`);
      },
      symbol: SYMBOL[k],
      get hint() {
        return t(`live.hint.${k}`);
      },
    },
  ]),
) as Record<TileStatus, { label: string; symbol: string; hint: string }>;

/**
 * The tile status. `secondsSinceHeartbeat` is ticked locally; the server auto-pauses a session
 * silent for its exam's threshold (`offlineAfterMs`: interval × missed beats, from the server's
 * configuration and the exam's policy), so silence beyond that reads as offline even before the
 * pause event arrives.
 */
export function tileStatus(s: Pick<LiveSession, 'status' | 'isLocked' | 'pauseKind' | 'online' | 'offlineAfterMs'>, secondsSinceHeartbeat: number | null): TileStatus {
  if (s.status === 'completed') return 'submitted';
  if (s.status === 'expired' || s.status === 'terminated') return 'ended';
  if (s.isLocked) return 'locked';
  if (s.status === 'paused') return s.pauseKind === 'auto' ? 'offline' : 'paused';
  if (!s.online) return 'offline';
  if (secondsSinceHeartbeat !== null && secondsSinceHeartbeat * 1000 >= s.offlineAfterMs) return 'offline';
  return 'active';
}

export function isFinished(status: LiveSession['status']): boolean {
  return isFinalStatus(status);
}
