# Borealis official: Linux - Collect Logs from the journal (UNIT optional, last SINCE_HOURS hours).
set -u
unit="${UNIT:-}"
hours="${SINCE_HOURS:-24}"
hours="${hours%%.*}"
lines="${MAX_LINES:-2000}"
lines="${lines%%.*}"
case "$hours" in ''|*[!0-9]*) echo "SINCE_HOURS must be a whole number" >&2; exit 1 ;; esac
case "$lines" in ''|*[!0-9]*) echo "MAX_LINES must be a whole number" >&2; exit 1 ;; esac
if [ -n "$unit" ] && ! printf '%s' "$unit" | grep -Eq '^[A-Za-z0-9@._:-]+$'; then echo "Invalid UNIT: $unit" >&2; exit 1; fi
since="$(date -d "-${hours} hours" '+%Y-%m-%d %H:%M:%S')"

if command -v journalctl >/dev/null 2>&1 && { [ -d /run/systemd/system ] || [ -d /var/log/journal ]; }; then
  echo "Journal since ${since}${unit:+ for ${unit}} (last ${lines} lines):"
  if [ -n "$unit" ]; then
    journalctl --no-pager --since "$since" -u "$unit" -n "$lines" -o short-iso
  else
    journalctl --no-pager --since "$since" -n "$lines" -o short-iso
  fi
  exit $?
fi
# No journal: the classic syslog files.
for f in /var/log/syslog /var/log/messages; do
  if [ -r "$f" ]; then
    echo "No systemd journal; last ${lines} lines of ${f}${unit:+ matching ${unit}}:"
    if [ -n "$unit" ]; then grep -F -- "${unit%.service}" "$f" | tail -n "$lines"; else tail -n "$lines" "$f"; fi
    exit 0
  fi
done
echo "No systemd journal and no syslog file on this host; nothing to collect."
exit 0
