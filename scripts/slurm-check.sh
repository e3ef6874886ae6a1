#!/usr/bin/env bash
# Runs deploy/slurm/optoplan-batch.sbatch on a real one-node Slurm cluster
# started on this machine, and checks what docs/batch.md promises of it:
#
#   1. a 4-task array over 40 small mixed instances (schedule, linkpool,
#      stagger; one malformed): every instance planned exactly once, by the
#      task its shard hash names (no overlap, none missing), the malformed
#      one reported with its place and its task failing with status 65, the
#      summary line in every task's log, every plan valid;
#   2. a 2-task array with a slow instance: the task planning it is
#      cancelled mid-run (scancel), requeued (scontrol requeue) and resumes
#      without replanning the plans it had written, leaving no partial plan.
#
# Needs root (it installs munge and Slurm with apt when missing, and runs
# munged, slurmctld and slurmd as root). Everything the cluster needs —
# slurm.conf, munge key and socket, state, spool, logs, pid files — lives
# in one temporary directory; the daemons listen on free loopback ports
# and their own munge socket, so a Slurm or munge already on the machine is
# neither used nor disturbed. Every process the check starts is stopped
# when it exits, however it exits: an EXIT trap, a watchdog for a killed
# script, and a sweep of leftovers from an earlier run at start.
#
#   scripts/slurm-check.sh                 # builds optoplan (release) if needed
#   OPTOPLAN=.build/debug/optoplan scripts/slurm-check.sh
#
# Environment: OPTOPLAN (the binary to run; default: release build),
# SLURM_CHECK_TIMEOUT (seconds for the whole check after installation,
# default 600), SLURM_CHECK_KEEP=1 (keep the temporary directory).
# Exit status: 0 passed, 1 a check failed, 2 cannot run (not root, no apt).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

PREFIX=${TMPDIR:-/tmp}/optoplan-slurm-check
LOCK=$PREFIX.lock
MARK=OPTOPLAN_SLURM_CHECK   # set only on the processes the check starts
START=$SECONDS
TIMEOUT=${SLURM_CHECK_TIMEOUT:-600}

say() { printf 'slurm-check [%3ds]: %s\n' $((SECONDS - START)) "$*"; }
fail() { printf 'slurm-check [%3ds]: FAIL: %s\n' $((SECONDS - START)) "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    echo "slurm-check: needs root (installs munge and Slurm, runs their daemons)" >&2
    exit 2
fi

# ---------------------------------------------------------------- processes

# The pids of processes carrying MARK=<dir> in their environment (any dir
# starting with <dir> when the second argument is "prefix"): the daemons,
# job steps and planners the check started, and nothing else. Never this
# script or its subshells: MARK is given to each command, not exported.
marked_pids() {
    local files f p
    if [ "${2:-}" = prefix ]; then
        files=$(grep -lzF "$MARK=$1" /proc/[0-9]*/environ 2>/dev/null || true)
    else
        files=$(grep -lzxF "$MARK=$1" /proc/[0-9]*/environ 2>/dev/null || true)
    fi
    for f in $files; do
        p=${f#/proc/}
        echo "${p%/environ}"
    done
}

# Stops the marked processes: TERM, then KILL after a grace period.
stop_marked() {
    local pids
    pids=$(marked_pids "$@" | tr '\n' ' ')
    [ -n "${pids// /}" ] || return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
        pids=$(marked_pids "$@" | tr '\n' ' ')
        [ -n "${pids// /}" ] || return 0
        sleep 0.2
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
}

# One check at a time on a machine; a second run waits for the first. Only
# this script and its watchdog hold the lock (the daemons get 9>&-), so a
# run killed outright leaves it free for the next, which sweeps up.
exec 9>"$LOCK"
flock -w 300 9 || { echo "slurm-check: another run holds $LOCK" >&2; exit 2; }

# Leftovers of an earlier run that was killed outright (its watchdog too).
stale=$(marked_pids "$PREFIX." prefix | tr '\n' ' ')
if [ -n "${stale// /}" ]; then
    say "stopping processes left by an earlier run: $stale"
    stop_marked "$PREFIX." prefix
fi
for old in "$PREFIX".*/; do
    [ -d "$old" ] && rm -rf "$old"
done

# ---------------------------------------------------------------- install

POLICY_CREATED=""
if ! command -v munged >/dev/null || ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null; then
    command -v apt-get >/dev/null || { echo "slurm-check: munge and Slurm are missing and there is no apt-get" >&2; exit 2; }
    t0=$SECONDS
    say "installing munge, slurmctld, slurmd, slurm-client (apt)"
    # The packages must not start their own daemons: this check runs its own.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_CREATED=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        munge slurmctld slurmd slurm-client >/dev/null
    if [ -n "$POLICY_CREATED" ]; then rm -f /usr/sbin/policy-rc.d; POLICY_CREATED=""; fi
    say "installed in $((SECONDS - t0)) s"
fi
START=$SECONDS
DEADLINE=$((SECONDS + TIMEOUT))

# ---------------------------------------------------------------- cluster

DIR=$(mktemp -d "$PREFIX.XXXXXX")
chmod 700 "$DIR"
mkdir -p "$DIR"/{munge,state,spool,log,run,work}
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF
MUNGE_SOCKET=$DIR/munge/munge.socket
WATCHDOG=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$POLICY_CREATED" ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ -f "$DIR/run/slurmctld.pid" ] && scontrol ping >/dev/null 2>&1; then
        scancel --quiet --user=root 2>/dev/null || true
    fi
    local name pid
    for name in slurmd slurmctld munged; do
        pid=$(cat "$DIR/run/$name.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 1
    stop_marked "$DIR"
    local left
    left=$(marked_pids "$DIR" | tr '\n' ' ')
    [ -z "${left// /}" ] || echo "slurm-check: could not stop: $left" >&2
    if [ "$rc" -ne 0 ]; then
        for log in "$DIR"/log/{munged,slurmctld,slurmd}.log; do
            [ -s "$log" ] || continue
            echo "--- last lines of $log" >&2
            tail -n 15 "$log" >&2
        done
    fi
    if [ "$rc" -ne 0 ] || [ -n "${SLURM_CHECK_KEEP:-}" ]; then
        echo "slurm-check: files kept in $DIR (removed by the next run)" >&2
    else
        rm -rf "$DIR"
    fi
    if [ -n "$WATCHDOG" ]; then kill -KILL "$WATCHDOG" 2>/dev/null || true; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Watchdog: if this script is killed outright (no trap runs), stop what it
# started. It ignores the signals a terminal sends the whole group.
SCRIPT_PID=$$
(
    trap '' INT TERM HUP
    while kill -0 "$SCRIPT_PID" 2>/dev/null; do sleep 1; done
    stop_marked "$DIR"
    rm -rf "$DIR"
) </dev/null >/dev/null 2>&1 &
WATCHDOG=$!

# The first TCP port from $1 up that nothing on the machine uses (IPv4 or
# IPv6, any state), read from /proc so that no extra tool is needed.
free_port() {
    local p=$1
    while awk -v port="$(printf ':%04X' "$p")" 'NR > 1 && substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
        p=$((p + 1))
    done
    echo "$p"
}

# Waits until a command succeeds: wait_until SECONDS WHAT COMMAND...
wait_until() {
    local limit=$1 what=$2
    shift 2
    local end=$((SECONDS + limit))
    [ "$end" -le "$DEADLINE" ] || end=$DEADLINE
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$end" ] || fail "timed out after $limit s waiting for $what"
        sleep 0.5
    done
}

NODE=$(hostname -s)
CTLD_PORT=$(free_port 16817)
SLURMD_PORT=$(free_port $((CTLD_PORT + 1)))
# The node as slurmd sees it (CPUs, sockets, cores, threads, memory).
HW=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ UpTime=.*//')
CPUS=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$HW")
MEM=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$HW")
[ -n "$CPUS" ] && [ -n "$MEM" ] || fail "cannot read the node's CPUs and memory from 'slurmd -C': $HW"

cat >"$CONF" <<EOF
# One-node cluster for scripts/slurm-check.sh (written by it; removed with it).
ClusterName=optoplan-check
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MailProg=/bin/true
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# Off for the cluster: requeueing must come from the job's own --requeue.
JobRequeue=0
KillWait=5
# Look at pending jobs every 2 s (a requeued job becomes eligible without any event).
SchedulerParameters=sched_interval=2,bf_interval=2
MinJobAge=600
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 $HW State=UNKNOWN
PartitionName=check Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# munged with its own key, socket, pid, log and seed files.
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$DIR/munge/munge.key"
env "$MARK=$DIR" munged --foreground --force --socket="$MUNGE_SOCKET" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munge.seed" \
    </dev/null >>"$DIR/log/munged.log" 2>&1 9>&- &
munge_works() { munge -n -S "$MUNGE_SOCKET" | unmunge -S "$MUNGE_SOCKET"; }
wait_until 20 "munged" munge_works

env "$MARK=$DIR" slurmctld -D -f "$CONF" </dev/null >>"$DIR/log/slurmctld.out" 2>&1 9>&- &
wait_until 30 "slurmctld to answer" scontrol ping
env "$MARK=$DIR" slurmd -D -f "$CONF" -N "$NODE" </dev/null >>"$DIR/log/slurmd.out" 2>&1 9>&- &
node_idle() { sinfo -h -n "$NODE" -o %T | grep -qx idle; }
wait_until 60 "node $NODE to be idle" node_idle
say "cluster up: node $NODE ($CPUS CPUs, $MEM MB), slurmctld :$CTLD_PORT, slurmd :$SLURMD_PORT, files in $DIR"

# ---------------------------------------------------------------- optoplan

if [ -z "${OPTOPLAN:-}" ]; then
    t0=$SECONDS
    swift build -c release --product optoplan >"$DIR/log/build.log" 2>&1 || { tail -n 30 "$DIR/log/build.log" >&2; fail "release build failed"; }
    OPTOPLAN=$REPO/.build/release/optoplan
    say "optoplan (release) built or up to date in $((SECONDS - t0)) s"
fi
case $OPTOPLAN in /*) ;; *) OPTOPLAN=$REPO/$OPTOPLAN ;; esac
[ -x "$OPTOPLAN" ] || fail "no optoplan executable at $OPTOPLAN"
# Jobs find optoplan on PATH, as on a cluster where it is installed.
mkdir -p "$DIR/bin"
ln -s "$OPTOPLAN" "$DIR/bin/optoplan"
export PATH=$DIR/bin:$PATH

# ---------------------------------------------------------------- instances

# The shard `optoplan batch` gives a relative path: 64-bit FNV-1a of its
# bytes, unsigned, modulo the count (docs/batch.md), computed here apart
# from the tool. ASCII paths only.
shard_of() {
    local s=$1 n=$2 h=-3750763034362895579 i c   # 0xcbf29ce484222325
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        h=$(((h ^ c) * 1099511628211))
    done
    echo $(((((h >> 1) & 0x7FFFFFFFFFFFFFFF) % n * 2 + (h & 1)) % n))
}
# FNV-1a("a") = 0xaf63dc4c8601ec8c, which is 783675 modulo 1000003.
[ "$(shard_of a 1000003)" = 783675 ] || fail "shard_of disagrees with FNV-1a"

# The lines of standard input in shard TASK of COUNT: shard_members COUNT TASK.
shard_members() {
    local f
    while IFS= read -r f; do
        if [ "$(shard_of "$f" "$1")" -eq "$2" ]; then echo "$f"; fi
    done
}

# A deterministic generator: rand N sets R to a number in 0..N-1.
SEED=12345
rand() { SEED=$(((SEED * 1103515245 + 12345) % 2147483648)); R=$(((SEED >> 8) % $1)); }

# Sets MATRIX to an N x N demand matrix with a zero diagonal and cells of
# 1..MAX UNIT: demand_matrix N MAX UNIT (not in a subshell: rand's state).
demand_matrix() {
    local rows=() i j cells
    for ((i = 0; i < $1; i++)); do
        cells=()
        for ((j = 0; j < $1; j++)); do
            if [ "$i" -eq "$j" ]; then cells+=(0); else rand "$2"; cells+=("\"$((R + 1))$3\""); fi
        done
        rows+=("[$(IFS=,; echo "${cells[*]}")]")
    done
    MATRIX=$(IFS=,; echo "${rows[*]}")
}

write_schedule() {   # file nodes
    demand_matrix "$2" 3000 KB
    cat >"$1" <<JSON
{ "problem": "schedule",
  "fabric": { "nodes": $2, "ocsPortsPerNode": 1, "circuitRate": "100Gbps", "packetRate": "10Gbps", "reconfigurationDelay": "20us" },
  "window": "1ms",
  "demand": [$MATRIX] }
JSON
}

write_linkpool() {   # file nodes
    demand_matrix "$2" 400 Gbps
    cat >"$1" <<JSON
{ "problem": "linkpool",
  "fabric": { "nodes": $2, "opticalPorts": 3, "circuitRate": "400Gbps", "packetRate": "100Gbps" },
  "demand": [$MATRIX], "objective": "concurrent" }
JSON
}

write_stagger() {    # file jobs
    local k jobs=() p d s r
    for ((k = 0; k < $2; k++)); do
        rand 2; p=$((6 * (R + 1)))
        rand $((p / 2)); d=$((R + 1))
        rand "$p"; s=$R
        rand 70; r=$((30 + R))
        jobs+=("{ \"name\": \"job-$k\", \"period\": \"${p}ms\", \"links\": [\"l0\"], \"phases\": [ { \"start\": \"${s}ms\", \"duration\": \"${d}ms\", \"rate\": \"${r}Gbps\" } ] }")
    done
    cat >"$1" <<JSON
{ "problem": "stagger", "step": "1ms", "links": [ { "name": "l0", "capacity": "100Gbps" } ],
  "jobs": [$(IFS=,; echo "${jobs[*]}")] }
JSON
}

# A stagger instance whose exact search runs into its time limit: 18 jobs
# with periods of 20, 30 and 40 ms on three links.
write_slow_stagger() {
    local k jobs=() p d s r l
    for ((k = 0; k < 18; k++)); do
        rand 3; p=$((20 + 10 * R))
        rand 3; d=$((p / 3 + R))
        rand "$p"; s=$R
        rand 4; r=$((40 + 10 * R))
        rand 3; l=$R
        jobs+=("{ \"name\": \"j$k\", \"period\": \"${p}ms\", \"links\": [\"l$l\"], \"phases\": [ { \"start\": \"${s}ms\", \"duration\": \"${d}ms\", \"rate\": \"${r}Gbps\" } ] }")
    done
    cat >"$1" <<JSON
{ "problem": "stagger", "step": "1ms",
  "links": [ { "name": "l0", "capacity": "100Gbps" }, { "name": "l1", "capacity": "100Gbps" }, { "name": "l2", "capacity": "100Gbps" } ],
  "jobs": [$(IFS=,; echo "${jobs[*]}")] }
JSON
}

WORK=$DIR/work
cd "$WORK"
mkdir -p in1/schedule in1/linkpool in1/stagger in1/bad
for i in $(seq -w 0 12); do
    write_schedule "in1/schedule/s$i.json" $((3 + 10#$i % 3))
    write_linkpool "in1/linkpool/p$i.json" $((3 + 10#$i % 2))
    write_stagger "in1/stagger/g$i.json" 3
done
printf '{ "problem": "linkpool",\n  "fabric": }\n' >in1/bad/malformed.json
INSTANCES1=$(cd in1 && find . -name '*.json' | sed 's|^\./||' | sort)
[ "$(wc -l <<<"$INSTANCES1")" -eq 40 ] || fail "expected 40 instance files, wrote $(wc -l <<<"$INSTANCES1")"

# The sbatch file asks for 2 CPUs and 4 GB a task; a smaller node gets what it has.
FIT=()
[ "$CPUS" -ge 2 ] || FIT+=(--cpus-per-task="$CPUS")
[ "$MEM" -ge 4096 ] || FIT+=(--mem=$((MEM / 2))M)

# Task state and exit code of JOB_TASK from the controller.
task_field() { scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
job_done() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && scontrol -o show job "$1" >/dev/null 2>&1; }
planned_in() { sed -n 's/^\[ *[0-9]*\/[0-9]*\] planned \([^:]*\): .*/\1/p' "$1"; }
no_partial_files() { [ -z "$(find "$1" -name '.*.tmp-*' 2>/dev/null)" ]; }

# ---------------------------------------------------------------- array 1

say "array 1: 4 tasks over 40 instances (13 schedule, 13 linkpool, 13 stagger, 1 malformed)"
t0=$SECONDS
JOB1=$(env "$MARK=$DIR" sbatch --parsable --array=0-3 "${FIT[@]}" "$REPO/deploy/slurm/optoplan-batch.sbatch" in1 plans1)
JOB1=${JOB1%%;*}
wait_until 300 "array job $JOB1 to finish" job_done "$JOB1"
say "array 1 (job $JOB1) finished in $((SECONDS - t0)) s"

all_planned=""
for t in 0 1 2 3; do
    log=$WORK/optoplan-batch-${JOB1}_$t.log
    [ -f "$log" ] || fail "task $t: no log at $log"
    expect=$(shard_members 4 "$t" <<<"$INSTANCES1")
    expect_good=$(grep -v '^bad/' <<<"$expect" || true)
    got=$(planned_in "$log" | sort)
    [ "$got" = "$(sort <<<"$expect_good")" ] || fail "task $t planned $(echo $got) but its shard is $(echo $expect_good)"
    all_planned+="$got"$'\n'
    n_good=$(grep -c . <<<"$expect_good" || true)
    state=$(task_field "${JOB1}_$t" JobState)
    code=$(task_field "${JOB1}_$t" ExitCode)
    if grep -qx 'bad/malformed.json' <<<"$expect"; then
        grep -q '^\[ *[0-9]*/[0-9]*\] FAILED bad/malformed.json: bad input: .*line 2, column ' "$log" \
            || fail "task $t: the malformed instance is not reported with its place: $(grep malformed "$log" || true)"
        grep -Eq "^batch done in [0-9.]+ s: $n_good planned, 0 skipped, 1 failed \[shard $t/4\]$" "$log" \
            || fail "task $t: no summary line '$n_good planned, 0 skipped, 1 failed [shard $t/4]' in $log"
        grep -q '^  bad input: bad/malformed.json: ' "$log" || fail "task $t: the summary does not list the malformed file"
        [ "$state" = FAILED ] && [ "$code" = 65:0 ] || fail "task $t: Slurm shows $state $code, expected FAILED 65:0"
        bad_task=$t
    else
        grep -Eq "^batch done in [0-9.]+ s: $n_good planned, 0 skipped, 0 failed \[shard $t/4\]$" "$log" \
            || fail "task $t: no summary line '$n_good planned, 0 skipped, 0 failed [shard $t/4]' in $log"
        [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] || fail "task $t: Slurm shows $state $code, expected COMPLETED 0:0"
    fi
    say "task $t: $n_good planned, as its shard says; $state $code"
done
dups=$(grep . <<<"$all_planned" | sort | uniq -d)
[ -z "$dups" ] || fail "planned by more than one task: $dups"
[ "$(grep -c . <<<"$all_planned")" -eq 39 ] || fail "$(grep -c . <<<"$all_planned") instances planned, expected 39"
plans=$(cd plans1 && find . -name '*.plan.json' | sed 's|^\./||' | sort)
[ "$plans" = "$(grep -v '^bad/' <<<"$INSTANCES1" | sed 's/\.json$/.plan.json/')" ] || fail "plan files differ from the instances"
no_partial_files plans1 || fail "temporary files left in plans1: $(find plans1 -name '.*.tmp-*')"
pairs=()
for f in $(grep -v '^bad/' <<<"$INSTANCES1"); do pairs+=("in1/$f" "plans1/${f%.json}.plan.json"); done
optoplan validate "${pairs[@]}" >"$DIR/log/validate1.log" 2>&1 || fail "invalid plans: $(tail -n 5 "$DIR/log/validate1.log")"
say "array 1 passed: 39 plans, each valid and planned once, the malformed file reported by task $bad_task (exit 65)"

# The failed shard alone, once its bad file is mended: the rest is skipped.
say "rerun of shard $bad_task/4 alone (OPTOPLAN_SHARD_COUNT=4 sbatch --array=$bad_task) after mending the malformed file"
stamps1=$(cd plans1 && find . -name '*.plan.json' -printf '%p %T@\n' | sort)
write_linkpool in1/bad/malformed.json 3
JOB1B=$(env "$MARK=$DIR" OPTOPLAN_SHARD_COUNT=4 sbatch --parsable --array="$bad_task" "${FIT[@]}" \
    "$REPO/deploy/slurm/optoplan-batch.sbatch" in1 plans1)
JOB1B=${JOB1B%%;*}
wait_until 120 "job $JOB1B to finish" job_done "$JOB1B"
log=$WORK/optoplan-batch-${JOB1B}_$bad_task.log
n_skip=$(($(shard_members 4 "$bad_task" <<<"$INSTANCES1" | grep -c .) - 1))
grep -Eq "^batch done in [0-9.]+ s: 1 planned, $n_skip skipped, 0 failed \[shard $bad_task/4\]$" "$log" \
    || fail "the rerun of shard $bad_task/4 did not plan just the mended file: $(tail -n 3 "$log")"
[ "$(task_field "${JOB1B}_$bad_task" JobState) $(task_field "${JOB1B}_$bad_task" ExitCode)" = "COMPLETED 0:0" ] \
    || fail "the rerun of shard $bad_task/4: $(task_field "${JOB1B}_$bad_task" JobState) $(task_field "${JOB1B}_$bad_task" ExitCode)"
[ "$(cd plans1 && find . -name '*.plan.json' ! -path ./bad/malformed.plan.json -printf '%p %T@\n' | sort)" = "$stamps1" ] \
    || fail "the rerun of shard $bad_task/4 rewrote existing plans"
optoplan validate in1/bad/malformed.json plans1/bad/malformed.plan.json >/dev/null || fail "the mended file's plan is invalid"
say "rerun passed: 1 planned, $n_skip skipped, exit 0"

# ---------------------------------------------------------------- array 2

# Small instances, then one whose exact search takes its whole time limit;
# the file names sort the slow one last in its shard.
mkdir -p in2
for i in $(seq -w 0 7); do
    if [ $((10#$i % 2)) -eq 0 ]; then write_linkpool "in2/a-$i.json" 3; else write_stagger "in2/a-$i.json" 3; fi
done
write_slow_stagger in2/z-slow.json
SLOW_TASK=$(shard_of z-slow.json 2)
before=$(cd in2 && ls a-*.json | shard_members 2 "$SLOW_TASK")
n_before=$(grep -c . <<<"$before" || true)
[ "$n_before" -ge 1 ] || fail "no small instance shares the slow instance's shard"
LIMIT=20

say "array 2: 2 tasks over 9 instances; task $SLOW_TASK has $n_before small ones, then z-slow.json (--time-limit $LIMIT)"
t0=$SECONDS
JOB2=$(env "$MARK=$DIR" sbatch --parsable --array=0-1 --cpus-per-task=1 "$REPO/deploy/slurm/optoplan-batch.sbatch" \
    in2 plans2 --time-limit "$LIMIT")
JOB2=${JOB2%%;*}
task=${JOB2}_$SLOW_TASK
log2=$WORK/optoplan-batch-$task.log
task_running() { [ "$(task_field "$1" JobState)" = RUNNING ]; }
small_ones_done() { [ "$(planned_in "$log2" 2>/dev/null | grep -c .)" -ge "$n_before" ]; }
wait_until 120 "task $task to plan its small instances" small_ones_done
sleep 3
task_running "$task" || fail "task $task is not running any more (state $(task_field "$task" JobState)) before the cancel"
[ ! -e plans2/z-slow.plan.json ] || fail "z-slow.json was planned within 3 s: not slow enough to cancel mid-run"
[ "$(task_field "$task" Requeue)" = 1 ] || fail "task $task is not requeueable (Requeue=$(task_field "$task" Requeue)) though the cluster has JobRequeue=0"
stamps=$(cd plans2 && stat -c '%n %.9Y' ./*.plan.json)

say "cancelling task $task in the middle of z-slow.json"
scancel "$task"
task_cancelled() { [ "$(task_field "$1" JobState)" = CANCELLED ]; }
wait_until 60 "task $task to be cancelled" task_cancelled "$task"
sleep 1
[ ! -e plans2/z-slow.plan.json ] || fail "a plan for z-slow.json appeared though its task was cancelled"
no_partial_files plans2 || fail "the cancelled task left $(find plans2 -name '.*.tmp-*')"
cancelled_log=$(cat "$log2")

say "requeueing task $task"
t1=$SECONDS
scontrol requeue "$task" || fail "scontrol requeue $task refused"
task_completed() { [ "$(task_field "$1" JobState)" = COMPLETED ]; }
wait_until $((LIMIT * 4 + 120)) "requeued task $task to complete" task_completed "$task"
wait_until 120 "array job $JOB2 to finish" job_done "$JOB2"
say "requeued task ran and finished in $((SECONDS - t1)) s (array 2: $((SECONDS - t0)) s)"

other=$((1 - SLOW_TASK))
[ "$(task_field "${JOB2}_$other" JobState)" = COMPLETED ] || fail "task ${JOB2}_$other: $(task_field "${JOB2}_$other" JobState)"
[ "$(task_field "$task" ExitCode)" = 0:0 ] || fail "requeued task exit code $(task_field "$task" ExitCode)"
[ "$(task_field "$task" Restarts)" = 1 ] || fail "requeued task Restarts=$(task_field "$task" Restarts), expected 1"
grep -Eq "^batch done in [0-9.]+ s: 1 planned, $n_before skipped, 0 failed \[shard $SLOW_TASK/2\]$" "$log2" \
    || fail "the requeued task's log has no '1 planned, $n_before skipped, 0 failed [shard $SLOW_TASK/2]': $(tail -n 3 "$log2")"
for f in $before; do
    grep -q "^\[ *[0-9]*/[0-9]*\] skipped $f: plan exists" "$log2" || fail "the requeued task did not skip $f"
done
grep -q '^\[ *[0-9]*/[0-9]*\] planned z-slow.json: stagger ' "$log2" || fail "the requeued task did not plan z-slow.json"
# The log keeps both attempts (--open-mode=append): the first one's lines come first.
[ "$(head -c ${#cancelled_log} "$log2")" = "$cancelled_log" ] || fail "the requeued task's log lost the first attempt"
grep -q 'CANCELLED AT' <<<"$cancelled_log" || fail "the first attempt's log does not show the cancellation"
[ "$(grep -c '^batch: ' "$log2")" -eq 2 ] || fail "expected two attempts in $log2"
now=$(cd plans2 && stat -c '%n %.9Y' $(cut -d' ' -f1 <<<"$stamps"))
[ "$now" = "$stamps" ] || fail "plans written before the cancel were rewritten: $(diff <(echo "$stamps") <(echo "$now") || true)"
no_partial_files plans2 || fail "temporary files left in plans2: $(find plans2 -name '.*.tmp-*')"
pairs=()
for f in in2/*.json; do f=${f#in2/}; pairs+=("in2/$f" "plans2/${f%.json}.plan.json"); done
optoplan validate "${pairs[@]}" >"$DIR/log/validate2.log" 2>&1 || fail "invalid plans: $(tail -n 5 "$DIR/log/validate2.log")"
[ "$(find plans2 -name '*.plan.json' | wc -l)" -eq 9 ] || fail "expected 9 plans in plans2"
say "array 2 passed: cancelled mid-run, requeued, resumed skipping $n_before plans, no partial file"

say "passed in $((SECONDS - START)) s"
