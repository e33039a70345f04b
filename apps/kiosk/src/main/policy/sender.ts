import { isAppUrl } from './navigation.ts';

/** What main knows about who sent an IPC message (from Electron's IpcMainInvokeEvent). */
export interface IpcSenderInfo {
  /** `event.sender.id` */
  webContentsId: number;
  /** `event.senderFrame?.url` (null when the frame is gone) */
  frameUrl: string | null | undefined;
  /** `event.senderFrame === event.sender.mainFrame` */
  isMainFrame: boolean;
}

/**
 * An IPC call is answered only if it comes from the exam window's own webContents, from its
 * main frame, currently showing a page of the app's origin. Anything else (a cover window, a
 * subframe, a page that somehow navigated away) is refused.
 */
export function isTrustedSender(sender: IpcSenderInfo, examWebContentsId: number | null): boolean {
  return examWebContentsId !== null && sender.webContentsId === examWebContentsId && sender.isMainFrame && isAppUrl(sender.frameUrl);
}
