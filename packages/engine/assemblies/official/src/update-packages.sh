# Borealis official: Linux - Update Packages. SECURITY_ONLY=True limits it to security updates.
set -u
sec="${SECURITY_ONLY:-False}"
case "$sec" in True|true|1|yes) sec=1 ;; *) sec=0 ;; esac
if [ "$(id -u)" -ne 0 ]; then echo "Updating packages needs root" >&2; exit 1; fi

if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  opts="-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
  apt-get update -q || exit 1
  if [ "$sec" -eq 1 ]; then
    if command -v unattended-upgrade >/dev/null 2>&1; then
      echo "Applying security updates with unattended-upgrade..."
      unattended-upgrade -v
      rc=$?
    else
      pkgs="$(LC_ALL=C apt-get -s dist-upgrade | awk '/^Inst / && tolower($0) ~ /securi/ {print $2}' | sort -u | tr '\n' ' ')"
      if [ -z "$pkgs" ]; then echo "No security updates pending."; rc=0; else
        echo "Security updates: $pkgs"
        # shellcheck disable=SC2086
        apt-get install --only-upgrade $opts $pkgs
        rc=$?
      fi
    fi
  else
    # shellcheck disable=SC2086
    apt-get dist-upgrade $opts
    rc=$?
  fi
elif command -v dnf >/dev/null 2>&1; then
  if [ "$sec" -eq 1 ]; then dnf upgrade -y --security; else dnf upgrade -y; fi
  rc=$?
elif command -v yum >/dev/null 2>&1; then
  if [ "$sec" -eq 1 ]; then yum update -y --security; else yum update -y; fi
  rc=$?
else
  echo "No supported package manager (apt-get, dnf, yum) found" >&2
  exit 1
fi
if [ -f /var/run/reboot-required ]; then echo "A reboot is required to finish the update."; fi
exit "$rc"
