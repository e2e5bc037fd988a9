#!/usr/bin/env bash
# Runs docs/first-blueprint.md as a new user would, and checks what it says.
#   first_blueprint_test.sh <page.md> <factory build tree> <scratch folder> <C++ compiler>
#
# From the page: every `sh walkthrough` block, in order, in one POSIX shell; every `file=NAME` block
# saved as NAME where that shell is at that point. The shell starts in a folder whose `build` is
# the factory build tree (the page's "your clone"), with HOME set to the scratch folder, so the
# page's own `cmake --install build --prefix "$HOME/factory"` installs to a fresh prefix.
# Checks:
#   - every walkthrough block exits 0;
#   - a `text output` block equals the standard output of the block before it (trailing spaces
#     aside), and each line of a `text log` block (without its leading "...") is in its stderr;
#   - the sessions in the database equal this script's own calculation in SQL on the same clicks
#     (a click 1800 s or more after its user's previous one starts a session; a session ends idle
#     when its last click + 1800 s is at or before the last click of the file, else shutdown),
#     and the clicks hold both end reasons and a gap of exactly 1800 s, so that the rule's edge is
#     exercised;
#   - what the page says of other runs: on the wall clock, one session per user, each ended at
#     shutdown; with 1 or 4 workshops, the same rows.
# The scratch folder is emptied first and left behind for a look after a failure.
set -euo pipefail

if (($# != 4)); then
    echo "usage: $0 <page.md> <factory build tree> <scratch folder> <C++ compiler>" >&2
    exit 2
fi
page="$1"
build_tree="$2"
work="$3"
cxx="$4"

fail() {
    echo "first-blueprint walkthrough: $*" >&2
    exit 1
}

command -v sqlite3 >/dev/null || fail "the page needs the sqlite3 command: apt-get install sqlite3"
[[ -f "$page" ]] || fail "no page $page"

rm -rf "$work"
mkdir -p "$work/home" "$work/clone" "$work/steps"
ln -s "$build_tree" "$work/clone/build"
steps="$work/steps"
script="$steps/walkthrough.sh"

# The page's blocks as one script. A walkthrough block k runs as `{ block } >k.out 2>k.err`: braces
# keep its `cd` and variables for the blocks after it.
{
    echo "set -e"
    echo "cd '$work/clone'"
} >"$script"
step=0
in_block=""
while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ -z "$in_block" ]]; then
        [[ "$line" == '```'* ]] || continue
        info="${line#\`\`\`}"
        if [[ "$info" =~ ^[a-z]+\ walkthrough$ ]]; then
            step=$((step + 1))
            in_block="run"
            printf '{\n' >>"$script"
        elif [[ "$info" =~ ^[a-z]+\ file=([A-Za-z0-9_./-]+)$ ]]; then
            in_block="file"
            printf "cat > '%s' <<'FACTORY_PAGE_EOF'\n" "${BASH_REMATCH[1]}" >>"$script"
        elif [[ "$info" == "text output" ]]; then
            ((step > 0)) || fail "a text output block before any walkthrough block"
            in_block="output"
            : >"$steps/$step.expected-out"
        elif [[ "$info" == "text log" ]]; then
            ((step > 0)) || fail "a text log block before any walkthrough block"
            in_block="log"
            : >"$steps/$step.expected-log"
        else
            in_block="other"
        fi
        continue
    fi
    if [[ "$line" == '```' ]]; then
        case "$in_block" in
        run) printf '} >"%s/%d.out" 2>"%s/%d.err"\necho %d >"%s/done"\n' "$steps" "$step" "$steps" "$step" "$step" "$steps" >>"$script" ;;
        file) printf 'FACTORY_PAGE_EOF\n' >>"$script" ;;
        esac
        in_block=""
        continue
    fi
    case "$in_block" in
    run | file) printf '%s\n' "$line" >>"$script" ;;
    output) printf '%s\n' "$line" >>"$steps/$step.expected-out" ;;
    log) printf '%s\n' "${line#... }" >>"$steps/$step.expected-log" ;;
    esac
done <"$page"
[[ -z "$in_block" ]] || fail "$page ends inside a code block"
((step >= 5)) || fail "$page has $step walkthrough blocks; the test expects install, folder, build, input, run and query"
printf 'pwd >"%s/final-cwd"\n' "$steps" >>"$script"

# Run it. A umask of 002 would make the plugin group-writable, which the host refuses (as it
# should); the page's reader has the usual 022.
echo 0 >"$steps/done"
if ! (umask 022 && cd "$work/clone" && HOME="$work/home" CXX="$cxx" sh "$script"); then
    failed=$(($(cat "$steps/done") + 1))
    fail "walkthrough block $failed failed (script: $script)
--- stdout
$(cat "$steps/$failed.out" 2>/dev/null)
--- stderr
$(cat "$steps/$failed.err" 2>/dev/null)"
fi

# What the page says the blocks print.
strip() { sed -e 's/[[:space:]]*$//' "$1"; }
checked=0
for k in $(seq 1 "$step"); do
    if [[ -f "$steps/$k.expected-out" ]]; then
        if ! diff <(strip "$steps/$k.expected-out") <(strip "$steps/$k.out") >"$steps/$k.diff"; then
            fail "walkthrough block $k printed other than the page shows (< page, > printed):
$(cat "$steps/$k.diff")"
        fi
        checked=$((checked + 1))
    fi
    if [[ -f "$steps/$k.expected-log" ]]; then
        while IFS= read -r want; do
            [[ -z "$want" ]] && continue
            grep -qF -- "$want" "$steps/$k.err" || fail "walkthrough block $k logged no line with
  $want
--- its stderr
$(cat "$steps/$k.err")"
        done <"$steps/$k.expected-log"
        checked=$((checked + 1))
    fi
done
((checked >= 2)) || fail "the page shows $checked outputs; the test expects the run's log and the query's output"

# The sessions, calculated independently of factory from the clicks the page made.
folder="$(cat "$steps/final-cwd")"
clicks="$folder/clicks.jsonl"
db="$folder/out/sessions.db"
[[ -f "$clicks" && -f "$db" ]] || fail "the walkthrough left no $clicks or no $db"
result=$(cd "$folder" && sqlite3 -batch :memory: <<'SQL'
CREATE TABLE lines(line TEXT);
.mode ascii
.separator "\t" "\n"
.import clicks.jsonl lines
.mode list
.separator "|" "\n"
CREATE TABLE clicks AS
  SELECT json_extract(line, '$.user') AS user, json_extract(line, '$.ts') AS ts FROM lines;
CREATE TABLE gaps AS
  SELECT user, ts, ts - lag(ts) OVER (PARTITION BY user ORDER BY ts) AS gap FROM clicks;
CREATE TABLE expected AS
  WITH numbered AS (
    SELECT user, ts,
           sum(CASE WHEN gap < 1800 THEN 0 ELSE 1 END)
             OVER (PARTITION BY user ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session
    FROM gaps)
  SELECT user, min(ts) * 1000000000 AS first_click, max(ts) * 1000000000 AS last_click,
         count(*) AS clicks,
         CASE WHEN max(ts) + 1800 <= (SELECT max(ts) FROM clicks) THEN 'idle' ELSE 'shutdown' END
           AS end_reason
  FROM numbered GROUP BY user, session;
ATTACH 'out/sessions.db' AS got;
CREATE TEMP VIEW actual AS
  SELECT user, first_click, last_click, clicks, end_reason FROM got.sessions;
SELECT (SELECT count(*) FROM clicks),
       (SELECT count(*) FROM expected),
       (SELECT count(*) FROM actual),
       (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual)),
       (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected)),
       (SELECT count(*) FROM expected WHERE end_reason = 'idle'),
       (SELECT count(*) FROM expected WHERE end_reason = 'shutdown'),
       (SELECT count(*) FROM gaps WHERE gap = 1800);
SQL
) || fail "the independent calculation failed in sqlite3"
IFS='|' read -r n_clicks n_expected n_actual missing extra idle shutdown edge <<<"$result"
((n_clicks > 0 && n_expected > 0)) || fail "no clicks or no sessions in the calculation: $result"
((n_actual == n_expected)) || fail "the database holds $n_actual sessions; the calculation finds $n_expected"
((missing == 0 && extra == 0)) ||
    fail "$missing calculated sessions are not in the database, and $extra of its sessions are not calculated"
((idle > 0 && shutdown > 0)) || fail "the clicks give $idle idle and $shutdown shutdown sessions; the page needs both"
((edge > 0)) || fail "no user's clicks are exactly 1800 s apart: the input no longer tests the gap's edge"
# What the page says of other runs over the same clicks, with the plugin it built: on the wall
# clock every user's clicks make one session that ends at shutdown; with 1 or 4 workshops the rows
# are those of the page's run.
host="$work/home/factory/bin/factory-host"
[[ -x "$host" ]] || fail "the page's install left no $host"
other_run() { # <name> <options...>: a run into $steps/<name>/sessions.db
    local name="$1"
    shift
    mkdir -p "$steps/$name"
    (cd "$folder" && "$host" --source jsonl:file=clicks.jsonl,key=user,time=ts --contract 30m \
        --blueprint click_sessions --plugin-dir build --exporter "sqlite:file=$steps/$name/sessions.db" \
        --quiet "$@") >"$steps/$name/out" 2>&1 || fail "the $name run failed: $(cat "$steps/$name/out")"
}
compare() { # <db> <db>: rows in one and not the other, both ways
    sqlite3 -batch "$1" "ATTACH '$2' AS b;
        SELECT (SELECT count(*) FROM (SELECT * FROM sessions EXCEPT SELECT * FROM b.sessions))
             + (SELECT count(*) FROM (SELECT * FROM b.sessions EXCEPT SELECT * FROM sessions));"
}
other_run wall --clock wall
wall=$(sqlite3 -batch "$steps/wall/sessions.db" \
    "SELECT count(*), count(DISTINCT user), sum(end_reason = 'shutdown') FROM sessions;")
users=$(cd "$folder" && sqlite3 -batch :memory: <<'SQL'
CREATE TABLE lines(line TEXT);
.mode ascii
.separator "\t" "\n"
.import clicks.jsonl lines
.mode list
SELECT count(DISTINCT json_extract(line, '$.user')) FROM lines;
SQL
)
[[ "$wall" == "1000|1000|1000" && "$users" == 1000 ]] ||
    fail "on the wall clock the page promises 1,000 rows, one per user, all ended at shutdown; got rows|users|shutdown $wall of $users users"
for w in 1 4; do
    other_run "workshops-$w" --clock material --workshops "$w"
    differ=$(compare "$steps/workshops-$w/sessions.db" "$db")
    ((differ == 0)) || fail "with --workshops $w, $differ rows differ from the page's run"
done

echo "first-blueprint walkthrough: $step blocks ran; $n_expected sessions of $n_clicks clicks match ($idle idle, $shutdown shutdown, $edge gaps of exactly 30 minutes)"
