#!/usr/bin/env bash
# Borealis agent installer for Debian/Ubuntu and RHEL-family Linux (docs/agent.md).
# The engine serves this file from GET /api/agent/install/download/linux with its URL and CA
# filled in; run it as root:
#   curl -fsSL '<engine>/api/agent/install/download/linux' | sudo bash -s -- --site-enrollment-code CODE
# It makes sure Node.js >= 20 is installed, downloads the agent over the pinned connection, writes
# the CA, installs the systemd unit, sends the enrolment request and starts the service.
set -euo pipefail

# Filled in by the engine (left as placeholders in the repository copy).
EMBEDDED_SERVER_URL='__BOREALIS_SERVER_URL__'
EMBEDDED_CA_PEM_B64='__BOREALIS_ENGINE_CA_PEM_B64__'

NODE_MAJOR_MIN=20
NODE_MAJOR_INSTALL=20
CONFIG_DIR=/etc/borealis-agent
CA_FILE=$CONFIG_DIR/engine-ca.pem
PROGRAM_DIR=/opt/borealis-agent
BUNDLE=$PROGRAM_DIR/borealis-agent.mjs
LAUNCHER=/usr/local/bin/borealis-agent
UNIT_FILE=/etc/systemd/system/borealis-agent.service

usage() {
  cat <<'USAGE'
Usage: install.sh --site-enrollment-code CODE [options]

  --site-enrollment-code CODE  the site's enrolment code (32 hex digits, dashes allowed); required
  --server-url URL             engine origin (https://host[:port]); default: the engine that served this script
  --engine-ca-pem FILE         PEM CA to pin instead of the one embedded by the engine
  --no-start                   install and enrol, but do not enable or start the service
  --dry-run                    check the arguments and print what would be done; change nothing
  -h, --help                   show this help

Exit codes: 0 installed, 1 a step failed, 2 bad arguments, 3 enrolment denied,
4 enrolment code refused by the engine.
USAGE
}

log() { printf 'borealis-agent install: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage_error() { log "$*"; log "run with --help for usage"; exit 2; }

CODE=''
SERVER_URL=''
CA_PEM_FILE=''
DRY_RUN=0
START=1

while [ "$#" -gt 0 ]; do
  case "$1" in
    --site-enrollment-code) [ "$#" -ge 2 ] || usage_error "--site-enrollment-code needs a value"; CODE=$2; shift 2 ;;
    --site-enrollment-code=*) CODE=${1#*=}; shift ;;
    --server-url) [ "$#" -ge 2 ] || usage_error "--server-url needs a value"; SERVER_URL=$2; shift 2 ;;
    --server-url=*) SERVER_URL=${1#*=}; shift ;;
    --engine-ca-pem) [ "$#" -ge 2 ] || usage_error "--engine-ca-pem needs a value"; CA_PEM_FILE=$2; shift 2 ;;
    --engine-ca-pem=*) CA_PEM_FILE=${1#*=}; shift ;;
    --no-start) START=0; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

# --- check the inputs -------------------------------------------------------------------------
[ -n "$CODE" ] || usage_error "--site-enrollment-code is required"
code_digits=$(printf '%s' "$CODE" | tr -d ' -')
printf '%s' "$code_digits" | grep -Eq '^[0-9A-Fa-f]{32}$' \
  || usage_error "--site-enrollment-code must be 32 hex digits (8 groups of 4 separated by dashes)"

if [ -z "$SERVER_URL" ]; then
  case "$EMBEDDED_SERVER_URL" in
    __BOREALIS_*) usage_error "--server-url is required (this copy was not downloaded from an engine)" ;;
    *) SERVER_URL=$EMBEDDED_SERVER_URL ;;
  esac
fi
case "$SERVER_URL" in
  https://*) ;;
  *) usage_error "--server-url must start with https:// (got '$SERVER_URL')" ;;
esac
SERVER_URL=${SERVER_URL%/}

CA_PEM=''
if [ -n "$CA_PEM_FILE" ]; then
  [ -r "$CA_PEM_FILE" ] || usage_error "--engine-ca-pem: cannot read $CA_PEM_FILE"
  grep -q 'BEGIN CERTIFICATE' "$CA_PEM_FILE" || usage_error "--engine-ca-pem: $CA_PEM_FILE holds no PEM certificate"
  CA_PEM=$(cat "$CA_PEM_FILE")
else
  case "$EMBEDDED_CA_PEM_B64" in
    __BOREALIS_*|'') ;;
    *) CA_PEM=$(printf '%s' "$EMBEDDED_CA_PEM_B64" | base64 -d) || die "the embedded CA is not valid base64" ;;
  esac
fi

host=${SERVER_URL#https://}
host=${host%%/*}
host=${host%:*}
host=${host#[}
host=${host%]}
if [ -z "$CA_PEM" ]; then
  if printf '%s' "$host" | grep -Eq '^([0-9]+\.){3}[0-9]+$|:|^localhost$'; then
    usage_error "--server-url $SERVER_URL is an IP address or localhost: that needs a pinned CA (--engine-ca-pem)"
  fi
fi

run() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf 'would run:'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

if [ "$DRY_RUN" -eq 1 ]; then
  echo "dry run: nothing is changed"
  echo "server url: $SERVER_URL"
  echo "trust: $([ -n "$CA_PEM" ] && echo "pinned CA -> $CA_FILE" || echo "system trust store")"
  echo "enrolment code: given (${#code_digits} hex digits)"
  echo "service: $([ "$START" -eq 1 ] && echo "enable and start" || echo "install only")"
fi

[ "$DRY_RUN" -eq 1 ] || [ "$(id -u)" -eq 0 ] || die "run as root (sudo bash -s -- ...)"

# --- Node.js >= 20 --------------------------------------------------------------------------
node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

os_family() {
  local id='' like=''
  if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    id=$(. /etc/os-release && printf '%s' "${ID:-}")
    # shellcheck disable=SC1091
    like=$(. /etc/os-release && printf '%s' "${ID_LIKE:-}")
  fi
  case " $id $like " in
    *" debian "*|*" ubuntu "*) echo debian ;;
    *" rhel "*|*" fedora "*|*" centos "*|*" rocky "*|*" almalinux "*) echo rhel ;;
    *) echo unknown ;;
  esac
}

ensure_node() {
  local have family candidate
  have=$(node_major)
  if [ "$have" -ge "$NODE_MAJOR_MIN" ]; then
    log "Node.js $have found"
    return
  fi
  family=$(os_family)
  log "Node.js >= $NODE_MAJOR_MIN is needed (found: $have); installing for $family"
  case "$family" in
    debian)
      run apt-get update -q
      candidate=$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}' | sed -E 's/^[0-9]+://; s/\..*//')
      if [ -z "$candidate" ] || [ "$candidate" = "(none)" ] || [ "$candidate" -lt "$NODE_MAJOR_MIN" ] 2>/dev/null; then
        log "the distribution's nodejs is too old or missing; using NodeSource $NODE_MAJOR_INSTALL.x"
        run apt-get install -y -q ca-certificates curl gnupg
        if [ "$DRY_RUN" -eq 1 ]; then
          echo "would run: curl -fsSL https://deb.nodesource.com/setup_$NODE_MAJOR_INSTALL.x | bash -"
        else
          curl -fsSL "https://deb.nodesource.com/setup_$NODE_MAJOR_INSTALL.x" | bash -
        fi
      fi
      run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
      ;;
    rhel)
      local pm=dnf
      command -v dnf >/dev/null 2>&1 || pm=yum
      candidate=$($pm info nodejs 2>/dev/null | awk -F': *' '/^Version/ {print $2; exit}' | cut -d. -f1)
      if [ -z "$candidate" ] || [ "$candidate" -lt "$NODE_MAJOR_MIN" ] 2>/dev/null; then
        if [ "$pm" = dnf ] && run dnf module enable -y "nodejs:$NODE_MAJOR_INSTALL" >/dev/null 2>&1; then
          log "enabled the nodejs:$NODE_MAJOR_INSTALL module stream"
        else
          log "using NodeSource $NODE_MAJOR_INSTALL.x"
          if [ "$DRY_RUN" -eq 1 ]; then
            echo "would run: curl -fsSL https://rpm.nodesource.com/setup_$NODE_MAJOR_INSTALL.x | bash -"
          else
            curl -fsSL "https://rpm.nodesource.com/setup_$NODE_MAJOR_INSTALL.x" | bash -
          fi
        fi
      fi
      run "$pm" install -y nodejs
      ;;
    *)
      die "unsupported distribution: install Node.js >= $NODE_MAJOR_MIN yourself, then run this again"
      ;;
  esac
  if [ "$DRY_RUN" -eq 0 ]; then
    have=$(node_major)
    [ "$have" -ge "$NODE_MAJOR_MIN" ] || die "Node.js >= $NODE_MAJOR_MIN is still missing after the install (found: $have)"
  fi
}

# --- files ----------------------------------------------------------------------------------
write_ca() {
  run install -d -m 0700 "$CONFIG_DIR"
  if [ -n "$CA_PEM" ]; then
    if [ "$DRY_RUN" -eq 1 ]; then
      echo "would write: $CA_FILE (0600)"
    else
      umask 077
      printf '%s\n' "$CA_PEM" > "$CA_FILE.tmp"
      mv -f "$CA_FILE.tmp" "$CA_FILE"
    fi
  fi
}

download_agent() {
  local url="$SERVER_URL/api/agent/install/download/linux-agent"
  local trust=()
  [ -z "$CA_PEM" ] || trust=(--cacert "$CA_FILE")
  run install -d -m 0755 "$PROGRAM_DIR"
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "would download: $url -> $BUNDLE"
    return
  fi
  log "downloading the agent from $url"
  # --proto =https: never follow a redirect to plain HTTP; the CA (when given) is the only trust.
  curl -fsS --proto '=https' --tlsv1.2 "${trust[@]}" -o "$BUNDLE.tmp" "$url" || die "download failed: $url"
  head -c 64 "$BUNDLE.tmp" | grep -q '^#!/usr/bin/env node' || die "the download is not the agent bundle"
  chmod 0755 "$BUNDLE.tmp"
  mv -f "$BUNDLE.tmp" "$BUNDLE"
}

write_launcher() {
  local node_path
  node_path=$(command -v node || echo /usr/bin/node)
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "would write: $LAUNCHER (runs $BUNDLE with $node_path)"
    return
  fi
  install -d -m 0755 "$(dirname "$LAUNCHER")"
  printf '#!/bin/sh\nexec %s %s "$@"\n' "$node_path" "$BUNDLE" > "$LAUNCHER.tmp"
  chmod 0755 "$LAUNCHER.tmp"
  mv -f "$LAUNCHER.tmp" "$LAUNCHER"
}

write_unit() {
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "would write: $UNIT_FILE"
    return
  fi
  local unit here
  # The engine puts deploy/agent/borealis-agent.service on the placeholder line below.
  unit=$(cat <<'UNIT'
__BOREALIS_SERVICE_UNIT__
UNIT
)
  if [ "$unit" = "__BOREALIS_SERVICE""_UNIT__" ]; then
    # Repository copy run by hand: take the unit file that sits next to it.
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    [ -r "$here/borealis-agent.service" ] || die "borealis-agent.service not found next to install.sh"
    unit=$(cat "$here/borealis-agent.service")
  fi
  printf '%s\n' "$unit" > "$UNIT_FILE.tmp"
  chmod 0644 "$UNIT_FILE.tmp"
  mv -f "$UNIT_FILE.tmp" "$UNIT_FILE"
}

enrol() {
  local args=(enroll --server-url "$SERVER_URL" --site-enrollment-code "$CODE" --no-wait)
  [ -z "$CA_PEM" ] || args+=(--engine-ca-pem "$CA_FILE")
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "would run: $LAUNCHER enroll --server-url $SERVER_URL --site-enrollment-code <code> --no-wait$([ -z "$CA_PEM" ] || echo " --engine-ca-pem $CA_FILE")"
    return
  fi
  local status=0
  "$LAUNCHER" "${args[@]}" || status=$?
  case "$status" in
    0) ;;
    3) log "enrolment was denied by an operator"; exit 3 ;;
    4) log "the engine refused the enrolment code; ask for the site's current code"; exit 4 ;;
    *) die "enrolment failed (exit $status); see the messages above" ;;
  esac
}

start_service() {
  if [ "$DRY_RUN" -eq 0 ] && [ ! -d /run/systemd/system ]; then
    # Containers and chroots: the unit is in place for when systemd runs; nothing to start now.
    log "systemd is not running here: the unit is installed but not started; run 'borealis-agent run' under your supervisor"
    return
  fi
  run systemctl daemon-reload
  if [ "$START" -eq 1 ]; then
    run systemctl enable --now borealis-agent.service
    [ "$DRY_RUN" -eq 1 ] || log "service started; it finishes enrolment once an operator approves the device"
  else
    log "service installed but not started (--no-start): systemctl enable --now borealis-agent"
  fi
}

ensure_node
write_ca
download_agent
write_launcher
write_unit
enrol
start_service
if [ "$DRY_RUN" -eq 1 ]; then
  echo "dry run complete"
else
  log "done: borealis-agent status shows the enrolment"
fi
