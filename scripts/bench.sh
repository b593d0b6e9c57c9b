#!/usr/bin/env bash
# Estiba measured side by side with its peers, in one run, alternating the two sides of each
# comparison and taking medians. Prints one line per measure, exactly `P<n> <figure> <goal> pass|miss`,
# and exits 0 only when every line says pass. Details go to stderr.
#
#   bash scripts/bench.sh            # all six (P3 runs the whole lesson several times: ~15 min)
#   BENCH_ONLY="P1 P6" bash scripts/bench.sh
#
# Needs: a Docker engine with the base images (`estiba prepare`), tmux, and the local registry of
# `.ci/services.sh` for P3. Peers are installed from crates.io when missing.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PATH="$HOME/.cargo/bin:$PATH"
RUNS=${BENCH_RUNS:-7}
ONLY=${BENCH_ONLY:-P1 P2 P3 P4 P5 P6}
WIDTH=100
LESSON=lessons/cpp-seguro.md
WORK=$(mktemp -d)
export ESTIBA_STATE_DIR="$WORK/state"
S=estiba-bench-$$
ALL_PASS=1
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$WORK"' EXIT

log() { printf '%s\n' "$*" >&2; }
wants() { [[ " $ONLY " == *" $1 "* ]]; }
now_ns() { date +%s%N; }
# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# verdict NAME FIGURE GOAL OK(0/1)
verdict() {
    local v=pass
    if [ "$4" != 1 ]; then v=miss; ALL_PASS=0; fi
    printf '%s %s %s %s\n' "$1" "$2" "$3" "$v"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN {print (a <= b) ? 1 : 0}'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN {print (a >= b) ? 1 : 0}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }

# --- set-up -------------------------------------------------------------------------------------
if wants P1 && ! command -v mdcat >/dev/null; then log "instalando mdcat…"; cargo install --locked mdcat >&2; fi
if wants P6 && ! command -v presenterm >/dev/null; then log "instalando presenterm…"; cargo install --locked presenterm >&2; fi
cargo build --locked --release --bins >&2 || exit 1
BIN="$ROOT/target/release/estiba"

# The same file for both sides of P1 and P6: the lesson without its front matter (presenterm reads
# front matter keys of its own and refuses others) and without the attributes after a fence's
# language (presenterm 0.16 refuses `+run`, `file=`…: "invalid code attribute").
mkdir -p "$WORK/lessons"
awk 'NR == 1 && /^---$/ {fm = 1; next} fm && /^---$/ {fm = 0; next} !fm' "$LESSON" \
    | sed -E 's/^(```+[A-Za-z0-9_-]*)[[:space:]].*$/\1/' >"$WORK/lessons/leccion.md"
SAME="$WORK/lessons/leccion.md"

# --- P1: estiba show vs mdcat --------------------------------------------------------------------
# Each sample runs the program 20 times in a row (one run is a few ms: too short to time alone).
if wants P1; then
    batch() { local t0; t0=$(now_ns); for _ in $(seq 20); do "$@" >/dev/null; done; echo $(( $(now_ns) - t0 )); }
    e=(); m=()
    for _ in $(seq "$RUNS"); do
        e+=("$(batch "$BIN" show --width "$WIDTH" "$SAME")")
        m+=("$(batch mdcat --ansi --columns "$WIDTH" "$SAME")")
    done
    E=$(printf '%s\n' "${e[@]}" | median); M=$(printf '%s\n' "${m[@]}" | median)
    log "P1: estiba show $((E / 20000)) µs, mdcat $((M / 20000)) µs por ejecución (mediana de $RUNS×20)"
    R=$(ratio "$E" "$M")
    verdict P1 "$R" "<=0.5" "$(le "$R" 0.5)"
fi

# --- P2: ingestion throughput and peak RSS at 10M lines ------------------------------------------
if wants P2; then
    t=(); rss=0
    for _ in $(seq 3); do
        out=$("$BIN" ingest --lines 10000000)
        log "P2: $out"
        t+=("$(sed 's/.*lines_per_sec=\([0-9]*\).*/\1/' <<<"$out")")
        r=$(sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/' <<<"$out")
        ((r > rss)) && rss=$r
    done
    T=$(printf '%s\n' "${t[@]}" | median)
    MB=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')
    ok=$(( $(ge "$T" 2000000) && $(le "$MB" 64) ))
    verdict P2 "${T}lines/s,${MB}MB" ">=2000000lines/s,<=64MB" "$ok"
fi

# --- P3: estiba check vs a bash script of the same docker CLI commands --------------------------
# The script is made from the lesson's own `+run` blocks, up to the cleanup section (skipped on
# both sides: `estiba check --keep`), with what Estiba adds for safety added here too: the lesson
# label on builds (`--label`; stages built FROM the script's own cpp-build-base inherit it, so the
# filtered prune removes the same `build` stage the lesson's `docker image prune -f` removes) and on
# containers, `--network none` on builds and runs (the engine may have no default bridge at all),
# `-i` for `-it` (see below),
# the label filter on prune. Both sides use the classic builder against the same engine; each side
# is warmed up once, so both run on the same cache state, then they alternate.
if wants P3; then
    CLI="$WORK/docker-cli.sh"
    REGISTRY=${ESTIBA_REGISTRY:-127.0.0.1:5000}
    LABEL=estiba.lesson=estiba-bench
    {
        echo 'set -u'
        echo "cd '$ROOT'"
        echo "export DOCKER_BUILDKIT=0 DOCKER_CONFIG='$WORK/docker-config'"
        awk -v reg="$REGISTRY" -v label="$LABEL" '
            /^## Limpieza/ {exit}
            /^```sh \+run/ {inrun = 1; input = ""; cmd = "";
                if (match($0, /input="[^"]*"/)) input = substr($0, RSTART + 7, RLENGTH - 8); next}
            inrun && /^```/ {
                inrun = 0
                gsub(/\$REGISTRY/, reg, cmd)
                sub(/^docker build /, "docker build --network none --label " label " ", cmd)
                sub(/^docker image prune -f/, "docker image prune -f --filter label=" label, cmd)
                if (cmd ~ /^docker run /) {
                    sub(/^docker run /, "docker run --network none --label " label " ", cmd)
                    # A script has no terminal: the CLI refuses `-t` without one and does nothing,
                    # so `-it` becomes `-i`, fed the input the lesson gives (or none), and does the work.
                    if (sub(/ -it /, " -i ", cmd)) cmd = (input != "") ? "printf \x27" input "\x27 | " cmd : cmd " </dev/null"
                }
                if (cmd ~ /^docker login /) cmd = "printf %s \"$ESTIBA_REGISTRY_PASSWORD\" | " cmd
                print cmd " >/dev/null 2>&1 || true"
                next
            }
            inrun && !/^#/ {sub(/\\$/, ""); cmd = cmd $0}
        ' "$LESSON"
    } >"$CLI"
    log "P3: órdenes del CLI: $(grep -c '^.*docker ' "$CLI")"
    export ESTIBA_REGISTRY_PASSWORD=${ESTIBA_REGISTRY_PASSWORD:-estiba}
    side_estiba() { local t0; t0=$(now_ns); "$BIN" check --keep --allow-privileged "$LESSON" >"$WORK/check.log" 2>&1 || log "P3: estiba check falló: $(tail -3 "$WORK/check.log")"; echo $(( $(now_ns) - t0 )); }
    side_cli() { local t0; t0=$(now_ns); bash "$CLI"; echo $(( $(now_ns) - t0 )); }
    # Both sides must do the work: the script's images must exist after it (it hides each exit code
    # as a learner's script would, so check the result instead).
    cli_check() {
        local t
        for t in cpp-build-base:0.1.0 hola:1.0.0 hola:2.0.0 hola:1.1.0 hola:2.1.0; do
            [ "$(docker image inspect -f '{{index .Config.Labels "estiba.lesson"}}' "$t" 2>/dev/null)" = estiba-bench ] \
                || { log "P3: el script del CLI no construyó $t"; return 1; }
        done
    }
    side_estiba >/dev/null; side_cli >/dev/null
    CLI_OK=1; cli_check || CLI_OK=0
    e=(); c=()
    for _ in $(seq "${BENCH_P3_RUNS:-3}"); do e+=("$(side_estiba)"); c+=("$(side_cli)"); done
    E=$(printf '%s\n' "${e[@]}" | median); C=$(printf '%s\n' "${c[@]}" | median)
    log "P3: estiba check $((E / 1000000)) ms, docker CLI $((C / 1000000)) ms (mediana)"
    docker image prune -af --filter "label=$LABEL" >/dev/null 2>&1
    "$BIN" clean "$LESSON" >/dev/null 2>&1   # what `check --keep` kept, so the next run starts clean
    R=$(ratio "$E" "$C")
    verdict P3 "$R" "<=1.0" "$(( $(le "$R" 1.0) && CLI_OK ))"
fi

# --- tmux helpers for P4–P6 ----------------------------------------------------------------------
pane_pid() { tmux display -p -t "$S" '#{pane_pid}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
peak_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
wait_text() { # wait_text TEXT SECONDS
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        tmux capture-pane -p -t "$S" | grep -qF -- "$1" && return 0
        sleep 0.005
    done
    return 1
}
open_tui() { # open_tui LESSON [FLAGS]: estiba alone in a 120×40 pane (the pane's pid is estiba's)
    tmux kill-session -t "$S" 2>/dev/null
    tmux new-session -d -s "$S" -x 120 -y 40 "cd '$ROOT' && exec '$BIN' --reset ${2:-} '$1'"
}

# --- P4: idle CPU with the lesson open -----------------------------------------------------------
if wants P4; then
    open_tui "$LESSON"
    wait_text "Introducción" 20 || log "P4: la lección no apareció"
    sleep 3
    PID=$(pane_pid); a=$(cpu_ticks "$PID")
    sleep 30
    b=$(cpu_ticks "$PID")
    HZ=$(getconf CLK_TCK)
    PCT=$(awk -v d=$((b - a)) -v hz="$HZ" 'BEGIN {printf "%.3f", d / hz / 30 * 100}')
    log "P4: $((b - a)) ticks de CPU en 30 s (CLK_TCK=$HZ)"
    tmux kill-session -t "$S"
    verdict P4 "${PCT}%" "<=0.2%" "$(le "$PCT" 0.2)"
fi

# --- P5: peak RSS with 100,000 lines in the run pane ---------------------------------------------
if wants P5; then
    open_tui "$ROOT/benches/lessons/flood.md" "--max-lines 100000"
    wait_text "API 1." 20 || log "P5: sin motor"
    tmux send-keys -t "$S" Enter
    wait_text "✔ superada" 120 || log "P5: la orden no terminó"
    sleep 1
    PID=$(pane_pid); KB=$(peak_kb "$PID")
    tmux capture-pane -p -t "$S" | grep -F "100000" >/dev/null || log "P5: no se ve la línea 100000"
    MB=$(awk -v k="$KB" 'BEGIN {printf "%.1f", k / 1024}')
    tmux kill-session -t "$S"
    verdict P5 "${MB}MB" "<=30MB" "$(le "$MB" 30)"
fi

# --- P6: time to first frame vs presenterm -------------------------------------------------------
# A shell waits in a pane; each sample types the command and polls the pane until the lesson's
# first heading is on screen, then quits the program. The two sides alternate.
if wants P6; then
    tmux kill-session -t "$S" 2>/dev/null
    tmux new-session -d -s "$S" -x 120 -y 40 "env PS1='$ ' bash --norc --noprofile"
    sleep 0.3
    first_frame() { # first_frame QUIT-KEY COMMAND...
        local key=$1 t0 t1; shift
        tmux send-keys -t "$S" "clear" Enter; sleep 0.3
        t0=$(now_ns)
        tmux send-keys -t "$S" "$* ; clear" Enter
        wait_text "Introducción" 20 || { log "P6: no apareció: $*"; echo 99999999999; return; }
        t1=$(now_ns)
        sleep 0.5
        tmux send-keys -t "$S" "$key"
        sleep 0.5
        echo $((t1 - t0))
    }
    e=(); p=()
    for _ in $(seq "$RUNS"); do
        e+=("$(first_frame q "'$BIN' --reset '$SAME'")")
        p+=("$(first_frame C-c presenterm "'$SAME'")")
    done
    E=$(printf '%s\n' "${e[@]}" | median); P=$(printf '%s\n' "${p[@]}" | median)
    log "P6: estiba $((E / 1000000)) ms, presenterm $((P / 1000000)) ms hasta el primer fotograma (mediana de $RUNS)"
    tmux kill-session -t "$S"
    R=$(ratio "$E" "$P")
    verdict P6 "$R" "<=0.5" "$(le "$R" 0.5)"
fi

[ "$ALL_PASS" = 1 ]
