#!/usr/bin/env bash
# A private Docker engine for the Celestra tests (Debian docker.io 20.10, no systemd needed).
#
#   scripts/docker.sh start    install docker.io/tini/busybox-static if missing (apt, as root), start a
#                              private dockerd in the background, wait until it answers, build the test images
#   scripts/docker.sh stop     stop that dockerd by its recorded PID (TERM, 30 s, then KILL); data is kept
#   scripts/docker.sh status   exit 0 and say "running", or exit 1 and say "not running"
#   scripts/docker.sh env      print one line for eval:  eval "$(scripts/docker.sh env)"  (sets DOCKER_HOST)
#   scripts/docker.sh host     print the engine's address alone (the Makefile's DOCKER_HOST)
#   scripts/docker.sh images [--force]   build the missing test images (--force: rebuild both, no cache)
#
# The daemon never touches /var/run/docker.sock or a system service. Everything lives under
#   D=${CELESTRA_DOCKER:-$HOME/.cache/celestra-docker}:
#   D/docker.sock (API socket)  D/data (data-root)  D/exec (exec-root)  D/dockerd.log
#   D/launcher.pid (PID of the launched process)  D/dockerd.pid (dockerd's own pid file)
# Unix socket paths are limited (108 bytes; containerd refuses > 104) and dockerd puts containerd's sockets
# under the exec-root (exec/containerd/containerd-debug.sock: +38), so when D is longer than 50 characters
# the exec-root and the API socket move to /run/celestra-docker-<hash of D>/ (/tmp/... if /run is read-only).
#
# Test images, built FROM scratch with the legacy builder (no registry is reachable):
#   celestra-test/busybox:1 and :2 -- static busybox with its applets in /bin, /etc/passwd and /etc/group
#   (root, nobody 65534), /tmp (1777), PATH=/bin, no ENTRYPOINT, and a CMD that runs the shell text of
#   the environment variable RUN (default `sleep 3600`): an App node has no command in the workflow
#   format, so the tests give each App its behaviour through its environment. They differ only in the label
#   celestra.test.variant=1|2, so their image IDs differ.
# The default runtime is D/runc-clampoom (a copy of scripts/runc-clampoom), a runc wrapper that raises a negative
# process.oomScoreAdj to 0 (this sandbox lacks CAP_SYS_RESOURCE; the kubelet's pod sandboxes of
# scripts/kube.sh ask for -998). Containers that ask for none are unchanged.
# Progress goes to stderr; only `env` and `status` write to stdout.
set -euo pipefail

log() { printf 'docker.sh: %s\n' "$*" >&2; }
die() { printf 'docker.sh: ERROR: %s\n' "$*" >&2; exit 1; }

D="$(realpath -m -- "${CELESTRA_DOCKER:-$HOME/.cache/celestra-docker}")"
EXEC="$D/exec" SOCK="$D/docker.sock"
if (( ${#D} > 50 )); then
    short="celestra-docker-$(printf '%s' "$D" | sha256sum | cut -c1-12)"
    if [[ -w /run ]]; then short="/run/$short"; else short="/tmp/$short"; fi
    EXEC="$short/exec" SOCK="$short/docker.sock"
fi
LOG="$D/dockerd.log" LAUNCHER_PID="$D/launcher.pid" DOCKERD_PID="$D/dockerd.pid"
export DOCKER_HOST="unix://$SOCK"
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH 2>/dev/null || true
export DOCKER_BUILDKIT=0   # the legacy builder: no buildx here, no registry for BuildKit's frontend

IMAGES=(celestra-test/busybox:1 celestra-test/busybox:2)

# ---- helpers -----------------------------------------------------------------------------------
# alive PID NAME: PID is a running process called NAME. Not kill -0: a zombie counts as dead (PID 1 of
# this machine reaps orphans only after a few seconds), and the name guards against a recycled PID.
alive() {
    local stat
    [[ "$1" =~ ^[0-9]+$ ]] && stat="$(cat "/proc/$1/stat" 2>/dev/null)" && [[ "${stat#*\(}" == "$2) "[!Z]* ]]
}
# wait_gone PID NAME SECONDS: wait until PID is no longer a running NAME
wait_gone() {
    local i
    for ((i = 0; i < $3 * 2; i++)); do alive "$1" "$2" || return 0; sleep 0.5; done
    ! alive "$1" "$2"
}
CONTAINERD_PID="$EXEC/containerd/containerd.pid"   # written by the containerd that dockerd manages
# daemon_pid: print the recorded dockerd PID if that process is alive
daemon_pid() {
    local f pid
    for f in "$DOCKERD_PID" "$LAUNCHER_PID"; do
        pid="$(cat "$f" 2>/dev/null || true)"
        if alive "$pid" dockerd; then printf '%s\n' "$pid"; return 0; fi
    done
    return 1
}
answers() { docker info >/dev/null 2>&1; }
running() { daemon_pid >/dev/null && answers; }
lock() { mkdir -p "$D"; exec 9>"$D/.lock"; flock 9; }

# Install the engine and a *static* busybox (a dynamic one cannot run in a FROM-scratch image).
busybox_static() { [[ -x /bin/busybox ]] && ! ldd /bin/busybox 2>/dev/null | grep -q '=>'; }
ensure_installed() {
    command -v dockerd >/dev/null && command -v docker-init >/dev/null && command -v jq >/dev/null \
        && busybox_static && return 0
    [[ "$(id -u)" == 0 ]] || die "dockerd/docker-init/static busybox missing; run as root (apt-get install docker.io tini busybox-static)"
    local apt_log="$D/apt.log"
    log "installing docker.io tini busybox-static (apt, output in $apt_log)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends docker.io tini busybox-static jq; } >"$apt_log" 2>&1 \
        || { tail -n 30 "$apt_log" | sed 's/^/    /' >&2; die "apt-get install docker.io tini busybox-static failed"; }
    command -v dockerd >/dev/null || die "dockerd still missing after apt-get install"
    busybox_static || die "/bin/busybox is not a static binary even after installing busybox-static"
}

# ---- test images -------------------------------------------------------------------------------
# The recipe's version: images of another recipe are rebuilt.
RECIPE=2
# build_image NAME VARIANT [BUILD-OPTION...]: build one test image from a temporary context
build_image() {
    local name=$1 variant=$2 ctx
    ctx="$(mktemp -d)"
    mkdir -p "$ctx/etc"
    cp /bin/busybox "$ctx/busybox"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ctx/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$ctx/etc/group"
    cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox","--install","-s","/bin"]
COPY etc/ /etc/
RUN ["/bin/sh","-c","mkdir -m 1777 /tmp && mkdir -m 700 /root"]
ENV PATH=/bin
CMD ["sh", "-c", "eval \\"\${RUN:-sleep 3600}\\""]
LABEL celestra.test.variant=$variant celestra.test.recipe=$RECIPE
EOF
    if ! docker build -q "${@:3}" -t "$name" "$ctx" >"$ctx/build.log" 2>&1; then
        sed 's/^/    /' "$ctx/build.log" >&2
        rm -rf "$ctx"
        die "docker build $name failed"
    fi
    rm -rf "$ctx"
    log "built $name ($(docker image inspect -f '{{.Id}}' "$name" | cut -c1-19))"
}
ensure_images() {   # ensure_images [--force]
    local i
    for i in "${!IMAGES[@]}"; do
        if [[ "${1:-}" != --force ]] && [[ "$(docker image inspect -f '{{index .Config.Labels "celestra.test.recipe"}}' \
                "${IMAGES[$i]}" 2>/dev/null)" == "$RECIPE" ]]; then
            log "ok: ${IMAGES[$i]}"
        else
            build_image "${IMAGES[$i]}" "$((i + 1))" ${1:+--no-cache}
        fi
    done
    # a forced rebuild leaves the previous builds dangling
    [[ -z "${1:-}" ]] || docker image prune -f --filter label=celestra.test.variant >/dev/null
}

# ---- subcommands -------------------------------------------------------------------------------
cmd_start() {
    lock
    if daemon_pid >/dev/null; then
        log "dockerd already running (pid $(daemon_pid)), DOCKER_HOST=$DOCKER_HOST"
    else
        ensure_installed
        [[ -e "$LAUNCHER_PID" || -e "$DOCKERD_PID" ]] && log "removing stale pid files"
        rm -f "$LAUNCHER_PID" "$DOCKERD_PID" "$SOCK"
        # dockerd reuses a containerd whose pid file names a live process, and waits forever on a zombie
        alive "$(cat "$CONTAINERD_PID" 2>/dev/null)" containerd || rm -f "$CONTAINERD_PID"
        mkdir -p "$D/data" "$EXEC" "$(dirname "$SOCK")"
        [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.1"
        # a copy, so that the engine does not depend on the clone that started it
        install -m 755 "$(dirname "$(realpath "$0")")/runc-clampoom" "$D/runc-clampoom"
        log "starting dockerd (data-root $D/data, exec-root $EXEC, socket $SOCK)"
        # setsid: own session, survives this script; 9>&- so the daemon does not inherit the lock.
        setsid dockerd --data-root "$D/data" --exec-root "$EXEC" --pidfile "$DOCKERD_PID" -H "unix://$SOCK" \
            --add-runtime "clampoom=$D/runc-clampoom" --default-runtime clampoom \
            </dev/null >"$LOG" 2>&1 9>&- &
        echo $! >"$LAUNCHER_PID"
    fi
    local i launcher
    launcher="$(cat "$LAUNCHER_PID" 2>/dev/null || true)"
    for ((i = 0; i < 120; i++)); do
        answers && break
        # it died: stop waiting (kill -0 of our own child: before its exec it is not called dockerd yet)
        daemon_pid >/dev/null || kill -0 "$launcher" 2>/dev/null || break
        sleep 0.5
    done
    if ! running; then
        printf 'docker.sh: ERROR: dockerd did not answer within 60 s; last lines of %s:\n' "$LOG" >&2
        tail -n 30 "$LOG" 2>/dev/null | sed 's/^/    /' >&2
        die "dockerd failed to start (scripts/docker.sh stop cleans up)"
    fi
    log "dockerd ready: $(docker version -f 'engine {{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null), pid $(daemon_pid)"
    ensure_images
}

cmd_stop() {
    lock
    local pid containerd
    containerd="$(cat "$CONTAINERD_PID" 2>/dev/null || true)"
    if pid="$(daemon_pid)"; then
        log "stopping dockerd (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" dockerd 30; then
            log "dockerd still alive after 30 s; SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            wait_gone "$pid" dockerd 5 || die "dockerd (pid $pid) survives SIGKILL"
        fi
    else
        log "dockerd not running"; pid=
    fi
    # dockerd stops its containerd on a clean exit; after a SIGKILL or a crash it is left behind
    if alive "$containerd" containerd && ! wait_gone "$containerd" containerd 10; then
        log "containerd (pid $containerd) left behind; SIGKILL"
        kill -KILL "$containerd" 2>/dev/null || true
        wait_gone "$containerd" containerd 5 || die "containerd (pid $containerd) survives SIGKILL"
    fi
    rm -f "$LAUNCHER_PID" "$DOCKERD_PID"
    [[ -z "$pid" ]] || log "dockerd stopped"
}

cmd_status() {
    if running; then
        echo "docker.sh: running (pid $(daemon_pid), DOCKER_HOST=$DOCKER_HOST)"
    else
        echo "docker.sh: not running (DOCKER_HOST=$DOCKER_HOST)"
        return 1
    fi
}

cmd_images() {
    running || die "dockerd is not running (scripts/docker.sh start)"
    ensure_images "$@"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) printf 'export DOCKER_HOST=%q\n' "$DOCKER_HOST" ;;
    host) printf '%s\n' "$DOCKER_HOST" ;;
    images)
        shift
        [[ $# == 0 || "$*" == --force ]] || { echo 'usage: scripts/docker.sh images [--force]' >&2; exit 2; }
        cmd_images "$@"
        ;;
    *)
        printf 'usage: scripts/docker.sh start|stop|status|env|host|images [--force]\n' >&2
        printf '  private dockerd under %s (CELESTRA_DOCKER), DOCKER_HOST=%s\n' "$D" "$DOCKER_HOST" >&2
        exit 2
        ;;
esac
