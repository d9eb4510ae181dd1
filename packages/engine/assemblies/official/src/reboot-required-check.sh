# Borealis official: Linux - Reboot Required Check. Exit 2 (Warning) when a reboot is pending.
set -u
if [ -f /var/run/reboot-required ]; then
  echo "Reboot required."
  if [ -f /var/run/reboot-required.pkgs ]; then echo "Because of:"; sort -u /var/run/reboot-required.pkgs | sed 's/^/  /'; fi
  exit 2
fi
if command -v needs-restarting >/dev/null 2>&1; then
  needs-restarting -r
  case $? in
    0) exit 0 ;;
    1) exit 2 ;;
  esac
fi
# RHEL-family without needs-restarting: the newest installed kernel is not the running one.
if command -v rpm >/dev/null 2>&1; then
  latest="$(rpm -q --last kernel kernel-core 2>/dev/null | grep -v 'not installed' | head -n1 | awk '{print $1}' | sed -E 's/^kernel(-core)?-//')"
  running="$(uname -r)"
  if [ -n "$latest" ] && [ "$latest" != "$running" ]; then
    echo "Reboot required: running kernel ${running}, newest installed ${latest}."
    exit 2
  fi
fi
echo "No reboot required (running kernel $(uname -r))."
exit 0
