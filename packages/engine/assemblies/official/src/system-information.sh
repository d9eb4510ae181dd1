# Borealis official: Linux - System Information (read-only).
set -u
section() { printf '\n== %s ==\n' "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }

section "Host"
echo "Hostname: $(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
if [ -r /etc/os-release ]; then
  . /etc/os-release
  echo "OS: ${PRETTY_NAME:-${NAME:-unknown}}"
fi
echo "Kernel: $(uname -srm)"
echo "Uptime: $(uptime -p 2>/dev/null || cut -d' ' -f1 /proc/uptime | awk '{printf "%d seconds\n", $1}')"
if have who; then echo "Last boot: $(who -b 2>/dev/null | awk '{print $3, $4}')"; fi
if have systemd-detect-virt; then echo "Virtualization: $(systemd-detect-virt 2>/dev/null || echo none)"; fi

section "CPU"
if have lscpu; then
  lscpu | grep -E '^(Model name|Architecture|CPU\(s\)|Thread\(s\) per core|Socket\(s\))' || true
else
  grep -m1 'model name' /proc/cpuinfo || true
  echo "CPU(s): $(grep -c '^processor' /proc/cpuinfo)"
fi
echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg)"

section "Memory"
if have free; then free -h; else grep -E '^(MemTotal|MemAvailable|SwapTotal|SwapFree)' /proc/meminfo; fi

section "Disks"
df -hP -x tmpfs -x devtmpfs -x squashfs 2>/dev/null || df -hP

section "Network"
if have ip; then ip -brief address 2>/dev/null || ip address; else hostname -I 2>/dev/null || true; fi
exit 0
