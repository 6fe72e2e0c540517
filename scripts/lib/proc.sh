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
