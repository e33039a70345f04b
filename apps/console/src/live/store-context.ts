import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { RoomStore } from './room-store.ts';

export const StoreContext = createContext<RoomStore | null>(null);

/** The live room store; the component re-renders whenever it changes. */
export function useRoomStore(): RoomStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useRoomStore outside the console shell');
  const [, setN] = useState(0);
  useEffect(() => store.subscribe(() => setN((n) => n + 1)), [store]);
  return store;
}
