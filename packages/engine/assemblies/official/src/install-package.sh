# Borealis official: Linux - Install Package (PACKAGE_NAME, space-separated names) with apt or dnf/yum.
set -u
pkgs="${PACKAGE_NAME:-}"
if [ -z "$pkgs" ]; then echo "PACKAGE_NAME is required" >&2; exit 1; fi
for p in $pkgs; do
  if ! printf '%s' "$p" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9+._:~=-]*$'; then echo "Invalid package name: $p" >&2; exit 1; fi
done
if [ "$(id -u)" -ne 0 ]; then echo "Installing packages needs root" >&2; exit 1; fi

if command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || exit 1
  # shellcheck disable=SC2086
  apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $pkgs
  rc=$?
elif command -v dnf >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  dnf install -y $pkgs
  rc=$?
elif command -v yum >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  yum install -y $pkgs
  rc=$?
else
  echo "No supported package manager (apt-get, dnf, yum) found" >&2
  exit 1
fi
[ "$rc" -eq 0 ] && echo "Installed: $pkgs"
exit "$rc"
