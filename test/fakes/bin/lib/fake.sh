# Sourced by the fake tools' entry scripts (bash): the call log and the few answers that need
# no state, given here without starting node (a node start costs ~0.2 s; prereqs asks four
# tools for their version on every run). Everything else is `exec node lib/main.mjs <tool>`.

if [[ -z ${FAKE_STATE_DIR:-} ]]; then
  echo "fake tool: FAKE_STATE_DIR is not set (this is a test fake, see test/fakes/bin/README.md)" >&2
  exit 2
fi
mkdir -p -- "$FAKE_STATE_DIR"

# The directory of the fake tools (the entry scripts may be reached through symlinks).
FAKE_BIN=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[1]}")")" && pwd)

# A JSON string.
fake_json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

# Appends { tool, argv, cwd, pid, ts } to $FAKE_STATE_DIR/calls.jsonl, like lib/common.mjs.
fake_record() {
  local tool=$1 argv='' a sep=''
  shift
  for a in "$@"; do
    argv+="$sep$(fake_json_str "$a")"
    sep=,
  done
  local us=${EPOCHREALTIME/./}
  printf '{"tool":"%s","argv":[%s],"cwd":%s,"pid":%d,"ts":%d}\n' "$tool" "$argv" "$(fake_json_str "$PWD")" "$$" "$((us / 1000))" >>"$FAKE_STATE_DIR/calls.jsonl"
}

# Hands the call to the node implementation (which records it).
fake_node() {
  exec node "$FAKE_BIN/lib/main.mjs" "$@"
}

# True when a `docker` executable is on PATH (kind needs it).
fake_have_docker() {
  local d
  local IFS=:
  for d in $PATH; do
    [[ -n $d && -x $d/docker && -f $d/docker ]] && return 0
  done
  return 1
}

FAKE_DOCKER_DOWN_MESSAGE='Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'
