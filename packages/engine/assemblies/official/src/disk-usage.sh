# Borealis official: Linux - Disk Usage. Exit 2 (Warning) when a filesystem is above WARN_PERCENT.
set -u
warn="${WARN_PERCENT:-90}"
warn="${warn%%.*}"
case "$warn" in
  ''|*[!0-9]*) echo "WARN_PERCENT must be a whole number from 0 to 100 (got '${WARN_PERCENT:-}')" >&2; exit 1 ;;
esac
if [ "$warn" -gt 100 ]; then echo "WARN_PERCENT must be at most 100" >&2; exit 1; fi

echo "Filesystems above ${warn}% are reported as a warning."
echo
# Pseudo and read-only image filesystems are always full or meaningless here.
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
df -P -x tmpfs -x devtmpfs -x squashfs -x efivarfs -x fuse.lxcfs 2>/dev/null > "$list" || df -P > "$list"
if [ "$(wc -l < "$list")" -le 1 ]; then df -P > "$list"; fi
printf '%-30s %8s %8s %8s %5s  %s\n' "Filesystem" "Size" "Used" "Avail" "Use%" "Mounted on"
over=0
while read -r fs blocks used avail pct mount; do
  p="${pct%%%}"
  case "$p" in ''|*[!0-9]*) continue ;; esac
  flag=""
  if [ "$p" -gt "$warn" ]; then flag="  <-- above ${warn}%"; over=$((over + 1)); fi
  printf '%-30s %7sM %7sM %7sM %4s%%  %s%s\n' "$fs" $((blocks / 1024)) $((used / 1024)) $((avail / 1024)) "$p" "$mount" "$flag"
done < <(tail -n +2 "$list")

echo
if [ "$over" -gt 0 ]; then
  echo "WARNING: ${over} filesystem(s) above ${warn}%"
  exit 2
fi
echo "OK: no filesystem above ${warn}%"
exit 0
