#!/usr/bin/env bash
# A bounded schemathesis run against a demo server, once per role, failing on any 5xx.
# Usage: scripts/fuzz-api.sh [seconds per role]   (needs `make setup` first; CI runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
budget=${1:-90}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

export LEDGER_DATA_DIR="$work/var" BEANCOUNT_DISABLE_LOAD_CACHE=1
"$BIN/relief-ledger" db upgrade >/dev/null
"$BIN/relief-ledger" demo load >/dev/null
password="fuzz-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
roles=(adjuster accountant)
for role in "${roles[@]}"; do
  echo "$password" | "$BIN/relief-ledger" users add "fuzz-$role" --role "$role" --password-stdin >/dev/null
done

port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/relief-ledger" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fsS "$base/health" >/dev/null 2>&1 && break; sleep 0.2; done

status=0
for role in "${roles[@]}"; do
  token=$(curl -fsS -H 'content-type: application/json' \
    -d "{\"username\":\"fuzz-$role\",\"password\":\"$password\"}" "$base/api/auth/token" \
    | "$BIN/python" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  echo "== schemathesis as $role (${budget}s)"
  "$BIN/st" run "$base/schema/openapi.json" --checks not_a_server_error \
    -H "Authorization: Bearer $token" --max-time "$budget" --seed 20261201 \
    --generation-database none --no-color --warnings off --request-timeout 30 || status=1
done
if grep -q "Traceback" "$work/server.log"; then
  echo "the server logged a traceback:"; grep -B2 -A20 "Traceback" "$work/server.log" | head -80; status=1
fi
exit $status
