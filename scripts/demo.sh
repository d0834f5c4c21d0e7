#!/usr/bin/env bash
# `make demo`: start the sandbox on a free loopback port, then plan, apply and plan again on
# a copy of examples/ (so the repository gets no state file), and stop the sandbox.
# `set -o pipefail` makes a failed apply fail the demo even when piped into tail.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
log="$work/sandbox.log"
cleanup() {
  [ -n "${sandbox_pid:-}" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cp -R examples "$work/examples"
export ONEALL_PUBLIC_KEY="demo-public-key" ONEALL_PRIVATE_KEY="demo-private-key"
publisher sandbox --port 0 --public-key "$ONEALL_PUBLIC_KEY" --private-key "$ONEALL_PRIVATE_KEY" >"$log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$log" 2>/dev/null && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
ONEALL_API_URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
[ -n "$ONEALL_API_URL" ] || { echo "the sandbox did not start:"; cat "$log"; exit 1; }
export ONEALL_API_URL

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }
echo "Sandbox API on $ONEALL_API_URL"
club="$work/examples/club" shop="$work/examples/shop"
# Each catalog's state is named on purpose: a local file (under CI, apply starts no state file
# that nobody named, since one left in a runner would be thrown away).
club_state="$club/publisher.state.json" shop_state="$shop/publisher.state.json"
step publisher validate "$club"
step publisher plan "$club" --state "$club_state"
step publisher apply "$club" --auto-approve --state "$club_state"
step publisher plan "$club" --detailed-exitcode --state "$club_state"
step publisher state list --state "$club_state"

# The shop generates 500 pins from products.csv and queues them, three posting slots a
# weekday: apply makes the board now, and the plan lists the pins in their slots.
step publisher validate "$shop"
printf '\n%s$ publisher apply %s --auto-approve --state %s | tail -n 1%s\n' "$bold" "$shop" "$shop_state" "$plain"
publisher apply "$shop" --auto-approve --state "$shop_state" | tail -n 1
printf '\n%s$ publisher plan %s --state %s | tail -n 3%s\n' "$bold" "$shop" "$shop_state" "$plain"
publisher plan "$shop" --state "$shop_state" | tail -n 3  # the last queued pins, and the summary

# For reviewers: the club's plan as a page (from an empty state: everything it would publish)
# and its calendar, kept in build/demo/ after the demo's temporary copy is gone.
out="$PWD/build/demo"
mkdir -p "$out"
# The header goes to the terminal, not into the page: the file must start with <!doctype html>.
printf '\n%s$ publisher plan %s --format html > %s%s\n' "$bold" "$club" "$out/plan-club.html" "$plain"
publisher plan "$club" --state "$work/empty.state.json" --format html >"$out/plan-club.html"
publisher calendar "$club" --from 2027-03-01 --days 31 --format html >"$out/calendar-club.html"
publisher calendar "$club" --from 2027-03-01 --days 31 --format ics >"$out/calendar-club.ics"
printf '\nThe HTML plan of examples/club:  %s\nIts calendar (March 2027):       %s\n  and for calendar apps:         %s\n' \
  "$out/plan-club.html" "$out/calendar-club.html" "$out/calendar-club.ics"
