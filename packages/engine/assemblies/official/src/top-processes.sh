# Borealis official: Linux - Top Processes by CPU and by memory (COUNT rows each).
set -u
count="${COUNT:-10}"
count="${count%%.*}"
case "$count" in ''|*[!0-9]*) echo "COUNT must be a whole number" >&2; exit 1 ;; esac
[ "$count" -lt 1 ] && count=1
echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg)   Processes: $(ls -d /proc/[0-9]* 2>/dev/null | wc -l)"
echo
echo "== Top ${count} by CPU =="
ps -eo pid,user,%cpu,%mem,rss,etime,comm --sort=-%cpu | head -n $((count + 1))
echo
echo "== Top ${count} by memory =="
ps -eo pid,user,%cpu,%mem,rss,etime,comm --sort=-rss | head -n $((count + 1))
exit 0
