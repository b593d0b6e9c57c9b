#!/usr/bin/env bash
# .ci/services.sh — prepara, como root y en una máquina Debian, lo que
# necesitan las pruebas de Estiba. Se puede ejecutar tantas veces como se
# quiera (idempotente):
#   * el motor de Docker (arranca dockerd si `docker info` falla);
#   * paquetes: tmux, debootstrap, docker-registry, apache2-utils, curl;
#   * un registro de imágenes local (docker-registry de Debian) SOLO en
#     127.0.0.1:5000, con autenticación htpasswd (realm "estiba"), usuario
#     "estudiante" y contraseña $ESTIBA_REGISTRY_PASSWORD (por defecto "estiba").
# No exporta nada; imprime una línea de resumen por servicio.
set -euo pipefail

REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_DIR=/tmp/estiba-registry
REGISTRY_USER=estudiante
REGISTRY_PASSWORD=${ESTIBA_REGISTRY_PASSWORD:-estiba}
DOCKERD_LOG=/tmp/dockerd.log

die() { printf 'services.sh: ERROR: %s\n' "$*" >&2; exit 1; }
log() { printf 'services.sh: %s\n' "$*" >&2; }

[[ $(id -u) -eq 0 ]] || die "hay que ejecutarlo como root."
command -v apt-get >/dev/null || die "se necesita una máquina Debian (apt-get)."

# --- Paquetes -----------------------------------------------------------------
APT_UPDATED=0
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_RC_OURS=0
cleanup() {
    if [[ $POLICY_RC_OURS -eq 1 ]]; then rm -f "$POLICY_RC"; fi
}
trap cleanup EXIT

apt_install() { # apt_install PAQUETE...
    if [[ $APT_UPDATED -eq 0 ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update falló."
        APT_UPDATED=1
    fi
    # Que la instalación no arranque los servicios del paquete (p. ej. el
    # docker-registry de Debian escucharía en :5000 de TODAS las interfaces).
    if [[ ! -e $POLICY_RC ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
        chmod 0755 "$POLICY_RC"
        POLICY_RC_OURS=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
        || die "apt-get install $* falló."
    cleanup
    POLICY_RC_OURS=0
}

# orden -> paquete de Debian que la trae
declare -A NEED=(
    [tmux]=tmux
    [debootstrap]=debootstrap
    [docker-registry]=docker-registry
    [htpasswd]=apache2-utils
    [curl]=curl
    [chroot]=coreutils
    [flock]=util-linux
)
missing=()
for cmd in "${!NEED[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    apt_install "${missing[@]}"
    for cmd in "${!NEED[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 \
            || die "falta «$cmd» aun después de instalar ${NEED[$cmd]} (prueba: apt-get install --reinstall ${NEED[$cmd]})."
    done
fi
printf 'paquetes: ok (tmux, debootstrap, docker-registry, htpasswd, curl)\n'

# --- Motor de Docker ----------------------------------------------------------
docker_ok() { docker info >/dev/null 2>&1; }
if ! command -v docker >/dev/null 2>&1 || ! docker_ok; then
    if ! command -v dockerd >/dev/null 2>&1; then
        apt_install docker.io
    fi
    if ! docker_ok; then
        if pgrep -x dockerd >/dev/null 2>&1; then
            log "dockerd ya está en marcha pero aún no responde; espero"
        else
            log "arrancando dockerd (registro en $DOCKERD_LOG)"
            setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
        fi
        for _ in $(seq 1 60); do
            docker_ok && break
            sleep 1
        done
        if ! docker_ok; then
            tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
            die "el motor de Docker no responde tras 60 s (mira $DOCKERD_LOG)."
        fi
    fi
fi
printf 'docker: ok (API %s, servidor %s)\n' \
    "$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null || echo '?')" \
    "$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"

# --- Registro de imágenes local -----------------------------------------------
http_code() { # http_code URL [curl args...]
    local url=$1; shift
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$@" "$url" 2>/dev/null || true
}
registry_url="http://$REGISTRY_ADDR/v2/"

code=$(http_code "$registry_url")
if [[ "$code" == "000" || -z "$code" ]]; then
    mkdir -p "$REGISTRY_DIR/data"
    chmod 0700 "$REGISTRY_DIR"
    htpasswd -B -b -c "$REGISTRY_DIR/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" >/dev/null 2>&1 \
        || die "htpasswd no pudo crear $REGISTRY_DIR/htpasswd."
    cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: estiba-registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: estiba
    path: $REGISTRY_DIR/htpasswd
EOF
    log "arrancando docker-registry en $REGISTRY_ADDR (registro en $REGISTRY_DIR/registry.log)"
    setsid nohup /usr/bin/docker-registry serve "$REGISTRY_DIR/config.yml" \
        >>"$REGISTRY_DIR/registry.log" 2>&1 </dev/null &
    echo $! >"$REGISTRY_DIR/registry.pid"
    for _ in $(seq 1 30); do
        code=$(http_code "$registry_url")
        [[ "$code" == "000" ]] || break
        sleep 1
    done
fi
if [[ "$code" != "401" ]]; then
    tail -n 20 "$REGISTRY_DIR/registry.log" >&2 2>/dev/null || true
    die "$registry_url responde HTTP $code en vez de 401 (¿hay otro registro sin autenticación en ese puerto? p. ej. el servicio docker-registry de Debian: páralo)."
fi
code=$(http_code "$registry_url" -u "$REGISTRY_USER:$REGISTRY_PASSWORD")
[[ "$code" == "200" ]] \
    || die "$registry_url con $REGISTRY_USER y la contraseña de ESTIBA_REGISTRY_PASSWORD responde HTTP $code en vez de 200."
if ss -ltnH 2>/dev/null | awk '{print $4}' | grep -Eq '^(0\.0\.0\.0|\*|\[::\]):5000$'; then
    die "algo escucha en el puerto 5000 de todas las interfaces; el registro debe escuchar solo en $REGISTRY_ADDR."
fi
printf 'registro: ok (http://%s, usuario %s, sin credenciales 401, con credenciales 200)\n' "$REGISTRY_ADDR" "$REGISTRY_USER"
