// gotls: a small Go crypto/tls peer for tlsdiag's captures (standard library
// only; built by captures/generate_gotls.sh with the Debian golang-go 1.19).
//
//	gotls -mode server -addr 127.0.0.1:44420 -cert chain.pem -key k.pem [flags]
//	gotls -mode client -addr 127.0.0.1:44420 -lport 51200 [-conns 2] [flags]
//
// The server answers each connection's first request (read until an empty
// line) with a short HTTP/1.0 page, then Close()s (close_notify, FIN); it
// serves -n connections one after the other. The client dials from local
// port -lport+k for its k-th connection (so the captures keep fixed ports),
// handshakes, sends one HTTP/1.0 request with -request, reads until EOF and
// Close()s. Every error is printed as crypto/tls returns it: those lines are
// the ground truth the captures' README quotes.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

var versions = map[string]uint16{
	"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11,
	"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13,
}

var clientAuths = map[string]tls.ClientAuthType{
	"none":               tls.NoClientCert,
	"request":            tls.RequestClientCert,
	"require":            tls.RequireAnyClientCert,
	"verify-if-given":    tls.VerifyClientCertIfGiven,
	"require-and-verify": tls.RequireAndVerifyClientCert,
}

var curves = map[string]tls.CurveID{
	"X25519": tls.X25519, "P-256": tls.CurveP256, "P-384": tls.CurveP384, "P-521": tls.CurveP521,
}

func suiteByName(name string) uint16 {
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if s.Name == name {
			return s.ID
		}
	}
	log.Fatalf("unknown cipher suite %q", name)
	return 0
}

func pool(file string) *x509.CertPool {
	pem, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		log.Fatalf("%s: no certificate", file)
	}
	return p
}

func state(c *tls.Conn) string {
	s := c.ConnectionState()
	return fmt.Sprintf("version=%s cipher=%s resumed=%v peer_certs=%d sni=%q",
		versionName(s.Version), tls.CipherSuiteName(s.CipherSuite), s.DidResume,
		len(s.PeerCertificates), s.ServerName)
}

func main() {
	mode := flag.String("mode", "client", "client or server")
	addr := flag.String("addr", "127.0.0.1:443", "server address (listen or connect)")
	lport := flag.Int("lport", 0, "client: local port of the first connection (0: any)")
	conns := flag.Int("conns", 1, "client: connections, one after the other (one session cache)")
	n := flag.Int("n", 1, "server: connections to serve")
	minV := flag.String("min", "1.2", "minimum version 1.0..1.3")
	maxV := flag.String("max", "1.3", "maximum version 1.0..1.3")
	ciphers := flag.String("ciphers", "", "TLS 1.0-1.2 cipher suites, Go names, comma separated (TLS 1.3 suites are not configurable)")
	curveList := flag.String("curves", "", "key exchange groups in preference order: X25519,P-256,P-384,P-521")
	certFile := flag.String("cert", "", "certificate chain (PEM, leaf first)")
	keyFile := flag.String("key", "", "private key (PEM)")
	forceCert := flag.Bool("forcecert", false, "client: send -cert whatever CAs the server's CertificateRequest names")
	roots := flag.String("roots", "", "trusted roots (PEM): client: RootCAs, server: ClientCAs")
	clientAuth := flag.String("clientauth", "none", "server: none|request|require|verify-if-given|require-and-verify")
	serverName := flag.String("servername", "", "client: ServerName (SNI and the name verified)")
	insecure := flag.Bool("insecure", false, "client: InsecureSkipVerify")
	keylog := flag.String("keylog", "", "append the NSS key log here (tls.Config.KeyLogWriter)")
	request := flag.Bool("request", false, "client: send GET /hello.txt and read the answer")
	tickets := flag.Bool("notickets", false, "server: SessionTicketsDisabled")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gotls " + *mode + ": ")

	cfg := &tls.Config{
		MinVersion:             versions[*minV],
		MaxVersion:             versions[*maxV],
		ServerName:             *serverName,
		InsecureSkipVerify:     *insecure,
		ClientAuth:             clientAuths[*clientAuth],
		SessionTicketsDisabled: *tickets,
	}
	if cfg.MinVersion == 0 || cfg.MaxVersion == 0 {
		log.Fatalf("bad -min/-max")
	}
	if *ciphers != "" {
		for _, c := range strings.Split(*ciphers, ",") {
			cfg.CipherSuites = append(cfg.CipherSuites, suiteByName(c))
		}
	}
	if *curveList != "" {
		for _, c := range strings.Split(*curveList, ",") {
			id, ok := curves[c]
			if !ok {
				log.Fatalf("unknown curve %q", c)
			}
			cfg.CurvePreferences = append(cfg.CurvePreferences, id)
		}
	}
	if *certFile != "" {
		kp, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			log.Fatal(err)
		}
		if *forceCert {
			cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				return &kp, nil
			}
		} else {
			cfg.Certificates = []tls.Certificate{kp}
		}
	}
	if *roots != "" {
		if *mode == "server" {
			cfg.ClientCAs = pool(*roots)
		} else {
			cfg.RootCAs = pool(*roots)
		}
	}
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		cfg.KeyLogWriter = f
	}
	if *mode == "server" {
		serve(cfg, *addr, *n)
	} else {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		failed := false
		for k := 0; k < *conns; k++ {
			if !client(cfg, *addr, *lport, k, *request) {
				failed = true
			}
		}
		if failed {
			os.Exit(1)
		}
	}
}

func serve(cfg *tls.Config, addr string, n int) {
	ln, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s", addr)
	for i := 0; i < n; i++ {
		raw, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		c := raw.(*tls.Conn)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if err := c.Handshake(); err != nil {
			log.Printf("conn %d from %s: handshake error: %v", i, c.RemoteAddr(), err)
			c.Close()
			continue
		}
		log.Printf("conn %d from %s: handshake done: %s", i, c.RemoteAddr(), state(c))
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				log.Printf("conn %d: read error: %v", i, err)
				break
			}
			if strings.TrimRight(line, "\r\n") == "" {
				body := "hello from the tlsdiag go server\n"
				fmt.Fprintf(c, "HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				log.Printf("conn %d: answered the request", i)
				break
			}
		}
		if err := c.Close(); err != nil {
			log.Printf("conn %d: close: %v", i, err)
		}
	}
}

func client(cfg *tls.Config, addr string, lport, k int, request bool) bool {
	// SO_REUSEADDR: a rerun may bind the port of a connection still in TIME_WAIT
	d := &net.Dialer{Timeout: 3 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	if lport != 0 {
		d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: lport + k}
	}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		log.Printf("conn %d: dial: %v", k, err)
		return false
	}
	c := tls.Client(raw, cfg)
	defer c.Close()
	c.SetDeadline(time.Now().Add(4 * time.Second))
	if err := c.Handshake(); err != nil {
		log.Printf("conn %d: handshake error: %v", k, err)
		return false
	}
	log.Printf("conn %d: handshake done: %s", k, state(c))
	if request {
		if _, err := io.WriteString(c, "GET /hello.txt HTTP/1.0\r\nHost: server.tlsdiag.test\r\n\r\n"); err != nil {
			log.Printf("conn %d: write error: %v", k, err)
			return false
		}
	}
	b, err := io.ReadAll(c)
	log.Printf("conn %d: read %d bytes: %q", k, len(b), firstLine(b))
	if err != nil {
		log.Printf("conn %d: read error: %v", k, err)
		return false
	}
	log.Printf("conn %d: peer closed (close_notify); closing", k)
	return true
}

func versionName(v uint16) string {
	for name, id := range versions {
		if id == v {
			return "TLS " + name
		}
	}
	return fmt.Sprintf("0x%04x", v)
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
