#!/usr/bin/env bash
# Sourced by run.sh: keeps each long-running process of `make run` alive. A process that exits
# (a killed Celery worker, a crashed gunicorn or beat) is started again after a pause that doubles
# on each quick death (1 s, 2 s, 4 s ... at most 60 s; back to 1 s once it has run a minute), and
# the rest keeps running. Every restart is logged to stderr and to $SUPERVISE_LOG.
#   supervise NAME LOGFILE COMMAND...   start COMMAND in the background, output to LOGFILE
#   supervise_loop                      restart whatever exits, until supervise_stop
#   supervise_stop                      TERM every supervised process and wait for it

declare -A SUP_CMD=() SUP_PID=() SUP_LOG=() SUP_BACKOFF=() SUP_SINCE=() SUP_PAUSED=()
SUP_STOPPING=
SUPERVISE_LOG=${SUPERVISE_LOG:-/dev/null}
SUPERVISE_MAX_BACKOFF=${SUPERVISE_MAX_BACKOFF:-60}

_sup_log() { echo "$(date '+%F %T') ==> $*" | tee -a "$SUPERVISE_LOG" >&2; }

_sup_start() {
  local name=$1
  # exec: the recorded pid is the process itself, so a TERM reaches it (not a wrapping subshell)
  eval "exec ${SUP_CMD[$name]}" >>"${SUP_LOG[$name]}" 2>&1 &
  SUP_PID[$name]=$!
  SUP_SINCE[$name]=$SECONDS
}

supervise() {
  local name=$1 log=$2; shift 2
  SUP_CMD[$name]=$(printf '%q ' "$@")
  SUP_LOG[$name]=$log
  SUP_BACKOFF[$name]=1
  _sup_start "$name"
}

supervise_loop() {
  local name ran pause code tick
  while [ -z "$SUP_STOPPING" ]; do
    # returns when any supervised process (or a back-off pause) exits, a trapped signal arrives,
    # or after a second at most: `wait -n` can miss a child that exited before it was called
    sleep 1 & tick=$!
    wait -n "${SUP_PID[@]}" "$tick" 2>/dev/null || true
    kill "$tick" 2>/dev/null || true; wait "$tick" 2>/dev/null || true
    [ -n "$SUP_STOPPING" ] && return 0
    for name in "${!SUP_PID[@]}"; do
      kill -0 "${SUP_PID[$name]}" 2>/dev/null && continue  # still running (or not yet reaped)
      code=0; wait "${SUP_PID[$name]}" 2>/dev/null || code=$?  # (run.sh runs under set -e)
      if [ -n "${SUP_PAUSED[$name]:-}" ]; then  # its pause is over: start it again
        SUP_PAUSED[$name]=
        _sup_start "$name"
        _sup_log "$name restarted (pid ${SUP_PID[$name]})"
        continue
      fi
      ran=$((SECONDS - SUP_SINCE[$name]))
      [ "$ran" -ge 60 ] && SUP_BACKOFF[$name]=1
      pause=${SUP_BACKOFF[$name]}
      _sup_log "$name (pid ${SUP_PID[$name]}) exited with status $code after ${ran}s; restarting in ${pause}s (log: ${SUP_LOG[$name]})"
      SUP_BACKOFF[$name]=$((pause * 2 > SUPERVISE_MAX_BACKOFF ? SUPERVISE_MAX_BACKOFF : pause * 2))
      # the pause is a process of its own, waited for like the others: one process backing off
      # never delays the restart of another, nor Ctrl-C
      sleep "$pause" &
      SUP_PID[$name]=$!
      SUP_PAUSED[$name]=1
    done
  done
}

supervise_stop() {
  SUP_STOPPING=1
  local pid
  for pid in "${SUP_PID[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SUP_PID[@]}"; do wait "$pid" 2>/dev/null || true; done
}
