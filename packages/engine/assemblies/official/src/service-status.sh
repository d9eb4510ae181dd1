# Borealis official: Linux - Service Status. One service (SERVICE_NAME) or the failed units.
# Exit 1 when the named service is not active, 2 (Warning) when units have failed.
set -u
name="${SERVICE_NAME:-}"
if [ -n "$name" ] && ! printf '%s' "$name" | grep -Eq '^[A-Za-z0-9@._:-]+$'; then
  echo "SERVICE_NAME contains characters a unit name cannot have: $name" >&2
  exit 1
fi

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  if [ -n "$name" ]; then
    systemctl status --no-pager --lines=20 -- "$name"
    state="$(systemctl is-active -- "$name" 2>/dev/null || true)"
    echo
    echo "State of ${name}: ${state:-unknown}"
    [ "$state" = "active" ] && exit 0 || exit 1
  fi
  echo "== Failed units =="
  failed="$(systemctl list-units --state=failed --no-legend --plain --no-pager 2>/dev/null | awk 'NF {print $1}')"
  if [ -n "$failed" ]; then
    systemctl list-units --state=failed --no-pager
    exit 2
  fi
  echo "None."
  echo
  echo "== Running services =="
  systemctl list-units --type=service --state=running --no-pager --no-legend --plain | awk '{print $1}'
  exit 0
fi

# No systemd (containers, SysV init): use the service wrapper when it exists.
echo "systemd is not running on this host; using the init scripts."
if [ -n "$name" ]; then
  if command -v service >/dev/null 2>&1; then
    service "$name" status
    exit $?
  fi
  echo "No service manager found to query ${name}." >&2
  exit 1
fi
if command -v service >/dev/null 2>&1; then service --status-all 2>&1 || true; else echo "No service manager found."; fi
exit 0
