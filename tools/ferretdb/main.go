// Command bench-ferretdb runs FerretDB, a MongoDB wire-protocol server, with
// its SQLite backend, for bench's local runs and tests on machines without a
// MongoDB server. The FerretDB version is pinned in go.mod (v1.24.2).
//
// It embeds FerretDB's own library rather than building its command because
// that command refuses to start when built outside FerretDB's release tooling.
// Telemetry is off (the embedded server never reports), and it listens only
// on the loopback address it is given.
//
// It also gives every collection an SQLite index on the expression
// FerretDB's queries compare `_id` with (idindex.go): FerretDB's own `_id`
// index is on another expression, so without it every `_id` lookup scans
// the table (docs/architecture.md, "FerretDB").
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
)

const (
	module = "github.com/FerretDB/FerretDB"
	// backendKey is the buildInfo.buildEnvironment key that names the
	// backend (bench's mongodb driver reads it).
	backendKey = "benchBackend"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "loopback host:port to listen on")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URI (must end with /)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	showVersion := flag.Bool("version", false, "print the FerretDB version and exit")
	tlsListen := flag.String("listen-tls", "", "loopback host:port of a TLS listener (needs the cert and key files)")
	tlsCert := flag.String("listen-tls-cert-file", "", "TLS listener: server certificate (PEM)")
	tlsKey := flag.String("listen-tls-key-file", "", "TLS listener: server private key (PEM)")
	tlsCA := flag.String("listen-tls-ca-file", "", "TLS listener: CA certificate (PEM); when set, clients must present a certificate it signed")
	idIndex := flag.Bool("id-index", true, "index the expression _id lookups use (idindex.go); false: FerretDB as it is, every _id lookup a table scan")
	flag.Parse()

	// Report the real FerretDB version (from go.mod) in buildInfo.
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == module {
				version.Get().Version = dep.Version
			}
		}
	}
	if *showVersion {
		fmt.Println("FerretDB", version.Get().Version)
		return
	}

	for _, addr := range []struct{ flag, value string }{{"listen-addr", *listen}, {"listen-tls", *tlsListen}} {
		if addr.value == "" && addr.flag == "listen-tls" {
			continue
		}
		host, _, err := net.SplitHostPort(addr.value)
		if err != nil || !net.ParseIP(host).IsLoopback() {
			fmt.Fprintf(os.Stderr, "bench-ferretdb: --%s %q is not a loopback host:port\n", addr.flag, addr.value)
			os.Exit(2)
		}
	}
	if *tlsListen != "" && (*tlsCert == "" || *tlsKey == "") {
		fmt.Fprintf(os.Stderr, "bench-ferretdb: --listen-tls needs --listen-tls-cert-file and --listen-tls-key-file\n")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "bench-ferretdb: --log-level: %v\n", err)
		os.Exit(2)
	}
	text := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})
	logger := slog.New(text)

	// buildInfo's buildEnvironment names the backend for clients (bench's
	// mongodb driver names the variant in its server identity): FerretDB
	// itself names it only once a database is open. Set before the server
	// starts, like the _id index's key below: the document is not safe to
	// change while buildInfo reads it.
	version.Get().BuildEnvironment.Set(backendKey, "SQLite")

	// The _id index: on every database already in the directory now, then
	// on each collection as FerretDB creates it (idindex.go). Not for an
	// in-memory database, which another connection cannot reach.
	if ix := newIDIndexer(*sqliteURL); ix != nil && *idIndex {
		if err := ix.ensureAll(); err != nil {
			fmt.Fprintf(os.Stderr, "bench-ferretdb: %v\n", err)
			os.Exit(1)
		}
		logger = slog.New(&idHandler{inner: text, level: level, ix: ix})
		version.Get().BuildEnvironment.Set(idIndexKey, idExpr)
	} else if *idIndex {
		logger.Warn("in-memory SQLite: no _id index, every _id lookup scans its table")
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{
			TCP:         *listen,
			TLS:         *tlsListen,
			TLSCertFile: *tlsCert,
			TLSKeyFile:  *tlsKey,
			TLSCAFile:   *tlsCA,
		},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench-ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "bench-ferretdb: %v\n", err)
		os.Exit(1)
	}
}
