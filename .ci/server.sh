# Sourced by the CI steps that need a live server. `start_server BINARY NAME [VAR=value ...]`
# starts BINARY on a free loopback port with a fresh SQLite database (NAME.db) and the given
# environment, waits until /healthz answers, and stops it and removes its files on exit.
# It sets: port, base (http://127.0.0.1:port), workdir, server_log, server (the PID).

start_server() {
    local binary=$1 name=$2
    shift 2
    workdir=$(mktemp -d)
    server_log="$workdir/server.log"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base="http://127.0.0.1:$port"
    env "$@" DATABASE_URL="sqlite://$workdir/$name.db" "$binary" serve --addr "127.0.0.1:$port" >"$server_log" 2>&1 &
    server=$!
    trap stop_server EXIT
    for _ in $(seq 1 100); do
        curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    curl -fsS "$base/healthz" >/dev/null || { cat "$server_log" >&2; return 1; }
}

stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$workdir"
}

# Fails, printing the log, when the server panicked while it ran.
check_no_panic() {
    if grep -q 'panicked' "$server_log"; then
        echo "the server panicked during the run:" >&2
        cat "$server_log" >&2
        return 1
    fi
}
