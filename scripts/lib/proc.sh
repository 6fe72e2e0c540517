# shellcheck shell=bash
# Process and port helpers shared by sim.sh and traefik.sh (sourced).

# freeport: a free TCP port on 127.0.0.1
freeport() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# pid_running PID: alive and not a zombie (an exited child waits for init to reap it).
pid_running() {
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

# stop_pidfiles FILE...: stops the process group of each PID file (TERM to all first, then up
# to 5 s each before KILL), waits until each is gone and removes its file. Missing files: skipped.
stop_pidfiles() {
  local f pid
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 1 50); do pid_running "$pid" || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do pid_running "$pid" || break; sleep 0.1; done
    rm -f "$f"
  done
}
