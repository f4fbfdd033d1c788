# lib.sh - sourced by record.sh, record_apps.sh and record_diagnose.sh: the
# bookkeeping they share. rec_init checks the arguments and root, and sets
# OUT (the output directory), HERE, NAMES (the captures asked for), TAG (the
# prefix of every namespace the script creates) and WORK (its temporary
# directory); the EXIT trap stops every background program and deletes every
# namespace and WORK, however the script ends.
#   . "$(dirname "$0")/lib.sh"; rec_init record_x.sh ntx "$@"

NSLIST=()                     # namespaces to delete
PIDS=()                       # background processes we started
CAP_PID=

# rec_init ME PREFIX OUTDIR [NAME...]
rec_init() {
    ME=$1
    local prefix=$2
    shift 2
    [ $# -ge 1 ] || { echo "usage: $ME OUTDIR [NAME...]" >&2; exit 2; }
    [ "$(id -u)" = 0 ] || { echo "$ME: must run as root" >&2; exit 2; }
    mkdir -p "$1"
    OUT=$(cd "$1" && pwd)
    shift
    NAMES=("$@")
    HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    TAG="$prefix$$"
    WORK=$(mktemp -d "/tmp/$prefix.XXXXXX")
    chmod 755 "$WORK"
    trap rec_cleanup EXIT
    trap 'exit 130' INT TERM HUP
}

log() { echo "$ME: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

rec_cleanup() {
    local rc=$? p ns
    set +e
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    for ns in "${NSLIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$WORK"
    exit $rc
}

forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# nsx NS CMD...: run CMD inside namespace NS
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# bg NS CMD...: start CMD in the background inside NS; sets BG_PID
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & BG_PID=$!; PIDS+=("$BG_PID"); }

stop_bg() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget_pid "$1"
}

# wait_for FILE TEXT: bounded wait (10 s) until FILE contains TEXT
wait_for() {
    local i
    for i in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "timed out waiting for '$2' in $1: $(cat "$1" 2>/dev/null)"
}

# record_all KNOWN...: runs rec_NAME for each of NAMES (all KNOWN when none
# was asked for); after each, stops what it left running and deletes its
# namespaces
record_all() {
    local n p ns names=("${NAMES[@]}")
    [ ${#names[@]} -gt 0 ] || names=("$@")
    for n in "${names[@]}"; do
        declare -F "rec_$n" >/dev/null || die "unknown capture '$n' (known: $*)"
    done
    for n in "${names[@]}"; do
        log "recording $n"
        "rec_$n"
        for p in "${PIDS[@]}"; do stop_bg "$p"; done
        for ns in "${NSLIST[@]}"; do ip netns del "$ns"; done
        NSLIST=()
    done
}
