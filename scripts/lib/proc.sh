# shellcheck shell=bash
# Process and port helpers shared by sim.sh and traefik.sh (sourced).

# freeport: a free TCP port on 127.0.0.1, for a process started right after. Drawn below the
# kernel's ephemeral range (ip_local_port_range), so the many outgoing connections of a test run
# cannot take it between this check and the server's bind (a kernel-chosen port 0 can).
freeport() {
  node -e '
    const net = require("net");
    const low = Number(require("fs").readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]) || 32768;
    const base = Math.max(1024, low - 12000);
    const tryPort = (n) => {
      const port = base + Math.floor(Math.random() * (low - base));
      const s = net.createServer();
      s.once("error", () => (n > 0 ? tryPort(n - 1) : process.exit(1)));
      s.listen(port, "127.0.0.1", () => { console.log(port); s.close(); });
    };
    tryPort(50);'
}

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
