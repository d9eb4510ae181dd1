# Borealis official: Linux - Network Diagnostics: addresses, routes, DNS, listening ports and,
# with TARGET set, name resolution and reachability of that host (exit 2, Warning, when it fails).
set -u
have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n== %s ==\n' "$1"; }
target="${TARGET:-}"
if [ -n "$target" ] && ! printf '%s' "$target" | grep -Eq '^[A-Za-z0-9.:-]+$'; then echo "Invalid TARGET: $target" >&2; exit 1; fi

section "Addresses"
if have ip; then ip -brief address 2>/dev/null || ip address; else hostname -I 2>/dev/null || cat /proc/net/if_inet6 2>/dev/null; fi
section "Routes"
if have ip; then ip route 2>/dev/null; ip -6 route 2>/dev/null | head -n 20; elif have route; then route -n; else cat /proc/net/route; fi
section "DNS"
if have resolvectl && [ -d /run/systemd/system ]; then resolvectl status --no-pager 2>/dev/null | grep -E 'DNS Servers|Current DNS|DNS Domain' || true; fi
grep -E '^(nameserver|search|domain)' /etc/resolv.conf 2>/dev/null || echo "(no /etc/resolv.conf)"
section "Listening ports"
if have ss; then ss -tuln 2>/dev/null; elif have netstat; then netstat -tuln 2>/dev/null; else echo "(neither ss nor netstat)"; fi

rc=0
if [ -n "$target" ]; then
  section "Target ${target}"
  if getent ahosts "$target" >/dev/null 2>&1; then
    echo "Resolves to: $(getent ahosts "$target" | awk '{print $1}' | sort -u | tr '\n' ' ')"
  else
    echo "Name resolution failed"; rc=2
  fi
  if [ "$rc" -eq 0 ]; then
    if have ping; then
      ping -c 3 -W 2 "$target" || rc=2
    elif have curl; then
      curl -sS -o /dev/null -m 5 -w 'HTTP %{http_code} in %{time_total}s\n' "http://$target/" || rc=2
    else
      (exec 3<>"/dev/tcp/$target/443") 2>/dev/null && echo "TCP 443 reachable" || { echo "TCP 443 not reachable"; rc=2; }
    fi
  fi
fi
exit "$rc"
