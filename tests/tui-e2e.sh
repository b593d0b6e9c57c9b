#!/usr/bin/env bash
# Drives the real TUI in tmux against the real Docker engine, as a learner would:
# build and run the Ubuntu-based image, open `sh` in it and type `id`, try `sh` in the scratch
# image, quit, and check the terminal is usable afterwards. Also: no engine, tiny terminals.
# Usage: tests/tui-e2e.sh [path/to/estiba]   (default: target/release/estiba)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$(realpath "${1:-target/release/estiba}")
S=estiba-e2e-$$
# Progress goes to a folder of this run's own, so each run starts at step 1.
export ESTIBA_STATE_DIR=$(mktemp -d)
PASSED=0
FAILED=0

screen() { tmux capture-pane -p -t "$S"; }
keys() { tmux send-keys -t "$S" "$@"; }
# wait_for TEXT SECONDS: waits until TEXT is on screen.
wait_for() {
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
check() { # check NAME TEXT SECONDS
    if wait_for "$2" "$3"; then
        PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$1"
    else
        FAILED=$((FAILED + 1)); printf 'FAIL %s: no aparece «%s»\n--- pantalla ---\n' "$1" "$2"; screen; printf -- '---\n'
    fi
}
start() { # start WIDTH HEIGHT [ENV...]: a shell in tmux running estiba
    tmux kill-session -t "$S" 2>/dev/null
    tmux new-session -d -s "$S" -x "$1" -y "$2" "env PS1='$ ' bash --norc --noprofile"
    shift 2
    sleep 0.3
    keys "cd '$ROOT' && $* '$BIN' ${ARGS:-}; echo EXIT=\$?" Enter
}
trap 'tmux kill-session -t "$S" 2>/dev/null' EXIT

# 1. The lesson against the engine. The base image is taken away first (only Estiba's own
# stand-in, recognised by its label), so the first build must make it again, as on a new machine.
# What an earlier run of the lesson kept (`check --keep`, a benchmark) would hold the base: Estiba's
# own clean removes it first (only what carries the lesson's label).
"$BIN" clean >/dev/null 2>&1
STANDIN=$(docker image inspect -f '{{index .Config.Labels "estiba.standin"}}' ubuntu:24.04 2>/dev/null)
[ -n "$STANDIN" ] && [ "$STANDIN" != "<no value>" ] && docker rmi ubuntu:24.04 >/dev/null
start 120 40 env ESTIBA_REGISTRY_PASSWORD=estiba
check "arranca con el motor" "API 1." 20
keys Right
check "paso 2" "2/9 Imagen para compilar" 5
keys Enter
if [ -n "$STANDIN" ] && [ "$STANDIN" != "<no value>" ]; then
    check "prepara la imagen base que falta" "Falta la imagen base ubuntu:24.04" 20
fi
check "construye la imagen para compilar" "✔ superada · código 0" 600
keys Right
check "paso 3" "3/9 Crear un contenedor" 5
keys Enter
check "construye hola:1.0.0" "✔ superada · código 0" 600
# The build left the focus on the run pane, with the next command (docker images) selected.
keys Down Down
sleep 0.3
keys Enter
check "ejecuta docker run hola:1.0.0" "── docker run --rm hola:1.0.0" 10
# In the run pane, right after the border: the lesson pane's hola.cpp listing also says Hola Mundo!!.
check "docker run hola:1.0.0 dice Hola Mundo!!" "││Hola Mundo!!" 60
check "y pasa" "✔ superada · código 0" 10
keys Right
check "paso 4" "4/9 Scratch" 5
keys Enter
check "construye hola:2.0.0" "✔ superada · código 0" 600
keys Down Down
sleep 0.3
keys Enter
check "abre la shell en hola:1.0.0" "Shell en el contenedor" 30
check "prompt de sh" "││# " 30
keys i d Enter
check "id es root" "││uid=0(root) gid=0(root)" 20
keys e x i t Enter
check "al salir, la orden pasa" "✔ superada · código 0" 20
keys Up
sleep 0.3
keys Enter
check "vuelve a abrir la shell" "Shell en el contenedor" 30
sleep 1
keys C-]
check "Ctrl-] cierra la shell" "■ cancelada" 20
# The container is stopped and removed in the background: give the engine a few seconds.
gone=0
for _ in $(seq 50); do
    [ -z "$(docker ps -aq --filter label=estiba.lesson=cpp-seguro 2>/dev/null)" ] && { gone=1; break; }
    sleep 0.2
done
if [ "$gone" = 1 ]; then PASSED=$((PASSED + 1)); echo "ok   sin contenedores tras Ctrl-]"; else FAILED=$((FAILED + 1)); echo "FAIL quedan contenedores tras Ctrl-]"; docker ps -a --filter label=estiba.lesson=cpp-seguro; fi
keys Down
sleep 0.3
keys Enter
check "sh en scratch: error del motor" "││docker: Error response from daemon: failed to create" 30
check "que dice que no hay sh" "executable file not found" 5
check "el fallo esperado pasa" "✔ superada · código 127" 10
keys q
check "q sale con código 0" "EXIT=0" 15
# Progress is kept: the lesson opens again at the step where the learner left it.
keys "clear; ESTIBA_REGISTRY_PASSWORD=estiba '$BIN'; echo EXIT=\$?" Enter
check "vuelve al paso 4 al reabrir" "4/9 Scratch" 20
check "recuerda lo superado" "✔ $ docker build -t hola:2.0.0" 5
keys q
check "sale otra vez con código 0" "EXIT=0" 15
keys "stty -a | grep -o -- '-*icanon' ; echo listo-\$((40+2))" Enter
check "la terminal queda usable" "listo-42" 5
if screen | grep -q -- "-icanon"; then FAILED=$((FAILED + 1)); echo "FAIL la terminal quedó en modo raw"; else PASSED=$((PASSED + 1)); echo "ok   modo canónico restaurado"; fi

# 2. No engine: the lesson stays readable and says what was tried.
start 120 40 env DOCKER_HOST=unix:///tmp/estiba-e2e-no-existe.sock ESTIBA_STATE_DIR="$(mktemp -d)"
check "sin motor: la lección se abre" "Paso 1/9" 20
keys Right Right Tab Down Down Down
check "sin motor: dice qué probó" "unix:///tmp/estiba-e2e-no-existe.sock" 20
check "sin motor: salida grabada" "SALIDA GRABADA" 5
keys q
check "sin motor: sale con 0" "EXIT=0" 10

# 3. Tiny terminals: started small, and shrunk to 1×1 while running.
wait_running() { # waits until estiba runs in the session, then lets it settle
    local deadline=$((SECONDS + 20))
    until pgrep -f "^$BIN\$" >/dev/null || pgrep -fx "$BIN" >/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
    sleep 1
}
start 20 5
check "20×5 pide ampliar" "Amplía" 10
tmux resize-window -t "$S" -x 1 -y 1
sleep 0.5
tmux resize-window -t "$S" -x 20 -y 5
check "1×1 y vuelta: sigue vivo" "Amplía" 10
keys q
check "20×5: q sale con 0" "EXIT=0" 10
start 1 1
wait_running
keys q
sleep 1
tmux resize-window -t "$S" -x 60 -y 10
check "1×1: q sale con 0" "EXIT=0" 10

echo
# 4. Cancel and quit in the middle of a command: nothing of the lesson's may be left behind.
SLOW=estiba-e2e-lenta
left() { # left NAME: 0 containers and 0 dangling images with the slow lesson's label
    local c i deadline=$((SECONDS + 20))
    while :; do
        c=$(docker ps -aq --filter "label=estiba.lesson=$SLOW" | wc -l)
        i=$(docker images -q --filter dangling=true --filter "label=estiba.lesson=$SLOW" | wc -l)
        if [ "$c" -eq 0 ] && [ "$i" -eq 0 ]; then PASSED=$((PASSED + 1)); echo "ok   $1: nada queda"; return; fi
        ((SECONDS < deadline)) || break
        sleep 0.5
    done
    FAILED=$((FAILED + 1)); echo "FAIL $1: quedan $c contenedores y $i imágenes colgantes"
}
present() { # present NAME: while it runs, the command's container carries the label (so `left` means something)
    if [ "$(docker ps -aq --filter "label=estiba.lesson=$SLOW" | wc -l)" -gt 0 ]; then PASSED=$((PASSED + 1)); echo "ok   $1: su contenedor lleva la etiqueta"
    else FAILED=$((FAILED + 1)); echo "FAIL $1: no hay contenedor con la etiqueta estiba.lesson=$SLOW"; fi
}
ARGS="--reset tests/lessons/lenta.md"
start 120 40
check "lección lenta" "API 1." 20
keys Enter
check "sleep 60 en marcha" "en marcha" 20
sleep 2
present "docker run"
keys Escape
check "Esc cancela la ejecución" "■ cancelada" 20
left "Esc durante docker run"
keys Enter
check "otra vez en marcha" "en marcha" 20
sleep 2
keys q
check "q a mitad de la orden sale con 0" "EXIT=0" 20
left "q durante docker run"
start 120 40
check "lección lenta, Ctrl-C" "API 1." 20
keys Enter
check "en marcha para Ctrl-C" "en marcha" 20
sleep 2
keys C-c
check "Ctrl-C a mitad de la orden sale con 0" "EXIT=0" 20
left "Ctrl-C durante docker run"
start 120 40
check "lección lenta otra vez" "API 1." 20
keys Enter
check "en marcha para SIGTERM" "en marcha" 20
sleep 2
pkill -TERM -f "^$BIN --reset" 
check "SIGTERM sale con 0" "EXIT=0" 20
left "SIGTERM durante docker run"
start 120 40
check "lección lenta, SIGINT" "API 1." 20
keys Enter
check "en marcha para SIGINT" "en marcha" 20
sleep 2
pkill -INT -f "^$BIN --reset"
check "SIGINT sale con 0" "EXIT=0" 20
left "SIGINT durante docker run"
keys "stty -a | grep -o -- '-*icanon' ; echo listo-\$((40+4))" Enter
check "la terminal queda usable tras SIGINT" "listo-44" 5
start 120 40
check "lección lenta, construcción" "API 1." 20
keys Right
check "paso de la construcción" "2/2 Construcción lenta" 10
keys Enter
check "construcción en marcha" "sleep 60" 60
sleep 2
present "docker build"
keys Escape
check "Esc cancela la construcción" "■ cancelada" 30
left "Esc durante docker build"
keys Enter
check "construcción otra vez" "sleep 60" 60
sleep 2
keys q
check "q a mitad de la construcción sale con 0" "EXIT=0" 30
left "q durante docker build"
keys "stty -a | grep -o -- '-*icanon' ; echo listo-\$((40+3))" Enter
check "la terminal queda usable tras salir a mitad" "listo-43" 5
if screen | grep -q -- "-icanon"; then FAILED=$((FAILED + 1)); echo "FAIL la terminal quedó en modo raw"; else PASSED=$((PASSED + 1)); echo "ok   modo canónico restaurado"; fi
ARGS=""

echo
# 5. Estiba's own clean, with the same state folder, leaves nothing of the lesson but the stand-in
# base: no image, tagged or not (the untagged build stages are known from the ledger).
"$BIN" clean >/dev/null 2>&1
BASE_ID=$(docker images -q ubuntu:24.04)
REST=$(docker images -aq --filter label=estiba.lesson=cpp-seguro | sort -u | grep -vx "${BASE_ID:-none}" | tr '\n' ' ')
if [ -z "$REST" ]; then PASSED=$((PASSED + 1)); echo "ok   estiba clean no deja nada de la lección"
else FAILED=$((FAILED + 1)); echo "FAIL estiba clean deja imágenes de la lección: $REST"; fi

echo "tui-e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
