package dev.fdkit.agent;

import java.io.IOException;
import java.net.Socket;

/** A library that opens a socket and forgets it: the line the agent must name. */
final class LeakyLibrary {
    static volatile int lastLocalPort;

    private LeakyLibrary() {}

    static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port); // LEAK LINE
        lastLocalPort = s.getLocalPort();
        return s;
    }
}
