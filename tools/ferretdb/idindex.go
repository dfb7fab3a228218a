// The _id index FerretDB v1.24.2's SQLite backend lacks.
//
// FerretDB keeps a collection as an SQLite table of one JSON column,
// _ferretdb_sjson, and answers a find by _id (a string or an ObjectId) with
// `WHERE _ferretdb_sjson->'$._id' = ?` (metadata.IDColumn). The unique
// index it creates for _id is on `_ferretdb_sjson->"_id"`: the same value,
// but SQLite uses an index on an expression only for that expression as
// written, so every _id lookup scans the table. This file adds, to every
// collection's table, an index on the expression the queries use.
//
// When: FerretDB creates a table lazily (first insert, create,
// createIndexes), inside its own code, which an embedding program cannot
// hook. It does log every SQL statement at debug level through the
// *slog.Logger it is given, synchronously, on the goroutine that ran it.
// idHandler watches for the statement that creates the `_id_` index of a
// new table (the last step of FerretDB's collection creation, still under
// its registry lock, before any client can use the collection) and creates
// ours right there, on a connection of its own. Tables present at start
// are indexed by ensureAll. The index is plain SQLite: FerretDB does not
// know it (listIndexes does not show it), and it goes with its table.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the driver FerretDB uses, registered as "sqlite"
)

const (
	// idExpr is FerretDB v1.24.2's metadata.IDColumn: what its queries
	// compare _id with.
	idExpr = `_ferretdb_sjson->'$._id'`
	// indexPrefix names our indexes. FerretDB reserves "_ferretdb_" for
	// its own names and never gives an index one that starts with it
	// (its indexes are "<table>_<name>", its tables never start so).
	indexPrefix = "_ferretdb_bench_id_"
	// idIndexKey is the buildInfo.buildEnvironment key that says the index
	// is kept (bench's mongodb driver reads it).
	idIndexKey = "benchIdIndex"
	// FerretDB's statement for a new collection's _id index, as logged
	// after it ran ("<<< " + the SQL; registry.go, fsql/db.go).
	createdPrefix = `<<< CREATE UNIQUE INDEX `
	createdSuffix = ` (_ferretdb_sjson->"_id")`
)

// idIndexer indexes the tables of the SQLite databases in one directory.
type idIndexer struct {
	dir string
}

// newIDIndexer returns the indexer of --sqlite-url's directory, or nil for an
// in-memory database.
func newIDIndexer(sqliteURL string) *idIndexer {
	u, err := url.Parse(sqliteURL)
	if err != nil || u.Query().Get("mode") == "memory" {
		return nil
	}
	dir := u.Path
	if dir == "" {
		dir = u.Opaque
	}
	return &idIndexer{dir: dir}
}

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// ensure indexes every collection table of database `name` that lacks the
// index. A database file that does not exist (dropped) is not created.
func (ix *idIndexer) ensure(ctx context.Context, name string) error {
	file := filepath.Join(ix.dir, name+".sqlite")
	// mode=rw: never create a file FerretDB has not; busy_timeout as
	// FerretDB's own connections (another may be writing).
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("_id index: %s: %w", file, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("_id index: %s: %w", file, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("_id index: %s: %w", file, err)
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("_id index: %s: %w", file, err)
	}
	rows.Close()

	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (%s)`, quoteIdent(indexPrefix+t), quoteIdent(t), idExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("_id index: %s: table %s: %w", file, t, err)
		}
	}
	return nil
}

// ensureAll indexes the databases already in the directory (a restart on
// the same files, or files an older bench-ferretdb wrote).
func (ix *idIndexer) ensureAll() error {
	files, err := filepath.Glob(filepath.Join(ix.dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := ix.ensure(context.Background(), strings.TrimSuffix(filepath.Base(f), ".sqlite")); err != nil {
			return err
		}
	}
	return nil
}

// idHandler passes records of the configured level and above on to inner,
// and watches FerretDB's SQL statement log (debug records of the loggers
// that carry the statement's "args") for the creation of a collection.
type idHandler struct {
	inner slog.Handler
	level slog.Level
	ix    *idIndexer
	// db is the last "name" attribute: FerretDB's fsql names a database's
	// logger after the database (logging.WithName).
	db string
	// sql: an "args" attribute followed it (a statement's log record).
	sql bool
}

func (h *idHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level || (h.sql && l == slog.LevelDebug)
}

func (h *idHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.sql && r.Level == slog.LevelDebug && strings.HasPrefix(r.Message, createdPrefix) &&
		strings.HasSuffix(r.Message, createdSuffix) {
		ok := true
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" && a.Value.String() != "<nil>" {
				ok = false
			}
			return ok
		})
		if ok {
			if err := h.ix.ensure(ctx, h.db); err != nil {
				// The server says in buildInfo that it keeps this
				// index; it does not serve without it.
				fmt.Fprintf(os.Stderr, "bench-ferretdb: %v; stopping (a server without it would scan per _id lookup while saying it does not)\n", err)
				os.Exit(1)
			}
		}
	}
	if r.Level < h.level {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h *idHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.inner = h.inner.WithAttrs(attrs)
	for _, a := range attrs {
		switch a.Key {
		case "name":
			c.db = a.Value.String()
			c.sql = false
		case "args":
			c.sql = c.db != ""
		}
	}
	return &c
}

func (h *idHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.inner = h.inner.WithGroup(name)
	return &c
}
