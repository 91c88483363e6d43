# Shared helpers for the end-to-end scripts: process bookkeeping, ports, waiting, verdicts.
# Sourced, not run. Every wait is bounded; every process started here is stopped on exit.

PIDS=()
FAILS=0
PASSES=0

# start_bg NAME CMD... : runs CMD in the background, output to $WORK/NAME.log
start_bg() {
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
}

stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  PIDS=()
}

free_ports() { python3 "$LIB/free_ports.py" "$1"; }

# wait_tcp PORT SECONDS NAME PID : until something accepts on 127.0.0.1:PORT
wait_tcp() {
  local port=$1 secs=$2 name=$3 pid=$4 i
  for ((i = 0; i < secs * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      FAILS=$((FAILS + 1))
      echo "FAIL  $name exited before listening on $port; its log:"; sed 's/^/      /' "$WORK/$name.log" | tail -20
      return 1
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  FAILS=$((FAILS + 1)); echo "FAIL  $name did not listen on $port within ${secs}s"; return 1
}

# wait_http URL SECONDS NAME PID : until URL answers with any HTTP status
wait_http() {
  local url=$1 secs=$2 name=$3 pid=$4 i code
  for ((i = 0; i < secs * 5; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      FAILS=$((FAILS + 1))
      echo "FAIL  $name exited before answering; its log:"; sed 's/^/      /' "$WORK/$name.log" | tail -20
      return 1
    fi
    code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$url" 2>/dev/null)
    [ -n "$code" ] && [ "$code" != 000 ] && return 0
    sleep 0.2
  done
  FAILS=$((FAILS + 1)); echo "FAIL  $name did not answer $url within ${secs}s"; return 1
}

# check NAME EXPECTED SEEN : PASS when equal
check() {
  local name=$1 want=$2 seen=$3
  if [ "$want" == "$seen" ]; then
    PASSES=$((PASSES + 1)); echo "PASS  $name: $seen"
  else
    FAILS=$((FAILS + 1)); echo "FAIL  $name: expected $want, saw $seen"
  fi
}

# check_true NAME DESCRIPTION-OF-WHAT-WAS-SEEN CMD... : PASS when CMD succeeds
check_true() {
  local name=$1 seen=$2; shift 2
  if "$@"; then
    PASSES=$((PASSES + 1)); echo "PASS  $name: $seen"
  else
    FAILS=$((FAILS + 1)); echo "FAIL  $name: $seen"
  fi
}

uplog() { python3 "$LIB/uplog.py" "$@"; }
