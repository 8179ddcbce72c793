package dev.fdkit;

/**
 * What the kernel says about one socket, found by its inode: through sock_diag for unix, TCP and UDP sockets of the
 * caller's network namespace, else from the tables of /proc/PID/net (the same fields either way).
 *
 * @param protocol      "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "icmp", "icmp6" (ping sockets), "unix",
 *                      "netlink", "packet", "raw", "raw6"
 * @param type          "stream", "dgram", "seqpacket", "raw"; null where the table does not say
 * @param localAddress  the local IP address ("127.0.0.1", "::1"; IPv4-mapped IPv6 addresses are shown as IPv4),
 *                      or the unix socket's path ("@name" for the abstract namespace); null when unnamed
 * @param localPort     the local port; for raw sockets the IP protocol number; for netlink the port id; -1 if none
 * @param remoteAddress the peer's IP address, or null when not connected (and always for unix sockets: procfs
 *                      does not name the peer)
 * @param remotePort    the peer's port, or -1
 * @param state         "ESTABLISHED", "LISTEN", "TIME_WAIT"... for TCP; "UNCONN" or "ESTABLISHED" for UDP and
 *                      raw; "LISTEN", "CONNECTED", "UNCONNECTED", "CONNECTING", "DISCONNECTING" for unix;
 *                      null for netlink and packet sockets
 * @param detail        netlink: the family ("ROUTE", "AUDIT"...); packet: the protocol and interface index; else null
 */
public record SocketInfo(String protocol, String type, String localAddress, int localPort, String remoteAddress,
                         int remotePort, String state, String detail) {

    /** {@return "127.0.0.1:8080", "[::1]:8080", the unix path, or null} */
    public String local() {
        return endpoint(localAddress, localPort);
    }

    /** {@return "127.0.0.1:51234", "[::1]:51234", or null when there is no peer} */
    public String remote() {
        return endpoint(remoteAddress, remotePort);
    }

    /** Built with a StringBuilder, not "+": see ProcNet.ipv4 (a table of sockets names each one's endpoints). */
    private String endpoint(String address, int port) {
        if (address == null) return null;
        if (!isInet()) return address;
        boolean bracketed = address.indexOf(':') >= 0;
        boolean withPort = !protocol.startsWith("raw");
        if (!bracketed && !withPort) return address;
        StringBuilder sb = new StringBuilder(address.length() + 8);
        if (bracketed) sb.append('[').append(address).append(']');
        else sb.append(address);
        if (withPort) sb.append(':').append(port);
        return sb.toString();
    }

    private boolean isInet() {
        return protocol.startsWith("tcp") || protocol.startsWith("udp") || protocol.startsWith("raw")
                || protocol.startsWith("icmp");
    }

    /**
     * One line as lsof would say it: "127.0.0.1:51234 -> 127.0.0.1:8080 ESTABLISHED", "0.0.0.0:8080 LISTEN",
     * "/run/app.sock stream LISTEN", "unnamed stream CONNECTED", "ROUTE portid 1234", "raw 0.0.0.0 protocol 1".
     *
     * @return the description
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        switch (protocol) {
            case "unix" -> {
                sb.append(localAddress == null ? "unnamed" : localAddress);
                if (type != null) sb.append(' ').append(type);
            }
            case "netlink" -> sb.append(detail).append(" portid ").append(localPort);
            case "packet" -> {
                if (type != null) sb.append(type).append(' ');
                sb.append(detail);
            }
            default -> {
                sb.append(local());
                if (protocol.startsWith("raw")) sb.append(" protocol ").append(localPort);
                String r = remote();
                if (r != null) sb.append(" -> ").append(r);
            }
        }
        if (state != null) sb.append(' ').append(state);
        return sb.toString();
    }

    @Override
    public String toString() {
        return protocol + " " + describe();
    }
}
