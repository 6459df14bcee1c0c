# Sourced by the CI scripts that need a running server: starts the debug
# binary on a free port with a fresh embedded database, creates a sales user
# and seeds a few prospects. Sets base, work, admin, sales; stops the server
# and removes its files on exit.
root=$(pwd)
work=$(mktemp -d)
server_pid=
stop_live_server() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop_live_server EXIT

binary="$root/target/debug/prospects"
[ -x "$binary" ] || cargo build --quiet --bin prospects
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export PROSPECTS_DATA_DIR="$work/data" PROSPECTS_BIND="127.0.0.1:$port" RUST_LOG=warn
# Metrics on a free port: the previous script's server may still be draining.
export PROSPECTS_METRICS_BIND=127.0.0.1:0
# Schemathesis sends thousands of requests a minute from one address with two
# tokens: budgets sized for it (the limits themselves are tested in the suite).
export PROSPECTS_RATE_LIMIT=1000000/1m PROSPECTS_LOGIN_RATE_LIMIT_EMAIL=1000000/1m \
  PROSPECTS_LOGIN_RATE_LIMIT_ADDRESS=1000000/1m
unset DATABASE_URL

"$binary" serve > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "$base/readyz" > /dev/null && break
  sleep 0.1
done
curl -sf "$base/readyz" > /dev/null || { cat "$work/server.log"; echo "the server did not start" >&2; exit 1; }
admin=$(cat "$PROSPECTS_DATA_DIR/admin.token")
printf 'sales password\n' | "$binary" users create --email sales@example.com --name Sales --role 5 --password-stdin > /dev/null
sales=$("$binary" tokens issue --email sales@example.com)

seed_prospect() {
  curl -sf -X POST "$base/api/v1/prospects" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' \
    -d "{\"name\": \"$2\", \"email_address\": \"info@example.com\", \"main_address_city\": \"Paris\"}" > /dev/null
}
for i in 1 2 3; do seed_prospect "$admin" "Admin prospect $i"; seed_prospect "$sales" "Sales prospect $i"; done
