#!/usr/bin/env python3
"""A small pseudo-terminal harness for the tty integration tests.

It runs one command on a fresh pty and is driven over its own stdin/stdout with one JSON
object per line (request) and one JSON object per line (reply):

  {"op": "spawn", "argv": [...], "rows": 40, "cols": 120, "env": {...}}
      -> {"pid": N, "tty": "/dev/pts/N", "stty": "<stty -a of the new pty, before the command>"}
  {"op": "write", "data": "echo hi\\r"}                                   -> {}
  {"op": "expect", "pattern": "hi2", "timeout": 5}                         -> {"ok": true, "text": "..."}
  {"op": "resize", "rows": 30, "cols": 100}                                -> {}
  {"op": "stty"}                                                           -> {"text": "<stty -a>"}
  {"op": "signal", "sig": 15}                                              -> {}
  {"op": "wait", "timeout": 5}                                             -> {"code": N | null}
  {"op": "output"}                                                         -> {"text": "<everything so far>"}
  {"op": "hangup"}                                                         -> {} (closes the master: SIGHUP)
  {"op": "close"}                                                          -> {} and exit

`expect` searches (regex) the output not yet consumed by an earlier `expect`; on a match the
text up to its end is consumed. `resize` sets the window size with TIOCSWINSZ on the master,
which makes the kernel send SIGWINCH to the terminal's foreground process group; the harness
also sends SIGWINCH to the child itself. `stty` runs `stty -a` on the pty's slave side, also
after the child has exited (the master stays open until `close`). Errors become {"error": "..."}.
"""

import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time


class Session:
    def __init__(self):
        self.master = -1
        self.tty = ""
        self.pid = 0
        self.status = None
        self.buf = b""
        self.consumed = 0
        self.lock = threading.Condition()
        self.eof = False

    def spawn(self, argv, rows, cols, env):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.tty = os.ttyname(slave)
        initial = subprocess.run(["stty", "-a"], stdin=slave, capture_output=True, timeout=5)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(master)
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                if slave > 2:
                    os.close(slave)
                full = dict(os.environ)
                full.update(env or {})
                full.setdefault("TERM", "xterm")
                os.execvpe(argv[0], argv, full)
            except BaseException as e:  # noqa: BLE001 - report anything, then die
                os.write(2, f"pty.py: exec {argv[0]}: {e}\n".encode())
            os._exit(127)
        os.close(slave)
        self.master = master
        self.pid = pid
        threading.Thread(target=self._read, daemon=True).start()
        return {"pid": pid, "tty": self.tty, "stty": initial.stdout.decode()}

    def _read(self):
        while True:
            try:
                fd = self.master
                if fd < 0:
                    data = b""
                else:
                    r, _, _ = select.select([fd], [], [], 0.1)
                    if not r:
                        self._reap()
                        continue
                    data = os.read(fd, 65536)
            except (OSError, ValueError):
                data = b""
            with self.lock:
                if not data:
                    self.eof = True
                    self.lock.notify_all()
                    return
                self.buf += data
                self.lock.notify_all()

    def _reap(self):
        if self.status is None and self.pid:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(st)
                with self.lock:
                    self.lock.notify_all()

    def write(self, data):
        raw = data.encode("utf-8", "surrogateescape")
        while raw:
            n = os.write(self.master, raw)
            raw = raw[n:]
        return {}

    def expect(self, pattern, timeout):
        rx = re.compile(pattern.encode("utf-8"))
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                m = rx.search(self.buf, self.consumed)
                if m:
                    text = self.buf[self.consumed:m.end()]
                    self.consumed = m.end()
                    return {"ok": True, "text": text.decode("utf-8", "replace")}
                left = deadline - time.monotonic()
                if left <= 0 or (self.eof and self.status is not None):
                    text = self.buf[self.consumed:]
                    return {"ok": False, "text": text.decode("utf-8", "replace")}
                self.lock.wait(min(left, 0.1))

    def resize(self, rows, cols):
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            os.kill(self.pid, signal.SIGWINCH)
        except ProcessLookupError:
            pass
        return {}

    def stty(self):
        fd = os.open(self.tty, os.O_RDWR | os.O_NOCTTY)
        try:
            out = subprocess.run(["stty", "-a"], stdin=fd, capture_output=True, timeout=5)
        finally:
            os.close(fd)
        return {"text": out.stdout.decode() + out.stderr.decode()}

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass
        return {}

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.status is None and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.02)
        return {"code": self.status}

    def output(self):
        with self.lock:
            return {"text": self.buf.decode("utf-8", "replace")}

    def hangup(self):
        if self.master >= 0:
            fd, self.master = self.master, -1
            os.close(fd)
        return {}

    def close(self):
        if self.pid and self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait(2)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        return {}


def main():
    s = Session()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req["op"]
            if op == "spawn":
                rep = s.spawn(req["argv"], req.get("rows", 24), req.get("cols", 80), req.get("env"))
            elif op == "write":
                rep = s.write(req["data"])
            elif op == "expect":
                rep = s.expect(req["pattern"], req.get("timeout", 5))
            elif op == "resize":
                rep = s.resize(req["rows"], req["cols"])
            elif op == "stty":
                rep = s.stty()
            elif op == "signal":
                rep = s.signal(req["sig"])
            elif op == "wait":
                rep = s.wait(req.get("timeout", 5))
            elif op == "output":
                rep = s.output()
            elif op == "hangup":
                rep = s.hangup()
            elif op == "close":
                s.close()
                print("{}", flush=True)
                return
            else:
                rep = {"error": f"unknown op {op!r}"}
        except Exception as e:  # noqa: BLE001 - every failure goes back to the test
            rep = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(rep), flush=True)
    s.close()


if __name__ == "__main__":
    main()
