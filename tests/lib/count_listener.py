#!/usr/bin/env python3
"""count_listener.py PATH: listens on a free 127.0.0.1 port, writes the port
to PATH.port, and for every connection it accepts rewrites PATH.count with
the number accepted so far (then closes it). For tests that must show a
command contacts no server (dryrun.sh): nothing accepted, no PATH.count."""
import os
import socket
import sys

path = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(path + ".port.tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(path + ".port.tmp", path + ".port")
n = 0
while True:
    c, _ = s.accept()
    n += 1
    with open(path + ".count.tmp", "w") as f:
        f.write("%d\n" % n)
    os.rename(path + ".count.tmp", path + ".count")
    c.close()
