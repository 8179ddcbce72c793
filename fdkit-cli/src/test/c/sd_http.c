/*
 * A socket-activated HTTP server written against libsystemd, as a C daemon would be: it takes its listening socket
 * with sd_listen_fds(3), checks it with sd_is_socket_inet(3), answers one request and exits.
 * Exit 2 (with the reason on stderr) when it was not given exactly one listening TCP socket.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

int main(void) {
    char **names = NULL;
    int n = sd_listen_fds_with_names(1, &names);
    if (n != 1) {
        fprintf(stderr, "sd_http: sd_listen_fds returned %d, expected 1\n", n);
        return 2;
    }
    int fd = SD_LISTEN_FDS_START;
    int inet = sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0);
    if (inet <= 0) {
        fprintf(stderr, "sd_http: descriptor %d is not a listening TCP socket (sd_is_socket_inet: %d)\n", fd, inet);
        return 2;
    }
    int conn = accept(fd, NULL, NULL);
    if (conn < 0) {
        perror("sd_http: accept");
        return 1;
    }
    char request[4096];
    ssize_t got = read(conn, request, sizeof request);
    if (got < 0) {
        perror("sd_http: read");
        return 1;
    }
    char body[256];
    int len = snprintf(body, sizeof body, "libsystemd server: sd_listen_fds=%d name=%s listening inet stream\n", n,
                       names && names[0] ? names[0] : "?");
    char response[512];
    int rlen = snprintf(response, sizeof response,
                        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                        len, body);
    if (write(conn, response, (size_t)rlen) != rlen) {
        perror("sd_http: write");
        return 1;
    }
    close(conn);
    return 0;
}
