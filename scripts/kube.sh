#!/usr/bin/env bash
# A private single-node Kubernetes 1.20.2 cluster for the Celestra tests, on loopback.
#
#   scripts/kube.sh build    build (once, cached) kube-apiserver, kube-controller-manager, kube-scheduler,
#                            kubelet and kubectl from Debian bookworm's source package `kubernetes`
#                            (1.20.5+really1.20.2-1.1+deb12u1), with the reflect2 fix, and the pause binary
#   scripts/kube.sh start    build if needed, start the Docker engine of scripts/docker.sh, then etcd,
#                            kube-apiserver, kube-controller-manager (hostpath provisioner on),
#                            kube-scheduler and a kubelet (dockershim on that engine); wait until the node
#                            is Ready, a default StorageClass exists and the default ServiceAccount is there
#   scripts/kube.sh stop     stop every process by its recorded PID (TERM, 30 s, KILL), remove the pods'
#                            containers from the engine, unmount the kubelet's tmpfs mounts and remove the
#                            iptables chains the kubelet installed (KUBE-*)
#   scripts/kube.sh status   exit 0 and say "running", or exit 1 and say "not running"
#   scripts/kube.sh env      print lines for eval: KUBECONFIG, CELESTRA_KUBECTL, CELESTRA_KUBECONFIG_LIMITED
#   scripts/kube.sh kubeconfig   print the admin kubeconfig path
#
# Everything lives under K=${CELESTRA_KUBE:-$HOME/.cache/celestra-kube}:
#   K/bin/       the binaries (cached across runs; K/bin/.recipe names the recipe that built them)
#   K/run/       this start's state: pki/, etcd/, kubelet/, *.log, *.pid, kubeconfig, kubeconfig-limited
# Each start begins from an empty K/run (new CA, new tokens, empty etcd), so tests see a clean cluster.
#
# The cluster: API server https://127.0.0.1:16443 (RBAC + Node authorizer, static tokens), etcd on
# 127.0.0.1:23790/23800, controller-manager 127.0.0.1:10357, scheduler 127.0.0.1:10359, kubelet
# 127.0.0.1:10350 as node `localhost`. No CNI and no kube-proxy: pods get addresses on the private
# engine's bridge, ClusterIP Services do not route and there is no cluster DNS (the tests do not need them).
# Two users: `admin` (system:masters) in K/run/kubeconfig, and `celestra-limited` (no permissions until a
# test binds some) in K/run/kubeconfig-limited. Both kubeconfigs carry their credentials inline.
# Progress goes to stderr; only `env`, `kubeconfig` and `status` write to stdout.
set -euo pipefail

log() { printf 'kube.sh: %s\n' "$*" >&2; }
die() { printf 'kube.sh: ERROR: %s\n' "$*" >&2; exit 1; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K="$(realpath -m -- "${CELESTRA_KUBE:-$HOME/.cache/celestra-kube}")"
B="$K/bin" R="$K/run"
VERSION=1.20.5+really1.20.2-1.1+deb12u1
# The recipe's version: binaries of another recipe are rebuilt.
RECIPE="$VERSION reflect2-1.0.2 r1"
BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)
API=https://127.0.0.1:16443
PAUSE_IMAGE=k8s.gcr.io/pause:3.2
KUBECTL="$B/kubectl"

# ---- helpers -----------------------------------------------------------------------------------
# alive PID NAME: PID is a running (non-zombie) process called NAME (the name guards against a recycled PID)
alive() {
    local stat
    [[ "$1" =~ ^[0-9]+$ ]] && stat="$(cat "/proc/$1/stat" 2>/dev/null)" && [[ "${stat#*\(}" == "$2) "[!Z]* ]]
}
wait_gone() {
    local i
    for ((i = 0; i < $3 * 2; i++)); do alive "$1" "$2" || return 0; sleep 0.5; done
    ! alive "$1" "$2"
}
lock() { mkdir -p "$K"; exec 9>"$K/.lock"; flock 9; }
kc() { "$KUBECTL" --kubeconfig "$R/kubeconfig" "$@"; }
readyz() { [[ -f "$R/pki/ca.crt" ]] && curl -sf --max-time 2 --cacert "$R/pki/ca.crt" \
    -H "Authorization: Bearer $(cat "$R/admin.token" 2>/dev/null)" "$API/readyz" >/dev/null 2>&1; }
# comm names are cut to 15 characters by the kernel
PROCS=(kubelet:kubelet sched:kube-scheduler kcm:kube-controller kas:kube-apiserver etcd:etcd)
running() { alive "$(cat "$R/kas.pid" 2>/dev/null)" kube-apiserver && alive "$(cat "$R/kubelet.pid" 2>/dev/null)" kubelet && readyz; }

# ---- build -------------------------------------------------------------------------------------
built() {
    local b
    [[ "$(cat "$B/.recipe" 2>/dev/null)" == "$RECIPE" ]] || return 1
    for b in "${BINS[@]}" pause; do [[ -x "$B/$b" ]] || return 1; done
}
apt_install() {   # apt_install PACKAGE...: install the missing ones (as root)
    local missing=() p
    for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    [[ "$(id -u)" == 0 ]] || die "missing packages ${missing[*]}; run as root"
    log "installing ${missing[*]} (apt)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
        >"$K/apt.log" 2>&1 || { tail -n 30 "$K/apt.log" | sed 's/^/    /' >&2; die "apt-get install ${missing[*]} failed"; }
}
cmd_build() {
    mkdir -p "$K"
    built && { log "ok: binaries of recipe '$RECIPE' in $B"; return 0; }
    local W="$K/build" t0=$SECONDS
    apt_install golang-go etcd-server rsync dpkg-dev golang-github-modern-go-reflect2-dev gcc libc6-dev openssl curl jq
    rm -rf "$W" && mkdir -p "$W"
    # The source package, from Debian's archive through apt (a temporary deb-src entry, removed again).
    local src_list=/etc/apt/sources.list.d/celestra-kube-src.sources
    log "downloading the source package kubernetes=$VERSION"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$src_list"
    local ok=0
    if apt-get update -qq >"$W/apt-src.log" 2>&1 \
        && (cd "$W" && apt-get source -qq --download-only "kubernetes=$VERSION") >>"$W/apt-src.log" 2>&1; then ok=1; fi
    rm -f "$src_list"; apt-get update -qq >/dev/null 2>&1 || true
    ((ok)) || { tail -n 20 "$W/apt-src.log" | sed 's/^/    /' >&2; die "apt-get source kubernetes=$VERSION failed"; }
    (cd "$W" && dpkg-source -x ./kubernetes_*.dsc src) >"$W/extract.log" 2>&1 || die "dpkg-source -x failed ($W/extract.log)"
    cd "$W/src"
    # reflect2 1.0.1 (vendored) faults under Go >= 1.18 on the first custom resource; 1.0.2 is Debian's fix
    rm -rf vendor/github.com/modern-go/reflect2
    cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/
    rm -f vendor/github.com/modern-go/reflect2/go.mod
    mkdir -p .go/src/k8s.io && ln -sfn ../../.. .go/src/k8s.io/kubernetes   # GOPATH mode, as debian/rules does
    log "building ${BINS[*]} (Go $(go version | awk '{print $3}'); several minutes; log in $W/make.log)"
    local what="" b
    for b in "${BINS[@]}"; do what+="cmd/$b "; done
    if ! env GOPATH="$W/src/.go" GOCACHE="$W/gocache" HOME="$W" CGO_ENABLED=0 KUBE_GIT_VERSION=v1.20.2 \
            make WHAT="${what% }" >"$W/make.log" 2>&1; then
        tail -n 30 "$W/make.log" | sed 's/^/    /' >&2
        die "make failed"
    fi
    gcc -Os -Wall -static -o "$W/pause" build/pause/linux/pause.c >>"$W/make.log" 2>&1 || die "building pause failed"
    mkdir -p "$B.new" && rm -f "$B.new"/*
    for b in "${BINS[@]}"; do cp "_output/bin/$b" "$B.new/$b"; done
    cp "$W/pause" "$B.new/pause"
    echo "$RECIPE" >"$B.new/.recipe"
    rm -rf "$B" && mv "$B.new" "$B"
    cd "$K" && rm -rf "$W"   # the tree and the Go cache (about 3 GB) are not needed again
    log "built in $((SECONDS - t0)) s: $("$B/kube-apiserver" --version)"
}

# ---- start -------------------------------------------------------------------------------------
pki() {
    mkdir -p "$R/pki" && cd "$R/pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 7 -subj /CN=celestra-test-ca 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=kube-apiserver 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 7 -extfile ext.cnf 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    local admin limited
    admin="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    limited="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '%s\n' "$admin" >"$R/admin.token"
    printf '%s,admin,admin-uid,system:masters\n%s,celestra-limited,limited-uid\n' "$admin" "$limited" >tokens.csv
    chmod 600 tokens.csv "$R/admin.token" ca.key server.key sa.key
    local ca; ca="$(base64 -w0 ca.crt)"
    kubeconfig "$R/kubeconfig" admin "$admin" "$ca"
    kubeconfig "$R/kubeconfig-limited" celestra-limited "$limited" "$ca"
    cd "$R"
}
kubeconfig() {   # kubeconfig FILE USER TOKEN CA-DATA
    cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: celestra-test
  cluster:
    server: $API
    certificate-authority-data: $4
users:
- name: $2
  user:
    token: $3
contexts:
- name: celestra-test
  context:
    cluster: celestra-test
    user: $2
    namespace: default
current-context: celestra-test
KC
    chmod 600 "$1"
}
spawn() {   # spawn NAME COMMAND...: start in its own session, record its PID in R/NAME.pid
    local name=$1; shift
    setsid "$@" </dev/null >"$R/$name.log" 2>&1 9>&- &
    echo $! >"$R/$name.pid"
}
wait_for() {   # wait_for SECONDS WHAT COMMAND...
    local n=$1 what=$2 i; shift 2
    for ((i = 0; i < n * 2; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
    return 1
}
node_ready() { [[ "$(kc get node localhost -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]; }
fail_start() {   # fail_start WHAT LOGNAME
    log "$1; last lines of $R/$2.log:"
    tail -n 25 "$R/$2.log" 2>/dev/null | sed 's/^/    /' >&2
    stop_all
    die "$1"
}
cmd_start() {
    cmd_build
    "$HERE/docker.sh" start
    local dh; dh="$("$HERE/docker.sh" host)"
    lock
    if running; then log "already running ($API, KUBECONFIG=$R/kubeconfig)"; return 0; fi
    stop_all
    # the pause image of every pod sandbox, FROM scratch (no registry is reachable)
    if ! DOCKER_HOST="$dh" docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1; then
        local ctx; ctx="$(mktemp -d)"
        cp "$B/pause" "$ctx/pause"
        printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
        DOCKER_HOST="$dh" DOCKER_BUILDKIT=0 docker build -q -t "$PAUSE_IMAGE" "$ctx" >/dev/null || die "building $PAUSE_IMAGE failed"
        rm -rf "$ctx"
        log "built $PAUSE_IMAGE"
    fi
    rm -rf "$R" && mkdir -p "$R/etcd" "$R/kubelet"
    pki
    local t0=$SECONDS
    spawn etcd etcd --name default --data-dir "$R/etcd" --listen-client-urls http://127.0.0.1:23790 \
        --advertise-client-urls http://127.0.0.1:23790 --listen-peer-urls http://127.0.0.1:23800 \
        --initial-advertise-peer-urls http://127.0.0.1:23800 --initial-cluster default=http://127.0.0.1:23800
    spawn kas "$B/kube-apiserver" --etcd-servers=http://127.0.0.1:23790 --bind-address=127.0.0.1 \
        --advertise-address=127.0.0.1 --secure-port=16443 --insecure-port=0 --endpoint-reconciler-type=none \
        --tls-cert-file="$R/pki/server.crt" --tls-private-key-file="$R/pki/server.key" \
        --client-ca-file="$R/pki/ca.crt" --token-auth-file="$R/pki/tokens.csv" --authorization-mode=Node,RBAC \
        --service-account-key-file="$R/pki/sa.key" --service-account-signing-key-file="$R/pki/sa.key" \
        --service-account-issuer=https://kubernetes.default.svc --api-audiences=https://kubernetes.default.svc \
        --service-cluster-ip-range=10.96.0.0/16 --kubelet-preferred-address-types=Hostname --cert-dir="$R/certs"
    wait_for 60 apiserver readyz || fail_start "kube-apiserver not ready within 60 s" kas
    log "apiserver ready after $((SECONDS - t0)) s"
    spawn kcm "$B/kube-controller-manager" --kubeconfig="$R/kubeconfig" --service-account-private-key-file="$R/pki/sa.key" \
        --root-ca-file="$R/pki/ca.crt" --bind-address=127.0.0.1 --secure-port=10357 --port=0 --leader-elect=false \
        --controllers='*,-nodeipam' --enable-hostpath-provisioner=true --use-service-account-credentials=false
    spawn sched "$B/kube-scheduler" --kubeconfig="$R/kubeconfig" --bind-address=127.0.0.1 --secure-port=10359 \
        --port=0 --leader-elect=false
    cat >"$R/kubelet-config.yaml" <<KC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10350
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10348
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
evictionHard: {"memory.available": "1Mi", "nodefs.available": "1%", "imagefs.available": "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
KC
    spawn kubelet "$B/kubelet" --kubeconfig="$R/kubeconfig" --config="$R/kubelet-config.yaml" --root-dir="$R/kubelet" \
        --cert-dir="$R/kubelet/pki" --hostname-override=localhost --container-runtime=docker --docker-endpoint="$dh" \
        --pod-infra-container-image="$PAUSE_IMAGE"
    wait_for 90 node node_ready || fail_start "node localhost not Ready within 90 s" kubelet
    log "node Ready after $((SECONDS - t0)) s"
    kc apply -f - >/dev/null <<SC || fail_start "creating the default StorageClass failed" kas
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: hostpath
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
SC
    wait_for 60 "default ServiceAccount" kc -n default get serviceaccount default \
        || fail_start "no default ServiceAccount within 60 s" kcm
    log "cluster ready after $((SECONDS - t0)) s: $API (Kubernetes $("$B/kube-apiserver" --version | awk '{print $2}')), KUBECONFIG=$R/kubeconfig"
}

# ---- stop --------------------------------------------------------------------------------------
stop_all() {
    local entry name comm pid dh
    for entry in "${PROCS[@]}"; do
        name=${entry%%:*} comm=${entry#*:}
        pid="$(cat "$R/$name.pid" 2>/dev/null || true)"
        if alive "$pid" "$comm"; then
            log "stopping $comm (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            if ! wait_gone "$pid" "$comm" 30; then
                kill -KILL "$pid" 2>/dev/null || true
                wait_gone "$pid" "$comm" 5 || die "$comm (pid $pid) survives SIGKILL"
            fi
        fi
        rm -f "$R/$name.pid"
    done
    # the pods' containers (dockershim labels them) on our own engine
    if "$HERE/docker.sh" status >/dev/null 2>&1; then
        dh="$("$HERE/docker.sh" host)"
        local ids; ids="$(DOCKER_HOST="$dh" docker ps -aq --filter label=io.kubernetes.docker.type 2>/dev/null || true)"
        if [[ -n "$ids" ]]; then
            log "removing $(wc -w <<<"$ids") pod containers"
            # shellcheck disable=SC2086
            DOCKER_HOST="$dh" docker rm -f $ids >/dev/null 2>&1 || true
        fi
    fi
    # the kubelet's tmpfs mounts (secret and service-account volumes) under its root dir
    local m
    if [[ -d "$R/kubelet" ]]; then
        while read -r m; do
            [[ -n "$m" ]] && umount -l "$m" 2>/dev/null || true
        done < <(awk -v p="$R/kubelet/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r)
    fi
    clean_iptables
}
# Remove the KUBE-* chains (and the jumps to them) that the kubelet installed; they outlive it.
clean_iptables() {
    command -v iptables >/dev/null || return 0
    local t rule chain
    for t in filter nat mangle; do
        iptables -t "$t" -S >/dev/null 2>&1 || continue
        while read -r rule; do
            # shellcheck disable=SC2086
            [[ -n "$rule" ]] && iptables -t "$t" ${rule/#-A /-D } 2>/dev/null || true
        done < <(iptables -t "$t" -S | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' || true)
        for chain in $(iptables -t "$t" -S | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
            iptables -t "$t" -F "$chain" 2>/dev/null || true
        done
        for chain in $(iptables -t "$t" -S | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
            iptables -t "$t" -X "$chain" 2>/dev/null || true
        done
    done
}
cmd_stop() { lock; stop_all; log "stopped"; }

cmd_status() {
    if running; then echo "kube.sh: running ($API, KUBECONFIG=$R/kubeconfig)"; else echo "kube.sh: not running"; return 1; fi
}

case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env)
        printf 'export KUBECONFIG=%q\nexport CELESTRA_KUBECTL=%q\nexport CELESTRA_KUBECONFIG_LIMITED=%q\n' \
            "$R/kubeconfig" "$KUBECTL" "$R/kubeconfig-limited"
        ;;
    kubeconfig) printf '%s\n' "$R/kubeconfig" ;;
    *)
        printf 'usage: scripts/kube.sh build|start|stop|status|env|kubeconfig\n  cluster state under %s (CELESTRA_KUBE)\n' "$K" >&2
        exit 2
        ;;
esac
