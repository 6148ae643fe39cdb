// A small Java JSSE TLS peer for tlsdiag's test captures (captures/generate_jsse.sh).
//
// usage: java captures/jsse/TlsPeer.java client|server [options]
//
//   --port P              server: listen on 127.0.0.1:P; client: connect to it
//   --host NAME           client: the server's name, used for SNI and for endpoint
//                         identification (the TCP connection goes to 127.0.0.1)
//   --protocols LIST      e.g. TLSv1.3 or TLSv1.2,TLSv1.3 (default: the JDK's)
//   --ciphers LIST        IANA names, e.g. TLS_AES_128_GCM_SHA256 (default: the JDK's)
//   --groups LIST         named groups (jdk.tls.namedGroups), e.g. x25519,secp256r1
//   --truststore F.p12    PKCS12 trust store (default: the JDK's cacerts)
//   --keystore F.p12      PKCS12 key store (certificate chain and key)
//   --storepass PW        password of both stores (default: changeit)
//   --need-client-auth    server: require a client certificate
//   --endpoint-id ALG     client: HTTPS (default) or none
//   --bind P1,P2,...      client: the local port of each connection (default: ephemeral)
//   --connections N       client: N connections one after the other, one SSLContext
//                         (the second one resumes the first one's session); server:
//                         accept N connections, then exit
//
// The client sends "GET /hello.txt HTTP/1.0", reads until the server closes, then
// closes. The server reads the request line, answers a short HTTP/1.0 response and
// closes (close_notify, then FIN). Every failure is printed with its exception chain
// (the stack's own account of what happened) on stderr; exit code 1 when any
// connection failed.
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.*;
import javax.net.ssl.*;

public class TlsPeer {
    static Map<String, String> opt = new HashMap<>();
    static boolean failed = false;

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TlsPeer client|server [--option value]...");
            System.exit(2);
        }
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--need-client-auth")) {
                opt.put(a, "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opt.put(a, args[++i]);
            } else {
                System.err.println("bad option " + a);
                System.exit(2);
            }
        }
        // Named groups are a system property in JDK 17 (no per-socket API).
        if (opt.containsKey("--groups")) {
            System.setProperty("jdk.tls.namedGroups", opt.get("--groups"));
        }
        SSLContext ctx = context();
        if (args[0].equals("server")) {
            server(ctx);
        } else {
            client(ctx);
        }
        System.exit(failed ? 1 : 0);
    }

    static SSLContext context() throws Exception {
        char[] pw = opt.getOrDefault("--storepass", "changeit").toCharArray();
        KeyManager[] km = null;
        TrustManager[] tm = null;
        if (opt.containsKey("--keystore")) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(opt.get("--keystore"))) {
                ks.load(in, pw);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            km = kmf.getKeyManagers();
        }
        if (opt.containsKey("--truststore")) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(opt.get("--truststore"))) {
                ts.load(in, pw);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            tm = tmf.getTrustManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(km, tm, null);
        return ctx;
    }

    static SSLParameters params(SSLSocket s) {
        SSLParameters p = s.getSSLParameters();
        if (opt.containsKey("--protocols")) {
            p.setProtocols(opt.get("--protocols").split(","));
        }
        if (opt.containsKey("--ciphers")) {
            p.setCipherSuites(opt.get("--ciphers").split(","));
        }
        return p;
    }

    static void report(String who, Throwable e) {
        failed = true;
        System.err.println(who + ": FAILED: " + e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            System.err.println("  caused by: " + c);
        }
    }

    static void server(SSLContext ctx) throws Exception {
        int port = Integer.parseInt(opt.get("--port"));
        int n = Integer.parseInt(opt.getOrDefault("--connections", "1"));
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(port, 8, InetAddress.getByName("127.0.0.1"));
        System.err.println("server: listening on " + port);
        for (int i = 0; i < n; i++) {
            SSLSocket s = (SSLSocket) ss.accept();
            SSLParameters p = params(s);
            p.setNeedClientAuth(opt.containsKey("--need-client-auth"));
            s.setSSLParameters(p);
            s.setSoTimeout(5000);
            try {
                s.startHandshake();
                SSLSession sess = s.getSession();
                System.err.println("server: handshake OK " + sess.getProtocol() + " " + sess.getCipherSuite());
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String line = r.readLine();
                System.err.println("server: request " + line);
                // the rest of the request head
                while (line != null && !line.isEmpty()) {
                    line = r.readLine();
                }
                String body = "hello from the tlsdiag jsse server\n";
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (Exception e) {
                report("server", e);
            } finally {
                try {
                    s.close();
                } catch (IOException e) {
                    System.err.println("server: close: " + e);
                }
            }
        }
        ss.close();
    }

    static void client(SSLContext ctx) throws Exception {
        int port = Integer.parseInt(opt.get("--port"));
        String host = opt.getOrDefault("--host", "server.tlsdiag.test");
        int n = Integer.parseInt(opt.getOrDefault("--connections", "1"));
        String[] bind = opt.containsKey("--bind") ? opt.get("--bind").split(",") : new String[0];
        String eid = opt.getOrDefault("--endpoint-id", "HTTPS");
        for (int i = 0; i < n; i++) {
            Socket tcp = new Socket();
            tcp.setReuseAddress(true);
            if (i < bind.length) {
                tcp.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(bind[i])));
            }
            tcp.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            // host: SNI and the name endpoint identification checks
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, host, port, true);
            SSLParameters p = params(s);
            p.setEndpointIdentificationAlgorithm(eid.equals("none") ? null : eid);
            p.setServerNames(List.of(new SNIHostName(host)));
            s.setSSLParameters(p);
            s.setSoTimeout(4000);
            try {
                s.startHandshake();
                SSLSession sess = s.getSession();
                System.err.println("client " + i + ": handshake OK " + sess.getProtocol() + " "
                        + sess.getCipherSuite() + " session " + hex(sess.getId()));
                OutputStream out = s.getOutputStream();
                out.write(("GET /hello.txt HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[4096];
                int k;
                while ((k = in.read(buf)) > 0) {
                    got.write(buf, 0, k);
                }
                String first = got.toString(StandardCharsets.US_ASCII).split("\r?\n", 2)[0];
                System.err.println("client " + i + ": got " + got.size() + " bytes: " + first);
            } catch (Exception e) {
                report("client " + i, e);
            } finally {
                try {
                    s.close();
                } catch (IOException e) {
                    System.err.println("client " + i + ": close: " + e);
                }
            }
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.length() > 0 ? sb.toString() : "-";
    }
}
