# Borealis official: Linux - List Pending Updates (read-only; uses the package index as it is).
set -u
if command -v apt-get >/dev/null 2>&1; then
  # A simulated upgrade needs no lock and changes nothing.
  list="$(LC_ALL=C apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>/dev/null | awk '/^Inst /{print}')"
  count="$(printf '%s' "$list" | grep -c '^Inst ' || true)"
  security="$(printf '%s' "$list" | grep -ci 'securi' || true)"
  if [ -n "$list" ]; then
    printf '%s\n' "$list" | sed -E 's/^Inst ([^ ]+) \[([^]]+)\] \(([^ ]+) .*/\1  \2 -> \3/; s/^Inst ([^ ]+) \(([^ ]+) .*/\1  (new) \2/'
  fi
  echo
  echo "Pending updates: ${count} (security: ${security})"
  if [ -d /var/lib/apt/lists ]; then
    echo "Package index updated: $(stat -c %y /var/lib/apt/lists 2>/dev/null | cut -d. -f1)"
  fi
  exit 0
fi
if command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
  pm="$(command -v dnf || command -v yum)"
  out="$("$pm" -q check-update 2>/dev/null)"
  rc=$?
  # check-update exits 100 when updates exist, 0 when none, 1 on error.
  if [ "$rc" -eq 1 ]; then echo "$pm check-update failed" >&2; exit 1; fi
  printf '%s\n' "$out" | awk 'NF==3 && $1 !~ /^(Obsoleting|Security:)/'
  count="$(printf '%s\n' "$out" | awk 'NF==3 && $1 !~ /^(Obsoleting|Security:)/' | grep -c . || true)"
  security="$("$pm" -q updateinfo list security 2>/dev/null | grep -c . || true)"
  echo
  echo "Pending updates: ${count} (security: ${security})"
  exit 0
fi
echo "No supported package manager (apt-get, dnf, yum) found" >&2
exit 1
