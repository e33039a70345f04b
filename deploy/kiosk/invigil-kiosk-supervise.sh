#!/bin/sh
# Keeps the Invigil kiosk running: starts it, and when it ends for any reason other than a
# legitimate quit (exit status 10: the quit gate opened with the staff code, an offline staff code,
# a staff "quit" instruction or the OS shutting down), starts it again after a second.
# A crash, a SIGKILL, `window-all-closed`, even an exit status 0 restart it: only 10 ends the loop.
#
#   invigil-kiosk-supervise.sh /Applications/Invigil\ Kiosk.app/Contents/MacOS/Invigil\ Kiosk
#
# Used by the macOS launch agent (launchd cannot tell one exit status from another) and usable
# anywhere with a POSIX shell. Environment: INVIGIL_RESTART_DELAY (seconds, default 1).
QUIT_EXIT_CODE=10
DELAY="${INVIGIL_RESTART_DELAY:-1}"
if [ "$#" -eq 0 ]; then
  echo "usage: $0 <kiosk executable> [arguments...]" >&2
  exit 2
fi
child=""
# Logging out / shutting down: pass the signal on (the kiosk opens its gate on an OS shutdown) and stop.
trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi; exit 0' TERM INT HUP
while :; do
  "$@" &
  child=$!
  wait "$child"
  code=$?
  child=""
  if [ "$code" -eq "$QUIT_EXIT_CODE" ]; then
    echo "invigil-kiosk-supervise: the kiosk quit legitimately (exit $code); not restarting" >&2
    exit 0
  fi
  echo "invigil-kiosk-supervise: the kiosk ended with status $code; restarting in ${DELAY} s" >&2
  sleep "$DELAY"
done
