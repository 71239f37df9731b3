# Sourced by bench/run and bench/*/run.sh once BENCH_DIR and ROOT are set: the steps every
# bench shares.

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# bench/.venv with the pins of bench/requirements.txt, made again when the file changes. Sets VENV.
bench_venv() {
  VENV="$BENCH_DIR/.venv"
  local req="$BENCH_DIR/requirements.txt" stamp="$BENCH_DIR/.venv/.requirements.sha256" want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "creating $VENV and installing bench/requirements.txt"
    python3 -m venv "$VENV" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2
    echo "$want" > "$stamp"
  fi
}

# The release build every bench runs (VELOCITY_BIN overrides it), built first unless $1 is 0.
# Sets VELOCITY_BIN.
bench_velocity() {
  VELOCITY_BIN=${VELOCITY_BIN:-$ROOT/.build-release/release/velocity}
  case $VELOCITY_BIN in /*) ;; *) VELOCITY_BIN="$ROOT/$VELOCITY_BIN" ;; esac
  if [ "${1:-1}" = 1 ]; then
    say "building velocity (swift build -c release --product velocity --scratch-path .build-release)"
    (cd "$ROOT" && swift build -c release --product velocity --scratch-path .build-release) >&2
  fi
  [ -x "$VELOCITY_BIN" ] || { echo "velocity binary not found: $VELOCITY_BIN" >&2; exit 1; }
}

# The load average, kept with the figures, and a warning when the machine is busy. Sets LOADAVG.
bench_loadavg() {
  LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
  case $LOADAVG in 0.[0-4]*) ;; *) say "WARNING: load average is $LOADAVG; other work will skew the figures" ;; esac
}

# The options of a bench script, one rule for all: --no-build (BUILD=0), -h/--help (the script's
# header comment), each flag of FLAGS and each option of INTEGERS with its positive integer value
# passed on in ARGS (an option written `--name:a|b|c` there takes one of those words instead);
# anything else is refused. Sets CMDLINE ("bench/run NAME …"), BUILD and ARGS.
#   bench_options NAME "FLAGS" "INTEGERS" "$@"
bench_options() {
  local name=$1 flags=" $2 " integers=" $3 "
  shift 3
  CMDLINE="bench/run $name${*:+ $*}"
  BUILD=1 ARGS=()
  while [ $# -gt 0 ]; do
    if [ "$1" = --no-build ]; then
      BUILD=0; shift
    elif [ "$1" = -h ] || [ "$1" = --help ]; then
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2
    elif [[ -n $1 && $flags == *" $1 "* ]]; then
      ARGS+=("$1"); shift
    elif [[ -n $1 && $integers == *" $1 "* ]]; then
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2
    elif [[ -n $1 && $integers == *" $1:"* ]]; then
      local words=${integers#*" $1:"}
      words=${words%% *}
      [[ -n ${2:-} && "|$words|" == *"|$2|"* ]] || { echo "$1 must be one of ${words//|/, }" >&2; exit 2; }
      ARGS+=("$1" "$2"); shift 2
    else
      echo "unknown option: $1" >&2; exit 2
    fi
  done
}
