package dev.fdkit.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * An unmodified application for the attach tests: on each stdin line it starts processes with plain
 * ProcessBuilder ("spawn N") or lets {@link LeakyLibrary} open a socket it never closes ("leak"), then prints
 * "ok" and what it did.
 */
public final class AgentTarget {
    public static void main(String[] args) throws Exception {
        List<Object> kept = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0)) {
            System.out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "spawn" -> {
                        for (int i = 0; i < Integer.parseInt(w[1]); i++) new ProcessBuilder("true").start().waitFor();
                        System.out.println("ok");
                    }
                    case "leak" -> {
                        kept.add(LeakyLibrary.connect(server.getLocalPort()));
                        System.out.println("ok " + LeakyLibrary.lastLocalPort);
                    }
                    default -> System.out.println("unknown " + line);
                }
            }
        }
    }
}
