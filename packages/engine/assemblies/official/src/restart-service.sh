# Borealis official: Linux - Restart Service (SERVICE_NAME). Exit 1 if it is not active afterwards.
set -u
name="${SERVICE_NAME:-}"
if [ -z "$name" ]; then echo "SERVICE_NAME is required" >&2; exit 1; fi
if ! printf '%s' "$name" | grep -Eq '^[A-Za-z0-9@._:-]+$'; then echo "Invalid SERVICE_NAME: $name" >&2; exit 1; fi
if [ "$(id -u)" -ne 0 ]; then echo "Restarting a service needs root" >&2; exit 1; fi

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  echo "Restarting ${name}..."
  if ! systemctl restart -- "$name"; then
    systemctl status --no-pager --lines=30 -- "$name" || true
    exit 1
  fi
  sleep 2
  state="$(systemctl is-active -- "$name" 2>/dev/null || true)"
  systemctl status --no-pager --lines=10 -- "$name" || true
  echo "State of ${name}: ${state:-unknown}"
  [ "$state" = "active" ] && exit 0 || exit 1
fi
if command -v service >/dev/null 2>&1; then
  service "$name" restart && service "$name" status
  exit $?
fi
echo "No service manager found" >&2
exit 1
