/* A wolfSSL 5.5 TLS peer for captures/generate_wolfssl.sh: one client or one server, made to
 * meet OpenSSL 3.0 s_server / s_client on loopback. It writes wolfSSL's own account of each
 * connection (the error code and string, the verify result, the last alert sent and
 * received) to stdout: that is the ground truth captures/README.md quotes.
 *
 * usage: peer -mode client|server -addr IP:PORT [options]
 *   -min 1.2|1.3 -max 1.2|1.3   protocol versions (default 1.2 to 1.3)
 *   -ciphers LIST               wolfSSL cipher list (OpenSSL-style names, TLS13-* for 1.3)
 *   -groups LIST                key-exchange groups (wolfSSL_CTX_set1_groups_list)
 *   -ca FILE                    trusted roots (client: verifies the server with them)
 *   -cert FILE -key FILE        own certificate chain (PEM, leaf first) and key
 *   -verify none|peer|require   server: ask for a client certificate (require = fail
 *                               if none); client: peer (the default) verifies the
 *                               server, none turns verification off
 *   -servername NAME            client: SNI and the name checked in the certificate
 *   -lport N                    client: local port of the first connection (k-th: N+k)
 *   -conns N                    client: N connections one after the other, the later
 *                               ones resume the first one's session
 *   -n N                        server: accept N connections, then exit
 *   -request                    client: send GET /hello.txt and read until close
 * Exit status: 0 when every handshake succeeded, 1 otherwise, 2 on a usage error.
 * Key logs: the Debian build has no secret callback (HAVE_SECRET_CALLBACK is off), so the
 * OpenSSL peer writes them. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const char *opt_mode, *opt_addr, *opt_ciphers, *opt_groups, *opt_ca, *opt_cert,
    *opt_key, *opt_verify = "default", *opt_name;
static int opt_min = 2, opt_max = 3, opt_lport, opt_conns = 1, opt_n = 1, opt_request;

static void usage(void)
{
    fprintf(stderr, "usage: peer -mode client|server -addr IP:PORT [options]\n");
    exit(2);
}

static int version_arg(const char *s)
{
    if (strcmp(s, "1.2") == 0) return 2;
    if (strcmp(s, "1.3") == 0) return 3;
    usage();
    return 0;
}

/* What wolfSSL says about a failed call: its error code and string, and the alerts. */
static void report(WOLFSSL *ssl, const char *what, int ret)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    int err = wolfSSL_get_error(ssl, ret);
    WOLFSSL_ALERT_HISTORY h;
    printf("%s failed: ret=%d error=%d (%s)\n", what, ret, err, wolfSSL_ERR_error_string(err, buf));
    printf("  verify_result=%ld\n", wolfSSL_get_verify_result(ssl));
    if (wolfSSL_get_alert_history(ssl, &h) == WOLFSSL_SUCCESS)
        printf("  last alert received: level %d code %d; last alert sent: level %d code %d\n",
               h.last_rx.level, h.last_rx.code, h.last_tx.level, h.last_tx.code);
    fflush(stdout);
}

static void done(WOLFSSL *ssl)
{
    const char *v = wolfSSL_get_version(ssl), *c = wolfSSL_get_cipher(ssl);
    printf("handshake done: %s %s resumed=%d\n", v ? v : "?", c ? c : "?", wolfSSL_session_reused(ssl));
    fflush(stdout);
}

static WOLFSSL_METHOD *method(int server)
{
    if (opt_min == 3) return server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
    if (opt_max == 2) return server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
    return server ? wolfSSLv23_server_method() : wolfSSLv23_client_method();
}

static WOLFSSL_CTX *make_ctx(int server)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(method(server));
    if (!ctx) { printf("wolfSSL_CTX_new failed\n"); exit(1); }
    /* the SSLv23 methods would go down to TLS 1.0/1.1 otherwise */
    if (opt_min == 2 && opt_max == 3) wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2);
    if (opt_ciphers && wolfSSL_CTX_set_cipher_list(ctx, opt_ciphers) != WOLFSSL_SUCCESS) {
        printf("bad cipher list %s\n", opt_ciphers);
        exit(2);
    }
    if (opt_groups && wolfSSL_CTX_set1_groups_list(ctx, (char *)opt_groups) != WOLFSSL_SUCCESS) {
        printf("bad group list %s\n", opt_groups);
        exit(2);
    }
    if (opt_ca && wolfSSL_CTX_load_verify_locations(ctx, opt_ca, NULL) != WOLFSSL_SUCCESS) {
        printf("cannot load CA file %s\n", opt_ca);
        exit(2);
    }
    if (opt_cert && wolfSSL_CTX_use_certificate_chain_file(ctx, opt_cert) != WOLFSSL_SUCCESS) {
        printf("cannot load certificate %s\n", opt_cert);
        exit(2);
    }
    if (opt_key && wolfSSL_CTX_use_PrivateKey_file(ctx, opt_key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
        printf("cannot load key %s\n", opt_key);
        exit(2);
    }
    if (strcmp(opt_verify, "none") == 0)
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, NULL);
    else if (strcmp(opt_verify, "peer") == 0)
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
    else if (strcmp(opt_verify, "require") == 0)
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    else /* default: a server asks for nothing, a client verifies the server (Debian's
          * build, with OPENSSL_COMPATIBLE_DEFAULTS, does not verify unless told to, as OpenSSL) */
        wolfSSL_CTX_set_verify(ctx, server ? WOLFSSL_VERIFY_NONE : WOLFSSL_VERIFY_PEER, NULL);
    return ctx;
}

static void split_addr(struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(opt_addr, ':');
    if (!colon || (size_t)(colon - opt_addr) >= sizeof host) usage();
    memcpy(host, opt_addr, (size_t)(colon - opt_addr));
    host[colon - opt_addr] = 0;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) usage();
}

static void set_timeout(int fd, int seconds)
{
    struct timeval tv = {seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* Read until the peer closes (close_notify, FIN) or 3 s pass; print what came. */
static void drain(WOLFSSL *ssl)
{
    char buf[4096];
    long total = 0;
    for (;;) {
        int r = wolfSSL_read(ssl, buf, sizeof buf);
        if (r > 0) { total += r; continue; }
        int err = wolfSSL_get_error(ssl, r);
        char es[WOLFSSL_MAX_ERROR_SZ];
        printf("read %ld bytes; then read returned %d error=%d (%s)\n", total, r, err,
               wolfSSL_ERR_error_string(err, es));
        break;
    }
}

static int run_client(void)
{
    struct sockaddr_in sa;
    WOLFSSL_CTX *ctx = make_ctx(0);
    WOLFSSL_SESSION *sess = NULL;
    int k, failed = 0;
    split_addr(&sa);
    for (k = 0; k < opt_conns; k++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, ret;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (opt_lport) {
            struct sockaddr_in la;
            memset(&la, 0, sizeof la);
            la.sin_family = AF_INET;
            la.sin_port = htons((unsigned short)(opt_lport + k));
            la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (bind(fd, (struct sockaddr *)&la, sizeof la) != 0) { perror("bind"); return 1; }
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 1; }
        set_timeout(fd, 3);
        WOLFSSL *ssl = wolfSSL_new(ctx);
        wolfSSL_set_fd(ssl, fd);
        if (opt_name) {
            wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, opt_name, (unsigned short)strlen(opt_name));
            wolfSSL_check_domain_name(ssl, opt_name);
        }
        if (sess) wolfSSL_set_session(ssl, sess);
        printf("connection %d:\n", k);
        ret = wolfSSL_connect(ssl);
        if (ret != WOLFSSL_SUCCESS) {
            report(ssl, "wolfSSL_connect", ret);
            failed = 1;
        } else {
            done(ssl);
            if (opt_request) {
                const char req[] = "GET /hello.txt HTTP/1.0\r\nHost: server.tlsdiag.test\r\n\r\n";
                wolfSSL_write(ssl, req, (int)sizeof req - 1);
                drain(ssl);
            }
            /* TLS 1.3 tickets arrive after the handshake; the read above took them */
            if (k == 0 && opt_conns > 1) sess = wolfSSL_get1_session(ssl);
            ret = wolfSSL_shutdown(ssl);
            printf("shutdown returned %d\n", ret);
        }
        fflush(stdout);
        wolfSSL_free(ssl);
        close(fd);
    }
    if (sess) wolfSSL_SESSION_free(sess);
    wolfSSL_CTX_free(ctx);
    return failed;
}

static int run_server(void)
{
    struct sockaddr_in sa;
    WOLFSSL_CTX *ctx = make_ctx(1);
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1, k, failed = 0;
    split_addr(&sa);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 8) != 0) {
        perror("bind/listen");
        return 1;
    }
    printf("listening on %s\n", opt_addr);
    fflush(stdout);
    for (k = 0; k < opt_n; k++) {
        int fd = accept(lfd, NULL, NULL), ret;
        if (fd < 0) { perror("accept"); return 1; }
        set_timeout(fd, 3);
        WOLFSSL *ssl = wolfSSL_new(ctx);
        wolfSSL_set_fd(ssl, fd);
        printf("connection %d:\n", k);
        ret = wolfSSL_accept(ssl);
        if (ret != WOLFSSL_SUCCESS) {
            report(ssl, "wolfSSL_accept", ret);
            failed = 1;
        } else {
            char buf[4096];
            done(ssl);
            /* answer one request, if the client sends one before it closes */
            int r = wolfSSL_read(ssl, buf, sizeof buf);
            if (r > 0) {
                const char resp[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                                    "hello from the tlsdiag test server\n";
                printf("read %d bytes, answered\n", r);
                wolfSSL_write(ssl, resp, (int)sizeof resp - 1);
            } else {
                int err = wolfSSL_get_error(ssl, r);
                char es[WOLFSSL_MAX_ERROR_SZ];
                printf("read returned %d error=%d (%s)\n", r, err, wolfSSL_ERR_error_string(err, es));
            }
            ret = wolfSSL_shutdown(ssl);
            printf("shutdown returned %d\n", ret);
        }
        fflush(stdout);
        wolfSSL_free(ssl);
        close(fd);
    }
    close(lfd);
    wolfSSL_CTX_free(ctx);
    return failed;
}

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-request") == 0) { opt_request = 1; continue; }
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (strcmp(a, "-mode") == 0) opt_mode = v;
        else if (strcmp(a, "-addr") == 0) opt_addr = v;
        else if (strcmp(a, "-min") == 0) opt_min = version_arg(v);
        else if (strcmp(a, "-max") == 0) opt_max = version_arg(v);
        else if (strcmp(a, "-ciphers") == 0) opt_ciphers = v;
        else if (strcmp(a, "-groups") == 0) opt_groups = v;
        else if (strcmp(a, "-ca") == 0) opt_ca = v;
        else if (strcmp(a, "-cert") == 0) opt_cert = v;
        else if (strcmp(a, "-key") == 0) opt_key = v;
        else if (strcmp(a, "-verify") == 0) opt_verify = v;
        else if (strcmp(a, "-servername") == 0) opt_name = v;
        else if (strcmp(a, "-lport") == 0) opt_lport = atoi(v);
        else if (strcmp(a, "-conns") == 0) opt_conns = atoi(v);
        else if (strcmp(a, "-n") == 0) opt_n = atoi(v);
        else usage();
    }
    if (!opt_mode || !opt_addr || opt_min > opt_max) usage();
    wolfSSL_Init();
    printf("%s\n", wolfSSL_lib_version());
    int rc = strcmp(opt_mode, "server") == 0 ? run_server() : run_client();
    wolfSSL_Cleanup();
    return rc;
}
