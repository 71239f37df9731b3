"""Prints the first TCP port on 127.0.0.1 from argv[1] on that nothing listens on."""
import socket
import sys

for port in range(int(sys.argv[1]), int(sys.argv[1]) + 500):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    sys.exit("no free port")
