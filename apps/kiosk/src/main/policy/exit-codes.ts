/**
 * The kiosk's exit status after a legitimate quit (the quit gate opened: staff code, offline staff
 * code, a staff "quit" instruction, the OS shutting down). The OS units in deploy/kiosk restart the
 * kiosk after every other ending (a crash, a kill, even status 0), and never after this one.
 */
export const QUIT_EXIT_CODE = 10;
