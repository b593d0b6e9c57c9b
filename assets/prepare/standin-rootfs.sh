#!/usr/bin/env bash
# standin-rootfs.sh OUT_DIR [SUITE]
#
# Construye con debootstrap (variante minbase) un sistema de ficheros Debian
# que hace de sustituto local de la imagen ubuntu:24.04, que aquí no se puede
# descargar. Incluye un repositorio apt local (file:/var/local/estiba-apt) con
# g++, cmake y make y todas sus dependencias, para que
#   apt-get install -y --no-install-recommends g++ cmake make
# funcione dentro de un `docker build --network none`.
#
# Resultado (todo dentro de OUT_DIR):
#   OUT_DIR/rootfs/        el sistema de ficheros (solo para chroot y caché)
#   OUT_DIR/rootfs.tar     el mismo árbol, listo para importar (POST
#                          /images/create?fromSrc=-); /dev va vacío
#   OUT_DIR/.complete      marca de caché; se escribe lo último y queda FUERA
#                          de rootfs/ y de rootfs.tar
#   OUT_DIR/*.log          salida de debootstrap y apt, por si algo falla
#
# Contrato de salida para quien lo llame (p. ej. `estiba prepare`):
#   stdout: líneas "PASO k/N: <texto>" y, al final, "LISTO: <ruta de rootfs.tar>"
#   stderr: "ERROR: <mensaje>" y el código de salida distinto de cero si falla.
# Es idempotente: si OUT_DIR/.complete existe (y es de la misma SUITE) no
# vuelve a descargar nada. Necesita root, debootstrap y acceso a la réplica
# de paquetes de Debian que usa debootstrap por defecto. No monta nada.

set -euo pipefail
export LC_ALL=C

TOTAL=7
REPO_IN_ROOTFS=/var/local/estiba-apt
PACKAGES=(g++ cmake make)
REQUIRED_TOOLS=(useradd groupadd grep id sh touch apt-get)

paso() { printf 'PASO %d/%d: %s\n' "$1" "$TOTAL" "$2"; }
REPORTED=0
fallo() { printf 'ERROR: %s\n' "$*" >&2; REPORTED=1; exit 1; }
muestra_log() { # muestra_log FICHERO: últimas líneas del log a stderr
    if [[ -s "$1" ]]; then
        printf -- '--- últimas líneas de %s ---\n' "$1" >&2
        tail -n 25 "$1" >&2
    fi
}

CURRENT_STEP="preparación"
# shellcheck disable=SC2154  # rc se asigna dentro de la trampa
trap 'rc=$?; if [[ $rc -ne 0 && $REPORTED -eq 0 ]]; then printf "ERROR: falló el paso «%s» (código %d). Revisa los registros en %s.\n" "$CURRENT_STEP" "$rc" "${OUT_DIR:-?}" >&2; fi' EXIT

if [[ $# -lt 1 || $# -gt 2 || -z "${1:-}" ]]; then
    printf 'Uso: %s OUT_DIR [SUITE]\n' "$0" >&2
    REPORTED=1
    exit 2
fi

OUT_DIR=$1
SUITE=${2:-}
if [[ -z "$SUITE" ]]; then
    # shellcheck disable=SC1091
    SUITE=$(. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}") || true
    [[ -n "$SUITE" ]] || fallo "no se pudo deducir la versión de Debian (VERSION_CODENAME en /etc/os-release); pásala como segundo argumento, p. ej. bookworm."
fi
[[ "$SUITE" =~ ^[a-z0-9.-]+$ ]] || fallo "nombre de versión de Debian no válido: «$SUITE»."

# ---------------------------------------------------------------------------
CURRENT_STEP="comprobar requisitos"
paso 1 "Comprobando requisitos (root, debootstrap, chroot, tar)"
[[ $(id -u) -eq 0 ]] || fallo "hay que ejecutar este script como root (debootstrap y chroot lo exigen)."
for tool in debootstrap chroot dpkg dpkg-deb tar sha256sum md5sum flock; do
    command -v "$tool" >/dev/null 2>&1 || fallo "falta la herramienta «$tool» en este equipo (en Debian: apt-get install debootstrap)."
done

mkdir -p "$OUT_DIR" || fallo "no se pudo crear el directorio $OUT_DIR."
OUT_DIR=$(cd "$OUT_DIR" && pwd)
ROOTFS=$OUT_DIR/rootfs
TARBALL=$OUT_DIR/rootfs.tar
MARK_DONE=$OUT_DIR/.complete
MARK_BASE=$OUT_DIR/.base-complete
ORIG_SOURCES=$OUT_DIR/debootstrap-sources.list
DEBOOTSTRAP_LOG=$OUT_DIR/debootstrap.log
APT_LOG=$OUT_DIR/apt-download.log

# Un solo proceso a la vez por OUT_DIR.
exec 9>"$OUT_DIR/.lock"
flock -n 9 || fallo "ya hay otra preparación en marcha sobre $OUT_DIR."

in_chroot() {
    chroot "$ROOTFS" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

verifica_herramientas() {
    local missing=() t
    for t in "${REQUIRED_TOOLS[@]}"; do
        in_chroot sh -c "command -v '$t'" >/dev/null 2>&1 || missing+=("$t")
    done
    [[ ${#missing[@]} -eq 0 ]] || fallo "al sistema base le faltan estas órdenes: ${missing[*]}."
    grep -qx "deb \[trusted=yes\] file:$REPO_IN_ROOTFS ./" "$ROOTFS/etc/apt/sources.list" \
        || fallo "/etc/apt/sources.list del sistema base no apunta al repositorio local."
    [[ -s "$ROOTFS$REPO_IN_ROOTFS/Packages" ]] || fallo "falta el índice Packages del repositorio local."
}

# ---------------------------------------------------------------------------
if [[ -f "$MARK_DONE" && "$(cat "$MARK_DONE")" == "suite=$SUITE" && -d "$ROOTFS" && -s "$TARBALL" ]]; then
    CURRENT_STEP="reutilizar caché"
    paso 2 "Reutilizando el sistema base Debian $SUITE ya preparado en $ROOTFS"
    paso 3 "Repositorio apt local ya descargado (en caché)"
    paso 4 "Índice del repositorio local ya generado (en caché)"
    paso 5 "Fuentes de apt ya configuradas (en caché)"
    CURRENT_STEP="verificar herramientas"
    paso 6 "Verificando useradd, groupadd, grep, id, sh y touch en la imagen"
    verifica_herramientas
    paso 7 "Paquete para importar ya generado (en caché)"
    trap - EXIT
    printf 'LISTO: %s\n' "$TARBALL"
    exit 0
fi
rm -f "$MARK_DONE" "$TARBALL"

# ---------------------------------------------------------------------------
CURRENT_STEP="debootstrap"
if [[ -f "$MARK_BASE" && "$(cat "$MARK_BASE")" == "suite=$SUITE" && -d "$ROOTFS" && -s "$ORIG_SOURCES" ]]; then
    paso 2 "Reutilizando el sistema base Debian $SUITE descargado antes"
else
    paso 2 "Creando el sistema base Debian $SUITE con debootstrap (minbase); tarda unos minutos"
    rm -f "$MARK_BASE"
    rm -rf "$ROOTFS"
    # passwd (useradd/groupadd) ya es «required» en Debian, pero lo pedimos
    # explícitamente por si otra versión deja de incluirlo en minbase.
    if ! debootstrap --variant=minbase --include=passwd "$SUITE" "$ROOTFS" >"$DEBOOTSTRAP_LOG" 2>&1; then
        muestra_log "$DEBOOTSTRAP_LOG"
        fallo "debootstrap no pudo crear el sistema base Debian $SUITE (¿hay acceso a la réplica de paquetes de Debian?)."
    fi
    grep -Eq '^deb ' "$ROOTFS/etc/apt/sources.list" 2>/dev/null \
        || fallo "debootstrap no dejó un /etc/apt/sources.list utilizable."
    # Guardamos FUERA del rootfs las fuentes que eligió debootstrap: se usan
    # solo para descargar, y permiten repetir los pasos siguientes.
    cp "$ROOTFS/etc/apt/sources.list" "$ORIG_SOURCES"
    printf 'suite=%s\n' "$SUITE" >"$MARK_BASE"
fi

# ---------------------------------------------------------------------------
CURRENT_STEP="descargar g++, cmake y make"
paso 3 "Descargando g++, cmake y make con sus dependencias (sin recomendados)"
DL_LIST=/tmp/estiba-download.list
cp "$ORIG_SOURCES" "$ROOTFS$DL_LIST"
# El paso 5 vacía /etc/resolv.conf; para descargar (también al repetir desde
# la caché) hace falta el del anfitrión.
rm -f "$ROOTFS/etc/resolv.conf"
cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || : >"$ROOTFS/etc/resolv.conf"
APT_DL_OPTS=(-o "Dir::Etc::SourceList=$DL_LIST" -o "Dir::Etc::SourceParts=-")
rm -f "$ROOTFS"/var/cache/apt/archives/*.deb
: >"$APT_LOG"
if ! in_chroot apt-get "${APT_DL_OPTS[@]}" --error-on=any update >>"$APT_LOG" 2>&1; then
    muestra_log "$APT_LOG"
    fallo "apt-get update falló dentro del sistema base (¿hay acceso a la réplica de paquetes de Debian?)."
fi
if ! in_chroot apt-get "${APT_DL_OPTS[@]}" install -y --download-only --no-install-recommends "${PACKAGES[@]}" >>"$APT_LOG" 2>&1; then
    muestra_log "$APT_LOG"
    fallo "no se pudieron descargar ${PACKAGES[*]} y sus dependencias."
fi
rm -f "$ROOTFS$DL_LIST"

REPO=$ROOTFS$REPO_IN_ROOTFS
rm -rf "$REPO"
mkdir -p "$REPO"
shopt -s nullglob
debs=("$ROOTFS"/var/cache/apt/archives/*.deb)
shopt -u nullglob
[[ ${#debs[@]} -gt 0 ]] || fallo "apt no descargó ningún paquete .deb."
mv "${debs[@]}" "$REPO"/

# ---------------------------------------------------------------------------
CURRENT_STEP="generar el índice Packages"
paso 4 "Generando el índice del repositorio apt local (${#debs[@]} paquetes)"
(
    cd "$REPO"
    for deb in *.deb; do
        # Campos de control del paquete, sin líneas vacías al final.
        dpkg-deb -f "$deb" | sed -e '/^[[:space:]]*$/d'
        printf 'Filename: ./%s\n' "$deb"
        printf 'Size: %s\n' "$(stat -c %s "$deb")"
        printf 'MD5sum: %s\n' "$(md5sum "$deb" | cut -d' ' -f1)"
        printf 'SHA256: %s\n' "$(sha256sum "$deb" | cut -d' ' -f1)"
        printf '\n'
    done >Packages.tmp
    mv Packages.tmp Packages
    # Comprobación mínima: un registro por .deb.
    n_idx=$(grep -c '^Package: ' Packages)
    n_deb=$(find . -maxdepth 1 -name '*.deb' | wc -l)
    [[ "$n_idx" -eq "$n_deb" ]] || { printf 'ERROR: el índice tiene %s entradas para %s paquetes.\n' "$n_idx" "$n_deb" >&2; exit 1; }
    # Un Release mínimo (sin firmar: la fuente lleva [trusted=yes]) evita que
    # apt pruebe Packages.xz, .gz, ... y Translation-* antes de dar con Packages.
    {
        printf 'Origin: Estiba\nLabel: Estiba\nSuite: estiba\nCodename: estiba\n'
        printf 'Date: %s\n' "$(date -Ru)"
        printf 'Architectures: %s all\n' "$(dpkg --print-architecture)"
        printf 'Description: Repositorio local de Estiba (g++, cmake, make y dependencias)\n'
        printf 'MD5Sum:\n %s %s Packages\n' "$(md5sum Packages | cut -d' ' -f1)" "$(stat -c %s Packages)"
        printf 'SHA256:\n %s %s Packages\n' "$(sha256sum Packages | cut -d' ' -f1)" "$(stat -c %s Packages)"
    } >Release
)
chmod 0755 "$REPO"
chmod 0644 "$REPO"/*

# ---------------------------------------------------------------------------
CURRENT_STEP="configurar apt"
paso 5 "Configurando apt para usar solo el repositorio local y limpiando cachés"
printf 'deb [trusted=yes] file:%s ./\n' "$REPO_IN_ROOTFS" >"$ROOTFS/etc/apt/sources.list"
rm -rf "$ROOTFS"/etc/apt/sources.list.d
mkdir -p "$ROOTFS"/etc/apt/sources.list.d
# Mismo comportamiento que la imagen oficial: no guardar .deb tras instalar.
cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
rm -rf "$ROOTFS"/var/lib/apt/lists/*
rm -f "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/archives/partial/* "$ROOTFS"/var/cache/apt/*.bin
# Nada del equipo anfitrión dentro de la imagen (Docker los monta al arrancar).
rm -f "$ROOTFS$DL_LIST" "$ROOTFS/etc/resolv.conf"
: >"$ROOTFS/etc/resolv.conf"
printf 'localhost\n' >"$ROOTFS/etc/hostname"
printf 'Imagen sustituta de ubuntu:24.04 construida con debootstrap a partir de Debian %s; incluye un repositorio apt local con g++, cmake y make para trabajar sin red.\n' \
    "$SUITE" >"$ROOTFS/etc/estiba-standin"

# ---------------------------------------------------------------------------
CURRENT_STEP="verificar herramientas"
paso 6 "Verificando useradd, groupadd, grep, id, sh y touch en la imagen"
verifica_herramientas

# ---------------------------------------------------------------------------
CURRENT_STEP="empaquetar"
paso 7 "Empaquetando el sistema de ficheros para importarlo ($TARBALL)"
# /dev va vacío (Docker monta el suyo); los nombres de usuario, numéricos.
if ! tar -C "$ROOTFS" --numeric-owner --one-file-system \
        --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        -cf "$TARBALL.tmp" . ; then
    rm -f "$TARBALL.tmp"
    fallo "no se pudo empaquetar $ROOTFS."
fi
mv "$TARBALL.tmp" "$TARBALL"

printf 'suite=%s\n' "$SUITE" >"$MARK_DONE"
trap - EXIT
printf 'LISTO: %s\n' "$TARBALL"
