package dev.fdkit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The /proc/PID/net parsers on lines as a little-endian Linux prints them (addresses are host-order words). */
class ProcNetTest {
    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "captured lines are from a little-endian host");
    }

    private static final String INET_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
            + "retrnsmt   uid  timeout inode\n";

    private static SocketInfo one(String file, String text, long inode) {
        Map<Long, ProcNet.Resolved> m = ProcNet.parse(file, text, new long[] {inode});
        assertEquals(1, m.size(), m.toString());
        return m.get(inode).info();
    }

    @Test
    void tcpEstablishedAndOnlyWantedInodes() {
        String text = INET_HEADER
                + "   0: 0100007F:1F90 00000000:0000 0A"
                + " 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0\n"
                + "   1: 0100007F:C8A2 0100007F:1F90 01"
                + " 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 20 4 30 10 -1\n"
                + "   2: 0100007F:1F90 0100007F:C8A3 06 00000000:00000000 03:00001000 00000000     0        0 0 3 0\n";
        SocketInfo est = one("tcp", text, 222);
        assertEquals("127.0.0.1:51362 -> 127.0.0.1:8080 ESTABLISHED", est.describe());
        assertEquals(51362, est.localPort());
        assertEquals(8080, est.remotePort());
        assertEquals("tcp 127.0.0.1:51362 -> 127.0.0.1:8080 ESTABLISHED", est.toString());
        SocketInfo listen = one("tcp", text, 111);
        assertEquals("127.0.0.1:8080 LISTEN", listen.describe());
        assertNull(listen.remote());
        // TIME_WAIT entries have inode 0 and never match; an inode not present is simply absent.
        assertEquals(Map.of(), ProcNet.parse("tcp", text, new long[] {0, 333}));
    }

    @Test
    void tcp6AddressesInTheirShortestForm() {
        String text = INET_HEADER
                + "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A "
                + "00000000:00000000 00:00000000 00000000     0        0 11 1 0 100 0 0 10 0\n"
                + "   1: 0000000000000000FFFF00000100007F:D431 0000000000000000FFFF00000100007F:1F90 01 "
                + "00000000:00000000 00:00000000 00000000     0        0 12 1 0 20 4 30 10 -1\n"
                + "   2: 000080FE000000000000000001000000:0016 000080FE00000000AB00000002000000:E001 01 "
                + "00000000:00000000 00:00000000 00000000     0        0 13 1 0 20 4 30 10 -1\n"
                + "   3: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
                + "00000000:00000000 00:00000000 00000000     0        0 14 1 0 100 0 0 10 0\n";
        assertEquals("[::1]:8080 LISTEN", one("tcp6", text, 11).describe());
        assertEquals("127.0.0.1:54321 -> 127.0.0.1:8080 ESTABLISHED", one("tcp6", text, 12).describe());
        SocketInfo ll = one("tcp6", text, 13);
        assertEquals("fe80::1", ll.localAddress());
        assertEquals("fe80::ab:0:2", ll.remoteAddress());
        assertEquals("[fe80::1]:22 -> [fe80::ab:0:2]:57345 ESTABLISHED", ll.describe());
        assertEquals("[::]:22 LISTEN", one("tcp6", text, 14).describe());
    }

    @Test
    void ipv6TextFollowsRfc5952() {
        byte[] b = new byte[16];
        b[0] = 0x20;
        b[1] = 0x01;
        b[2] = 0x0d;
        b[3] = (byte) 0xb8;
        b[7] = 1; // 2001:db8:0:1::  with the longest zero run compressed, not the first
        assertEquals("2001:db8:0:1::", ProcNet.ipv6(b));
        b[15] = 1;
        b[9] = 2;
        assertEquals("2001:db8:0:1:2::1", ProcNet.ipv6(b)); // a lone zero group is not compressed
        assertEquals("::", ProcNet.ipv6(new byte[16]));
    }

    @Test
    void udpBoundAndConnected() {
        String text = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
                + "inode ref pointer drops\n"
                + "  120: 0100007F:0035 00000000:0000 07"
                + " 00000000:00000000 00:00000000 00000000     0        0 555 2 0 0\n"
                + "  121: 0100007F:9C40 0100007F:0035 01"
                + " 00000000:00000000 00:00000000 00000000     0        0 556 2 0 0\n";
        assertEquals("127.0.0.1:53 UNCONN", one("udp", text, 555).describe());
        assertEquals("127.0.0.1:40000 -> 127.0.0.1:53 ESTABLISHED", one("udp", text, 556).describe());
        assertEquals(FdKind.UDP, ProcNet.parse("udp", text, new long[] {555}).get(555L).kind());
    }

    @Test
    void unixPathsWithSpacesAbstractNamesAndStates() {
        String text = "Num       RefCount Protocol Flags    Type St Inode Path\n"
                + "0000000000000000: 00000002 00000000 00010000 0001 01 777 /tmp/a b.sock\n"
                + "0000000000000000: 00000003 00000000 00000000 0001 03 778 @abstract-name\n"
                + "0000000000000000: 00000003 00000000 00000000 0005 03 779\n"
                + "0000000000000000: 00000002 00000000 00000000 0002 01 780\n";
        assertEquals("/tmp/a b.sock stream LISTEN", one("unix", text, 777).describe());
        assertEquals("@abstract-name stream CONNECTED", one("unix", text, 778).describe());
        SocketInfo seq = one("unix", text, 779);
        assertNull(seq.localAddress());
        assertEquals("unnamed seqpacket CONNECTED", seq.describe());
        assertEquals("unnamed dgram UNCONN", one("unix", text, 780).describe());
    }

    @Test
    void netlinkAndPacket() {
        String nl = "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"
                + "0000000012f3ef23 0   4321       00000000 0        0        0     2        0        999     \n"
                + "0000000012f3ef24 9   0          00000001 0        0        0     2        0        1000    \n";
        assertEquals("ROUTE portid 4321", one("netlink", nl, 999).describe());
        assertEquals("AUDIT portid 0", one("netlink", nl, 1000).describe());
        String pk = "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                + "00000000382a33f8 3      3    0003   0     1 0      0      34735 \n"
                + "00000000382a33f9 3      2    0800   2     1 0      0      34736 \n";
        assertEquals("raw ETH_P_ALL any interface", one("packet", pk, 34735).describe());
        assertEquals("dgram ETH_P_IP ifindex 2", one("packet", pk, 34736).describe());
    }

    @Test
    void rawSocketsShowTheirProtocol() {
        String text = INET_HEADER
                + " 120: 00000000:0001 00000000:0000 07"
                + " 00000000:00000000 00:00000000 00000000     0        0 34736 2 0 0\n";
        SocketInfo r = one("raw", text, 34736);
        assertEquals("0.0.0.0 protocol 1 UNCONN", r.describe());
        assertFalse(r.describe().contains(":1 "));
    }

    @Test
    void sockfsProtocolNames() {
        assertEquals(FdKind.UNIX, ProcLister.kindOfProtocol("UNIX-STREAM"));
        assertEquals(FdKind.TCP6, ProcLister.kindOfProtocol("TCPv6"));
        assertEquals(FdKind.NETLINK, ProcLister.kindOfProtocol("NETLINK"));
        assertEquals(FdKind.SOCKET, ProcLister.kindOfProtocol("AF_VSOCK"));
    }
}
