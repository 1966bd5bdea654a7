#!/usr/bin/env python3
"""Runs the packaged daemon as portsentry.service would (Type=notify, a non-root user holding
only the unit's capabilities as ambient ones, no new privileges, state and runtime directories
owned by that user) inside a throwaway root and fresh network namespace, and checks its sd_notify
messages: READY=1 at start, RELOADING=1 + READY=1 on SIGHUP, STOPPING=1 and exit status 0 on
SIGTERM; root's portsentry-ctl status is served over the user's 0600 socket. Usage:
package-notify-test.py ROOT (a root holding the extracted package, setpriv, env and the shared
libraries they need; see scripts/package-test.sh)."""
import os, signal, socket, subprocess, sys, tempfile

root = sys.argv[1]
os.makedirs(os.path.join(root, "run/notify"), exist_ok=True)
os.makedirs(os.path.join(root, "proc"), exist_ok=True)
# The unit's User=portsentry, as a number: the throwaway root has no user database.
uid = 64_999
for directory in ("run/portsentry", "var/lib/portsentry"):  # RuntimeDirectory=, StateDirectory=
    path = os.path.join(root, directory)
    os.makedirs(path, exist_ok=True)
    os.chown(path, uid, uid)
    os.chmod(path, 0o700)
sock_path = os.path.join(root, "run/notify/sock")
if os.path.exists(sock_path):
    os.unlink(sock_path)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(sock_path)
os.chmod(sock_path, 0o666)  # as systemd's /run/systemd/notify: the daemon is not root
listener.settimeout(30)  # a message that never comes fails the test instead of hanging it

caps = "-all,+net_admin,+net_raw,+net_bind_service"  # CapabilityBoundingSet= and AmbientCapabilities=
out = tempfile.TemporaryFile()
daemon = subprocess.Popen(
    ["unshare", "--net", f"--mount-proc={root}/proc", "chroot", root,
     "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
     "--bounding-set", caps, "--inh-caps", caps, "--ambient-caps", caps,
     "/usr/bin/env", "NOTIFY_SOCKET=/run/notify/sock",
     "/usr/sbin/portsentry", "-c", "/etc/portsentry/portsentry.conf"],
    stdout=out, stderr=subprocess.STDOUT)

failures = []
def expect(what, check):
    try:
        message = listener.recv(4096).decode()
    except socket.timeout:
        failures.append(f"no {what} message within 30 s")
        return None
    if not check(message):
        failures.append(f"expected {what}, got {message!r}")
    print(f"notify: {message!r}")
    return message

try:
    if expect("READY=1", lambda m: m == "READY=1"):
        # Ready means reachable: the control socket answers portsentry-ctl.
        st = os.stat(os.path.join(root, "run/portsentry/control.sock"))
        if st.st_mode & 0o777 != 0o600 or st.st_uid != uid:
            failures.append(f"control socket mode {st.st_mode & 0o777:o} owner {st.st_uid}, want 600 and {uid}")
        ctl = subprocess.run(["timeout", "30", "unshare", "--net", f"--mount-proc={root}/proc",
                              "chroot", root, "/usr/sbin/portsentry-ctl", "status"],
                             capture_output=True, text=True)
        print("portsentry-ctl status:", ctl.stdout.strip().replace("\n", "\n    "), ctl.stderr.strip())
        if ctl.returncode != 0 or "portsentry is running" not in ctl.stdout:
            failures.append(f"portsentry-ctl status exited {ctl.returncode}")
        daemon.send_signal(signal.SIGHUP)
        expect("RELOADING=1 with MONOTONIC_USEC",
               lambda m: m.split("\n")[0] == "RELOADING=1" and m.split("\n")[1].startswith("MONOTONIC_USEC="))
        expect("READY=1 after the reload", lambda m: m == "READY=1")
    daemon.send_signal(signal.SIGTERM)
    expect("STOPPING=1", lambda m: m == "STOPPING=1")
    status = daemon.wait(timeout=30)
    if status != 0:
        failures.append(f"exit status {status} after SIGTERM, want 0")
finally:
    if daemon.poll() is None:
        daemon.kill()
        daemon.wait()
    out.seek(0)
    log = out.read().decode(errors="replace")
    print(log, end="")
state = os.path.join(root, "var/lib/portsentry/bans.state")  # written at stop, by the daemon's user
if not os.path.exists(state) or os.stat(state).st_uid != uid:
    failures.append(f"{state} missing or not owned by uid {uid}")
for line in ("Portsentry is now active and listening.", "Portsentry is shutting down"):
    if line not in log.splitlines():
        failures.append(f"missing log line {line!r}")
for f in failures:
    print("FAILED:", f)
sys.exit(1 if failures else 0)
