package main

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/aula-school/aula/store"
	"github.com/jmoiron/sqlx"
)

// floorPage is S's page: small, escaped, in a layout of one line.
var floorPage = template.Must(template.New("s").Parse(
	`<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Aula</title></head>` +
		`<body><main><h1>Hola, {{.FullName}}</h1><p>{{.Email}}</p></main></body></html>`))

// signedInFloor is S: what every signed-in Aula page must do and nothing more. It reads and
// refreshes the sign-in in Redis, reads the user's row by primary key and renders a small
// html/template page into a buffer, on bare net/http.
func signedInFloor(signIns *store.SignIns, st *store.Store, cookieName string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cookie, err := r.Cookie(cookieName)
		if err != nil {
			http.Error(w, "no sign-in", http.StatusUnauthorized)
			return
		}
		sess, err := signIns.Get(r.Context(), cookie.Value)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		u, err := st.User(r.Context(), sess.UserID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := floorPage.Execute(&buf, u); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
	})
}

// durableWrite is W: one small write transaction (BEGIN, INSERT, COMMIT) that PostgreSQL
// makes as durable as the server's settings say, the floor of every page that saves
// something. statements counts what it sends.
func durableWrite(db *sqlx.DB, statements *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		statements.Add(1)
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		statements.Add(1)
		var id int64
		if err := tx.GetContext(ctx, &id, `INSERT INTO bench_writes (note) VALUES ($1) RETURNING id`, r.RemoteAddr); err != nil {
			statements.Add(1)
			tx.Rollback()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		statements.Add(1)
		if err := tx.Commit(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte(strconv.FormatInt(id, 10)))
	})
}
