# Borealis official: Linux - Reboot after DELAY_MINUTES (0 = in a few seconds, so the result is sent first).
set -u
delay="${DELAY_MINUTES:-1}"
delay="${delay%%.*}"
case "$delay" in ''|*[!0-9]*) echo "DELAY_MINUTES must be a whole number" >&2; exit 1 ;; esac
if [ "$delay" -gt 1440 ]; then echo "DELAY_MINUTES may be at most 1440" >&2; exit 1; fi
if [ "$(id -u)" -ne 0 ]; then echo "Rebooting needs root" >&2; exit 1; fi

if [ "$delay" -eq 0 ]; then
  echo "Rebooting in 10 seconds."
  nohup sh -c 'sleep 10; systemctl reboot 2>/dev/null || reboot' >/dev/null 2>&1 &
  exit 0
fi
if command -v shutdown >/dev/null 2>&1; then
  shutdown -r "+${delay}" "Borealis: reboot requested by an operator"
  rc=$?
  [ "$rc" -eq 0 ] && echo "Reboot scheduled in ${delay} minute(s)."
  exit "$rc"
fi
nohup sh -c "sleep $((delay * 60)); systemctl reboot 2>/dev/null || reboot" >/dev/null 2>&1 &
echo "Reboot scheduled in ${delay} minute(s)."
exit 0
