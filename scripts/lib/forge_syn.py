"""One forged IPv4 TCP SYN, for the tests and benchmarks that need a probe from a chosen source.

As a program: forge_syn.py SOURCE DESTINATION PORT sends one SYN (raw socket, needs root).
As a module: syn(source, destination, source_port, destination_port) returns the packet."""
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def syn(source, destination, source_port, destination_port):
    src, dst = socket.inet_aton(source), socket.inet_aton(destination)
    tcp = struct.pack("!HHIIBBHHH", source_port, destination_port, 1, 0, 5 << 4, 0x02, 1024, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
    return ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:] + tcp


def raw_sender():
    """A raw socket that sends whole IPv4 packets (IPPROTO_RAW implies IP_HDRINCL)."""
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)


if __name__ == "__main__":
    source, destination, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    raw_sender().sendto(syn(source, destination, 40123, port), (destination, 0))
